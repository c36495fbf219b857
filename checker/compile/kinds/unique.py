"""Uniqueness rule: no two records (that ``where`` selects) share the ``unique`` columns.

Every record of a duplicated group is a violation, cited by its own row and key.
Records with a NULL in any of the columns are not compared (as in a SQL UNIQUE
constraint); add a ``required`` or ``type`` check in the schema to forbid NULLs.

PASS::

    - id: CRM-010
      dataset: crm.customers
      unique: [customer_id]

FAIL (unknown column)::

    unique: [custmer_id]        # R112 unknown column; did you mean 'customer_id'?
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from checker import codes
from checker.compile.kinds.base import (
    CHECK,
    DIALECT,
    MAIN_ALIAS,
    ROW,
    WAIVED,
    CompileTools,
    Evaluation,
    Found,
    Parts,
    QueryKind,
    Runner,
    TableOf,
    Waivers,
    applies,
    first_rows,
    flag,
    row_column,
    table,
)
from checker.i18n import _
from checker.model.ruleset import Rule
from checker.problems import did_you_mean
from checker.sql.text import as_expression

if TYPE_CHECKING:
    from checker.compile.rules import CompiledRule


def _filter(alias: str, columns: list[str], where: exp.Expression | None) -> exp.Expression:
    cols = [exp.column(c, table=alias, quoted=True) for c in columns]
    not_null = exp.and_(*[exp.Not(this=exp.Is(this=c, expression=exp.Null())) for c in cols])
    return as_expression(not_null if where is None else exp.and_(applies(where), not_null))


def _more_than_one() -> exp.Expression:
    return exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))


def groups(source: exp.Table, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """One line per distinct value combination: the columns and __n, its number of records."""
    cols = [exp.column(c, table=alias, quoted=True) for c in columns]
    return (exp.select(*[exp.alias_(c, c.name, quoted=True) for c in cols],
                       exp.alias_(exp.Count(this=exp.Star()), "__n"))
            .from_(source.as_(alias)).where(_filter(alias, columns, where)).group_by(*[c.copy() for c in cols]))


def checked(source: exp.Table, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """How many records are compared: those ``where`` selects with no NULL in the columns (the groups' sizes summed)."""
    return exp.select(exp.Count(this=exp.Star())).from_(source.as_(alias)).where(_filter(alias, columns, where))


def members(source: exp.Table, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """__row of every record in a duplicated group, in row order."""
    dup = groups(source.copy(), alias, columns, where).having(_more_than_one())
    on = exp.and_(*[exp.EQ(this=exp.column(c, table=alias, quoted=True),
                           expression=exp.column(c, table="d", quoted=True)) for c in columns])
    return (exp.select(row_column(alias)).from_(source.copy().as_(alias))
            .join(dup.subquery("d"), on=on, join_type="semi")
            .where(_filter(alias, columns, where)).order_by(row_column(alias)))


class UniqueKind(QueryKind):
    name = "unique"

    def compile(self, rule: Rule, tools: CompileTools) -> Parts:
        for u, name in enumerate(rule.unique or []):
            if name not in tools.columns:
                tools.problem(("unique", u), codes.R112,
                              _("rule {rule}: unknown column '{column}' in unique (dataset {dataset})",
                                rule=tools.rule_id, column=name, dataset=tools.dataset),
                              hint=did_you_mean(name, tools.columns))
        return Parts(unique=tuple(rule.unique or ()))

    def main_key(self, rule: Rule) -> str:
        return "unique"

    def explain_lines(self, rule: Rule) -> list[tuple[str, str]]:
        return [("unique", ", ".join(rule.unique or []))]

    def texts(self, rule: Rule) -> list[str]:
        return []

    def _args(self, rule: CompiledRule, table_name: str) -> tuple[exp.Table, str, list[str], exp.Expression | None]:
        return table(table_name), MAIN_ALIAS, list(rule.unique), rule.where

    def query(self, rule: CompiledRule, table_of: TableOf) -> exp.Select:
        return members(*self._args(rule, table_of(rule.dataset)))

    def example_violations(self, engine: Runner, rule: CompiledRule, table_of: TableOf) -> int:
        g = groups(*self._args(rule, table_of(rule.dataset)))
        total = exp.func("coalesce", exp.Filter(this=exp.Sum(this=exp.column("__n")), expression=exp.Where(
            this=exp.GT(this=exp.column("__n"), expression=exp.Literal.number(1)))), exp.Literal.number(0))
        return int(engine.fetchall(exp.select(total).from_(g.subquery()).sql(dialect=DIALECT))[0][0])

    def evaluate(self, rule: CompiledRule, table_name: str, table_of: TableOf, waivers: Waivers,
                 ev: Evaluation) -> Found:
        args = self._args(rule, table_name)
        waived = exp.or_(*[flag(c) for _w, c in waivers]) if waivers else exp.false()
        flagged = members(*args).select(exp.alias_(exp.paren(waived), WAIVED), *[
            exp.alias_(flag(c), f"{WAIVED}{i}") for i, (_w, c) in enumerate(waivers)])
        (n_checked,) = ev.fetchall(checked(*args))[0]
        not_waived = exp.not_(exp.column(WAIVED))
        with ev.kept(flagged) as kept:  # the duplicated groups' records, found once
            counts = exp.select(exp.CountIf(this=not_waived), exp.CountIf(this=exp.column(WAIVED)),
                                first_rows(not_waived.copy(), ev.samples), first_rows(exp.column(WAIVED), ev.samples),
                                *[exp.CountIf(this=exp.column(f"{WAIVED}{i}")) for i in range(len(waivers))])
            violations, n_waived, rows, wrows, *matches = ev.fetchall(counts.from_(kept.copy()))[0]
            ev.list_violations(exp.select(exp.alias_(exp.Literal.number(0), CHECK), exp.column(ROW))
                               .from_(kept.copy()).where(not_waived.copy()))
        return Found(int(n_checked), int(violations or 0), int(n_waived or 0),
                     {w: m for (w, _c), m in zip(waivers, matches, strict=True)},  # one count per waiver
                     sorted(rows or [])[: ev.samples], sorted(wrows or [])[: ev.samples])
