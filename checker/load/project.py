"""Load what every command starts from: dataset schemas and rule files, with ``extends`` resolved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.load.extends import resolve
from checker.load.rulesets import LoadedRuleset, load_rulesets
from checker.load.schemas import load_schemas
from checker.load.yamlio import Document
from checker.model.dataset import DatasetSchema
from checker.problems import CheckerError
from checker.resources import bundled


@dataclass
class Project:
    schemas: dict[str, DatasetSchema]
    raw: list[LoadedRuleset]          # every rule file as written
    rulesets: list[LoadedRuleset]     # effective: children merged, extended parents left out
    others: list[Document]            # catalogs and waiver files found among the rule paths


def load_project(rule_paths: list[Path], schemas_dir: Path | None) -> Project:
    """Schemas and rules (bundled ones by default); any problem raises CheckerError."""
    schemas, problems = load_schemas(schemas_dir or bundled("schemas"))
    if problems:
        raise CheckerError(problems)
    raw, problems, others = load_rulesets(rule_paths or [bundled("rules")])
    if problems:
        raise CheckerError(problems)
    effective, problems = resolve(raw)
    if problems:
        raise CheckerError(problems)
    return Project(schemas, raw, effective, others)
