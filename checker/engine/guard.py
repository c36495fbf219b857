"""The statement guard: once data is loaded, an engine runs one read-only SELECT at a time, and only that.

Rule expressions are checked node by node and regenerated from their trees
(:mod:`checker.compile.expr`); the guard is the second, independent wall at the engine's
door.  Every statement an engine is asked to run after loading is parsed here as a whole and
must be:

* exactly one statement, and a query (``SELECT``, possibly with set operations);
* free of any statement node (DML, DDL, commands, settings, pragmas, ``COPY``, ``ATTACH``…);
* reading only tables the engine itself created (its loaded datasets and kept answers), by plain
  name: no table functions (``read_csv``, ``duckdb_settings()``…), no other catalog or schema;
* free of functions that read files, settings or the environment.

The DuckDB engine judges DuckDB's own parse tree (:func:`check_duckdb_tree`, from
``json_serialize_sql``): the guard then sees exactly what DuckDB will run, and DuckDB's parser
(C++) is about four times cheaper than sqlglot's on the checker's large fused scans.  The Spark
engine judges sqlglot's tree of the DuckDB-dialect text it is about to transpile
(:func:`check_query`).  A refusal
is ``X210``: it means text reached the engine that no check built, which is a bug or an attack,
never a user error to work around.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from checker import codes
from checker.i18n import Msg, _, _n
from checker.problems import CheckerError, Problem, Span
from checker.sql.text import CLOCK_FUNCTIONS, FILE_FUNCTIONS

#: Functions no statement may call, whoever wrote it: they read files, settings or the environment.
FORBIDDEN_FUNCTIONS = frozenset(FILE_FUNCTIONS | CLOCK_FUNCTIONS | {
    "current_setting", "getenv", "duckdb_settings", "duckdb_secrets", "which_secret", "pragma_version",
    "current_database", "current_schema", "current_schemas", "current_user", "session_user", "user",
    "version", "checkpoint", "force_checkpoint", "read_file", "write_csv", "setseed", "nextval", "currval",
})
#: Statement node kinds, refused wherever they sit in a tree.
_STATEMENTS: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in (
        "DML", "DDL", "Command", "Set", "Pragma", "Use", "Copy", "Attach", "Detach", "Install", "Load",
        "Export", "Transaction", "Commit", "Rollback", "Summarize", "Describe", "Drop", "Alter", "Create",
        "Insert", "Update", "Delete", "Merge", "TruncateTable", "LoadData", "Analyze", "Grant",
    ) if hasattr(exp, name)
)


def refuse(why: Msg) -> CheckerError:
    return CheckerError([Problem(Span("engine"), codes.X210, _("a statement was refused before it ran: {why}", why=why),
                                 hint=_("no rule text can cause this; please report it (see SECURITY.md)"))])


def check_query(sql: str, dialect: str, tables: Callable[[str], bool]) -> exp.Query:
    """The one query ``sql`` holds, parsed, if the guard lets it run (``X210`` otherwise).

    ``tables(name)`` says whether a table name is one the engine created.
    """
    try:
        parsed = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError, RecursionError):
        raise refuse(_("it does not parse as SQL")) from None
    if len(parsed) != 1:
        raise refuse(_n("it holds {n} statement", "it holds {n} statements", len(parsed), n=len(parsed)))
    tree = parsed[0]
    if not isinstance(tree, exp.Query):
        raise refuse(_("it is a {statement} statement, not a query", statement=type(tree).__name__.upper()))
    _check_tree(tree, tables)
    return tree


def _check_tree(tree: exp.Expr, tables: Callable[[str], bool]) -> None:
    # the statement's own CTEs first: a walk can meet a reference to one before its definition
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for node in tree.walk():
        if isinstance(node, _STATEMENTS):
            raise refuse(_("it contains a {statement} statement", statement=type(node).__name__.upper()))
        if isinstance(node, exp.Table):
            _check_table(node, tables, ctes)
        if isinstance(node, exp.Func):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            if _forbidden(name):
                raise refuse(_("it calls {name}()", name=name.lower()))


def _check_table(node: exp.Table, tables: Callable[[str], bool], ctes: set[str]) -> None:
    if not isinstance(node.this, exp.Identifier):
        raise refuse(_("it reads from a table function"))
    if node.args.get("db") or node.args.get("catalog"):
        raise refuse(_("it names another schema or database ({name})", name=node.sql()))
    if node.name not in ctes and not tables(node.name):
        raise refuse(_("it reads the table '{table}', which the checker did not create", table=node.name))


def _forbidden(name: str) -> bool:
    name = name.lower()
    return name in FORBIDDEN_FUNCTIONS or name.startswith(("read_", "duckdb_"))


def check_duckdb_tree(serialized: str, tables: Callable[[str], bool]) -> None:
    """Judge DuckDB's parse tree of one statement (the JSON ``json_serialize_sql`` gives; X210 if refused).

    DuckDB serialises SELECT statements only (anything else is an error in the JSON); the tree must be
    one statement, every table reference a plain name the engine created (or a CTE of the statement),
    no table function anywhere, no function that reads files, settings or the environment and no
    function named with a schema or catalog.
    """
    seen: dict[str, Any] = {"tables": [], "ctes": set(), "why": None}

    def visit(node: dict) -> dict:
        kind = node.get("type")
        if kind == "BASE_TABLE":
            seen["tables"].append((node.get("catalog_name"), node.get("schema_name"), node.get("table_name")))
        elif kind == "TABLE_FUNCTION":
            seen["why"] = seen["why"] or _("it reads from a table function")
        elif "function_name" in node:
            name = str(node["function_name"])
            if _forbidden(name) or node.get("schema") or node.get("catalog"):
                seen["why"] = seen["why"] or _("it calls {name}()", name=name)
        if isinstance(node.get("cte_map"), dict):
            seen["ctes"].update(str(entry.get("key")) for entry in node["cte_map"].get("map", []))
        return node

    try:
        doc = json.loads(serialized, object_hook=visit)
    except (ValueError, RecursionError):
        raise refuse(_("DuckDB's parse tree of it cannot be read")) from None
    if doc.get("error"):
        raise refuse(_("DuckDB does not read it as one SELECT ({error})", error=str(doc.get("error_message", "error"))))
    statements = len(doc.get("statements") or [])
    if statements != 1:
        raise refuse(_n("it holds {n} statement", "it holds {n} statements", statements, n=statements))
    if seen["why"]:
        raise refuse(seen["why"])
    for catalog, schema, name in seen["tables"]:
        if catalog or schema:
            dotted = ".".join((str(catalog or ""), str(schema or ""), str(name)))
            raise refuse(_("it names another schema or database ({name})", name=dotted))
        if name not in seen["ctes"] and not tables(str(name)):
            raise refuse(_("it reads the table '{table}', which the checker did not create", table=name))
