"""`checker explain RULE_ID`: the rule, its clauses and versions, and its SQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from checker import codes
from checker.compile import kinds
from checker.compile.expr import function_names
from checker.compile.plan import explain_sql
from checker.compile.rules import CompiledRule, compile_rules
from checker.engine.api import Engine
from checker.engine.registry import DEFAULT as DEFAULT_ENGINE
from checker.engine.registry import ENGINES
from checker.i18n import _, render, tr
from checker.load.project import load_project
from checker.model.dataset import DatasetSchema
from checker.model.dialect import applies
from checker.portability import engine_problems
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.sql.text import DIALECT


def explain(rule_id: str, rule_paths: list[Path], schemas_dir: Path | None, as_of: dt.date,
            engine: str = DEFAULT_ENGINE) -> str:
    project = load_project(rule_paths, schemas_dir)
    schemas, raw, rulesets = project.schemas, project.raw, project.rulesets
    disabled = [(rs, rs.model.disable[rule_id]) for rs in raw if rule_id in rs.model.disable]
    versions = [(rs, rule) for rs in rulesets for rule in rs.model.rules if rule.id == rule_id]
    if not versions and disabled:  # switched off everywhere it is inherited: show it where it is written
        rulesets = [rs for rs in raw if any(r.id == rule_id for r in rs.model.rules)]
        versions = [(rs, rule) for rs in rulesets for rule in rs.model.rules if rule.id == rule_id]
    if not versions:
        ids = {rule.id for rs in rulesets for rule in rs.model.rules}
        raise CheckerError([Problem(Span("explain"), codes.R104, _("no rule with id '{rule}'", rule=rule_id),
                                    hint=did_you_mean(rule_id, ids) or _("see `checker lint` for the loaded rules"))])
    versions.sort(key=lambda v: v[0].model.version_tuple)
    live = [v for v in versions if v[0].model.effective.covers(as_of)]
    rs, rule = (live or versions)[-1]
    compiled, problems = compile_rules([rs], schemas, as_of)
    if problems:
        raise CheckerError(problems)
    c = next(r for r in compiled if r.id == rule_id)
    lines = [f"{rule.id}  [{rule.severity.value}] "
             + tr("{kind} rule on {dataset}", kind=rule.kind, dataset=rule.dataset),
             f"  zh: {rule.title.zh}", f"  en: {rule.title.en}",
             "  " + tr("clauses: {ids}", ids=", ".join(rule.clauses)),
             "  " + tr("ruleset: {ruleset} {version} ({path})", ruleset=rs.model.ruleset, version=rs.model.version,
                     path=str(rs.path))]
    if rule_id in rs.inherited:
        parent, _origin = rs.inherited[rule_id]
        lines.append("  " + tr("inherited from: {ruleset} {version} ({span}), through extends: [{extends}]",
                                ruleset=parent.model.ruleset, version=parent.model.version, span=str(c.span),
                                extends=", ".join(rs.model.extends)))
    else:
        lines.append("  " + tr("defined at: {span}", span=str(c.span)))
    for drs, reason in disabled:
        lines.append("  " + tr("disabled in: {ruleset} {version} ({path}): {reason}", ruleset=drs.model.ruleset,
                                version=drs.model.version, path=str(drs.path), reason=reason))
    lines.append("  " + tr("versions:"))
    for vrs, _vrule in versions:
        eff = vrs.model.effective
        mark = "  " + tr("<- shown") if vrs is rs else ""
        lines.append(f"    {vrs.model.version}  " + tr("in force {start} .. {end}", start=str(eff.from_),
                                                          end=str(eff.to or tr("open")))
                     + f"  {vrs.path}{mark}")
    if rule.where:
        lines.append(f"  where:  {rule.where}")
    kind = kinds.of(rule)
    lines += [f"  {key}: {text}" for key, text in kind.explain_lines(rule)]
    for j in rule.join or []:
        lines.append(f"  join:   {j.dataset} AS {j.as_} ON {j.on}")
    used = {k: v for k, v in rs.model.params.items() if f":{k}" in " ".join(
        filter(None, [rule.where, *kind.texts(rule), *[j.on for j in rule.join or []]]))}
    if used:
        lines.append("  params: " + ", ".join(f"{k}={v}" for k, v in used.items()) + f" (as_of={as_of})")
        for k in used:
            if k in rs.param_origin:
                lines.append("    " + tr("{param} from {origin}", param=k, origin=str(rs.param_origin[k])))
    lines += _dialect_lines([rule.dataset, *[j.dataset for j in rule.join or []]], schemas)
    lines.append("  sql:")
    lines += ["    " + line for line in explain_sql(c).splitlines()]
    lines += _as_run(ENGINES[engine], c, schemas)
    return "\n".join(lines)


def _dialect_lines(datasets: list[str], schemas: dict[str, DatasetSchema]) -> list[str]:
    """How each column the rule's datasets hold is read where its schema declares an export dialect."""
    lines: list[str] = []
    for name in dict.fromkeys(datasets):
        schema = schemas.get(name)
        if schema is None:
            continue
        read = [(col.name, {k: v for k, v in col.dialect.shown().items() if applies(k, col.sql_type)})
                for col in schema.columns.values() if not col.dialect.is_default]
        read = [(column, keys) for column, keys in read if keys]
        if not read:
            continue
        lines.append("  " + tr("export dialect of {dataset} (a datasets.yaml entry's dialect is read over it):",
                               dataset=name))
        for column, keys in read:
            shown = "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in keys.items())
            lines.append(f"    {column}: {shown}")
    return lines


def _as_run(engine: type[Engine], rule: CompiledRule, schemas: dict[str, DatasetSchema]) -> list[str]:
    """The rule's SQL as another engine runs it, or why that engine refuses it (nothing for DuckDB's own)."""
    if engine.dialect == DIALECT:
        return []
    refused = engine_problems(engine, [rule], schemas)
    if refused:
        return ["  " + tr("{engine}: refused", engine=engine.label)] + ["    " + p.render() for p in refused]
    lines = ["  " + tr("sql as {engine} runs it:", engine=engine.label)]
    try:
        text = engine.as_run(explain_sql(rule))
    except ValueError as err:    # a construct the engine rewrites only inside the checker's own plans
        return lines + ["    " + tr("(not shown: {why})", why=str(render(getattr(err, "message", str(err)))))]
    return lines + ["    " + line for line in text.splitlines()]


def functions_text() -> str:
    scalar, aggregate = function_names()
    return tr("Scalar functions:\n  {scalar}\nAggregate functions (aggregate rules only):\n  {aggregate}\n"
              "Also: CASE, CAST/TRY_CAST, IN, BETWEEN, LIKE/ILIKE, IS [NOT] NULL, "
              "IS [NOT] DISTINCT FROM, INTERVAL, ||, arithmetic and comparisons.\nRefused: subqueries, table "
              "functions, window functions, several statements, file/setting/environment access, clock functions "
              "(use :as_of).", scalar=", ".join(scalar), aggregate=", ".join(aggregate))
