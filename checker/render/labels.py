"""Every fixed label of every rendered report: English ids with their key as gettext context.

The Chinese (Traditional) text of each is in the catalog (:mod:`checker.i18n`).

Templates see the labels of the report's language as ``L`` (``{{ L.violations }}``);
a label missing from this table is an error when the template renders, and a test
checks that each template only names labels defined here, in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from checker.i18n import LANGS, Msg, _p

__all__ = ["LABELS", "LANGS", "labels"]

LABELS: dict[str, Msg] = {
    # headings
    "report_title": _p("report_title", "Compliance report"),
    "summary": _p("summary", "Summary"),
    "by_severity": _p("by_severity", "By severity"),
    "by_regulation": _p("by_regulation", "By regulation"),
    "counts_legend": _p("counts_legend", "failing rules / rules (violations)"),
    "per_regulation_note": _p("per_regulation_note",
                               "a violation counts under every regulation its rule cites, "
                               "so these can add up to more than the total."),
    "by_clause": _p("by_clause", "By clause"),
    "coverage": _p("coverage", "Clause coverage matrix"),
    "rules": _p("rules", "Rules"),
    "waivers": _p("waivers", "Waivers"),
    "warnings": _p("warnings", "Warnings"),
    "evidence": _p("evidence", "Evidence"),
    "samples": _p("samples", "Violation samples"),
    "waived_samples": _p("waived_samples", "Waived violations"),
    "failing_rules": _p("failing_rules", "Failing rules"),
    "filters": _p("filters", "Filters"),
    "colon": _p("colon", ": "),
    # verdicts and statuses
    "verdict_pass": _p("verdict_pass", "PASS"),
    "verdict_fail": _p("verdict_fail", "FAIL"),
    "status": _p("status", "Status"),
    "status_pass": _p("status_pass", "pass"),
    "status_fail": _p("status_fail", "fail"),
    "status_error": _p("status_error", "error"),
    "status_skipped": _p("status_skipped", "skipped"),
    # severities
    "severity": _p("severity", "Severity"),
    "severity_critical": _p("severity_critical", "critical"),
    "severity_high": _p("severity_high", "high"),
    "severity_medium": _p("severity_medium", "medium"),
    "severity_low": _p("severity_low", "low"),
    "severity_info": _p("severity_info", "info"),
    # numbers
    "checks": _p("checks", "Checks"),
    "passed": _p("passed", "Passed"),
    "failed": _p("failed", "Failed"),
    "errored": _p("errored", "Errored"),
    "skipped": _p("skipped", "Skipped"),
    "violations": _p("violations", "Violations"),
    "waived": _p("waived", "Waived"),
    "records": _p("records", "Records"),
    "checked": _p("checked", "Checked"),
    "uncovered": _p("uncovered", "Records no version covered"),
    "new": _p("new", "new"),
    "existing": _p("existing", "existing"),
    "fixed": _p("fixed", "fixed"),
    "baseline": _p("baseline", "Baseline"),
    # rule fields
    "rule": _p("rule", "Rule"),
    "rule_id": _p("rule_id", "Rule id"),
    "title": _p("title", "Title"),
    "clause": _p("clause", "Clause"),
    "clauses": _p("clauses", "Clauses"),
    "regulation": _p("regulation", "Regulation"),
    "ruleset": _p("ruleset", "Ruleset"),
    "version": _p("version", "Version"),
    "versions": _p("versions", "Rule version(s)"),
    "dataset": _p("dataset", "Dataset"),
    "kind": _p("kind", "Kind"),
    "location": _p("location", "Defined at"),
    "sql": _p("sql", "SQL it ran"),
    "error": _p("error", "Error"),
    "structural": _p("structural", "Structural check"),
    "schemas_suite": _p("schemas_suite", "schemas"),
    # samples
    "file": _p("file", "File"),
    "row": _p("row", "Row"),
    "group": _p("group", "group"),
    "dataset_whole": _p("dataset_whole", "the dataset"),
    "key": _p("key", "Key"),
    "message": _p("message", "Message"),
    "waiver": _p("waiver", "Waiver"),
    "more_violations": _p("more_violations", "… {n} more not listed (--violations-out writes them all)"),
    "samples_truncated": _p("samples_truncated",
                             "To stay under {limit}, at most {n} samples are listed per rule; "
                             "the result file and the HTML report have them all."),
    "rules_truncated": _p("rules_truncated", "{n} more failing rules are not listed."),
    "no_failures": _p("no_failures", "Every rule passed."),
    "no_samples": _p("no_samples", "no samples"),
    # coverage
    "automated_rules": _p("automated_rules", "Automated rules"),
    "manual_controls": _p("manual_controls", "Manual controls"),
    "covered_by": _p("covered_by", "Covered by"),
    "cov_automated": _p("cov_automated", "automated"),
    "cov_manual": _p("cov_manual", "manual"),
    "cov_both": _p("cov_both", "automated + manual"),
    "cov_none": _p("cov_none", "not covered"),
    "from_catalog": _p("from_catalog", "Clauses from the regulation catalog."),
    "from_results": _p("from_results", "No regulation catalog loaded: only the clauses the rules cite are listed."),
    # waivers
    "waivers_used": _p("waivers_used", "Waivers used"),
    "waivers_expired": _p("waivers_expired", "Expired waivers (not applied)"),
    "waivers_expiring": _p("waivers_expiring", "Waivers expiring soon (renew or fix before then)"),
    "waivers_unmatched": _p("waivers_unmatched", "Waivers that matched nothing"),
    "no_waivers": _p("no_waivers", "No waivers in this run."),
    "reason": _p("reason", "Reason"),
    "approved_by": _p("approved_by", "Approved by"),
    "expires": _p("expires", "Expires"),
    "matched": _p("matched", "Violations covered"),
    # evidence
    "tool": _p("tool", "Tool"),
    "as_of": _p("as_of", "As of"),
    "rules_at": _p("rules_at", "Rules at"),
    "run_time": _p("run_time", "Run time"),
    "duration": _p("duration", "Duration"),
    "engine": _p("engine", "Engine"),
    "fail_on": _p("fail_on", "Fails on"),
    "max_samples": _p("max_samples", "Samples kept per rule"),
    "inputs": _p("inputs", "Inputs"),
    "rulesets": _p("rulesets", "Ruleset versions"),
    "path": _p("path", "Path"),
    "format": _p("format", "Format"),
    "encoding": _p("encoding", "Encoding"),
    "sha256": _p("sha256", "SHA-256"),
    "record_count": _p("record_count", "Records"),
    "code": _p("code", "Code"),
    # filter script
    "all": _p("all", "All"),
    "search_samples": _p("search_samples", "Search samples…"),
    "shown": _p("shown", "{shown} of {total} rules shown"),
    "print_hint": _p("print_hint", "Print this page for a PDF."),
    # SARIF / JUnit / GitHub help text
    "help_rule": _p("help_rule", "Rule {id}: {title}. Clauses: {clauses}. Severity: {severity}. Dataset: {dataset}."),
    "help_structural": _p("help_structural", "Structural check of dataset {dataset} (JSON Schema keyword {keyword})."),
    "failure_summary": _p("failure_summary", "violations {violations}, checked {checked}, waived {waived}"),
    "aggregate_violations": _p("aggregate_violations", "{id}: violations: {n}"),
    "not_checked": _p("not_checked", "not checked"),
    # trend (check --history)
    "trend": _p("trend", "Trend"),
    "trend_note": _p("trend_note", "The last {n} runs of this series in the history store {store} "
                                   "(the same rulesets over the same datasets), this run last."),
    "trend_chart": _p("trend_chart", "Violations and failed rules per run"),
    "trend_entry": _p("trend_entry", "Entry"),
    "trend_failed": _p("trend_failed", "Failed rules"),
    "trend_new": _p("trend_new", "New"),
    "trend_fixed": _p("trend_fixed", "Fixed"),
}


def labels(lang: str) -> dict[str, str]:
    """The labels of one language (``zh`` or ``en``)."""
    return dict(_labels(lang))


def in_language(table: Mapping[str, Msg], lang: str) -> dict[str, str]:
    """A table of labels rendered in one language (``zh`` or ``en``); the history report's too."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return {key: label.render(lang) for key, label in table.items()}


@cache
def _labels(lang: str) -> dict[str, str]:
    return in_language(LABELS, lang)
