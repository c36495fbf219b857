"""`checker waivers`: every waiver with its status, approver and expiry, for the auditor's calendar.

A waiver is *active*, *expiring* (within ``--within`` days of ``--as-of``, default 30) or *expired*;
with ``--result RESULT.json`` also whether it matched anything in that run.  The waiver file is read
as ``check`` reads it (its problems are the same positioned ones); no rule or data is needed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from checker.i18n import tr
from checker.problems import CheckerError
from checker.waivers import load_entries

STATUSES = ("expired", "expiring", "active")


def list_waivers(path: Path, as_of: dt.date, within: int = 30, result: Path | None = None) -> list[dict[str, Any]]:
    """One row per waiver, soonest expiry first."""
    entries, problems, _pos = load_entries(path)
    if problems:
        raise CheckerError(problems)
    used: dict[str, dict[str, Any]] = {}
    if result is not None:
        from checker.render.formats import load_result

        used = {w.id: {"status": w.status, "matched": w.matched} for w in load_result(result).waivers}
    rows = []
    for _i, entry, wid, span in entries:
        left = (entry.expires - as_of).days
        status = "expired" if left < 0 else "expiring" if left <= within else "active"
        row: dict[str, Any] = {"id": wid, "rule": entry.rule, "status": status, "expires": entry.expires.isoformat(),
                               "days_left": left, "approved_by": entry.approved_by, "reason": entry.reason,
                               "location": str(span)}
        if result is not None:
            row["matched"] = used.get(wid, {}).get("matched")
        rows.append(row)
    return sorted(rows, key=lambda r: (r["expires"], r["id"]))


def render(rows: list[dict[str, Any]], fmt: str, as_of: dt.date, within: int) -> str:
    if fmt == "json":
        return json.dumps({"as_of": as_of.isoformat(), "within_days": within, "waivers": rows},
                          ensure_ascii=False, indent=2) + "\n"
    label = {"expired": tr("expired"), "expiring": tr("expiring"), "active": tr("active")}
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    head = tr("{n} waivers as of {day}: {expired} expired, {expiring} expiring within {days} days, {active} active",
              n=len(rows), day=as_of.isoformat(), expired=counts["expired"], expiring=counts["expiring"],
              days=within, active=counts["active"])
    matched = any("matched" in r for r in rows)
    if fmt == "md":
        cols = [tr("Waiver"), tr("Rule"), tr("Status"), tr("Expires"), tr("Approved by"), tr("Reason")]
        cols += [tr("Matched")] if matched else []
        lines = [f"### {head}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for r in rows:
            cells = [r["id"], f"`{r['rule']}`", label[r["status"]], r["expires"], r["approved_by"],
                     r["reason"].replace("|", "\\|")]
            cells += [str(r.get("matched") if r.get("matched") is not None else "—")] if matched else []
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    lines = [head]
    for r in rows:
        when = tr("{n} days left", n=r["days_left"]) if r["days_left"] >= 0 else tr("{n} days ago", n=-r["days_left"])
        extra = f"  {tr('matched {n}', n=r['matched'])}" if r.get("matched") is not None else ""
        lines.append(f"  {r['id']:<8} {label[r['status']]:<9} {r['expires']} ({when})  {r['rule']}  "
                     f"{r['approved_by']}: {r['reason']}{extra}")
    return "\n".join(lines) + "\n"
