"""A toy engine for tests/test_engine_registry.py: DuckDB underneath, counting what it is asked.

It is what adding an engine takes: one module implementing checker.engine.api.Engine, and
one registry line (here made by the test, ``ENGINES.register("toy", "toy_engine:ToyEngine")``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from checker.engine.api import EngineSettings
from checker.engine.duckdb import DuckDBEngine


class ToyEngine(DuckDBEngine):
    name: ClassVar[str] = "toy"
    label: ClassVar[str] = "Toy"
    queries: ClassVar[list[str]] = []
    settings: ClassVar[list[EngineSettings]] = []

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> ToyEngine:
        cls.settings.append(settings)
        return cls(threads=1)

    def fetchall(self, sql: str) -> list[tuple[Any, ...]]:
        self.queries.append(sql)
        return super().fetchall(sql)
