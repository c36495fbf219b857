"""Evaluation: run the planned queries on the engine and turn their answers into results.

Per dataset, one fused scan counts every structural check and every judged rule
version (split into unwaived and waived violations, with per-waiver matches) and keeps
the first N violating rows of each; a second scan lists every unwaived violation's key,
for fingerprints (baselines) and ``--violations-out``.  Uniqueness and aggregate rules
are one query per judged version.  Versions of one rule are then merged into one result.

Personal data is tracked by lineage (:mod:`checker.compile.lineage`): every value written
(sample keys, messages, ``--violations-out`` keys) is masked where it derives from an ``x-pii``
column, unless ``--show-pii``; fingerprints of personal keys are keyed hashes or absent
(:class:`checker.baseline.Fingerprinter`); engine error texts are scrubbed of the values they
quote (:mod:`checker.scrub`), inside and out of a rule's result.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import sqlglot

from sqlglot import exp

from checker.baseline import Baseline, Fingerprinter, fingerprint_sql, key_text_sql
from checker.compile import kinds
from checker.compile import lineage as L
from checker.compile import plan as P
from checker.compile.kinds.base import GroupHit, QueryKind
from checker.compile.expr import DIALECT
from checker.compile.rules import MAIN_ALIAS, CompiledRule
from checker.compile.sqlfrag import qi, ql
from checker.compile.structural import StructuralCheck, compile_structural
from checker.compile.versions import Coverage, Judged
from checker.engine.duckdb import DuckDBEngine
from checker.engine.loading import Loaded
from checker.i18n import LANGS, Joined, Msg, _, both
from checker.messages import display, mask, record_view
from checker.model.result import BaselineCount, RuleResult, Sample, Texts, VersionCount
from checker.scrub import first_line
from checker.scrub import kind as error_kind
from checker.waivers import Waiver, for_rule


@dataclass
class Partial:
    """What one check (one rule version, or one structural check) found."""

    rule_id: str
    version: str | None
    checked: int = 0
    violations: int = 0
    waived: int = 0
    samples: list[Sample] = field(default_factory=list)
    waived_samples: list[Sample] = field(default_factory=list)
    error: str | Msg | Joined | None = None
    rule: CompiledRule | None = None
    structural: StructuralCheck | None = None


def _sql(node: exp.Expression | None) -> str:
    return "FALSE" if node is None else node.sql(dialect=DIALECT)


class EngineFailure(RuntimeError):
    """An engine error no single check accounts for; its text is scrubbed of record values."""


class Evaluator:
    def __init__(self, engine: DuckDBEngine, loaded: dict[str, Loaded], opts, waivers: list[Waiver],
                 baseline: Baseline | None = None, on_dataset=None, prints: Fingerprinter | None = None):
        self.on_dataset = on_dataset or (lambda name: None)
        self.engine = engine
        self.loaded = loaded
        self.schemas = {name: l.schema for name, l in loaded.items()}
        self.prints = prints or Fingerprinter.from_environment()
        self._lineages: dict[int, L.RuleLineage] = {}
        self.opts = opts
        self.n = opts.max_samples
        self.waivers = waivers
        self.baseline = baseline
        self.matches: dict[str, int] = {w.id: 0 for w in waivers}
        self.fingerprints: dict[str, set[str]] = {}
        self._records: dict[tuple[str, int], dict[str, Any]] = {}
        self._key_text: dict[tuple[str, int], str] = {}
        self._fanouts: dict[tuple[str, str, str], tuple[int, int | None]] = {}
        self._n_kept = 0
        self._writer = ViolationWriter(opts.violations_out) if opts.violations_out else None

    def table_of(self, dataset: str) -> str:
        return self.loaded[dataset].table

    # -- driver ----------------------------------------------------------------------------------
    def run(self, judged: list[Judged], coverage: list[Coverage]) -> tuple[list[RuleResult], dict[tuple[str, str], int]]:
        partials: list[Partial] = []
        uncovered: dict[tuple[str, str], int] = {}
        try:
            for name, loaded in sorted(self.loaded.items()):
                self.on_dataset(name)
                mine = [j for j in judged if j.rule.dataset == name
                        and all(s.dataset in self.loaded for s in j.rule.joins)]
                cov = [c for c in coverage if c.dataset == name]
                partials.extend(self._dataset(loaded, compile_structural(loaded), mine, cov, uncovered))
            if self._writer:
                self._writer.close()
        except self.engine.Error as err:  # never let an engine's text (and the values it quotes) out unscrubbed
            if self._writer:
                self._writer.close(complete=False)
            raise EngineFailure(first_line(err)) from None
        except BaseException:
            if self._writer:
                self._writer.close(complete=False)
            raise
        results = self._merge(partials, uncovered)
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
                 coverage: list[Coverage], uncovered: dict) -> list[Partial]:
        out: list[Partial] = []
        row_judged: list[Judged] = []
        for j in judged:
            if kinds.of(j.rule).per_record:
                error = self._guard(j.rule, lambda: self._fanout(j.rule))
                if error:
                    out.append(Partial(j.rule.id, j.version, error=error, rule=j.rule))
                else:
                    row_judged.append(j)
        # a rule whose SQL fails on this data (a cast that cannot be made, say) errors on its own;
        # the scan then runs again without it, so one rule never stops the others
        while True:
            checks = [P.RowCheck(s.rule_id, s.violation, "TRUE", waivers=tuple(self._waiver_sql(s.rule_id)))
                      for s in structural]
            shared: dict[tuple[str, str], str] = {}
            checks += [P.row_check(j.rule, i, self._waiver_sql(j.rule.id), shared) for i, j in enumerate(row_judged)]
            checks += [P.RowCheck(f"__uncovered:{c.ruleset}", _sql(c.uncovered), "TRUE") for c in coverage]
            try:
                # counts, and first and last rows: the first rows of the checks that failed more than
                # twice come with their fingerprints below
                answers = P.read_fused(self.engine.fetchall(
                    P.fused_scan(loaded.table, checks, self.n, self.table_of, first_rows=False))[0], checks, self.n)
                break
            except self.engine.Error:
                bad = self._failing_rules(loaded, row_judged)
                if not bad:
                    raise
                for j, message in bad:
                    out.append(Partial(j.rule.id, j.version, error=message, rule=j.rule))
                row_judged = [j for j in row_judged if all(j is not b for b, _x in bad)]
        severities = [s.severity for s in structural] + [j.rule.rule.severity.value for j in row_judged]
        failing = [i for i, a in enumerate(answers[: len(severities)]) if a.violations]
        # a check whose every violation the scan already listed needs no second scan for its keys
        # (unless --violations-out wants each one written with its key, in order)
        listed = {i for i in failing if self._writer is None and len(answers[i].rows) == answers[i].violations}
        self._fetch(loaded, sorted({r for i in listed for r in answers[i].rows}))
        for i in listed:
            prints = (self._fingerprint(loaded, checks[i].key, r) for r in answers[i].rows)
            self.fingerprints.setdefault(checks[i].key, set()).update(fp for fp in prints if fp is not None)
        rescan = [i for i in failing if i not in listed]
        firsts = self._keys_of_violations(loaded, [checks[i] for i in rescan], [severities[i] for i in rescan])
        for i, rows in zip(rescan, firsts):
            answers[i].rows = rows
        self._fetch(loaded, sorted({r for a in answers for r in a.rows + a.waived_rows}))
        for check, a in zip(structural, answers):
            self._count_waivers(check.rule_id, a.per_waiver)
            samples = self._structural_samples(loaded, check, a.rows)
            waived = self._structural_samples(loaded, check, a.waived_rows, waived=True)
            out.append(Partial(check.rule_id, None, a.checked, a.violations, a.waived, samples, waived,
                               structural=check))
        for j, a in zip(row_judged, answers[len(structural):]):
            self._count_waivers(j.rule.id, a.per_waiver)
            out.append(Partial(j.rule.id, j.version, a.checked, a.violations, a.waived,
                               [self._record_sample(loaded, j.rule, r, j.version) for r in a.rows],
                               [self._record_sample(loaded, j.rule, r, j.version, waived=True) for r in a.waived_rows],
                               rule=j.rule))
        for c, a in zip(coverage, answers[len(structural) + len(row_judged):]):
            uncovered[(c.ruleset, c.dataset)] = a.violations
        for j in judged:
            kind = kinds.of(j.rule)
            if isinstance(kind, QueryKind):
                try:
                    out.append(self._own_queries(kind, loaded, j))
                except self.engine.Error as err:
                    out.append(Partial(j.rule.id, j.version, error=self._engine_error(err, j.rule), rule=j.rule))
        return out

    def _failing_rules(self, loaded: Loaded, judged: list[Judged]) -> list[tuple[Judged, str]]:
        bad = []
        for i, j in enumerate(judged):
            check = P.row_check(j.rule, i, self._waiver_sql(j.rule.id))
            try:
                self.engine.fetchall(P.fused_scan(loaded.table, [check], 1, self.table_of))
            except self.engine.Error as err:
                bad.append((j, self._engine_error(err, j.rule)))
        return bad

    def _guard(self, rule: CompiledRule, fn):
        try:
            return fn()
        except self.engine.Error as err:
            return self._engine_error(err, rule)

    def _engine_error(self, err: Exception, rule: CompiledRule) -> Joined:
        """A rule's engine error as its result says it: the error's kind and wording with every value
        it quoted replaced by '…', and the columns the rule reads.  When the rule or one of its waivers
        reads personal data, only the error's kind is kept: an engine may quote a value in ways no
        scrubbing foresees (an invalid regular expression taken from a column, say)."""
        reads = self._lineage(rule).read_names
        personal = self._reads_personal(rule)
        if personal:
            what: Any = _("{kind} (details withheld: the rule reads personal data)", kind=error_kind(err))
        else:
            what = first_line(err)
        parts = [_("the SQL of rule {rule} failed on this data: {what}", rule=rule.id, what=what)]
        if reads:
            parts.append(_("the rule reads {columns}; values from the data are not shown", columns=", ".join(reads)))
        parts.append(_("check the types the rule compares (run `checker lint`) and its parameters and waivers"))
        return Joined(parts)

    def _reads_personal(self, rule: CompiledRule) -> bool:
        """Whether the rule's SQL or a live waiver of it reads an ``x-pii`` column."""
        def pii(dataset: str, column: str) -> bool:
            schema = self.schemas.get(dataset)
            return bool(schema and column in schema.columns and schema.columns[column].pii)

        if any(pii(ds, col) for ds, col in self._lineage(rule).reads):
            return True
        own = self.schemas.get(rule.dataset)
        return any(own is not None and c.name in own.pii_columns
                   for w in for_rule(self.waivers, rule.id) for c in w.condition.find_all(exp.Column))

    def _lineage(self, rule: CompiledRule) -> L.RuleLineage:
        if id(rule) not in self._lineages:
            self._lineages[id(rule)] = L.of_rule(rule, self.schemas)
        return self._lineages[id(rule)]

    # -- waivers ---------------------------------------------------------------------------------
    def _waiver_sql(self, rule_id: str) -> list[tuple[str, str]]:
        return [(w.id, _sql(w.condition)) for w in for_rule(self.waivers, rule_id)]

    def _count_waivers(self, rule_id: str, per_waiver: dict[str, int]) -> None:
        for wid, n in per_waiver.items():
            self.matches[wid] = self.matches.get(wid, 0) + n

    def _which_waiver(self, loaded: Loaded, rule_id: str, row: int) -> str | None:
        for wid, cond in self._waiver_sql(rule_id):
            hit = self.engine.fetchall(f"SELECT count(*) FROM {loaded.table} AS {MAIN_ALIAS} "
                                       f"WHERE {loaded.rows_where(MAIN_ALIAS, [row])} AND coalesce(({cond}), FALSE)")
            if hit[0][0]:
                return wid
        return None

    # -- kinds -----------------------------------------------------------------------------------
    def _fanout(self, rule: CompiledRule) -> str | None:
        for spec in rule.joins:
            count, first = self._fanout_of(rule, spec)
            if count:
                return (f"join '{spec.alias}' ({spec.dataset}) is not many-to-one: {count} records of "
                        f"{rule.dataset} meet more than one {spec.dataset} record (first at row {first}); "
                        f"make the joined side unique on the join columns, or write an aggregate rule")
        return None

    #: column types whose equality is the same as grouping equality (no cast between the two sides)
    _EXACT_KEYS = frozenset({"VARCHAR", "BIGINT", "DATE", "TIMESTAMP", "BOOLEAN"})

    def _fanout_of(self, rule: CompiledRule, spec) -> tuple[int, int | None]:
        """(records meeting more than one joined record, the first one); one answer per distinct join.

        When the join is column equalities of one type, a joined side without duplicate keys settles
        it from the joined side alone; only otherwise are the two sides joined.
        """
        cache_key = (rule.dataset, spec.dataset, spec.on.sql(dialect=DIALECT))
        if cache_key in self._fanouts:
            return self._fanouts[cache_key]
        answer = None
        keys = P.join_keys(spec)
        if keys is not None:
            theirs, ours = self.loaded[spec.dataset].schema.columns, self.loaded[rule.dataset].schema.columns
            if all(j in theirs and m in ours and theirs[j].sql_type == ours[m].sql_type
                   and theirs[j].sql_type in self._EXACT_KEYS for j, m in keys):
                q = P.duplicate_keys_query(spec, [j for j, _k in keys], self.table_of)
                if self.engine.fetchall(q.sql(dialect=DIALECT))[0][0] == 0:
                    answer = (0, None)
        if answer is None:
            q = P.fanout_query(rule, spec, self.table_of(rule.dataset), self.table_of)
            count, first = self.engine.fetchall(q.sql(dialect=DIALECT))[0]
            answer = (int(count), first)
        self._fanouts[cache_key] = answer
        return answer

    def _own_queries(self, kind: QueryKind, loaded: Loaded, j: Judged) -> Partial:
        """A rule version of a kind with queries of its own: what it found, as samples and fingerprints."""
        rule = j.rule
        waivers = [(w.id, w.condition) for w in for_rule(self.waivers, rule.id) if w.condition is not None]
        found = kind.evaluate(rule, loaded.table, self.table_of, waivers, _KindEvaluation(self, loaded, rule))
        self._count_waivers(rule.id, found.per_waiver)
        self._fetch(loaded, found.rows + found.waived_rows)
        samples = [self._record_sample(loaded, rule, r, j.version) for r in found.rows]
        waived = [self._record_sample(loaded, rule, r, j.version, waived=True) for r in found.waived_rows]
        if found.groups:
            samples, waived = self._group_samples(loaded, j, found.groups)
        return Partial(rule.id, j.version, found.checked, found.violations, found.waived, samples, waived, rule=rule)

    def _group_samples(self, loaded: Loaded, j: Judged, hits: list[GroupHit]) -> tuple[list[Sample], list[Sample]]:
        """Fingerprint (and write out) every failing group; the first N unwaived and waived ones as samples."""
        rule, names, lineage = j.rule, j.rule.group_names(), self._lineage(j.rule)
        samples: list[Sample] = []
        wsamples: list[Sample] = []
        for hit in hits:
            bucket = wsamples if hit.waiver else samples
            written = (self._writer is not None and not hit.waiver) or len(bucket) < self.n
            shown = self._group_view(lineage, names, hit.values) if written else {}
            fp = self.prints(rule.id, hit.key_text, lineage.group_key_personal)
            if not hit.waiver:
                if fp is not None:
                    self.fingerprints.setdefault(rule.id, set()).add(fp)
                if self._writer:
                    self._writer.add(rule.id, rule.rule.severity.value, loaded, None, shown)
            if len(bucket) < self.n:
                record = dict(shown)
                record.update(group=shown, row=None, records=hit.records)
                texts = self._texts(rule, record)
                bucket.append(Sample.of(texts, row=None, key=shown,
                                     version=j.version, fingerprint=fp, waiver=hit.waiver))
        return samples, wsamples

    def _group_view(self, lineage: L.RuleLineage, names: list[str], values) -> dict[str, Any]:
        """A group key as every output shows it (sample key, message, --violations-out): display values,
        each one derived from an x-pii column masked unless --show-pii.  A bare column is masked as its
        column is everywhere (``138****5678``); any other expression keeps only its first and last
        characters, since its value may join several personal values (``concat(email, name)``), each
        of which a longer visible end could show whole."""
        out = {}
        for name, value in zip(names, values):
            value = display(value)
            if value is not None and name in lineage.personal_groups and not self.opts.show_pii:
                value = _mask_derived(value) if name in lineage.derived_groups else mask(value)
            out[name] = value
        return out

    @contextmanager
    def _kept(self, sql: str):
        """The answer of ``sql`` kept by the engine under a fresh name while the block reads it."""
        self._n_kept += 1
        name = f"__kept_{self._n_kept}"
        self.engine.materialize(name, sql)
        try:
            yield name
        finally:
            self.engine.release(name)

    # -- records, keys, fingerprints ---------------------------------------------------------------
    def _key_columns(self, loaded: Loaded) -> list[str]:
        return list(L.record_key(loaded.schema))

    def _fetch(self, loaded: Loaded, rows: list[int]) -> None:
        want = sorted({r for r in rows if (loaded.schema.name, r) not in self._records})
        if not want:
            return
        cols = list(loaded.schema.columns)
        kt = key_text_sql([qi(c) for c in self._key_columns(loaded)])
        sql = (f"SELECT __row, {kt}, {', '.join(qi(c) for c in cols)} FROM {loaded.table} "
               f"WHERE {loaded.rows_where('', want)}")
        for values in self.engine.fetchall(sql):
            self._records[(loaded.schema.name, values[0])] = dict(zip(cols, values[2:]))
            self._key_text[(loaded.schema.name, values[0])] = values[1]

    def _fingerprint(self, loaded: Loaded, rule_id: str, row: int) -> str | None:
        return self.prints(rule_id, self._key_text.get((loaded.schema.name, row), ""),
                           L.record_key_personal(loaded.schema))

    def _shown_key(self, loaded: Loaded, row: int) -> dict[str, Any] | None:
        if not loaded.schema.key:
            return None
        record = self._records.get((loaded.schema.name, row), {})
        return self._key_view(loaded, {k: record.get(k) for k in loaded.schema.key})

    def _key_view(self, loaded: Loaded, key: dict[str, Any]) -> dict[str, Any]:
        """A record key as samples and --violations-out show it: display values, x-pii columns masked."""
        return record_view(key, loaded.schema.pii_columns, self.opts.show_pii)

    def _print_sql(self, loaded: Loaded, rule_id_sql: str, key_text: str) -> str:
        """SQL for what a violation's fingerprint is made from: the fingerprint itself (md5, by the engine)
        where the record key is not personal data; its key text where it is and a secret is set (hashed by
        :attr:`prints`); else NULL (no fingerprint)."""
        if not L.record_key_personal(loaded.schema):
            return fingerprint_sql(rule_id_sql, key_text)
        return key_text if self.prints.keyed else "NULL"

    def _made(self, personal: bool, rule_id: str, selected: list) -> list[str]:
        """The fingerprints from what :meth:`_print_sql` selected, one per violation (none where withheld)."""
        if not personal:
            return selected
        made = (self.prints(rule_id, value, personal=True) for value in selected)
        return [fp for fp in made if fp is not None]

    def _fingerprints_of(self, loaded: Loaded, rule_ids: list[str], severities: list[str],
                         rows_sql: str, with_keys: bool = False) -> list[list[int]]:
        """Fingerprint every violation listed by ``rows_sql`` (columns __k, __row, and the key columns
        when ``with_keys``), computed by the engine; return the first N rows of each check (its samples).

        With --violations-out the rows are streamed to the file too; otherwise only the
        fingerprints travel, one list per check.
        """
        cols = self._key_columns(loaded)
        ids = "[" + ", ".join(ql(r) for r in rule_ids) + "]"
        at = "v" if with_keys else "t"
        fp = self._print_sql(loaded, f"{ids}[v.__k + 1]", key_text_sql([f"{at}.{qi(c)}" for c in cols]))
        base = f"SELECT v.__k, v.__row, {fp} AS __fp{''.join(f', {at}.' + qi(c) for c in cols)} FROM ({rows_sql}) AS v"
        if not with_keys:
            base += f" JOIN {loaded.table} AS t ON t.__row = v.__row"
        firsts: list[list[int]] = [[] for _i in rule_ids]
        personal = L.record_key_personal(loaded.schema)
        if not self._writer:
            for k, prints, rows in self.engine.fetchall(
                    f"SELECT __k, list(__fp), min(__row, {max(self.n, 1)}) FROM ({base}) GROUP BY __k"):
                self.fingerprints.setdefault(rule_ids[k], set()).update(self._made(personal, rule_ids[k], prints))
                firsts[k] = sorted(rows)[: self.n]
            return firsts
        cursor = self.engine.execute(base + " ORDER BY v.__k, v.__row")
        while True:
            batch = cursor.fetchmany(50_000)
            if not batch:
                break
            for k, row, fp_value, *values in batch:
                fp = self.prints(rule_ids[k], fp_value, personal=True) if personal else fp_value
                if fp is not None:
                    self.fingerprints.setdefault(rule_ids[k], set()).add(fp)
                if len(firsts[k]) < self.n:
                    firsts[k].append(row)
                key = None
                if loaded.schema.key:
                    key = self._key_view(loaded, dict(zip(cols, values))) if personal else \
                        {c: display(v) for c, v in zip(cols, values)}
                self._writer.add(rule_ids[k], severities[k], loaded, row, key)
        return firsts

    def _keys_of_violations(self, loaded: Loaded, checks: list[P.RowCheck], severities: list[str]) -> list[list[int]]:
        if not checks:
            return []
        return self._fingerprints_of(loaded, [c.key for c in checks], severities,
                                     P.violations_rows(loaded.table, checks, self.table_of,
                                                       self._key_columns(loaded)), with_keys=True)

    # -- samples ---------------------------------------------------------------------------------
    @staticmethod
    def _texts(rule: CompiledRule, record: dict[str, Any]) -> Texts:
        """A sample's message in every language: the rule's message template, else its title."""
        if rule.message:
            return Texts(**{lang: rule.message.render(lang, record) for lang in LANGS})
        return Texts(zh=rule.rule.title.get("zh"), en=rule.rule.title.get("en"))

    def _record_sample(self, loaded: Loaded, rule: CompiledRule, row: int, version: str | None,
                       waived: bool = False) -> Sample:
        record = self._records.get((loaded.schema.name, row), {})
        view = record_view(record, self._lineage(rule).personal_variables(record), self.opts.show_pii)
        view["row"] = row
        texts = self._texts(rule, view)
        return Sample.of(texts, row=row, key=self._shown_key(loaded, row),
                      version=version,
                      fingerprint=self._fingerprint(loaded, rule.id, row),
                      waiver=self._which_waiver(loaded, rule.id, row) if waived else None)

    def _structural_samples(self, loaded: Loaded, check: StructuralCheck, rows: list[int],
                            waived: bool = False) -> list[Sample]:
        if not rows:
            return []
        sql = (f"SELECT t.__row, {check.evidence} FROM {loaded.table} AS t "
               f"WHERE {loaded.rows_where('t', rows)} ORDER BY t.__row")
        samples = []
        for row, evidence in self.engine.fetchall(sql):
            value = "null" if evidence is None else str(evidence)
            if check.pii and not self.opts.show_pii and evidence is not None:
                value = mask(value)
            shown = value if check.keyword == "shape" else (f"'{value}'" if evidence is not None else "null")
            texts = Texts(**both(check.message(shown, null=evidence is None)))
            samples.append(Sample.of(texts, row=row, key=self._shown_key(loaded, row),
                                  fingerprint=self._fingerprint(loaded, check.rule_id, row),
                                  waiver=self._which_waiver(loaded, check.rule_id, row) if waived else None))
        return samples

    # -- merging ---------------------------------------------------------------------------------
    def _merge(self, partials: list[Partial], uncovered: dict) -> list[RuleResult]:
        by_id: dict[str, list[Partial]] = {}
        for p in partials:
            by_id.setdefault(p.rule_id, []).append(p)
        results = []
        for rule_id, parts in by_id.items():
            first = parts[0]
            errors = [p.error for p in parts if p.error]
            error = Joined(errors)
            violations = sum(p.violations for p in parts)
            samples = sorted((s for p in parts for s in p.samples), key=_order)[: self.n]
            waived_samples = sorted((s for p in parts for s in p.waived_samples), key=_order)[: self.n]
            prints = sorted(self.fingerprints.get(rule_id, set()))
            base = None
            # a check whose fingerprints were withheld (personal keys, no secret) cannot be compared
            if self.baseline is not None and rule_id not in self.prints.withheld:
                known = self.baseline.known(rule_id)
                new = len(set(prints) - known)
                base = BaselineCount(new=new, existing=len(prints) - new, fixed=len(known - set(prints)))
                for s in samples:
                    s.new = s.fingerprint not in known
            status = "error" if errors else ("fail" if violations else "pass")
            if first.structural is not None:
                check = first.structural
                loaded = self.loaded[check.dataset]
                results.append(RuleResult(
                    rule_id=rule_id, ruleset=None, ruleset_version=None, kind="schema", clauses=[],
                    severity=check.severity, dataset=check.dataset, status=status, checked=first.checked,
                    violations=violations, waived=sum(p.waived for p in parts), samples=samples,
                    waived_samples=waived_samples, baseline=base, fingerprints=prints,
                    location=str(loaded.schema.columns[check.column].span) if check.column else loaded.schema.path))
                continue
            rule = first.rule
            versions = [VersionCount(version=p.version, checked=p.checked, violations=p.violations, waived=p.waived,
                                     sql=P.explain_sql(p.rule) if p.rule is not None else None)
                        for p in sorted(parts, key=lambda p: _semver(p.version))]
            labels = [v.version for v in versions]
            results.append(RuleResult(
                rule_id=rule_id, ruleset=rule.ruleset.ruleset,
                ruleset_version=labels[0] if len(labels) == 1 else labels,
                title={"zh": rule.rule.title.zh, "en": rule.rule.title.en}, kind=rule.kind,
                clauses=list(rule.rule.clauses), severity=rule.rule.severity.value, dataset=rule.dataset,
                status=status, checked=sum(p.checked for p in parts), violations=violations,
                waived=sum(p.waived for p in parts), samples=samples, waived_samples=waived_samples,
                versions=versions, uncovered=uncovered.get((rule.ruleset.ruleset, rule.dataset), 0),
                baseline=base, fingerprints=prints, error=None,
                errors=Texts(**both(error)) if errors else None, location=str(rule.span),
                sql=P.explain_sql(rule)))
        return results


class _KindEvaluation:
    """What a kind's own queries may use (:class:`checker.compile.kinds.base.Evaluation`), for one rule version."""

    def __init__(self, ev: Evaluator, loaded: Loaded, rule: CompiledRule):
        self._ev, self._loaded, self._rule = ev, loaded, rule
        self.samples = ev.n

    def fetchall(self, query: exp.Expression) -> list[tuple[Any, ...]]:
        return self._ev.engine.fetchall(query.sql(dialect=DIALECT))

    @contextmanager
    def kept(self, query: exp.Expression) -> Iterator[exp.Table]:
        with self._ev._kept(query.sql(dialect=DIALECT)) as name:
            yield exp.to_table(name)

    def key_text(self, parts: list[exp.Expression]) -> exp.Expression:
        return sqlglot.parse_one(key_text_sql([p.sql(dialect=DIALECT) for p in parts]), read=DIALECT)

    def list_violations(self, rows: exp.Select) -> None:
        self._ev._fingerprints_of(self._loaded, [self._rule.id], [self._rule.rule.severity.value],
                                  rows.sql(dialect=DIALECT))


def _mask_derived(value: Any) -> str:
    """A value derived from personal data by an expression, masked: its first and last characters only."""
    text = str(value)
    return text[:1] + "*" * (len(text) - 2) + text[-1:] if len(text) > 2 else "*" * len(text)


def _order(sample: Sample) -> tuple:
    return (sample.row is None, sample.row or 0)


def _semver(version: str | None) -> tuple:
    from checker.model.ruleset import SEMVER

    m = SEMVER.match(version or "")
    return tuple(int(x) for x in m.groups()[:3]) if m else (0, 0, 0)


class ViolationWriter:
    """Writes every violation to CSV or Parquet (by the file's extension), in batches.

    The file is written beside its final path and renamed into place when the run ends, so a failed
    run (a full disk, an engine error) leaves the previous file, or none, never half a file; a device
    (``/dev/null``) is written in place.  A write failure is a T503 problem.
    """

    COLUMNS = ("rule_id", "severity", "dataset", "path", "row", "key")

    def __init__(self, path: Path):
        import pyarrow as pa

        from checker.render.output import TEMP_PREFIX, special

        self.path = path
        self.format = "parquet" if path.suffix.lower() == ".parquet" else "csv"
        self.schema = pa.schema([("rule_id", pa.string()), ("severity", pa.string()), ("dataset", pa.string()),
                                 ("path", pa.string()), ("row", pa.int64()), ("key", pa.string())])
        self.buffer: list[tuple] = []
        self._target = path if special(path) else path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}.part")
        with self._failing():
            path.parent.mkdir(parents=True, exist_ok=True)
            if self.format == "parquet":
                import pyarrow.parquet as pq
                self.writer = pq.ParquetWriter(str(self._target), self.schema)
            else:
                import pyarrow.csv as pcsv
                self.writer = pcsv.CSVWriter(str(self._target), self.schema)

    @contextmanager
    def _failing(self):
        """OSError and Arrow's I/O errors as one T503 problem; the partial file removed."""
        import pyarrow as pa

        from checker.render.output import write_failed

        try:
            yield
        except (OSError, pa.ArrowException) as err:
            self._discard()
            oserr = err if isinstance(err, OSError) else OSError(None, str(err).strip().splitlines()[0])
            raise write_failed(oserr, self.path, "violations file") from None

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
        with self._failing():
            self.writer.write_table(table)
        self.buffer = []

    def close(self, complete: bool = True) -> None:
        """Finish the file and put it in place; with ``complete`` False (the run failed) remove it."""
        if not complete:
            self._discard()
            return
        with self._failing():
            self.flush()
            self.writer.close()
            if self._target != self.path:
                os.replace(self._target, self.path)

    def _discard(self) -> None:
        writer = getattr(self, "writer", None)
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001  the file is being thrown away
                pass
        if self._target != self.path:
            Path(self._target).unlink(missing_ok=True)
