"""What Spark computes differently for the types involved, where its SQL is the same text.

The rewrite (:mod:`checker.engine.spark_sql`) makes each construct mean the same; some mean the
same only for some types (``%`` on doubles, ``median`` of dates).  These are told apart on the
expression's typed tree (types from the dataset schema), before any data is read.
"""

from __future__ import annotations

from sqlglot import exp

from checker.i18n import Msg, _

_TEMPORAL = {exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ}
_FLOATING = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}
_TEXT = {exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.JSON}


def _type(node: exp.Expression | None) -> exp.DType | None:     # DType: what DataType.Type names
    return node.type.this if node is not None and node.type is not None else None


def _negative_or_zero(node: exp.Expression | None, zero: bool = True) -> bool:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return True
    return zero and isinstance(node, exp.Literal) and not node.is_string and float(node.this) == 0


def typed_difference(typed: exp.Expression) -> Msg | None:
    """What means something else on Spark for the types of this typed expression, or None."""
    for sub in typed.walk():
        if isinstance(sub, (exp.Median, exp.Quantile, exp.PercentileCont)) and _type(sub.this) in _TEMPORAL | _TEXT:
            return _("median() of dates, times or text does not run on Spark")
        if isinstance(sub, (exp.Mod, exp.IntDiv)) and {_type(sub.this), _type(sub.expression)} & _FLOATING:
            return _("// and % on DOUBLE values differ between DuckDB and Spark; CAST to a DECIMAL or BIGINT first")
        if isinstance(sub, exp.Substring) and (_negative_or_zero(sub.args.get("start"))
                                               or _negative_or_zero(sub.args.get("length"), zero=False)):
            return _("substr() from position 0, or with a negative position or length, differs on Spark")
        if isinstance(sub, (exp.Left, exp.Right)) and _negative_or_zero(sub.expression, zero=False):
            return _("left()/right() with a negative length differ on Spark")
    return None
