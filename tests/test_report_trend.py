"""The run's own reports show its trend when it was recorded with --history: the HTML report a Trend section
(a chart of violations and failed rules per run) and a sparkline per rule, the Markdown report a trend table;
`checker report` shows the same from the result file.  Without history there is none of it."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from checker.render.labels import labels
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
DAYS = ("2026-04-30", "2026-05-31", "2026-06-30")
#: a store's name is shown in the trend: a hostile one must stay text
STORE = '"><svg onload=window.__pwned=1>`|.duckdb'


def _args(day: str, *more: str) -> list[str]:
    return ["check", "--data", "qs/data", "--rules", "qs/rules", "--schemas", "qs/schemas", "--as-of", day, *more]


@pytest.fixture
def runs(cli, tmp_path):
    shutil.copytree(QS, tmp_path / "qs")
    for day in DAYS[:-1]:
        assert cli(*_args(day, "--history", STORE, "-q")).exit_code == 1
    last = cli(*_args(DAYS[-1], "--history", STORE, "--json", "with.json", "--html", "with.html", "--md", "with.md"))
    plain = cli(*_args(DAYS[-1], "--json", "without.json", "--html", "without.html", "--md", "without.md"))
    assert last.exit_code == plain.exit_code == 1
    return tmp_path


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S)]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_html_report_shows_the_trend_and_a_sparkline_per_rule(runs):
    result = json.loads((runs / "with.json").read_text(encoding="utf-8"))
    points = result["history"]["points"]
    assert [p["as_of"] for p in points] == list(DAYS)
    html = (runs / "with.html").read_text(encoding="utf-8")
    assert 'id="trend"' in html and labels("en")["trend"] in html
    chart = next(svg for svg in _svgs(html) if svg.get("data-chart") == "trend")
    dots = [e for e in chart.iter() if e.get("class") == "dot"]
    columns = [e for e in chart.iter() if e.get("class") == "col"]
    assert [int(d.get("data-value")) for d in dots] == [p["violations"] for p in points]
    assert [int(c.get("data-value")) for c in columns] == [p["failed"] for p in points]
    assert [t.text for t in chart.iter() if t.get("class") == "axis x"] == list(DAYS)
    assert all(day in d.find("title").text for day, d in zip(DAYS, dots, strict=True))
    sparks = [svg for svg in _svgs(html) if svg.get("class") == "spark"]
    assert len(sparks) == len(result["results"]) == len(result["history"]["rules"])
    rows = re.findall(r'<tr data-as-of="([^"]+)">', html)
    assert rows == list(DAYS)


def test_the_markdown_report_shows_a_trend_table(runs):
    md = (runs / "with.md").read_text(encoding="utf-8")
    assert f"**{labels('en')['trend']}**" in md
    rows = [line for line in md.splitlines() if re.match(r"\| 2026-\d\d-\d\d \| \d+ \|", line)]
    assert [row.split("|")[1].strip() for row in rows] == list(DAYS)
    assert rows[0].count("—") == 2            # the first run has nothing to compare with: no new, no fixed


def test_a_hostile_store_name_is_text(runs):
    html = (runs / "with.html").read_text(encoding="utf-8")
    assert "<svg onload" not in html
    parser = Tags()
    parser.feed(html)
    assert not [(tag, k) for tag, a in parser.tags for k in a if k.startswith("on")]
    md = (runs / "with.md").read_text(encoding="utf-8")
    trend = next(line for line in md.splitlines() if line.startswith(f"**{labels('en')['trend']}**"))
    assert "<svg" not in trend and "&lt;svg onload" in trend and "\\`\\|" in trend


def test_checker_report_renders_the_trend_from_the_result_file(cli, runs):
    assert cli("report", "with.json", "--html", "again.html", "--md", "again.md", "-q").exit_code == 0
    again = (runs / "again.html").read_text(encoding="utf-8")
    assert again == (runs / "with.html").read_text(encoding="utf-8")
    assert (runs / "again.md").read_text(encoding="utf-8") == (runs / "with.md").read_text(encoding="utf-8")


def test_the_chinese_report_labels_the_trend_in_chinese(cli, runs):
    assert cli("report", "with.json", "--html", "zh.html", "--md", "zh.md", "--lang", "zh", "-q").exit_code == 0
    for name in ("zh.html", "zh.md"):
        text = (runs / name).read_text(encoding="utf-8")
        assert labels("zh")["trend"] in text and labels("zh")["trend_failed"] in text
        assert labels("en")["trend_failed"] not in text


def test_without_history_there_is_no_trend(runs):
    html = (runs / "without.html").read_text(encoding="utf-8")
    assert 'id="trend"' not in html and 'class="spark"' not in html and "svg.trend" not in html
    md = (runs / "without.md").read_text(encoding="utf-8")
    assert f"**{labels('en')['trend']}**" not in md and labels("en")["trend_failed"] not in md
    assert json.loads((runs / "without.json").read_text(encoding="utf-8")).get("history") is None
