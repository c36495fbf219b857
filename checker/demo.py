"""`checker demo`: sample data, a check with the bundled rules, the result and every report.

A thin sequence of the real steps: :func:`checker.sample.generate`, :func:`checker.run.check`
(fixed ``--as-of`` so that the demo gives the same findings on any day), then every
renderer ``checker.render`` has. It ends with a short summary saying where the report is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from checker.i18n import _, _n, num
from checker.render import text
from checker.render.inert import inert_json
from checker.sample import DEFAULT_ROWS, generate
from checker.sample.world import AS_OF

#: report format -> file name inside the demo folder
REPORT_FILES = {"html": "report.html", "md": "report.md", "junit": "junit.xml", "sarif": "report.sarif",
                "pdf": "report.pdf"}


@dataclass
class DemoResult:
    out: Path
    summary: str
    files: dict[str, Path] = field(default_factory=dict)


def demo(out: Path, rows: int = DEFAULT_ROWS, seed: int = 7, as_of: dt.date = AS_OF, lang: str = "zh") -> DemoResult:
    from checker import render
    from checker.run import CheckOptions, check

    data = out / "data"
    sample = generate(data, rows=rows, seed=seed)
    violations = out / "violations.parquet"
    result = check(CheckOptions(data=data, as_of=as_of, lang=lang, violations_out=violations))
    files = {"result": out / "result.json", "text": out / "summary.txt", "violations": violations}
    files["result"].write_text(inert_json(result.to_json()), encoding="utf-8")
    files["text"].write_text(text.render(result, lang, colour=False), encoding="utf-8")
    formats = [f for f in getattr(render, "FILE_FORMATS", ()) if f != "pdf" or render.pdf_available()]
    for fmt in formats:
        files[fmt] = out / REPORT_FILES.get(fmt, f"report.{fmt}")
        render.write(result, fmt, files[fmt], lang)
    s = result.summary
    found, missed, extra = _against_key(data / "expected.json", violations)
    records = sum(f["records"] for f in sample.files.values())
    report = files.get("html") or files.get("md") or files["text"]
    lines = [
        _("checker demo · as of {day} · {exports}, {records} in {data}", day=str(as_of),
          exports=_n("{n} export", "{n} exports", len(sample.files), n=len(sample.files)),
          records=_n("{n} record", "{n} records", records, n=num(records)), data=str(data)),
        _("  {checks}: {passed} passed, {failed} failed, {errored} errored; {violations}",
          checks=_n("{n} check", "{n} checks", s.rules, n=s.rules), passed=s.passed, failed=s.failed,
          errored=s.errored,
          violations=_n("{n} violation", "{n} violations", s.violations, n=num(s.violations))),
        _("  answer key: {found} of {planted} planted violations found{rest}", found=found, planted=sample.planted,
          rest=_(", nothing else") if not extra and not missed else
          _("; {missed} missed, {extra} unexpected", missed=missed, extra=extra)),
        _("  files: {files}", files=", ".join(str(p.relative_to(out)) for k, p in files.items() if k != "html")),
        _("the report is {path}", path=str(report)),
    ]
    return DemoResult(out, "\n".join(line.render(lang) for line in lines), files)


def _against_key(expected: Path, violations: Path) -> tuple[int, int, int]:
    """(found, missed, unexpected) planted violations, compared key by key."""
    import pyarrow.parquet as pq

    key = json.loads(expected.read_text(encoding="utf-8"))
    want = Counter((rule, json.dumps(k, ensure_ascii=False, sort_keys=True))
                   for rule, keys in key.items() for k in keys)
    got = Counter((r["rule_id"], r["key"]) for r in pq.read_table(violations, columns=["rule_id", "key"]).to_pylist())
    return sum((want & got).values()), sum((want - got).values()), sum((got - want).values())
