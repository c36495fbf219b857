"""The command line: click parses, calls one function, and exits with its ExitCode.

No command prints a traceback: a CheckerError becomes one paragraph per problem on
standard error and exit status 2; anything unexpected becomes one paragraph too
(set CHECKER_DEBUG=1 to see the traceback).  Problems can quote record text (a header
name, a value): each is printed on one line made inert (:func:`checker.render.inert.inert`).

Every path a command writes is checked before any work (:mod:`checker.render.output`):
an empty path, a folder, a path below a file or in a read-only folder is a coded problem
(T503 for files, D401 for the folders of ``sample`` and ``demo``) and exit status 2.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path

import click

from checker import __version__, codes
from checker.cli_config import LANG_VARIABLE, FromConfig, complete_rule_ids, configured, describe
from checker.engine.registry import DEFAULT as DEFAULT_ENGINE
from checker.engine.registry import ENGINES
from checker.exit_codes import ExitCode
from checker.i18n import DEFAULT, LANGS, _, ntr, tr, use
from checker.problems import CheckerError, Problem, Span
from checker.render.inert import inert, inert_json

DATE = click.DateTime(formats=["%Y-%m-%d"])
SEVERITY_CHOICES = ["info", "low", "medium", "high", "critical", "never"]
STDOUT_FORMATS = ["text", "json", "md", "github"]
REPORT_FILES = {"html": "HTML auditor report", "md": "Markdown summary", "junit": "JUnit XML",
                "sarif": "SARIF 2.1.0", "pdf": "PDF of the HTML report (needs chromium)"}
# Output paths stay text until checker.render.output checks them (as Path, "" would become ".").
OUT_PATH = click.Path(path_type=str)


def lang_option(help_text: str = "Language of messages and reports.", default: bool = True):
    """--lang zh|en (default: $CHECKER_LANG, else zh), on every command that prints messages."""
    if not default:     # `report`: the run's own language unless asked (the variable is for messages)
        return click.option("--lang", type=click.Choice(list(LANGS)), help=help_text)
    return click.option("--lang", type=click.Choice(list(LANGS)), envvar=LANG_VARIABLE, default=DEFAULT,
                        show_default=True, help=help_text, cls=FromConfig)


def _lang_of(kwargs: dict) -> str:
    lang = kwargs.get("lang") or os.environ.get(LANG_VARIABLE)
    return lang if lang in LANGS else DEFAULT


def report_options(fn):
    """--html/--md/--junit/--sarif/--pdf PATH and --templates DIR, shared by `check` and `report`."""
    fn = click.option("--templates", type=click.Path(path_type=Path, exists=True, file_okay=False),
                      help="Folder overriding the report templates (laid out like reports/).")(fn)
    for fmt, what in reversed(REPORT_FILES.items()):
        fn = click.option(f"--{fmt}", f"{fmt}_path", type=OUT_PATH, help=f"Write the {what} here.")(fn)
    return fn


def _report_paths(options: dict) -> dict[str, Path | None]:
    """The report files asked for, each path checked (T503) before anything is run."""
    from checker.render.output import output_file

    paths = {fmt: output_file(options.get(f"{fmt}_path"), f"{fmt} report") for fmt in REPORT_FILES}
    if paths["pdf"] is not None:
        from checker.render import pdf_available

        if not pdf_available():
            raise click.UsageError(tr("--pdf prints the HTML report with Debian's chromium, which is not on PATH; "
                                      "install it (apt-get install chromium) or write --html and print that"))
    return paths


def _distinct(paths: dict[str, Path | None]) -> None:
    """Refuse one file given to two options (the second would overwrite the first); devices may repeat."""
    from checker.render.output import special

    seen: dict[str, str] = {}
    for option, path in paths.items():
        if path is None or special(path):
            continue
        where = os.path.realpath(path)
        if where in seen:
            raise CheckerError([Problem(Span(str(path)), codes.T503,
                                        _("cannot write --{option}: --{other} writes the same file", option=option,
                                          other=seen[where]), hint=_("give each output its own path"))])
        seen[where] = option


def _violations_path(raw: str | None) -> Path | None:
    """--violations-out checked now: a regular file ending in .csv or .parquet."""
    from checker.render.output import output_file

    path = output_file(raw, "violations file")
    if path is None:
        return None
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise CheckerError([Problem(Span(str(path)), codes.T503,
                                    _("cannot write the violations file: it must end in .csv or .parquet"))])
    if path.exists() and not path.is_file():
        raise CheckerError([Problem(Span(str(path)), codes.T503,
                                    _("cannot write the violations file: it is not a regular file"),
                                    hint=_("give the path of a .csv or .parquet file"))])
    return path


def _emit(result, fmt: str, lang: str, templates: Path | None, quiet: bool) -> None:
    """Standard output: the result file, a rendered format, or the terminal summary."""
    from checker import render
    from checker.render import text
    if fmt == "json":
        click.echo(inert_json(result.to_json()), nl=False)
    elif fmt in ("md", "github"):
        click.echo(render.render(result, fmt, lang, templates), nl=False)
    elif not quiet:
        click.echo(text.render(result, lang, colour=text.use_colour()), nl=False)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def guarded(fn):
    """Turn CheckerError and unexpected errors into a clean message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with use(_lang_of(kwargs)):
            _run(fn, args, kwargs)

    return wrapper


def _run(fn, args, kwargs) -> None:
    """The command, its problems printed (in the active language) and its exit code."""
    try:
        code = fn(*args, **kwargs)
    except CheckerError as err:
        for problem in err.problems:
            click.echo(inert(problem.render()), err=True)
        sys.exit(int(ExitCode.USAGE))
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except KeyboardInterrupt:
        click.echo(tr("interrupted"), err=True)
        sys.exit(int(ExitCode.USAGE))
    except Exception as err:  # never a traceback for users
        if os.environ.get("CHECKER_DEBUG"):
            raise
        click.echo(inert(tr("checker: internal error: {kind}: {error}. This is a bug; run again with "
                            "CHECKER_DEBUG=1 to see where it happened.", kind=type(err).__name__, error=err)),
                   err=True)
        sys.exit(int(ExitCode.USAGE))
    sys.exit(int(code))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="checker")
def main() -> None:
    """Check exported CRM, budget and appraisal records against versioned YAML rules."""


@main.command()
@click.option("--data", "data", required=True, type=click.Path(path_type=Path),
              help="Folder of exports, each DOMAIN/NAME.EXT (EXT one of csv, jsonl, json, parquet, xlsx), "
                   "and an optional datasets.yaml.")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
              help="Rule file or folder (repeatable); replaces the bundled rules.")
@click.option("--schemas", type=click.Path(path_type=Path), help="Dataset schema folder; replaces the bundled one.")
@click.option("--as-of", type=DATE, help="Evaluation date (default: today).")
@click.option("--rules-at", type=DATE, help="Judge every record by the rule versions in force on this date.")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="low", show_default=True,
              help="Lowest severity whose failure fails the run (info never fails).")
@click.option("--format", "fmt", type=click.Choice(STDOUT_FORMATS), default="text", show_default=True,
              help="What goes to standard output.")
@click.option("--json", "json_path", type=OUT_PATH, help="Write the result file here.")
@report_options
@click.option("--violations-out", type=OUT_PATH, help="Write every violation here (.csv or .parquet).")
@click.option("--max-samples", type=click.IntRange(0, 10_000), default=20, show_default=True,
              help="Violations kept per rule in the result.")
@lang_option()
@click.option("--show-pii", is_flag=True, help="Show personal data unmasked.")
@click.option("--waivers", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="YAML list of approved waivers (rule, where or keys, reason, approved_by, expires).")
@click.option("--waiver-warn-days", type=click.IntRange(0, 3650), default=30, show_default=True,
              help="Warn (W505) about waivers that expire within this many days of --as-of.")
@click.option("--baseline", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="An earlier result file: only violations not in it fail the run.")
@click.option("--allow-missing", is_flag=True, help="Skip rules whose dataset has no export instead of failing.")
@click.option("--history", "history", metavar="STORE", type=click.Path(path_type=str),
              help="Append the run to this history store: a DuckDB file (created if new) or postgresql://…; "
                   "the reports then show each rule's trend.")
@click.option("--memory-limit", cls=FromConfig, envvar="CHECKER_MEMORY_LIMIT", default="1GB", show_default=True,
              help="Memory DuckDB may use before it spills to disk (env CHECKER_MEMORY_LIMIT); "
                   "with --engine spark, the driver's memory.")
@click.option("--spill-dir", type=click.Path(path_type=Path, file_okay=False), cls=FromConfig,
              envvar="CHECKER_SPILL_DIR",
              help="Where DuckDB spills (default: a temporary folder, removed afterwards); Spark: spark.local.dir.")
@click.option("--threads", type=click.IntRange(1, 256), help="DuckDB threads (Spark: local[N] when no master).")
@click.option("--engine", type=click.Choice(list(ENGINES)), cls=FromConfig, envvar="CHECKER_ENGINE",
              default=DEFAULT_ENGINE,
              show_default=True, help="DuckDB in-process, or Apache Spark (pip install '.[spark]').")
@click.option("--spark-master", cls=FromConfig, envvar="CHECKER_SPARK_MASTER",
              help="Spark master URL for --engine spark (default local[*]), e.g. spark://host:7077 or yarn.")
@click.option("--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
              help="A Spark setting for --engine spark (repeatable), e.g. spark.executor.memory=8g.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on standard output (result files are still written).")
@configured
@guarded
def check(data, rules, schemas, as_of, rules_at, fail_on, fmt, json_path, violations_out, max_samples, lang,
          show_pii, waivers, waiver_warn_days, baseline, allow_missing, history, memory_limit, spill_dir, threads,
          engine, spark_master, spark_conf, quiet, templates, **report_files) -> ExitCode:
    """Check the exports in --data against the rules."""
    from checker import render
    from checker.render.output import output_file, write_file
    from checker.run import CheckOptions, result_file_bytes
    from checker.run import check as run_check

    json_path = output_file(json_path, "result file")
    violations_out = _violations_path(violations_out)
    reports = _report_paths(report_files)
    _distinct({"json": json_path, "violations-out": violations_out, **reports})
    conf = {}
    for item in spark_conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(tr("'{item}' is not KEY=VALUE", item=item), param_hint="--spark-conf")
        conf[key.strip()] = value
    opts = CheckOptions(data=data, rules=list(rules), schemas=schemas, as_of=_date(as_of) or dt.date.today(),
                        rules_at=_date(rules_at), fail_on=fail_on, max_samples=max_samples, lang=lang,
                        show_pii=show_pii, violations_out=violations_out, allow_missing=allow_missing,
                        waivers=waivers, waiver_warn_days=waiver_warn_days, baseline=baseline,
                        memory_limit=memory_limit, spill_dir=spill_dir, threads=threads, engine=engine,
                        spark_master=spark_master, spark_conf=conf, history=history)
    from checker.progress import for_terminal

    result = run_check(opts, progress=for_terminal(quiet or fmt != "text"))
    if json_path:  # the same JSON document, with DEL, C1 and bidirectional controls as \u escapes
        write_file(json_path, result_file_bytes(result), "result file")
    render.write_all(result, reports, lang, templates)
    _emit(result, fmt, lang, templates, quiet)
    return ExitCode(result.exit_code)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--schemas", type=click.Path(path_type=Path), help="Dataset schema folder (default: bundled).")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="Also refuse what the named engine cannot run with the same meaning (spark: X207).")
@lang_option("Language of the problems.")
@configured
@guarded
def lint(paths, schemas, engine, lang) -> ExitCode:
    """Check rule files and dataset schemas; print each problem as path:line:col: CODE message."""
    from checker.lint import lint as run_lint
    problems = run_lint(list(paths), schemas, engine)
    for p in problems:
        click.echo(inert(p.render()))
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(tr("{errors}, {warnings}", errors=ntr("{n} error", "{n} errors", errors, n=errors),
                  warnings=ntr("{n} warning", "{n} warnings", warnings, n=warnings)), err=True)
    return ExitCode.FINDINGS if errors else ExitCode.OK


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--schemas", type=click.Path(path_type=Path), help="Dataset schema folder (default: bundled).")
@click.option("--as-of", type=DATE,
              help="The fixed clock for time-relative rules (default: each example set's as_of, else today).")
@lang_option("Language of the problems.")
@configured
@guarded
def test_command(paths, schemas, as_of, lang) -> ExitCode:
    """Run every rule's pass and fail examples on the real engine."""
    from checker.testing import run_examples

    report = run_examples(list(paths), schemas, _date(as_of))
    for p in report.problems:
        click.echo(inert(p.render()))
    # a rule that does not load or compile is not a failed example: exit 2, and the summary says so
    broken = [p for p in report.problems if p.level == "error" and not p.code.startswith("T6")]
    summary = tr("{passed} passed, {failed} failed", passed=report.passed, failed=report.failed)
    if broken:
        summary += ntr("; {n} problem kept rules from running (see above)",
                       "; {n} problems kept rules from running (see above)", len(broken), n=len(broken))
    click.echo(summary, err=False)
    if broken:
        return ExitCode.USAGE
    return ExitCode.FINDINGS if report.failed or any(p.level == "error" for p in report.problems) else ExitCode.OK


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--data", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Run both rule trees on these exports and show the impact.")
@click.option("--schemas", type=click.Path(path_type=Path), help="Dataset schema folder (default: bundled).")
@click.option("--as-of", type=DATE, help="Evaluation date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@lang_option()
@configured
@guarded
def diff(old, new, data, schemas, as_of, fmt, lang) -> ExitCode:
    """What changed between two rule trees (folders, files or git:REV) and, with --data, its impact."""
    import json as _json

    from checker import diff
    from checker.render.diff import render_md, render_text

    day = _date(as_of) or dt.date.today()
    a, b = diff.Tree(old), diff.Tree(new)
    try:
        result = diff.compare(a, b, day)
        if data is not None:
            diff.impact(result, a, b, data, schemas, day)
    finally:
        a.close()
        b.close()
    if fmt == "json":
        click.echo(inert_json(_json.dumps(result.to_dict(), ensure_ascii=False, indent=2)))
    elif fmt == "md":
        click.echo(render_md(result), nl=False)
    else:
        click.echo(render_text(result), nl=False)
    return ExitCode.OK


@main.command()
@click.argument("rule_id", required=False, shell_complete=complete_rule_ids)
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path), help="Rule file or folder.")
@click.option("--schemas", type=click.Path(path_type=Path), help="Dataset schema folder.")
@click.option("--as-of", type=DATE, help="Date whose parameters are bound (default: today).")
@click.option("--functions", is_flag=True, help="List the SQL functions rule expressions may use.")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="Also show the SQL as this engine runs it, or why it refuses the rule.")
@lang_option()
@configured
@guarded
def explain(rule_id, rules, schemas, as_of, functions, engine, lang) -> ExitCode:
    """Show a rule: its clauses, versions and the SQL it compiles to."""
    from checker.explain import explain as run_explain
    from checker.explain import functions_text

    if functions:
        click.echo(functions_text())
        return ExitCode.OK
    if not rule_id:
        raise click.UsageError(tr("give a RULE_ID (or --functions)"))
    click.echo(inert(run_explain(rule_id, list(rules), schemas, _date(as_of) or dt.date.today(), engine),
                     multiline=True))
    return ExitCode.OK


@main.command()
@click.argument("result_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(STDOUT_FORMATS), default="text", show_default=True,
              help="What goes to standard output.")
@report_options
@lang_option("Language of the reports (default: the run's).", default=False)
@click.option("-q", "--quiet", is_flag=True, help="No summary on standard output (report files are still written).")
@guarded
def report(result_file, fmt, lang, quiet, templates, **report_files) -> ExitCode:
    """Render a saved result file (check --json) again, in any format, without the data."""
    from checker import render

    reports = _report_paths(report_files)
    _distinct(reports)
    result = render.load_result(result_file)
    lang = lang or result.run.lang
    render.write_all(result, reports, lang, templates)
    asked = click.get_current_context().get_parameter_source("fmt") != click.core.ParameterSource.DEFAULT
    if any(reports.values()) and not asked:       # files were what was asked for: one line says what they hold
        if not quiet:
            from checker.render import text

            click.echo(text.summary_line(result, colour=text.use_colour(), lang=lang))
        return ExitCode.OK
    _emit(result, fmt, lang, templates, quiet)
    return ExitCode.OK


@main.command()
@click.option("--out", "out", required=True, type=OUT_PATH,
              help="Folder to write the exports, datasets.yaml and expected.json into.")
@click.option("--rows", type=click.IntRange(1_000, 100_000_000), default=20_000, show_default=True,
              help="Complaints and interactions to make (customers, feedback and access log grow with it).")
@click.option("--seed", type=int, default=7, show_default=True, help="The same seed gives identical files.")
@lang_option()
@guarded
def sample(out, rows, seed, lang) -> ExitCode:
    """Write realistic exports of every dataset, with known violations of every bundled rule."""
    from checker.render.output import output_folder, write_failed
    from checker.sample import generate

    out = output_folder(out, "sample data")
    try:
        summary = generate(out, rows=rows, seed=seed).summary()
    except OSError as err:
        raise write_failed(err, out, "sample data", codes.D401) from None
    click.echo(summary)
    return ExitCode.OK


@main.command()
@click.option("--out", "out", type=OUT_PATH, default="checker-demo", show_default=True,
              help="Folder for the sample data, the result and the reports.")
@click.option("--rows", type=click.IntRange(1_000, 100_000_000), default=20_000, show_default=True,
              help="Size of the sample (complaints and interactions).")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--as-of", type=DATE, help="Evaluation date (default: 2026-06-30, the sample's own date).")
@lang_option()
@guarded
def demo(out, rows, seed, as_of, lang) -> ExitCode:
    """Sample data, a check against the bundled rules, and every report, in one go."""
    from checker.demo import demo as run_demo
    from checker.render.output import output_folder, write_failed
    from checker.sample.world import AS_OF

    out = output_folder(out, "demo folder")
    try:
        summary = run_demo(out, rows=rows, seed=seed, as_of=_date(as_of) or AS_OF, lang=lang).summary
    except OSError as err:
        raise write_failed(err, out, "demo folder", codes.D401) from None
    click.echo(summary)
    return ExitCode.OK


@main.command()
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Rule files or folders holding the catalog and rules (default: bundled).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@lang_option("Language of the clause titles and labels.")
@configured
@guarded
def coverage(rules, fmt, lang) -> ExitCode:
    """Each clause of the regulation catalog with the rules and manual controls that cover it."""
    from checker.coverage import coverage as run_coverage
    from checker.coverage import render

    cov = run_coverage(list(rules))
    click.echo(inert(render(cov, fmt, lang), multiline=True) if fmt != "json" else render(cov, fmt, lang), nl=False)
    return ExitCode.FINDINGS if cov.uncovered else ExitCode.OK


@main.command("verify")
@click.argument("result_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--data", type=click.Path(path_type=Path), help="The exports (default: the folder the result records).")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path),
              help="Rule file or folder (default: the files the result records).")
@click.option("--schemas", type=click.Path(path_type=Path), help="Schema folder (default: the recorded one).")
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False),
              help="Waiver file (default: the recorded one).")
@lang_option()
@guarded
def verify_command(result_file, data, rules, schemas, waivers, lang) -> ExitCode:
    """Run a result file again: exit 0 when it is reproduced exactly (timing aside), 1 with each difference."""
    from checker.verify import verify

    if not result_file.is_file():
        raise CheckerError([Problem(Span(str(result_file)), codes.T502, _("result file not found"))])
    verdict = verify(result_file, data, list(rules), schemas, waivers)
    if verdict.reproduced:
        click.echo(tr("reproduced: {path}", path=str(result_file)))
        return ExitCode.OK
    click.echo(inert(tr("not reproduced: {path} ({n} differences)", path=str(result_file),
                        n=len(verdict.differences))))
    for difference in verdict.differences:
        click.echo("  " + inert(difference.render(lang) if hasattr(difference, "render") else str(difference)))
    return ExitCode.FINDINGS


@main.command("waivers")
@click.argument("waivers", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--as-of", type=DATE, help="The day statuses are judged on (default: today).")
@click.option("--within", type=click.IntRange(0, 3650), default=30, show_default=True,
              help="A waiver expiring within this many days of --as-of is 'expiring'.")
@click.option("--result", "result_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A result file: show how many violations each waiver matched in that run.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@lang_option()
@configured
@guarded
def waivers_command(waivers, as_of, within, result_file, fmt, lang) -> ExitCode:
    """Every waiver with its status (active, expiring, expired), approver and expiry."""
    from checker.waiver_list import list_waivers, render

    if waivers is None:
        raise CheckerError([Problem(Span("waivers"), codes.Y003, _("no waiver file: give FILE or set waivers in "
                                                                  "checker.toml"))])
    day = _date(as_of) or dt.date.today()
    rows = list_waivers(waivers, day, within, result_file)
    click.echo(inert(render(rows, fmt, day, within), multiline=True) if fmt != "json" else render(rows, fmt, day,
                                                                                                within), nl=False)
    return ExitCode.OK


@main.command("history")
@click.option("--history", "history", metavar="STORE", type=click.Path(path_type=str),
              help="The history store: a DuckDB file or postgresql://… (default: history in checker.toml).")
@click.option("--since", type=DATE, help="Show runs from this as-of date on (ages still count from before).")
@click.option("--series", metavar="ID", help="Only this series (same rulesets over the same datasets).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text",
              show_default=True)
@click.option("--out", "out", type=OUT_PATH, help="Write the report here instead of standard output.")
@click.option("--verify", is_flag=True,
              help="Check the hash chain instead: exit 1 when an entry was changed, removed or put in between.")
@click.option("--templates", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Folder overriding the report templates (history/history.html.j2, history/history.md.j2).")
@lang_option()
@configured
@guarded
def history_command(history, since, series, fmt, out, verify, templates, lang) -> ExitCode:
    """Runs over time: violations by regulation, clause and rule, new and fixed, open by age, time to fix."""
    from checker.history.analysis import ChainCheck, History
    from checker.history.analysis import history as read_history
    from checker.history.store import open_store, verify_chain
    from checker.history.text import to_json, to_text
    from checker.render.output import output_file, write_file

    if not history:
        raise CheckerError([Problem(Span("history"), codes.H801, _("no history store given"),
                                    hint=_("pass --history STORE, or set history in checker.toml"))])
    out = output_file(out, "history report")
    store = open_store(history)
    with store.session(write=False) as session:
        if verify:
            count, head, breaks = verify_chain(session)
            found = History(store=store.shown, since=None, entries=count, series=[])
            found.chain = ChainCheck(entries=count, head=head, ok=not breaks,
                                     breaks=[{"entry": seq, "message": str(msg)} for seq, msg in breaks])
        else:
            found = read_history(session, store.shown, _date(since), series)
    if fmt == "json":
        text = inert_json(to_json(found))
    elif fmt == "text":
        text = inert(to_text(found), multiline=True)
    else:
        from checker.history.render import render as render_history

        text = render_history(found, fmt, lang, templates)
    if out:
        write_file(out, text.encode("utf-8"), "history report")
    else:
        click.echo(text, nl=False)
    if verify:    # each break, as a problem CI logs and annotations read
        for _seq, message in breaks:
            click.echo(inert(Problem(Span(store.shown), codes.H803, message).render()), err=True)
    return ExitCode.FINDINGS if found.chain is not None and not found.chain.ok else ExitCode.OK


@main.command("config")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option()
@configured
@guarded
def config_command(fmt, lang) -> ExitCode:
    """The settings `checker check` would run with, and where each comes from (file, profile, environment)."""
    ctx = click.get_current_context()
    click.echo(inert(describe(ctx, main.commands["check"], fmt), multiline=True), nl=False)
    return ExitCode.OK


if __name__ == "__main__":  # pragma: no cover
    main()
