"""Can the compiled rules run on the chosen engine with the same meaning?  (`lint --engine`, `check --engine`)

Every rule expression, waiver condition and schema ``pattern`` is put to the engine's own test
(:meth:`checker.engine.api.Engine.cannot_run`, ``cannot_match``); what cannot be made to mean
the same there is reported at the rule's (or the waiver's, or the schema property's) line,
under the engine's refusal code, before any data is read.  The engine's library is not needed.
"""

from __future__ import annotations

from sqlglot import exp

from checker.compile.expr import annotated
from checker.compile.rules import MAIN_ALIAS, CompiledRule
from checker.engine.api import Engine
from checker.i18n import _
from checker.model.dataset import DatasetSchema
from checker.problems import Problem, Span
from checker.sql.regex import PatternError, re2_pattern
from checker.waivers import Waiver

HINT = _("rewrite it with functions both engines share (see `checker explain --functions`), or run it on DuckDB")


def engine_problems(engine: type[Engine], compiled: list[CompiledRule], schemas: dict[str, DatasetSchema],
                    waivers: list[Waiver] | None = None) -> list[Problem]:
    """What the engine cannot run with the same meaning: rule parts, waiver conditions, schema patterns."""
    code = engine.refusal
    if code is None:
        return []
    problems = [p for rule in compiled for p in _rule_problems(engine, rule, schemas)]
    for w in waivers or []:
        if w.condition is not None and (why := engine.cannot_run(w.condition, None)):
            problems.append(Problem(w.span, code, _("waiver {waiver}: cannot run on {engine}: {reason}",
                                                    waiver=w.id, engine=engine.label, reason=why)))
    for schema in schemas.values():
        for col in schema.columns.values():
            pattern = col.keywords.get("pattern")
            if pattern is None:
                continue
            try:
                why = engine.cannot_match(re2_pattern(pattern))
            except PatternError as err:
                why = err.message
            if why:
                problems.append(Problem(col.span or Span(schema.path), code,
                                        _("{dataset}.{column}: pattern cannot run on {engine}: {why}",
                                          dataset=schema.name, column=col.name, engine=engine.label, why=why),
                                        hint=_("simplify the pattern, or run it on DuckDB")))
    return problems


def _rule_problems(engine: type[Engine], rule: CompiledRule, schemas: dict[str, DatasetSchema]) -> list[Problem]:
    pos = rule.text_source.positions

    def at(*key: str | int) -> Span:
        return pos.value(("rules", rule.index, *key))

    parts: list[tuple[str, exp.Expression | None, Span]] = [("where", rule.where, at("where")),
                                                             ("expect", rule.expect, at("expect"))]
    parts += [(f"group_by[{i}]", g, at("group_by", i)) for i, g in enumerate(rule.group_by)]
    parts += [(f"join[{i}].on", s.on, at("join", i, "on")) for i, s in enumerate(rule.joins)]
    tables = {MAIN_ALIAS: schemas[rule.dataset]} | {s.sql_alias: schemas[s.dataset] for s in rule.joins}
    out = []
    for key, node, span in parts:
        if node is None:
            continue
        why = engine.cannot_run(node, annotated(node, tables, MAIN_ALIAS))
        if why and engine.refusal is not None:
            out.append(Problem(span, engine.refusal, _("rule {rule}: {what}: cannot run on {engine}: {why}",
                                                       rule=rule.id, what=key, engine=engine.label, why=why),
                               hint=HINT))
    return out
