"""Row rule: every record (that ``where`` selects) must satisfy ``expect``.

``expect`` is a SQL boolean over one record; NULL counts as a failure, so a missing
value fails the rule unless the expression handles it (``coalesce``, ``IS NULL``).
All row rules of a dataset run in the same scan as its structural checks.

PASS::

    - id: CS-001
      dataset: crm.complaints
      where: severity = 'high'
      expect: first_response_at <= created_at + to_hours(:high_response_hours)

FAIL (aggregate in a row rule)::

    expect: count(*) > 1        # X204: use group_by for aggregates
"""

from __future__ import annotations

from sqlglot import exp


def violation(where: exp.Expression | None, expect: exp.Expression) -> exp.Expression:
    """TRUE for a record the rule applies to and that does not satisfy it."""
    failed = exp.not_(exp.func("coalesce", exp.paren(expect.copy()), exp.false()))
    return failed if where is None else exp.and_(applies(where), failed)


def applies(where: exp.Expression | None) -> exp.Expression:
    """TRUE for a record the rule judges (``where`` is TRUE, NULL counts as not selected)."""
    if where is None:
        return exp.true()
    return exp.func("coalesce", exp.paren(where.copy()), exp.false())
