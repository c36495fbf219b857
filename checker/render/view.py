"""The view every report format renders: the Result, regrouped for reading.

Pure functions of :class:`~checker.model.result.Result` and a language: titles in
that language, each sample's file and line, and the summaries by severity, by
regulation and by clause (with the geometry of their charts) and the clause coverage.

Every string of the result is made inert (:func:`checker.render.inert.inert`: control
characters, escape sequences and bidirectional controls become visible escapes; TAB and
LF stay) before anything is built from it, and the view's ``result`` is that inert copy:
whatever a template or renderer reads from the view, bundled or ``--templates``, holds
no text that could act on a terminal, a browser or a CI log.  Syntax escaping is not
done here: each template's environment does that for its syntax.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from checker import codes
from checker.i18n import _, _n, num
from checker.model.result import SEVERITIES, HistoryTrend, InputRef, Result, RuleResult, Sample, TrendPoint
from checker.render.charts import LineChart, Sparkline, line_chart, sparkline
from checker.render.inert import inert_model
from checker.render.labels import labels

# The seven regulations of the catalog (see the project's regulations.md); always listed, even when unused.
REGULATIONS = tuple(f"M{n}" for n in range(1, 8))
SEVERITY_ORDER = tuple(reversed(SEVERITIES))  # critical first
STATUSES = ("fail", "error", "pass", "skipped")


@dataclass(frozen=True)
class SampleView:
    row: int | None
    line: int | None
    file: str | None
    key: str
    message: str
    version: str | None
    waiver: str | None
    new: bool | None
    fingerprint: str | None


@dataclass(frozen=True)
class RuleView:
    id: str
    title: str
    ruleset: str | None
    suite: str
    versions: list[str]
    version_counts: list[Any]
    clauses: list[str]
    regulations: list[str]
    severity: str
    dataset: str
    kind: str
    structural: bool
    status: str
    checked: int
    violations: int
    waived: int
    uncovered: int
    samples: list[SampleView]
    waived_samples: list[SampleView]
    more: int
    baseline: Any
    error: str | None
    location: str | None
    sql: str | None
    file: str | None
    help: str
    #: with --history: the rule's violations over the trend's runs (None without history)
    trend: Sparkline | None = None


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    frac: float          # value / the chart's largest value, 0..1
    css: str = ""
    note: str = ""
    parts: tuple = ()    # (css, frac) segments of a stacked bar


@dataclass(frozen=True)
class Tally:
    id: str
    title: str
    rules: int
    failed: int
    errored: int
    passed: int
    violations: int
    waived: int


@dataclass(frozen=True)
class CoverageRow:
    clause: str
    regulation: str
    title: str
    rules: list[RuleView]
    manual: list[dict[str, str]]
    failed: int
    violations: int
    covered: str  # automated | manual | both | none


@dataclass(frozen=True)
class TrendView:
    """``--history``: the run's series over its last runs (this one last), with the chart's geometry."""

    store: str
    series: str
    points: list[TrendPoint]
    chart: LineChart


@dataclass
class View:
    result: Result
    lang: str
    verdict: str
    records: int
    rules: list[RuleView]
    failing: list[RuleView]
    files: dict[str, InputRef]
    severities: list[Tally]
    regulations: list[Tally]
    clauses: list[Tally]
    coverage: list[CoverageRow]
    coverage_from_catalog: bool
    status_counts: dict[str, int]
    waivers_used: list[Any] = field(default_factory=list)
    waivers_expired: list[Any] = field(default_factory=list)
    #: waivers still in force that expire soon (the run warned W505 about them)
    waivers_expiring: list[Any] = field(default_factory=list)
    waivers_unmatched: list[Any] = field(default_factory=list)
    charts: dict[str, list[Bar]] = field(default_factory=dict)
    suites: list[tuple[str, list[RuleView]]] = field(default_factory=list)
    #: "2 inputs, 12 records" in the view's language (plural forms from the catalog)
    counts: str = ""
    #: the trend of the run's series (None unless the run was recorded with --history)
    trend: TrendView | None = None


def regulation_of(clause: str, catalog: dict[str, Any] | None = None) -> str:
    """M1.2 -> M1 (or the catalog's own regulation for the clause)."""
    if catalog and clause in catalog:
        return catalog[clause].regulation
    return clause.split(".", 1)[0]


def key_text(key: dict[str, Any] | None) -> str:
    if not key:
        return ""
    return ", ".join(f"{k}={'' if v is None else v}" for k, v in key.items())


def rule_title(r: RuleResult, lang: str) -> str:
    if r.title:
        return r.title.get(lang) or next(iter(r.title.values()), "") or r.rule_id
    return structural_title(r.rule_id, lang)


def structural_title(rule_id: str, lang: str) -> str:
    """schema:crm.complaints.phone:pattern -> 'Structural check: crm.complaints.phone pattern'."""
    body = rule_id.removeprefix("schema:")
    target, _sep, keyword = body.rpartition(":")
    L = labels(lang)
    sep = "：" if lang == "zh" else ": "
    return f"{L['structural']}{sep}{target or body} {keyword}".strip()


def versions_of(r: RuleResult) -> list[str]:
    if r.ruleset_version is None:
        return []
    if isinstance(r.ruleset_version, str):
        return [r.ruleset_version]
    return list(r.ruleset_version)


def data_path(result: Result, path: str | None) -> str | None:
    """An input path as the user sees it from where they ran the check: --data joined in front (None for
    records handed in from Python, which have no file)."""
    if path is None:
        return None
    if not result.data or posixpath.isabs(path):
        return path
    return posixpath.normpath(posixpath.join(result.data, path))


def _samples(samples: list[Sample], ref: InputRef | None, result: Result) -> list[SampleView]:
    return [SampleView(row=s.row, line=s.line, file=data_path(result, ref.path) if ref else None,
                       key=key_text(s.key),
                       message=s.message, version=s.version, waiver=s.waiver, new=s.new,
                       fingerprint=s.fingerprint) for s in samples]


def rule_help(r: RuleResult, title: str, lang: str, clause_titles: dict[str, str]) -> str:
    L = labels(lang)
    clauses = ", ".join(f"{c} {clause_titles[c]}" if c in clause_titles else c for c in r.clauses) or "—"
    if r.kind == "schema":
        body = r.rule_id.removeprefix("schema:")
        keyword = body.rpartition(":")[2] if ":" in body else body
        return L["help_structural"].format(dataset=r.dataset, keyword=keyword)
    return L["help_rule"].format(id=r.rule_id, title=title, clauses=clauses, severity=L[f"severity_{r.severity}"],
                                 dataset=r.dataset)


def _tally(id_: str, title: str, rules: list[RuleView]) -> Tally:
    return Tally(id=id_, title=title, rules=len(rules), failed=sum(r.status == "fail" for r in rules),
                 errored=sum(r.status == "error" for r in rules), passed=sum(r.status == "pass" for r in rules),
                 violations=sum(r.violations for r in rules), waived=sum(r.waived for r in rules))


def _bars(tallies: list[Tally], label_of=lambda t: t.id) -> list[Bar]:
    """Stacked bars of rules per group (failing, errored, passing), scaled to the largest group."""
    top = max((t.rules for t in tallies), default=0) or 1
    bars = []
    for t in tallies:
        other = t.rules - t.failed - t.errored - t.passed
        parts = tuple((css, n / top) for css, n in (("fail", t.failed), ("error", t.errored), ("pass", t.passed),
                                                   ("skipped", other)) if n)
        bars.append(Bar(label=label_of(t), value=t.rules, frac=t.rules / top, parts=parts,
                        note=f"{t.failed + t.errored}/{t.rules}"))
    return bars


def build(result: Result, lang: str) -> View:
    """The view of ``result`` in ``lang``, built from its inert copy (see the module's docstring)."""
    result = inert_model(result.in_language(lang), multiline=True)
    catalog = {c.id: c for c in result.catalog}
    clause_titles = {c.id: (c.title.get(lang) or next(iter(c.title.values()), "")) for c in result.catalog}
    files = {i.dataset: i for i in result.inputs}
    rules: list[RuleView] = []
    sparks = rule_sparklines(result.history)
    for r in result.results:
        ref = files.get(r.dataset)
        title = rule_title(r, lang)
        regs = sorted({regulation_of(c, catalog) for c in r.clauses}, key=_natural)
        suite = r.ruleset or f"schema:{r.dataset}"
        rules.append(RuleView(
            id=r.rule_id, title=title, ruleset=r.ruleset, suite=suite, versions=versions_of(r),
            version_counts=list(r.versions), clauses=list(r.clauses), regulations=regs, severity=r.severity,
            dataset=r.dataset, kind=r.kind, structural=r.kind == "schema", status=r.status, checked=r.checked,
            violations=r.violations, waived=r.waived, uncovered=r.uncovered, samples=_samples(r.samples, ref, result),
            waived_samples=_samples(r.waived_samples, ref, result), more=max(r.violations - len(r.samples), 0),
            baseline=r.baseline, error=r.error, location=r.location, sql=r.sql,
            file=data_path(result, ref.path) if ref else None, help=rule_help(r, title, lang, clause_titles),
            trend=sparks.get(r.rule_id)))
    order = {s: n for n, s in enumerate(SEVERITY_ORDER)}
    failing = sorted((r for r in rules if r.status in ("fail", "error")),
                     key=lambda r: (order[r.severity], r.status != "error", r.id))

    L = labels(lang)
    severities = [_tally(s, L[f"severity_{s}"], [r for r in rules if r.severity == s]) for s in SEVERITY_ORDER]
    reg_ids = set(REGULATIONS) | {g for r in rules for g in r.regulations} | {c.regulation for c in result.catalog}
    regulations = [_tally(g, "", [r for r in rules if g in r.regulations]) for g in sorted(reg_ids, key=_natural)]

    coverage_from_catalog = bool(result.catalog)
    clause_ids = [c.id for c in result.catalog] if coverage_from_catalog else \
        sorted({c for r in rules for c in r.clauses}, key=_natural)
    clauses, coverage = [], []
    for cid in clause_ids:
        citing = [r for r in rules if cid in r.clauses]
        clauses.append(_tally(cid, clause_titles.get(cid, ""), citing))
        manual = [{"id": m.id, "text": getattr(m, lang), "evidence": (m.evidence or {}).get(lang, "")}
                  for m in (catalog[cid].manual_controls if cid in catalog else [])]
        covered = "both" if citing and manual else "automated" if citing else "manual" if manual else "none"
        coverage.append(CoverageRow(clause=cid, regulation=regulation_of(cid, catalog),
                                    title=clause_titles.get(cid, ""), rules=citing, manual=manual,
                                    failed=sum(r.status in ("fail", "error") for r in citing),
                                    violations=sum(r.violations for r in citing), covered=covered))

    top = max((t.violations for t in severities), default=0) or 1
    charts = {
        "severity": [Bar(label=t.title, value=t.violations, frac=t.violations / top, css=f"sev-{t.id}",
                         note=str(t.violations)) for t in severities],
        "regulation": _bars(regulations),
        "clause": _bars(clauses),
    }
    suites: dict[str, list[RuleView]] = {}
    for rv in rules:
        suites.setdefault(rv.suite, []).append(rv)
    status_counts = {s: sum(r.status == s for r in rules) for s in STATUSES}
    return View(
        result=result, lang=lang, verdict="pass" if result.exit_code == 0 else "fail",
        records=sum(i.rows for i in result.inputs), rules=rules, failing=failing, files=files,
        severities=severities, regulations=regulations, clauses=clauses, coverage=coverage,
        coverage_from_catalog=coverage_from_catalog, status_counts=status_counts,
        waivers_used=[w for w in result.waivers if w.status == "used"],
        waivers_expired=[w for w in result.waivers if w.status == "expired"],
        waivers_expiring=[w for w in result.waivers if w.status != "expired" and any(
            n.code == str(codes.W505) and n.location == w.location for n in result.warnings)],
        waivers_unmatched=[w for w in result.waivers if w.status == "unmatched"],
        charts=charts, suites=sorted(suites.items(), key=lambda kv: (kv[0].startswith("schema:"), kv[0])),
        counts=_counts(result, lang), trend=trend_view(result.history))


def trend_view(history: HistoryTrend | None) -> TrendView | None:
    """The trend section's view: one chart point per run of the trend."""
    if history is None or not history.points:
        return None
    days = [p.as_of for p in history.points]
    chart = line_chart(days, [p.violations for p in history.points], [p.failed for p in history.points])
    return TrendView(store=history.store, series=history.series, points=list(history.points), chart=chart)


def rule_sparklines(history: HistoryTrend | None) -> dict[str, Sparkline]:
    """Per rule id, the sparkline of its violations over the trend's runs (none without history)."""
    if history is None:
        return {}
    days = [p.as_of for p in history.points]
    return {r.rule_id: sparkline(list(r.violations), days) for r in history.rules
            if len(r.violations) == len(days)}


def _counts(result: Result, lang: str) -> str:
    inputs, records = len(result.inputs), sum(i.rows for i in result.inputs)
    return _("{inputs}, {records}", inputs=_n("{n} input", "{n} inputs", inputs, n=inputs),
             records=_n("{n} record", "{n} records", records, n=num(records))).render(lang)


def _natural(text: str) -> tuple:
    """M2 < M10, M1.2 < M1.10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))
