"""`checker test`: run every rule's examples on the real engine, with the dataset's schema types.

A ``pass`` example must give no violation and a ``fail`` example at least one.  Each
example is loaded as records of the rule's dataset (and of joined datasets, from the
records written under a join alias) into DuckDB and judged by the compiled rule, with
its own version's parameters and a fixed ``--as-of``.  Each dataset's records of all the
examples are converted into its typed table once per run, and each example reads only its own
records of it (see :class:`_StagedTables`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from checker import codes
from checker.compile import kinds
from checker.compile.rules import CompiledRule, compile_rules
from checker.engine.duckdb import DuckDBEngine
from checker.engine.loading import Loaded
from checker.i18n import _, _n
from checker.load.project import load_project
from checker.load.rulesets import LoadedRuleset
from checker.model.dataset import DatasetSchema
from checker.problems import Problem, Span


@dataclass
class TestReport:
    problems: list[Problem]
    passed: int
    failed: int
    rules: int


@dataclass
class _Example:
    """One pass or fail example of a rule, its records per dataset (or why they could not be read)."""

    rule: CompiledRule
    ruleset: LoadedRuleset
    expect: str                                   # "pass" | "fail"
    k: int
    span: Span
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: Exception | None = None

    @property
    def name(self) -> str:
        return f"{self.expect}[{self.k}]"


def run_examples(paths: list[Path], schemas_dir: Path | None, as_of: dt.date | None,
                 staged: bool = True) -> TestReport:
    """Run the examples; the clock is ``as_of`` if given, else each example set's own ``as_of``, else today.

    With ``staged`` (the default) each dataset's records of all examples are converted into a typed
    table once, and each example reads a table holding its own records only
    (:meth:`DuckDBEngine.load_record_sets`); without, each example's records are loaded on their
    own (``checker test`` did so before; ``benchmarks/examples.py`` times both).
    """
    project = load_project(paths, schemas_dir)
    schemas, rulesets = project.schemas, project.rulesets
    out: list[Problem] = []
    passed = failed = rules = 0
    plans: list[tuple[list[Problem], list[_Example]]] = []
    for rs in rulesets:
        days = {as_of} if as_of is not None else (
            {r.examples.as_of for r in rs.model.rules if r.examples and r.examples.as_of} | {dt.date.today()})
        by_day = {}
        problems: list[Problem] = []
        for day in days:
            compiled, day_problems = compile_rules([rs], schemas, day)
            problems += day_problems if day == min(days) else []
            by_day[day] = {r.id: r for r in compiled}
        examples: list[_Example] = []
        for rule_model in rs.model.rules:
            if rule_model.examples is None:
                continue
            day = as_of or rule_model.examples.as_of or dt.date.today()
            rule = by_day[day].get(rule_model.id)
            if rule is None:
                continue
            rules += 1
            for expect, items in (("pass", rule_model.examples.pass_), ("fail", rule_model.examples.fail)):
                for k, item in enumerate(items):
                    span = rule.text_source.positions.value(("rules", rule.index, "examples", expect, k))
                    example = _Example(rule, rs, expect, k, span)
                    try:
                        example.records = _dataset_records(rule, item)
                    except Exception as err:  # a broken example is a finding, not a crash
                        example.error = err
                    examples.append(example)
        plans.append((problems, examples))
    with DuckDBEngine() as engine:
        tables: _Tables = (_StagedTables(engine, schemas, [e for _p, es in plans for e in es]) if staged
                           else _ExampleTables(engine, schemas))
        for problems, examples in plans:
            out += problems
            for ex in examples:
                rule = ex.rule
                try:
                    if ex.error is not None:
                        raise ex.error
                    found = _violations(engine, rule, tables.of(ex))
                except Exception as err:  # a broken example is a finding, not a crash
                    failed += 1
                    out.append(Problem(ex.span, codes.T602, _("rule {rule}: example {example} could not run: {error}",
                                                              rule=rule.id, example=ex.name,
                                                              error=str(err).splitlines()[0])))
                    continue
                ok = (found == 0) if ex.expect == "pass" else (found > 0)
                if ok:
                    passed += 1
                    continue
                failed += 1
                what = (_n("should pass but gives {n} violation", "should pass but gives {n} violations",
                           found, n=found)
                        if ex.expect == "pass" else _("should fail but gives no violation"))
                out.append(Problem(ex.span, codes.T601, _("rule {rule} ({ruleset} {version}): example {example} {what}",
                                                          rule=rule.id, ruleset=ex.ruleset.model.ruleset,
                                                          version=ex.ruleset.model.version,
                                                          example=ex.name, what=what),
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


def _dataset_records(rule: CompiledRule, item: Any) -> dict[str, list[dict[str, Any]]]:
    """The example's records per dataset, JSON-compatible: the rule's own, then each joined dataset's."""
    own, joined = _records(item, rule)
    # a self-join reads the same dataset: its records are the example's own plus those under the alias
    for spec in rule.joins:
        if spec.dataset == rule.dataset:
            own = own + [r for r in joined[spec.alias] if r not in own]
    records = {rule.dataset: [_jsonable(r) for r in own]}
    for spec in rule.joins:
        if spec.dataset != rule.dataset:
            records[spec.dataset] = [_jsonable(r) for r in joined[spec.alias]]
    return records


class _Tables(Protocol):
    def of(self, example: _Example) -> dict[str, Loaded]:
        """Dataset -> the table holding this example's records of it, and no other example's."""


class _ExampleTables:
    """Each example's records loaded on their own, a typed table per example and dataset."""

    def __init__(self, engine: DuckDBEngine, schemas: dict[str, DatasetSchema]):
        self.engine, self.schemas = engine, schemas

    def of(self, example: _Example) -> dict[str, Loaded]:
        return {ds: self.of_dataset(ds, records) for ds, records in example.records.items()}

    def of_dataset(self, dataset: str, records: list[dict[str, Any]]) -> Loaded:
        return self.engine.load_records(self.schemas[dataset], records, "example")


class _StagedTables:
    """Each dataset's records of all examples converted once; an example reads a table of its own records.

    A dataset whose records do not load together (an engine error) is loaded per example instead,
    so that the error is the examples' own finding, as without staging.
    """

    def __init__(self, engine: DuckDBEngine, schemas: dict[str, DatasetSchema], examples: list[_Example]):
        self.engine = engine
        self.apart = _ExampleTables(engine, schemas)
        sets: dict[str, list[list[dict[str, Any]]]] = {}
        self.where: dict[tuple[int, str], int] = {}      # (example, dataset) -> its set of the dataset
        for example in examples:
            for ds, records in example.records.items():
                self.where[id(example), ds] = len(sets.setdefault(ds, []))
                sets[ds].append(records)
        self.staged: dict[str, tuple[Loaded, list[range]]] = {}
        for ds, ds_sets in sets.items():
            try:
                self.staged[ds] = engine.load_record_sets(schemas[ds], ds_sets, "example")
            except Exception:
                continue

    def of(self, example: _Example) -> dict[str, Loaded]:
        tables: dict[str, Loaded] = {}
        for ds, records in example.records.items():
            if ds in self.staged:
                staged, ranges = self.staged[ds]
                tables[ds] = self.engine.use_record_set(staged, ranges[self.where[id(example), ds]])
            else:
                tables[ds] = self.apart.of_dataset(ds, records)
        return tables


def _violations(engine: DuckDBEngine, rule: CompiledRule, tables: dict[str, Loaded]) -> int:
    """The violations the rule finds in one example's tables, counted by the rule's kind."""
    return kinds.of(rule).example_violations(engine, rule, lambda ds: tables[ds].table)


def _jsonable(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if isinstance(value, dt.datetime):
            value = value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out
