"""The driver of evaluation: per dataset, one fused scan, then each kind's own queries, then merging.

Per dataset, one fused scan counts every structural check and every rule version judged
record by record (split into unwaived and waived violations, with per-waiver matches) and
keeps the first N violating rows of each; a second scan lists every unwaived violation's key
(:mod:`~checker.evaluate.violations`).  Kinds with queries of their own run them one judged
version at a time (:class:`~checker.compile.kinds.base.QueryKind`).  Versions of one rule are
then merged into one result (:mod:`~checker.evaluate.merge`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlglot import exp

from checker.baseline import Baseline, Fingerprinter
from checker.compile import kinds
from checker.compile.kinds.base import QueryKind
from checker.compile.plan import Answer, RowCheck, fused_scan, read_fused, row_check, violations_rows
from checker.compile.rules import CompiledRule
from checker.compile.structural import StructuralCheck, compile_structural
from checker.compile.versions import Coverage, Judged
from checker.engine.api import Engine
from checker.engine.loading import Loaded
from checker.evaluate.errors import EngineFailure, RuleErrors
from checker.evaluate.joins import Fanouts
from checker.evaluate.merge import Merging
from checker.evaluate.partials import Partial, RulePartial, SchemaPartial
from checker.evaluate.records import Lineages, Records, key_columns, key_text
from checker.evaluate.samples import Samples
from checker.evaluate.violations import Violations, ViolationWriter
from checker.evaluate.waiving import Waiving
from checker.model.result import RuleResult, Sample
from checker.scrub import first_line
from checker.sql.text import DIALECT, tree
from checker.waivers import Waiver

Uncovered = dict[tuple[str, str], int]


class Evaluator:
    def __init__(self, engine: Engine, loaded: dict[str, Loaded], opts: Any, waivers: list[Waiver],
                 baseline: Baseline | None = None, on_dataset: Callable[[str], None] | None = None,
                 prints: Fingerprinter | None = None):
        self.on_dataset = on_dataset or (lambda name: None)
        self.engine = engine
        self.loaded = loaded
        self.schemas = {name: table.schema for name, table in loaded.items()}
        self.prints = prints or Fingerprinter.from_environment()
        self.n: int = opts.max_samples
        self.baseline = baseline
        self.lineages = Lineages(self.schemas)
        self.waiving = Waiving(waivers, engine.fetchall)
        self.records = Records(engine.fetchall, self.prints, opts.show_pii)
        self.samples = Samples(self.records, self.lineages, self.waiving, engine.fetchall, opts.show_pii)
        self.violations = Violations(engine, self.prints, self.records, self.n,
                                     ViolationWriter(opts.violations_out) if opts.violations_out else None)
        self.errors = RuleErrors(self.schemas, self.lineages, waivers)
        self.fanouts = Fanouts(engine.fetchall, loaded)
        self._n_kept = 0

    @property
    def matches(self) -> dict[str, int]:
        """Violations each waiver covered."""
        return self.waiving.matches

    @property
    def fingerprints(self) -> dict[str, set[str]]:
        return self.violations.fingerprints

    def table_of(self, dataset: str) -> str:
        return self.loaded[dataset].table

    def run(self, judged: list[Judged], coverage: list[Coverage]) -> tuple[list[RuleResult], Uncovered]:
        partials: list[Partial] = []
        uncovered: Uncovered = {}
        writer = self.violations.writer
        try:
            for name, loaded in sorted(self.loaded.items()):
                self.on_dataset(name)
                mine = [j for j in judged if j.rule.dataset == name
                        and all(s.dataset in self.loaded for s in j.rule.joins)]
                cov = [c for c in coverage if c.dataset == name]
                partials.extend(self._dataset(loaded, compile_structural(loaded), mine, cov, uncovered))
            if writer:
                writer.close()
        except self.engine.Error as err:  # never let an engine's text (and the values it quotes) out unscrubbed
            if writer:
                writer.close(complete=False)
            raise EngineFailure(first_line(err)) from None
        except BaseException:
            if writer:
                writer.close(complete=False)
            raise
        results = Merging(self.loaded, self.fingerprints, self.baseline, self.prints, self.n, uncovered
                          ).results(partials)
        self._place(results)
        return results, uncovered

    def _place(self, results: list[RuleResult]) -> None:
        """Each record sample's line in its file, where lines mean something (SARIF regions, annotations)."""
        rows: dict[str, set[int]] = {}
        for r in results:
            if r.dataset in self.loaded:
                rows.setdefault(r.dataset, set()).update(
                    s.row for s in r.samples + r.waived_samples if s.row is not None)
        lines = {name: self.loaded[name].lines_of(wanted) for name, wanted in rows.items()}
        for r in results:
            for s in r.samples + r.waived_samples:
                if s.row is not None:
                    s.line = lines.get(r.dataset, {}).get(s.row)

    def _dataset(self, loaded: Loaded, structural: list[StructuralCheck], judged: list[Judged],
                 coverage: list[Coverage], uncovered: Uncovered) -> list[Partial]:
        out: list[Partial] = []
        per_record: list[Judged] = []
        for j in judged:
            if kinds.of(j.rule).per_record:
                error = self._fanout_error(j.rule)
                if error is None:
                    per_record.append(j)
                else:
                    out.append(RulePartial(j.rule, j.version, error=error))
        out += self._scan(loaded, structural, per_record, coverage, uncovered)
        for j in judged:
            kind = kinds.of(j.rule)
            if isinstance(kind, QueryKind):
                try:
                    out.append(self._own_queries(kind, loaded, j))
                except self.engine.Error as err:
                    out.append(RulePartial(j.rule, j.version, error=self.errors.of(err, j.rule)))
        return out

    def _fanout_error(self, rule: CompiledRule) -> Any:
        try:
            return self.fanouts.check(rule)
        except self.engine.Error as err:
            return self.errors.of(err, rule)

    # -- the fused scan ---------------------------------------------------------------------------
    def _checks(self, structural: list[StructuralCheck], judged: list[Judged],
                coverage: list[Coverage]) -> list[RowCheck]:
        checks = [RowCheck(s.rule_id, tree(s.violation), exp.true(),
                             waivers=tuple(self.waiving.trees(s.rule_id))) for s in structural]
        shared: dict[tuple[str, str], str] = {}
        checks += [row_check(j.rule, i, self.waiving.trees(j.rule.id), shared) for i, j in enumerate(judged)]
        return checks + [RowCheck(f"__uncovered:{c.ruleset}", c.uncovered, exp.true()) for c in coverage]

    def _scan(self, loaded: Loaded, structural: list[StructuralCheck], judged: list[Judged],
              coverage: list[Coverage], uncovered: Uncovered) -> list[Partial]:
        out: list[Partial] = []
        # a rule whose SQL fails on this data (a cast that cannot be made, say) errors on its own;
        # the scan then runs again without it, so one rule never stops the others
        while True:
            checks = self._checks(structural, judged, coverage)
            try:
                # counts, and first and last rows: the first rows of the checks that failed more than
                # twice come with their fingerprints below
                answers = read_fused(self.engine.fetchall(
                    fused_scan(loaded.table, checks, self.n, self.table_of, first_rows=False))[0], checks, self.n)
                break
            except self.engine.Error:
                bad = self._failing_rules(loaded, judged)
                if not bad:
                    raise
                out += [RulePartial(j.rule, j.version, error=message) for j, message in bad]
                judged = [j for j in judged if all(j is not b for b, _x in bad)]
        severities = [s.severity for s in structural] + [j.rule.rule.severity.value for j in judged]
        self._all_rows(loaded, checks, answers, severities)
        self.records.fetch(loaded, sorted({r for a in answers for r in a.rows + a.waived_rows}))
        ns, nj = len(structural), len(judged)
        for check, a in zip(structural, answers[:ns], strict=True):
            self.waiving.count(a.per_waiver)
            out.append(SchemaPartial(check, a.checked, a.violations, a.waived,
                                     self.samples.structural(loaded, check, a.rows),
                                     self.samples.structural(loaded, check, a.waived_rows, waived=True)))
        for j, a in zip(judged, answers[ns:ns + nj], strict=True):
            self.waiving.count(a.per_waiver)
            out.append(RulePartial(j.rule, j.version, a.checked, a.violations, a.waived,
                                   [self.samples.record(loaded, j.rule, r, j.version) for r in a.rows],
                                   [self.samples.record(loaded, j.rule, r, j.version, waived=True)
                                    for r in a.waived_rows]))
        for c, a in zip(coverage, answers[ns + nj:], strict=True):
            uncovered[(c.ruleset, c.dataset)] = a.violations
        return out

    def _all_rows(self, loaded: Loaded, checks: list[RowCheck], answers: list[Answer],
                  severities: list[str]) -> None:
        """Fingerprint every violation of the failing checks; their first N rows become the samples."""
        failing = [i for i, a in enumerate(answers[: len(severities)]) if a.violations]
        # a check whose every violation the scan already listed needs no second scan for its keys
        # (unless --violations-out wants each one written with its key, in order)
        listed = {i for i in failing if self.violations.writer is None
                  and len(answers[i].rows) == answers[i].violations}
        self.records.fetch(loaded, sorted({r for i in listed for r in answers[i].rows}))
        for i in listed:
            for r in answers[i].rows:
                self.violations.add(checks[i].key, self.records.fingerprint(loaded, checks[i].key, r))
        rescan = [i for i in failing if i not in listed]
        if not rescan:
            return
        rows = violations_rows(loaded.table, [checks[i] for i in rescan], self.table_of, key_columns(loaded))
        firsts = self.violations.of(loaded, [checks[i].key for i in rescan], [severities[i] for i in rescan],
                                    rows, with_keys=True)
        for i, first in zip(rescan, firsts, strict=True):
            answers[i].rows = first

    def _failing_rules(self, loaded: Loaded, judged: list[Judged]) -> list[tuple[Judged, Any]]:
        bad = []
        for i, j in enumerate(judged):
            check = row_check(j.rule, i, self.waiving.trees(j.rule.id))
            try:
                self.engine.fetchall(fused_scan(loaded.table, [check], 1, self.table_of))
            except self.engine.Error as err:
                bad.append((j, self.errors.of(err, j.rule)))
        return bad

    # -- kinds with queries of their own ----------------------------------------------------------
    def _own_queries(self, kind: QueryKind, loaded: Loaded, j: Judged) -> RulePartial:
        """A rule version of a kind with queries of its own: what it found, as samples and fingerprints."""
        rule = j.rule
        found = kind.evaluate(rule, loaded.table, self.table_of, self.waiving.trees(rule.id),
                              _KindEvaluation(self, loaded, rule))
        self.waiving.count(found.per_waiver)
        self.records.fetch(loaded, found.rows + found.waived_rows)
        samples = [self.samples.record(loaded, rule, r, j.version) for r in found.rows]
        waived = [self.samples.record(loaded, rule, r, j.version, waived=True) for r in found.waived_rows]
        if found.groups:
            samples, waived = self._group_samples(loaded, j, found.groups)
        return RulePartial(rule, j.version, found.checked, found.violations, found.waived, samples, waived)

    def _group_samples(self, loaded: Loaded, j: Judged, hits: list[Any]) -> tuple[list[Sample], list[Sample]]:
        """Fingerprint (and write out) every failing group; the first N unwaived and waived ones as samples."""
        rule, names, lineage = j.rule, j.rule.group_names(), self.lineages.of(j.rule)
        writer = self.violations.writer
        samples: list[Sample] = []
        waived: list[Sample] = []
        for hit in hits:
            bucket = waived if hit.waiver else samples
            written = (writer is not None and not hit.waiver) or len(bucket) < self.n
            shown = self.samples.group_view(lineage, names, hit.values) if written else {}
            fp = self.prints(rule.id, hit.key_text, lineage.group_key_personal)
            if not hit.waiver:
                self.violations.add(rule.id, fp)
                if writer:
                    writer.add(rule.id, rule.rule.severity.value, loaded, None, shown)
            if len(bucket) < self.n:
                bucket.append(self.samples.group(rule, hit, shown, j.version, fp))
        return samples, waived

    @contextmanager
    def kept(self, sql: str) -> Iterator[str]:
        """The answer of ``sql`` kept by the engine under a fresh name while the block reads it."""
        self._n_kept += 1
        name = f"__kept_{self._n_kept}"
        self.engine.materialize(name, sql)
        try:
            yield name
        finally:
            self.engine.release(name)


class _KindEvaluation:
    """What a kind's own queries may use (:class:`checker.compile.kinds.base.Evaluation`), for one rule version."""

    def __init__(self, ev: Evaluator, loaded: Loaded, rule: CompiledRule):
        self._ev, self._loaded, self._rule = ev, loaded, rule
        self.samples = ev.n

    def fetchall(self, query: exp.Expression) -> list[tuple[Any, ...]]:
        return self._ev.engine.fetchall(query.sql(dialect=DIALECT))

    @contextmanager
    def kept(self, query: exp.Expression) -> Iterator[exp.Table]:
        with self._ev.kept(query.sql(dialect=DIALECT)) as name:
            yield exp.to_table(name)

    def key_text(self, parts: list[exp.Expression]) -> exp.Expression:
        return key_text([p.sql(dialect=DIALECT) for p in parts])

    def list_violations(self, rows: exp.Select) -> None:
        self._ev.violations.of(self._loaded, [self._rule.id], [self._rule.rule.severity.value], rows)
