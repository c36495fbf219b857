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

from sqlglot import exp

from checker.compile.kinds import row


def query(source: exp.Select, group_by: list[exp.Expression], expect: exp.Expression,
          where: exp.Expression | None, alias: str) -> exp.Select:
    """One line per group: __g0.. (group key), __ok, __n (records), __first (first row)."""
    items = [exp.alias_(g.copy(), f"__g{i}") for i, g in enumerate(group_by)]
    items += [exp.alias_(exp.func("coalesce", exp.paren(expect.copy()), exp.false()), "__ok"),
              exp.alias_(exp.Count(this=exp.Star()), "__n"),
              exp.alias_(exp.Min(this=exp.column("__row", table=alias)), "__first")]
    q = source.select(*items, append=False)
    if where is not None:
        q = q.where(row.applies(where))
    return q.group_by(*[g.copy() for g in group_by])
