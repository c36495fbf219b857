"""The repository stands alone: what its tests read is in it."""

from __future__ import annotations

import conftest
from conftest import ROOT


def test_files_beside_the_repository_count_as_outside_it():
    assert conftest._outside_repository(ROOT.parent / "shared" / "regulations.md")
    assert conftest._outside_repository(str(ROOT) + "-other-clone/README.md")
    assert not conftest._outside_repository(ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json")
    assert not conftest._outside_repository("/tmp/pytest-of-someone/x.csv")


def test_the_copied_reference_files_are_there_with_their_licences():
    suite = ROOT / "tests" / "data" / "json-schema-test-suite"
    assert (suite / "LICENSE").read_text(encoding="utf-8").startswith("Copyright (c)")
    assert len(list((suite / "tests" / "draft2020-12").glob("*.json"))) > 40
    assert (ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").stat().st_size > 100_000
    assert "M7.6" in (ROOT / "docs" / "regulations.md").read_text(encoding="utf-8")
