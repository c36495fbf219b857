"""The engine interface and its registry: every engine implements the interface, the command line,
`run`, `lint` and `explain` read the registry, and a new engine is one module plus one line."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.cli import check as check_command
from checker.cli import explain as explain_command
from checker.cli import lint as lint_command
from checker.engine.api import Engine, EngineSettings
from checker.engine.registry import ENGINES
from checker.run import CheckOptions, check
from conftest import ROOT

CASE = ROOT / "tests/cases/kinds/row"
SCHEMAS = ROOT / "tests/cases/_shared/schemas"


def _members() -> list[str]:
    names = [n for n in vars(Engine) if not n.startswith("_") or n in ("__enter__", "__exit__")]
    return sorted(set(names) | set(Engine.__annotations__))


@pytest.mark.parametrize("name", list(ENGINES))
def test_every_engine_implements_the_interface(name):
    engine = ENGINES[name]
    assert engine.name == name
    missing = [m for m in _members() if m != "Error" and not hasattr(engine, m)]
    assert not missing, f"{name} lacks {missing}"
    assert isinstance(engine.available(), bool) and engine.label


def test_the_command_line_offers_the_registered_engines():
    for command in (check_command, lint_command, explain_command):
        option = next(p for p in command.params if p.name == "engine")
        assert list(option.type.choices) == list(ENGINES), command.name


def _summary(result) -> dict[str, tuple[str, int, list[int]]]:
    return {r.rule_id: (r.status, r.violations, [s.row for s in r.samples]) for r in result.results}


@pytest.fixture
def toy():
    from toy_engine import ToyEngine

    ENGINES.register("toy", "toy_engine:ToyEngine")
    ToyEngine.queries.clear()
    ToyEngine.settings.clear()
    yield ToyEngine
    ENGINES.unregister("toy")


def test_a_registered_engine_runs_a_check_end_to_end(toy):
    opts = {"data": CASE / "data", "rules": [CASE / "rules"], "schemas": SCHEMAS, "as_of": dt.date(2026, 6, 30),
            "allow_missing": True, "memory_limit": "256MB", "threads": 1}
    mine = check(CheckOptions(**opts, engine="toy"))
    duck = check(CheckOptions(**opts))
    assert mine.run.engine == "toy" and toy.queries, "the run did not go through the registered engine"
    assert toy.settings == [EngineSettings(memory_limit="256MB", threads=1)]
    assert _summary(mine) == _summary(duck) and _summary(mine)["ROW-001"] == ("fail", 2, [2, 4])


def test_explain_shows_the_sql_as_another_engine_runs_it(cli):
    shown = cli("explain", "ROW-001", "--rules", str(CASE / "rules"), "--schemas", str(SCHEMAS),
                "--engine", "spark", "--as-of", "2026-06-30")
    assert shown.exit_code == 0
    spark = shown.stdout.split("sql as Spark runs it:")[1]
    assert "`t`" in spark and '"t"' not in spark          # Spark quotes identifiers with backticks
    plain = cli("explain", "ROW-001", "--rules", str(CASE / "rules"), "--schemas", str(SCHEMAS),
                "--as-of", "2026-06-30")
    assert "runs it" not in plain.stdout


def test_an_engine_that_runs_everything_refuses_nothing():
    from checker.portability import engine_problems

    assert ENGINES["duckdb"].refusal is None and engine_problems(ENGINES["duckdb"], [], {}) == []
