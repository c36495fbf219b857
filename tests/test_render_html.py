"""The HTML auditor report: self-contained, complete, escaped, bilingual; PDF through chromium."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.model.result import Clause, ManualControl, Result, WaiverUse
from checker.render import render
from checker.render.labels import LABELS, LANGS, labels
from checker.resources import bundled
from render_support import CASES, PAYLOADS, assert_no_pii, shown_path


class Page(HTMLParser):
    """Every element with its attributes, and the text inside <script> elements."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def find(self, tag=None, **attrs):
        return [a for t, a in self.elements if (tag is None or t == tag)
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def _metric(html: str, name: str) -> str:
    match = re.search(rf'data-metric="{name}"><div class="v">([^<]*)<', html)
    assert match, f"no metric {name}"
    return match.group(1)


def _quickstart(rendered) -> tuple[str, dict]:
    run = rendered("quickstart", "en")
    return run.check["html"], run.result


def test_html_is_one_self_contained_offline_file(rendered):
    html, _ = _quickstart(rendered)
    page = Page(html)
    for tag, attrs in page.elements:
        for name in ("src", "href", "action", "data", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:|//|file:)", value), f"<{tag} {name}={value!r}> loads from outside"
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    assert [a for a in page.find("script") if "src" in a] == []
    assert "@import" not in html and "url(" not in html
    csp = page.find("meta", http_equiv="Content-Security-Policy")
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_the_csp_allows_exactly_the_page_script(rendered):
    html, _ = _quickstart(rendered)
    page = Page(html)
    assert len(page.scripts) == 1
    digest = base64.b64encode(hashlib.sha256(page.scripts[0].encode("utf-8")).digest()).decode()
    csp = page.find("meta", http_equiv="Content-Security-Policy")[0]["content"]
    assert f"script-src 'sha256-{digest}'" in csp


def test_html_summary_numbers_charts_and_regulations(rendered):
    html, result = _quickstart(rendered)
    s = result["summary"]
    for name in ("passed", "failed", "errored", "skipped", "violations", "waived"):
        assert _metric(html, name) == f"{s[name]:,}"
    assert _metric(html, "checks") == str(s["rules"])
    assert _metric(html, "records") == str(sum(i["rows"] for i in result["inputs"]))
    page = Page(html)
    charts = {a["data-chart"] for a in page.find("svg") if "data-chart" in a}
    assert charts == {"status", "severity", "regulation", "clause"}
    regulations = [a["data-regulation"] for a in page.find("tr") if "data-regulation" in a]
    assert regulations[:7] == [f"M{n}" for n in range(1, 8)]
    bars = {a["data-label"]: int(a["data-value"]) for a in page.find("g") if "data-label" in a}
    cited = {c for r in result["results"] for c in r["clauses"]}
    for clause in cited:  # clause bars count the rules citing the clause
        assert bars[clause] == sum(clause in r["clauses"] for r in result["results"])


def test_every_rule_has_a_section_with_its_facts_and_samples(rendered):
    html, result = _quickstart(rendered)
    page = Page(html)
    sections = {a["data-rule"]: a for a in page.find("section") if "data-rule" in a}
    assert set(sections) == {r["rule_id"] for r in result["results"]}
    files = {i["dataset"]: shown_path(result, i["path"]) for i in result["inputs"]}
    for r in result["results"]:
        attrs = sections[r["rule_id"]]
        assert attrs["data-severity"] == r["severity"] and attrs["data-status"] == r["status"]
        assert attrs["data-regs"].split() == sorted({c.split(".")[0] for c in r["clauses"]})
        body = html.split(f'data-rule="{r["rule_id"]}"', 1)[1].split("</section>", 1)[0]
        assert f'data-count="violations">{r["violations"]:,}<' in body
        assert f'data-count="checked">{r["checked"]:,}<' in body
        if r["ruleset_version"]:
            assert r["ruleset_version"] in body
        for sample in r["samples"]:
            row = str(sample["row"]) if sample["row"] is not None else "group"
            assert f'<td class="file">{files[r["dataset"]]}</td><td class="n">{row}</td>' in body


def test_the_sql_a_rule_ran_is_collapsible(rendered):
    result = Result.model_validate(rendered("quickstart").result)
    results = [r.model_copy(update={"sql": "SELECT count(*) FROM t WHERE a < 'x&y'"}) if r.rule_id == "QS-001"
               else r for r in result.results]
    html = render(result.model_copy(update={"results": results}), "html", "en")
    body = html.split('data-rule="QS-001"', 1)[1].split("</section>", 1)[0]
    assert '<details class="sql"><summary>SQL it ran</summary>' in body
    assert "SELECT count(*) FROM t WHERE a &lt; &#39;x&amp;y&#39;" in body
    assert html.count('<details class="sql">') == sum(r.sql is not None for r in results)
    plain = render(result.model_copy(update={"results": [r.model_copy(update={"sql": None}) for r in results]}),
                   "html", "en")
    assert '<details class="sql">' not in plain


def test_coverage_matrix_from_the_catalog_with_manual_controls(rendered):
    result = Result.model_validate(rendered("quickstart").result)
    catalog = [Clause(id="M1.2", regulation="M1", title={"zh": "服務標準", "en": "Service standards"},
                      manual_controls=[ManualControl(id="MC-1", zh="員工行為守則", en="Staff code of conduct",
                                                     evidence={"zh": "培訓紀錄", "en": "training records"})]),
               Clause(id="M3.1", regulation="M3", title={"zh": "人工條款", "en": "A manual clause"},
                      manual_controls=[ManualControl(id="MC-2", zh="年度審查", en="Yearly review")]),
               Clause(id="M5.9", regulation="M5", title={"zh": "未覆蓋", "en": "Nothing covers this"})]
    html = render(result.model_copy(update={"catalog": catalog}), "html", "en")
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-clause="([^"]+)">(.*?)</tr>', html, re.S)}
    assert list(rows) == ["M1.2", "M3.1", "M5.9"]
    assert "QS-001" in rows["M1.2"] and "Staff code of conduct" in rows["M1.2"] and "automated + manual" in rows["M1.2"]
    assert "Yearly review" in rows["M3.1"] and "cov-manual" in rows["M3.1"]
    assert "not covered" in rows["M5.9"]
    assert "Clauses from the regulation catalog." in html

    plain = rendered("quickstart").check["html"]  # no catalog: the clauses the results cite
    cited = sorted({c for r in result.results for c in r.clauses})
    assert re.findall(r'<tr data-clause="([^"]+)">', plain) == cited


def test_waivers_used_and_expired_are_listed(rendered):
    result = Result.model_validate(rendered("quickstart").result)
    waivers = [WaiverUse(id="W1", rule="QS-002", reason="migration <b>backlog</b>", approved_by="Lee",
                         expires="2026-12-31", status="used", matched=2),
               WaiverUse(id="W2", rule="QS-001", reason="old exception", approved_by="Chan", expires="2026-01-31",
                         status="expired", matched=0)]
    html = render(result.model_copy(update={"waivers": waivers}), "html", "en")
    used = html.split("Waivers used", 1)[1].split("Expired waivers", 1)[0]
    expired = html.split("Expired waivers (not applied)", 1)[1].split("</table>", 1)[0]
    assert "W1" in used and "migration &lt;b&gt;backlog&lt;/b&gt;" in used and "W2" not in used
    assert "W2" in expired and "2026-01-31" in expired


def test_evidence_block_names_every_ruleset_and_input(rendered):
    html, result = _quickstart(rendered)
    evidence = html.split('id="evidence"', 1)[1]
    for rs in result["rulesets"]:
        assert rs["sha256"] in evidence and rs["version"] in evidence
    for i in result["inputs"]:
        assert i["sha256"] in evidence and i["path"] in evidence and f'<td class="n">{i["rows"]:,}</td>' in evidence
    assert result["run"]["started_at"] in evidence and result["tool"]["version"] in evidence
    assert result["as_of"] in evidence


def test_hostile_record_text_is_text(rendered):
    run = rendered("hostile", "en")
    html = run.check["html"]
    page = Page(html)
    assert len(page.scripts) == 1 and "__pwned" not in page.scripts[0]
    assert not page.find("img") and not any(t == "svg" and "onload" in a for t, a in page.elements)
    handlers = [(t, k) for t, a in page.elements for k in a if k.startswith("on")]
    assert handlers == []
    text = "".join(page.text)
    for payload in PAYLOADS:
        assert payload in text  # shown to the reader exactly as the record holds it
        assert payload not in html  # and only ever escaped in the markup
    assert "<em>E…</em>" in text  # rule titles are escaped too


def test_no_personal_data_unless_show_pii(rendered):
    for case in CASES:
        for lang in ("en", "zh"):
            assert_no_pii(rendered(case, lang).check["html"], f"{case} {lang} html")
    assert "138****5678" in rendered("hostile").check["html"]
    assert "13812345678" in rendered("hostile", "en", show_pii=True).check["html"]


def test_both_languages(rendered):
    en = rendered("quickstart", "en").check["html"]
    zh = rendered("quickstart", "zh").check["html"]
    assert '<html lang="en">' in en and '<html lang="zh-Hant">' in zh
    for key in ("report_title", "by_severity", "by_regulation", "coverage", "evidence", "waivers"):
        assert labels("en")[key] in en and labels("zh")[key] in zh
    assert "High-severity complaints get a first response within 24 hours" in en
    assert "高等級投訴24小時內首次響應" in zh
    assert "合規檢查報告" not in en and "Compliance report" not in zh


def test_every_label_exists_in_both_languages_and_templates_name_only_known_labels():
    for lang in LANGS:
        assert set(labels(lang)) == set(LABELS) and all(labels(lang).values()), lang
    assert all(labels("zh")[key] != labels("en")[key] for key in LABELS if key != "sha256"), "untranslated label"
    used = set()
    for template in bundled("reports").rglob("*.j2"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bL\.(\w+)", text)) | set(re.findall(r"\bL\['(\w+)'\]", text))
        for prefix in re.findall(r"\bL\['(\w+_)' ~", text):
            assert any(k.startswith(prefix) for k in LABELS), prefix
    assert used - set(LABELS) == set()


def test_templates_dir_overrides_one_template_and_keeps_the_rest(cli, tmp_path):
    custom = tmp_path / "tpl" / "html"
    custom.mkdir(parents=True)
    (custom / "report.html.j2").write_text("<p>{{ L.report_title }}: {{ result.summary.violations }} "
                                           "{{ view.failing[0].samples[0].message }}</p>\n", encoding="utf-8")
    run = cli(*CASES["hostile"], "--lang", "en", "--templates", str(tmp_path / "tpl"), "--html", "r.html",
              "--md", "r.md", "-q")
    assert run.exit_code == 1, run.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<p>Compliance report: 10 ") and "&lt;script&gt;" in html and "<script>" not in html
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("## ❌ Compliance report")


@pytest.mark.parametrize("body, expect", [
    ("{% for x in %}", "T501 template syntax error"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "T501 template could not be rendered: SecurityError"),
    ("{{ L.no_such_label }}", "T501 template could not be rendered: UndefinedError"),
])
def test_a_broken_or_unsafe_template_is_one_clean_error(cli, tmp_path, body, expect):
    (tmp_path / "tpl" / "html").mkdir(parents=True)
    (tmp_path / "tpl" / "html" / "report.html.j2").write_text("<p>\n" + body + "\n", encoding="utf-8")
    run = cli(*CASES["quickstart"], "--templates", str(tmp_path / "tpl"), "--html", "r.html", "-q")
    assert run.exit_code == 2
    assert expect in run.stderr and "report.html.j2:2:" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_missing_templates_dir_is_a_usage_error(cli, tmp_path):
    run = cli(*CASES["quickstart"], "--templates", str(tmp_path / "nope"), "--html", "r.html")
    assert run.exit_code == 2 and "--templates" in run.stderr


def test_print_styles_for_a_clean_pdf(rendered):
    html, _ = _quickstart(rendered)
    css = html.split("@media print", 1)[1]
    assert "#filters" in css and "@page" in css and "break-inside" in css


def test_pdf_is_printed_by_chromium(cli, tmp_path):
    if shutil.which("chromium") is None:
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)("Debian's chromium is not installed")
    run = cli(*CASES["quickstart"], "--lang", "en", "--json", "r.json", "--pdf", "out/report.pdf", "-q")
    assert run.exit_code == 1, run.stderr
    pdf = (tmp_path / "out" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    again = cli("report", "r.json", "--pdf", "again.pdf", "-q")
    assert again.exit_code == 0 and (tmp_path / "again.pdf").read_bytes().startswith(b"%PDF-")


def test_a_chinese_pdf_embeds_a_cjk_font(cli, tmp_path):
    """Han characters print in a CJK face, not as boxes in a Latin one (.ci/run installs fonts-noto-cjk)."""
    import re

    if shutil.which("chromium") is None:
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)("Debian's chromium is not installed")
    run = cli(*CASES["quickstart"], "--lang", "zh", "--pdf", "zh.pdf", "-q")
    assert run.exit_code == 1, run.stderr
    pdf = (tmp_path / "zh.pdf").read_bytes()
    fonts = set(re.findall(rb"/(?:FontName|BaseFont)\s*/(?:[A-Z]{6}\+)?([A-Za-z0-9_-]+)", pdf))
    assert any(b"CJK" in f or b"JhengHei" in f or b"PingFang" in f or b"HanSans" in f for f in fonts), fonts


def test_pdf_without_chromium_is_a_usage_error(cli, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    run = cli(*CASES["quickstart"], "--pdf", "r.pdf", env={"PATH": str(empty)})
    assert run.exit_code == 2
    assert "--pdf" in run.stderr and "chromium" in run.stderr and "Traceback" not in run.stderr
    assert not Path(tmp_path / "r.pdf").exists()
