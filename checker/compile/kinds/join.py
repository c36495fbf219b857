"""Joins: ``join: [{dataset, as, on}]`` reads another dataset's columns as ``<as>.<col>``.

A join is a LEFT JOIN, so a record with no partner keeps its own columns and sees
NULLs.  In a row rule every join must be many-to-one: each record meets at most one
record of the joined dataset.  This is checked on the data before the rule runs;
if a record meets several, the rule's status is ``error`` with the count and an
example row, and the rest of the run goes on.  One-to-many questions are aggregate
rules.

PASS::

    - id: BUD-002
      dataset: budget.expenses
      join: [{dataset: budget.lines, as: line, on: "line.line_id = budget_line_id"}]
      expect: line.line_id IS NOT NULL

FAIL (alias not declared)::

    expect: lines.amount >= amount   # R114 unknown table or alias 'lines'; did you mean 'line'?
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from checker.compile.kinds.base import row_column


@dataclass(frozen=True)
class JoinSpec:
    alias: str                 # as the rule author wrote it
    sql_alias: str             # unique within a query
    dataset: str
    on: exp.Expression         # compiled, columns qualified


def fanout_query(table: exp.Expression, alias: str, join_table: exp.Expression, spec: JoinSpec) -> exp.Select:
    """Records that meet more than one record of the joined dataset: count and first row."""
    pairs = (exp.select(row_column(alias)).from_(table.as_(alias))
             .join(join_table.as_(spec.sql_alias), on=spec.on.copy(), join_type="inner")
             .group_by(row_column(alias))
             .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))))
    return exp.select(exp.Count(this=exp.Star()), exp.Min(this=row_column(None))).from_(pairs.subquery("f"))


def equi_keys(spec: JoinSpec, alias: str) -> list[tuple[str, str]] | None:
    """``on`` as (joined column, main column) pairs when it is only ``AND``-ed column equalities, else None.

    Then a record can meet two joined records only if two joined records share a key, which a
    GROUP BY on the (small) joined side tells without joining anything.
    """
    pairs = []
    for part in spec.on.flatten() if isinstance(spec.on, exp.And) else [spec.on]:
        if not isinstance(part, exp.EQ):
            return None
        sides = [part.this, part.expression]
        if not all(isinstance(s, exp.Column) and s.table for s in sides):
            return None
        by_table = {s.table: s.name for s in sides}
        if set(by_table) != {spec.sql_alias, alias}:
            return None
        pairs.append((by_table[spec.sql_alias], by_table[alias]))
    return pairs


def duplicate_keys_query(join_table: exp.Expression, keys: list[str]) -> exp.Select:
    """How many key values occur more than once on the joined side (NULL keys never match)."""
    cols = [exp.column(k) for k in keys]
    dupes = (exp.select(*cols).from_(join_table)
             .where(exp.and_(*[exp.Not(this=exp.Is(this=c.copy(), expression=exp.Null())) for c in cols]))
             .group_by(*[c.copy() for c in cols])
             .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))))
    return exp.select(exp.Count(this=exp.Star())).from_(dupes.subquery("d"))
