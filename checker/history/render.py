"""``checker history`` as Markdown and as a self-contained HTML page.

The :class:`~checker.history.analysis.History` is first made inert (every string read from the store:
rule ids, fingerprints, dates, the store's name) and regrouped into a view whose charts' geometry is
computed here (:mod:`checker.render.charts`): the templates, ``reports/history/history.md.j2`` and
``reports/history/history.html.j2``, only place its numbers and texts, in the same bounded sandboxes as the
run reports (:func:`checker.render.base.render_named`), with the same escaping (HTML autoescaping, Markdown
escaping of every expression).  Every label is a gettext message of this module (:data:`LABELS`), seen
by the templates as ``H``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker import sandbox
from checker.history.analysis import Bucket, History, Line, OpenViolation, Series, TimeToFix
from checker.i18n import Msg, _p
from checker.render.base import CHARS_PER_ITEM, STEPS_PER_ITEM, render_named
from checker.render.charts import HBarChart, LineChart, Sparkline, hbars, line_chart, spark_text, sparkline
from checker.render.inert import inert
from checker.render.labels import in_language, labels

__all__ = ["LABELS", "TEMPLATES", "history_labels", "render", "view"]

#: the template of each format
TEMPLATES = {"md": "history/history.md.j2", "html": "history/history.html.j2"}
#: open violations listed (the oldest first); the buckets count them all
OLDEST = 50
#: characters of a result's SHA-256 shown in the table of runs
SHA_SHOWN = 12

LABELS: dict[str, Msg] = {
    "title": _p("history-title", "Compliance history"),
    "colon": _p("history-colon", ": "),
    "store": _p("history-store", "History store"),
    "entries": _p("history-entries", "Entries"),
    "since": _p("history-since", "Runs from"),
    "series": _p("history-series", "Series"),
    "rulesets": _p("history-rulesets", "Rulesets"),
    "datasets": _p("history-datasets", "Datasets"),
    "runs": _p("history-runs", "Runs"),
    "period": _p("history-period", "Period"),
    "no_runs": _p("history-no-runs", "No runs recorded yet."),
    "chart": _p("history-chart", "Violations and failed rules per run"),
    "as_of": _p("history-as-of", "As of"),
    "entry": _p("history-entry", "Entry"),
    "failed": _p("history-failed", "Failed rules"),
    "violations": _p("history-violations", "Violations"),
    "new": _p("history-new", "New"),
    "fixed": _p("history-fixed", "Fixed"),
    "sha256": _p("history-sha256", "Result SHA-256"),
    "by_regulation": _p("history-by-regulation", "Violations by regulation"),
    "by_clause": _p("history-by-clause", "Violations by clause"),
    "by_rule": _p("history-by-rule", "Violations by rule"),
    "regulation": _p("history-regulation", "Regulation"),
    "clause": _p("history-clause", "Clause"),
    "rule": _p("history-rule", "Rule"),
    "severity": _p("history-severity", "Severity"),
    "trend": _p("history-trend", "Trend"),
    "last": _p("history-last", "Last run"),
    "quiet_rules": _p("history-quiet-rules", "{n} other rules had no violations in these runs."),
    "open_by_age": _p("history-open-by-age", "Open violations by age"),
    "age_days": _p("history-age-days", "Age (days)"),
    "open_total": _p("history-open-total", "{n} open violations"),
    "oldest": _p("history-oldest", "Oldest open violations"),
    "oldest_note": _p("history-oldest-note", "The {shown} oldest of {total}."),
    "fingerprint": _p("history-fingerprint", "Fingerprint"),
    "first_seen": _p("history-first-seen", "First seen"),
    "last_seen": _p("history-last-seen", "Last seen"),
    "age": _p("history-age", "Age (days)"),
    "none_open": _p("history-none-open", "No open violations."),
    "time_to_fix": _p("history-time-to-fix", "Time to fix"),
    "fixed_count": _p("history-fixed-count", "Violations fixed"),
    "median": _p("history-median", "Median (days)"),
    "mean": _p("history-mean", "Mean (days)"),
    "longest": _p("history-longest", "Longest (days)"),
    "by_rule_fix": _p("history-by-rule-fix", "Time to fix by rule"),
    "open": _p("history-open", "Open"),
    "none_fixed": _p("history-none-fixed", "No violation was fixed in these runs."),
    "chain": _p("history-chain", "Hash chain"),
    "chain_ok": _p("history-chain-ok", "intact"),
    "chain_broken": _p("history-chain-broken", "BROKEN"),
    "head": _p("history-head", "Head hash"),
    "problems": _p("history-problems", "Problems"),
}


def history_labels(lang: str) -> dict[str, str]:
    """The labels of one language (``zh`` or ``en``)."""
    return in_language(LABELS, lang)


# --- the view ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunRow:
    as_of: str
    entry: int
    failed: int
    violations: int
    new: int | None
    fixed: int | None
    sha256: str           # the result's SHA-256, whole
    sha_short: str


@dataclass(frozen=True)
class LineRow:
    """One regulation, clause or rule over the runs: its sparkline (HTML) and block characters (Markdown)."""

    id: str
    regulation: str | None
    severity: str | None
    dataset: str | None
    last: int | None
    spark: Sparkline
    text: str
    extra: str            # the second column: a clause's regulation, a rule's severity (in the language)


@dataclass(frozen=True)
class FixRow:
    rule_id: str
    open: int
    fixed: int
    median: str


@dataclass(frozen=True)
class FixSummary:
    fixed: int
    median: str
    mean: str
    longest: str


@dataclass(frozen=True)
class SeriesView:
    id: str
    rulesets: list[str]
    datasets: list[str]
    first: str            # the as-of dates of the first and the last run shown ("" without runs)
    last: str
    runs: list[RunRow]
    chart: LineChart | None
    regulations: list[LineRow]
    clauses: list[LineRow]
    rules: list[LineRow]  # rules with a violation in some run shown, most violations in the last run first
    quiet_rules: int      # the other rules
    ages: HBarChart
    open_total: int
    oldest: list[OpenViolation]
    time_to_fix: FixSummary
    by_rule: list[FixRow]


@dataclass(frozen=True)
class Break:
    entry: int | None
    message: str


@dataclass(frozen=True)
class ChainView:
    entries: int
    head: str
    ok: bool
    breaks: list[Break]


@dataclass(frozen=True)
class HistoryView:
    store: str
    since: str | None
    entries: int
    series: list[SeriesView]
    chain: ChainView | None


def inert_data(value: Any) -> Any:
    """A copy of ``value`` (dataclasses, lists, dicts) in which every string is inert (one line)."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, list):
        return [inert_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(inert_data(v) for v in value)
    if isinstance(value, dict):
        return {inert_data(k): inert_data(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: inert_data(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def days_text(value: float | None) -> str:
    """A number of days as shown: whole numbers as they are, others to one decimal, none as a dash."""
    if value is None:
        return "—"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def bucket_label(b: Bucket) -> str:
    return f"{b.low}–{b.high}" if b.high is not None else f"> {b.low - 1}"


def _run_rows(s: Series) -> list[RunRow]:
    return [RunRow(as_of=r.as_of, entry=r.seq, failed=r.failed, violations=r.violations, new=r.new,
                   fixed=r.fixed, sha256=r.result_sha256, sha_short=r.result_sha256[:SHA_SHOWN]) for r in s.runs]


def _line_rows(lines: list[Line], days: list[str], lang: str) -> list[LineRow]:
    return [LineRow(id=line.id, regulation=line.regulation, severity=line.severity, dataset=line.dataset,
                    last=line.last, spark=sparkline(list(line.points), days), text=spark_text(list(line.points)),
                    extra=_extra(line, lang)) for line in lines]


def _extra(line: Line, lang: str) -> str:
    if line.severity is not None:
        return labels(lang).get(f"severity_{line.severity}", line.severity)
    return line.regulation or ""


def _loud(lines: list[Line]) -> list[Line]:
    """The rules with a violation in some run, most violations in the last run first."""
    found = [line for line in lines if any(line.points)]
    return sorted(found, key=lambda line: (-(line.last or 0), line.id))


def _fix_summary(t: TimeToFix) -> FixSummary:
    return FixSummary(fixed=t.fixed, median=days_text(t.median_days), mean=days_text(t.mean_days),
                      longest=days_text(t.max_days))


def series_view(s: Series, lang: str) -> SeriesView:
    days = [r.as_of for r in s.runs]
    runs = _run_rows(s)
    chart = line_chart(days, [r.violations for r in runs], [r.failed for r in runs]) if runs else None
    loud = _loud(s.rules)
    return SeriesView(
        id=s.id, rulesets=list(s.rulesets), datasets=list(s.datasets), first=days[0] if days else "",
        last=days[-1] if days else "", runs=runs, chart=chart, regulations=_line_rows(s.regulations, days, lang),
        clauses=_line_rows(s.clauses, days, lang), rules=_line_rows(loud, days, lang),
        quiet_rules=len(s.rules) - len(loud),
        ages=hbars([bucket_label(b) for b in s.open_by_age], [b.count for b in s.open_by_age]),
        open_total=len(s.open), oldest=list(s.open[:OLDEST]), time_to_fix=_fix_summary(s.time_to_fix),
        by_rule=[FixRow(rule_id=r.rule_id, open=r.open, fixed=r.fixed, median=days_text(r.median_days))
                 for r in s.by_rule])


def _break(b: dict[str, Any], lang: str) -> Break:
    entry = b.get("entry", b.get("seq"))
    message = b.get("message", "")
    text = message.render(lang) if isinstance(message, Msg) else str(message)
    return Break(entry=entry if isinstance(entry, int) else None, message=text)


def view(history: History, lang: str) -> HistoryView:
    """The view of ``history`` in ``lang``, built from an inert copy."""
    chain = None
    if history.chain is not None:
        c = history.chain
        chain = ChainView(entries=c.entries, head=c.head, ok=c.ok, breaks=[_break(b, lang) for b in c.breaks])
    safe: History = inert_data(dataclasses.replace(history, chain=None))
    return HistoryView(store=safe.store, since=safe.since, entries=safe.entries,
                       series=[series_view(s, lang) for s in safe.series], chain=inert_data(chain))


def budget(v: HistoryView) -> sandbox.Budget:
    """The sandbox's defaults plus some per row the page shows."""
    items = 4 + (len(v.chain.breaks) if v.chain else 0) + sum(
        4 + len(s.runs) + len(s.regulations) + len(s.clauses) + len(s.rules) + len(s.oldest) + len(s.by_rule)
        for s in v.series)
    return sandbox.Budget(steps=sandbox.MAX_STEPS + STEPS_PER_ITEM * items,
                          chars=sandbox.MAX_CHARS + CHARS_PER_ITEM * items)


def render(history: History, fmt: str, lang: str, templates_dir: Path | None = None) -> str:
    """``history`` as a Markdown text (``md``) or an HTML page (``html``) in ``lang``."""
    if fmt not in TEMPLATES:
        raise ValueError(f"unknown history format {fmt!r}; use one of {', '.join(TEMPLATES)}")
    v = view(history, lang)
    return render_named(TEMPLATES[fmt], fmt, templates_dir, lambda: budget(v), history=v, H=history_labels(lang),
                        lang=lang)
