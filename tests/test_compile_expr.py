"""Rule expressions (checker.compile.expr): refusals that must be coded problems, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.compile import expr as X
from checker.i18n import render
from checker.load.schemas import load_schema
from checker.problems import CheckerError, Span

SCHEMA = Path(__file__).parent / "cases" / "_shared" / "schemas" / "crm" / "complaints.schema.json"


@pytest.mark.parametrize(("text", "name"), [("any_value(severity) = 'a'", "any_value"),
                                            ("sum(amount) > 1", "sum"), ("count(*) > 1", "count")])
def test_an_aggregate_in_a_row_expression_is_x204_naming_the_function(text, name):
    """any_value(x) parses as IGNORE NULLS around AnyValue; the refusal names any_value() (it was an
    AttributeError: IGNORE NULLS has no SQL name)."""
    ctx = X.ExprContext("T-001", Span("rules.yaml", 1, 1), load_schema("crm.complaints", SCHEMA), "m")
    with pytest.raises(CheckerError) as caught:
        X.compile_expression(text, ctx)
    (problem,) = caught.value.problems
    assert problem.code == "X204" and f"{name}()" in str(render(problem.message, "en"))
