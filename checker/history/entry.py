"""A history entry: one run, as the store keeps it, and the hash that chains it to the one before.

An entry is three kinds of rows: the run (its as-of date, series, the result file's SHA-256, the
summary), one row per rule result (status and counts, clauses and regulations) and one row per
violation fingerprint (with the as-of dates it was first and last seen).  Fingerprints are those of
the result (:mod:`checker.baseline`): a record's key, or an aggregate's group key, hashed with the
rule id — and where that key is personal data, an HMAC under the run's secret, or nothing at all.
No key, value or message is stored.

The entry's hash is SHA-256 over a canonical JSON text of every stored field of all three kinds of
rows and of the previous entry's hash, so changing, adding or removing any stored row, or an entry
of the chain, shows when the chain is verified (:func:`checker.history.store.Store.verify`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from checker.model.result import Result

#: the previous hash of the first entry
GENESIS = "0" * 64
#: rule statuses whose fingerprints say what was found (an error or a skip found nothing either way)
JUDGED = ("pass", "fail")


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    ruleset: str | None
    versions: str                  # JSON list of the ruleset versions that judged it
    dataset: str
    severity: str
    clauses: str                   # JSON list of clause ids
    regulations: str               # JSON list of regulation ids
    status: str
    checked: int
    violations: int
    waived: int
    tracked: bool                  # its violations have fingerprints (false: personal keys without a secret)


class ViolationRow(NamedTuple):       # a tuple: a run may store hundreds of thousands
    rule_id: str
    fingerprint: str
    first_seen: str                # as-of date of the first run of the series in which it was open, unbroken
    last_seen: str                 # as-of date of this run


RULE_FIELDS = tuple(f.name for f in fields(RuleRow))


@dataclass
class Entry:
    seq: int
    series: str
    as_of: str
    started_at: str
    recorded_at: str
    tool_version: str
    result_sha256: str
    rulesets: str                  # JSON list of {id, version, sha256}
    datasets: str                  # JSON list of {dataset, sha256, rows}
    summary: str                   # JSON of the result's summary
    exit_code: int
    prev_hash: str
    hash: str = ""
    #: violations not open in the series before this run, and open ones it no longer found, as the store
    #: knew the series when the run was appended (None for its first run); ``checker history`` recounts
    new_violations: int | None = None
    fixed_violations: int | None = None
    rules: list[RuleRow] = field(default_factory=list)
    violations: list[ViolationRow] = field(default_factory=list)

    RUN_FIELDS = ("seq", "series", "as_of", "started_at", "recorded_at", "tool_version", "result_sha256",
                  "rulesets", "datasets", "summary", "exit_code", "new_violations", "fixed_violations", "prev_hash",
                  "hash")

    def run_row(self) -> tuple:
        return tuple(getattr(self, f) for f in self.RUN_FIELDS)

    def computed_hash(self) -> str:
        """SHA-256 of everything stored for this entry (its own hash aside) and the previous hash."""
        run = {f: getattr(self, f) for f in self.RUN_FIELDS if f != "hash"}
        # rows in the order of their keys (a rule id is one row of an entry; a rule's fingerprint one violation)
        rules = [[getattr(r, f) for f in RULE_FIELDS] for r in sorted(self.rules, key=lambda r: r.rule_id)]
        violations = sorted(self.violations)          # tuples, by (rule id, fingerprint): unique in an entry
        text = json.dumps({"run": run, "rules": rules, "violations": violations}, ensure_ascii=False,
                          sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def series_of(result: Result) -> str:
    """The series a run belongs to: the same rulesets (by id) over the same datasets."""
    key = {"rulesets": sorted({r.id for r in result.rulesets}), "datasets": sorted({i.dataset for i in result.inputs})}
    return hashlib.sha256(_dumps(key).encode("utf-8")).hexdigest()[:16]


def rule_rows(result: Result) -> list[RuleRow]:
    regulation = {c.id: c.regulation for c in result.catalog}
    rows = []
    for r in result.results:
        versions = r.ruleset_version if isinstance(r.ruleset_version, list) else (
            [r.ruleset_version] if r.ruleset_version else [])
        regs = sorted({regulation.get(c) or c.split(".", 1)[0] for c in r.clauses})
        rows.append(RuleRow(rule_id=r.rule_id, ruleset=r.ruleset, versions=_dumps(versions), dataset=r.dataset,
                            severity=r.severity, clauses=_dumps(list(r.clauses)), regulations=_dumps(regs),
                            status=r.status, checked=r.checked, violations=r.violations, waived=r.waived,
                            tracked=r.violations == 0 or bool(r.fingerprints)))
    return rows


def make_entry(result: Result, result_sha256: str, seq: int, prev_hash: str, recorded_at: str,
               first_seen: dict[tuple[str, str], str], changes: tuple[int, int] | None = None) -> Entry:
    """The entry of one run; ``first_seen`` holds the streak starts known from the series' earlier runs,
    ``changes`` the counts of new and fixed violations (None for the series' first run)."""
    entry = Entry(
        seq=seq, series=series_of(result), as_of=result.as_of, started_at=result.run.started_at,
        recorded_at=recorded_at, tool_version=result.tool.version, result_sha256=result_sha256,
        rulesets=_dumps([{"id": r.id, "version": r.version, "sha256": r.sha256} for r in result.rulesets]),
        datasets=_dumps([{"dataset": i.dataset, "sha256": i.sha256, "rows": i.rows} for i in result.inputs]),
        summary=_dumps(result.summary.model_dump()), exit_code=result.exit_code, prev_hash=prev_hash,
        rules=rule_rows(result), new_violations=changes[0] if changes else None,
        fixed_violations=changes[1] if changes else None)
    day = result.as_of
    entry.violations = sorted(ViolationRow(r.rule_id, fp, first_seen.get((r.rule_id, fp), day), day)
                              for r in result.results if r.status in JUDGED for fp in r.fingerprints)
    entry.hash = entry.computed_hash()
    return entry
