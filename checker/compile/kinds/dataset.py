"""Dataset rule: an ``expect`` using aggregate functions, and no ``group_by``.

The dataset is judged as a whole, once per run, even when the export has no records: a volume or
freshness rule (``count(*) >= 1``, ``max(created_at) >= :as_of - INTERVAL 31 DAY``) fails on an
empty export instead of passing for want of groups.  NULL fails (``max`` of no records is NULL).
``checked`` is 1; the one violation's sample has no row and no key.  ``where`` filters the records
before they are counted.  The version of the ruleset in force on ``--as-of`` judges it (a dataset has
no record date).  Examples are cases: lists of records, ``[]`` an empty export.

PASS::

    - id: CS-020
      dataset: crm.complaints
      expect: count(*) >= 1 AND max(created_at) >= :as_of - INTERVAL 31 DAY

FAIL (a column outside an aggregate: whose value would it be?)::

    expect: count(*) >= 1 AND severity = 'high'     # X204
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from checker import codes
from checker.compile.expr import has_aggregate
from checker.compile.kinds.aggregate import AggregateKind
from checker.compile.kinds.base import CompileTools, Parts
from checker.i18n import _, tr
from checker.model.ruleset import Rule
from checker.sql.text import DIALECT, as_expression


@functools.lru_cache(maxsize=4096)
def uses_aggregate(text: str) -> bool:
    """Whether an ``expect`` text calls an aggregate function (text that does not parse: no; the row kind
    then reports where it stops parsing)."""
    try:
        tree = sqlglot.parse_one(text, read=DIALECT)
    except (ParseError, TokenError, ValueError, RecursionError):   # too deep: the row kind refuses it, positioned
        return False
    return tree is not None and has_aggregate(as_expression(tree))


def _bare_columns(node: exp.Expression) -> list[str]:
    """Columns read outside any aggregate function: no single value in a whole-dataset verdict."""
    out: list[str] = []

    def walk(n: exp.Expression, inside: bool) -> None:
        here = inside or isinstance(n, exp.AggFunc) or (isinstance(n, exp.Anonymous) and has_aggregate(n))
        if isinstance(n, exp.Column) and not here:
            out.append(n.sql(dialect=DIALECT))
        for child in n.iter_expressions():
            walk(child, here)

    walk(node, False)
    return out


class DatasetKind(AggregateKind):
    name = "dataset"
    message_names = frozenset({"records"})

    def compile(self, rule: Rule, tools: CompileTools) -> Parts:
        expect = tools.expression(rule.expect, ("expect",), aggregates=True)
        if expect is not None:
            bare = _bare_columns(expect)
            if bare:
                tools.problem(("expect",), codes.X204,
                              _("rule {rule}: {column} is read outside an aggregate function in a dataset rule, "
                                "which judges all records at once", rule=tools.rule_id, column=bare[0]),
                              hint=_("wrap it in an aggregate (max({column}), bool_and(...)), or add group_by",
                                     column=bare[0]))
        return Parts(expect=expect, group_by=())

    def explain_lines(self, rule: Rule) -> list[tuple[str, str]]:
        return [("expect", rule.expect or ""), ("judges", tr("the dataset as a whole, once (no group_by)"))]

    def texts(self, rule: Rule) -> list[str]:
        return [rule.expect or ""]

    def groups(self, rule):  # type: ignore[no-untyped-def]
        return {}

    def message_variables(self, groups: tuple[tuple[str, bool], ...]) -> dict[str, bool]:
        return {"records": False}
