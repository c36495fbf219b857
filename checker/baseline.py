"""Baselines: mark each violation new or existing against an earlier result.

A violation's fingerprint is its rule id plus the record key (``x-key``; all columns
for a dataset without one) or, for aggregate rules, the group key — so it does not
change with row order or with edits to other records or columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from checker.model.result import Result
from checker.problems import CheckerError, Problem, Span


def key_text_sql(columns: list[str]) -> str:
    """SQL: the text a fingerprint hashes, from key column (or group key) expressions."""
    parts = [f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in columns] or ["''"]
    return f"concat_ws(chr(31), {', '.join(parts)})"


def fingerprint_sql(rule_id_sql: str, key_text: str) -> str:
    """SQL: the same fingerprint as :func:`fingerprint`, computed by the engine."""
    return f"left(md5({rule_id_sql} || chr(31) || {key_text}), 20)"


def fingerprint(rule_id: str, key_text: str) -> str:
    """md5 of rule id and key text (made by :func:`key_text_sql`), as hex, 20 characters."""
    return hashlib.md5((rule_id + "\x1f" + key_text).encode("utf-8")).hexdigest()[:20]


@dataclass
class Baseline:
    sha256: str
    by_rule: dict[str, set[str]] = field(default_factory=dict)

    def known(self, rule_id: str) -> set[str]:
        return self.by_rule.get(rule_id, set())


def load_baseline(path: Path) -> Baseline:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CheckerError([Problem(Span(str(path)), "D403", f"cannot read the baseline: {exc.strerror}")]) from None
    try:
        old = Result.model_validate_json(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CheckerError([Problem(Span(str(path)), "D403",
                                    f"not a checker result file: {where}: {first['msg']}",
                                    hint="pass a file written by `checker check --json`")]) from None
    return Baseline(hashlib.sha256(raw).hexdigest(), {r.rule_id: set(r.fingerprints) for r in old.results})
