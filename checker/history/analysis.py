"""What a history says: runs over time, violations by regulation, clause and rule, new and fixed, open
violations by age and time to fix — the model ``checker history`` renders (and prints as JSON).

Runs are read per series (the same rulesets over the same datasets) and ordered by as-of date (then by
entry number, for two runs of one day), whatever order they were appended in.  A violation is one
fingerprint of one rule; it is *open* from the first run that found it, unbroken, and *fixed* by the
first later run that judged its rule and did not find it.  A run in which the rule erred or was
skipped, or could not fingerprint it (personal keys without a secret), says nothing either way: what
was open stays open.  A rule that is no longer in the rulesets stops counting (neither open nor fixed).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import dataclass, field
from typing import Any

from checker.history.entry import JUDGED, Entry, RuleRow
from checker.history.store import Session

#: the age buckets of open violations, in days (the last is open-ended)
AGE_BUCKETS = ((0, 30), (31, 90), (91, 180), (181, None))


@dataclass
class RunPoint:
    seq: int
    as_of: str
    started_at: str
    result_sha256: str
    hash: str
    exit_code: int
    rules: int
    failed: int
    errored: int
    violations: int
    waived: int
    new: int | None          # None for the series' first run (nothing to compare with)
    fixed: int | None


@dataclass
class Line:
    """Violations of one regulation, clause or rule, one number per run of the series (None: not judged)."""

    id: str
    points: list[int | None]
    regulation: str | None = None
    severity: str | None = None
    dataset: str | None = None
    last: int | None = None


@dataclass
class OpenViolation:
    rule_id: str
    fingerprint: str
    first_seen: str
    last_seen: str
    age_days: int


@dataclass
class FixedViolation:
    rule_id: str
    fingerprint: str
    first_seen: str
    fixed_on: str
    days: int


@dataclass
class Bucket:
    low: int
    high: int | None
    count: int


@dataclass
class TimeToFix:
    fixed: int
    median_days: float | None
    mean_days: float | None
    max_days: int | None


@dataclass
class RuleFix:
    rule_id: str
    open: int
    fixed: int
    median_days: float | None


@dataclass
class Series:
    id: str
    rulesets: list[str]
    datasets: list[str]
    runs: list[RunPoint]
    regulations: list[Line]
    clauses: list[Line]
    rules: list[Line]
    open: list[OpenViolation]
    open_by_age: list[Bucket]
    fixed: list[FixedViolation]
    time_to_fix: TimeToFix
    by_rule: list[RuleFix]


@dataclass
class ChainCheck:
    entries: int
    head: str
    ok: bool
    breaks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class History:
    store: str
    since: str | None
    entries: int
    series: list[Series]
    chain: ChainCheck | None = None


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def _is_day(text: Any) -> bool:
    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


def ordered(runs: list[Entry]) -> list[Entry]:
    """Runs in as-of order; an entry whose as-of date is not a date (not as the checker wrote it: the chain
    check says so) cannot be placed, and is left out."""
    return sorted((e for e in runs if _is_day(e.as_of)), key=lambda e: (e.as_of, e.seq))


@dataclass
class Walk:
    """The series walked in as-of order: per run, new and fixed; at the end, what is open since when."""

    new: list[int | None] = field(default_factory=list)
    fixed_counts: list[int | None] = field(default_factory=list)
    open: dict[str, dict[str, str]] = field(default_factory=dict)      # rule -> fingerprint -> first seen
    last_seen: dict[tuple[str, str], str] = field(default_factory=dict)
    fixed: list[FixedViolation] = field(default_factory=list)


def walk(runs: list[Entry]) -> Walk:
    """``runs`` in as-of order, each with its rules and violations."""
    w = Walk()
    for i, run in enumerate(runs):
        prints: dict[str, set[str]] = {}
        for v in run.violations:
            prints.setdefault(v.rule_id, set()).add(v.fingerprint)
        present = {r.rule_id for r in run.rules}
        for gone in [rule for rule in w.open if rule not in present]:
            del w.open[gone]                                  # no longer in the rulesets: stops counting
        new_n = fixed_n = 0
        for r in run.rules:
            if r.status not in JUDGED or not r.tracked:
                continue                                      # says nothing either way
            now = prints.get(r.rule_id, set())
            was = w.open.setdefault(r.rule_id, {})
            for fp in sorted(set(was) - now):
                w.fixed.append(FixedViolation(r.rule_id, fp, was[fp], run.as_of, _days(was[fp], run.as_of)))
                del was[fp]
                fixed_n += 1
            for fp in now:
                if fp not in was:
                    was[fp] = run.as_of
                    new_n += 1
                w.last_seen[(r.rule_id, fp)] = run.as_of
        w.new.append(new_n if i else None)
        w.fixed_counts.append(fixed_n if i else None)
    return w


def stored_json(text: Any, kind: type, default: Any) -> Any:
    """A JSON field of the store as the checker wrote it, or ``default`` where someone wrote something else
    (the chain check says so; reading the history never stops on it)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return default
    return value if isinstance(value, kind) else default


def summary_of(e: Entry) -> dict[str, int]:
    found = stored_json(e.summary, dict, {})
    return {k: v for k, v in found.items() if isinstance(v, int) and not isinstance(v, bool)}


def _texts(text: Any) -> list[str]:
    return [v for v in stored_json(text, list, []) if isinstance(v, str)]


def _names(text: Any, key: str) -> list[str]:
    return sorted({v[key] for v in stored_json(text, list, []) if isinstance(v, dict) and isinstance(v.get(key), str)})


def _lines(runs: list[Entry], key) -> list[Line]:
    """One line per id ``key(rule_row)`` yields, summing violations of judged rules per run."""
    ids: dict[str, Line] = {}
    for i, run in enumerate(runs):
        for r in run.rules:
            for ident, extra in key(r):
                line = ids.setdefault(ident, Line(ident, [None] * len(runs), **extra))
                if r.status in JUDGED:
                    line.points[i] = (line.points[i] or 0) + r.violations
    for line in ids.values():
        line.last = line.points[-1] if line.points else None
    return sorted(ids.values(), key=lambda line: line.id)


def _regulation_key(r: RuleRow):
    return [(reg, {}) for reg in _texts(r.regulations)]


def _clause_key(r: RuleRow):
    regs = _texts(r.regulations)
    return [(c, {"regulation": c.split(".", 1)[0] if c.split(".", 1)[0] in regs else (regs[0] if regs else None)})
            for c in _texts(r.clauses)]


def _rule_key(r: RuleRow):
    return [(r.rule_id, {"severity": r.severity, "dataset": r.dataset})]


def series_view(runs: list[Entry], since: str | None) -> Series:
    """The view of one series; ``runs`` in as-of order with their rows.  ``since`` limits what is shown,
    not what is counted: a violation open since before it keeps its age."""
    w = walk(runs)
    shown = [i for i, r in enumerate(runs) if since is None or r.as_of >= since]
    view = [runs[i] for i in shown]
    points = []
    for i in shown:
        e, s = runs[i], summary_of(runs[i])
        points.append(RunPoint(seq=e.seq, as_of=e.as_of, started_at=e.started_at, result_sha256=e.result_sha256,
                               hash=e.hash, exit_code=e.exit_code, rules=s.get("rules", 0),
                               failed=s.get("failed", 0), errored=s.get("errored", 0),
                               violations=s.get("violations", 0), waived=s.get("waived", 0),
                               new=w.new[i], fixed=w.fixed_counts[i]))
    last = runs[-1].as_of if runs else ""
    open_now = sorted((OpenViolation(rule, fp, first, w.last_seen.get((rule, fp), first), _days(first, last))
                       for rule, fps in w.open.items() for fp, first in fps.items()),
                      key=lambda o: (-o.age_days, o.rule_id, o.fingerprint))
    buckets = [Bucket(lo, hi, sum(1 for o in open_now if o.age_days >= lo and (hi is None or o.age_days <= hi)))
               for lo, hi in AGE_BUCKETS]
    fixed = [f for f in w.fixed if since is None or f.fixed_on >= since]
    days = [f.days for f in fixed]
    ttf = TimeToFix(fixed=len(days), median_days=statistics.median(days) if days else None,
                    mean_days=round(statistics.fmean(days), 1) if days else None, max_days=max(days) if days else None)
    rule_ids = sorted({o.rule_id for o in open_now} | {f.rule_id for f in fixed})
    by_rule = []
    for rule in rule_ids:
        mine = [f.days for f in fixed if f.rule_id == rule]
        by_rule.append(RuleFix(rule, sum(o.rule_id == rule for o in open_now), len(mine),
                               statistics.median(mine) if mine else None))
    first = runs[0] if runs else None
    return Series(
        id=first.series if first else "",
        rulesets=_names(runs[-1].rulesets, "id") if runs else [],
        datasets=_names(runs[-1].datasets, "dataset") if runs else [],
        runs=points, regulations=_lines(view, _regulation_key), clauses=_lines(view, _clause_key),
        rules=_lines(view, _rule_key), open=open_now, open_by_age=buckets,
        fixed=sorted(fixed, key=lambda f: (f.fixed_on, f.rule_id, f.fingerprint), reverse=True),
        time_to_fix=ttf, by_rule=by_rule)


def history(session: Session, store: str, since: dt.date | None = None, series: str | None = None) -> History:
    """Every series of the store (or the one asked for), oldest run first."""
    runs = session.runs()
    ids = sorted({e.series for e in runs} if series is None else {series} & {e.series for e in runs})
    out = []
    for sid in ids:
        mine = ordered([e for e in runs if e.series == sid])
        seqs = [e.seq for e in mine]
        rules, violations = session.rules_of(seqs), session.violations_of(seqs)
        for e in mine:
            e.rules, e.violations = rules[e.seq], violations[e.seq]
        out.append(series_view(mine, since.isoformat() if since else None))
    # the series with the latest run first
    out.sort(key=lambda s: (s.runs[-1].as_of if s.runs else "", s.id), reverse=True)
    return History(store=store, since=since.isoformat() if since else None, entries=len(runs), series=out)
