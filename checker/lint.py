"""`checker lint`: rule files and dataset schemas, every problem with path:line:col.

Lint loads every version of every ruleset (not only the one in force), compiles
each rule against the schemas, and then binds the compiled SQL in DuckDB against
empty tables of the schemas' types, so type errors (a date compared with a number)
are found before any data is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from checker import codes
from checker.compile import kinds
from checker.compile.expr import DIALECT
from checker.compile.rules import CompiledRule, check_duplicates, compile_rules
from checker.engine.duckdb import DuckDBEngine
from checker.engine.registry import ENGINES
from checker.i18n import _
from checker.lint_versions import version_problems
from checker.load.extends import resolve
from checker.load.rulesets import kind_of, load_rulesets
from checker.load.schemas import load_schemas
from checker.portability import engine_problems
from checker.problems import CheckerError, Problem, Span
from checker.resources import bundled


def lint(paths: list[Path], schemas_dir: Path | None, engine: str = "duckdb") -> list[Problem]:
    for path in paths:
        if not path.exists():
            raise CheckerError([Problem(Span(str(path)), codes.Y003,
                                        _("path does not exist"))])
    schemas, problems = load_schemas(schemas_dir or bundled("schemas"))
    loaded, rule_problems, others = load_rulesets(paths or [bundled("rules")], salvage=True)
    problems += rule_problems
    rulesets = [rs for rs in loaded if not rs.partial]      # whole files: versions, extends, changelogs
    problems += check_duplicates(rulesets)
    compiled = []
    for rs in loaded:                                    # the rules of a partly invalid file too
        rules, found = compile_rules([rs], schemas, dt.date.today())
        problems += [p for p in found if p.code != codes.R110]
        compiled += rules
    effective, found = resolve(rulesets)
    problems += found
    if not found:
        for rs in effective:
            if rs.model.extends:  # inherited rules compiled with the child's params
                rules, found = compile_rules([rs], schemas, dt.date.today())
                problems += [p for p in found if p.code != codes.R110]
    if compiled:
        problems += _bind(compiled, schemas)
    problems += engine_problems(ENGINES[engine], compiled, schemas)
    problems += _rule_warnings(loaded)
    problems += _zone_warnings(loaded, schemas)
    problems += version_problems(rulesets)
    problems += _catalog_problems(loaded, others)
    for doc in others:
        if kind_of(doc) == "waivers":
            problems += _waiver_problems(Path(doc.positions.file), compiled, schemas)
    return sorted(set(problems), key=lambda p: (p.span.file, p.span.line, p.span.col, p.code))


def _catalog_problems(rulesets, others) -> list[Problem]:
    """The regulation catalog's own problems, and R115 for rules citing clause ids it lacks.

    The catalog is the one found among the linted paths, else the bundled one.
    """
    from checker.catalog import load_catalog, load_catalogs, unknown_clauses

    docs = [doc for doc in others if kind_of(doc) == "catalog"]
    catalogs, problems = load_catalogs(docs)
    if not docs:
        try:
            catalogs = [load_catalog()]
        except CheckerError as err:
            return err.problems
    if catalogs:
        problems += unknown_clauses(rulesets, catalogs[0])
    return problems


def _bind(compiled, schemas) -> list[Problem]:
    """Bind every compiled query in DuckDB on empty tables: catches type errors, at the clause that has one."""
    problems: list[Problem] = []
    with DuckDBEngine() as engine:
        tables: dict[str, str] = {}

        def table_of(ds: str) -> str:  # an empty table for each dataset some rule reads, made on first use
            if ds not in tables:
                tables[ds] = engine.empty(schemas[ds]).table
            return tables[ds]

        for rule in compiled:
            try:
                engine.explain(_query_of(rule, table_of))
            except duckdb.Error as err:
                first = str(err).strip().splitlines()[0]
                key = _failing_clause(engine, rule, table_of)
                span = rule.text_source.positions.text_start(("rules", rule.index, key))
                problems.append(Problem(span, codes.X206,
                                        _("rule {rule}: {key}: the SQL does not type-check in DuckDB: {error}",
                                          rule=rule.id, key=key, error=first),
                                        hint=_("compare values of the same type; CAST where needed")))
    return problems


def _query_of(rule: CompiledRule, table_of: Callable[[str], str]) -> str:
    return kinds.of(rule).query(rule, table_of).sql(dialect=DIALECT)


def _failing_clause(engine: DuckDBEngine, rule, table_of) -> str:
    """Which clause a type error is in: ``where`` if the rule binds without it, else ``expect`` (or ``unique``)."""
    main = kinds.of(rule).main_key(rule.rule)
    if rule.where is None:
        return main
    try:
        engine.explain(_query_of(dataclasses.replace(rule, where=None), table_of))
    except duckdb.Error:
        return main
    return "where"


def _waiver_problems(path: Path, compiled, schemas) -> list[Problem]:
    from checker.waivers import compile_waivers

    waivers, problems = compile_waivers(path, compiled, schemas, dt.date.today())
    for w in waivers:
        if w.expired:
            problems.append(Problem(w.span, codes.W503,
                                    _("waiver {waiver} for {rule} expired on {day}", waiver=w.id, rule=w.entry.rule,
                                      day=str(w.entry.expires)),
                                    level="warning", hint=_("renew it with a new expiry and approval, or remove it")))
    return problems


def _zones(schema) -> set[str]:
    """The time zones a dataset's date-time columns are read in (its export dialects')."""
    return {col.dialect.zone for col in schema.columns.values() if col.sql_type in ("TIMESTAMP", "ANY")}


def _zone_warnings(rulesets, schemas) -> list[Problem]:
    """W507 for a rule that joins datasets whose date-times are read in different time zones: comparing
    wall-clock times of two zones is rarely what the rule means (a datasets.yaml entry may still change
    an export's zone at check time)."""
    out = []
    for rs in rulesets:
        for i, rule in enumerate(rs.model.rules):
            names = [rule.dataset, *[j.dataset for j in rule.join or []]]
            if len(names) < 2 or any(n not in schemas for n in names):
                continue
            zones = sorted(set().union(*(_zones(schemas[n]) for n in names)))
            if len(zones) > 1:
                out.append(Problem(rs.positions.value(("rules", rs.file_index(i), "join")), codes.W507,
                                   _("rule {rule} joins datasets read in different time zones ({zones}): their "
                                     "date-times are wall-clock times of different places", rule=rule.id,
                                     zones=", ".join(zones)), level="warning",
                                   hint=_("give the datasets one timezone in x-dialect, or compare dates "
                                          "that mean the same in both")))
    return out


def _rule_warnings(rulesets) -> list[Problem]:
    out = []
    for rs in rulesets:
        for i, rule in enumerate(rs.model.rules):
            if rule.message is None:
                out.append(Problem(rs.positions.value(("rules", rs.file_index(i), "id")), codes.W501,
                                   _("rule {rule} has no message; its title is used", rule=rule.id), level="warning"))
            if rule.examples is None or not (rule.examples.pass_ or rule.examples.fail):
                out.append(Problem(rs.positions.value(("rules", rs.file_index(i), "id")), codes.W502,
                                   _("rule {rule} has no examples", rule=rule.id), level="warning",
                                   hint=_("add examples: {pass: [...], fail: [...]} and run `checker test`")))
    return out
