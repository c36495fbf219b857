"""Generate ``schemas/ruleset.schema.json`` and ``schemas/result.schema.json`` from the models.

Run ``python -m checker.model.jsonschemas`` to rewrite them; a test keeps the files
in sync with the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from checker.model.result import Result
from checker.model.ruleset import RulesetFile

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def generate() -> dict[str, dict]:
    ruleset = RulesetFile.model_json_schema(by_alias=True, mode="validation")
    ruleset = {"$schema": DRAFT, "$id": "https://checker.invalid/schemas/ruleset.schema.json", **ruleset}
    ruleset["description"] = ("One version of one ruleset of the compliance checker. Point yaml-language-server at "
                              "this file: '# yaml-language-server: $schema=<path>/ruleset.schema.json'.")
    result = Result.model_json_schema(by_alias=True, mode="serialization")
    result = {"$schema": DRAFT, "$id": "https://checker.invalid/schemas/result.schema.json", **result}
    result["description"] = "The result file written by `checker check --json PATH`."
    return {"ruleset.schema.json": ruleset, "result.schema.json": result}


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(folder: Path) -> list[Path]:
    written = []
    for name, schema in generate().items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "schemas"
    for p in write(target):
        print(p)
