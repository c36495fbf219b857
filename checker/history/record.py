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

from checker.history.analysis import ordered, summary_of
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
        first_seen, changes = _streaks(session, earlier, result)
        window = earlier[-(TREND_POINTS - 1):]
        result.history = _trend(window, result, seq, display(spec), series, changes)
        digest = hashlib.sha256(file_bytes(result)).hexdigest()
        recorded = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        session.append(make_entry(result, digest, seq, last_hash, recorded, first_seen, changes))
    return result


def _streaks(session: Session, earlier: list[Entry], result: Result
             ) -> tuple[dict[tuple[str, str], str], tuple[int, int] | None]:
    """What this run continues: for each fingerprint still open, the first-seen date the rule's last judged run
    recorded; and the counts of new and fixed violations (None when the series has no earlier run).

    A rule's last judged run is the latest earlier one that judged it and could fingerprint it; a run in which
    it erred or was skipped is passed over, one whose rulesets no longer had it ends the streak (as
    :func:`checker.history.analysis.walk` counts)."""
    judged = {r.rule_id: set(r.fingerprints) for r in result.results
              if r.status in JUDGED and (r.violations == 0 or r.fingerprints)}
    source: dict[str, int] = {}
    ended: set[str] = set()
    for e in reversed(earlier):
        present = {row.rule_id: row for row in e.rules}
        for rule in judged:
            if rule in source or rule in ended:
                continue
            row = present.get(rule)
            if row is None:
                ended.add(rule)
            elif row.status in JUDGED and row.tracked:
                source[rule] = e.seq
    before: dict[str, dict[str, str]] = {rule: {} for rule in source}
    by_seq: dict[int, set[str]] = {}
    for rule, s in source.items():
        by_seq.setdefault(s, set()).add(rule)
    for s, rule_ids in by_seq.items():
        before.update(session.first_seen_of(s, rule_ids))
    first_seen = {(rule, fp): day for rule, prints in before.items() for fp, day in prints.items()
                  if fp in judged[rule]}
    if not earlier:
        return first_seen, None
    new = sum(len(now - set(before.get(rule, {}))) for rule, now in judged.items())
    fixed = sum(len(set(prints) - judged[rule]) for rule, prints in before.items())
    return first_seen, (new, fixed)


def _trend(window: list[Entry], result: Result, seq: int, shown: str, series: str,
           changes: tuple[int, int] | None) -> HistoryTrend:
    """The last runs of the series with this one: earlier points with the new and fixed counts their entries
    recorded (what the store knew then), this one with its own."""
    points = [TrendPoint(as_of=e.as_of, entry=e.seq, failed=s.get("failed", 0), violations=s.get("violations", 0),
                         new=e.new_violations, fixed=e.fixed_violations)
              for e, s in ((e, summary_of(e)) for e in window)]
    points.append(TrendPoint(as_of=result.as_of, entry=seq, failed=result.summary.failed,
                             violations=result.summary.violations, new=changes[0] if changes else None,
                             fixed=changes[1] if changes else None))
    rules = []
    for r in result.results:
        line: list[int | None] = []
        for e in window:
            row = next((x for x in e.rules if x.rule_id == r.rule_id), None)
            line.append(row.violations if row is not None and row.status in JUDGED else None)
        line.append(r.violations if r.status in JUDGED else None)
        rules.append(RuleTrend(rule_id=r.rule_id, violations=line))
    return HistoryTrend(store=shown, series=series, points=points, rules=rules)
