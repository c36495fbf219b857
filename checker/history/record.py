"""``check --history STORE``: append the run to its store and give the result the trend of its series.

Under the store's write lock, in one transaction: the series' earlier runs (as-of date on or before
this run's) are read, the trend of the last :data:`TREND_POINTS` runs ending with this one is put in
the result (``history``), the result file's bytes are hashed, and the entry — that hash, the rule
counts, every violation fingerprint with its first-seen date — is appended, chained to the last one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from checker.history.analysis import ordered, summary_of, walk
from checker.history.entry import JUDGED, Entry, make_entry, series_of
from checker.history.store import Session, display, open_store
from checker.model.result import HistoryTrend, Result, RuleTrend, TrendPoint

#: runs a result's trend shows, this one included
TREND_POINTS = 12


def record(result: Result, spec: str, file_bytes: Callable[[Result], bytes]) -> Result:
    """Append ``result`` to the store ``spec``; returns it with its trend.  ``file_bytes`` gives the bytes
    of the result file (``--json``), whose SHA-256 the entry keeps."""
    store = open_store(spec)
    series = series_of(result)
    with store.session(write=True) as session:
        last_seq, last_hash = session.last()
        seq = last_seq + 1
        earlier = ordered([e for e in session.runs(series) if e.as_of <= result.as_of])
        rules = session.rules_of([e.seq for e in earlier])
        for e in earlier:
            e.rules = rules[e.seq]
        first_seen = _streaks(session, earlier, result)
        window = earlier[-(TREND_POINTS - 1):]
        result.history = _trend(session, window, result, seq, display(spec), series)
        digest = hashlib.sha256(file_bytes(result)).hexdigest()
        recorded = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        session.append(make_entry(result, digest, seq, last_hash, recorded, first_seen))
    return result


def _streaks(session: Session, earlier: list[Entry], result: Result) -> dict[tuple[str, str], str]:
    """For each rule of this run, the first-seen dates its last judged run recorded (a streak goes on)."""
    wanted = {r.rule_id for r in result.results if r.status in JUDGED and r.fingerprints}
    source: dict[str, int] = {}
    for e in reversed(earlier):
        for row in e.rules:
            if row.rule_id in wanted and row.rule_id not in source and row.status in JUDGED and row.tracked:
                source[row.rule_id] = e.seq
    out: dict[tuple[str, str], str] = {}
    by_seq: dict[int, set[str]] = {}
    for rule, s in source.items():
        by_seq.setdefault(s, set()).add(rule)
    for s, rule_ids in by_seq.items():
        for v in session.violations_of([s], rule_ids)[s]:
            out[(v.rule_id, v.fingerprint)] = v.first_seen
    return out


def _trend(session: Session, window: list[Entry], result: Result, seq: int, shown: str,
           series: str) -> HistoryTrend:
    violations = session.violations_of([e.seq for e in window])
    for e in window:
        e.violations = violations[e.seq]
    me = make_entry(result, "", seq, "", "", {}, hashed=False)
    w = walk([*window, me])
    points = [TrendPoint(as_of=e.as_of, entry=e.seq, failed=summary_of(e).get("failed", 0),
                         violations=summary_of(e).get("violations", 0), new=w.new[i],
                         fixed=w.fixed_counts[i]) for i, e in enumerate([*window, me])]
    rules = []
    for r in result.results:
        line: list[int | None] = []
        for e in window:
            row = next((x for x in e.rules if x.rule_id == r.rule_id), None)
            line.append(row.violations if row is not None and row.status in JUDGED else None)
        line.append(r.violations if r.status in JUDGED else None)
        rules.append(RuleTrend(rule_id=r.rule_id, violations=line))
    return HistoryTrend(store=shown, series=series, points=points, rules=rules)
