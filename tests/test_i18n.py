"""Both languages: every marked message is translated, and each run speaks only the language asked for.

The catalog checks read the source through Babel's extractor (as ``scripts/i18n.py`` does);
the run checks read what a user reads — the terminal summary, the reports, the problems — and
look for words of the other language that are not names taken from the rules or the data.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import string
import subprocess
import sys

import pytest

from checker.i18n import Msg, _, _n, catalog
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import i18n as tool

QUICKSTART = ROOT / "examples" / "quickstart"
MARKERS = {"_", "_n", "_p", "tr", "ntr"}


@pytest.fixture(scope="module")
def extracted():
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        cat = tool.merged()
    return cat, err.getvalue()


def test_every_message_has_a_chinese_translation(extracted):
    cat, _warnings = extracted
    missing = tool.untranslated(cat)
    assert not missing, (f"{len(missing)} messages without a zh translation, e.g. {missing[:5]}: "
                         "run `python scripts/i18n.py missing`, translate, then `apply`")


def test_committed_catalog_is_the_source_and_compiled(extracted):
    cat, _warnings = extracted
    on_disk = {(tool._key(m.id, m.context), str(m.string)) for m in tool.load() if m.id}
    assert {(tool._key(m.id, m.context), str(m.string)) for m in cat if m.id} == on_disk, \
        "checker.po is not up to date with the source: run `python scripts/i18n.py update`"
    assert tool.MO.read_bytes() == tool.mo_bytes(tool.load()), "run `python scripts/i18n.py compile`"


def test_every_marked_message_is_extractable(extracted):
    """An f-string inside a marker cannot be translated: Babel skips it, and so would the catalog."""
    _cat, warnings = extracted
    assert "Skipping" not in warnings, warnings


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_translations_keep_the_placeholders(extracted):
    cat, _warnings = extracted
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for s in strings:
            assert _fields(s) == wanted, (m.id, s)


def _binds(tree: ast.AST, names: set[str]) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, (ast.For, ast.comprehension)):
            targets = [node.target]
        elif isinstance(node, (ast.With,)):
            targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        elif isinstance(node, ast.ExceptHandler) and node.name:
            if node.name in names:
                found.append((node.name, node.lineno))
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            args = node.args
            for a in args.args + args.kwonlyargs + args.posonlyargs:
                if a.arg in names:
                    found.append((a.arg, node.lineno))
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and n.id in names:
                    found.append((n.id, n.lineno))
    return found


def test_no_module_shadows_the_message_markers():
    """``for _ in ...`` in a module that uses ``_()`` makes ``_`` a local: the next message raises."""
    offenders = []
    for path in sorted((ROOT / "checker").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and node.module == "checker.i18n" for a in node.names}
        markers = imported & MARKERS
        if markers:
            offenders += [f"{path.relative_to(ROOT)}:{line} binds {name}" for name, line in _binds(tree, markers)]
    assert not offenders, offenders


def test_plural_forms_in_both_languages():
    one, many = _n("{n} violation", "{n} violations", 1, n=1), _n("{n} violation", "{n} violations", 3, n=3)
    assert (one.render("en"), many.render("en")) == ("1 violation", "3 violations")
    assert (one.render("zh"), many.render("zh")) == ("1 項違規", "3 項違規")
    assert catalog("zh").ngettext("{n} violation", "{n} violations", 1) == "{n} 項違規"


def test_parameters_are_filled_after_translation_and_never_read_as_templates():
    """A value with braces (record text) is shown as it is; a parameter that is a message is translated."""
    msg = _("{col}: value {value} does not match {expected}", col="name", value="'{__class__}'",
            expected=_("did you mean '{name}'?", name="x"))
    assert msg.render("en") == "name: value '{__class__}' does not match did you mean 'x'?"
    assert msg.render("zh").startswith("欄位 name 的值 '{__class__}'")
    assert "您是指 'x' 嗎？" in msg.render("zh")
    assert Msg("text without a catalog entry").render("zh") == "text without a catalog entry"


# -- what a user reads ---------------------------------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: words that are names in both languages (formats, tools, keywords a user types)
NAMES = {"checker", "SQL", "JSON", "CSV", "SHA", "PDF", "HTML", "JUnit", "SARIF", "PASS", "FAIL", "KEY", "VALUE",
         "date", "time", "date-time", "email", "null", "true", "false", "RULE_ID", "schema",
         # JSON Schema keywords name the structural checks; Markdown reports fold samples in HTML
         "shape", "type", "enum", "const", "pattern", "format", "minimum", "maximum", "minLength", "maxLength",
         "exclusiveMinimum", "exclusiveMaximum", "required", "details", "summary", "duckdb", "spark", "ms"}


def _checker(*args, cwd=None) -> subprocess.CompletedProcess:
    # the suite's own cache folder: with HOME at the repository the cache would land in the clone
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200", "HOME": str(ROOT),
           "CHECKER_CACHE_DIR": os.environ.get("CHECKER_CACHE_DIR", "off")}
    return subprocess.run([sys.executable, "-m", "checker.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, check=False)


def _identifiers(result: dict) -> set[str]:
    """Names a zh text may quote: rule ids, datasets, columns, file names, the words of quoted values."""
    out: set[str] = set()
    for r in result["results"]:
        out.update(re.split(r"[:.]", r["rule_id"]))
        out.add(r["dataset"])
        out.update(r["dataset"].split("."))
    out.update(part for r in result["rulesets"] for part in [r["id"], *r["id"].split(".")])
    for i in result["inputs"]:
        out.update(re.split(r"[/.]", i["path"]))
    schema_dir = QUICKSTART / "schemas"
    for path in schema_dir.rglob("*.json"):
        out.update(json.loads(path.read_text(encoding="utf-8")).get("properties", {}))
    return out


def _english_words(text: str, allowed: set[str]) -> list[str]:
    text = re.sub(r"'[^']*'|`[^`]*`|\"[^\"]*\"", " ", text)        # quoted values and commands
    text = re.sub(r"\S*[/\\]\S*|\S+\.(csv|jsonl?|yaml|parquet|xlsx)\b", " ", text)   # paths
    text = re.sub(r"--[\w-]+|\b[A-Z]\d{3}\b|\^\S*", " ", text)    # options, problem codes, patterns
    text = re.sub(r"[\w.]*\[\d+\][\w.\[\]]*", " ", text)            # places in a file: rules[0].expect
    return sorted({w for w in re.findall(r"[A-Za-z_][A-Za-z_0-9-]*", text)
                   if not any(c.isdigit() for c in w) and w not in allowed and w not in NAMES and len(w) > 1})


@pytest.fixture(scope="module")
def quickstart_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("i18n")
    args = ["check", "--data", QUICKSTART / "data", "--rules", QUICKSTART / "rules",
            "--schemas", QUICKSTART / "schemas", "--as-of", "2026-06-30"]
    zh = _checker(*args, "--json", out / "zh.json", "--md", out / "zh.md")
    en = _checker(*args, "--lang", "en", "--json", out / "en.json")
    assert zh.returncode == en.returncode == 1, zh.stderr + en.stderr
    return out, zh, en


def test_a_chinese_run_has_no_english_label_or_message(quickstart_runs):
    out, zh, _en = quickstart_runs
    result = json.loads((out / "zh.json").read_text(encoding="utf-8"))
    allowed = _identifiers(result)
    assert _english_words(zh.stdout, allowed) == []
    assert _english_words((out / "zh.md").read_text(encoding="utf-8"), allowed | {"md"}) == []
    for r in result["results"]:
        for s in r["samples"]:
            assert s["message"] == s["messages"]["zh"]
            assert _english_words(s["message"], allowed) == [], s


def test_an_english_run_has_no_chinese_label_or_message(quickstart_runs):
    out, _zh, en = quickstart_runs
    assert not CJK.search(en.stdout), en.stdout
    result = json.loads((out / "en.json").read_text(encoding="utf-8"))
    assert all(s["message"] == s["messages"]["en"] for r in result["results"] for s in r["samples"])


def test_a_report_rendered_again_is_wholly_in_the_language_asked_for(quickstart_runs):
    out, zh, en = quickstart_runs
    again_en = _checker("report", out / "zh.json", "--lang", "en")
    assert again_en.stdout == en.stdout
    again_zh = _checker("report", out / "en.json", "--lang", "zh")
    assert again_zh.stdout == zh.stdout
    md = _checker("report", out / "zh.json", "--lang", "en", "--md", out / "again.md")
    assert md.returncode == 0 and not CJK.search((out / "again.md").read_text(encoding="utf-8"))


def test_problems_speak_the_language_asked_for(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((QUICKSTART / "rules" / "customer-service.yaml").read_text(encoding="utf-8")
                   .replace("severity:", "severty:", 1), encoding="utf-8")
    zh = _checker("lint", bad, "--schemas", QUICKSTART / "schemas")
    en = _checker("lint", bad, "--schemas", QUICKSTART / "schemas", "--lang", "en")
    assert zh.returncode == en.returncode == 1
    assert "R101" in zh.stdout and "R101" in en.stdout
    assert CJK.search(zh.stdout) and CJK.search(zh.stderr)
    assert not CJK.search(en.stdout + en.stderr)
    assert _english_words(zh.stdout + zh.stderr, {"severty", "severity", "bad"}) == []
