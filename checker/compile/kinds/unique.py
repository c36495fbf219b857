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


def _filter(alias: str, columns: list[str], where: exp.Expression | None) -> exp.Expression:
    cols = [exp.column(c, table=alias, quoted=True) for c in columns]
    not_null = exp.and_(*[exp.Not(this=exp.Is(this=c, expression=exp.Null())) for c in cols])
    return not_null if where is None else exp.and_(row.applies(where), not_null)


def groups(table: exp.Table, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """One line per distinct value combination: the columns and __n, its number of records."""
    cols = [exp.column(c, table=alias, quoted=True) for c in columns]
    return (exp.select(*[exp.alias_(c, c.name, quoted=True) for c in cols],
                       exp.alias_(exp.Count(this=exp.Star()), "__n"))
            .from_(table.as_(alias)).where(_filter(alias, columns, where)).group_by(*[c.copy() for c in cols]))


def checked(table: exp.Table, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """How many records are compared: those ``where`` selects with no NULL in the columns (the groups' sizes summed)."""
    return exp.select(exp.Count(this=exp.Star())).from_(table.as_(alias)).where(_filter(alias, columns, where))


def members(table: exp.Table, alias: str, columns: list[str], where: exp.Expression | None) -> exp.Select:
    """__row of every record in a duplicated group, in row order."""
    dup = groups(table.copy(), alias, columns, where).having(
        exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
    on = exp.and_(*[exp.EQ(this=exp.column(c, table=alias, quoted=True), expression=exp.column(c, table="d", quoted=True))
                    for c in columns])
    return (exp.select(exp.column("__row", table=alias)).from_(table.copy().as_(alias))
            .join(dup.subquery("d"), on=on, join_type="semi")
            .where(_filter(alias, columns, where)).order_by(exp.column("__row", table=alias)))
