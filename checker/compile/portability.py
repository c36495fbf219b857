"""Can the compiled rules run on Spark with the same meaning?  (`lint --engine spark`, `check --engine spark`)

Every rule expression and every schema ``pattern`` is put through the same rewrite the
Spark engine applies (:mod:`checker.engine.spark_sql`); what cannot be made to mean the
same on Spark is reported at the rule's (or the schema property's) line, before any
data is read.  PySpark is not needed for this.
"""

from __future__ import annotations

from checker.compile.rules import CompiledRule
from checker.compile.sqlfrag import PatternError, re2_pattern
from checker.engine.spark_sql import SparkUnsupported, java_regex, unsupported
from checker.model.dataset import DatasetSchema
from checker.problems import Problem, Span

HINT = "rewrite it with functions both engines share (see `checker explain --functions`), or run it on DuckDB"


def spark_problems(compiled: list[CompiledRule], schemas: dict[str, DatasetSchema]) -> list[Problem]:
    problems: list[Problem] = []
    for rule in compiled:
        pos = rule.text_source.positions
        at = lambda *key: pos.value(("rules", rule.index) + key)  # noqa: E731
        parts = [("where", rule.where, at("where")), ("expect", rule.expect, at("expect"))]
        parts += [(f"group_by[{i}]", g, at("group_by", i)) for i, g in enumerate(rule.group_by)]
        parts += [(f"join[{i}].on", s.on, at("join", i, "on")) for i, s in enumerate(rule.joins)]
        for key, node, span in parts:
            if node is None:
                continue
            why = unsupported(node)
            if why:
                problems.append(Problem(span, "X207", f"rule {rule.id}: {key}: cannot run on Spark: {why}", hint=HINT))
    for schema in schemas.values():
        for col in schema.columns.values():
            pattern = col.keywords.get("pattern")
            if pattern is None:
                continue
            try:
                java_regex(re2_pattern(pattern))
            except (SparkUnsupported, PatternError) as err:
                problems.append(Problem(col.span or Span(schema.path), "X207",
                                        f"{schema.name}.{col.name}: pattern cannot run on Spark: {err}",
                                        hint="simplify the pattern, or run it on DuckDB"))
    return problems
