"""`checker check`: load -> compile -> engine -> result.

The steps run one way: rule files and schemas are loaded and compiled first (any
problem stops the run with ``ExitCode.USAGE`` before data is touched), then the
exports are loaded, the engine is locked, and the planned queries run.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import __version__
from checker.compile import plan as P
from checker.compile.rules import CompiledRule, compile_rules, select_versions
from checker.compile.structural import StructuralCheck, compile_structural
from checker.engine.duckdb import DuckDBEngine
from checker.engine.loading import Loaded
from checker.exit_codes import ExitCode
from checker.load import sources as S
from checker.load.rulesets import LoadedRuleset, load_rulesets
from checker.load.schemas import load_schemas
from checker.messages import display, record_view
from checker.model.dataset import DatasetSchema
from checker.model.result import (InputRef, Notice, Result, RuleResult, RulesetRef, RunInfo, Sample, Summary,
                                  Tool)
from checker.model.ruleset import Severity
from checker.problems import CheckerError, Problem, Span
from checker.resources import bundled


@dataclass
class CheckOptions:
    data: Path
    rules: list[Path] = field(default_factory=list)
    schemas: Path | None = None
    as_of: dt.date = field(default_factory=dt.date.today)
    rules_at: dt.date | None = None
    fail_on: str = "low"
    max_samples: int = 20
    lang: str = "zh"
    show_pii: bool = False
    violations_out: Path | None = None
    allow_missing: bool = False
    memory_limit: str | None = None
    threads: int | None = None


@dataclass
class Prepared:
    """Everything known before data is read."""

    schemas: dict[str, DatasetSchema]
    rulesets: list[LoadedRuleset]
    rules: list[CompiledRule]
    unversioned: list[LoadedRuleset]
    warnings: list[Problem]


def prepare(rule_paths: list[Path], schemas_dir: Path | None, day: dt.date, as_of: dt.date) -> Prepared:
    schemas, problems = load_schemas(schemas_dir or bundled("schemas"))
    if problems:
        raise CheckerError(problems)
    loaded, problems, _ = load_rulesets(rule_paths or [bundled("rules")])
    if problems:
        raise CheckerError(problems)
    chosen, none = select_versions(loaded, day)
    unversioned = []
    for rid in none:
        versions = [r for r in loaded if r.model.ruleset == rid]
        unversioned.append(max(versions, key=lambda r: r.model.version_tuple))
    rules, problems = compile_rules(chosen, schemas, as_of)
    if problems:
        raise CheckerError(problems)
    warnings = [Problem(Span(r.path), "R120", f"no version of ruleset '{r.model.ruleset}' is in force on {day}; "
                        "its rules are skipped", level="warning") for r in unversioned]
    return Prepared(schemas, chosen, rules, unversioned, warnings)


def check(opts: CheckOptions) -> Result:
    started = time.time()
    started_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    day = opts.rules_at or opts.as_of
    prep = prepare(opts.rules, opts.schemas, day, opts.as_of)
    found, notes = S.discover(opts.data, set(prep.schemas))
    warnings = list(prep.warnings) + notes

    needed: dict[str, list[str]] = {}
    for rule in prep.rules:
        needed.setdefault(rule.dataset, []).append(rule.id)
        for spec in rule.joins:
            needed.setdefault(spec.dataset, []).append(rule.id)
    missing = sorted(ds for ds in needed if ds not in found)
    if missing and not opts.allow_missing:
        raise CheckerError([Problem(Span(str(opts.data)), "D402",
                                    f"no export for dataset {ds} (needed by {', '.join(sorted(set(needed[ds]))[:5])}"
                                    f"{' …' if len(set(needed[ds])) > 5 else ''}); expected "
                                    f"{ds.replace('.', '/', 1)}.csv|jsonl|json|parquet|xlsx or an entry in datasets.yaml",
                                    hint="or pass --allow-missing to skip the rules that need it")
                            for ds in missing])

    engine = DuckDBEngine(memory_limit=opts.memory_limit, threads=opts.threads)
    try:
        loaded: dict[str, Loaded] = {}
        for name in sorted(found):
            loaded[name] = engine.load(prep.schemas[name], found[name])
            warnings.extend(loaded[name].notes)
        engine.lock()
        results = Evaluator(engine, loaded, opts).run(prep.rules)
    finally:
        engine.close()

    for rs in prep.unversioned:
        for rule in rs.model.rules:
            results.append(_skipped(rule, rs, f"no version of ruleset {rs.model.ruleset} is in force on {day}"))
    for rule in prep.rules:
        if rule.dataset not in loaded or any(s.dataset not in loaded for s in rule.joins):
            results.append(_skipped(rule.rule, rule.source, f"no export for dataset "
                                    f"{rule.dataset if rule.dataset not in loaded else [s.dataset for s in rule.joins if s.dataset not in loaded][0]}"))
    results.sort(key=lambda r: r.rule_id)
    return _result(opts, prep, loaded, results, warnings, started, started_at)


def _skipped(rule, rs: LoadedRuleset, why: str) -> RuleResult:
    return RuleResult(rule_id=rule.id, ruleset=rs.model.ruleset, ruleset_version=rs.model.version,
                      title={"zh": rule.title.zh, "en": rule.title.en}, kind=rule.kind, clauses=list(rule.clauses),
                      severity=rule.severity.value, dataset=rule.dataset, status="skipped", checked=0, violations=0,
                      error=why, location=str(rs.positions.value(("rules", rs.model.rules.index(rule), "id"))))


def exit_code_for(results: list[RuleResult], fail_on: str) -> ExitCode:
    if fail_on == "never":
        return ExitCode.OK
    threshold = max(Severity(fail_on).rank, Severity.low.rank)
    for r in results:
        if r.status in ("fail", "error") and Severity(r.severity).rank >= threshold:
            return ExitCode.FINDINGS
    return ExitCode.OK


def _result(opts, prep, loaded, results, warnings, started, started_at) -> Result:
    summary = Summary(rules=len(results),
                      passed=sum(r.status == "pass" for r in results),
                      failed=sum(r.status == "fail" for r in results),
                      errored=sum(r.status == "error" for r in results),
                      skipped=sum(r.status == "skipped" for r in results),
                      violations=sum(r.violations for r in results),
                      waived=sum(r.waived for r in results))
    return Result(
        tool=Tool(name="checker", version=__version__),
        as_of=opts.as_of.isoformat(),
        rules_at=opts.rules_at.isoformat() if opts.rules_at else None,
        rulesets=sorted((RulesetRef(id=r.model.ruleset, version=r.model.version, sha256=r.sha256, path=r.path)
                         for r in prep.rulesets), key=lambda r: (r.id, r.version)),
        inputs=[InputRef(dataset=l.schema.name, path=l.display, format=l.format, sha256=l.sha256, rows=l.rows,
                         encoding=l.encoding) for _, l in sorted(loaded.items())],
        summary=summary,
        results=results,
        warnings=[Notice(level=w.level, code=w.code, message=w.message + (f"; {w.hint}" if w.hint else ""),
                         location=str(w.span)) for w in warnings],
        exit_code=int(exit_code_for(results, opts.fail_on)),
        run=RunInfo(started_at=started_at, duration_ms=int((time.time() - started) * 1000), engine="duckdb",
                    lang=opts.lang, fail_on=opts.fail_on, max_samples=opts.max_samples),
    )


# -- evaluation -------------------------------------------------------------------------------

class Evaluator:
    def __init__(self, engine: DuckDBEngine, loaded: dict[str, Loaded], opts: CheckOptions):
        self.engine = engine
        self.loaded = loaded
        self.opts = opts
        self.n = opts.max_samples
        self._records: dict[tuple[str, int], dict[str, Any]] = {}
        self._keys: dict[tuple[str, int], dict[str, Any]] = {}
        self._writer = ViolationWriter(opts.violations_out) if opts.violations_out else None

    def table_of(self, dataset: str) -> str:
        return self.loaded[dataset].table

    def run(self, rules: list[CompiledRule]) -> list[RuleResult]:
        out: list[RuleResult] = []
        try:
            for name, loaded in sorted(self.loaded.items()):
                structural = compile_structural(loaded)
                ds_rules = [r for r in rules if r.dataset == name and all(s.dataset in self.loaded for s in r.joins)]
                out.extend(self._dataset(loaded, structural, ds_rules))
        finally:
            if self._writer:
                self._writer.close()
        return out

    def _dataset(self, loaded: Loaded, structural: list[StructuralCheck], rules: list[CompiledRule]) -> list[RuleResult]:
        results: list[RuleResult] = []
        row_rules: list[CompiledRule] = []
        for rule in rules:
            if rule.kind == "row":
                error = self._fanout(rule)
                if error:
                    results.append(self._rule_result(rule, "error", 0, 0, [], error))
                else:
                    row_rules.append(rule)
        checks = [P.RowCheck(s.rule_id, s.violation, "TRUE") for s in structural]
        checks += [P.row_check(r, i) for i, r in enumerate(row_rules)]
        sql = P.fused_scan(loaded.table, checks, self.n, self.table_of)
        counts = self.engine.fetchall(sql)[0]
        total = counts[0]
        per = [(counts[1 + 3 * i], counts[2 + 3 * i], sorted(counts[3 + 3 * i] or [])) for i in range(len(checks))]
        self._fetch(loaded, sorted({row for _, _, rows in per for row in rows}))
        if self._writer:
            self._write_row_violations(loaded, checks, structural, row_rules)
        for check, (violations, _, rows) in zip(structural, per[: len(structural)]):
            samples = self._structural_samples(loaded, check, rows)
            results.append(RuleResult(
                rule_id=check.rule_id, ruleset=None, ruleset_version=None, kind="schema", clauses=[],
                severity=check.severity, dataset=loaded.schema.name,
                status="fail" if violations else "pass", checked=total, violations=violations, samples=samples,
                location=str(loaded.schema.columns[check.column].span) if check.column else loaded.schema.path))
        for rule, (violations, checked, rows) in zip(row_rules, per[len(structural):]):
            samples = [self._record_sample(loaded, rule, row) for row in rows]
            results.append(self._rule_result(rule, "fail" if violations else "pass", checked, violations, samples))
        for rule in rules:
            if rule.kind == "unique":
                results.append(self._unique(loaded, rule))
            elif rule.kind == "aggregate":
                results.append(self._aggregate(loaded, rule))
        return results

    # -- kinds ---------------------------------------------------------------------------
    def _fanout(self, rule: CompiledRule) -> str | None:
        for spec in rule.joins:
            q = P.fanout_query(rule, spec, self.table_of(rule.dataset), self.table_of)
            count, first = self.engine.fetchall(q.sql(dialect="duckdb"))[0]
            if count:
                return (f"join '{spec.alias}' ({spec.dataset}) is not many-to-one: {count} records of "
                        f"{rule.dataset} meet more than one {spec.dataset} record (first at row {first}); "
                        f"make the joined side unique on the join columns, or write an aggregate rule")
        return None

    def _unique(self, loaded: Loaded, rule: CompiledRule) -> RuleResult:
        groups = P.unique_groups(rule, loaded.table).sql(dialect="duckdb")
        members = P.unique_members(rule, loaded.table).sql(dialect="duckdb")
        violations, checked = self.engine.fetchall(
            f"SELECT coalesce(sum(__n) FILTER (WHERE __n > 1), 0), coalesce(sum(__n), 0) FROM ({groups})")[0]
        rows: list[int] = []
        if violations:
            limit = "" if self._writer else f" LIMIT {self.n}"
            rows = [r for (r,) in self.engine.fetchall(members + limit)]
        if self._writer:
            self._fetch_keys(loaded, rows)
            for row in rows:
                self._writer.add(rule.id, rule.rule.severity.value, loaded, row, self._key_of(loaded, row, raw=True))
        rows = rows[: self.n]
        self._fetch(loaded, rows)
        samples = [self._record_sample(loaded, rule, row) for row in rows]
        return self._rule_result(rule, "fail" if violations else "pass", int(checked), int(violations), samples)

    def _aggregate(self, loaded: Loaded, rule: CompiledRule) -> RuleResult:
        q = P.aggregate_query(rule, loaded.table, self.table_of).sql(dialect="duckdb")
        names = rule.group_names()
        gcols = ", ".join(f"__g{i}" for i in range(len(names)))
        violations, checked = self.engine.fetchall(f"SELECT coalesce(count(*) FILTER (WHERE NOT __ok), 0), count(*) FROM ({q})")[0]
        limit = f" LIMIT {self.n}" if not self._writer else ""
        failing = self.engine.fetchall(f"SELECT {gcols}, __n, __first FROM ({q}) WHERE NOT __ok "
                                       f"ORDER BY __first{limit}") if violations else []
        samples = []
        pii = loaded.schema.pii_columns
        for values in failing:
            group = {name: display(v) for name, v in zip(names, values[: len(names)])}
            shown = record_view(group, [n for n in names if n in pii], self.opts.show_pii)
            if len(samples) < self.n:
                record = dict(shown)
                record.update(group=shown, row=None, records=values[len(names)])
                text = rule.message.render(self.opts.lang, record) if rule.message else rule.rule.title.get(self.opts.lang)
                samples.append(Sample(row=None, key=shown, message=text))
            if self._writer:
                self._writer.add(rule.id, rule.rule.severity.value, loaded, None, group)
        return self._rule_result(rule, "fail" if violations else "pass", checked, violations, samples)

    # -- samples -------------------------------------------------------------------------
    def _fetch(self, loaded: Loaded, rows: list[int]) -> None:
        want = [r for r in rows if (loaded.schema.name, r) not in self._records]
        if not want:
            return
        cols = list(loaded.schema.columns)
        from checker.compile.sqlfrag import qi
        sql = (f"SELECT __row, {', '.join(qi(c) for c in cols)} FROM {loaded.table} "
               f"WHERE __row IN ({', '.join(str(int(r)) for r in want)})")
        for values in self.engine.fetchall(sql):
            self._records[(loaded.schema.name, values[0])] = dict(zip(cols, values[1:]))

    def _fetch_keys(self, loaded: Loaded, rows: list[int]) -> None:
        """Fetch the key columns of many records in one query (for --violations-out)."""
        if not rows or not loaded.schema.key:
            return
        from checker.compile.sqlfrag import qi
        import pyarrow as pa

        self.engine.con.register("__want", pa.table({"r": pa.array(rows, pa.int64())}))
        cols = list(loaded.schema.key)
        try:
            for values in self.engine.fetchall(f"SELECT t.__row, {', '.join('t.' + qi(c) for c in cols)} FROM "
                                               f"{loaded.table} t SEMI JOIN __want w ON t.__row = w.r"):
                self._keys[(loaded.schema.name, values[0])] = dict(zip(cols, values[1:]))
        finally:
            self.engine.con.unregister("__want")

    def _key_of(self, loaded: Loaded, row: int, raw: bool = False) -> dict[str, Any] | None:
        if not loaded.schema.key:
            return None
        if (loaded.schema.name, row) in self._keys:
            key = self._keys[(loaded.schema.name, row)]
        else:
            self._fetch(loaded, [row])
            record = self._records.get((loaded.schema.name, row), {})
            key = {k: record.get(k) for k in loaded.schema.key}
        if raw:
            return {k: display(v) for k, v in key.items()}
        return record_view(key, loaded.schema.pii_columns, self.opts.show_pii)

    def _record_sample(self, loaded: Loaded, rule: CompiledRule, row: int) -> Sample:
        self._fetch(loaded, [row])
        record = self._records.get((loaded.schema.name, row), {})
        view = record_view(record, loaded.schema.pii_columns, self.opts.show_pii)
        view["row"] = row
        text = rule.message.render(self.opts.lang, view) if rule.message else rule.rule.title.get(self.opts.lang)
        return Sample(row=row, key=self._key_of(loaded, row), message=text)

    def _structural_samples(self, loaded: Loaded, check: StructuralCheck, rows: list[int]) -> list[Sample]:
        if not rows:
            return []
        sql = (f"SELECT t.__row, {check.evidence} FROM {loaded.table} AS t "
               f"WHERE t.__row IN ({', '.join(str(int(r)) for r in rows)}) ORDER BY t.__row")
        samples = []
        for row, evidence in self.engine.fetchall(sql):
            value = "null" if evidence is None else str(evidence)
            if check.pii and not self.opts.show_pii and evidence is not None:
                from checker.messages import mask
                value = mask(value)
            shown = value if check.keyword == "shape" else (f"'{value}'" if evidence is not None else "null")
            samples.append(Sample(row=row, key=self._key_of(loaded, row),
                                  message=check.message(self.opts.lang, shown, null=evidence is None)))
        return samples

    def _rule_result(self, rule: CompiledRule, status: str, checked: int, violations: int,
                     samples: list[Sample], error: str | None = None) -> RuleResult:
        return RuleResult(rule_id=rule.id, ruleset=rule.ruleset.ruleset, ruleset_version=rule.ruleset.version,
                          title={"zh": rule.rule.title.zh, "en": rule.rule.title.en}, kind=rule.kind,
                          clauses=list(rule.rule.clauses), severity=rule.rule.severity.value, dataset=rule.dataset,
                          status=status, checked=checked, violations=violations, samples=samples, error=error,
                          location=str(rule.span))

    def _write_row_violations(self, loaded: Loaded, checks, structural, row_rules) -> None:
        severities = [s.severity for s in structural] + [r.rule.severity.value for r in row_rules]
        key_cols = list(loaded.schema.key)
        sql = P.violations_scan(loaded.table, checks, key_cols, self.table_of)
        cursor = self.engine.execute(sql)
        while True:
            batch = cursor.fetchmany(50_000)
            if not batch:
                break
            for values in batch:
                k, row = values[0], values[1]
                key = {c: display(v) for c, v in zip(key_cols, values[2:])} if key_cols else None
                self._writer.add(checks[k].key, severities[k], loaded, row, key)


class ViolationWriter:
    """Writes every violation to CSV or Parquet (by the file's extension), in batches."""

    COLUMNS = ("rule_id", "severity", "dataset", "path", "row", "key")

    def __init__(self, path: Path):
        import pyarrow as pa

        self.path = path
        self.format = "parquet" if path.suffix.lower() == ".parquet" else "csv"
        self.schema = pa.schema([("rule_id", pa.string()), ("severity", pa.string()), ("dataset", pa.string()),
                                 ("path", pa.string()), ("row", pa.int64()), ("key", pa.string())])
        self.buffer: list[tuple] = []
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.format == "parquet":
            import pyarrow.parquet as pq
            self.writer = pq.ParquetWriter(str(path), self.schema)
        else:
            import pyarrow.csv as pcsv
            self.writer = pcsv.CSVWriter(str(path), self.schema)

    def add(self, rule_id: str, severity: str, loaded: Loaded, row: int | None, key: dict | None) -> None:
        self.buffer.append((rule_id, severity, loaded.schema.name, loaded.display, row,
                            json.dumps(key, ensure_ascii=False, sort_keys=True, default=str) if key is not None else None))
        if len(self.buffer) >= 100_000:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if not self.buffer:
            return
        cols = list(zip(*self.buffer))
        table = pa.table({name: pa.array(list(col), self.schema.field(name).type)
                          for name, col in zip(self.COLUMNS, cols)}, schema=self.schema)
        self.writer.write_table(table)
        self.count += len(self.buffer)
        self.buffer = []

    def close(self) -> None:
        self.flush()
        self.writer.close()
