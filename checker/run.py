"""`checker check`: load -> compile -> engine -> result.

The steps run one way: rule files, schemas, waivers and the baseline are loaded and
compiled first (any problem stops the run with ``ExitCode.USAGE`` before data is
touched), then the exports are loaded, the engine is locked, and the planned queries
run (:mod:`checker.evaluate`).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker import __version__, codes
from checker.baseline import KEY_VARIABLE, Baseline, Fingerprinter, load_baseline
from checker.compile.rules import CompiledRule, compile_rules
from checker.compile.versions import Coverage, Judged, Skipped, plan
from checker.engine.api import Engine, EngineSettings
from checker.engine.loading import Loaded
from checker.engine.registry import ENGINES, start
from checker.evaluate import Evaluator
from checker.exit_codes import ExitCode
from checker.i18n import LANGS, _, both, render
from checker.load.project import load_project
from checker.load.rulesets import LoadedRuleset
from checker.load.sources import Source, discover
from checker.model.dataset import DatasetSchema
from checker.model.result import (
    FileRef,
    InputRef,
    Notice,
    Result,
    RuleResult,
    RulesetRef,
    RunInfo,
    Summary,
    Texts,
    Tool,
    WaiverUse,
)
from checker.model.ruleset import Severity
from checker.portability import engine_problems
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.progress import Progress
from checker.waivers import Waiver, compile_waivers


@dataclass
class CheckOptions:
    data: Path | None
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
    spill_dir: Path | None = None
    threads: int | None = None
    waivers: Path | None = None
    baseline: Path | None = None
    engine: str = "duckdb"
    spark_master: str | None = None
    spark_conf: dict[str, str] = field(default_factory=dict)
    #: secret for fingerprints of personal keys (HMAC-SHA256); None: the CHECKER_FINGERPRINT_KEY variable
    fingerprint_key: str | None = None
    #: waivers that expire within this many days of --as-of are warned about (W505)
    waiver_warn_days: int = 30
    #: the exports by dataset, instead of a --data folder (``checker.api.check``: files or frames)
    inputs: dict[str, Source] | None = None
    #: --history STORE: append the run to this store (a DuckDB file, or a postgresql:// URL)
    history: str | None = None


@dataclass
class Prepared:
    """Everything known before data is read."""

    schemas: dict[str, DatasetSchema]
    rulesets: list[LoadedRuleset]          # every version loaded
    used: list[LoadedRuleset]              # the versions that judge records in this run
    compiled: list[CompiledRule]
    judged: list[Judged]
    skipped: list[Skipped]
    coverage: list[Coverage]
    waivers: list[Waiver]
    warnings: list[Problem]
    catalog: list = field(default_factory=list)     # result Clause entries of the catalog among the rules


def prepare(rule_paths: list[Path], schemas_dir: Path | None, as_of: dt.date, rules_at: dt.date | None,
            waiver_file: Path | None = None, engine: str = "duckdb", waiver_warn_days: int = 30) -> Prepared:
    project = load_project(rule_paths, schemas_dir)
    schemas, loaded = project.schemas, project.rulesets
    compiled, problems = compile_rules(loaded, schemas, as_of)
    if not problems:
        problems = engine_problems(ENGINES[engine], compiled, schemas)
    if problems:
        raise CheckerError(problems)
    judged, skipped, coverage, used = plan(loaded, compiled, schemas, as_of, rules_at)
    waivers: list[Waiver] = []
    warnings: list[Problem] = []
    if waiver_file is not None:
        waivers, problems = compile_waivers(waiver_file, compiled, schemas, as_of)
        if not problems:
            problems = engine_problems(ENGINES[engine], [], {}, waivers)
        if problems:
            raise CheckerError(problems)
        for w in waivers:
            if w.expired:
                expired = _("waiver {waiver} for {rule} expired on {day}; it no longer applies", waiver=w.id,
                            rule=w.entry.rule, day=str(w.entry.expires))
                warnings.append(Problem(w.span, codes.W503, expired, level="warning",
                                        hint=_("renew it with a new expiry and approval, or remove it")))
            elif (w.entry.expires - as_of).days <= waiver_warn_days:
                left = (w.entry.expires - as_of).days
                soon = _("waiver {waiver} for {rule} expires on {day}, in {n} days (approved by {approver})",
                         waiver=w.id, rule=w.entry.rule, day=str(w.entry.expires), n=left,
                         approver=w.entry.approved_by)
                warnings.append(Problem(w.span, codes.W505, soon, level="warning",
                                        hint=_("renew it with its approver, or fix what it waives before then")))
    return Prepared(schemas, loaded, used, compiled, judged, skipped, coverage, waivers, warnings,
                    _catalog(project))


def _catalog(project) -> list:
    """The regulation catalog found among the rule paths, as the result's clause list (else empty)."""
    from checker.catalog import load_catalogs, result_clauses
    from checker.load.rulesets import kind_of

    catalogs, problems = load_catalogs([d for d in project.others if kind_of(d) == "catalog"])
    if problems:
        raise CheckerError(problems)
    if not catalogs:
        return []
    return result_clauses(catalogs[0], {c.id for reg in catalogs[0].model.regulations for c in reg.clauses})


def _no_export(span: Span, dataset: str, rules: list[str]) -> Problem:
    """D402: a dataset some rule needs has no export (at most five of the rules named)."""
    named = ", ".join(rules[:5]) + (" …" if len(rules) > 5 else "")
    expected = dataset.replace(".", "/", 1) + ".csv|jsonl|json|parquet|xlsx"
    message = _("no export for dataset {dataset} (needed by {rules}); expected {path} or an entry in datasets.yaml",
                dataset=dataset, rules=named, path=expected)
    return Problem(span, codes.D402, message, hint=_("or pass --allow-missing to skip the rules that need it"))


def check(opts: CheckOptions, progress: Progress | None = None) -> Result:
    progress = progress or Progress()
    started = time.time()
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    prep = prepare(opts.rules, opts.schemas, opts.as_of, opts.rules_at, opts.waivers, opts.engine,
                   opts.waiver_warn_days)
    baseline = load_baseline(opts.baseline) if opts.baseline else None
    if opts.inputs is not None:
        unknown = [Problem(Span(name), codes.R111, _("unknown dataset '{dataset}'", dataset=name),
                           hint=did_you_mean(name, prep.schemas)) for name in opts.inputs if name not in prep.schemas]
        if unknown:
            raise CheckerError(unknown)
        found: dict[str, Source] = dict(opts.inputs)
        notes: list[Problem] = []
    else:
        assert opts.data is not None, "a check reads a --data folder or the inputs it is given"
        found, notes = discover(opts.data, set(prep.schemas))
    warnings = list(prep.warnings) + notes

    needed: dict[str, set[str]] = {}
    for j in prep.judged:
        for ds in [j.rule.dataset] + [s.dataset for s in j.rule.joins]:
            needed.setdefault(ds, set()).add(j.rule.id)
    missing = sorted(ds for ds in needed if ds not in found)
    where = Span(str(opts.data) if opts.data is not None else "data")
    if missing and not opts.allow_missing:
        raise CheckerError([_no_export(where, ds, sorted(needed[ds])) for ds in missing])
    if not found:        # nothing to check is never a pass, --allow-missing or not
        raise CheckerError([Problem(where, codes.D402,
                                    _("no export of any known dataset in {path}", path=str(opts.data)),
                                    hint=_("exports are <domain>/<name>.csv|jsonl|json|parquet|xlsx (e.g. "
                                           "crm/complaints.csv), or entries of datasets.yaml"))])

    engine = make_engine(opts)
    progress.start(2 * len(found))
    try:
        loaded: dict[str, Loaded] = {}
        for name in sorted(found):
            progress.step(_("loading {name}", name=found[name].display).render(opts.lang))
            loaded[name] = engine.load(prep.schemas[name], found[name])
            warnings.extend(loaded[name].notes)
        engine.lock()
        prints = Fingerprinter(opts.fingerprint_key if opts.fingerprint_key is not None
                               else os.environ.get(KEY_VARIABLE))
        def checking(name: str) -> None:
            progress.step(_("checking {name}", name=name).render(opts.lang))

        evaluator = Evaluator(engine, loaded, opts, prep.waivers, baseline, on_dataset=checking, prints=prints)
        results, _shared = evaluator.run(prep.judged, prep.coverage)
    finally:
        progress.stop()
        engine.close()

    done = {r.rule_id for r in results}
    for s in prep.skipped:
        if s.rule.id not in done:
            results.append(_skipped(s.rule, s.reason, opts.lang))
            done.add(s.rule.id)
    for j in prep.judged:
        if j.rule.id not in done:
            absent = [ds for ds in [j.rule.dataset] + [s.dataset for s in j.rule.joins] if ds not in loaded]
            results.append(_skipped(j.rule, _("no export for dataset {dataset}", dataset=absent[0]), opts.lang))
            done.add(j.rule.id)
    results.sort(key=lambda r: r.rule_id)
    waiver_uses = _waiver_uses(prep.waivers, evaluator.matches)
    for use in waiver_uses:
        if use.status == "unmatched":
            unmatched = _("waiver {waiver} for {rule} matched no violation", waiver=use.id, rule=use.rule)
            warnings.append(Problem(Span(use.location or ""), codes.W504, unmatched,
                                    level="warning", hint=_("remove it if the problem is fixed")))
    withheld = prints.notice()
    if withheld is not None:
        warnings.append(withheld)
    # evaluation keeps every message in every language; the run's language is picked here
    result = _result(opts, prep, loaded, results, warnings, waiver_uses, baseline, started, started_at
                     ).in_language(opts.lang)
    if opts.history:
        from checker.history.record import record

        result = record(result, opts.history, result_file_bytes)
    return result


def result_file_bytes(result: Result) -> bytes:
    """The bytes of the ``--json`` file of ``result``: the same document, DEL, C1 and bidirectional controls
    as ``\\u`` escapes."""
    from checker.render.inert import inert_json

    return inert_json(result.to_json()).encode("utf-8")


def _file_ref(path: Path | None) -> FileRef | None:
    """A file the run read, as given, with the SHA-256 of its bytes (for ``checker verify``)."""
    if path is None:
        return None
    import hashlib

    return FileRef(path=str(path), sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest())


def make_engine(opts: CheckOptions) -> Engine:
    """The run's engine (``--engine``), its options mapped by the engine itself."""
    settings = EngineSettings(memory_limit=opts.memory_limit, spill_dir=str(opts.spill_dir) if opts.spill_dir else None,
                              threads=opts.threads, master=opts.spark_master, conf=dict(opts.spark_conf))
    return start(opts.engine, settings)


def _waiver_uses(waivers: list[Waiver], matches: dict[str, int]) -> list[WaiverUse]:
    uses = []
    for w in waivers:
        n = matches.get(w.id, 0)
        status = "expired" if w.expired else ("used" if n else "unmatched")
        uses.append(WaiverUse(id=w.id, rule=w.entry.rule, reason=w.entry.reason, approved_by=w.entry.approved_by,
                              expires=w.entry.expires.isoformat(), status=status, matched=n, location=str(w.span)))
    return uses


def _skipped(rule: CompiledRule, why, lang: str) -> RuleResult:
    return RuleResult(rule_id=rule.id, ruleset=rule.ruleset.ruleset, ruleset_version=rule.ruleset.version,
                      title={"zh": rule.rule.title.zh, "en": rule.rule.title.en}, kind=rule.kind,
                      clauses=list(rule.rule.clauses), severity=rule.rule.severity.value, dataset=rule.dataset,
                      status="skipped", checked=0, violations=0, error=render(why, lang),
                      errors=Texts(**both(why)), location=str(rule.span))


def exit_code_for(results: list[RuleResult], fail_on: str) -> ExitCode:
    """1 when a rule at or above ``fail_on`` failed or errored; with a baseline only new violations count."""
    if fail_on == "never":
        return ExitCode.OK
    threshold = max(Severity(fail_on).rank, Severity.low.rank)
    for r in results:
        if Severity(r.severity).rank < threshold:
            continue
        if r.status == "error":
            return ExitCode.FINDINGS
        if r.status == "fail" and (r.baseline is None or r.baseline.new > 0):
            return ExitCode.FINDINGS
    return ExitCode.OK


def _ruleset_refs(prep: Prepared) -> list[RulesetRef]:
    """Every version used, and every file an inherited rule's text comes from."""
    files = {r.path: r for r in prep.used}
    for j in prep.judged:
        if j.rule.origin is not None:
            files.setdefault(j.rule.origin.path, j.rule.origin)
    return sorted((RulesetRef(id=r.model.ruleset, version=r.model.version, sha256=r.sha256, path=r.path)
                   for r in files.values()), key=lambda r: (r.id, r.version, r.path))


def _result(opts, prep: Prepared, loaded, results, warnings, waiver_uses, baseline: Baseline | None,
            started, started_at) -> Result:
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
        data=opts.data.as_posix() if opts.data is not None else None,
        rulesets=_ruleset_refs(prep),
        inputs=[InputRef(dataset=table.schema.name, path=None if table.format == "arrow" else table.display,
                         format=table.format, sha256=table.sha256,
                         rows=table.rows, encoding=table.encoding) for _name, table in sorted(loaded.items())],
        summary=summary,
        results=results,
        warnings=[Notice(level=w.level, code=w.code, message=w.text(opts.lang),
                         messages=Texts(**{lang: w.text(lang) for lang in LANGS}), location=str(w.span))
                  for w in warnings],
        waivers=waiver_uses,
        baseline=baseline.sha256 if baseline else None,
        catalog=prep.catalog,
        exit_code=int(exit_code_for(results, opts.fail_on)),
        run=RunInfo(started_at=started_at, duration_ms=int((time.time() - started) * 1000), engine=opts.engine,
                    lang=opts.lang, fail_on=opts.fail_on, max_samples=opts.max_samples, show_pii=opts.show_pii,
                    allow_missing=opts.allow_missing, waiver_warn_days=opts.waiver_warn_days),
        schemas=sorted((FileRef(path=s.path, sha256=s.sha256) for s in prep.schemas.values()), key=lambda f: f.path),
        waiver_file=_file_ref(opts.waivers),
        baseline_file=_file_ref(opts.baseline),
    )
