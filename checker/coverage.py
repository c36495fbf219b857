"""`checker coverage`: every clause of the regulation catalog with the rules and the
manual controls that cover it, and the clauses nothing covers.

A clause is covered by *rules* (automated: some version of some ruleset cites it), by
*manual controls* (attestation items in the catalog, for what exported records cannot
decide), by both, or by nothing. Rules are read across all versions of every ruleset, so
a rule that only a past or future version holds still counts, with its versions listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from checker.catalog import LoadedCatalog, ManualControl, find_catalog_docs, load_catalog, load_catalogs
from checker.i18n import _, _n
from checker.load.rulesets import load_rulesets
from checker.problems import CheckerError
from checker.resources import bundled

FORMATS = ("text", "json", "md")


@dataclass(frozen=True)
class RuleRef:
    id: str
    ruleset: str
    versions: tuple[str, ...]
    kind: str
    severity: str
    dataset: str
    title: dict[str, str]


@dataclass(frozen=True)
class ClauseCoverage:
    id: str
    regulation: str
    title: dict[str, str]
    summary: dict[str, str]
    rules: tuple[RuleRef, ...]
    manual_controls: tuple[ManualControl, ...]

    @property
    def status(self) -> str:
        if self.rules and self.manual_controls:
            return "both"
        if self.rules:
            return "automated"
        return "manual" if self.manual_controls else "uncovered"


@dataclass
class Coverage:
    catalog: LoadedCatalog
    clauses: list[ClauseCoverage]
    rules: int
    rulesets: int
    unknown: list[tuple[str, str]] = field(default_factory=list)   # (rule id, clause id) not in the catalog

    @property
    def uncovered(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if c.status == "uncovered"]

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.clauses)


def coverage(rule_paths: list[Path] | None = None) -> Coverage:
    """Coverage of the catalog found in ``rule_paths`` (else the bundled one) by the rules there."""
    paths = list(rule_paths or [bundled("rules")])
    rulesets, problems, _others = load_rulesets(paths)
    if problems:
        raise CheckerError(problems)
    docs, problems = find_catalog_docs(paths)
    catalogs, found = load_catalogs(docs)
    if problems or found:
        raise CheckerError(problems + found)
    catalog = catalogs[0] if catalogs else load_catalog()
    by_rule: dict[str, dict] = {}
    for rs in sorted(rulesets, key=lambda r: (r.model.ruleset, r.model.version_tuple)):
        for rule in rs.model.rules:
            entry = by_rule.setdefault(rule.id, {"rule": rule, "ruleset": rs.model.ruleset, "versions": [],
                                                 "clauses": set()})
            entry["rule"] = rule
            entry["versions"].append(rs.model.version)
            entry["clauses"] |= set(rule.clauses)
    refs = {rid: RuleRef(rid, e["ruleset"], tuple(e["versions"]), e["rule"].kind, e["rule"].severity.value,
                         e["rule"].dataset, {"zh": e["rule"].title.zh, "en": e["rule"].title.en})
            for rid, e in by_rule.items()}
    known = catalog.clauses
    clauses = []
    for reg in catalog.model.regulations:
        for clause in reg.clauses:
            cited = sorted((refs[rid] for rid, e in by_rule.items() if clause.id in e["clauses"]), key=lambda r: r.id)
            clauses.append(ClauseCoverage(clause.id, reg.id, {"zh": clause.title.zh, "en": clause.title.en},
                                          {"zh": clause.summary.zh, "en": clause.summary.en}, tuple(cited),
                                          tuple(clause.manual_controls)))
    unknown = sorted((rid, c) for rid, e in by_rule.items() for c in e["clauses"] if c not in known)
    return Coverage(catalog, clauses, len(by_rule), len({rs.model.ruleset for rs in rulesets}), unknown)


# -- rendering ------------------------------------------------------------------------------------------

def render(cov: Coverage, fmt: str, lang: str = "zh") -> str:
    if fmt == "json":
        return _json(cov)
    if fmt == "md":
        return _markdown(cov, lang)
    return _text(cov, lang)


def _headline(cov: Coverage, lang: str) -> str:
    n = len(cov.clauses)
    manual = [c.id for c in cov.clauses if c.status == "manual"]
    covered = n - len(cov.uncovered)
    by_rules = cov.count("automated") + cov.count("both")
    if manual:
        only = _n("{n} by manual controls only ({ids})", "{n} by manual controls only ({ids})", len(manual),
                  n=len(manual), ids=", ".join(manual))
    else:
        only = _n("{n} by manual controls only", "{n} by manual controls only", 0, n=0)
    msg = _n("{covered} of {n} clause covered: {rules} by rules ({both} of them also by manual controls), "
             "{manual}, {uncovered} uncovered",
             "{covered} of {n} clauses covered: {rules} by rules ({both} of them also by manual controls), "
             "{manual}, {uncovered} uncovered", n,
             covered=covered, n=n, rules=by_rules, both=cov.count("both"), manual=only,
             uncovered=len(cov.uncovered))
    if cov.uncovered:
        msg = _("{headline}: {ids}", headline=msg, ids=", ".join(c.id for c in cov.uncovered))
    return msg.render(lang)


def _text(cov: Coverage, lang: str) -> str:
    cat = cov.catalog.model
    lines = [_("{title} ({id} {version}) · {clauses} · {rules} · {rulesets}", title=cat.title.get(lang), id=cat.id,
               version=cat.version,
               clauses=_n("{n} clause", "{n} clauses", len(cov.clauses), n=len(cov.clauses)),
               rules=_n("{n} rule", "{n} rules", cov.rules, n=cov.rules),
               rulesets=_n("{n} ruleset", "{n} rulesets", cov.rulesets, n=cov.rulesets)).render(lang), ""]
    regs = {r.id: r for r in cat.regulations}
    marks = {"automated": _("auto"), "both": _("auto+manual"), "manual": _("manual"), "uncovered": _("UNCOVERED")}
    current = None
    for c in cov.clauses:
        if c.regulation != current:
            current = c.regulation
            if lines[-1] != "":
                lines.append("")
            lines.append(f"{current}  {regs[current].title.get(lang)}")
        mark = marks[c.status].render(lang)
        lines.append(f"  {c.id:<5} {c.title[lang]}  [{mark}]")
        if c.rules:
            lines.append("        " + _("rules: {ids}", ids=", ".join(r.id for r in c.rules)).render(lang))
        for m in c.manual_controls:
            lines.append(f"        {m.id}: {m.zh if lang == 'zh' else m.en}")
    lines += ["", _headline(cov, lang)]
    for rid, clause in cov.unknown:
        lines.append(_("rule {rule} cites clause {clause}, which is not in the catalog",
                       rule=rid, clause=clause).render(lang))
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(cov: Coverage, lang: str) -> str:
    cat = cov.catalog.model
    head = _("| Clause | Title | Rules | Manual controls |").render(lang)
    lines = [_("# {title} — clause coverage", title=cat.title.get(lang)).render(lang), "",
             _headline(cov, lang), ""]
    regs = {r.id: r for r in cat.regulations}
    uncovered = _("**uncovered**").render(lang)
    for reg_id in regs:
        lines += [f"## {reg_id} {regs[reg_id].title.get(lang)}", "", head, "|---|---|---|---|"]
        for c in (c for c in cov.clauses if c.regulation == reg_id):
            rules = ", ".join(f"`{r.id}`" for r in c.rules) or ("—" if c.manual_controls else uncovered)
            manual = "<br>".join(f"`{m.id}` {_md_cell(m.zh if lang == 'zh' else m.en)}"
                                 for m in c.manual_controls) or "—"
            lines.append(f"| {c.id} | {_md_cell(c.title[lang])} | {rules} | {manual} |")
        lines.append("")
    return "\n".join(lines)


def _json(cov: Coverage) -> str:
    cat = cov.catalog.model
    data = {
        "catalog": {"id": cat.id, "version": cat.version, "path": cov.catalog.path},
        "summary": {"clauses": len(cov.clauses), "automated": cov.count("automated"), "both": cov.count("both"),
                    "manual_only": cov.count("manual"), "uncovered": len(cov.uncovered), "rules": cov.rules,
                    "rulesets": cov.rulesets},
        "clauses": [{"id": c.id, "regulation": c.regulation, "title": c.title, "summary": c.summary,
                     "status": c.status,
                     "rules": [{"id": r.id, "ruleset": r.ruleset, "versions": list(r.versions), "kind": r.kind,
                                "severity": r.severity, "dataset": r.dataset, "title": r.title} for r in c.rules],
                     "manual_controls": [{"id": m.id, "zh": m.zh, "en": m.en,
                                          "evidence": {"zh": m.evidence.zh, "en": m.evidence.en}}
                                         for m in c.manual_controls]} for c in cov.clauses],
        "uncovered": [c.id for c in cov.uncovered],
        "unknown_clauses": [{"rule": rid, "clause": clause} for rid, clause in cov.unknown],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
