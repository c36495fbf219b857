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

from sqlglot import exp

from checker.compile.kinds import row


def query(table: exp.Expression, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """SELECT __row of every record in a duplicated group, plus a __checked flag count."""
    cols = [exp.column(c, table=alias, quoted=True) for c in columns]
    not_null = exp.and_(*[exp.Not(this=exp.Is(this=c.copy(), expression=exp.Null())) for c in cols])
    window = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[c.copy() for c in cols])
    inner = (exp.select(exp.column("__row", table=alias), exp.alias_(window, "__n"))
             .from_(table.as_(alias) if not isinstance(table, exp.Table) or not table.alias else table)
             .where(not_null if where is None else exp.and_(row.applies(where), not_null)))
    return exp.select("__row", "__n").from_(inner.subquery("u"))
