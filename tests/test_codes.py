"""One code registry: every code is defined once in checker/codes.py, and its meaning is frozen.

``tests/data/codes.txt`` is the frozen list.  A line may be added (a new code), never changed or
removed: users, CI configurations and golden cases read a code's meaning, so a second meaning
needs a second code.
"""

from __future__ import annotations

import ast
import re

import pytest

from checker import codes
from checker.problems import Problem, Span
from conftest import ROOT

CODE = re.compile(r"^[A-Z]\d{3}$")


def frozen() -> list[tuple[str, str, bool]]:
    rows = []
    for line in (ROOT / "tests/data/codes.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            text, meaning, *rest = line.split("\t")
            rows.append((text, meaning, rest == ["retired"]))
    return rows


def test_registered_meanings_never_change():
    registry = {text: (code.describe("en"), code.retired) for text, code in codes.REGISTRY.items()}
    for text, meaning, retired in frozen():
        assert text in registry, f"{text} was removed from checker/codes.py; retire it instead"
        assert registry[text][0] == meaning, f"{text} changed meaning; give the new meaning a new code"
        assert not (retired and not registry[text][1]), f"{text} is retired and may not be raised again"


def test_every_registered_code_is_on_the_frozen_list():
    listed = {text for text, _m, _r in frozen()}
    new = sorted(set(codes.REGISTRY) - listed)
    assert not new, f"add {new} to tests/data/codes.txt (a new line each, never a changed one)"


def _package_trees():
    for path in sorted((ROOT / "checker").rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def test_codes_are_never_typed_out():
    """No code text in the package but its definition: a typed-out code would bypass the registry."""
    found = []
    for rel, tree in _package_trees():
        if rel.as_posix() == "checker/codes.py":
            continue
        found += [f"{rel}:{n.lineno} {n.value}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.match(n.value)]
    assert not found


def test_every_code_used_is_registered_and_every_live_code_is_used():
    used = set()
    for _rel, tree in _package_trees():
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                 and isinstance(n.value, ast.Name) and n.value.id == "codes" and CODE.match(n.attr)}
    assert used <= set(codes.REGISTRY), sorted(used - set(codes.REGISTRY))
    live = {t for t, c in codes.REGISTRY.items() if not c.retired}
    assert live - used == set(), f"registered but never raised: {sorted(live - used)} (retire them)"
    retired = {t for t, c in codes.REGISTRY.items() if c.retired}
    assert not used & retired, f"retired codes raised again: {sorted(used & retired)}"


def test_golden_cases_cite_registered_codes():
    cited = set()
    for case in (ROOT / "tests/cases").rglob("case.yaml"):
        cited |= set(re.findall(r"(?::\d+:\d+|\.ya?ml|\.json|\.csv): ([A-Z]\d{3}) ", case.read_text(encoding="utf-8")))
    assert cited and cited <= set(codes.REGISTRY), sorted(cited - set(codes.REGISTRY))


def test_a_problem_takes_only_a_registered_code():
    with pytest.raises(TypeError):
        Problem(Span("x"), "D403", "typed out")  # type: ignore[arg-type]
    problem = Problem(Span("data.csv", 3, 1), codes.D403, "cannot read")
    assert problem.render("en") == "data.csv:3:1: D403 cannot read" and problem.code == "D403"


@pytest.mark.parametrize("code", sorted(codes.REGISTRY))
def test_every_meaning_reads_in_both_languages(code):
    meaning = codes.REGISTRY[code]
    assert meaning.describe("en") and meaning.describe("zh")
    assert re.search(r"[\u4e00-\u9fff]", meaning.describe("zh")), f"{code} has no Traditional Chinese meaning"
