"""The JSON Schemas in schemas/ are generated from the models and must stay in sync."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema

from checker.load.yamlio import load_file
from checker.model import jsonschemas
from conftest import ROOT


def test_generated_schemas_are_committed():
    for name, schema in jsonschemas.generate().items():
        on_disk = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert on_disk == jsonschemas.render(schema), (
            f"schemas/{name} is stale: run `python -m checker.model.jsonschemas`")


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_editor_schema_accepts_rule_files_and_rejects_typos():
    schema = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    kinds = ROOT / "tests" / "cases" / "kinds"
    for path in sorted((ROOT / "examples").rglob("rules/*.yaml")) + sorted(kinds.rglob("*.yaml")):
        if path.name == "case.yaml":
            continue
        data = _jsonable(load_file(path).data)
        assert not list(validator.iter_errors(data)), path
    data = _jsonable(load_file(ROOT / "examples" / "quickstart" / "rules" / "customer-service.yaml").data)
    data["rules"][0]["expct"] = data["rules"][0].pop("expect")
    assert any("expct" in e.message for e in validator.iter_errors(data))
