"""The configuration file (checker.toml, [tool.checker] in pyproject.toml, --config) and `checker config`.

What a CI job relies on: `checker check` with no options runs the configured check; paths are relative to
the file wherever the job runs from; the command line beats the file, which beats the environment; a
profile changes only what it says; every mistake in the file is `path:line:col CODE` with a suggestion,
never a traceback; the editor schema accepts what the checker accepts.
"""

from __future__ import annotations

import json
import shutil
import string

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.cli_config import config_schema
from conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"

CONFIG = """\
# the quickstart's check, as a CI job runs it
data = "data"
rules = ["rules"]
schemas = "schemas"
as_of = 2026-06-30
fail_on = "high"

[outputs]
json = "out/result.json"
md = "out/report.md"

[profiles.lenient]
fail_on = "never"
max_samples = 1

[profiles.nightly]
outputs = {junit = "out/nightly.xml"}
"""


@pytest.fixture
def project(tmp_path):
    for part in ("data", "rules", "schemas"):
        shutil.copytree(QUICKSTART / part, tmp_path / part)
    (tmp_path / "checker.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_check_with_no_options_runs_the_configured_check(cli, project):
    run = cli("check", cwd=project)
    assert run.exit_code == 1, run.stderr                       # the quickstart has high-severity failures
    result = json.loads((project / "out" / "result.json").read_text(encoding="utf-8"))
    assert result["as_of"] == "2026-06-30" and result["summary"]["failed"] > 0
    assert (project / "out" / "report.md").read_text(encoding="utf-8").startswith("#")


def test_paths_are_relative_to_the_file_from_any_folder_below_it(cli, project):
    below = project / "data" / "crm"
    run = cli("check", cwd=below)
    assert run.exit_code == 1, run.stderr
    assert (project / "out" / "result.json").is_file() and not (below / "out").exists()


def test_the_command_line_beats_the_file_and_the_file_beats_the_environment(cli, project):
    assert cli("check", "--fail-on", "never", "-q", cwd=project).exit_code == 0
    text = CONFIG.replace('fail_on = "high"\n', 'fail_on = "high"\nlang = "zh"\n', 1)
    (project / "checker.toml").write_text(text, encoding="utf-8")
    zh = cli("check", cwd=project, env={"CHECKER_LANG": "en"})      # the file's zh beats CHECKER_LANG=en
    assert "投訴" in zh.stdout and "Complaint" not in zh.stdout
    en = cli("check", "--lang", "en", cwd=project)                  # and the command line beats the file
    assert "Complaint" in en.stdout


def test_a_profile_overrides_what_it_names_only(cli, project):
    run = cli("check", "--profile", "lenient", "--json", str(project / "l.json"), cwd=project)
    assert run.exit_code == 0, run.stderr
    result = json.loads((project / "l.json").read_text(encoding="utf-8"))
    assert result["as_of"] == "2026-06-30"                          # from the file, kept by the profile
    assert all(len(r["samples"]) <= 1 for r in result["results"])
    nightly = cli("check", "--profile", "nightly", "-q", cwd=project)
    assert nightly.exit_code == 1 and (project / "out" / "nightly.xml").is_file()


def test_pyproject_tool_table_in_a_parent_folder_and_checker_toml_first(cli, project):
    (project / "checker.toml").unlink()
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.checker]\n"
                                            + CONFIG.split("[outputs]")[0].replace("# the", "# (the"), "utf-8")
    (project / "sub").mkdir()
    run = cli("check", "--json", "r.json", cwd=project / "sub")
    assert run.exit_code == 1, run.stderr
    (project / "checker.toml").write_text(CONFIG.replace('fail_on = "high"', 'fail_on = "never"'), "utf-8")
    assert cli("check", "-q", cwd=project / "sub").exit_code == 0     # checker.toml before [tool.checker]


def test_rules_schemas_and_lang_apply_to_the_other_commands(cli, project):
    lint = cli("lint", cwd=project)
    assert lint.exit_code == 0 and "0 errors" in lint.stderr + lint.stdout
    explain = cli("explain", "QS-001", cwd=project)
    assert explain.exit_code == 0 and "crm.complaints" in explain.stdout, explain.stderr
    test = cli("test", cwd=project)
    assert test.exit_code == 0, test.stdout + test.stderr


@pytest.mark.parametrize("text, where, needle", [
    ('fail_onn = "low"\n', "checker.toml:1:1: C701", "did you mean 'fail_on'?"),
    ('data = "data"\n\n[outputs]\njsn = "r.json"\n', "checker.toml:4:1: C701", "did you mean 'json'?"),
    ('max_samples = "many"\n', "checker.toml:1:1: C702", "max_samples"),
    ('fail_on = ["low"]\nmax_samples = -1\n', "checker.toml:2:1: C702", "max_samples"),
    ('data = "data"\nrules = [\n', "checker.toml:2:", "C703"),
    ('[profiles]\nci = 3\n', "checker.toml:1:1: C702", "[profiles.NAME]"),
])
def test_every_mistake_is_positioned_with_a_suggestion(cli, tmp_path, text, where, needle):
    (tmp_path / "checker.toml").write_text(text, encoding="utf-8")
    run = cli("check", cwd=tmp_path)
    assert run.exit_code == 2
    assert where in run.stderr and needle in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_an_unknown_profile_is_refused_with_the_known_ones(cli, project):
    run = cli("check", "--profile", "lenien", cwd=project)
    assert run.exit_code == 2 and "C701" in run.stderr and "did you mean 'lenient'?" in run.stderr
    bare = cli("check", "--profile", "ci", "--data", "data", cwd=project / "data")
    assert bare.exit_code == 2 and "C701" in bare.stderr


def test_no_file_anywhere_means_no_defaults(cli, tmp_path):
    run = cli("check", cwd=tmp_path)
    assert run.exit_code == 2 and "--data" in run.stderr


def test_checker_config_says_where_each_setting_comes_from(cli, project):
    run = cli("config", "--profile", "lenient", "--format", "json", cwd=project)
    assert run.exit_code == 0, run.stderr
    shown = {s["key"]: s for s in json.loads(run.stdout)["settings"]}
    assert shown["fail_on"]["value"] == "never" and "(profile lenient)" in shown["fail_on"]["origin"]
    assert shown["data"]["value"] == "data" and shown["data"]["origin"].endswith("checker.toml:2:1")
    assert shown["engine"]["origin"] == "default"
    env = cli("config", cwd=project, env={"CHECKER_ENGINE": "duckdb"})
    assert "environment CHECKER_ENGINE" in env.stdout


def test_the_editor_schema_is_committed_and_agrees_with_the_checker(project):
    schema = config_schema(main.commands["check"])
    on_disk = json.loads((ROOT / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert on_disk == schema, "schemas/config.schema.json is stale: run `python -m checker.cli_config`"
    import tomllib

    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    data = tomllib.loads(CONFIG)
    data["as_of"] = data["as_of"].isoformat()                      # a TOML date, as taplo shows it
    assert not list(validator.iter_errors(data))
    assert list(validator.iter_errors({"fail_onn": "low"}))
    assert list(validator.iter_errors({"profiles": {"ci": {"max_samples": "many"}}}))


KEY = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)
VALUE = st.one_of(st.integers(-5, 10**6), st.booleans(), st.text(max_size=12).map(json.dumps),
                  st.lists(st.text(max_size=5).map(json.dumps), max_size=3).map(lambda v: "[" + ", ".join(v) + "]"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(KEY, VALUE), max_size=6), st.booleans())
def test_any_file_is_a_run_or_a_positioned_problem_never_a_traceback(cli, tmp_path_factory, pairs, in_profile):
    folder = tmp_path_factory.mktemp("config")
    body = "".join(f"{k} = {v}\n" for k, v in dict(pairs).items())
    text = ("[profiles.p]\n" + body) if in_profile else body
    (folder / "checker.toml").write_text(text, encoding="utf-8")
    args = ["config", "--profile", "p"] if in_profile else ["config"]
    run = cli(*args, cwd=folder)
    assert run.exit_code in (0, 2), run.stderr
    if run.exit_code == 2:
        assert "checker.toml:" in run.stderr and "Traceback" not in run.stderr
        assert any(code in run.stderr for code in ("C701", "C702", "C703")), run.stderr
