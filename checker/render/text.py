"""The terminal summary: failing rules grouped by severity, with counts and a few samples.

Fits an 80-column terminal, and uses colour only on a terminal without NO_COLOR.  The only
control sequences in it are its own colours: every string of the result is made inert on
one line first (:func:`checker.render.inert.inert`), so record text shows its control
characters, escape sequences, line breaks and bidirectional controls as visible escapes.
Nothing is interpreted as markup either (the summary is plain text, not rich markup).
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

from checker.i18n import _, _n, num
from checker.model.result import SEVERITIES, Result
from checker.render.inert import inert_model
from checker.render.labels import labels

COLOURS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m",
           "info": "\033[2m", "pass": "\033[32m", "bold": "\033[1m", "reset": "\033[0m"}
SAMPLES_SHOWN = 3


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    if "NO_COLOR" in os.environ:
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def render(result: Result, lang: str = "zh", colour: bool = False, width: int | None = None) -> str:
    result = inert_model(result.in_language(lang), multiline=False)
    width = min(width or shutil.get_terminal_size((80, 24)).columns, 100)
    c = (lambda name, text: f"{COLOURS[name]}{text}{COLOURS['reset']}") if colour else (lambda name, text: text)
    def say(msg) -> str:
        return msg.render(lang)

    L = labels(lang)
    lines: list[str] = []
    inputs = sum(i.rows for i in result.inputs)
    head = f"checker {result.tool.version}"
    lines.append(c("bold", head) + _clip(head + say(_(
        " · as of {as_of} · {inputs} · {records}", as_of=result.as_of,
        inputs=_n("{n} input", "{n} inputs", len(result.inputs), n=len(result.inputs)),
        records=_n("{n} record", "{n} records", inputs, n=num(inputs)))), width)[len(head):])
    failing = [r for r in result.results if r.status in ("fail", "error")]
    for severity in reversed(SEVERITIES):
        group = [r for r in failing if r.severity == severity]
        if not group:
            continue
        lines.append("")
        name = L[f"severity_{severity}"]
        lines.append(c(severity, f"{name.upper() if lang == 'en' else name} ({len(group)})"))
        for r in group:
            title = (r.title or {}).get(lang) if r.title else None
            what = (say(_n("{n} violation", "{n} violations", r.violations, n=num(r.violations)))
                    if r.status == "fail" else L["status_error"].upper())
            head = f"  {r.rule_id}  {what}"
            if r.waived:
                head += say(_(" ({n} waived)", n=num(r.waived)))
            lines.append(_clip(head + (f"  {title}" if title else ""), width))
            if r.error:
                lines.extend(textwrap.wrap(r.error, width, initial_indent="      ", subsequent_indent="      "))
            for sample in r.samples[:SAMPLES_SHOWN]:
                where = (say(_("row {row}", row=sample.row)) if sample.row is not None
                         else L["dataset_whole"] if r.kind == "dataset" else L["group"])
                lines.append(_clip("      " + say(_("{where}: {message}", where=where, message=sample.message)), width))
            if r.violations > SAMPLES_SHOWN and r.samples:
                more = r.violations - min(SAMPLES_SHOWN, len(r.samples))
                lines.append("      " + say(_("… {n} more", n=num(more))))
    if result.warnings:
        lines.append("")
        lines.append(c("medium", say(_("WARNINGS ({n})", n=len(result.warnings)))))
        for w in result.warnings[:10]:
            lines.append(_clip(f"  {w.location}: {w.code} {w.message}", width))
        if len(result.warnings) > 10:
            lines.append("  " + say(_("… {n} more in the result file", n=len(result.warnings) - 10)))
    lines.append("")
    lines.append(summary_line(result, colour, width, lang))
    return "\n".join(lines) + "\n"


def summary_line(result: Result, colour: bool = False, width: int | None = None, lang: str = "zh") -> str:
    """The verdict and counts on one line (the terminal summary's last)."""
    s = result.summary
    width = min(width or shutil.get_terminal_size((80, 24)).columns, 100)
    passed = result.exit_code == 0
    verdict = labels(lang)["verdict_pass" if passed else "verdict_fail"]
    counts = _n("{verdict}  {n} check: {passed} passed, {failed} failed, {errored} errored, {skipped} skipped; "
                "{violations}",
                "{verdict}  {n} checks: {passed} passed, {failed} failed, {errored} errored, {skipped} skipped; "
                "{violations}", s.rules, verdict=verdict, n=s.rules, passed=s.passed, failed=s.failed,
                errored=s.errored, skipped=s.skipped,
                violations=_n("{n} violation", "{n} violations", s.violations, n=num(s.violations)))
    text = counts.render(lang) + (_(", {n} waived", n=num(s.waived)).render(lang) if s.waived else "")
    tail = _clip(text, width)
    head = f"{COLOURS['pass' if passed else 'critical']}{verdict}{COLOURS['reset']}" if colour else verdict
    return head + tail[len(verdict):]


def _clip(text: str, width: int) -> str:
    """Cut text to a display width (CJK characters take two columns); control characters become spaces.

    A record's text must never start a new line: in a CI log a line beginning with '::' is a command.
    """
    from unicodedata import category, east_asian_width

    text = "".join(" " if category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    widths = [2 if east_asian_width(ch) in ("W", "F") else 1 for ch in text]
    if sum(widths) <= width:
        return text
    out, used = [], 0
    for ch, w in zip(text, widths, strict=True):
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"
