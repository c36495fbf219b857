"""Query plans: the SQL each check runs, built from compiled rules and loaded tables.

* one fused aggregate scan per dataset for its structural checks and row rules:
  exact counts and the first N violating rows of every check in a single pass;
* one query per uniqueness and per aggregate rule;
* one fan-out query per join of a row rule (many-to-one is checked on the data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from checker.compile import kinds
from checker.compile.kinds import base as kinds_base
from checker.compile.kinds import join, unique
from checker.compile.kinds.aggregate import AggregateKind
from checker.compile.kinds.base import (
    CHECK,
    MAIN_ALIAS,
    ROW,
    RecordKind,
    TableOf,
    Waivers,
    applies,
    flag,
    row_column,
    table,
)
from checker.compile.rules import CompiledRule
from checker.sql.text import DIALECT, as_expression


@dataclass(frozen=True)
class RowCheck:
    """A check evaluated record by record in the fused scan."""

    key: str                     # rule id
    violation: exp.Expression    # TRUE for a record that violates the check
    applies: exp.Expression      # TRUE for a record the check judges
    joins: tuple[join.JoinSpec, ...] = ()
    waivers: tuple[tuple[str, exp.Expression], ...] = ()   # (waiver id, condition) of the live waivers

    @property
    def waived(self) -> exp.Expression | None:
        """TRUE for a record a live waiver covers (None without waivers)."""
        if not self.waivers:
            return None
        return exp.paren(exp.or_(*[flag(c) for _w, c in self.waivers]))

    @property
    def unwaived(self) -> exp.Expression:
        """TRUE for a violation no waiver covers."""
        waived = self.waived
        if waived is None:
            return self.violation.copy()
        return as_expression(exp.and_(exp.paren(self.violation.copy()), exp.not_(waived)))

    def waived_violation(self, condition: exp.Expression | None = None) -> exp.Expression:
        """TRUE for a violation a live waiver (or the one ``condition``) covers."""
        cover = self.waived if condition is None else flag(condition)
        assert cover is not None
        return as_expression(exp.and_(exp.paren(self.violation.copy()), cover))


@dataclass
class Answer:
    violations: int
    checked: int
    rows: list[int]
    waived: int = 0
    waived_rows: list[int] = field(default_factory=list)
    per_waiver: dict[str, int] = field(default_factory=dict)


def _rename_aliases(node: exp.Expression, mapping: dict[str, str]) -> exp.Expression:
    def visit(sub: exp.Expression) -> exp.Expression:
        if isinstance(sub, exp.Column) and sub.table in mapping:
            return exp.column(sub.name, table=mapping[sub.table], quoted=True)
        return sub

    return node.transform(visit, copy=True)


def row_check(rule: CompiledRule, n: int, waivers: Waivers | None = None,
              shared: dict[tuple[str, str], str] | None = None) -> RowCheck:
    """The fused-scan form of a row rule; join aliases are made unique with ``n``.

    With ``shared`` (one dict per scan), rules that join the same dataset on the same condition
    share one join: every join of a row rule is many-to-one (checked on the data first), so
    sharing it changes no record's values, and the scan joins each distinct partner once.
    """
    kind = kinds.of(rule)
    assert isinstance(kind, RecordKind), rule.kind
    mapping = {}
    for spec in rule.joins:
        mapping[spec.sql_alias] = f"{spec.sql_alias}_{n}"
        if shared is not None and {c.table for c in spec.on.find_all(exp.Column)} <= {spec.sql_alias, MAIN_ALIAS}:
            key = (spec.dataset, _rename_aliases(spec.on, {spec.sql_alias: "__j"}).sql(dialect=DIALECT))
            mapping[spec.sql_alias] = shared.setdefault(key, mapping[spec.sql_alias])
    violation = _rename_aliases(kind.violation(rule), mapping)
    judged = _rename_aliases(applies(rule.where), mapping)
    specs = tuple(join.JoinSpec(s.alias, mapping[s.sql_alias], s.dataset, _rename_aliases(s.on, mapping))
                  for s in rule.joins)
    return RowCheck(rule.id, violation, judged, specs, tuple(waivers or ()))


def _count_if(condition: exp.Expression) -> exp.Expression:
    return as_expression(exp.func("coalesce", exp.CountIf(this=condition), exp.Literal.number(0)))


def _row_if(condition: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=condition, true=row_column())])


def fused_scan(table_name: str, checks: list[RowCheck], samples: int, table_of: TableOf,
               first_rows: bool = True) -> str:
    """Counts, records judged and first-N rows of every row check (waived apart), in one scan.

    Per check the items are, in order: unwaived violations, records judged, first N unwaived
    rows; then, for a check with live waivers, waived violations, first N waived rows and one
    count per waiver.  :func:`read_fused` reads them back.  Without ``first_rows`` the rows item
    is only the first and last unwaived row (two cheap aggregates, where collecting N rows costs
    per violation): all of them when a check has at most two violations.  They are written as
    ``min(CASE WHEN … THEN __row END)``, not with FILTER: DuckDB evaluates a FILTER condition on
    its own (measured: the scan of 10M records took 17 s instead of 4.5 s), while the CASE
    shares the violation expression with ``count_if``.
    """
    items: list[exp.Expression] = [exp.Count(this=exp.Star())]
    n = max(samples, 1)
    for c in checks:
        # every item gets a tree of its own: the nodes are built here, not shared with the check
        items += [_count_if(c.unwaived), _count_if(c.applies.copy())]
        items.append(kinds_base.first_rows(c.unwaived, n, MAIN_ALIAS) if first_rows else
                     exp.Array(expressions=[exp.Min(this=_row_if(c.unwaived)), exp.Max(this=_row_if(c.unwaived))]))
        if c.waivers:
            items += [_count_if(c.waived_violation()), kinds_base.first_rows(c.waived_violation(), n, MAIN_ALIAS)]
            items += [_count_if(c.waived_violation(w)) for _w, w in c.waivers]
    # the select is this function's own, so neither building nor rendering it copies it again (the
    # generator copies by default because it may rewrite the tree; here nothing else holds it)
    scan = _from(exp.select(*items, copy=False), table_name, checks, table_of)
    return scan.sql(dialect=DIALECT, copy=False)


def read_fused(values: tuple[Any, ...], checks: list[RowCheck], samples: int | None = None) -> list[Answer]:
    out: list[Answer] = []
    i = 1
    for c in checks:
        rows = sorted({r for r in values[i + 2] or [] if r is not None})
        a = Answer(values[i], values[i + 1], rows[: samples if samples is not None else None])
        i += 3
        if c.waivers:
            a.waived = values[i]
            a.waived_rows = sorted(values[i + 1] or [])[: samples if samples is not None else None]
            a.per_waiver = {wid: values[i + 2 + k] for k, (wid, _) in enumerate(c.waivers)}
            i += 2 + len(c.waivers)
        out.append(a)
    return out


def _from(q: exp.Select, table_name: str, checks: list[RowCheck], table_of: TableOf) -> exp.Select:
    # q is this module's own fresh tree: copy=False, or every builder step deep-copies all of it
    q = q.from_(table(table_name).as_(MAIN_ALIAS), copy=False)
    seen: set[str] = set()
    for c in checks:
        for spec in c.joins:
            if spec.sql_alias not in seen:  # a join shared by several checks (see row_check) is made once
                seen.add(spec.sql_alias)
                q = q.join(table(table_of(spec.dataset)).as_(spec.sql_alias), on=spec.on.copy(), join_type="left",
                           copy=False)
    return q


def violations_rows(table_name: str, checks: list[RowCheck], table_of: TableOf,
                    columns: tuple[str, ...] | list[str] = ()) -> exp.Select:
    """Every unwaived violation of every row check as (__k check index, __row, *columns), in one scan."""
    flags = exp.Array(expressions=[exp.Case(ifs=[exp.If(this=c.unwaived, true=exp.Literal.number(i))])
                                   for i, c in enumerate(checks)])
    inner = _from(exp.select(row_column(), *[exp.column(c, table=MAIN_ALIAS, quoted=True) for c in columns],
                             exp.alias_(exp.Anonymous(this="list_distinct", expressions=[flags]), "__ks")),
                  table_name, checks, table_of)
    ks = exp.column("__ks")
    return (exp.select(exp.alias_(exp.Anonymous(this="unnest", expressions=[ks]), CHECK), exp.column(ROW),
                       *[exp.column(c, quoted=True) for c in columns])
            .from_(inner.subquery()).where(exp.GT(this=exp.Anonymous(this="array_length", expressions=[ks.copy()]),
                                                  expression=exp.Literal.number(0))))


def unique_groups(rule: CompiledRule, table_name: str) -> exp.Select:
    return unique.groups(table(table_name), MAIN_ALIAS, list(rule.unique), rule.where)


def unique_checked(rule: CompiledRule, table_name: str) -> exp.Select:
    return unique.checked(table(table_name), MAIN_ALIAS, list(rule.unique), rule.where)


def unique_members(rule: CompiledRule, table_name: str) -> exp.Select:
    return unique.members(table(table_name), MAIN_ALIAS, list(rule.unique), rule.where)


def aggregate_query(rule: CompiledRule, table_name: str, table_of: TableOf,
                    waivers: Waivers | None = None) -> exp.Select:
    """One line per group; a group is waived (__w) when every record of it meets a waiver."""
    kind = kinds.of(rule)
    assert isinstance(kind, AggregateKind), rule.kind
    return kind.grouped(rule, table_name, table_of, waivers)


def fanout_query(rule: CompiledRule, spec: join.JoinSpec, table_name: str, table_of: TableOf) -> exp.Select:
    return join.fanout_query(table(table_name), MAIN_ALIAS, table(table_of(spec.dataset)), spec)


def join_keys(spec: join.JoinSpec) -> list[tuple[str, str]] | None:
    return join.equi_keys(spec, MAIN_ALIAS)


def duplicate_keys_query(spec: join.JoinSpec, keys: list[str], table_of: TableOf) -> exp.Select:
    return join.duplicate_keys_query(table(table_of(spec.dataset)), keys)


def explain_sql(rule: CompiledRule) -> str:
    """The violation query of a rule, as `explain` shows it (tables named by dataset)."""
    return kinds.of(rule).query(rule, lambda ds: '"' + ds + '"').sql(dialect=DIALECT, pretty=True)
