"""Generate ``schemas/history.schema.json``: the JSON that ``checker history --format json`` prints.

Run ``python -m checker.history.schema`` to rewrite it; ``tests/test_history.py`` keeps the file in sync
with the model (:class:`checker.history.analysis.History`) and validates every history it prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from checker.history.analysis import History

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: the version of this document's shape (its first key)
SCHEMA_VERSION = 1


def generate() -> dict[str, Any]:
    from pydantic import TypeAdapter

    schema = TypeAdapter(History).json_schema(mode="serialization")
    schema["properties"] = {"schema_version": {"const": SCHEMA_VERSION}, **schema["properties"]}
    schema["required"] = ["schema_version", *schema.get("required", [])]
    return {"$schema": DRAFT, "$id": "https://checker.invalid/schemas/history.schema.json",
            "description": "What `checker history --format json` prints: each series of a history store, its "
                           "runs, violations by regulation, clause and rule, open violations by age and time "
                           "to fix, and with --verify the chain check.", **schema}


def render() -> str:
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "schemas"
    path = target / "history.schema.json"
    path.write_text(render(), encoding="utf-8")
    print(path)
