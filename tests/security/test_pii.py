"""Personal data by lineage: a value derived from an x-pii column, through any expression, is masked
in every output the checker writes unless --show-pii; engine error texts carry no record values;
fingerprints of personal keys are keyed hashes (or are not written, said once as W506)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.scrub import first_line

PHONE, EMAIL, NAME = "+886987654321", "xiaoming.wang@example.com", "歐陽娜娜"
#: what gives each planted value away: a part no mask keeps (matched without regard to letter case)
TELLS = ("987654", "xiaoming", "陽娜")
KEY = "a-secret-of-more-than-16-characters"

COMPLAINTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "crm.complaints", "type": "object",
    "x-key": ["complaint_id"], "required": ["complaint_id"],
    "properties": {
        "complaint_id": {"type": "string"}, "customer_id": {"type": "string"}, "severity": {"type": "string"},
        "contact_phone": {"type": ["string", "null"], "pattern": "^1[3-9][0-9]{9}$", "x-pii": True}}}
CUSTOMERS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "crm.customers", "type": "object",
    "x-key": ["customer_id"], "required": ["customer_id"],
    "properties": {
        "customer_id": {"type": "string"}, "name": {"type": "string", "x-pii": True},
        "email": {"type": ["string", "null"], "x-pii": True}}}
COMPLAINT_ROWS = [("C1", "K1", "high", PHONE), ("C2", "K1", "low", PHONE), ("C3", "K2", "high", "13800000000")]
CUSTOMER_ROWS = [("K1", NAME, EMAIL), ("K2", "李四", "li.si@example.org")]

JOIN = '    join: [{dataset: crm.customers, as: cust, on: "cust.customer_id = customer_id"}]\n'

# every class of the issue: a derived group key, a joined personal column as a group key, a message
# variable, an engine error quoting a value (direct and through a joined column), a uniqueness rule
RULES = [
    ("P-AGG", "group_by: [lower(contact_phone)]\n    expect: count(*) <= 1",
     "Phone group {{ group }} has {{ records }}"),
    ("P-JOIN", JOIN + "    group_by: [cust.email, \"concat(cust.name, '/', contact_phone)\"]\n"
     "    expect: count(*) <= 1",
     "Customer {{ group }}"),
    ("P-MSG", "expect: contact_phone IS NULL", "Complaint {{ complaint_id }} phone {{ contact_phone }}"),
    ("P-ERR", "expect: CAST(contact_phone AS INTEGER) > 0", None),
    ("P-ERR-JOIN", JOIN + "    expect: CAST(upper(cust.email) AS INTEGER) > 0", None),
    ("P-UNQ", "unique: [contact_phone]", "Phone {{ contact_phone }} is shared"),
]


def rule_yaml(rid: str, body: str, message: str | None) -> str:
    text = (f"  - id: {rid}\n    title: {{zh: 規則 {rid}, en: Rule {rid}}}\n    clauses: [M1.1]\n"
            f"    severity: high\n    dataset: crm.complaints\n    {body.strip()}\n")
    if message:
        text += f"    message: {{zh: {json.dumps(message)}, en: {json.dumps(message)}}}\n"
    return text


def csv(header: str, rows) -> str:
    return header + "\n" + "".join(",".join(r) + "\n" for r in rows)


@dataclass
class Project:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def args(self, *extra: str) -> list[str]:
        return ["check", "--data", str(self.data), "--rules", str(self.root / "rules"),
                "--schemas", str(self.root / "schemas"), "--as-of", "2026-06-30", "--lang", "en", *extra]


def make_project(root: Path, rules: list[tuple[str, str, str | None]], complaints: dict = COMPLAINTS) -> Project:
    for folder in ("schemas/crm", "data/crm", "rules"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "schemas/crm/complaints.schema.json").write_text(json.dumps(complaints), encoding="utf-8")
    (root / "schemas/crm/customers.schema.json").write_text(json.dumps(CUSTOMERS), encoding="utf-8")
    (root / "data/crm/complaints.csv").write_text(
        csv("complaint_id,customer_id,severity,contact_phone", COMPLAINT_ROWS), encoding="utf-8")
    (root / "data/crm/customers.csv").write_text(csv("customer_id,name,email", CUSTOMER_ROWS), encoding="utf-8")
    (root / "rules/r.yaml").write_text(
        "ruleset: t.pii\nversion: 1.0.0\ntitle: {zh: 個資, en: Personal data}\neffective: {from: 2026-01-01}\n"
        "rules:\n" + "".join(rule_yaml(*r) for r in rules), encoding="utf-8")
    return Project(root)


def invoke(args: list[str], key: str | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(main, args, env={"CHECKER_FINGERPRINT_KEY": key}, catch_exceptions=False)
    return res.exit_code, res.stdout + res.stderr


def every_output(project: Project, out: Path, *extra: str) -> dict[str, str]:
    """Run the check once per standard-output format, writing every file format too; each output's text."""
    out.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    files = {"json": out / "r.json", "md": out / "r.md", "html": out / "r.html", "sarif": out / "r.sarif",
             "junit": out / "r.xml", "violations-out": out / "v.csv"}
    written = [a for f, p in files.items() for a in (f"--{f}", str(p))]
    code, texts["stdout text"] = invoke(project.args(*extra, *written))
    assert code in (0, 1), texts["stdout text"]
    for fmt in ("json", "md", "github"):
        code, texts[f"stdout {fmt}"] = invoke(project.args(*extra, "--format", fmt))
        assert code in (0, 1), texts[f"stdout {fmt}"]
    invoke(project.args(*extra, "--violations-out", str(out / "v.parquet"), "-q"))
    texts.update({name: path.read_text(encoding="utf-8") for name, path in files.items()})
    texts["violations-out parquet"] = json.dumps(pq.read_table(out / "v.parquet").to_pylist(), ensure_ascii=False)
    return texts


def leaks(texts: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, tell) for where, text in texts.items() for tell in TELLS if tell.lower() in text.lower()]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("pii")
    project = make_project(root, RULES)
    masked = every_output(project, root / "masked")
    shown = every_output(project, root / "shown", "--show-pii")
    return masked, shown


def by_id(texts: dict[str, str]) -> dict[str, dict]:
    return {r["rule_id"]: r for r in json.loads(texts["json"])["results"]}


def test_personal_values_appear_in_no_output_without_show_pii(outputs):
    masked, _ = outputs
    assert leaks(masked) == []
    results = by_id(masked)
    # the checks really did produce what would have leaked
    assert results["P-AGG"]["violations"] == 1 and results["P-JOIN"]["violations"] == 1
    assert results["P-MSG"]["violations"] == 3 and results["P-UNQ"]["violations"] == 2
    assert results["schema:crm.complaints.contact_phone:pattern"]["violations"] == 2
    assert results["P-ERR"]["status"] == "error" and results["P-ERR-JOIN"]["status"] == "error"
    assert json.loads(masked["json"])["run"]["show_pii"] is False


def test_derived_group_keys_are_masked_by_lineage(outputs):
    masked, _ = outputs
    results = by_id(masked)
    assert results["P-AGG"]["samples"][0]["key"] == {"lower(contact_phone)": "+***********1"}
    join_key = results["P-JOIN"]["samples"][0]["key"]
    assert join_key["cust.email"] == "x***@example.com"            # a bare column, masked as that column is
    assert join_key["concat(cust.name, '/', contact_phone)"] == "歐" + "*" * 16 + "1"
    assert "+***********1" in results["P-AGG"]["samples"][0]["message"]
    rows = [r for r in masked["violations-out"].splitlines() if r.startswith('"P-AGG"')]
    assert len(rows) == 1 and "+***********1" in rows[0]


def test_show_pii_shows_every_value_and_the_result_says_so(outputs):
    _, shown = outputs
    results = by_id(shown)
    assert json.loads(shown["json"])["run"]["show_pii"] is True
    assert results["P-AGG"]["samples"][0]["key"] == {"lower(contact_phone)": PHONE}
    assert results["P-JOIN"]["samples"][0]["key"] == {"cust.email": EMAIL,
                                                       "concat(cust.name, '/', contact_phone)": f"{NAME}/{PHONE}"}
    assert PHONE in results["P-MSG"]["samples"][0]["message"]
    for where in ("stdout text", "md", "html", "sarif", "junit", "stdout github", "violations-out",
                  "violations-out parquet"):
        assert PHONE in shown[where], where


def test_engine_errors_name_the_rule_and_column_never_the_value(outputs):
    masked, shown = outputs
    for texts in (masked, shown):                      # --show-pii does not bring values into error texts
        error = by_id(texts)["P-ERR"]["error"]
        # a rule reading personal data keeps only the error's kind, and names its columns
        assert "Conversion Error (details withheld: the rule reads personal data)" in error
        assert "P-ERR" in error and "contact_phone" in error
        assert "987654" not in error and "886" not in error
        joined = by_id(texts)["P-ERR-JOIN"]["error"]
        assert "cust.email" in joined and "xiaoming" not in joined.lower()


@pytest.mark.parametrize("query", [
    "SELECT CAST(v AS INTEGER) FROM t", "SELECT CAST(v AS DECIMAL(4,1)) FROM t", "SELECT CAST(v AS DATE) FROM t",
    "SELECT strptime(v, '%Y') FROM t", "SELECT CAST(v AS TIMESTAMP) FROM t", "SELECT CAST(v AS UUID) FROM t",
    "SELECT CAST(n AS INTEGER) FROM t", "SELECT n * 100000000000 FROM t",
    "SELECT date_trunc(v, DATE '2026-01-01') FROM t",
])
@pytest.mark.parametrize("value", [PHONE, EMAIL, NAME, "O'Brien 987654x", 'say "987654"', "9876543210\n987654"])
def test_scrub_removes_the_values_duckdb_quotes(query, value):
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ?::VARCHAR AS v, 98765432109 AS n", [value])
    with pytest.raises(duckdb.Error) as err:
        con.execute(query).fetchall()
    text = first_line(err.value)
    assert re.match(r"^[A-Z][A-Za-z ]+ Error: ", text), text       # the error's kind stays
    for tell in ("987654", "Brien", "xiaoming", "陽娜"):
        assert tell not in text, (query, text)


def personal_key_project(root: Path) -> Project:
    """Complaints keyed by their phone (a personal record key), with a personal group key and a plain rule."""
    keyed = dict(COMPLAINTS, **{"x-key": ["contact_phone"]})
    rows = [("P-KEY", "expect: severity = 'none'", None), ("P-AGG", RULES[0][1], None),
            ("P-PLAIN", "group_by: [severity]\n    expect: count(*) > 5", None)]
    return make_project(root, rows, keyed)


def run_json(project: Project, out: Path, *extra: str, key: str | None = None) -> tuple[int, dict, str]:
    code, text = invoke(project.args("--json", str(out), *extra), key)
    return code, json.loads(out.read_text(encoding="utf-8")), text


def test_without_a_key_personal_fingerprints_are_not_written_and_the_run_says_why_once(tmp_path):
    project = personal_key_project(tmp_path)
    _code, result, stdout = run_json(project, tmp_path / "r.json")
    results = {r["rule_id"]: r for r in result["results"]}
    for rid in ("P-KEY", "P-AGG", "schema:crm.complaints.contact_phone:pattern"):
        assert results[rid]["violations"] and results[rid]["fingerprints"] == [], rid
        assert all(s["fingerprint"] is None for s in results[rid]["samples"]), rid
    # a group key that is not personal keeps its unsalted fingerprint, exactly as before
    plain = results["P-PLAIN"]
    assert plain["fingerprints"] == sorted(hashlib.md5(f"P-PLAIN\x1f{sev}".encode()).hexdigest()[:20]
                                           for sev in ("high", "low"))
    w506 = [w for w in result["warnings"] if w["code"] == "W506"]
    assert len(w506) == 1 and "CHECKER_FINGERPRINT_KEY" in w506[0]["message"] and "not set" in w506[0]["message"]
    assert stdout.count("W506") == 1
    _, short, _ = run_json(project, tmp_path / "s.json", key="too-short")
    assert [w["message"].split(":")[0] for w in short["warnings"] if w["code"] == "W506"] == [
        "shorter than 16 characters"]


def test_with_a_key_personal_fingerprints_are_keyed_hashes_and_baselines_match(tmp_path):
    project = personal_key_project(tmp_path)
    _, first, _ = run_json(project, tmp_path / "a.json", key=KEY)
    _, again, _ = run_json(project, tmp_path / "b.json", key=KEY)
    _, other, _ = run_json(project, tmp_path / "c.json", key=KEY + "-other")
    prints = lambda r: {x["rule_id"]: x["fingerprints"] for x in r["results"] if x["violations"]}  # noqa: E731
    assert not [w for w in first["warnings"] if w["code"] == "W506"]
    assert prints(first) == prints(again)
    assert all(prints(first)[rid] != prints(other)[rid] for rid in ("P-KEY", "P-AGG"))
    assert prints(first)["P-PLAIN"] == prints(other)["P-PLAIN"]          # not personal: no key involved
    unsalted = {hashlib.md5(f"{rid}\x1f{text}".encode()).hexdigest()[:20]
                for rid in ("P-KEY", "P-AGG") for text in (PHONE, "13800000000", PHONE.lower())}
    assert not unsalted & {fp for rid in ("P-KEY", "P-AGG") for fp in prints(first)[rid]}
    sample = {r["rule_id"]: r for r in first["results"]}["P-KEY"]["samples"][0]
    assert sample["fingerprint"] in prints(first)["P-KEY"]
    # the same key: the earlier result is a baseline that matches; every violation exists already
    code, base, _ = run_json(project, tmp_path / "d.json", "--baseline", str(tmp_path / "a.json"), key=KEY)
    assert code == 0
    assert {r["rule_id"]: r["baseline"]["new"] for r in base["results"] if r["violations"]} == {
        "P-KEY": 0, "P-AGG": 0, "P-PLAIN": 0, "schema:crm.complaints.contact_phone:pattern": 0}


def test_without_a_key_a_baseline_cannot_excuse_personal_checks(tmp_path):
    project = personal_key_project(tmp_path)
    run_json(project, tmp_path / "a.json", key=KEY)
    code, result, _ = run_json(project, tmp_path / "b.json", "--baseline", str(tmp_path / "a.json"))
    results = {r["rule_id"]: r for r in result["results"]}
    assert code == 1                                       # the personal checks fail as without a baseline
    assert results["P-KEY"]["baseline"] is None and results["P-AGG"]["baseline"] is None
    assert results["P-PLAIN"]["baseline"] == {"new": 0, "existing": 2, "fixed": 0}


def test_personal_record_keys_are_masked_in_samples_and_violations_out(tmp_path):
    project = personal_key_project(tmp_path)
    for extra, shown in (((), False), (("--show-pii",), True)):
        out = tmp_path / f"v{int(shown)}.csv"
        _, result, _ = run_json(project, tmp_path / "r.json", "--violations-out", str(out), *extra)
        rows = [r for r in out.read_text(encoding="utf-8").splitlines() if r.startswith('"P-KEY"')]
        keys = [s["key"]["contact_phone"] for r in result["results"] if r["rule_id"] == "P-KEY" for s in r["samples"]]
        assert len(rows) == 3 and len(keys) == 3
        assert all((PHONE in r) == shown for r in rows[:2]) and ("+88******4321" in rows[0]) != shown
        assert (PHONE in keys) == shown


# -- property: any expression over x-pii columns -------------------------------------------------------

ONE = ["lower({})", "upper({})", "trim({})", "ltrim(rtrim({}))", "substr({}, 1, 40)", "left({}, 40)",
       "concat({}, '-')", "concat('k:', {})", "coalesce({}, 'none')", "coalesce(NULL, {})", "({} || '')",
       "CAST({} AS VARCHAR)", "replace({}, 'qq', 'qq')", "CASE WHEN {} IS NULL THEN 'none' ELSE {} END",
       "CASE WHEN severity = 'high' THEN {} ELSE 'other' END", "nullif({}, 'zz')", "lpad({}, 30, '0')"]
TWO = ["concat({}, {})", "({} || '@' || {})", "coalesce({}, {})", "CASE WHEN severity = 'low' THEN {} ELSE {} END",
       "concat({}, '@', {})"]
ATOMS = st.sampled_from(["contact_phone", "cust.name", "cust.email", "complaint_id", "severity"])


def _wrap(inner):
    return st.one_of(
        st.tuples(st.sampled_from(ONE), inner).map(lambda t: t[0].replace("{}", t[1])),
        st.tuples(st.sampled_from(TWO), inner, inner).map(lambda t: t[0].format(t[1], t[2])))


EXPRESSIONS = st.recursive(ATOMS, _wrap, max_leaves=4)
PERSONAL = st.tuples(st.sampled_from(["contact_phone", "cust.name", "cust.email"]), EXPRESSIONS).map(
    lambda t: f"concat({t[0]}, {t[1]})")


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


# each example is a whole run of the checker: no shrinking (a failure is reported as generated, in seconds)
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(group=st.lists(st.one_of(PERSONAL, EXPRESSIONS), min_size=1, max_size=2, unique=True),
       failing=PERSONAL, show_pii=st.booleans())
# an e-mail's mask keeps its domain: a value joining one to a phone must not keep the phone as "domain"
@example(group=["concat(cust.email, contact_phone)", "cust.name"], failing="concat(cust.email, contact_phone)",
         show_pii=False)
def test_no_expression_over_personal_columns_shows_them(tmp_path_factory, group, failing, show_pii):
    root = tmp_path_factory.mktemp("prop")
    project = make_project(root, [
        ("G-1", JOIN + f"    group_by: {_yaml_list(group)}\n    expect: count(*) < 1", "Group {{ group }}"),
        ("E-1", JOIN + f"    expect: {json.dumps('CAST(' + failing + ' AS INTEGER) > 0')}", None)])
    out = root / "out"
    files = {f: out / f"r.{f}" for f in ("json", "md", "html", "sarif", "junit")}
    out.mkdir()
    args = project.args("--format", "github", "--violations-out", str(out / "v.csv"),
                        *[a for f, p in files.items() for a in (f"--{f}", str(p))],
                        *(["--show-pii"] if show_pii else []))
    code, stdout = invoke(args)
    assert code in (0, 1), stdout
    texts = {"stdout github": stdout, "violations-out": (out / "v.csv").read_text(encoding="utf-8"),
             **{f: p.read_text(encoding="utf-8") for f, p in files.items()}}
    result = json.loads(texts["json"])
    g1 = {r["rule_id"]: r for r in result["results"]}["G-1"]
    assert g1["status"] == "fail", g1
    error = {r["rule_id"]: r for r in result["results"]}["E-1"]["error"] or ""
    assert not [t for t in TELLS if t.lower() in error.lower()], error   # never, even with --show-pii
    if not show_pii:
        assert leaks(texts) == [], (group, failing)
    else:
        assert result["run"]["show_pii"] is True
        assert {tuple(s["key"].values()) for s in g1["samples"]} == _groups(group)


def _groups(group: list[str]) -> set[tuple]:
    """The group keys DuckDB computes for the same expressions over the same records, unmasked."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (complaint_id VARCHAR, customer_id VARCHAR, severity VARCHAR, contact_phone VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", COMPLAINT_ROWS)
    con.execute("CREATE TABLE cust (customer_id VARCHAR, name VARCHAR, email VARCHAR)")
    con.executemany("INSERT INTO cust VALUES (?, ?, ?)", CUSTOMER_ROWS)
    qualified = [re.sub(r"(?<![.\w'])(complaint_id|severity|contact_phone)\b", r"t.\1", g) for g in group]
    rows = con.execute(f"SELECT DISTINCT {', '.join(qualified)} FROM t LEFT JOIN cust "
                       f"ON cust.customer_id = t.customer_id").fetchall()
    return set(rows)


def test_an_engine_error_about_personal_data_keeps_only_its_kind(tmp_path):
    """A value used as a regular expression is quoted by the engine unquoted, after the error's description:
    no scrubbing can know its shape, so an error of a rule reading personal data shows only its kind."""
    schemas = Path(__file__).parent.parent / "cases" / "_shared" / "schemas"
    (tmp_path / "data" / "crm").mkdir(parents=True)
    (tmp_path / "data" / "crm" / "customers.csv").write_text(
        "customer_id,name,email,tier\nK1,(xiaoming wang,(xiaoming@example.com,gold\n", encoding="utf-8")
    (tmp_path / "data" / "crm" / "complaints.csv").write_text(
        "complaint_id,customer_id,severity,created_at,contact_phone\nC1,K1,high,2026-03-01 09:00:00,1\n",
        encoding="utf-8")
    rule = "  - id: {}\n    title: {{zh: a, en: a}}\n    clauses: [M1.1]\n    severity: high\n    dataset: {}\n"
    (tmp_path / "r.yaml").write_text(
        "ruleset: t.pii\nversion: 1.0.0\ntitle: {zh: 個資, en: pii}\neffective: {from: 2026-01-01}\nrules:\n"
        + rule.format("P1", "crm.customers") + "    expect: regexp_matches(tier, email)\n"
        + rule.format("P2", "crm.complaints") + JOIN + "    expect: regexp_full_match(severity, cust.name)\n",
        encoding="utf-8")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["check", "--data", str(tmp_path / "data"), "--rules", str(tmp_path / "r.yaml"),
                                    "--schemas", str(schemas), "--as-of", "2026-06-30", "--lang", "en",
                                    "--json", str(out), "--format", "github"])
    text = res.stdout + res.stderr + out.read_text(encoding="utf-8")
    assert "xiaoming" not in text
    errors = {r["rule_id"]: r["error"] for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    for rid in ("P1", "P2"):
        assert "Invalid Input Error (details withheld: the rule reads personal data)" in errors[rid]


@pytest.mark.parametrize("line, kept", [
    ("Invalid Input Error: missing ): (xiaoming@example.com", "Invalid Input Error: missing ): …"),
    ("Invalid Input Error: bad pattern: a|b(c", "Invalid Input Error: bad pattern: …"),
])
def test_scrub_drops_what_follows_a_description(line, kept):
    assert first_line(line) == kept
