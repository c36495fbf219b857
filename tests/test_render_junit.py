"""JUnit XML, read back with junitparser as CI test tabs read it."""

from __future__ import annotations

from junitparser import Error, Failure, JUnitXml, Skipped

from checker.model.result import Result
from checker.render import render
from render_support import CASES, PAYLOADS, assert_no_pii


def _parse(run) -> JUnitXml:
    path = run.folder / "check" / "junit.xml"
    return JUnitXml.fromfile(str(path))


def test_a_suite_per_ruleset_and_per_dataset_of_structural_checks(rendered):
    run = rendered("quickstart", "en")
    xml = _parse(run)
    suites = {s.name: s for s in xml}
    rulesets = {r["ruleset"] for r in run.result["results"] if r["ruleset"]}
    datasets = {r["dataset"] for r in run.result["results"] if r["kind"] == "schema"}
    assert set(suites) == rulesets | {f"schema:{d}" for d in datasets}
    for name, suite in suites.items():
        expected = [r for r in run.result["results"] if (r["ruleset"] or f"schema:{r['dataset']}") == name]
        assert [case.name for case in suite] == [r["rule_id"] for r in expected]
        assert suite.tests == len(expected)
        assert suite.failures == sum(r["status"] == "fail" for r in expected)
    total = run.result["summary"]
    assert sum(s.tests for s in xml) == total["rules"]
    assert sum(s.failures for s in xml) == total["failed"]


def test_failures_carry_counts_and_samples(rendered):
    run = rendered("quickstart", "en")
    cases = {case.name: case for suite in _parse(run) for case in suite}
    files = {i["dataset"]: i["path"] for i in run.result["inputs"]}
    for r in run.result["results"]:
        case = cases[r["rule_id"]]
        if r["status"] == "pass":
            assert case.is_passed
            continue
        (failure,) = [x for x in case.result if isinstance(x, Failure)]
        assert failure.type == r["severity"]
        assert f"violations {r['violations']}, checked {r['checked']}, waived {r['waived']}" in failure.message
        for sample in r["samples"]:
            row = sample["row"] if sample["row"] is not None else "group"
            assert f"{files[r['dataset']]}:{row}: {sample['message']}" in failure.text


def test_errors_and_skips(rendered):
    result = Result.model_validate(rendered("quickstart").result)
    results = list(result.results)
    results[0] = results[0].model_copy(update={"status": "error", "error": "join is not many-to-one",
                                               "samples": [], "violations": 0})
    results[1] = results[1].model_copy(update={"status": "skipped", "error": "no export for crm.x",
                                               "samples": [], "violations": 0})
    xml = JUnitXml.fromstring(render(result.model_copy(update={"results": results}), "junit", "en").encode())
    cases = {case.name: case for suite in xml for case in suite}
    (error,) = cases[results[0].rule_id].result
    (skipped,) = cases[results[1].rule_id].result
    assert isinstance(error, Error) and error.message == "join is not many-to-one"
    assert isinstance(skipped, Skipped) and skipped.message == "no export for crm.x"


def test_hostile_text_round_trips_as_text(rendered):
    run = rendered("hostile", "en")
    text = "".join((x.text or "") + (x.message or "") for suite in _parse(run) for case in suite
                   for x in case.result)
    for payload in PAYLOADS:
        assert payload in text
    assert "]]> </textarea>" in text


def test_characters_xml_cannot_carry_are_shown_as_escapes(rendered):
    result = Result.model_validate(rendered("hostile").result)
    hostile = {"message": "bell\x07 nul\x00 esc\x1b", "messages": None}
    results = [r.model_copy(update={"samples": [s.model_copy(update=hostile) for s in r.samples]})
               for r in result.results]
    xml = JUnitXml.fromstring(render(result.model_copy(update={"results": results}), "junit", "en").encode())
    text = "".join(x.text or "" for suite in xml for case in suite for x in case.result)
    assert "bell\\x07 nul\\x00 esc\\x1b" in text  # visible evidence (checker.render.inert), valid XML


def test_no_personal_data_unless_show_pii(rendered):
    for case in CASES:
        for lang in ("en", "zh"):
            assert_no_pii(rendered(case, lang).check["junit"], f"{case} {lang} junit")
    assert "13812345678" in rendered("hostile", "en", show_pii=True).check["junit"]


def test_times_are_real_or_absent(rendered):
    """No made-up zeros: the run's duration on <testsuites>, nothing where the checker measures nothing."""
    run = rendered("quickstart", "en")
    text = (run.folder / "check" / "junit.xml").read_text(encoding="utf-8")
    assert text.count(' time="') == 1                  # only <testsuites> carries one
    xml = _parse(run)
    assert float(xml.time) == run.result["run"]["duration_ms"] / 1000
