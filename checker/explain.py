"""`checker explain RULE_ID`: the rule, its clauses and versions, and its SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checker.compile import expr as X
from checker.compile import plan as P
from checker.compile.rules import compile_rules
from checker.load.project import load_project
from checker.problems import CheckerError, Problem, Span, did_you_mean


def explain(rule_id: str, rule_paths: list[Path], schemas_dir: Path | None, as_of: dt.date) -> str:
    project = load_project(rule_paths, schemas_dir)
    schemas, raw, rulesets = project.schemas, project.raw, project.rulesets
    disabled = [(rs, rs.model.disable[rule_id]) for rs in raw if rule_id in rs.model.disable]
    versions = [(rs, rule) for rs in rulesets for rule in rs.model.rules if rule.id == rule_id]
    if not versions and disabled:  # switched off everywhere it is inherited: show it where it is written
        rulesets = [rs for rs in raw if any(r.id == rule_id for r in rs.model.rules)]
        versions = [(rs, rule) for rs in rulesets for rule in rs.model.rules if rule.id == rule_id]
    if not versions:
        ids = {rule.id for rs in rulesets for rule in rs.model.rules}
        raise CheckerError([Problem(Span("explain"), "R104", f"no rule with id '{rule_id}'",
                                    hint=did_you_mean(rule_id, ids) or "see `checker lint` for the loaded rules")])
    versions.sort(key=lambda v: v[0].model.version_tuple)
    live = [v for v in versions if v[0].model.effective.covers(as_of)]
    rs, rule = (live or versions)[-1]
    compiled, problems = compile_rules([rs], schemas, as_of)
    if problems:
        raise CheckerError(problems)
    c = next(r for r in compiled if r.id == rule_id)
    lines = [f"{rule.id}  [{rule.severity.value}] {rule.kind} rule on {rule.dataset}",
             f"  zh: {rule.title.zh}", f"  en: {rule.title.en}",
             f"  clauses: {', '.join(rule.clauses)}",
             f"  ruleset: {rs.model.ruleset} {rs.model.version} ({rs.path})"]
    if rule_id in rs.inherited:
        parent, _ = rs.inherited[rule_id]
        lines.append(f"  inherited from: {parent.model.ruleset} {parent.model.version} ({c.span}), "
                     f"through extends: [{', '.join(rs.model.extends)}]")
    else:
        lines.append(f"  defined at: {c.span}")
    for drs, reason in disabled:
        lines.append(f"  disabled in: {drs.model.ruleset} {drs.model.version} ({drs.path}): {reason}")
    lines.append("  versions:")
    for vrs, vrule in versions:
        eff = vrs.model.effective
        mark = "  <- shown" if vrs is rs else ""
        lines.append(f"    {vrs.model.version}  in force {eff.from_} .. {eff.to or 'open'}  {vrs.path}{mark}")
    if rule.where:
        lines.append(f"  where:  {rule.where}")
    if rule.expect:
        lines.append(f"  expect: {rule.expect}")
    if rule.unique:
        lines.append(f"  unique: {', '.join(rule.unique)}")
    if rule.group_by:
        lines.append(f"  group_by: {', '.join(rule.group_by)}")
    for j in rule.join or []:
        lines.append(f"  join:   {j.dataset} AS {j.as_} ON {j.on}")
    used = {k: v for k, v in rs.model.params.items() if f":{k}" in " ".join(
        filter(None, [rule.where, rule.expect, *(rule.group_by or []), *[j.on for j in rule.join or []]]))}
    if used:
        lines.append("  params: " + ", ".join(f"{k}={v}" for k, v in used.items()) + f" (as_of={as_of})")
        for k in used:
            if k in rs.param_origin:
                lines.append(f"    {k} from {rs.param_origin[k]}")
    lines.append("  sql:")
    lines += ["    " + line for line in P.explain_sql(c).splitlines()]
    return "\n".join(lines)


def functions_text() -> str:
    scalar, aggregate = X.function_names()
    return ("Scalar functions:\n  " + ", ".join(scalar) + "\nAggregate functions (aggregate rules only):\n  "
            + ", ".join(aggregate) + "\nAlso: CASE, CAST/TRY_CAST, IN, BETWEEN, LIKE/ILIKE, IS [NOT] NULL, "
            "IS [NOT] DISTINCT FROM, INTERVAL, ||, arithmetic and comparisons.\nRefused: subqueries, table "
            "functions, window functions, several statements, file/setting/environment access, clock functions "
            "(use :as_of).")
