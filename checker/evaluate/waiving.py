"""The live waivers of a run: their conditions per rule, how many violations each covered, which covers a record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from checker.compile.expr import DIALECT
from checker.compile.kinds.base import MAIN_ALIAS, flag
from checker.engine.loading import Loaded
from checker.evaluate.records import rows_condition
from checker.waivers import Waiver, for_rule


class Waiving:
    def __init__(self, waivers: list[Waiver], fetchall: Callable[[str], list[tuple[Any, ...]]]):
        self.waivers = waivers
        self._fetchall = fetchall
        self.matches: dict[str, int] = {w.id: 0 for w in waivers}

    def trees(self, rule_id: str) -> list[tuple[str, exp.Expression]]:
        """(waiver id, condition) of every live waiver of the rule."""
        return [(w.id, w.condition) for w in for_rule(self.waivers, rule_id) if w.condition is not None]

    def count(self, per_waiver: dict[str, int]) -> None:
        for wid, n in per_waiver.items():
            self.matches[wid] = self.matches.get(wid, 0) + n

    def which(self, loaded: Loaded, rule_id: str, row: int) -> str | None:
        """The first waiver of the rule that covers the record ``row``."""
        for wid, cond in self.trees(rule_id):
            q = (exp.select(exp.Count(this=exp.Star())).from_(exp.to_table(loaded.table).as_(MAIN_ALIAS))
                 .where(exp.and_(rows_condition(loaded, MAIN_ALIAS, [row]), flag(cond))))
            if self._fetchall(q.sql(dialect=DIALECT))[0][0]:
                return wid
        return None
