"""Write tests/spark_sql_golden.json: DuckDB-dialect SQL and its Spark SQL, as ``to_spark`` gives it.

    PYTHONPATH=. python scripts/spark_sql_golden.py [--check]

The statements are what the checker itself writes: every guarded query of ``checker check`` on the
golden cases under tests/cases (those with data) and on the quickstart, every query of
``checker test`` over the bundled rules, the typed conversion of every bundled schema read as
text, JSON and Parquet columns, the expressions tests/test_spark.py runs on both engines, and a
list of constructs each rewrite exists for (and those Spark refuses).  Each is stored with its
Spark SQL, or the English reason it cannot run on Spark.  ``tests/test_spark_sql.py`` replays them:
the rewrite must keep giving exactly these texts.  Run it again only when a translation is meant
to change, and read the diff.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.model.dataset import DatasetSchema

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "spark_sql_golden.json"

#: constructs each rewrite of checker/engine/spark_sql.py is for, and what it refuses
CONSTRUCTS = [
    "a / b", "a / 0", "date_diff('day', a, b)", "date_diff('week', a, b)", "date_diff('months', a, b)",
    "date_diff('quarter', a, b)", "date_diff('fortnight', a, b)", "floor(a)", "ceil(a)", "round(a, 1)",
    "a + INTERVAL (b) DAY", "a + INTERVAL (b) HOUR", "a + INTERVAL 3 DAY", "a + INTERVAL (b) WEEK",
    "trim(a)", "ltrim(a)", "rtrim(a)", "trim(a, 'x')", "to_years(b)", "to_months(b)", "to_days(b)",
    "to_hours(b)", "to_minutes(b)", "to_seconds(b)", "try_strptime(a, '%Y-%m-%d %H:%M:%S')",
    "strptime(a, '%d/%m/%Y')", "try_strptime(a, b)", "date_part('dow', a)", "date_part('isodow', a)",
    "date_part('week', a)", "date_part('epoch', a)", "date_part('second', a)", "date_part('doy', a)",
    "date_part('year', a)", "date_part('century', a)", "date_part(b, a)", "hash(a)", "json_valid(a)",
    "CAST(a AS JSON)", "TRY_CAST(a AS JSON)", "CAST(a AS HUGEINT)", "TRY_CAST(a AS HUGEINT)",
    "CAST(a AS DOUBLE)", "json_type(a)", "a ->> '$'", "a ->> '$.k'", "regexp_full_match(a, '[0-9]+')",
    "regexp_full_match(a, 'x', 'i')", "regexp_matches(a, 'x$')", "regexp_matches(a, 'x', 'ic')",
    "regexp_matches(a, 'x', 's')", "regexp_matches(a, 'x', 'q')", "regexp_matches(a, b)",
    "regexp_extract(a, '(x)')", "regexp_extract(a, '(x)(y)', 2)", "regexp_replace(a, 'x', '$\\1', 'g')",
    "regexp_replace(a, 'x', 'y')", "regexp_replace(a, 'x', b, 'g')", "dayofweek(a)", "isodow(a)", "week(a)",
    "EXTRACT(dow FROM a)", "EXTRACT(year FROM a)", "epoch(a)", "strftime(a, '%Y-%m-%d')", "strftime(a, '%U')",
    "min(a, 3)", "min(a, 3) FILTER (WHERE b > 1)", "min(a)", "min(a) FILTER (WHERE b > 1)",
    "list_distinct([a, b])", "[a, b][1]", "a LIKE 'x\\_%'", "a ILIKE 'X%'", "a LIKE b", "a NOT LIKE 'x%'",
    "any_value(a)", "concat(a, b)", "concat_ws('-', a, b)", "a || b", "a IS DISTINCT FROM b",
    "coalesce(a, b)", "CASE WHEN a > 1 THEN a / b ELSE floor(b) END",
]


def _capture(queries: list[str]) -> None:
    """Record every guarded query the DuckDB engine runs (what the Spark engine would be given)."""
    from checker.engine import duckdb as duckdb_engine

    original = duckdb_engine.DuckDBEngine._query

    def _query(self: duckdb_engine.DuckDBEngine, sql: str) -> str:
        queries.append(sql)
        return original(self, sql)

    duckdb_engine.DuckDBEngine._query = _query  # type: ignore[method-assign]


def _statements() -> list[str]:
    import datetime as dt

    from checker.cli import main
    from checker.engine.loading import column_sources, typed_query
    from checker.load.schemas import load_schemas
    from checker.resources import bundled
    from checker.testing import run_examples

    queries: list[str] = []
    _capture(queries)
    run_examples([ROOT / "rules"], None, dt.date(2026, 6, 30))
    from ruamel.yaml import YAML

    cases = [p.parent for p in sorted((ROOT / "tests" / "cases").glob("*/*/case.yaml"))
             if YAML(typ="safe").load(p.read_text(encoding="utf-8"))["args"][0] == "check"]
    runs = [(case, YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))["args"]) for case in cases]
    runs.append((ROOT / "examples" / "quickstart", ["check", "--data", "data", "--rules", "rules", "--schemas",
                                                    "schemas", "--as-of", "2026-06-30"]))
    here = Path.cwd()
    for case, args in runs:
        os.chdir(case)
        try:
            with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
                try:
                    main([str(a) for a in args], standalone_mode=False)
                except SystemExit:
                    pass
                except Exception:
                    pass
        finally:
            os.chdir(here)
    schemas, _problems = load_schemas(bundled("schemas"))
    for schema in _covering(list(schemas.values())):
        n = len(schema.columns)
        for kind, native in (("text", None), ("json", None), ("native", {0: "BIGINT", 1: "DOUBLE", 2: "TIMESTAMP"})):
            sources = column_sources(schema, list(range(n)), kind, native=native)
            queries.append(typed_query(sources, "__row", "__shape", "raw"))
    sys.path.insert(0, str(ROOT / "tests"))
    from test_spark import SEMANTICS, _rows_sql

    queries += [f"SELECT i, {expr} AS v FROM ({_rows_sql(rows)}) ORDER BY i" for expr, rows in SEMANTICS]
    queries += [f"SELECT {expr} AS v FROM t" for expr in CONSTRUCTS]
    return list(dict.fromkeys(queries))           # each once, in the order first written


def _covering(schemas: list[DatasetSchema]) -> list[DatasetSchema]:
    """The fewest schemas (greedily) whose columns have every column type of them all (a conversion is long)."""
    kinds = lambda schema: {(c.sql_type, c.typed, tuple(sorted(c.types))) for c in schema.columns.values()}  # noqa: E731
    wanted = set().union(*(kinds(s) for s in schemas))
    chosen: list[DatasetSchema] = []
    while wanted:
        best = max(schemas, key=lambda s: (len(kinds(s) & wanted), s.name))
        chosen.append(best)
        wanted -= kinds(best)
    return chosen


def translate(sql: str) -> dict[str, Any]:
    """The Spark SQL of one statement, or why it cannot run on Spark (in English)."""
    from checker.engine.spark_sql import SparkUnsupported, to_spark
    from checker.i18n import render

    try:
        return {"sql": sql, "spark": to_spark.__wrapped__(sql)}
    except SparkUnsupported as err:
        return {"sql": sql, "unsupported": str(render(err.message, "en"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the stored file instead of writing it")
    args = ap.parse_args()
    os.environ.setdefault("CHECKER_LANG", "en")
    pairs = [translate(sql) for sql in _statements()]
    text = json.dumps(pairs, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("same" if same else "differs")
        sys.exit(0 if same else 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(pairs)} statements, "
          f"{sum('unsupported' in p for p in pairs)} refused on Spark")


if __name__ == "__main__":
    main()
