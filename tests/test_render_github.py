"""GitHub Actions annotations: one workflow command per sample, escaped by GitHub's rules."""

from __future__ import annotations

import re

from checker.render.base import gh_message, gh_property
from render_support import CASES, assert_no_pii, shown_path

COMMAND = re.compile(r"^::(?P<cmd>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "notice"}


def _unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def _commands(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
        out.append({"cmd": match["cmd"], **{k: _unescape(v) for k, v in props.items()},
                    "message": _unescape(match["msg"])})
    return out


def test_one_annotation_per_sample_with_file_and_line(rendered):
    for case in CASES:
        run = rendered(case, "en")
        commands = _commands(run.check["github"])
        inputs = {i["dataset"]: i for i in run.result["inputs"]}
        failing = [r for r in run.result["results"] if r["status"] in ("fail", "error")]
        annotations = [c for c in commands if c.get("title", "").split(" ")[0] in {r["rule_id"] for r in failing}]
        assert len(annotations) >= sum(len(r["samples"]) for r in failing)
        by_rule: dict[str, list[dict]] = {}
        for c in annotations:
            by_rule.setdefault(c["title"].split(" ")[0], []).append(c)
        for rule in failing:
            got = by_rule[rule["rule_id"]]
            assert {c["cmd"] for c in got} == {LEVELS[rule["severity"]]}
            # a "more violations" notice may follow the samples: pair each sample with its annotation
            for sample, c in zip(rule["samples"], got, strict=False):
                ref = inputs[rule["dataset"]]
                assert c["file"] == shown_path(run.result, ref["path"])
                if sample["row"] is None:
                    assert "line" not in c
                else:
                    assert c["line"] == str(sample["line"])  # where the record starts: see test_render_sarif
                assert c["message"].startswith(sample["message"])
        summary = commands[-1]
        s = run.result["summary"]
        assert summary["cmd"] == "notice" and f"{s['rules']} checks: {s['passed']} passed" in summary["message"]


def test_hostile_text_cannot_start_a_command_of_its_own(rendered):
    run = rendered("hostile", "en")
    text = run.check["github"]
    samples = sum(len(r["samples"]) for r in run.result["results"] if r["status"] == "fail")
    assert len(text.splitlines()) == samples + 1  # one per sample and the summary: no injected line
    commands = _commands(text)
    messages = [c["message"] for c in commands]
    assert any("line one\n::error::pwned %0A | **bold**" in m for m in messages)  # round-trips exactly
    assert "%0A::error::pwned %250A" in text
    titles = [c["title"] for c in commands if "title" in c]
    assert "schema:crm.complaints.complaint_id:pattern [medium] Structural check: crm.complaints.complaint_id pattern" \
        in titles


def test_escaping_rules():
    assert gh_message("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert gh_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_no_personal_data_unless_show_pii(rendered):
    for case in CASES:
        for lang in ("en", "zh"):
            assert_no_pii(rendered(case, lang).check["github"], f"{case} {lang} github")
    assert "13812345678" in rendered("hostile", "en", show_pii=True).check["github"]
