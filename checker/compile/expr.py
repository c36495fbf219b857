"""Rule expressions: parse with sqlglot, check against a whitelist, resolve, bind.

The pipeline is a list of pure steps over a sqlglot tree:

1. :func:`parse` — exactly one DuckDB-dialect *expression* (no statements).
2. :func:`check_nodes` — every node type and function must be on the whitelist;
   subqueries, table functions, window functions, file or environment access and
   clock functions are refused.
   Data types come from a closed list (:data:`DATA_TYPES`), with integer parameters only;
   words such as interval units and date parts from another (:data:`WORDS`).
3. :func:`resolve_columns` — every column is a column of the rule's dataset or of a
   joined alias; bare columns are qualified with the dataset's table alias.
4. :func:`bind_params` — ``:name`` placeholders become typed literals.
5. :func:`verify_regenerated` — the SQL text regenerated from the tree is parsed back and
   must be the same tree (so no text inside a node can become SQL of its own).

Only SQL regenerated from the resulting tree is ever run, and the engines run nothing but
one read-only SELECT (see :mod:`checker.engine.guard`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, TypedDict

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token

from checker import codes
from checker.i18n import Msg, _, _n, num
from checker.model.dataset import DatasetSchema
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.sql.text import CLOCK_FUNCTIONS, DIALECT, FILE_FUNCTIONS, as_expression, literal

#: Node types allowed anywhere in an expression.
ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Tuple,
    exp.And, exp.Or, exp.Not, exp.Xor, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
    exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.DPipe,
    exp.Case, exp.If, exp.Cast, exp.TryCast, exp.Interval, exp.Placeholder, exp.Distinct,
)

_T = exp.DataType.Type
#: The closed list of type names a CAST may name (DuckDB's scalar types a rule can compare).
#: (Its type is inferred: ``exp.DataType.Type`` is a class attribute, not a name mypy accepts as a type.)
DATA_TYPES = frozenset({
    _T.BOOLEAN, _T.TINYINT, _T.SMALLINT, _T.INT, _T.BIGINT, _T.INT128, _T.UTINYINT, _T.USMALLINT, _T.UINT,
    _T.UBIGINT, _T.FLOAT, _T.DOUBLE, _T.DECIMAL, _T.TEXT, _T.VARCHAR, _T.CHAR, _T.DATE, _T.TIME,
    _T.TIMESTAMP, _T.TIMESTAMPNTZ, _T.TIMESTAMPTZ, _T.INTERVAL,
})
#: Types that take parameters, and how many (each an unsigned integer literal).
_TYPE_PARAMS = {_T.DECIMAL: 2, _T.VARCHAR: 1, _T.CHAR: 1, _T.TEXT: 1}
#: The closed list of bare words an expression may hold (interval units, date parts), upper case.
WORDS: frozenset[str] = frozenset(
    w + s for w in ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", "WEEK",
                    "QUARTER", "DECADE", "CENTURY", "MILLENNIUM") for s in ("", "S")
) | {"DOW", "DOY", "ISODOW", "ISOYEAR", "EPOCH", "YEARWEEK", "DAYOFWEEK", "DAYOFYEAR", "WEEKDAY", "WEEKOFYEAR"}

#: Scalar functions a rule may call, written as sample calls; sqlglot maps each to its node class.
SCALAR_FUNCTIONS = {
    "abs": "abs(x)", "round": "round(x, 2)", "floor": "floor(x)", "ceil": "ceil(x)", "sign": "sign(x)",
    "greatest": "greatest(x, y)", "least": "least(x, y)", "coalesce": "coalesce(x, y)",
    "nullif": "nullif(x, y)", "ifnull": "ifnull(x, y)", "length": "length(x)", "len": "len(x)",
    "lower": "lower(x)", "upper": "upper(x)", "trim": "trim(x)", "ltrim": "ltrim(x)", "rtrim": "rtrim(x)",
    "substr": "substr(x, 1, 2)", "substring": "substring(x, 1, 2)", "replace": "replace(x, 'a', 'b')",
    "concat": "concat(x, y)", "starts_with": "starts_with(x, 'a')", "ends_with": "ends_with(x, 'a')",
    "contains": "contains(x, 'a')", "strpos": "strpos(x, 'a')", "left": "left(x, 2)", "right": "right(x, 2)",
    "lpad": "lpad(x, 3, '0')", "rpad": "rpad(x, 3, '0')", "regexp_matches": "regexp_matches(x, 'a')",
    "regexp_full_match": "regexp_full_match(x, 'a')", "regexp_replace": "regexp_replace(x, 'a', 'b')",
    "regexp_extract": "regexp_extract(x, 'a')", "date_diff": "date_diff('day', x, y)",
    "datediff": "datediff('day', x, y)", "date_trunc": "date_trunc('month', x)",
    "date_part": "date_part('year', x)", "extract": "extract(year from x)", "year": "year(x)",
    "month": "month(x)", "day": "day(x)", "quarter": "quarter(x)", "dayofweek": "dayofweek(x)",
    "isodow": "isodow(x)", "week": "week(x)", "hour": "hour(x)", "to_hours": "to_hours(x)",
    "to_days": "to_days(x)", "to_minutes": "to_minutes(x)", "to_seconds": "to_seconds(x)",
    "to_months": "to_months(x)", "to_years": "to_years(x)", "make_date": "make_date(x, y, z)",
    "strftime": "strftime(x, '%Y')", "last_day": "last_day(x)", "epoch": "epoch(x)",
    "hash": "hash(x)", "md5": "md5(x)",
}
#: Aggregate functions, allowed only in the ``expect`` of an aggregate rule.
AGGREGATE_FUNCTIONS = {
    "count": "count(x)", "count_star": "count(*)", "count_if": "count_if(x)", "sum": "sum(x)",
    "avg": "avg(x)", "min": "min(x)", "max": "max(x)", "bool_and": "bool_and(x)", "bool_or": "bool_or(x)",
    "median": "median(x)", "stddev": "stddev(x)", "any_value": "any_value(x)",
    "count_distinct": "count(distinct x)", "arg_min": "arg_min(x, y)", "arg_max": "arg_max(x, y)",
}
#: Refusals with a specific explanation.


def _classes(samples: Mapping[str, str]) -> tuple[set[type[exp.Expression]], set[str]]:
    classes: set[type[exp.Expression]] = set()
    anonymous: set[str] = set()
    for name, sample in samples.items():
        node = as_expression(sqlglot.parse_one(sample, read=DIALECT))
        if isinstance(node, exp.Anonymous):
            anonymous.add(node.name.lower())
        else:
            classes.add(type(node))
            if isinstance(node, exp.IgnoreNulls):  # any_value(x) parses as IGNORE NULLS around AnyValue
                classes.add(type(node.this))
            if isinstance(node, exp.Count) or name.startswith("count"):
                classes.add(exp.Count)
    return classes, anonymous


_Classes = set[type[exp.Expression]]


@lru_cache(maxsize=1)
def _whitelist() -> tuple[_Classes, set[str], _Classes, set[str]]:
    scalar_classes, scalar_names = _classes(SCALAR_FUNCTIONS)
    agg_classes, agg_names = _classes(AGGREGATE_FUNCTIONS)
    agg_classes -= scalar_classes  # e.g. min/max never collide, but be explicit
    return scalar_classes, scalar_names, agg_classes, agg_names


def function_names() -> tuple[list[str], list[str]]:
    """The documented whitelist: (scalar names, aggregate names)."""
    return sorted(SCALAR_FUNCTIONS), sorted(k for k in AGGREGATE_FUNCTIONS if k not in ("count_star", "count_distinct"))


@dataclass(frozen=True)
class ExprContext:
    """What an expression may see."""

    rule_id: str | Msg                           # a rule id, or a message naming one (a waiver's)
    span: Span                                   # where the expression text starts
    dataset: DatasetSchema
    table_alias: str                             # alias the rule's own dataset has in the query
    joins: Mapping[str, tuple[DatasetSchema, str]] = field(default_factory=dict)  # user alias -> (schema, sql alias)
    params: Mapping[str, Any] = field(default_factory=dict)
    allow_aggregates: bool = False
    what: str = "expect"


class _At(TypedDict):
    """A position within an expression's text, 1-based (see :func:`_where`)."""

    line: int
    col: int


def _problem(ctx: ExprContext, code: codes.Code, message: Msg, hint: Msg | None = None,
             line: int = 1, col: int = 1) -> CheckerError:
    span = ctx.span
    if span.line:
        span = Span(span.file, span.line + line - 1, (span.col + col - 1) if line == 1 else col)
    return CheckerError([Problem(span, code, _("rule {rule}: {what}: {message}", rule=ctx.rule_id, what=ctx.what,
                                                   message=message), hint=hint)])


#: Bounds on one expression: its length, and how deeply parentheses and CASEs nest (sqlglot's parser and
#: generator recurse per level; ~40 levels inside a query exhaust Python's stack).
MAX_LENGTH = 10_000
MAX_DEPTH = 24


def _tokens_checked(text: str, ctx: ExprContext) -> list[Token]:
    """Before parsing: refuse an expression too long or too deeply nested to compile safely (X202), and a
    quoted type name (X208: sqlglot reads the text inside the quotes as a type, so its tree would not
    say what the engine is given)."""
    if len(text) > MAX_LENGTH:
        raise _problem(ctx, codes.X202, _("the expression is {n} characters long; at most {limit} are allowed",
                                      n=num(len(text)), limit=num(MAX_LENGTH)),
                       hint=_("split the rule, or move lists into params"))
    try:
        tokens = sqlglot.Dialect.get_or_raise(DIALECT).tokenize(text)
    except TokenError as err:
        raise _problem(ctx, codes.X201, _("cannot tokenize SQL: {error}", error=str(err))) from None
    depth = 0
    T = sqlglot.TokenType
    opening = {T.L_PAREN, T.CASE, T.L_BRACKET}
    closing = {T.R_PAREN, T.END, T.R_BRACKET}
    for before, token in zip([None, *tokens], tokens, strict=False):  # each token with the one before it
        if token.token_type == T.IDENTIFIER and before is not None and before.token_type in (T.ALIAS, T.DCOLON):
            raise _problem(ctx, codes.X208, _("the type name \"{name}\" is quoted; a type is written as a keyword",
                                          name=token.text),
                           hint=_("e.g. CAST(x AS DOUBLE) or x::DATE"), **_line_col(text, token.start))
        depth += (token.token_type in opening) - (token.token_type in closing)
        if depth > MAX_DEPTH:
            raise _problem(ctx, codes.X202, _n("the expression nests more than {n} level deep",
                                           "the expression nests more than {n} levels deep", MAX_DEPTH, n=MAX_DEPTH),
                           hint=_("flatten it: AND/OR chains and IN lists need no extra parentheses"),
                           **_line_col(text, token.start))
    return tokens


def _quoted_names_kept(node: exp.Expression, tokens: list[Token], text: str, ctx: ExprContext) -> None:
    """Every quoted name in the text must be a quoted identifier in the tree: sqlglot reads some quoted
    words as keywords (an interval unit, a type), and then the tree would not say what the text says."""
    kept = {i.meta.get("start") for i in node.find_all(exp.Identifier) if i.quoted}
    for token in tokens:
        if token.token_type == sqlglot.TokenType.IDENTIFIER and token.start not in kept:
            raise _problem(ctx, codes.X202, _("\"{name}\" is quoted, but only a column name may be", name=token.text),
                           hint=_("write keywords such as DAY or DOUBLE without quotes"),
                           **_line_col(text, token.start))


def parse(text: str, ctx: ExprContext) -> exp.Expression:
    tokens = _tokens_checked(text, ctx)
    try:
        statements = [s for s in sqlglot.Dialect.get_or_raise(DIALECT).parser().parse(tokens, text) if s is not None]
    except RecursionError:
        raise _problem(ctx, codes.X202, _("the expression nests too deeply to compile"),
                       hint=_("flatten it: AND/OR chains and IN lists need no extra parentheses")) from None
    except ParseError as err:
        info = err.errors[0] if err.errors else {}
        description = str(info.get("description") or err)
        what: str | Msg = description
        if description.startswith("Required keyword"):
            what = _("the expression is incomplete (an operator lacks an operand?)")
        col = max(1, (info.get("col") or 1) - len(info.get("highlight") or "") + 1)
        raise _problem(ctx, codes.X201, _("cannot parse SQL: {error}", error=what),
                       hint=_("write one SQL boolean expression, e.g. amount <= :limit"),
                       line=info.get("line") or 1, col=col) from None
    except TokenError as err:
        raise _problem(ctx, codes.X201, _("cannot tokenize SQL: {error}", error=str(err))) from None
    if len(statements) != 1:
        raise _problem(ctx, codes.X202, _n("{n} statement found; a rule holds exactly one expression",
                                       "{n} statements found; a rule holds exactly one expression",
                                       len(statements), n=len(statements)),
                       hint=_("remove the ';'"))
    node = statements[0]
    if isinstance(node, (exp.Query, exp.DDL, exp.DML, exp.Command, exp.Set, exp.Pragma, exp.Use)) \
            or type(node).__name__ in {"Drop", "Copy", "Attach", "Detach", "Install", "Load", "Export"}:
        raise _problem(ctx, codes.X202, _("a {statement} statement is not an expression",
                                      statement=type(node).__name__.upper()),
                       hint=_("rules hold SQL expressions only, e.g. amount <= :limit"))
    expression = as_expression(node)
    _quoted_names_kept(expression, tokens, text, ctx)
    return expression


def _where(node: exp.Expression, text: str) -> _At:
    """``line``/``col`` (1-based, within the expression text) of a node, for a problem's position.

    sqlglot records positions on tokens such as identifiers and literals only.  A node is placed at its
    own word (a function's name, a subquery's SELECT, a type's name) where that is found just before the
    first positioned token inside it, else at that token; a node with none inside is looked up after
    the nearest positioned token around it.
    """
    word = _word(node)
    starts = [d.meta["start"] for d in node.walk() if "start" in d.meta]
    if starts:
        first = min(starts)
        at = text.lower().rfind(word, 0, first + 1) if word else -1
        between = text[at + len(word):first] if at >= 0 else "x"
        return _line_col(text, at if not between.strip(" \t\r\n(") else first)
    anchor, up = 0, node.parent
    while up is not None:
        found = [d.meta["start"] for d in up.walk() if "start" in d.meta]
        if found:
            anchor = min(found)
            break
        up = up.parent
    at = text.lower().find(word, anchor) if word else -1
    return _line_col(text, at if at >= 0 else anchor)


def _word(node: exp.Expression) -> str:
    """The word a node is written with, lower case ('' where there is none to look for)."""
    if isinstance(node, (exp.Query, exp.Subquery, exp.Exists)):
        return "select"
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    if isinstance(node, exp.DataType):
        return str(node.args.get("kind") or node.this.name).lower()
    if isinstance(node, exp.Var):
        return node.name.lower()
    return ""


def _line_col(text: str, offset: int) -> _At:
    before = text[:offset]
    return {"line": before.count("\n") + 1, "col": offset - (before.rfind("\n") + 1) + 1}


def check_nodes(node: exp.Expression, ctx: ExprContext, text: str = "") -> exp.Expression:
    """Refuse any node that is not on the whitelist (X202/X203/X204/X208), at its position in ``text``."""
    for sub in node.walk():
        _judge(as_expression(sub), ctx, text)
    return node


def _judge(sub: exp.Expression, ctx: ExprContext, text: str) -> None:
    scalar_classes, scalar_names, agg_classes, agg_names = _whitelist()
    at = lambda: _where(sub, text)  # noqa: E731
    aggregate_hint = _("aggregates belong in an aggregate rule's expect (with group_by)")
    if isinstance(sub, exp.Anonymous):
        name = sub.name.lower()
        if name in scalar_names:
            return
        if name in agg_names:
            if not ctx.allow_aggregates:
                raise _problem(ctx, codes.X204, _("aggregate function {name}() in a row expression", name=name),
                               aggregate_hint, **at())
            return
        raise _refuse_function(name, ctx, at())
    if isinstance(sub, exp.Star):
        if isinstance(sub.parent, exp.Count):
            return
        raise _problem(ctx, codes.X202, _("'*' is not allowed"), hint=_("name the columns"), **at())
    if isinstance(sub, ALLOWED_NODES):
        return
    if isinstance(sub, (exp.DataType, exp.DataTypeParam)):
        return _check_type(sub, ctx, text)
    if isinstance(sub, exp.Var):
        if sub.name.upper() not in WORDS:
            raise _problem(ctx, codes.X202, _("'{word}' is not a date part or interval unit", word=sub.name),
                           hint=did_you_mean(sub.name.upper(), WORDS) or _("e.g. DAY, MONTH, YEAR"), **at())
        return
    cls = type(sub)
    if cls in agg_classes:
        if not ctx.allow_aggregates:
            # any_value(x) is an AnyValue inside IGNORE NULLS, which is no function and has no SQL name
            function = sub.this if isinstance(sub, exp.IgnoreNulls) else sub
            name = function.sql_name() if isinstance(function, exp.Func) else cls.__name__
            raise _problem(ctx, codes.X204, _("aggregate function {name}() in a row expression",
                                          name=name.lower()), aggregate_hint, **at())
        return
    if cls in scalar_classes:
        if isinstance(sub, exp.Pad):
            _check_width(sub, ctx, text)
        return
    if isinstance(sub, (exp.Subquery, exp.Query, exp.Exists)):
        raise _problem(ctx, codes.X202, _("subqueries are not allowed"),
                       hint=_("use a join rule (join: [...]) to read another dataset"), **at())
    if isinstance(sub, exp.Func):
        raise _refuse_function(sub.sql_name().lower(), ctx, at())
    if isinstance(sub, (exp.Window, exp.WindowSpec)):
        raise _problem(ctx, codes.X202, _("window functions are not allowed"),
                       hint=_("use an aggregate rule (group_by) instead"), **at())
    raise _problem(ctx, codes.X202, _("{construct} is not allowed in rule expressions", construct=cls.__name__),
                   hint=_("allowed: columns, literals, arithmetic, comparisons, AND/OR/NOT, CASE, IN, BETWEEN, "
                          "LIKE, IS NULL, CAST, intervals and whitelisted functions"), **at())


#: The widest lpad/rpad a rule may ask for: a width from the data, or a huge one, would let one rule make
#: values of gigabytes (and so exhaust the machine) out of short texts.
MAX_PAD = 10_000


def _check_width(node: exp.Pad, ctx: ExprContext, text: str) -> None:
    width = node.expression
    if not (isinstance(width, exp.Literal) and not width.is_string and str(width.this).isdigit()
            and int(width.this) <= MAX_PAD):
        raise _problem(ctx, codes.X202, _("{name}() takes a width written as a number up to {limit}",
                                      name="lpad" if node.args.get("is_left") else "rpad", limit=num(MAX_PAD)),
                       hint=_("e.g. lpad(code, 6, '0')"), **_where(width, text))


def _check_type(node: exp.DataType | exp.DataTypeParam, ctx: ExprContext, text: str) -> None:
    """A type must be on :data:`DATA_TYPES`, spelled as a keyword (not quoted, not user-defined, not nested),
    with at most its number of unsigned integer parameters."""
    if isinstance(node, exp.DataTypeParam):
        if not isinstance(node.parent, exp.DataType):
            raise _problem(ctx, codes.X208, _("a type parameter outside a type"), **_where(node, text))
        return  # judged with its type
    name = node.args.get("kind") or node.this.name
    allowed = ", ".join(sorted({"BOOLEAN", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL(p, s)", "VARCHAR", "DATE",
                                "TIMESTAMP", "INTERVAL"}))
    if node.this not in DATA_TYPES or node.args.get("kind") is not None or node.args.get("nested"):
        raise _problem(ctx, codes.X208, _("type '{name}' is not on the list of types a rule may cast to", name=name),
                       hint=_("use one of {types}", types=allowed), **_where(node, text))
    params = node.expressions
    if len(params) > _TYPE_PARAMS.get(node.this, 0) or not all(
            isinstance(p, exp.DataTypeParam) and isinstance(p.this, exp.Literal) and not p.this.is_string
            and str(p.this.this).isdigit() and str(p.this.this).isascii() for p in params):
        raise _problem(ctx, codes.X208, _("type '{name}' has parameters a rule may not give",
                                      name=node.sql(dialect=DIALECT)),
                       hint=_("a type takes unsigned integer parameters only, e.g. DECIMAL(12, 2)"),
                       **_where(node, text))
    if any(k not in ("this", "expressions", "nested", "values", "prefix") and v not in (None, False, [])
           for k, v in node.args.items()):
        raise _problem(ctx, codes.X208, _("type '{name}' is written in a form a rule may not use", name=name),
                       **_where(node, text))


def _refuse_function(name: str, ctx: ExprContext, at: _At) -> CheckerError:
    if name in CLOCK_FUNCTIONS:
        return _problem(ctx, codes.X203, _("{name}() is not allowed: results must not depend on the clock", name=name),
                        hint=_("use :as_of, the run's evaluation date"), **at)
    if name in FILE_FUNCTIONS or name.startswith("read_"):
        return _problem(ctx, codes.X203, _("{name}() is not allowed: rule expressions cannot read files, "
                                       "settings or the environment", name=name), **at)
    scalar, aggregate = function_names()
    return _problem(ctx, codes.X203, _("function {name}() is not on the whitelist", name=name),
                    hint=did_you_mean(name, scalar + aggregate) or _("see `checker explain --functions`"), **at)


def resolve_columns(node: exp.Expression, ctx: ExprContext, text: str = "") -> exp.Expression:
    """Qualify every column with its table's SQL alias; an unknown one is R112/R114 at the name itself."""
    def visit(sub: exp.Expression) -> exp.Expression:
        if not isinstance(sub, exp.Column):
            return sub
        at = _where(sub, text)
        if isinstance(sub.this, exp.Star):
            raise _problem(ctx, codes.X202, _("'*' is not allowed"), hint=_("name the columns"), **at)
        name, table = sub.name, sub.table
        if sub.args.get("db") or sub.args.get("catalog"):
            raise _problem(ctx, codes.X202, _("'{column}' names a database; write alias.column", column=sub.sql()),
                           **at)
        if table:
            if table not in ctx.joins:
                raise _problem(ctx, codes.R114, _("unknown table or alias '{table}' in '{column}'", table=table,
                                              column=sub.sql()),
                               hint=did_you_mean(table, ctx.joins) or
                               _("columns of other datasets are read through join: [{dataset, as, on}]"), **at)
            schema, sql_alias = ctx.joins[table]
        else:
            schema, sql_alias = ctx.dataset, ctx.table_alias
        if name not in schema.columns:
            hint = did_you_mean(name, schema.columns)
            if not table and hint is None:
                for alias, (other, _sql_alias) in ctx.joins.items():
                    if name in other.columns:
                        qualified = f"{alias}.{name}"
                        hint = _("did you mean '{name}'?", name=qualified)
                        break
            if table:  # the column's own name, after 'alias.'
                at = _where(sub.this, text)
            raise _problem(ctx, codes.R112, _("unknown column '{column}' (dataset {dataset})", column=sub.sql(),
                                          dataset=schema.name), hint=hint, **at)
        return exp.column(name, table=sql_alias, quoted=True)

    return node.transform(visit, copy=True)


def bind_params(node: exp.Expression, ctx: ExprContext) -> exp.Expression:
    def visit(sub: exp.Expression) -> exp.Expression:
        if isinstance(sub, exp.In) and isinstance(sub.args.get("field"), exp.Placeholder):
            value = _param(sub.args["field"], ctx)
            values = value if isinstance(value, (list, tuple)) else [value]
            return exp.In(this=sub.this, expressions=[literal(v) for v in values])
        if isinstance(sub, exp.Placeholder):
            return literal(_param(sub, ctx))
        return sub

    return node.transform(visit, copy=True)


def _param(node: exp.Placeholder, ctx: ExprContext) -> Any:
    name = node.name
    if not name or name == "?":
        raise _problem(ctx, codes.X202, _("positional parameters ('?') are not allowed"), hint=_("use :name"))
    if name not in ctx.params:
        raise _problem(ctx, codes.R113, _("unknown parameter ':{name}'", name=name),
                       hint=did_you_mean(name, ctx.params) or _("declare it under the ruleset's params"))
    return ctx.params[name]


def compile_expression(text: str, ctx: ExprContext) -> exp.Expression:
    """Parse, check, resolve and bind one rule expression, then spell date arithmetic one way."""
    text = str(text)
    node = parse(text, ctx)
    try:
        node = check_nodes(node, ctx, text)
        node = resolve_columns(node, ctx, text)
        return verify_regenerated(canonical_dates(bind_params(node, ctx), ctx), ctx)
    except RecursionError:  # a long operator chain is deep as a tree though flat as text
        raise _problem(ctx, codes.X202, _("the expression nests too deeply to compile"),
                       hint=_("split long chains of operators into several rules, or use IN (...)")) from None


def _read_back(sql: str) -> exp.Expression | None:
    try:
        back = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except (ParseError, TokenError):
        return None
    return as_expression(back[0]) if len(back) == 1 else None


def _regenerated(ctx: ExprContext) -> CheckerError:
    return _problem(ctx, codes.X209, _("the SQL regenerated from the checked expression does not read back as the "
                                   "same expression, so it is not run"),
                    hint=_("simplify the expression; quoted names and unusual literals are the usual cause"))


def verify_regenerated(node: exp.Expression, ctx: ExprContext) -> exp.Expression:
    """The tree as the engine will read it, once its regenerated SQL reads back as the checked tree (X209).

    The engines run regenerated text, so a node whose text would read as something else (a name that
    leaks quotes, a literal that is not one, text that closes the expression) must never reach them.
    The text is parsed back and must be one expression equal to the checked tree, up to the CASTs the
    generator adds (around ``bool_or``'s argument, say).  Where the generator writes a construct in its
    own normal form instead (``IF(c, a, b)`` as a CASE, ``TRIM(BOTH 'x' FROM y)`` as ``TRIM(y, 'x')``),
    the form read back must itself regenerate to the very same tree.  Either way the tree read back
    passes the whitelist again and is returned: what runs is exactly what was checked.
    """
    sql = to_sql(node)
    back = _read_back(sql)
    if back is None:
        raise _regenerated(ctx)
    written = to_sql(back)
    if not _same(node, back):                   # the generator's own normal form: it must be a fixed point
        again = _read_back(written)
        if again is None or not _same(back, again) or to_sql(again) != written:
            raise _regenerated(ctx)
    elif written != sql:
        raise _regenerated(ctx)
    try:
        return check_nodes(back, replace(ctx, allow_aggregates=True), written)
    except CheckerError:
        raise _regenerated(ctx) from None


def _same(checked: exp.Expression, back: exp.Expression) -> bool:
    """``back`` (parsed from regenerated SQL) is ``checked``, up to CASTs the SQL generator added."""
    if isinstance(back, exp.Cast) and not isinstance(checked, exp.Cast) and _same(checked, back.this):
        return True
    if type(checked) is not type(back):
        return False
    if isinstance(checked, exp.DataType):  # the generator spells some types its own way (VARCHAR as TEXT)
        return to_sql(checked) == to_sql(back)
    for key in (set(checked.args) | set(back.args)) - {"_type"}:
        a, b = checked.args.get(key), back.args.get(key)
        a = a if isinstance(a, list) else ([] if a in (None, False) else [a])
        b = b if isinstance(b, list) else ([] if b in (None, False) else [b])
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):  # the lengths were just compared
            if isinstance(x, exp.Expression) and isinstance(y, exp.Expression):
                if not _same(x, y):
                    return False
            elif isinstance(x, exp.Expression) or isinstance(y, exp.Expression) or not _same_word(checked, x, y):
                return False
    return True


def _same_word(node: exp.Expression, x: Any, y: Any) -> bool:
    """Names the generator may re-case (function names, bare words, unquoted identifiers) compare caselessly;
    everything else (literal text above all) exactly."""
    caseless = isinstance(node, (exp.Anonymous, exp.Var)) or (isinstance(node, exp.Identifier) and not node.quoted)
    if caseless and isinstance(x, str) and isinstance(y, str):
        return x.lower() == y.lower()
    return x == y


_INTEGERS = {exp.DataType.Type.BIGINT, exp.DataType.Type.INT, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT}


def annotated(node: exp.Expression, tables: Mapping[str, Any], main: str) -> exp.Expression | None:
    """A copy of ``node`` typed by sqlglot from the schemas' column types (``tables``: alias -> DatasetSchema,
    ``main`` the rule's own alias), or None where sqlglot cannot type it."""
    from sqlglot.optimizer.annotate_types import annotate_types

    schema: dict[str, object] = {
        alias: {name: ("VARCHAR" if col.sql_type == "ANY" else col.sql_type) for name, col in ds.columns.items()}
        for alias, ds in tables.items()}
    query = exp.select(node.copy()).from_(exp.to_table(main))
    for alias in tables:
        if alias != main:
            query = query.join(exp.to_table(alias))
    try:
        return annotate_types(query, schema=schema, dialect=DIALECT).expressions[0]
    except Exception:
        return None


def canonical_dates(node: exp.Expression, ctx: ExprContext) -> exp.Expression:
    """Spell typed arithmetic the one way every engine reads alike, with DuckDB's answer unchanged:

    * ``date - date`` becomes ``date_diff('day', b, a)`` (the same BIGINT; Spark's is an interval);
    * ``sum(<integer>)`` sums as HUGEINT, as DuckDB does anyway (Spark's BIGINT sum overflows).

    * ``count_if(x)`` of no records is 0, as on Spark (DuckDB's is NULL, which would fail a dataset rule
      such as ``count_if(x) <= count(*)`` on an empty export).

    Types come from the schemas (sqlglot's annotate_types); what it cannot type is left as written.
    """
    if any(isinstance(sub, exp.CountIf) for sub in node.walk()):
        node = node.transform(lambda sub: exp.Coalesce(this=sub, expressions=[exp.Literal.number(0)])
                              if isinstance(sub, exp.CountIf) else sub)
    if not any(isinstance(sub, (exp.Sub, exp.Sum)) for sub in node.walk()):
        return node
    tables = {ctx.table_alias: ctx.dataset} | {alias: schema for schema, alias in ctx.joins.values()}
    typed = annotated(node, tables, ctx.table_alias)
    if typed is None:  # the expression stays as written
        return node

    def visit(sub: exp.Expression) -> exp.Expression:
        if isinstance(sub, exp.Sub) and sub.this.type is not None and sub.expression.type is not None \
                and sub.this.type.this == exp.DataType.Type.DATE == sub.expression.type.this:
            # as DuckDB's date_diff parses (date-part boundaries), so the tree reads back the same
            return exp.DateDiff(this=sub.this, expression=sub.expression, unit=exp.var("DAY"),
                                date_part_boundary=True)
        if isinstance(sub, exp.Sum) and sub.this.type is not None and sub.this.type.this in _INTEGERS:
            # DuckDB sums integers as HUGEINT anyway; said explicitly, Spark sums them as DECIMAL(38, 0), not a
            # BIGINT that overflows
            return exp.Sum(this=exp.Cast(this=sub.this, to=exp.DataType.build("HUGEINT")))
        return sub

    return typed.transform(visit)


def has_aggregate(node: exp.Expression) -> bool:
    _scalar, _names, agg_classes, agg_names = _whitelist()
    for sub in node.walk():
        if type(sub) in agg_classes or isinstance(sub, exp.AggFunc):
            return True
        if isinstance(sub, exp.Anonymous) and sub.name.lower() in agg_names:
            return True
    return False


def to_sql(node: exp.Expression) -> str:
    return node.sql(dialect=DIALECT)
