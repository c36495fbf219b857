"""Fuzz: no file a user can give the checker ends in an internal error or a traceback.

Every input the command line reads (rule files, dataset schemas, datasets.yaml, waivers, data
exports of every format, result files) is taken from a valid seed in tests/cases, mutated by
hypothesis (byte flips, truncation, deep nesting, long numbers, long fields, BOMs and other
encodings, mixed line endings, random YAML or JSON documents) and given to the real command
line in-process: ``check`` (the data, rules, schemas, datasets.yaml, waivers and ``--baseline``),
``lint`` and ``report``.  Whatever the input, the exit code is 0, 1 or 2 and neither
"internal error" nor "Traceback" is printed.

A bounded run is part of the suite (5 examples per input, 2 for lint: ~20 s).  The long run
sets CHECKER_FUZZ_EXAMPLES (examples per input; 7,000 is ~100,000 command lines) and selects
the slow test::

    CHECKER_FUZZ_EXAMPLES=7000 .venv/bin/pytest -q -s -m slow tests/test_fuzz_inputs.py
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from checker.cli import main
from conftest import ROOT

CASES = ROOT / "tests" / "cases"
SCHEMAS = CASES / "_shared" / "schemas"
RULES = CASES / "formats" / "_rules"
FORMATS = CASES / "formats"
WAIVERS = CASES / "waivers" / "live-expired-unmatched" / "waivers.yaml"
AS_OF = ["--as-of", "2026-06-30", "--lang", "en", "--allow-missing"]

LONG = int(os.environ.get("CHECKER_FUZZ_EXAMPLES", "0"))

# -- mutations of a seed file's bytes ----------------------------------------------------------

DEEP = st.integers(50, 120_000)
INSERTS = st.one_of(
    DEEP.map(lambda n: b"[" * n + b"]" * n),
    DEEP.map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    DEEP.map(lambda n: b"- " * n + b"x\n"),
    st.integers(4000, 6000).map(lambda n: b"9" * n),
    st.integers(4000, 6000).map(lambda n: b"-0." + b"7" * n + b"e99999"),
    st.integers(100_000, 300_000).map(lambda n: b'"' + b"x" * n + b'"'),
    st.integers(100_000, 300_000).map(lambda n: b"y" * n),
    st.sampled_from([b"\x00", b"\r", b"\r\n", b"\n\n", b'"', b",", b";", b"\t", b"\xef\xbb\xbf", b"\xff\xfe",
                     b"\xfe\xff", b"\x80", b"\xed\xa0\x80", b"\\ud800", b"&a [*a, *a]", b"*a", b"<<: *a",
                     b"!!python/object:os.system", b"!!binary AAAA", b"? [a]\n", b"{{ x }}", b"NaN",
                     b"-Infinity", b"2026-13-45", b"1e309", b"\xe2\x80\xae", b"%YAML 1.1\n---\n"]),
    st.binary(max_size=64),
)


@st.composite
def _mutate_once(draw, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "endings", "encoding", "bom", "duplicate"]))
    at = draw(st.integers(0, len(data)))
    if kind == "flip" and data:
        i = min(at, len(data) - 1)
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if kind == "truncate":
        return data[:at]
    if kind == "endings":
        ends = draw(st.lists(st.sampled_from([b"\n", b"\r\n", b"\r"]), min_size=1, max_size=3))
        lines = data.split(b"\n")
        return b"".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    if kind == "encoding":
        codec = draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "gb18030", "big5", "latin-1", "cp1252"]))
        return data.decode("utf-8", "replace").encode(codec, "replace")
    if kind == "bom":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"])) + data
    if kind == "duplicate":
        return data[:at] + data[at:] * draw(st.integers(2, 50))
    return data[:at] + draw(INSERTS) + data[at:]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30)


@st.composite
def mutated(draw, seed: Path, keys: list[str] = ()) -> bytes:
    """The seed's bytes mutated 1-3 times, or a random document (YAML/JSON) now and then.

    ``keys`` are names the document's readers look for, so random documents reach past the
    first type check more often.
    """
    data = seed.read_bytes()
    if draw(st.integers(0, 9)) == 0:
        keyed = st.dictionaries(st.sampled_from(list(keys) or ["a"]) | st.text(max_size=8), JSON_VALUES, max_size=6)
        doc = draw(keyed | JSON_VALUES | st.lists(keyed, max_size=4))
        return json.dumps(doc, ensure_ascii=draw(st.booleans()), default=str).encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(1, 3))):
        data = draw(_mutate_once(data))
    return data


# -- one run of the command line -----------------------------------------------------------------

RUNS = [0]       # command lines run, for the long run's figure


def _run(*args: str, cwd: Path) -> None:
    RUNS[0] += 1
    old = Path.cwd()
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    out = res.stdout + res.stderr
    assert res.exit_code in (0, 1, 2), out[-2000:]
    assert "internal error" not in out, out[-2000:]
    assert "Traceback" not in out, out[-2000:]


def _project(tmp: Path, data_seed: Path) -> Path:
    """A project in tmp: the rules, the schema they read and one format's data folder, ready to be changed."""
    shutil.copytree(RULES, tmp / "rules")
    (tmp / "schemas" / "crm").mkdir(parents=True)
    shutil.copy(SCHEMAS / "crm" / "complaints.schema.json", tmp / "schemas" / "crm")
    shutil.copytree(data_seed, tmp / "data")
    return tmp


def _check(tmp: Path, *extra: str) -> None:
    _run("check", "--data", "data", "--rules", "rules", "--schemas", "schemas", *AS_OF,
         "--json", "result.json", *extra, cwd=tmp)


DATA_SEEDS = sorted(p for p in FORMATS.glob("*/data/**/*") if p.is_file() and p.name != "datasets.yaml")
RULE_KEYS = ["ruleset", "version", "title", "effective", "params", "rules", "id", "dataset", "expect", "where",
             "severity", "clauses", "message", "examples", "kind", "extends"]
SCHEMA_KEYS = ["$schema", "$id", "title", "type", "properties", "required", "x-dataset", "x-key", "format",
               "enum", "pattern", "minimum", "x-source", "items", "additionalProperties"]
WAIVER_KEYS = ["id", "rule", "keys", "where", "reason", "approved_by", "expires"]
MANIFEST_KEYS = ["crm.complaints", "path", "format", "encoding", "sheet", "delimiter"]


def _fuzz_data(seed: Path, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), _data_root(seed))
        (project / "data" / seed.relative_to(_data_root(seed))).write_bytes(body)
        _check(project)


def _data_root(seed: Path) -> Path:
    return next(p for p in seed.parents if p.name == "data")


def _fuzz_rules(body: bytes, lint: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), FORMATS / "csv-utf8" / "data")
        (project / "rules" / "row.yaml").write_bytes(body)
        _check(project)
        if lint:
            _run("lint", "rules", "--schemas", "schemas", cwd=project)


def _fuzz_schema(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), FORMATS / "csv-utf8" / "data")
        (project / "schemas" / "crm" / "complaints.schema.json").write_bytes(body)
        _check(project)


def _fuzz_manifest(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), FORMATS / "xlsx" / "data")
        (project / "data" / "datasets.yaml").write_bytes(body)
        _check(project)


def _fuzz_waivers(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), FORMATS / "csv-utf8" / "data")
        (project / "waivers.yaml").write_bytes(body)
        _check(project, "--waivers", "waivers.yaml")


def _good_result() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), FORMATS / "csv-utf8" / "data")
        _check(project)
        return (project / "result.json").read_bytes()


RESULT_SEED = Path(tempfile.gettempdir()) / f"checker-fuzz-result-{os.getpid()}.json"
RESULT_KEYS = ["schema_version", "checker_version", "as_of", "inputs", "results", "summary", "waivers",
               "warnings", "rule_id", "samples", "row", "line", "fingerprints", "status"]


def _fuzz_result(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), FORMATS / "csv-utf8" / "data")
        (project / "old.json").write_bytes(body)
        _run("report", "old.json", "--md", "old.md", "--html", "old.html", cwd=project)
        _check(project, "--baseline", "old.json")


@pytest.fixture(scope="module")
def result_seed() -> Path:
    RESULT_SEED.write_bytes(_good_result())
    yield RESULT_SEED
    RESULT_SEED.unlink(missing_ok=True)


# -- the bounded run (part of the suite) and the long run ------------------------------------------

def _settings(examples: int):
    """Fixed examples in the suite; random ones in the long run, reported as found (no shrinking, which
    would rerun the command line hundreds of times)."""
    phases = [Phase.generate] if LONG else [Phase.generate, Phase.shrink]
    return settings(max_examples=examples, deadline=None, database=None, derandomize=not LONG,
                    phases=phases, suppress_health_check=list(HealthCheck))


def _targets(result: Path) -> list[tuple[str, object, object]]:
    """(name, strategy of the mutated bytes, the run) for every input the command line reads."""
    targets = [(f"data:{seed.relative_to(FORMATS).parts[0]}", mutated(seed), lambda b, s=seed: _fuzz_data(s, b))
               for seed in DATA_SEEDS]
    return targets + [
        ("rules", mutated(RULES / "row.yaml", RULE_KEYS), lambda b: _fuzz_rules(b, lint=False)),
        ("rules+lint", mutated(RULES / "row.yaml", RULE_KEYS), lambda b: _fuzz_rules(b, lint=True)),
        ("schema", mutated(SCHEMAS / "crm" / "complaints.schema.json", SCHEMA_KEYS), _fuzz_schema),
        ("datasets.yaml", mutated(FORMATS / "xlsx" / "data" / "datasets.yaml", MANIFEST_KEYS), _fuzz_manifest),
        ("waivers", mutated(WAIVERS, WAIVER_KEYS), _fuzz_waivers),
        ("result", mutated(result, RESULT_KEYS), _fuzz_result),
    ]


#: examples per input in the bounded run (lint costs ~0.7 s a run, so it gets fewer)
BOUNDED = {"rules+lint": 2}
BOUNDED_DEFAULT = 5
#: the share of CHECKER_FUZZ_EXAMPLES an input gets in the long run
LONG_SHARE = {"rules+lint": 0.25}


def _property(run, strategy, n: int):
    """A hypothesis test of ``n`` inputs drawn from ``strategy``, each given to ``run``."""

    @_settings(n)
    @given(body=strategy)
    def case(body: bytes) -> None:
        run(body)

    return case


def _fuzz(result: Path, examples: int | None) -> None:
    """Every target in turn; the failures of all of them are reported together."""
    failed = []
    for name, strategy, run in _targets(result):
        n = max(1, int(examples * LONG_SHARE.get(name, 1))) if examples else BOUNDED.get(name, BOUNDED_DEFAULT)
        before = RUNS[0]

        try:
            _property(run, strategy, n)()
        except Exception as exc:  # hypothesis has printed the smallest input it found
            failed.append(f"{name}: {str(exc)[:300]}")
        print(f"fuzz {name}: {n} inputs, {RUNS[0] - before} command lines", flush=True)
    print(f"fuzz: {RUNS[0]} command lines in all")
    assert not failed, "\n".join(failed)


def test_no_input_makes_an_internal_error(result_seed):
    _fuzz(result_seed, None)


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="the long run: set CHECKER_FUZZ_EXAMPLES (examples per input)")
def test_no_input_makes_an_internal_error_long_run(result_seed):
    _fuzz(result_seed, LONG)
