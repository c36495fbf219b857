"""`checker sample`: realistic, internally consistent exports for every bundled dataset,
with known violations of every bundled rule and the answer key.

One module per domain (``appraisal``, ``marketing``, ``budget``, ``crm``); ``world``
holds what they share (calendar, seeded randomness, Faker pools, the answer key) and
``writers`` the export formats. The same ``--seed`` gives byte-identical files (with
the same versions of Faker and DuckDB installed). ``--rows`` is the number of
complaints and of interactions; customers, feedback and the access log grow with it
(bounded), the other tables stay department-sized.

The answer key ``expected.json`` maps each rule id to the keys of its planted
violations: the record key (``x-key``) for row and uniqueness rules, the group key for
aggregate rules — exactly what ``checker check --violations-out`` writes. The data is
dated 2025-01-01 … 2026-06-29 and meant to be checked ``--as-of 2026-06-30``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from checker.i18n import _n, ntr, num, tr
from checker.sample import appraisal, budget, crm, dialects, marketing
from checker.sample.world import AS_OF, World, make_pools
from checker.sample.writers import write_records

DEFAULT_ROWS = 20_000
MIN_ROWS = 1_000
MAX_ROWS = 100_000_000

#: dataset -> (path relative to the output folder, format, writer options)
LAYOUT: dict[str, tuple[str, str, dict]] = {
    "crm.customers": ("crm/customers.csv", "csv", {}),
    "crm.interactions": ("crm/interactions.parquet", "parquet", {}),
    "crm.complaints": ("客戶投訴記錄.csv", "csv", {"encoding": "gb18030", "chinese": True}),
    "crm.surveys": ("crm/surveys.jsonl", "jsonl", {}),
    "crm.access_log": ("crm/access_log.parquet", "parquet", {}),
    "crm.feedback": ("crm/feedback.jsonl", "jsonl", {}),
    "budget.lines": ("市場部預算.xlsx", "xlsx", {"sheet": "預算科目", "chinese": True}),
    "budget.expenses": ("budget/expenses.csv", "csv", {"encoding": "utf-8-sig", "chinese": True}),
    "budget.approvals": ("budget/approvals.jsonl", "jsonl", {}),
    "appraisal.employees": ("appraisal/employees.xlsx", "xlsx", {}),
    "appraisal.appraisals": ("appraisal/appraisals.csv", "csv", {}),
    "appraisal.kpis": ("KPI考核指標.csv", "csv", {"encoding": "gb18030", "chinese": True}),
    "appraisal.trainings": ("appraisal/trainings.json", "json", {}),
    "marketing.campaigns": ("marketing/campaigns.xlsx", "xlsx", {"chinese": True}),
    "marketing.research_reports": ("marketing/research_reports.csv", "csv", {}),
    "marketing.incidents": ("marketing/incidents.jsonl", "jsonl", {}),
}


@dataclass
class SampleResult:
    out: Path
    rows: int
    seed: int
    as_of: str
    files: dict[str, dict] = field(default_factory=dict)      # dataset -> {path, format, records, encoding?}
    planted: int = 0
    rules: int = 0

    def summary(self) -> str:
        width = max(len(d) for d in self.files)
        records = sum(f["records"] for f in self.files.values())
        lines = [tr("checker sample: {records} in {exports} under {path} (seed {seed}, rows {rows})",
                    records=_n("{n} record", "{n} records", records, n=num(records)),
                    exports=_n("{n} export", "{n} exports", len(self.files), n=len(self.files)),
                    path=str(self.out), seed=self.seed, rows=num(self.rows))]
        for dataset, f in sorted(self.files.items()):
            enc = f" {f['encoding']}" if f.get("encoding") else ""
            lines.append(f"  {dataset:<{width}}  {f['records']:>10,}  {f['format']}{enc}  {f['path']}")
        lines.append(ntr("{n} planted violation of {rules}: {path}", "{n} planted violations of {rules}: {path}",
                         self.planted, n=self.planted, rules=_n("{n} rule", "{n} rules", self.rules, n=self.rules),
                         path=str(self.out / "expected.json")))
        command = f"checker check --data {self.out} --as-of {self.as_of}"
        lines.append(tr("check them with: {command}", command=command))
        return "\n".join(lines)


def generate(out: Path, rows: int = DEFAULT_ROWS, seed: int = 7) -> SampleResult:
    """Write every export, ``datasets.yaml``, ``expected.json`` and ``sample.json`` into ``out``."""
    if not MIN_ROWS <= rows <= MAX_ROWS:
        raise ValueError(tr("rows must be between {low} and {high}", low=MIN_ROWS, high=MAX_ROWS))
    out.mkdir(parents=True, exist_ok=True)
    w = World(out=out, rows=rows, seed=seed, pools=make_pools(seed))
    tables = appraisal.generate(w)
    marketing.generate_reports(w)
    tables["marketing.campaigns"] = marketing.generate_campaigns(w)
    tables.update(budget.generate(w))
    tables["marketing.research_reports"] = w.reports
    tables["marketing.incidents"] = marketing.generate_incidents(w)

    result = SampleResult(out=out, rows=rows, seed=seed, as_of=AS_OF.isoformat())
    for dataset, records in sorted(tables.items()):
        rel, fmt, opts = LAYOUT[dataset]
        write_records(out / rel, dataset, dialects.respell(w, dataset, records), fmt, **opts)
        result.files[dataset] = _entry(rel, fmt, opts, len(records))
    paths = {d: out / LAYOUT[d][0] for d in LAYOUT if d.startswith("crm.")}
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    for dataset, count in crm.generate(w, paths).items():
        rel, fmt, opts = LAYOUT[dataset]
        result.files[dataset] = _entry(rel, fmt, opts, count)
    _manifest(out)
    w.write_expected()
    result.planted = sum(len(v) for v in w.expected.values())
    result.rules = len(w.expected)
    meta = {"generator": "checker sample", "seed": seed, "rows": rows, "as_of": result.as_of,
            "answer_key": "expected.json", "datasets": {d: result.files[d] for d in sorted(result.files)}}
    (out / "sample.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return result


def _entry(rel: str, fmt: str, opts: dict, records: int) -> dict:
    entry = {"path": rel, "format": fmt, "records": records}
    if opts.get("encoding"):
        entry["encoding"] = opts["encoding"]
    return entry


def _manifest(out: Path) -> None:
    """datasets.yaml for the exports that are not at <domain>/<name>.<ext> or need an encoding or sheet."""
    lines = ["# Exports not at <domain>/<name>.<ext>, or that need an encoding, a sheet name or a dialect",
             "# (how the export spells dates, amounts, booleans and nulls: docs/guide-exports.md).",
             "# Written by `checker sample`; see README 'Datasets and exports'."]
    for dataset, (rel, fmt, opts) in sorted(LAYOUT.items()):
        conventional = rel == f"{dataset.replace('.', '/', 1)}.{fmt}"
        extra = {k: opts[k] for k in ("encoding", "sheet") if k in opts and opts[k] != "utf-8-sig"}
        if dataset in dialects.DIALECTS:  # (JSON is YAML: the keys "true" and "false" stay strings)
            extra["dialect"] = json.dumps(dialects.DIALECTS[dataset], ensure_ascii=False)
        if conventional and not extra:
            continue
        items = ", ".join([f"path: {rel}"] + [f"{k}: {v}" for k, v in extra.items()])
        lines.append(f"{dataset}: {{{items}}}")
    (out / "datasets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
