"""Regressions found in review: each record judged once, groups judged whole, one failing rule never stops a run."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

from conftest import ROOT

QS = ROOT / "examples" / "quickstart"


def _rules(folder: Path, *versions: tuple[str, str, str]) -> Path:
    """versions: (version, effective, rules yaml)"""
    folder.mkdir(parents=True, exist_ok=True)
    for version, effective, rules in versions:
        (folder / f"v{version}.yaml").write_text(textwrap.dedent(f"""\
            ruleset: cases.robust
            version: {version}
            title: {{zh: 測試, en: Test}}
            effective: {effective}
            params: {{p: 1, big: .inf}}
            rules:
            """) + textwrap.indent(textwrap.dedent(rules), "  "), encoding="utf-8")
    return folder


def _rule(rule_id: str, body: str, dataset: str = "crm.complaints") -> str:
    return (f"- id: {rule_id}\n  title: {{zh: 測試, en: Test}}\n  clauses: [M1.1]\n  severity: high\n"
            f"  dataset: {dataset}\n" + textwrap.indent(textwrap.dedent(body), "  "))


def _check(cli, tmp_path, rules: Path, *extra: str) -> dict:
    out = tmp_path / "r.json"
    cli("check", "--data", str(QS / "data"), "--rules", str(rules), "--schemas", str(QS / "schemas"),
        "--as-of", "2026-06-30", "--json", str(out), *extra)
    return {r["rule_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))["results"]}


def test_overlapping_versions_judge_each_record_once(cli, tmp_path):
    body = _rule("X-1", "expect: severity <> 'high'\n")
    rules = _rules(tmp_path / "rules", ("1.0.0", "{from: 2025-01-01}", body), ("2.0.0", "{from: 2026-01-01}", body))
    got = _check(cli, tmp_path, rules)["X-1"]
    assert got["violations"] == 3 and [s["row"] for s in got["samples"]] == [1, 2, 8]
    assert sum(v["checked"] for v in got["versions"]) == got["checked"] == 7      # row 7 has no valid date


def test_uniqueness_and_groups_are_judged_across_version_boundaries(cli, tmp_path):
    body = _rule("U-1", "unique: [complaint_id]\n") + _rule("A-1", "group_by: [customer_id]\nexpect: count(*) = 1\n")
    rules = _rules(tmp_path / "rules", ("1.0.0", "{from: 2025-01-01, to: 2026-03-04}", body),
                   ("2.0.0", "{from: 2026-03-05}", body))
    got = _check(cli, tmp_path, rules)
    assert [s["row"] for s in got["U-1"]["samples"]] == [4, 5]           # rows dated either side of the boundary
    assert got["A-1"]["checked"] == 4                                    # four customers, each one group


def test_a_rule_whose_sql_fails_on_the_data_errors_alone(cli, tmp_path):
    body = _rule("E-1", "expect: complaint_id IN :p\n") + _rule("E-2", "expect: severity <> 'high'\n")
    rules = _rules(tmp_path / "rules", ("1.0.0", "{from: 2020-01-01}", body))
    got = _check(cli, tmp_path, rules)
    assert got["E-1"]["status"] == "error" and "Could not convert string" in got["E-1"]["error"]
    assert got["E-2"]["status"] == "fail" and got["E-2"]["violations"] == 3


def test_non_finite_params_are_typed_literals(cli, tmp_path):
    rules = _rules(tmp_path / "rules", ("1.0.0", "{from: 2020-01-01}", _rule("I-1", "expect: 1 < :big\n")))
    assert _check(cli, tmp_path, rules)["I-1"]["status"] == "pass"


def test_waiver_keys_compare_as_text_for_text_columns_and_see_as_of(cli, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(textwrap.dedent("""\
        - {rule: QS-001, keys: [{handler_id: 12}], reason: r, approved_by: a, expires: 2026-12-31}
        - {rule: QS-002, where: "created_at < :as_of", reason: r, approved_by: a, expires: 2026-12-31}
        """), encoding="utf-8")
    got = _check(cli, tmp_path, QS / "rules", "--waivers", str(waivers))
    assert got["QS-001"]["status"] == "fail"                    # no crash; 12 matches no 'E0x' handler
    assert got["QS-002"]["waived"] == 2 and got["QS-002"]["violations"] == 0


def test_engine_column_names_are_refused_in_schemas(cli, tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(QS / "schemas", schemas)
    path = schemas / "crm" / "customers.schema.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["properties"]["__bad_1"] = {"type": "string"}
    path.write_text(json.dumps(data), encoding="utf-8")
    run = cli("lint", str(QS / "rules"), "--schemas", str(schemas))
    assert "S303 column name '__bad_1' is reserved for the engine's own columns" in run.stdout


def test_a_waived_group_names_the_waiver_that_covers_it(cli, tmp_path):
    rules = _rules(tmp_path / "rules", ("1.0.0", "{from: 2020-01-01}",
                                        _rule("G-1", "group_by: [customer_id]\nexpect: count(*) = 1\n")))
    waivers = tmp_path / "w.yaml"
    waivers.write_text(textwrap.dedent("""\
        - {id: W-K3, rule: G-1, keys: [{customer_id: K003}], reason: r, approved_by: a, expires: 2026-12-31}
        - {id: W-K1, rule: G-1, where: "customer_id = 'K001'", reason: r, approved_by: a, expires: 2026-12-31}
        """), encoding="utf-8")
    got = _check(cli, tmp_path, rules, "--waivers", str(waivers))["G-1"]
    assert {s["key"]["customer_id"]: s["waiver"] for s in got["waived_samples"]} == {"K001": "W-K1", "K003": "W-K3"}


def test_a_join_whose_sql_fails_on_the_data_errors_alone(cli, tmp_path):
    """The many-to-one check of a join runs first; when its SQL fails on the data the rule errors, the run goes on."""
    body = (_rule("J-1", 'join: [{dataset: crm.complaints, as: c2, on: "CAST(c2.complaint_id AS INTEGER) = 1"}]\n'
                         "expect: c2.complaint_id IS NULL\n")
            + _rule("E-2", "expect: severity <> 'high'\n"))
    rules = _rules(tmp_path / "rules", ("1.0.0", "{from: 2020-01-01}", body))
    got = _check(cli, tmp_path, rules)
    assert got["J-1"]["status"] == "error" and "Could not convert string" in got["J-1"]["error"]
    assert got["E-2"]["status"] == "fail" and got["E-2"]["violations"] == 3


def test_many_to_one_is_judged_on_the_records_that_meet_duplicates(cli, tmp_path):
    """A joined side with duplicate keys errors only the rules whose records meet them; the check runs once per join."""
    self_join = 'join: [{dataset: crm.complaints, as: c2, on: "c2.complaint_id = complaint_id"}]\n'
    unmatched = 'join: [{dataset: crm.complaints, as: c2, on: "c2.complaint_id = customer_id"}]\n'
    body = (_rule("J-1", self_join + "expect: c2.severity IS NOT NULL\n")
            + _rule("J-2", self_join + "expect: c2.severity IS NOT NULL\n")
            + _rule("J-3", unmatched + "expect: c2.complaint_id IS NULL\n"))
    got = _check(cli, tmp_path, _rules(tmp_path / "rules", ("1.0.0", "{from: 2020-01-01}", body)))
    for rule_id in ("J-1", "J-2"):  # C000004 is rows 4 and 5: each meets two records
        assert got[rule_id]["status"] == "error"
        assert "2 records of crm.complaints meet more than one crm.complaints record (first at row 4)" \
            in got[rule_id]["error"]
    assert got["J-3"]["status"] == "pass" and got["J-3"]["checked"] == 7   # duplicates exist, but no record meets one


def test_join_keys_are_read_from_column_equalities_only():
    import sqlglot

    from checker.compile.kinds.join import JoinSpec, equi_keys

    def keys(on: str):
        return equi_keys(JoinSpec("c", "j_c", "crm.customers", sqlglot.parse_one(on, read="duckdb")), "t")

    assert keys("j_c.id = t.customer_id") == [("id", "customer_id")]
    assert keys("t.a = j_c.b AND j_c.c = t.d") == [("b", "a"), ("c", "d")]
    assert keys("j_c.id = t.customer_id OR j_c.id = t.other") is None
    assert keys("lower(j_c.id) = t.customer_id") is None
    assert keys("j_c.id = t.customer_id AND j_c.active") is None
    assert keys("j_c.id = j_c.other") is None


def test_rules_joining_the_same_partner_share_one_join_and_keep_their_answers(cli, tmp_path):
    """Two aliases for one join are joined once in the scan; a join on another condition stays its own."""
    cust = 'join: [{dataset: crm.customers, as: %s, on: "%s.customer_id = customer_id"}]\n'
    body = (_rule("S-1", cust % ("c", "c") + "expect: c.customer_id IS NOT NULL\n")          # K009 has no customer
            + _rule("S-2", cust % ("who", "who") + "expect: who.tier <> 'vip'\n")  # K003 is vip (5, 8); 4 is NULL
            + _rule("S-3", 'join: [{dataset: crm.customers, as: c, on: "c.customer_id = handler_id"}]\n'
                           "expect: c.customer_id IS NULL\n"))
    got = _check(cli, tmp_path, _rules(tmp_path / "rules", ("1.0.0", "{from: 2020-01-01}", body)))
    assert (got["S-1"]["violations"], [s["row"] for s in got["S-1"]["samples"]]) == (1, [4])
    assert (got["S-2"]["violations"], [s["row"] for s in got["S-2"]["samples"]]) == (3, [4, 5, 8])
    assert got["S-3"]["status"] == "pass"


def test_a_scan_joins_each_distinct_partner_once():
    import sqlglot

    from checker.compile.kinds.join import JoinSpec
    from checker.compile.plan import fused_scan, row_check

    def check(n, alias, on, shared):
        spec = JoinSpec(alias, f"j_{alias}", "crm.customers", sqlglot.parse_one(on % f"j_{alias}", read="duckdb"))
        rule = type("R", (), {"joins": [spec], "where": None, "id": f"R-{n}", "kind": "row",
                              "expect": sqlglot.parse_one(f"j_{alias}.tier IS NOT NULL", read="duckdb")})
        return row_check(rule, n, [], shared)

    shared: dict = {}
    checks = [check(0, "c", "%s.customer_id = t.customer_id", shared),
              check(1, "who", "%s.customer_id = t.customer_id", shared),
              check(2, "c", "%s.customer_id = t.handler_id", shared)]
    sql = fused_scan("ds_1", checks, 5, lambda ds: "ds_2")
    assert sql.count("LEFT JOIN") == 2
    assert checks[0].joins[0].sql_alias == checks[1].joins[0].sql_alias != checks[2].joins[0].sql_alias


def test_a_structural_check_can_be_waived_like_a_rule(cli, tmp_path):
    """A waiver may name a schema check: its violations count as waived, its samples name the waiver,
    and a mistyped check id is refused at its line with the nearest id."""
    waivers = tmp_path / "w.yaml"
    waivers.write_text(textwrap.dedent("""\
        - {id: W-PH, rule: "schema:crm.complaints.contact_phone:pattern", keys: [{complaint_id: C000004}],
           reason: 舊系統格式 / legacy format, approved_by: a, expires: 2026-12-31}
        - {id: W-CH, rule: "schema:crm.complaints.channel:enum", where: "channel = 'fax'",
           reason: r, approved_by: a, expires: 2026-12-31}
        - {id: W-SV, rule: "schema:crm.complaints.severity:enum", where: "severity = 'none'",
           reason: r, approved_by: a, expires: 2026-12-31}
        """), encoding="utf-8")
    plain = _check(cli, tmp_path, QS / "rules")
    got = _check(cli, tmp_path, QS / "rules", "--waivers", str(waivers))
    phone = got["schema:crm.complaints.contact_phone:pattern"]
    assert plain["schema:crm.complaints.contact_phone:pattern"]["violations"] == 1
    assert phone["violations"] == 0 and phone["waived"] == 1 and phone["status"] == "pass"
    assert [(s["row"], s["line"], s["waiver"]) for s in phone["waived_samples"]] == [(4, 5, "W-PH")]
    assert phone["fingerprints"] == []                                   # a waived record is no baseline entry
    channel = got["schema:crm.complaints.channel:enum"]                  # row 6's channel is 'fax'
    assert [s["waiver"] for s in channel["waived_samples"]] == ["W-CH"] and channel["violations"] == 0
    assert got["schema:crm.complaints.severity:enum"] == plain["schema:crm.complaints.severity:enum"]
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    uses = {w["id"]: w for w in result["waivers"]}
    assert uses["W-PH"]["matched"] == 1 and uses["W-SV"]["matched"] == 0
    assert result["summary"]["waived"] == 2
    assert any(w["code"] == "W504" and "W-SV" in w["message"] for w in result["warnings"])

    waivers.write_text('- {rule: "schema:crm.complaints.contact_phone:patern", keys: [{complaint_id: C1}], '
                       "reason: r, approved_by: a, expires: 2026-12-31}\n", encoding="utf-8")
    run = cli("check", "--data", str(QS / "data"), "--rules", str(QS / "rules"), "--schemas", str(QS / "schemas"),
              "--waivers", str(waivers))
    assert run.exit_code == 2 and f"{waivers}:1:" in run.stderr and "R104" in run.stderr
    assert "schema:crm.complaints.contact_phone:pattern" in run.stderr          # the suggestion
