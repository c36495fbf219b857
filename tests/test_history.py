"""The run history, on both stores: an embedded DuckDB file and a real PostgreSQL server.

Each test runs on both (``store`` is a DuckDB path or the URL of a new database on the session's
throw-away server, tests/pgserver.py).  What an auditor relies on: every run is an entry chained to the
one before, whose hash covers its stored rows, so a changed, removed or inserted entry is caught;
runs are read in as-of order whatever order they came in; new, fixed, open-since and time-to-fix follow
each violation's fingerprint; two writers at once both get their entry; an interrupted run leaves
nothing; personal data never reaches the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
ENV = {**os.environ, "CHECKER_LANG": "en", "PYTHONPATH": str(ROOT)}


@pytest.fixture(params=["duckdb", "postgres"])
def store(request, tmp_path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "history.duckdb")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def project(tmp_path):
    for part in ("data", "rules", "schemas"):
        shutil.copytree(QUICKSTART / part, tmp_path / part)
    return tmp_path


def run_check(cli, project, store, as_of, *extra, env=None):
    name = f"result-{as_of}.json"
    done = cli("check", "--data", "data", "--rules", "rules", "--schemas", "schemas", "--as-of", as_of,
               "--history", store, "--json", name, "--fail-on", "never", *extra, cwd=project, env=env)
    assert done.exit_code == 0, done.stderr
    return json.loads((project / name).read_text(encoding="utf-8"))


def history(cli, project, store, *extra):
    """``checker history --format json``, checked against its published schema."""
    import jsonschema

    done = cli("history", "--history", store, "--format", "json", *extra, cwd=project)
    assert done.exit_code == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout)
    jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "history.schema.json").read_text("utf-8"))
                                    ).validate(shown)
    return shown


def close_complaint(project, complaint_id: str) -> None:
    export = project / "data" / "crm" / "complaints.csv"
    lines = export.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[0] == complaint_id:
            cells[6] = cells[4].replace("09:00:00", "18:00:00")      # closed the day it came in
            lines[i] = ",".join(cells)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")


def sql(store: str, statement: str) -> None:
    """Run one statement on the store behind the checker's back (a tamperer with database access)."""
    if store.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(store, autocommit=True) as conn:
            conn.execute(statement)
    else:
        import duckdb

        with duckdb.connect(store) as conn:
            conn.execute(statement)


def rows(store: str, query: str) -> list[tuple]:
    if store.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(store) as conn:
            return conn.execute(query).fetchall()
    import duckdb

    with duckdb.connect(store, read_only=True) as conn:
        return conn.execute(query).fetchall()


# -- entries, order, trend ---------------------------------------------------------------------------------
def test_each_run_is_an_entry_holding_its_result_hash_and_chained(cli, project, store):
    first = run_check(cli, project, store, "2026-06-30")
    second = run_check(cli, project, store, "2026-07-31")
    digests = [hashlib.sha256((project / f"result-{d}.json").read_bytes()).hexdigest()
               for d in ("2026-06-30", "2026-07-31")]
    stored = rows(store, "SELECT seq, as_of, result_sha256, prev_hash, hash FROM checker_runs ORDER BY seq")
    assert [r[:3] for r in stored] == [(1, "2026-06-30", digests[0]), (2, "2026-07-31", digests[1])]
    assert stored[0][3] == "0" * 64 and stored[1][3] == stored[0][4]
    counts = rows(store, "SELECT rule_id, violations FROM checker_rule_counts WHERE seq = 2 ORDER BY rule_id")
    assert dict(counts) == {r["rule_id"]: r["violations"] for r in second["results"]}
    prints = rows(store, "SELECT rule_id, fingerprint FROM checker_violations WHERE seq = 1")
    assert sorted(prints) == sorted((r["rule_id"], fp) for r in first["results"] for fp in r["fingerprints"])
    verified = cli("history", "--history", store, "--verify", cwd=project)
    assert verified.exit_code == 0, verified.stdout
    assert "intact, 2 entries" in verified.stdout


def test_runs_are_read_in_as_of_order_and_the_trend_is_in_the_result(cli, project, store):
    run_check(cli, project, store, "2026-07-31")
    run_check(cli, project, store, "2026-05-31")          # a month re-run late
    third = run_check(cli, project, store, "2026-08-31")
    shown = history(cli, project, store)
    (series,) = shown["series"]
    assert [r["as_of"] for r in series["runs"]] == ["2026-05-31", "2026-07-31", "2026-08-31"]
    assert [r["seq"] for r in series["runs"]] == [2, 1, 3]
    trend = third["history"]
    assert [p["as_of"] for p in trend["points"]] == ["2026-05-31", "2026-07-31", "2026-08-31"]
    assert trend["points"][-1]["entry"] == 3 and trend["series"] == series["id"]
    assert trend["points"][-1]["violations"] == third["summary"]["violations"]
    qs2 = next(r for r in trend["rules"] if r["rule_id"] == "QS-002")
    assert qs2["violations"][-1] == next(r["violations"] for r in third["results"] if r["rule_id"] == "QS-002")
    since = history(cli, project, store, "--since", "2026-07-01")
    assert [r["as_of"] for r in since["series"][0]["runs"]] == ["2026-07-31", "2026-08-31"]


def test_new_fixed_open_since_and_time_to_fix_follow_each_fingerprint(cli, project, store):
    first = run_check(cli, project, store, "2026-06-30")
    qs2 = next(r for r in first["results"] if r["rule_id"] == "QS-002")
    assert qs2["violations"] >= 2
    close_complaint(project, "C000003")
    second = run_check(cli, project, store, "2026-07-30")
    fixed_print = (set(qs2["fingerprints"]) - set(next(r for r in second["results"]
                                                         if r["rule_id"] == "QS-002")["fingerprints"]))
    assert len(fixed_print) == 1
    (series,) = history(cli, project, store)["series"]
    assert series["runs"][1]["fixed"] >= 1 and series["runs"][0]["new"] is None
    # the trend a result keeps counts as the history does, and each entry stores its counts
    assert [(p["new"], p["fixed"]) for p in second["history"]["points"]] == [
        (r["new"], r["fixed"]) for r in series["runs"]]
    assert rows(store, "SELECT new_violations, fixed_violations FROM checker_runs ORDER BY seq") == [
        (r["new"], r["fixed"]) for r in series["runs"]]
    fixed = [f for f in series["fixed"] if f["rule_id"] == "QS-002"]
    assert [(f["fingerprint"], f["first_seen"], f["fixed_on"], f["days"]) for f in fixed] == [
        (fixed_print.pop(), "2026-06-30", "2026-07-30", 30)]
    still = [o for o in series["open"] if o["rule_id"] == "QS-002"]
    assert still and all(o["first_seen"] == "2026-06-30" and o["age_days"] == 30 for o in still)
    assert series["time_to_fix"]["fixed"] == len(series["fixed"]) and series["time_to_fix"]["max_days"] == 30
    assert sum(b["count"] for b in series["open_by_age"]) == len(series["open"])
    stored = rows(store, "SELECT first_seen, last_seen FROM checker_violations WHERE seq = 2 AND rule_id = 'QS-002'")
    assert stored and all(r == ("2026-06-30", "2026-07-30") for r in stored)
    regs = {line["id"]: line["points"] for line in series["regulations"]}
    assert set(regs) >= {"M1"} and len(regs["M1"]) == 2


def _entry(seq, as_of, judged: dict[str, tuple[str, list[str]]]):
    from checker.history.entry import Entry, RuleRow, ViolationRow

    e = Entry(seq=seq, series="s", as_of=as_of, started_at="", recorded_at="", tool_version="", result_sha256="",
              rulesets="[]", datasets="[]", summary="{}", exit_code=0, prev_hash="")
    e.rules = [RuleRow(rule_id=rule, ruleset="r", versions="[]", dataset="d", severity="low", clauses="[]",
                       regulations="[]", status=status, checked=1, violations=len(prints), waived=0,
                       tracked=status != "untracked") for rule, (status, prints) in judged.items()]
    e.rules = [r if r.status != "untracked" else r.__class__(**{**r.__dict__, "status": "fail"}) for r in e.rules]
    e.violations = [ViolationRow(rule, fp, as_of, as_of) for rule, (status, prints) in judged.items()
                    if status in ("pass", "fail") for fp in prints]
    return e


def test_a_rule_that_errs_or_cannot_fingerprint_says_nothing_about_what_was_open():
    from checker.history.analysis import series_view

    runs = [_entry(1, "2026-01-31", {"R1": ("fail", ["a", "b"]), "R2": ("fail", ["c"])}),
            _entry(2, "2026-02-28", {"R1": ("error", []), "R2": ("untracked", [])}),
            _entry(3, "2026-03-31", {"R1": ("fail", ["b"]), "R2": ("skipped", [])}),
            _entry(4, "2026-04-30", {"R1": ("pass", [])})]          # R2 left the rulesets
    view = series_view(runs, None)
    assert [(f.rule_id, f.fingerprint, f.first_seen, f.fixed_on, f.days) for f in view.fixed] == [
        ("R1", "b", "2026-01-31", "2026-04-30", 89), ("R1", "a", "2026-01-31", "2026-03-31", 59)]
    assert view.open == [] and [r.new for r in view.runs] == [None, 0, 0, 0]
    assert [r.fixed for r in view.runs] == [None, 0, 1, 1]
    assert view.time_to_fix.median_days == 74 and view.time_to_fix.max_days == 89
    assert [p for line in view.rules if line.id == "R1" for p in line.points] == [2, None, 1, 0]


# -- the chain ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tamper", [
    "UPDATE checker_violations SET fingerprint = 'ffffffffffffffffffff' WHERE seq = 1 AND rule_id = 'QS-002'",
    "DELETE FROM checker_violations WHERE seq = 2 AND rule_id = 'QS-002'",
    "UPDATE checker_rule_counts SET violations = 0 WHERE seq = 1 AND rule_id = 'QS-001'",
    "UPDATE checker_runs SET result_sha256 = repeat('0', 64) WHERE seq = 2",
    "DELETE FROM checker_runs WHERE seq = 2",
])
def test_a_broken_chain_is_caught(cli, project, store, tamper):
    for day in ("2026-06-30", "2026-07-30", "2026-08-30"):
        run_check(cli, project, store, day)
    sql(store, tamper)
    done = cli("history", "--history", store, "--verify", cwd=project)
    assert done.exit_code == 1, done.stdout
    assert "BROKEN" in done.stdout and "entry" in done.stdout and "H803" in done.stderr
    as_json = cli("history", "--history", store, "--verify", "--format", "json", cwd=project)
    import jsonschema

    jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "history.schema.json").read_text("utf-8"))
                                    ).validate(json.loads(as_json.stdout))
    chain = json.loads(as_json.stdout)["chain"]
    assert chain["ok"] is False and chain["breaks"]


def test_an_inserted_entry_is_caught(cli, project, store):
    run_check(cli, project, store, "2026-06-30")
    run_check(cli, project, store, "2026-07-30")
    sql(store, "UPDATE checker_runs SET seq = 3 WHERE seq = 2")
    sql(store, "UPDATE checker_rule_counts SET seq = 3 WHERE seq = 2")
    sql(store, "UPDATE checker_violations SET seq = 3 WHERE seq = 2")
    sql(store, "INSERT INTO checker_runs SELECT 2, series, as_of, started_at, recorded_at, tool_version, "
               "result_sha256, rulesets, datasets, summary, exit_code, new_violations, fixed_violations, hash, hash "
               "FROM checker_runs WHERE seq = 3")
    done = cli("history", "--history", store, "--verify", cwd=project)
    assert done.exit_code == 1 and "BROKEN" in done.stdout


# -- writers -----------------------------------------------------------------------------------------------
def _writer(project, store, as_of, env=None):
    cmd = [sys.executable, "-m", "checker.cli", "check", "--data", "data", "--rules", "rules", "--schemas",
           "schemas", "--as-of", as_of, "--history", store, "--fail-on", "never", "-q"]
    return subprocess.Popen(cmd, cwd=project, env={**ENV, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


class Held:
    """The store's write lock held by someone else: a DuckDB connection open for writing, or PostgreSQL's
    advisory lock inside an open transaction."""

    def __init__(self, store: str):
        self.store = store

    def __enter__(self):
        if self.store.startswith("postgresql://"):
            import psycopg

            from checker.history.store import PostgresStore

            self.conn = psycopg.connect(self.store)
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (PostgresStore.LOCK_KEY,))
        else:
            import duckdb

            self.conn = duckdb.connect(self.store)
        return self

    def __exit__(self, *exc):
        if self.store.startswith("postgresql://"):
            self.conn.rollback()
        self.conn.close()


def test_concurrent_writers_each_get_their_entry(cli, project, store):
    run_check(cli, project, store, "2026-05-31")          # the store exists, with its schema
    with Held(store):
        writers = [_writer(project, store, day) for day in ("2026-06-30", "2026-07-31", "2026-08-31")]
        time.sleep(3)                                     # all three are waiting for the lock now
        assert all(w.poll() is None for w in writers)
    outcomes = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0], outcomes
    stored = rows(store, "SELECT seq, as_of FROM checker_runs ORDER BY seq")
    assert [s for s, _d in stored] == [1, 2, 3, 4]
    assert sorted(d for _s, d in stored) == ["2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31"]
    verified = cli("history", "--history", store, "--verify", cwd=project)
    assert verified.exit_code == 0 and "intact, 4 entries" in verified.stdout


def test_a_writer_that_waits_too_long_stops_with_h804_and_writes_nothing(cli, project, store):
    run_check(cli, project, store, "2026-05-31")
    with Held(store):
        writer = _writer(project, store, "2026-06-30", env={"CHECKER_HISTORY_WAIT": "1"})
        _out, err = writer.communicate(timeout=60)
    assert writer.returncode == 2 and "H804" in err and "Traceback" not in err
    assert rows(store, "SELECT count(*) FROM checker_runs") == [(1,)]


INTERRUPTED = textwrap.dedent("""
    import os, signal, sys
    from checker.history import store

    real = store.Session.append
    def append(self, entry):
        real(self, entry)                      # every row written, the transaction not committed
        os.kill(os.getpid(), signal.SIGKILL)
    store.Session.append = append
    from checker.cli import main
    main(sys.argv[1:])
""")


def test_an_interrupted_run_leaves_no_partial_entry(cli, project, store):
    run_check(cli, project, store, "2026-05-31")
    cmd = [sys.executable, "-c", INTERRUPTED, "check", "--data", "data", "--rules", "rules", "--schemas", "schemas",
           "--as-of", "2026-06-30", "--history", store, "-q"]
    done = subprocess.run(cmd, cwd=project, env=ENV, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -9, done.stderr
    assert rows(store, "SELECT count(*) FROM checker_runs") == [(1,)]
    assert rows(store, "SELECT count(*) FROM checker_rule_counts WHERE seq <> 1") == [(0,)]
    assert rows(store, "SELECT count(*) FROM checker_violations WHERE seq <> 1") == [(0,)]
    run_check(cli, project, store, "2026-06-30")      # and the store takes the next run as entry 2
    verified = cli("history", "--history", store, "--verify", cwd=project)
    assert verified.exit_code == 0 and "intact, 2 entries" in verified.stdout


# -- the schema --------------------------------------------------------------------------------------------
def test_a_store_of_a_newer_schema_is_refused_untouched(cli, project, store):
    run_check(cli, project, store, "2026-05-31")
    sql(store, "UPDATE checker_history_meta SET value = '99' WHERE key = 'schema_version'")
    done = cli("check", "--data", "data", "--rules", "rules", "--schemas", "schemas", "--as-of", "2026-06-30",
               "--history", store, cwd=project)
    assert done.exit_code == 2 and "H802" in done.stderr and "Traceback" not in done.stderr
    shown = cli("history", "--history", store, cwd=project)
    assert shown.exit_code == 2 and "H802" in shown.stderr
    assert rows(store, "SELECT count(*) FROM checker_runs") == [(1,)]


def test_the_schema_is_created_once_and_versioned(cli, project, store):
    run_check(cli, project, store, "2026-05-31")
    run_check(cli, project, store, "2026-06-30")
    assert rows(store, "SELECT key, value FROM checker_history_meta") == [("schema_version", "1")]


# -- personal data -----------------------------------------------------------------------------------------
def test_personal_data_never_reaches_the_store(cli, project, store):
    # the customers' phone numbers key a rule here (personal data): only keyed hashes may be stored
    rules = project / "rules" / "customer-service.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + textwrap.indent(textwrap.dedent("""
      - id: QS-090
        title: {zh: 聯繫電話須為11位, en: Contact phones have 11 digits}
        clauses: [M3.1]
        severity: low
        dataset: crm.complaints
        group_by: [contact_phone]
        expect: min(length(contact_phone)) = 11
        message: {zh: "電話長度不符", en: "phone of the wrong length"}
    """), "  "), encoding="utf-8")
    phones = {line.split(",")[7] for line in (project / "data/crm/complaints.csv").read_text("utf-8").splitlines()[1:]}
    run_check(cli, project, store, "2026-06-30", env={"CHECKER_FINGERPRINT_KEY": ""})
    keyed = run_check(cli, project, store, "2026-07-30", env={"CHECKER_FINGERPRINT_KEY": "an auditor's secret key"})
    dumped = json.dumps([rows(store, f"SELECT * FROM {t}") for t in
                         ("checker_runs", "checker_rule_counts", "checker_violations")], ensure_ascii=False)
    assert phones and not [p for p in phones if p and p in dumped]
    # without a fingerprint key, the personal group keys have no fingerprint at all; with one, keyed hashes
    from checker.baseline import fingerprint

    assert rows(store, "SELECT count(*) FROM checker_violations WHERE seq = 1 AND rule_id = 'QS-090'") == [(0,)]
    assert rows(store, "SELECT tracked FROM checker_rule_counts WHERE seq = 1 AND rule_id = 'QS-090'") == [(False,)]
    stored = {fp for (fp,) in rows(store, "SELECT fingerprint FROM checker_violations WHERE seq = 2 "
                                          "AND rule_id = 'QS-090'")}
    qs90 = next(r for r in keyed["results"] if r["rule_id"] == "QS-090")
    assert stored == set(qs90["fingerprints"]) and len(stored) == qs90["violations"] > 0
    assert not stored & {fingerprint("QS-090", p) for p in phones}


def test_the_history_schema_is_generated_from_the_model():
    from checker.history.schema import render

    assert (ROOT / "schemas" / "history.schema.json").read_text(encoding="utf-8") == render(), \
        "run: python -m checker.history.schema"


# -- the command line --------------------------------------------------------------------------------------
def test_history_reads_its_store_from_the_configuration_file(cli, project):
    (project / "checker.toml").write_text('data = "data"\nrules = ["rules"]\nschemas = "schemas"\n'
                                          'history = "audit/history.duckdb"\nfail_on = "never"\n', encoding="utf-8")
    (project / "audit").mkdir()
    assert cli("check", "--as-of", "2026-06-30", "-q", cwd=project).exit_code == 0
    assert (project / "audit" / "history.duckdb").is_file()
    shown = cli("history", cwd=project)
    assert shown.exit_code == 0 and "1 entry" in shown.stdout and "1 run (" in shown.stdout


@pytest.mark.parametrize("case", ["missing", "folder", "garbage", "none"])
def test_a_store_that_cannot_be_read_is_one_problem(cli, project, case):
    target = project / "store.duckdb"
    if case == "folder":
        target.mkdir()
    elif case == "garbage":
        target.write_bytes(b"not a database\x00" * 64)
    args = ["history"] + ([] if case == "none" else ["--history", str(target)])
    done = cli(*args, cwd=project)
    assert done.exit_code == 2 and "H801" in done.stderr and "Traceback" not in done.stderr
    if case in ("folder", "garbage"):
        written = cli("check", "--data", "data", "--rules", "rules", "--schemas", "schemas", "--history",
                      str(target), cwd=project)
        assert written.exit_code == 2 and "H801" in written.stderr and "internal error" not in written.stderr
        assert not target.is_file() or target.read_bytes().startswith(b"not a database")


def test_a_postgresql_password_is_never_recorded_or_shown(cli, project, postgres_url):
    with_password = postgres_url.replace("checker@", "checker:s3cret-pass@")   # trust auth ignores it
    result = run_check(cli, project, with_password, "2026-06-30")
    assert "s3cret" not in json.dumps(result) and result["history"]["store"] == postgres_url
    shown = cli("history", "--history", with_password, cwd=project)
    assert shown.exit_code == 0 and "s3cret" not in shown.stdout + shown.stderr
    nobody = "postgresql://checker:s3cret-pass@127.0.0.1:1/x"                # nothing listens on port 1
    malformed = "postgresql://checker:s3cret-pass@127.0.0.1:port/x"
    for wrong in (nobody, malformed):
        refused = cli("history", "--history", wrong, cwd=project)
        assert refused.exit_code == 2 and "H801" in refused.stderr, refused.stderr
        assert "s3cret" not in refused.stderr and "internal error" not in refused.stderr


def test_a_result_with_its_trend_is_still_verified(cli, project, store):
    run_check(cli, project, store, "2026-06-30")
    done = cli("verify", "result-2026-06-30.json", cwd=project)
    assert done.exit_code == 0, done.stdout


# -- a hostile store ---------------------------------------------------------------------------------------
COLUMNS = [("checker_runs", c) for c in ("series", "as_of", "summary", "rulesets", "datasets", "started_at")] + [
    ("checker_rule_counts", c) for c in ("rule_id", "status", "clauses", "regulations", "severity", "dataset")] + [
    ("checker_violations", c) for c in ("rule_id", "fingerprint", "first_seen")]


@pytest.fixture(scope="module")
def written_store(tmp_path_factory):
    """A DuckDB store with three real entries, made once; each example below works on a copy."""
    from click.testing import CliRunner

    from checker.cli import main

    where = tmp_path_factory.mktemp("hostile")
    for part in ("data", "rules", "schemas"):
        shutil.copytree(QUICKSTART / part, where / part)
    store = where / "history.duckdb"
    cwd = os.getcwd()
    os.chdir(where)
    try:
        for day in ("2026-06-30", "2026-07-30", "2026-08-30"):
            done = CliRunner().invoke(main, ["check", "--data", "data", "--rules", "rules", "--schemas", "schemas",
                                             "--as-of", day, "--history", str(store), "--fail-on", "never", "-q"],
                                      env={"CHECKER_LANG": "en"})
            assert done.exit_code == 0, done.output
    finally:
        os.chdir(cwd)
    return store


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(COLUMNS), value=st.one_of(
    st.text(max_size=40), st.sampled_from(["", "{", "[1,2", "null", "[]", "{}", '["M1", 3]', '[{"id": 1}]',
                                           "2026-13-45", "9999-12-31", "<script>alert(1)</script>", "\x1b[2J",
                                           '{"failed": "x", "violations": -1}', "fail", "pass"])),
       fmt=st.sampled_from(["text", "json", "md", "html"]))
def test_a_tampered_store_is_read_without_a_crash_and_the_chain_check_catches_it(written_store, tmp_path, column,
                                                                                  value, fmt):
    import duckdb
    from click.testing import CliRunner

    from checker.cli import main

    copy = tmp_path / f"copy-{abs(hash((column, value, fmt)))}.duckdb"
    shutil.copyfile(written_store, copy)
    table, name = column
    with duckdb.connect(str(copy)) as conn:
        before = conn.execute(f"SELECT count(*) FROM {table} WHERE {name} IS DISTINCT FROM ?", [value]).fetchone()
        conn.execute(f"UPDATE {table} SET {name} = ?", [value])
    shown = CliRunner().invoke(main, ["history", "--history", str(copy), "--format", fmt], env={"CHECKER_LANG": "en"})
    assert shown.exit_code == 0, shown.output
    assert "internal error" not in shown.output and "\x1b" not in shown.output
    if fmt == "html":
        assert "<script>alert" not in shown.output
    checked = CliRunner().invoke(main, ["history", "--history", str(copy), "--verify"], env={"CHECKER_LANG": "en"})
    assert checked.exit_code == (1 if before and before[0] else 0), checked.output


def test_the_python_api_appends_to_a_history_too(project, store):
    from checker import api

    first = api.check(project / "data", rules=project / "rules", schemas=project / "schemas", as_of="2026-06-30",
                      history=store, fail_on="never")
    second = api.check(project / "data", rules=project / "rules", schemas=project / "schemas",
                       as_of="2026-07-30", history=store)
    assert first.history is not None and [p.entry for p in second.history.points] == [1, 2]
    stored = rows(store, "SELECT seq, result_sha256 FROM checker_runs ORDER BY seq")
    assert stored[1] == (2, hashlib.sha256(second.to_json().encode("utf-8")).hexdigest())


def test_a_spark_run_and_a_duckdb_run_of_one_month_store_the_same_entry_rows(cli, project, tmp_path):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CHECKER_REQUIRE_SPARK") == "1":
            pytest.fail("CHECKER_REQUIRE_SPARK=1 but PySpark is not installed (pip install '.[spark]')")
        pytest.skip("PySpark not installed (pip install '.[spark]')")
    store = str(tmp_path / "engines.duckdb")
    run_check(cli, project, store, "2026-06-30", "--engine", "spark", "--threads", "2")
    (project / "result-2026-06-30.json").rename(project / "spark.json")
    run_check(cli, project, store, "2026-06-30")
    counts = rows(store, "SELECT seq, rule_id, status, checked, violations, waived, tracked FROM checker_rule_counts")
    prints = rows(store, "SELECT seq, rule_id, fingerprint, first_seen FROM checker_violations")
    assert {r[1:] for r in counts if r[0] == 1} == {r[1:] for r in counts if r[0] == 2}
    assert {r[1:3] for r in prints if r[0] == 1} == {r[1:3] for r in prints if r[0] == 2} != set()
    # the DuckDB run continues the Spark run's streaks: same series, nothing new, nothing fixed
    (series,) = history(cli, project, store)["series"]
    assert [(r["new"], r["fixed"]) for r in series["runs"]] == [(None, None), (0, 0)]


def test_history_templates_can_be_overridden_and_stay_sandboxed(cli, project, tmp_path):
    store = str(tmp_path / "h.duckdb")
    run_check(cli, project, store, "2026-06-30")
    own = tmp_path / "templates" / "history"
    own.mkdir(parents=True)
    (own / "history.md.j2").write_text("entries: {{ history.entries }} {{ H.title }}\n", encoding="utf-8")
    done = cli("history", "--history", store, "--format", "md", "--templates", str(tmp_path / "templates"),
               cwd=project)
    assert done.exit_code == 0 and done.stdout == "entries: 1 Compliance history\n", done.stdout + done.stderr
    (own / "history.md.j2").write_text("{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    refused = cli("history", "--history", store, "--format", "md", "--templates", str(tmp_path / "templates"),
                  cwd=project)
    assert refused.exit_code == 2 and "T501" in refused.stderr and "Traceback" not in refused.stderr
