"""Records and their keys: the values of the records a result cites, fetched once, and their keys as shown.

Every value shown is masked where it derives from an ``x-pii`` column, unless ``--show-pii``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlglot import exp

from checker.baseline import Fingerprinter, key_text_sql
from checker.compile.kinds.base import ROW
from checker.compile.lineage import RuleLineage, of_rule, record_key, record_key_personal
from checker.compile.rules import CompiledRule
from checker.engine.loading import Loaded
from checker.messages import record_view
from checker.model.dataset import DatasetSchema
from checker.sql.text import DIALECT, qi, tree


def rows_condition(loaded: Loaded, alias: str, rows: list[int]) -> exp.Expression:
    """The engine's condition "the record is one of ``rows``", as a tree."""
    return tree(loaded.rows_where(alias, rows))


def key_text(parts: list[str]) -> exp.Expression:
    """SQL: the text a fingerprint hashes, from key columns (SQL), as a tree."""
    return tree(key_text_sql(parts))


def key_columns(loaded: Loaded) -> list[str]:
    return list(record_key(loaded.schema))


class Lineages:
    """The lineage of each compiled rule, worked out once."""

    def __init__(self, schemas: Mapping[str, DatasetSchema]):
        self.schemas = schemas
        self._known: dict[int, RuleLineage] = {}

    def of(self, rule: CompiledRule) -> RuleLineage:
        if id(rule) not in self._known:
            self._known[id(rule)] = of_rule(rule, self.schemas)
        return self._known[id(rule)]


class Records:
    """The records cited so far, with the text their fingerprints are made from."""

    def __init__(self, fetchall: Any, prints: Fingerprinter, show_pii: bool):
        self._fetchall = fetchall
        self.prints = prints
        self.show_pii = show_pii
        self._values: dict[tuple[str, int], dict[str, Any]] = {}
        self._key_text: dict[tuple[str, int], str] = {}

    def fetch(self, loaded: Loaded, rows: list[int]) -> None:
        """Read the records ``rows`` not read yet."""
        want = sorted({r for r in rows if (loaded.schema.name, r) not in self._values})
        if not want:
            return
        cols = list(loaded.schema.columns)
        q = (exp.select(exp.column(ROW), key_text([qi(c) for c in key_columns(loaded)]),
                        *[exp.column(c, quoted=True) for c in cols])
             .from_(exp.to_table(loaded.table)).where(rows_condition(loaded, "", want)))
        for values in self._fetchall(q.sql(dialect=DIALECT)):
            self._values[(loaded.schema.name, values[0])] = dict(zip(cols, values[2:], strict=True))
            self._key_text[(loaded.schema.name, values[0])] = values[1]

    def record(self, loaded: Loaded, row: int) -> dict[str, Any]:
        return self._values.get((loaded.schema.name, row), {})

    def fingerprint(self, loaded: Loaded, rule_id: str, row: int) -> str | None:
        return self.prints(rule_id, self._key_text.get((loaded.schema.name, row), ""),
                           record_key_personal(loaded.schema))

    def shown_key(self, loaded: Loaded, row: int) -> dict[str, Any] | None:
        if not loaded.schema.key:
            return None
        record = self.record(loaded, row)
        return self.key_view(loaded, {k: record.get(k) for k in loaded.schema.key})

    def key_view(self, loaded: Loaded, key: dict[str, Any]) -> dict[str, Any]:
        """A record key as samples and --violations-out show it: display values, x-pii columns masked."""
        return record_view(key, loaded.schema.pii_columns, self.show_pii)
