"""The Spark SQL of what the checker writes stays exactly what it was (tests/spark_sql_golden.json).

The file holds ~290 statements the checker itself writes (every query of ``checker check`` on the
golden cases and the quickstart, of ``checker test`` over the bundled rules, typed conversions,
the expressions tests/test_spark.py runs on both engines, one statement per rewrite) with their
Spark SQL, or the reason Spark refuses them; ``scripts/spark_sql_golden.py`` wrote it.  That the
translations *mean* the same on both engines is tests/test_spark.py's, with Spark; this pins the
texts, without Spark, so that a change to the rewrite shows as a diff.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker.engine.spark_sql import SparkUnsupported, to_spark
from checker.i18n import render
from conftest import ROOT

GOLDEN: list[dict[str, Any]] = json.loads((ROOT / "tests" / "spark_sql_golden.json").read_text(encoding="utf-8"))


def test_the_golden_file_covers_every_kind_of_statement() -> None:
    assert len(GOLDEN) > 250
    assert sum("unsupported" in g for g in GOLDEN) >= 10
    # the fused scan (counts first), the typed conversion (row number first), the semantics cases
    starts = {g["sql"].split(None, 2)[1].lower() for g in GOLDEN}
    assert {"count(*),", "__row,", "i,"} <= starts


@pytest.mark.parametrize("golden", GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_spark_sql_is_unchanged(golden: dict[str, Any]) -> None:
    sql = golden["sql"]
    if "unsupported" in golden:
        with pytest.raises(SparkUnsupported) as refused:
            to_spark.__wrapped__(sql)
        assert str(render(refused.value.message, "en")) == golden["unsupported"]
    else:
        assert to_spark.__wrapped__(sql) == golden["spark"], sql


def test_the_golden_file_holds_what_the_checker_writes_now() -> None:
    """The pinned statements are the ones the checker writes today, not those of an older version: a
    change to the SQL the checker writes must regenerate the file (and show its Spark SQL in the diff).
    The script runs the golden cases, the quickstart and the bundled examples (~40 s)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(ROOT), CHECKER_LANG="en")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "spark_sql_golden.py"), "--check"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "same", (
        "tests/spark_sql_golden.json is stale: run `PYTHONPATH=. python scripts/spark_sql_golden.py` and review "
        f"the diff\n{done.stdout[-500:]}{done.stderr[-2000:]}")
