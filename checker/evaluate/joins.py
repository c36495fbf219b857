"""Joins of rules judged record by record must be many-to-one; this is checked on the data, once per join."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.compile.expr import DIALECT
from checker.compile.kinds.join import JoinSpec
from checker.compile.plan import duplicate_keys_query, fanout_query, join_keys
from checker.compile.rules import CompiledRule
from checker.engine.loading import Loaded
from checker.i18n import Msg, _

#: column types whose equality is the same as grouping equality (no cast between the two sides)
EXACT_KEYS = frozenset({"VARCHAR", "BIGINT", "DATE", "TIMESTAMP", "BOOLEAN"})


class Fanouts:
    def __init__(self, fetchall: Callable[[str], list[tuple[Any, ...]]], loaded: dict[str, Loaded]):
        self._fetchall = fetchall
        self.loaded = loaded
        self._known: dict[tuple[str, str, str], tuple[int, int | None]] = {}

    def table_of(self, dataset: str) -> str:
        return self.loaded[dataset].table

    def check(self, rule: CompiledRule) -> Msg | None:
        """Why the rule cannot run (a join meets several records of its dataset), or None."""
        for spec in rule.joins:
            count, first = self.of(rule, spec)
            if count:
                return _("join '{alias}' ({dataset}) is not many-to-one: {count} records of {main} meet more "
                         "than one {dataset} record (first at row {first}); make the joined side unique on the "
                         "join columns, or write an aggregate rule", alias=spec.alias, dataset=spec.dataset,
                         count=count, main=rule.dataset, first=str(first))
        return None

    def of(self, rule: CompiledRule, spec: JoinSpec) -> tuple[int, int | None]:
        """(records meeting more than one joined record, the first one); one answer per distinct join.

        When the join is column equalities of one type, a joined side without duplicate keys settles
        it from the joined side alone; only otherwise are the two sides joined.
        """
        cache_key = (rule.dataset, spec.dataset, spec.on.sql(dialect=DIALECT))
        if cache_key not in self._known:
            self._known[cache_key] = (0, None) if self._unique_keys(rule, spec) else self._joined(rule, spec)
        return self._known[cache_key]

    def _unique_keys(self, rule: CompiledRule, spec: JoinSpec) -> bool:
        """Whether the join is on exact keys the joined side holds at most once each."""
        keys = join_keys(spec)
        if keys is None:
            return False
        theirs, ours = self.loaded[spec.dataset].schema.columns, self.loaded[rule.dataset].schema.columns
        if not all(j in theirs and m in ours and theirs[j].sql_type == ours[m].sql_type
                   and theirs[j].sql_type in EXACT_KEYS for j, m in keys):
            return False
        q = duplicate_keys_query(spec, [j for j, _k in keys], self.table_of)
        return bool(self._fetchall(q.sql(dialect=DIALECT))[0][0] == 0)

    def _joined(self, rule: CompiledRule, spec: JoinSpec) -> tuple[int, int | None]:
        q = fanout_query(rule, spec, self.table_of(rule.dataset), self.table_of)
        count, first = self._fetchall(q.sql(dialect=DIALECT))[0]
        return int(count), first
