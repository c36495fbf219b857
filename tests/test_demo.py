"""`checker demo`: sample data, a check with the bundled rules, the result and every report format,
then a summary saying where the report is."""

from __future__ import annotations

import json

import jsonschema

from checker import render
from conftest import ROOT


def test_demo_writes_the_result_and_every_report(cli, tmp_path):
    out = tmp_path / "demo"
    run = cli("demo", "--out", str(out), "--rows", "2000", "--lang", "en")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1] == f"the report is {out / 'report.html'}"
    planted = sum(len(keys) for keys in json.loads((out / "data" / "expected.json").read_text("utf-8")).values())
    assert planted > 90
    assert any(f"answer key: {planted} of {planted} planted violations found, nothing else" in line
               for line in lines), run.stdout
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(result)
    assert result["as_of"] == "2026-06-30"
    assert result["exit_code"] == 1 and result["summary"]["failed"] >= 40
    assert (out / "data" / "expected.json").is_file() and (out / "summary.txt").read_text(encoding="utf-8")
    _assert_no_installation_path(out)
    for fmt in render.FILE_FORMATS:
        if fmt == "pdf" and not render.pdf_available():
            continue
        name = {"html": "report.html", "md": "report.md", "junit": "junit.xml", "sarif": "report.sarif",
                "pdf": "report.pdf"}[fmt]
        assert (out / name).stat().st_size > 0, fmt
    assert "CS-002" in (out / "report.html").read_text(encoding="utf-8")




def _assert_no_installation_path(out):
    """Bundled rules and schemas are cited by their package name (checker:rules/...@version), never by where
    the package is installed: an auditor cannot open that path, and it shows the machine's layout."""
    from checker.resources import bundled, located

    roots = [str(bundled(name).resolve()) for name in ("rules", "schemas", "reports")]
    for path in out.iterdir():
        if path.suffix in (".json", ".html", ".md", ".sarif", ".xml", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not any(root in text for root in roots), path.name
    cited = json.loads((out / "result.json").read_text(encoding="utf-8"))["results"]
    rule = next(r for r in cited if r["location"].startswith("checker:rules/"))
    assert located(rule["location"].rsplit(":", 2)[0]).is_file()
