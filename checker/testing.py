"""`checker test`: run every rule's examples on the real engine, with the dataset's schema types.

A ``pass`` example must give no violation and a ``fail`` example at least one.  Each
example is loaded as records of the rule's dataset (and of joined datasets, from the
records written under a join alias) into DuckDB and judged by the compiled rule, with
its own version's parameters and a fixed ``--as-of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker import codes
from checker.compile import plan as P
from checker.compile.expr import DIALECT
from checker.compile.rules import CompiledRule, compile_rules
from checker.engine.duckdb import DuckDBEngine
from checker.load.project import load_project
from checker.i18n import _, _n
from checker.problems import Problem


@dataclass
class TestReport:
    problems: list[Problem]
    passed: int
    failed: int
    rules: int


def run_examples(paths: list[Path], schemas_dir: Path | None, as_of: dt.date | None) -> TestReport:
    """Run the examples; the clock is ``as_of`` if given, else each example set's own ``as_of``, else today."""
    project = load_project(paths, schemas_dir)
    schemas, rulesets = project.schemas, project.rulesets
    out: list[Problem] = []
    passed = failed = rules = 0
    with DuckDBEngine() as engine:
        for rs in rulesets:
            days = {as_of} if as_of is not None else (
                {r.examples.as_of for r in rs.model.rules if r.examples and r.examples.as_of} | {dt.date.today()})
            by_day = {}
            for day in days:
                compiled, problems = compile_rules([rs], schemas, day)
                out += problems if day == min(days) else []
                by_day[day] = {r.id: r for r in compiled}
            for rule_model in rs.model.rules:
                examples = rule_model.examples
                if examples is None:
                    continue
                day = as_of or examples.as_of or dt.date.today()
                rule = by_day[day].get(rule_model.id)
                if rule is None:
                    continue
                rules += 1
                for expect, items in (("pass", examples.pass_), ("fail", examples.fail)):
                    for k, item in enumerate(items):
                        span = rule.text_source.positions.value(("rules", rule.index, "examples", expect, k))
                        try:
                            found = _violations(engine, rule, item, schemas)
                        except Exception as err:  # a broken example is a finding, not a crash
                            failed += 1
                            example = f"{expect}[{k}]"
                            out.append(Problem(span, codes.T602, _("rule {rule}: example {example} could not run: {error}",
                                                               rule=rule.id, example=example,
                                                               error=str(err).splitlines()[0])))
                            continue
                        ok = (found == 0) if expect == "pass" else (found > 0)
                        if ok:
                            passed += 1
                            continue
                        failed += 1
                        example = f"{expect}[{k}]"
                        what = (_n("should pass but gives {n} violation", "should pass but gives {n} violations", found, n=found)
                                if expect == "pass" else _("should fail but gives no violation"))
                        out.append(Problem(span, codes.T601, _("rule {rule} ({ruleset} {version}): example {example} {what}", rule=rule.id,
                                             ruleset=rs.model.ruleset, version=rs.model.version,
                                             example=example, what=what),
                                           hint=_("check the example's values against the schema types")))
    return TestReport(out, passed, failed, rules)


def _records(item: Any, rule: CompiledRule) -> tuple[list[dict], dict[str, list[dict]]]:
    """The example's own records and, per join alias, the joined records."""
    cases = item if isinstance(item, list) else [item]
    own: list[dict] = []
    joined: dict[str, list[dict]] = {spec.alias: [] for spec in rule.joins}
    for record in cases:
        mine = {}
        for key, value in record.items():
            if key in joined:
                joined[key].extend(value if isinstance(value, list) else [value])
            else:
                mine[key] = value
        own.append(mine)
    return own, joined


def _violations(engine: DuckDBEngine, rule: CompiledRule, item: Any, schemas) -> int:
    own, joined = _records(item, rule)
    # a self-join reads the same dataset: its records are the example's own plus those under the alias
    for spec in rule.joins:
        if spec.dataset == rule.dataset:
            own = own + [r for r in joined[spec.alias] if r not in own]
    tables = {rule.dataset: engine.load_records(schemas[rule.dataset], [_jsonable(r) for r in own], "example")}
    for spec in rule.joins:
        if spec.dataset != rule.dataset:
            tables[spec.dataset] = engine.load_records(schemas[spec.dataset],
                                                       [_jsonable(r) for r in joined[spec.alias]], "example")
    table_of = lambda ds: tables[ds].table  # noqa: E731
    main = table_of(rule.dataset)
    if rule.kind == "row":
        check = P.row_check(rule, 0)
        values = engine.fetchall(P.fused_scan(main, [check], 1, table_of))[0]
        return int(values[1] or 0)
    if rule.kind == "unique":
        groups = P.unique_groups(rule, main).sql(dialect=DIALECT)
        return int(engine.fetchall(f"SELECT coalesce(sum(__n) FILTER (WHERE __n > 1), 0) FROM ({groups})")[0][0])
    q = P.aggregate_query(rule, main, table_of).sql(dialect=DIALECT)
    return int(engine.fetchall(f"SELECT coalesce(count_if(NOT __ok), 0) FROM ({q})")[0][0])


def _jsonable(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if isinstance(value, dt.datetime):
            value = value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out
