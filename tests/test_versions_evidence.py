"""A rule with several versions shows each version's SQL and counts: each judged its own records."""

from __future__ import annotations

import html

from conftest import ROOT

CASE = ROOT / "tests" / "cases" / "time"


def test_every_version_has_its_sql_in_the_result_and_the_report(cli, tmp_path):
    run = cli("check", "--data", str(CASE / "_data"), "--rules", str(CASE / "_rules"), "--schemas",
              str(ROOT / "tests" / "cases" / "_shared" / "schemas"), "--as-of", "2026-06-30", "--lang", "en",
              "--allow-missing", "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"))
    assert run.exit_code == 1, run.stderr
    rule = next(r for r in run.result["results"] if r["rule_id"] == "TIME-001")
    sqls = {v["version"]: v["sql"] for v in rule["versions"]}
    assert set(sqls) == {"1.0.0", "2.0.0"} and all(sqls.values())
    assert sqls["1.0.0"] != sqls["2.0.0"]                  # the versions judge differently
    assert rule["sql"] == sqls["2.0.0"]                     # the rule's own sql stays the newest
    page = html.unescape((tmp_path / "r.html").read_text(encoding="utf-8"))
    for version, sql in sqls.items():
        assert f"Version {version}" in page or f"version {version}" in page.lower()
        assert sql in page
