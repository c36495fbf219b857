"""Record text reaches every output channel inert.

Records are built from a grammar of hostile fragments (terminal control sequences: CSI, OSC
titles and hyperlinks, 8-bit CSI, DCS, BEL, BS, DEL, NUL, CR; bidirectional overrides and
isolates; line and paragraph separators; workflow commands after a line break or ``%0A``;
``</script>``, event handlers, Markdown links and images, ``]]>``, rich markup) and written
into a real export (CSV or JSON Lines, with a hostile header name too) whose rules fail.
One real ``checker check`` writes the result and every report file and prints GitHub
annotations; ``checker report`` prints the terminal summary, Markdown and JSON from the
result.  Then, for every output:

* no forbidden code point appears (C0 and C1 controls, DEL, bidirectional controls,
  U+2028/U+2029, surrogates, U+FFFE/U+FFFF; LF, and TAB where harmless, aside) — in the
  raw text, and in the values a consumer decodes (HTML and XML character references,
  SARIF's JSON strings);
* each format's own syntax holds: every GitHub line is one workflow command, JUnit parses
  as XML, SARIF as JSON, the HTML has only the template's own elements (one script, no
  event handler, no link leaving the page), the Markdown has no raw HTML but its own
  ``<details>`` and no unescaped link bracket, and JSON on standard output is the result
  file's exact data;
* the evidence is still there: each hostile key is shown, with visible escapes.
"""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.render.inert import inert
from conftest import ROOT

HOSTILE = ROOT / "tests" / "cases" / "render" / "hostile"
TEMPLATE_TAGS = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", (ROOT / "reports" / "html" / "report.html.j2")
                               .read_text(encoding="utf-8"))) - {"script"}
BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
COMMAND = re.compile(r"^::(error|warning|notice)(?: [^:]*)?::[^\r\n]*$")

FRAGMENTS = [
    "\x1b[31m", "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m", "\x9d0;title\x9c", "\x1bP+q544e\x1b\\", "\x1b7\x1b[8m", "\x07", "\x08\x08\x08", "\x7f", "\x00",
    "\r", "\r\n", "\n", "\t", "\x0b\x0c", "\x85",
    "\n::error::pwned", "%0A::warning file=x::pwned", "\n::add-mask::secret", "\n::stop-commands::tok",
    "\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u200e", "\u200f", "\u061c", "\u2028", "\u2029", "\ufffe", "\uffff",
    "</script><script>window.__pwned=1</script>", "<img src=x onerror=window.__pwned=1>",
    '"><svg onload=window.__pwned=1>', "<a href=javascript:alert(1)>x</a>", "<iframe src=//evil.example>",
    "[x](javascript:alert(1))", "![i](https://evil.example/p.png)", "<https://evil.example>",
    "]]>", "<![CDATA[x]]>", "&lt;b&gt;", "&#x1b;", "`code`", "| cell |", "**bold**", "\\[x\\]",
    "[bold red]rich[/bold red]", "@octocat", "plain", "投訴", "ü",
]
PIECE = st.one_of(st.sampled_from(FRAGMENTS),
                  st.characters(categories=("Cc", "Cf", "Zl", "Zp")),
                  st.text(alphabet="ab9 :%,;=", min_size=1, max_size=3))
VALUE = st.lists(PIECE, min_size=1, max_size=4).map("".join)
RECORD = st.fixed_dictionaries({"complaint_id": VALUE, "customer_id": VALUE, "handler_id": VALUE})


def forbidden(text: str, allow: str = "\n\t") -> list[str]:
    """Every code point of text that could act on a reader (independent of checker.render.inert)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in allow:
            continue
        if (code < 0x20 or 0x7F <= code <= 0x9F or code in BIDI or code in (0x2028, 0x2029, 0xFFFE, 0xFFFF)
                or 0xD800 <= code <= 0xDFFF):
            out.append(f"U+{code:04X}")
    return out


def assert_inert(name: str, text: str, allow: str = "\n\t") -> None:
    bad = forbidden(text, allow)
    assert not bad, f"{name}: {sorted(set(bad))}"


def strings(value):
    """Every string inside decoded JSON (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


class Page(HTMLParser):
    """Elements, attributes and text of an HTML page, character references decoded."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def unescaped_markdown(text: str) -> list[str]:
    """Characters that open links, images or raw HTML, outside backslash escapes and code spans."""
    found, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            run = re.match(r"`+", text[i:]).group()
            end = text.find(run, i + len(run))
            i = (end + len(run)) if end >= 0 else i + len(run)
            continue
        if ch in "[]":
            found.append(text[max(0, i - 20):i + 20])
        i += 1
    return found


def write_export(folder: Path, fmt: str, records: list[dict], header: str) -> None:
    base = {"channel": "store", "severity": "high", "created_at": "2026-03-01 09:00:00",
            "first_response_at": "2026-03-04 10:00:00"}
    rows = [{**base, **r, header: r["handler_id"]} for r in records]
    (folder / "crm").mkdir(parents=True)
    if fmt == "jsonl":
        lines = [json.dumps(row, ensure_ascii=False) for row in rows]
        (folder / "crm" / "complaints.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    quote = lambda v: '"' + v.replace('"', '""') + '"'  # noqa: E731
    cols = list(rows[0])
    lines = [",".join(quote(c) for c in cols)] + [",".join(quote(row[c]) for c in cols) for row in rows]
    (folder / "crm" / "complaints.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def invoke(*args: str):
    # color=True: click would otherwise strip CSI sequences itself and hide a leak.
    res = CliRunner().invoke(main, list(args), catch_exceptions=False, color=True, env={"CHECKER_LANG": "en"})
    for stream in (res.stdout, res.stderr):
        assert "Traceback" not in stream and "internal error" not in stream, stream
    assert_inert(f"stderr of {args[0]}", res.stderr, allow="\n")
    return res


def check_github(text: str) -> None:
    assert_inert("github", text)
    for line in text.splitlines():
        assert COMMAND.match(line), f"not one workflow command: {line!r}"


def check_html(html: str, keys: list[str]) -> None:
    assert_inert("html", html)
    page = Page(html)
    tags = {tag for tag, _ in page.elements}
    assert tags - {"script"} <= TEMPLATE_TAGS, tags - TEMPLATE_TAGS
    assert [t for t, _ in page.elements].count("script") == 1
    for tag, attrs in page.elements:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert all(v is None or not forbidden(v) for v in attrs.values()), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs
    shown = "".join(page.text)
    assert_inert("html text", shown)
    for key in keys:
        assert key in shown, key


def check_markdown(name: str, text: str) -> None:
    assert_inert(name, text)
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z][^\s>/]*)", text))
    assert tags <= {"details", "summary"}, tags
    assert unescaped_markdown(text) == []


def check_junit(xml: str, result: dict) -> None:
    assert_inert("junit", xml)
    root = ET.fromstring(xml.encode("utf-8"))
    assert len(root.findall(".//testcase")) == len(result["results"])
    for element in root.iter():
        assert not forbidden(element.text or ""), element.text
        assert all(not forbidden(v) for v in element.attrib.values()), element.attrib


def check_sarif(text: str, result: dict, keys: list[str]) -> None:
    assert_inert("sarif", text)
    doc = json.loads(text)
    for value in strings(doc):
        assert not forbidden(value), value  # what a SARIF viewer shows after decoding
    results = doc["runs"][0]["results"]
    assert len(results) == sum(len(r["samples"]) + len(r["waived_samples"]) for r in result["results"])
    shown = {r["properties"]["key"] for r in results}
    for key in keys:
        assert key in shown, key


# No shrinking: each example is a full run, and the failing example is short enough to read as it is.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(records=st.lists(RECORD, min_size=1, max_size=2), fmt=st.sampled_from(["csv", "jsonl"]),
       header=VALUE.map(lambda v: v.replace("\r", "").replace("\n", "")))  # a line break ends a CSV header
def test_hostile_records_are_inert_in_every_format(records, fmt, header):
    with tempfile.TemporaryDirectory(prefix="checker-inert-") as tmp:
        out = Path(tmp)
        header = "x_" + header
        write_export(out / "data", fmt, records, header)
        files = {"html": out / "r.html", "md": out / "r.md", "junit": out / "r.xml", "sarif": out / "r.sarif"}
        run = invoke("check", "--data", str(out / "data"), "--rules", str(HOSTILE / "rules"), "--schemas",
                     str(HOSTILE / "schemas"), "--as-of", "2026-06-30", "--lang", "en", "--json",
                     str(out / "r.json"), "--format", "github",
                     *[a for fmt_, path in files.items() for a in (f"--{fmt_}", str(path))])
        assert run.exit_code == 1, run.stderr
        result = json.loads((out / "r.json").read_text(encoding="utf-8"))
        assert_inert("result file", (out / "r.json").read_text(encoding="utf-8"))
        keys = [inert(f"complaint_id={r['complaint_id']}", multiline=True) for r in records]
        assert {r["rule_id"] for r in result["results"] if r["status"] == "fail"} >= {"HOS-001", "HOS-004"}
        assert any(w["code"] == "D406" for w in result["warnings"])  # the hostile header is reported

        check_github(run.stdout)
        check_html(files["html"].read_text(encoding="utf-8"), keys)
        check_markdown("md file", files["md"].read_text(encoding="utf-8"))
        check_junit(files["junit"].read_text(encoding="utf-8"), result)
        check_sarif(files["sarif"].read_text(encoding="utf-8"), result, keys)

        text = invoke("report", str(out / "r.json"), "--format", "text").stdout
        assert_inert("terminal", text, allow="\n")
        assert "HOS-001" in text and all(inert(r["complaint_id"])[:8] in text for r in records)
        check_markdown("md stdout", invoke("report", str(out / "r.json"), "--format", "md").stdout)
        printed = invoke("report", str(out / "r.json"), "--format", "json").stdout
        assert_inert("json stdout", printed, allow="\n")
        assert json.loads(printed) == result  # escaped losslessly: the same data


def test_inert_escapes_visibly_and_keeps_what_is_harmless():
    assert inert("a\x1b[31mb\x1b]0;t\x07c") == "a\\x1b[31mb\\x1b]0;t\\x07c"
    assert inert("\u202eevil\u2066\u2028") == "\\u202eevil\\u2066\\u2028"
    assert inert("x\ny\tz\r") == "x\\ny\\tz\\r"
    assert inert("x\ny\tz\r", multiline=True) == "x\ny\tz\\r"
    assert inert("\x00\x7f\x9b\ud800\ufffe") == "\\x00\\x7f\\x9b\\ud800\\ufffe"
    plain = "投訴 C000001 <b> [x](y) ü \u200b"
    assert inert(plain) is plain


def test_problems_quoting_record_text_are_printed_inert(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "datasets.yaml").write_text('crm.complaints: {path: "x\\e]0;t\\a\\u202e\\r\\n::error::p.csv"}\n',
                                        encoding="utf-8")
    run = invoke("check", "--data", str(data), "--rules", str(HOSTILE / "rules"), "--schemas",
                 str(HOSTILE / "schemas"), "--as-of", "2026-06-30")
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "D402" in lines[0]
    assert "x\\x1b]0;t\\x07\\u202e\\r\\n::error::p.csv" in lines[0]


def test_rule_diff_output_is_inert(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    text = (HOSTILE / "rules" / "hostile.yaml").read_text(encoding="utf-8")
    old.mkdir()
    new.mkdir()
    (old / "r.yaml").write_text(text, encoding="utf-8")
    hostile = 'handler_id LIKE \'\\e]0;t\\a\\u202e\\n::error::x\' OR handler_id LIKE \'E%\''
    changed = text.replace("expect: handler_id LIKE 'E%'", f'expect: "{hostile}"')
    assert changed != text
    (new / "r.yaml").write_text(changed, encoding="utf-8")
    for fmt in ("text", "md", "json"):
        run = invoke("diff", str(old), str(new), "--as-of", "2026-06-30", "--format", fmt)
        assert run.exit_code == 0, run.stderr
        assert_inert(f"diff {fmt}", run.stdout)
        assert "HOS-002" in run.stdout
    md = invoke("diff", str(old), str(new), "--as-of", "2026-06-30", "--format", "md").stdout
    assert unescaped_markdown(md.split("\n", 1)[1]) == []


def test_a_result_file_with_a_lone_surrogate_is_refused_and_a_pair_is_read(tmp_path):
    qs = ROOT / "examples" / "quickstart"
    good = tmp_path / "r.json"
    invoke("check", "--data", str(qs / "data"), "--rules", str(qs / "rules"), "--schemas", str(qs / "schemas"),
           "--as-of", "2026-06-30", "--json", str(good), "-q")
    data = json.loads(good.read_text(encoding="utf-8"))
    pair, lone = tmp_path / "pair.json", tmp_path / "lone.json"
    sample = data["results"][0]["samples"][0]
    for path, tail in ((pair, " \U0001f600"), (lone, " \ud800")):
        kept = dict(sample)
        sample["message"] += tail
        sample["messages"] = {lang: text + tail for lang, text in sample["messages"].items()}
        path.write_text(json.dumps(data), encoding="ascii")  # as \uXXXX escapes: a pair, then a lone one
        sample.update(kept)
    assert "\\ud83d\\ude00" in pair.read_text(encoding="ascii") and "\\ud800" in lone.read_text(encoding="ascii")
    run = invoke("report", str(pair), "--html", str(tmp_path / "pair.html"), "--format", "json")
    assert run.exit_code == 0 and "\U0001f600" in (tmp_path / "pair.html").read_text(encoding="utf-8")
    run = invoke("report", str(lone), "--html", str(tmp_path / "lone.html"), "--format", "json")
    assert run.exit_code == 2 and "T502" in run.stderr and "lone surrogate" in run.stderr
    assert not (tmp_path / "lone.html").exists()
