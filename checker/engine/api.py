"""What an engine is to the rest of the checker: the one interface the evaluator, `run`, `lint`,
`explain` and the command line use, and the settings every engine maps to its own.

An engine loads exports into tables of the layout :mod:`checker.sql.layout` describes, then
runs guarded read-only queries written in DuckDB's dialect (:data:`checker.sql.text.DIALECT`)
and rewritten for its own where it speaks another.  Adding an engine is one module that
implements :class:`Engine` and one line in :data:`checker.engine.registry.ENGINES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self

from sqlglot import exp

from checker.codes import Code
from checker.engine.loading import Loaded
from checker.i18n import Msg
from checker.load.sources import Source
from checker.model.dataset import DatasetSchema


@dataclass(frozen=True)
class EngineSettings:
    """The run's engine options; each engine reads what applies to it (:meth:`Engine.from_settings`)."""

    memory_limit: str | None = None
    spill_dir: str | None = None
    threads: int | None = None
    #: where a cluster engine runs (Spark: its master URL), None for in-process engines
    master: str | None = None
    #: the engine's own settings, KEY=VALUE (Spark: ``--spark-conf``)
    conf: dict[str, str] = field(default_factory=dict)


class Cursor(Protocol):
    def fetchmany(self, size: int) -> list[tuple[Any, ...]]: ...


class Engine(Protocol):
    """Every operation the checker asks of an engine."""

    #: the name ``--engine`` takes, and the one messages use
    name: ClassVar[str]
    label: ClassVar[str]
    #: the code of what it refuses to run because it would mean something else there (None: it runs all)
    refusal: ClassVar[Code | None]
    #: the sqlglot dialect its queries run in (queries are written in DuckDB's and rewritten)
    dialect: ClassVar[str]
    #: what the engine raises for a query that fails on the data (a cast that cannot be made, say)
    Error: type[BaseException] | tuple[type[BaseException], ...]

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """The engine for a run, its options mapped from the run's settings."""
        ...

    @classmethod
    def available(cls) -> bool:
        """Whether it can start on this machine (its library is installed)."""
        ...

    @staticmethod
    def cannot_run(node: exp.Expression, typed: exp.Expression | None) -> Msg | str | None:
        """Why a checked rule expression (and its typed form, where types are known) would not run with
        the same meaning on this engine, or None."""
        ...

    @staticmethod
    def cannot_match(pattern: str) -> Msg | str | None:
        """Why an RE2 pattern (a schema ``pattern``, translated) would not match the same here, or None."""
        ...

    @staticmethod
    def as_run(sql: str) -> str:
        """A DuckDB-dialect query as this engine runs it (``checker explain --engine``)."""
        ...

    def load(self, schema: DatasetSchema, source: Source) -> Loaded:
        """An export into a table; D403/D410 problems for what cannot be read."""
        ...

    def lock(self) -> None:
        """From here on only guarded queries run: no file, network or setting access."""
        ...

    def fetchall(self, sql: str) -> list[tuple[Any, ...]]:
        """One guarded query's whole answer."""
        ...

    def execute(self, sql: str) -> Cursor:
        """A cursor over one guarded query's answer, read in batches."""
        ...

    def materialize(self, name: str, sql: str) -> None:
        """Keep a guarded query's answer under ``name`` for the queries that read it more than once."""
        ...

    def release(self, name: str) -> None:
        """Drop what :meth:`materialize` kept."""
        ...

    def close(self) -> None:
        """Release the engine and its temporary files."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

