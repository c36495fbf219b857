"""The engines ``--engine`` can name: one line each (see :class:`checker.engine.api.Engine`).

The registry knows each engine by where it lives, and imports it only when it is asked for:
``checker --help`` and a DuckDB run never import Spark's module, and listing the names costs
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.engine.api import Engine, EngineSettings


class Engines(Mapping[str, "type[Engine]"]):
    """Engine name -> its class, imported on first use."""

    def __init__(self, where: dict[str, str]):
        self._where = where

    def __getitem__(self, name: str) -> type[Engine]:
        module, _sep, cls = self._where[name].partition(":")
        engine: type[Engine] = getattr(import_module(module), cls)
        return engine

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def register(self, name: str, where: str) -> None:
        """Add an engine (``"package.module:Class"``); the command line offers the engines registered when it
        is imported, the Python API any registered engine."""
        self._where[name] = where

    def unregister(self, name: str) -> None:
        self._where.pop(name, None)


ENGINES = Engines({
    "duckdb": "checker.engine.duckdb:DuckDBEngine",
    "spark": "checker.engine.spark:SparkEngine",
})

DEFAULT = "duckdb"


def start(name: str, settings: EngineSettings) -> Engine:
    """The named engine, started with the run's settings."""
    return ENGINES[name].from_settings(settings)
