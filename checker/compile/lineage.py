"""Personal data by lineage: which columns each output item of a compiled rule is derived from.

A value is personal data when it is derived from an ``x-pii`` column, directly or through any
expression: ``lower(contact_phone)``, ``substr(phone, 1, 3) || name``, a ``CASE`` that yields a
joined ``line.owner_phone``.  The source columns of a value are read off its compiled sqlglot
tree (every column node in it, resolved to its dataset through the rule's table aliases), never
off a list of functions, so no function, operator or cast can hide a source.

The output items of a rule are its group keys (``group_by`` expressions, by their names), its
record key (``x-key``, all columns for a dataset without one) and the variables its message
template sees.  A variable this module does not know is personal (masked) by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from sqlglot import exp

from checker.compile import kinds
from checker.compile.kinds.base import MAIN_ALIAS
from checker.compile.rules import CompiledRule
from checker.model.dataset import DatasetSchema

Source = tuple[str, str]          # (dataset, column)


def aliases(rule: CompiledRule) -> dict[str, str]:
    """SQL table alias -> dataset, for the rule's own dataset and each joined one."""
    return {MAIN_ALIAS: rule.dataset} | {spec.sql_alias: spec.dataset for spec in rule.joins}


def sources(node: exp.Expression | None, table_aliases: Mapping[str, str]) -> frozenset[Source]:
    """Every (dataset, column) the tree reads.  A column under an alias not in ``table_aliases``
    (or under none) counts as read from every dataset there: lineage errs towards personal."""
    if node is None:
        return frozenset()
    found: set[Source] = set()
    for column in node.find_all(exp.Column):
        if column.table in table_aliases:
            found.add((table_aliases[column.table], column.name))
        else:
            found.update((dataset, column.name) for dataset in table_aliases.values())
    return frozenset(found)


def personal(read: frozenset[Source], schemas: Mapping[str, DatasetSchema]) -> bool:
    """True when any source is an ``x-pii`` column (or a column of a dataset whose schema is unknown)."""
    return any(dataset not in schemas or column in schemas[dataset].pii_columns for dataset, column in read)


def record_key(schema: DatasetSchema) -> tuple[str, ...]:
    """The columns that identify a record: ``x-key``, else every column."""
    return tuple(schema.key) or tuple(schema.columns)


def record_key_personal(schema: DatasetSchema) -> bool:
    """True when the record key of the dataset holds personal data (so its fingerprints must be keyed)."""
    return bool(set(record_key(schema)) & schema.pii_columns)


@dataclass(frozen=True)
class RuleLineage:
    """The sources of every output item of one compiled rule, and which of them are personal."""

    rule_id: str
    reads: frozenset[Source]                        # everything the rule's SQL reads
    read_names: tuple[str, ...]                     # the same, as the author writes them (col, alias.col)
    groups: tuple[tuple[str, bool], ...]            # (group name, personal) per group_by expression
    derived_groups: frozenset[str]                  # personal group keys that are not a bare column
    variables: Mapping[str, bool]                   # message variable -> personal

    @cached_property
    def personal_groups(self) -> frozenset[str]:
        return frozenset(name for name, pii in self.groups if pii)

    @cached_property
    def group_key_personal(self) -> bool:
        """True when the group key (all group_by values together) holds personal data."""
        return any(pii for _, pii in self.groups)

    def personal_variables(self, names: Iterable[str]) -> list[str]:
        """Of ``names`` (a message's record view), those to mask: personal ones, and any this rule does not know."""
        return [name for name in names if self.variables.get(name, True)]


def of_rule(rule: CompiledRule, schemas: Mapping[str, DatasetSchema]) -> RuleLineage:
    """The lineage of a compiled rule over the schemas of its dataset and joined datasets."""
    table_aliases = aliases(rule)
    kind = kinds.of(rule)
    trees = [rule.where, *kind.reads(rule), *(spec.on for spec in rule.joins)]
    reads = frozenset().union(*(sources(t, table_aliases) for t in trees))
    written = {spec.sql_alias: spec.alias for spec in rule.joins}
    names = sorted({c.name if c.table not in written else f"{written[c.table]}.{c.name}"
                    for t in trees if t is not None for c in t.find_all(exp.Column)})
    groups = tuple((name, personal(sources(node, table_aliases), schemas))
                   for name, node in zip(rule.group_names(), rule.group_by, strict=True))  # one per group_by
    derived = frozenset(name for (name, pii), node in zip(groups, rule.group_by, strict=True)
                        if pii and not isinstance(node, exp.Column))
    main = schemas.get(rule.dataset)
    variables: dict[str, bool] = {"row": False}
    if main is not None:
        variables.update({name: name in main.pii_columns for name in main.columns})
    for spec in rule.joins:     # joined columns, should a message ever see them
        other = schemas.get(spec.dataset)
        if other is None:
            continue
        for name in other.columns:
            variables[f"{spec.alias}.{name}"] = name in other.pii_columns
    variables.update(kind.message_variables(groups))
    return RuleLineage(rule.id, reads, tuple(names), groups, derived, variables)
