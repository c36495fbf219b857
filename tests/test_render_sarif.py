"""SARIF 2.1.0, validated against the official schema (a copy in tests/data/sarif/)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import jsonschema
import pytest

from checker.model.result import Result, WaiverUse
from checker.render import render
from conftest import ROOT
from render_support import CASES, assert_no_pii

SCHEMA_PATH = ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    assert SCHEMA_PATH.is_file(), f"the official SARIF schema is missing: {SCHEMA_PATH}"
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _errors(validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_valid_against_the_official_schema(rendered, validator, case, lang):
    doc = json.loads(rendered(case, lang).check["sarif"])
    assert _errors(validator, doc) == []
    assert doc["version"] == "2.1.0"
    assert _errors(validator, {"version": "2.1.0", "runs": [{"results": []}]}), "the schema checks nothing"


def test_rules_carry_help_text_and_clauses(rendered):
    run = rendered("quickstart", "en")
    driver = json.loads(run.check["sarif"])["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == [r["rule_id"] for r in run.result["results"]]
    qs1 = rules["QS-001"]
    assert qs1["shortDescription"]["text"] == "High-severity complaints get a first response within 24 hours"
    assert "M1.2" in qs1["help"]["text"] and "M4.5" in qs1["help"]["text"]
    assert qs1["properties"]["clauses"] == ["M1.2", "M4.5"]
    assert qs1["defaultConfiguration"]["level"] == "error"
    taxa = [t["id"] for t in json.loads(run.check["sarif"])["runs"][0]["taxonomies"][0]["taxa"]]
    assert [rel["target"]["id"] for rel in qs1["relationships"]] == ["M1.2", "M4.5"]
    assert {"M1.2", "M4.5"} <= set(taxa)


def test_each_sample_is_a_result_at_its_file_and_line(rendered):
    run = rendered("hostile", "en")
    doc = json.loads(run.check["sarif"])
    results = doc["runs"][0]["results"]
    expected = [(r["rule_id"], s) for r in run.result["results"] for s in r["samples"]]
    assert len(results) == len(expected)
    inputs = {i["dataset"]: i for i in run.result["inputs"]}
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
    by_id = {r["rule_id"]: r for r in run.result["results"]}
    for got, (rule_id, sample) in zip(results, expected, strict=True):
        rule = by_id[rule_id]
        assert got["ruleId"] == rule_id and got["message"]["text"] == sample["message"]
        assert got["level"] == levels[rule["severity"]]
        location = got["locations"][0]["physicalLocation"]
        # relative to the data folder (DATAROOT), as the artifact names it: not to the working directory
        assert location["artifactLocation"]["uri"] == quote(inputs[rule["dataset"]]["path"])
        assert location["artifactLocation"]["uriBaseId"] == "DATAROOT"
        if sample["row"] is None:
            assert "region" not in location  # an aggregate group has no line
        else:
            # CSV: line 1 is the header, and record 4 spans lines 5 and 6 (a quoted line break)
            assert location["region"]["startLine"] == sample["row"] + (1 if sample["row"] <= 4 else 2)
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    assert any(s["row"] == 5 for _, s in expected)             # the record after the one that spans lines


def test_jsonl_rows_are_lines(rendered):
    run = rendered("quickstart", "en")
    results = json.loads(run.check["sarif"])["runs"][0]["results"]
    jsonl = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".jsonl")]
    assert jsonl and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == r["properties"]["row"]
                         for r in jsonl)


def test_artifacts_carry_hashes(rendered):
    run = rendered("quickstart", "en")
    artifacts = json.loads(run.check["sarif"])["runs"][0]["artifacts"]
    assert [(a["location"]["uri"], a["hashes"]["sha-256"]) for a in artifacts] == \
        [(i["path"], i["sha256"]) for i in run.result["inputs"]]


def test_waived_samples_are_suppressed_results(rendered, validator):
    result = Result.model_validate(rendered("quickstart").result)
    results = list(result.results)
    rule = next(r for r in results if r.samples)
    waived = [s.model_copy(update={"waiver": "W1"}) for s in rule.samples]
    results[results.index(rule)] = rule.model_copy(update={"waived_samples": waived, "samples": [],
                                                           "waived": len(waived), "violations": 0})
    use = WaiverUse(id="W1", rule=rule.rule_id, reason="agreed backlog", approved_by="Lee", expires="2026-12-31",
                    status="used", matched=len(waived))
    doc = json.loads(render(result.model_copy(update={"results": results, "waivers": [use]}), "sarif", "en"))
    assert _errors(validator, doc) == []
    suppressed = [r for r in doc["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == len(waived)
    assert suppressed[0]["suppressions"][0] == {"kind": "external", "status": "accepted",
                                                "justification": "agreed backlog (Lee, 2026-12-31)"}


def test_no_personal_data_unless_show_pii(rendered):
    for case in CASES:
        for lang in ("en", "zh"):
            assert_no_pii(rendered(case, lang).check["sarif"], f"{case} {lang} sarif")
    assert "13812345678" in rendered("hostile", "en", show_pii=True).check["sarif"]


# -- one name per input: artifacts[] and every result location agree, against a declared base ----------------

def _assert_one_name_per_input(doc) -> dict:
    run = doc["runs"][0]
    bases = run.get("originalUriBaseIds", {})
    artifacts = run["artifacts"]
    for n, artifact in enumerate(artifacts):
        loc = artifact["location"]
        assert loc.get("index", n) == n
        assert "\\" not in loc["uri"] and " " not in loc["uri"]
        if "uriBaseId" in loc:
            assert loc["uriBaseId"] in bases, f"undeclared base {loc['uriBaseId']}"
            assert not loc["uri"].startswith(("/", "file:")), loc["uri"]
        else:
            assert loc["uri"].startswith("file:///"), loc["uri"]
    for base in bases.values():      # a chained base is declared too; a top-level uri is absolute and a folder
        if "uri" in base:
            assert base["uri"].endswith("/")
            assert base["uriBaseId"] in bases if "uriBaseId" in base else base["uri"].startswith("file:///")
        else:
            assert base["description"]["text"]
    located = 0
    for result in run["results"]:
        for location in result.get("locations", []):
            got = location["physicalLocation"]["artifactLocation"]
            mine = artifacts[got["index"]]["location"]
            assert (got["uri"], got.get("uriBaseId")) == (mine["uri"], mine.get("uriBaseId"))
            located += 1
    assert located, "no result has a location"
    return bases


@pytest.mark.parametrize("case", list(CASES))
def test_results_name_each_input_as_its_artifact(rendered, case):
    run = rendered(case, "en")
    doc = json.loads(run.check["sarif"])
    bases = _assert_one_name_per_input(doc)
    # the cases run with an absolute --data: the base is that folder as a file URI
    assert run.result["data"].startswith("/")
    assert bases == {"DATAROOT": {"uri": "file://" + quote(run.result["data"].rstrip("/")) + "/",
                                  "description": bases["DATAROOT"]["description"]}}
    assert [a["location"] for a in doc["runs"][0]["artifacts"]] == \
        [{"uri": quote(i["path"]), "uriBaseId": "DATAROOT", "index": n} for n, i in enumerate(run.result["inputs"])]
    assert json.loads(run.report["sarif"]) == doc      # `checker report` elsewhere names them the same way


@pytest.mark.parametrize("data", ["exports/2026 Q2", "../data", "/srv/exports/季度", None])
def test_data_folder_relative_absolute_or_unrecorded(rendered, validator, data):
    result = Result.model_validate(rendered("quickstart").result).model_copy(update={"data": data})
    doc = json.loads(render(result, "sarif", "en"))
    assert _errors(validator, doc) == []
    bases = _assert_one_name_per_input(doc)
    root = bases["DATAROOT"]
    if data is None:
        assert set(bases) == {"DATAROOT"} and "uri" not in root
    elif data.startswith("/"):
        assert set(bases) == {"DATAROOT"} and root["uri"] == "file://" + quote(data) + "/"
    else:   # relative to the working directory of the run, which is not recorded: a base without a uri
        assert root == {"uri": quote(data) + "/", "uriBaseId": "WORKDIR", "description": root["description"]}
        assert "uri" not in bases["WORKDIR"] and bases["WORKDIR"]["description"]["text"]


def test_an_input_outside_the_data_folder_is_an_absolute_file_uri(rendered, validator):
    result = Result.model_validate(rendered("quickstart").result)
    inputs = list(result.inputs)
    inputs[0] = inputs[0].model_copy(update={"path": "/mnt/other place/complaints.csv"})
    doc = json.loads(render(result.model_copy(update={"inputs": inputs}), "sarif", "en"))
    assert _errors(validator, doc) == []
    _assert_one_name_per_input(doc)
    first = doc["runs"][0]["artifacts"][0]["location"]
    assert first == {"uri": "file:///mnt/other%20place/complaints.csv", "index": 0}
    assert all(a["location"]["uriBaseId"] == "DATAROOT" for a in doc["runs"][0]["artifacts"][1:])


def test_bundled_rules_and_a_relative_data_folder(cli, tmp_path, validator):
    """A real check with the bundled rules and --data given relative to the working directory: no path under the
    installation (the package, its bundled folders, site-packages) appears; rules cite checker:rules/...@v."""
    import checker
    from checker.resources import bundled
    from checker.sample import generate

    generate(tmp_path / "exports" / "data", rows=1000, seed=7)
    run = cli("check", "--data", "exports/data", "--as-of", "2026-06-30", "--sarif", "out.sarif", "-q")
    assert run.exit_code in (0, 1), run.stderr
    text = (tmp_path / "out.sarif").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert _errors(validator, doc) == []
    bases = _assert_one_name_per_input(doc)
    assert bases["DATAROOT"]["uri"] == "exports/data/" and bases["DATAROOT"]["uriBaseId"] == "WORKDIR"
    installed = [str(Path(checker.__file__).resolve().parent), "site-packages",
                 *(str(bundled(name).resolve()) for name in ("rules", "schemas", "reports"))]
    assert not [root for root in installed if root in text]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    locations = [r["properties"]["location"] for r in rules if "location" in r["properties"]]
    assert locations and all(loc.startswith("checker:rules/") for loc in locations if not loc.startswith("checker:s"))
    assert all(rs["path"].startswith("checker:rules/") for rs in doc["runs"][0]["properties"]["rulesets"])
