"""``checker history`` as terminal text and as JSON (Markdown and HTML: :mod:`checker.history.render`)."""

from __future__ import annotations

import functools
from typing import Any

from checker.history.analysis import History, Line, Series
from checker.i18n import ntr, num, tr

#: rows of the longer tables (open violations, fixed ones) printed on a terminal
SHOWN = 10


@functools.cache
def _adapter() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(History)


def to_json(history: History) -> str:
    """The history as JSON, ``schema_version`` first (pydantic's serialiser: a year of a large store's
    open and fixed violations is hundreds of thousands of rows)."""
    body = _adapter().dump_json(history, indent=2).decode("utf-8")
    from checker.history.schema import SCHEMA_VERSION

    return f'{{\n  "schema_version": {SCHEMA_VERSION},' + body[1:] + "\n"


def _n(value: int | float | None) -> str:
    if value is None:
        return "–"
    return num(int(value)) if isinstance(value, int) or not value % 1 else f"{value:.1f}"


def _width(text: str) -> int:
    """Columns a text takes on a terminal (CJK characters two)."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _spark(points: list[int | None]) -> str:
    """A line of block characters, one per run (a gap where not judged)."""
    bars = "▁▂▃▄▅▆▇█"
    known = [p for p in points if p is not None]
    top = max(known, default=0)
    return "".join(" " if p is None else bars[0 if top == 0 else min(7, round(p * 7 / top))] for p in points)


def _lines(title: str, lines: list[Line]) -> list[str]:
    if not lines:
        return []
    width = max(_width(line.id) for line in lines)
    out = [title]
    for line in lines:
        out.append(f"  {_pad(line.id, width)}  {_spark(line.points)}  {_n(line.last)}")
    return out


def _series(s: Series) -> list[str]:
    out = [tr("Series {id}: {rulesets} rulesets over {datasets} datasets", id=s.id, rulesets=len(s.rulesets),
              datasets=len(s.datasets))]
    span = f" ({s.runs[0].as_of} – {s.runs[-1].as_of})" if s.runs else ""
    out.append(ntr("{n} run", "{n} runs", len(s.runs), n=len(s.runs)) + span)
    out.append("")
    head = [tr("As of"), tr("Entry"), tr("Failed"), tr("Violations"), tr("New"), tr("Fixed")]
    rows = [[r.as_of, str(r.seq), _n(r.failed), _n(r.violations), _n(r.new), _n(r.fixed)] for r in s.runs]
    widths = [max(_width(h), *(_width(row[i]) for row in rows)) if rows else _width(h) for i, h in enumerate(head)]
    out.append("  " + "  ".join(_pad(h, w) for h, w in zip(head, widths, strict=True)).rstrip())
    out += ["  " + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    out.append("")
    out += _lines(tr("Violations by regulation:"), s.regulations)
    failing = sorted((line for line in s.rules if line.last), key=lambda line: (-(line.last or 0), line.id))
    out += _lines(tr("Rules with the most violations in the last run:"), failing[:SHOWN])
    out.append("")
    ages = ", ".join(f"{b.low}–{b.high}: {b.count}" if b.high is not None else f">{b.low - 1}: {b.count}"
                     for b in s.open_by_age)
    out.append(tr("Open violations: {n} (by age in days: {ages})", n=len(s.open), ages=ages))
    for o in s.open[:SHOWN]:
        out.append("  " + tr("{rule} {fingerprint} open since {day} ({n} days)", rule=o.rule_id,
                             fingerprint=o.fingerprint, day=o.first_seen, n=o.age_days))
    t = s.time_to_fix
    out.append(tr("Fixed: {n}; days to fix: median {median}, mean {mean}, longest {max}", n=t.fixed,
                  median=_n(t.median_days), mean=_n(t.mean_days), max=_n(t.max_days)))
    return out


def to_text(history: History) -> str:
    out = [ntr("History {store}: {n} entry", "History {store}: {n} entries", history.entries, store=history.store,
               n=history.entries)]
    if history.since:
        out.append(tr("Runs from {day} on", day=history.since))
    if history.chain is not None:
        c = history.chain
        out.append(ntr("Chain: intact, {n} entry, head {head}", "Chain: intact, {n} entries, head {head}", c.entries,
                       n=c.entries, head=c.head[:16]) if c.ok else
                   tr("Chain: BROKEN, {n} problems", n=len(c.breaks)))
        out += [f"  {b['message']}" for b in c.breaks]
    for s in history.series:
        out += [""] + _series(s)
    if not history.series and history.chain is None:
        out.append(tr("No runs recorded yet."))
    return "\n".join(out) + "\n"
