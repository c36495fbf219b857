"""Aggregate rule: ``group_by`` expressions plus an ``expect`` using aggregate functions.

Records (that ``where`` selects) are grouped; every group whose ``expect`` is not TRUE
is one violation, cited by its group key (the values of the ``group_by``
expressions) instead of a row.  ``checked`` counts groups.  Joins in an aggregate
rule may be one-to-many.

PASS::

    - id: APR-003
      dataset: appraisal.kpis
      group_by: [employee_id, period]
      expect: sum(weight) = 100

FAIL (aggregate in group_by)::

    group_by: [sum(weight)]     # X204
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from checker import codes
from checker.compile.expr import has_aggregate
from checker.compile.kinds.base import (
    DIALECT,
    FIRST,
    GROUP,
    MAIN_ALIAS,
    OK,
    RECORDS,
    ROW,
    WAIVED,
    CompileTools,
    Evaluation,
    Found,
    GroupHit,
    Parts,
    QueryKind,
    Runner,
    TableOf,
    Waivers,
    add_joins,
    applies,
    flag,
    table,
)
from checker.i18n import _
from checker.model.ruleset import Rule

if TYPE_CHECKING:
    from checker.compile.rules import CompiledRule


def query(source: exp.Select, group_by: list[exp.Expression], expect: exp.Expression,
          where: exp.Expression | None, alias: str) -> exp.Select:
    """One line per group: __g0.. (group key), __ok, __n (records), __first (first row)."""
    items = [exp.alias_(g.copy(), f"{GROUP}{i}") for i, g in enumerate(group_by)]
    items += [exp.alias_(flag(expect), OK),
              exp.alias_(exp.Count(this=exp.Star()), RECORDS),
              exp.alias_(exp.Min(this=exp.column(ROW, table=alias)), FIRST)]
    q = source.select(*items, append=False)
    if where is not None:
        q = q.where(applies(where))
    return q.group_by(*[g.copy() for g in group_by])


def _col(name: str) -> exp.Column:
    return exp.column(name)


class AggregateKind(QueryKind):
    name = "aggregate"
    aggregates = True
    message_names = frozenset({"group", "records"})

    def compile(self, rule: Rule, tools: CompileTools) -> Parts:
        expect = tools.expression(rule.expect, ("expect",), aggregates=True)
        group_by = [tools.expression(text, ("group_by", g)) for g, text in enumerate(rule.group_by or [])]
        if expect is not None and not has_aggregate(expect):
            tools.problem(("expect",), codes.X204, _("rule {rule}: an aggregate rule's expect uses no "
                                                     "aggregate function", rule=tools.rule_id),
                          hint=_("e.g. sum(weight) = 100, or drop group_by for a row rule"))
        return Parts(expect=expect, group_by=tuple(g for g in group_by if g is not None))

    def explain_lines(self, rule: Rule) -> list[tuple[str, str]]:
        return super().explain_lines(rule) + [("group_by", ", ".join(rule.group_by or []))]

    def texts(self, rule: Rule) -> list[str]:
        return super().texts(rule) + list(rule.group_by or [])

    def groups(self, rule: CompiledRule) -> dict[str, exp.Expression]:
        return dict(zip(rule.group_names(), rule.group_by, strict=True))  # one name per group_by

    def message_variables(self, groups: tuple[tuple[str, bool], ...]) -> dict[str, bool]:
        return dict(groups) | {"records": False, "group": any(pii for _n, pii in groups)}

    def grouped(self, rule: CompiledRule, table_name: str, table_of: TableOf,
                waivers: Waivers | None = None) -> exp.Select:
        """One line per group; a group is waived (__w) when every record of it meets a waiver."""
        source = add_joins(exp.select("1").from_(table(table_name).as_(MAIN_ALIAS)), rule.joins, table_of)
        assert rule.expect is not None
        q = query(source, list(rule.group_by), rule.expect, rule.where, MAIN_ALIAS)
        each = [exp.func("bool_and", flag(w)) for _w, w in waivers or []]
        q = q.select(exp.alias_(exp.or_(*each) if each else exp.false(), WAIVED))
        return q.select(*[exp.alias_(node.copy(), f"{WAIVED}{i}") for i, node in enumerate(each)])

    def query(self, rule: CompiledRule, table_of: TableOf) -> exp.Select:
        return exp.select("*").from_(self.grouped(rule, table_of(rule.dataset), table_of).subquery("g")).where(
            f"NOT {OK}")

    def example_violations(self, engine: Runner, rule: CompiledRule, table_of: TableOf) -> int:
        q = self.grouped(rule, table_of(rule.dataset), table_of)
        count = exp.func("coalesce", exp.CountIf(this=exp.not_(_col(OK))), exp.Literal.number(0))
        return int(engine.fetchall(exp.select(count).from_(q.subquery()).sql(dialect=DIALECT))[0][0])

    def evaluate(self, rule: CompiledRule, table_name: str, table_of: TableOf, waivers: Waivers,
                 ev: Evaluation) -> Found:
        failed = exp.not_(_col(OK))
        with ev.kept(self.grouped(rule, table_name, table_of, waivers)) as kept:  # every group, computed once
            counts = exp.select(exp.CountIf(this=exp.and_(failed.copy(), exp.not_(_col(WAIVED)))),
                                exp.CountIf(this=exp.and_(failed.copy(), _col(WAIVED))), exp.Count(this=exp.Star()),
                                *[exp.CountIf(this=exp.and_(failed.copy(), _col(f"{WAIVED}{i}")))
                                  for i in range(len(waivers))])
            violations, waived, checked, *matches = ev.fetchall(counts.from_(kept.copy()))[0]
            hits = self._failing(rule, waivers, ev, kept) if violations or waived else []
        return Found(int(checked), int(violations or 0), int(waived or 0),
                     {w: m for (w, _c), m in zip(waivers, matches, strict=True)}, groups=hits)  # one per waiver

    def _failing(self, rule: CompiledRule, waivers: Waivers, ev: Evaluation, kept: exp.Table) -> list[GroupHit]:
        """Every failing group, first record first, with the waiver that covers it."""
        keys = [_col(f"{GROUP}{i}") for i in range(len(rule.group_by))]
        q = (exp.select(*keys, _col(RECORDS), ev.key_text([k.copy() for k in keys]), _col(WAIVED),
                        *[_col(f"{WAIVED}{i}") for i in range(len(waivers))])
             .from_(kept.copy()).where(exp.not_(_col(OK))).order_by(_col(FIRST)))
        n = len(keys)
        out = []
        for values in ev.fetchall(q):
            which = next((w for (w, _c), hit in zip(waivers, values[n + 3:], strict=True) if hit), None)
            out.append(GroupHit(tuple(values[:n]), values[n], values[n + 1], which if values[n + 2] else None))
        return out
