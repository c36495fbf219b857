"""Markdown for pull requests and GitHub's step summary: compact, escaped, under 1 MiB."""

from __future__ import annotations

import re

from checker.model.result import Result, Sample
from checker.render import markdown, render
from checker.render.base import md_code, md_escape
from render_support import CASES, PAYLOADS, assert_no_pii, shown_path

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _table_rows(md: str) -> list[list[str]]:
    """Each Markdown table, as its lines' cell counts must all agree."""
    tables, current = [], []
    for line in md.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def test_markdown_summary_and_failing_rules(rendered):
    run = rendered("quickstart", "en")
    md, result = run.check["md"], run.result
    s = result["summary"]
    assert md.startswith("## ❌ Compliance report: FAIL\n")
    counts = " | ".join(str(s[k]) for k in ("rules", "passed", "failed", "errored", "skipped", "violations"))
    assert f"| {counts} |" in md
    failing = [r for r in result["results"] if r["status"] in ("fail", "error")]
    rows = [line for line in md.splitlines() if line.startswith("| ") and "`" in line.split("|")[2]]
    assert len(rows) == len(failing)
    for r in failing:
        assert f"<summary>{md_escape(r['rule_id'])} — Violations: {r['violations']}</summary>" in md
    assert "**By regulation** (failing rules / rules (violations)): M1 " in md
    assert "a violation counts under every regulation its rule cites" in md
    assert "<details><summary>Evidence</summary>" in md
    for i in result["inputs"]:
        assert i["sha256"] in md


def test_samples_cite_file_and_row(rendered):
    run = rendered("quickstart", "en")
    md = run.check["md"]
    path = shown_path(run.result, "crm/complaints.csv").replace("_", "\\_")
    assert f"| {path} | 2 | complaint\\_id=C000002 |" in md
    hostile = rendered("hostile", "en")
    md = hostile.check["md"]
    path = shown_path(hostile.result, "crm/complaints.csv").replace("_", "\\_")
    assert f"| {path} | group | customer\\_id=K001 | Customer K001 has 2 complaints to follow up |" in md


def test_every_table_row_has_its_header_cell_count(rendered):
    for case in CASES:
        md = rendered(case, "en").check["md"]
        for table in _table_rows(md):
            counts = {len(UNESCAPED_PIPE.findall(line)) for line in table}
            assert len(counts) == 1, table


def test_hostile_text_is_inert_markdown(rendered):
    md = rendered("hostile", "en").check["md"]
    for payload in PAYLOADS:
        assert payload not in md
    assert not re.search(r"<(script|img|svg)", md)
    assert "&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;" in md
    assert "@octocat" not in md and "&#64;octocat" in md          # no one is mentioned
    assert "\\*\\*bold\\*\\*" in md and "line one ::error::pwned" in md  # no new line, no emphasis
    assert not any(line.startswith("::") for line in md.splitlines())


def test_escape_helpers():
    assert md_escape("a|b *c* [d](e) <f> & @g #1 `h` $x$") == \
        "a\\|b \\*c\\* \\[d\\](e) &lt;f&gt; &amp; &#64;g \\#1 \\`h\\` \\$x\\$"
    assert md_escape("one\r\ntwo\nthree") == "one two three"
    assert md_code("a`b") == "``a`b``" and md_code("x|y") == "`x\\|y`"


def test_no_personal_data_unless_show_pii(rendered):
    for case in CASES:
        for lang in ("en", "zh"):
            assert_no_pii(rendered(case, lang).check["md"], f"{case} {lang} md")
    assert "13812345678" in rendered("hostile", "en", show_pii=True).check["md"]


def test_format_md_on_stdout_is_the_same_document(rendered):
    run = rendered("quickstart", "en")
    assert run.report["md-stdout"] == run.check["md"]


def _big(result: Result, rules: int, samples: int) -> Result:
    base = next(r for r in result.results if r.rule_id == "QS-002")
    many = [base.model_copy(update={
        "rule_id": f"BIG-{n:05d}", "violations": samples * 3,
        "samples": [Sample(row=k + 2, key={"complaint_id": f"C{k:06d}"}, message="x" * 400) for k in range(samples)]})
        for n in range(rules)]
    return result.model_copy(update={"results": many})


def test_stays_under_the_step_summary_limit_by_truncating_samples(rendered):
    result = Result.model_validate(rendered("quickstart").result)
    big = _big(result, rules=600, samples=20)
    md = render(big, "md", "en")
    assert len(md.encode("utf-8")) <= markdown.LIMIT < 1024 * 1024
    notice = re.search(r"at most (\d+) samples are listed per rule", md)
    assert notice and int(notice.group(1)) < markdown.SAMPLES
    assert md.count("BIG-00599") >= 1  # every failing rule still listed

    huge = _big(result, rules=12_000, samples=1)
    md = render(huge, "md", "en")
    assert len(md.encode("utf-8")) <= markdown.LIMIT
    assert re.search(r"\d[\d,]* more failing rules are not listed", md)

    small = render(result, "md", "en")
    assert "samples are listed per rule" not in small
