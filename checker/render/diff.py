"""`checker diff` as text and as Markdown (a pull-request comment): what a rule change does.

Every rule file value and record value is made inert on the way out; Markdown cells use the
Markdown report's own escaping.
"""

from __future__ import annotations

import json
from typing import Any

from checker.diff import Diff
from checker.i18n import _, tr
from checker.render.base import md_code, md_escape
from checker.render.inert import inert


def render_text(diff: Diff) -> str:
    lines = [tr("rules diff: {old} -> {new} on {data}", old=diff.old, new=diff.new, data=diff.data) if diff.data
             else tr("rules diff: {old} -> {new}", old=diff.old, new=diff.new)]
    for rs in diff.rulesets:
        if rs.status == "unchanged" and not diff.data:
            continue
        bump = f"{rs.old_version or '-'} -> {rs.new_version or '-'}"
        lines.append(tr("ruleset {ruleset}: {status} ({bump})", ruleset=rs.ruleset, status=_status(rs.status),
                        bump=bump))
        for p, (o, n) in rs.params.items():
            lines.append("  " + tr("param {param}: {old} -> {new}", param=p, old=str(o), new=str(n)))
        for rc in [r for r in diff.rules if r.ruleset == rs.ruleset]:
            if rc.status == "unchanged" and not (diff.data and rc.before != rc.after):
                continue
            head = f"  {_status(rc.status):<9} {rc.rule_id}"
            if diff.data:
                head += "  " + tr("violations {before} -> {after}", before=_n(rc.before), after=_n(rc.after))
            lines.append(head)
            for k, (o, n) in rc.keys.items():
                lines.append(f"      {k}: {_short(o)} -> {_short(n)}")
            for label, items in ((tr("newly failing"), rc.newly_failing), (tr("newly passing"), rc.newly_passing)):
                if items:
                    lines.append(f"      {label}: " + "; ".join(_key(i) for i in items))
    if len(lines) == 1:
        lines.append(tr("no changes"))
    return "".join(inert(line) + "\n" for line in lines)  # rule files and records may hold control text


def render_md(diff: Diff) -> str:
    out = [tr("### Rule changes: {old} → {new}", old=md_code(inert(diff.old)), new=md_code(inert(diff.new))), ""]
    if diff.data:
        out += [tr("Impact on {data}:", data=md_code(inert(diff.data))), ""]
    out += [tr("| ruleset | rule | change | details |")
            + (tr(" before | after | newly failing | newly passing |") if diff.data else ""),
            "|---|---|---|---|" + ("---:|---:|---|---|" if diff.data else "")]
    for rc in diff.rules:
        if rc.status == "unchanged" and not (diff.data and rc.before != rc.after):
            continue
        details = "<br>".join(f"{md_code(k)}: {_md(_short(o))} → {_md(_short(n))}" for k, (o, n) in rc.keys.items())
        row = f"| {_md(rc.ruleset)} | {_md(rc.rule_id)} | {_status(rc.status)} | {details} |"
        if diff.data:
            row += (f" {_n(rc.before)} | {_n(rc.after)} | {_md('; '.join(_key(i) for i in rc.newly_failing))} |"
                    f" {_md('; '.join(_key(i) for i in rc.newly_passing))} |")
        out.append(row)
    bumps = [f"- {md_code(r.ruleset)}: {_status(r.status)}, {_md(r.old_version or '—')} → {_md(r.new_version or '—')}"
             for r in diff.rulesets if r.status != "unchanged"]
    if bumps:
        out += ["", *bumps]
    return "".join(inert(line) + "\n" for line in out)


_STATUS = {"added": _("added"), "removed": _("removed"), "changed": _("changed"), "unchanged": _("unchanged")}


def _status(status: str) -> str:
    """A ruleset's or rule's change, in the active language."""
    return str(_STATUS[status]) if status in _STATUS else status


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _short(value: Any) -> str:
    """A rule key's value on one inert line, at most 120 characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = inert(text)
    return text if len(text) <= 120 else text[:117] + "..."


def _key(item: Any) -> str:
    """A record key (record text) on one inert line."""
    if isinstance(item, dict):
        return inert(", ".join(f"{k}={v}" for k, v in item.items()))
    return inert(str(item))


def _md(text: str) -> str:
    """Text for a Markdown table cell: the Markdown report's own escaping (HTML, links, punctuation)."""

    return md_escape(text)
