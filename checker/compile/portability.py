"""Can the compiled rules run on Spark with the same meaning?  (`lint --engine spark`, `check --engine spark`)

Every rule expression and every schema ``pattern`` is put through the same rewrite the
Spark engine applies (:mod:`checker.engine.spark_sql`); what cannot be made to mean the
same on Spark is reported at the rule's (or the schema property's) line, before any
data is read.  PySpark is not needed for this.
"""

from __future__ import annotations

from sqlglot import exp

from checker import codes
from checker.compile.expr import annotated
from checker.compile.rules import MAIN_ALIAS, CompiledRule
from checker.compile.sqlfrag import PatternError, re2_pattern
from checker.engine.spark_sql import SparkUnsupported, java_regex, unsupported
from checker.i18n import Msg, _
from checker.model.dataset import DatasetSchema
from checker.problems import Problem, Span

HINT = _("rewrite it with functions both engines share (see `checker explain --functions`), or run it on DuckDB")


def spark_problems(compiled: list[CompiledRule], schemas: dict[str, DatasetSchema]) -> list[Problem]:
    problems: list[Problem] = []
    for rule in compiled:
        pos = rule.text_source.positions
        at = lambda *key: pos.value(("rules", rule.index) + key)  # noqa: E731
        parts = [("where", rule.where, at("where")), ("expect", rule.expect, at("expect"))]
        parts += [(f"group_by[{i}]", g, at("group_by", i)) for i, g in enumerate(rule.group_by)]
        parts += [(f"join[{i}].on", s.on, at("join", i, "on")) for i, s in enumerate(rule.joins)]
        tables = {MAIN_ALIAS: schemas[rule.dataset]} | {s.sql_alias: schemas[s.dataset] for s in rule.joins}
        for key, node, span in parts:
            if node is None:
                continue
            why = unsupported(node) or typed_difference(node, tables)
            if why:
                problems.append(Problem(span, codes.X207, _("rule {rule}: {what}: cannot run on Spark: {why}",
                                                        rule=rule.id, what=key, why=why), hint=HINT))
    for schema in schemas.values():
        for col in schema.columns.values():
            pattern = col.keywords.get("pattern")
            if pattern is None:
                continue
            try:
                java_regex(re2_pattern(pattern))
            except (SparkUnsupported, PatternError) as err:
                problems.append(Problem(col.span or Span(schema.path), codes.X207,
                                        _("{dataset}.{column}: pattern cannot run on Spark: {why}",
                                          dataset=schema.name, column=col.name, why=err.message),
                                        hint=_("simplify the pattern, or run it on DuckDB")))
    return problems


_TEMPORAL = {exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ}
_FLOATING = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}
_TEXT = {exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.JSON}


def _type(node: exp.Expression | None):
    return node.type.this if node is not None and node.type is not None else None


def _negative_or_zero(node: exp.Expression | None, zero: bool = True) -> bool:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return True
    return zero and isinstance(node, exp.Literal) and not node.is_string and float(node.this) == 0


def typed_difference(node: exp.Expression, tables: dict[str, DatasetSchema]) -> Msg | None:
    """What means something else on Spark for the types involved (the schema's column types), or None."""
    typed = annotated(node, tables, MAIN_ALIAS)
    if typed is None:  # typing is a best effort; the rewrite itself was checked above
        return None
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
