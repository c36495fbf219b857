"""`checker history` as Markdown and HTML (checker.history.render): a real history store built through the
command line, read back, rendered in both languages; hostile values put straight into the store's tables."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.history.analysis import ChainCheck, History, history
from checker.history.render import LABELS, TEMPLATES, history_labels, render
from checker.history.store import open_store, verify_chain
from checker.resources import bundled
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"
DAYS = ("2026-03-31", "2026-04-30", "2026-05-31")
HOSTILE_RULE = "<script>window.__pwned=1</script>|`QS`"
HOSTILE_PRINT = '"><svg onload=window.__pwned=1>|``x'
HOSTILE_REGULATION = "<img src=x onerror=alert(1)>"


def _check(folder: Path, store: Path, day: str) -> None:
    args = ["check", "--data", str(folder / "data"), "--rules", str(folder / "rules"), "--schemas",
            str(folder / "schemas"), "--as-of", day, "--history", str(store), "-q"]
    res = CliRunner().invoke(main, args, env={"CHECKER_LANG": "en"}, catch_exceptions=False)
    assert res.exit_code == 1, res.stderr


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    """Three runs of the quickstart: the second fixes a violation, the third adds two.  ``clean`` is that
    store as the checker wrote it, ``hostile`` a copy with hostile rows added behind the checker's back."""
    root = tmp_path_factory.mktemp("history")
    folder = root / "qs"
    shutil.copytree(QS, folder)
    complaints = folder / "data" / "crm" / "complaints.csv"
    store = root / "clean.duckdb"
    _check(folder, store, DAYS[0])
    text = complaints.read_text(encoding="utf-8")
    complaints.write_text(text.replace("2026-03-02 09:00:00,2026-03-04 09:00:00",
                                       "2026-03-02 09:00:00,2026-03-02 10:00:00"), encoding="utf-8")
    _check(folder, store, DAYS[1])
    with complaints.open("a", encoding="utf-8") as f:
        f.write("C000009,K001,web,high,2026-04-01 09:00:00,2026-04-03 10:00:00,2026-04-04 09:00:00,13812345678,E01\n")
    _check(folder, store, DAYS[2])
    hostile = root / "hostile.duckdb"
    shutil.copy(store, hostile)
    with duckdb.connect(str(hostile)) as conn:
        seq = conn.execute("SELECT max(seq) FROM checker_runs").fetchone()[0]
        conn.execute("INSERT INTO checker_rule_counts VALUES (?, ?, 'x', '[]', 'crm.complaints', 'high', ?, ?, "
                     "'fail', 1, 1, 0, true)", [seq, HOSTILE_RULE, '["M1.1|`"]', f'["{HOSTILE_REGULATION}"]'])
        conn.execute("INSERT INTO checker_violations VALUES (?, ?, ?, '2026-01-01', ?)",
                     [seq, HOSTILE_RULE, HOSTILE_PRINT, DAYS[2]])
    return {"clean": store, "hostile": hostile}


def _read(store: Path, chain: bool = False) -> History:
    with open_store(str(store)).session(write=False) as session:
        found = history(session, str(store))
        if chain:
            count, head, breaks = verify_chain(session)
            found.chain = ChainCheck(entries=count, head=head, ok=not breaks,
                                     breaks=[{"entry": seq, "message": msg} for seq, msg in breaks])
    return found


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _page(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def _svgs(html: str) -> list[ET.Element]:
    """Each inline SVG of the page, parsed as XML (it must be well-formed)."""
    found = re.findall(r"<svg\b.*?</svg>", html, re.S)
    return [ET.fromstring(svg.replace("&nbsp;", " ")) for svg in found]


def _chart(html: str, name: str) -> ET.Element:
    return next(svg for svg in _svgs(html) if svg.get("data-chart") == name)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_formats_in_both_languages(stores, lang):
    found = _read(stores["clean"])
    other = "zh" if lang == "en" else "en"
    mine, theirs = history_labels(lang), history_labels(other)
    for fmt in TEMPLATES:
        text = render(found, fmt, lang)
        for key in ("title", "by_regulation", "by_clause", "by_rule", "open_by_age", "time_to_fix", "oldest"):
            assert mine[key] in text, (fmt, key)
            assert theirs[key] not in text, (fmt, key)
    assert f'<html lang="{"zh-Hant" if lang == "zh" else "en"}">' in render(found, "html", lang)


def test_labels_exist_in_both_languages_and_templates_name_only_known_labels():
    assert all(history_labels("zh")[k] != history_labels("en")[k] for k in LABELS if k not in ("sha256",)), \
        "untranslated label"
    used: set[str] = set()
    for template in (bundled("reports") / "history").glob("*.j2"):
        used |= set(re.findall(r"\bH\.(\w+)", template.read_text(encoding="utf-8")))
    assert used == set(LABELS)


def test_the_chart_has_one_point_per_run_and_the_tables_one_row_per_run(stores):
    found = _read(stores["clean"])
    runs = found.series[0].runs
    assert [r.as_of for r in runs] == list(DAYS)
    assert [r.new for r in runs] == [None, 0, 2] and [r.fixed for r in runs] == [None, 1, 0]
    html = render(found, "html", "en")
    chart = _chart(html, "runs")
    ns = "{http://www.w3.org/2000/svg}"
    dots = chart.findall(f".//{ns}circle[@class='dot']") or chart.findall(".//circle[@class='dot']")
    columns = chart.findall(f".//{ns}rect[@class='col']") or chart.findall(".//rect[@class='col']")
    assert len(dots) == len(columns) == len(runs)
    assert [int(d.get("data-value")) for d in dots] == [r.violations for r in runs]
    assert [int(c.get("data-value")) for c in columns] == [r.failed for r in runs]
    titles = [d.find("title").text for d in dots]
    assert all(day in title for day, title in zip(DAYS, titles, strict=True))
    ys = [float(d.get("cy")) for d in dots]
    # more violations is higher on the page (a smaller y)
    order = sorted(range(len(runs)), key=lambda i: runs[i].violations)
    assert [ys[i] for i in order] == sorted(ys, reverse=True)
    axis = [t.text for t in chart.iter() if t.get("class") == "axis x"]
    assert axis == list(DAYS)
    md = render(found, "md", "en")
    run_rows = [line for line in md.splitlines() if re.match(r"\| 2026-\d\d-\d\d \| \d+ \|", line)]
    assert len(run_rows) == len(runs)


def test_open_violations_by_age_and_time_to_fix(stores):
    found = _read(stores["clean"])
    series = found.series[0]
    html = render(found, "html", "en")
    ages = _chart(html, "ages")
    values = [int(g.get("data-value")) for g in ages.iter() if g.get("data-value") is not None]
    assert values == [b.count for b in series.open_by_age] and sum(values) == len(series.open)
    page = _page(html)
    fixed = [a for tag, a in page.tags if a.get("data-metric") == "fixed"]
    assert fixed and series.time_to_fix.fixed == 1
    md = render(found, "md", "en")
    assert f"| 1 | {series.time_to_fix.median_days} |" in md


def test_the_html_page_is_self_contained_and_parses(stores):
    html = render(_read(stores["hostile"], chain=True), "html", "zh")
    page = _page(html)
    csp = [a["content"] for tag, a in page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'") and "script-src" not in csp[0]
    assert not [tag for tag, _a in page.tags if tag in ("script", "link", "img", "iframe", "object")]
    assert not [(tag, a) for tag, a in page.tags for k, v in a.items() if k in ("src", "href") and v]
    assert len(_svgs(html)) > 3


def test_hostile_values_from_the_store_are_escaped_in_html(stores):
    found = _read(stores["hostile"])
    assert any(o.rule_id == HOSTILE_RULE and o.fingerprint == HOSTILE_PRINT for o in found.series[0].open)
    html = render(found, "html", "en")
    page = _page(html)
    assert not [tag for tag, _a in page.tags if tag == "script"]
    assert not [(tag, k) for tag, a in page.tags for k in a if k.startswith("on")], "an event handler attribute"
    assert not [tag for tag, _a in page.tags if tag == "img"]
    assert "<script>" not in html and "<svg onload" not in html
    text = "".join(page.text)
    assert HOSTILE_RULE in text and HOSTILE_PRINT in text and HOSTILE_REGULATION in text   # shown, as text
    for svg in _svgs(html):   # every attribute of the charts is a number or one of the template's own words
        for element in svg.iter():
            for name, value in element.attrib.items():
                assert "<" not in value and ">" not in value, (name, value)


def _outside_code(line: str) -> str:
    """A Markdown line without its code spans (whose text GitHub never reads as markup)."""
    return re.sub(r"(`+)(.+?)(?<!`)\1(?!`)", "", line)


def _cells(row: str) -> int:
    """The cells of a Markdown table row, as GitHub splits them (on pipes not escaped)."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_hostile_values_from_the_store_are_escaped_in_markdown(stores):
    md = render(_read(stores["hostile"]), "md", "en")
    hostile = [line for line in md.splitlines() if "pwned" in line or "onerror" in line]
    assert hostile
    for line in hostile:
        plain = _outside_code(line)
        assert "<" not in plain and "pwned" not in plain, line
        if line.startswith("|"):
            header = next(h for h in _table_header(md, line))
            assert _cells(line) == _cells(header), line
    assert "&lt;img src=x onerror=alert(1)&gt;" in md     # the regulation of a clause: escaped text


def _table_header(md: str, row: str):
    lines = md.splitlines()
    i = lines.index(row)
    while i > 0 and lines[i - 1].startswith("|"):
        i -= 1
    yield lines[i]


def test_the_chain_verdict(stores):
    clean = _read(stores["clean"], chain=True)
    assert clean.chain and clean.chain.ok
    for fmt in TEMPLATES:
        text = render(clean, fmt, "en")
        assert history_labels("en")["chain_ok"] in text and clean.chain.head in text
    broken = _read(stores["hostile"], chain=True)
    assert broken.chain and not broken.chain.ok and broken.chain.breaks
    html = render(broken, "html", "en")
    assert 'data-chain="broken"' in html
    rows = [a for tag, a in _page(html).tags if tag == "tr"]
    assert len(rows) >= len(broken.chain.breaks)
    md = render(broken, "md", "zh")
    assert history_labels("zh")["chain_broken"] in md


def test_an_empty_history_and_an_unknown_format(stores, tmp_path):
    empty = History(store=str(tmp_path / "none.duckdb"), since=None, entries=0, series=[])
    assert history_labels("en")["no_runs"] in render(empty, "html", "en")
    assert history_labels("zh")["no_runs"] in render(empty, "md", "zh")
    with pytest.raises(ValueError, match="unknown history format"):
        render(empty, "pdf", "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_browser_renders_the_history_page_with_no_errors_and_nothing_run(stores, browser, tmp_path, lang):
    page = tmp_path / f"history-{lang}.html"
    page.write_text(render(_read(stores["hostile"], chain=True), "html", lang), encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.problems() == []
    assert browser.js("window.__pwned === undefined") is True
    assert browser.js("document.querySelectorAll('svg[data-chart=runs] circle.dot').length") == len(DAYS)
    width = browser.js("document.querySelector('svg[data-chart=runs]').getBoundingClientRect().width")
    assert width > 300
    assert browser.js("document.querySelectorAll('svg.spark').length") > 10
    print(f"screenshot: {browser.screenshot(tmp_path / f'history-{lang}.png')}")
