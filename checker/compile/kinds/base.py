"""The interface every rule kind implements, and the names of the engine's own columns.

A kind is one :class:`Kind` object, registered with :func:`checker.compile.kinds.register`.
Everything that differs between kinds is a method or attribute here, so the compiler, the
planner, evaluation, ``lint``, ``test``, ``explain``, versions, lineage and waivers ask the
rule's kind instead of naming kinds:

* compile time: :meth:`Kind.compile` (the kind's own keys, checks such as "an aggregate rule
  without an aggregate"), :attr:`Kind.aggregates`, :attr:`Kind.message_names`;
* evaluation: a :class:`RecordKind` is judged record by record (:meth:`RecordKind.failed`
  joins the fused scan of its dataset; its joins are checked to be many-to-one, each record is
  judged by the version in force on its own date); a :class:`QueryKind` runs its own queries
  (:meth:`QueryKind.evaluate`) and says what it found as a :class:`Found`;
* ``checker test``: :meth:`Kind.example_violations`;
* ``explain`` and ``lint``: :meth:`Kind.query` (the violation query), :meth:`Kind.explain_lines`;
* lineage and waivers: :meth:`Kind.reads`, :meth:`Kind.groups`, :meth:`Kind.message_variables`.

This module imports neither the compiler nor the engine: what evaluation offers a kind is the
:class:`Evaluation` protocol, what ``checker test`` offers is :class:`Runner`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sqlglot import exp

from checker.codes import Code
from checker.i18n import Msg
from checker.model.ruleset import Rule
from checker.sql.layout import ROW
from checker.sql.text import DIALECT, as_expression

if TYPE_CHECKING:
    from checker.compile.kinds.join import JoinSpec
    from checker.compile.rules import CompiledRule

#: the SQL alias of a rule's own dataset
MAIN_ALIAS = "t"
#: the engine's own record number is :data:`checker.sql.layout.ROW`; in the answers of kind queries, a group's
#: verdict, records, first record and waiver flag
OK = "__ok"
RECORDS = "__n"
FIRST = "__first"
WAIVED = "__w"
#: prefix of a group key's columns (``__g0``, ``__g1``, ...)
GROUP = "__g"
#: the index of the check a listed violation belongs to
CHECK = "__k"

TableOf = Callable[[str], str]
Waivers = list[tuple[str, exp.Expression]]


def table(name: str) -> exp.Table:
    return exp.to_table(name)


def row_column(alias: str | None = MAIN_ALIAS) -> exp.Column:
    return exp.column(ROW, table=alias) if alias else exp.column(ROW)


def first_rows(condition: exp.Expression, n: int, alias: str | None = None) -> exp.Expression:
    """DuckDB's ``min(__row, n) FILTER (WHERE condition)``: the n smallest record numbers, as a list."""
    return exp.Filter(this=exp.Anonymous(this="min", expressions=[row_column(alias), exp.Literal.number(max(n, 1))]),
                      expression=exp.Where(this=condition))


def flag(node: exp.Expression) -> exp.Expression:
    """``coalesce((node), FALSE)``: NULL counts as FALSE."""
    return as_expression(exp.func("coalesce", exp.paren(node.copy()), exp.false()))


def applies(where: exp.Expression | None) -> exp.Expression:
    """TRUE for a record the rule judges (``where`` is TRUE, NULL counts as not selected)."""
    return exp.true() if where is None else flag(where)


def add_joins(q: exp.Select, specs: tuple[JoinSpec, ...], table_of: TableOf) -> exp.Select:
    for spec in specs:
        q = q.join(table(table_of(spec.dataset)).as_(spec.sql_alias), on=spec.on.copy(), join_type="left")
    return q


@dataclass(frozen=True)
class Parts:
    """What a kind compiles out of its own keys."""

    expect: exp.Expression | None = None
    unique: tuple[str, ...] = ()
    group_by: tuple[exp.Expression, ...] = ()
    options: Any = None                      # a plugin kind's own compiled form


class CompileTools(Protocol):
    """What the compiler offers a kind compiling one rule; a ``path`` is relative to the rule."""

    rule_id: str
    dataset: str
    columns: tuple[str, ...]                 # of the rule's dataset

    def expression(self, text: str | None, path: tuple[Any, ...], aggregates: bool = False
                   ) -> exp.Expression | None:
        """``text`` compiled (columns qualified, params bound); None after recording its problems."""

    def problem(self, path: tuple[Any, ...], code: Code, message: Msg, hint: Msg | str | None = None) -> None:
        """Record a problem at the value under ``path``."""

    def unknown_column(self, path: tuple[Any, ...], name: str, where: str) -> None:
        """Record that ``name`` (under ``path``, in the key ``where``) is not a column of the dataset."""


@dataclass
class GroupHit:
    """A failing group of a kind whose violations are cited by group key."""

    values: tuple[Any, ...]                  # the group key, one value per group name
    records: int
    key_text: str                            # what its fingerprint is made from
    waiver: str | None                       # the waiver that covers it (every record of it)


@dataclass
class Found:
    """What a :class:`QueryKind` found for one rule version."""

    checked: int
    violations: int
    waived: int = 0
    per_waiver: dict[str, int] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)          # first N unwaived violating records
    waived_rows: list[int] = field(default_factory=list)   # first N waived ones
    groups: list[GroupHit] = field(default_factory=list)   # every failing group, first record first


class Evaluation(Protocol):
    """What evaluation offers a :class:`QueryKind` for one rule version on one dataset."""

    samples: int                             # N: how many violations a result shows

    def fetchall(self, query: exp.Expression) -> list[tuple[Any, ...]]:
        """The rows of ``query``."""

    def kept(self, query: exp.Expression) -> AbstractContextManager[exp.Table]:
        """``query``'s answer kept under a fresh table name while the block reads it."""

    def key_text(self, parts: list[exp.Expression]) -> exp.Expression:
        """SQL: the text a fingerprint hashes, from key values."""

    def list_violations(self, rows: exp.Select) -> None:
        """Fingerprint (and with --violations-out write) every violation ``rows`` lists (``__k`` = 0, ``__row``)."""


class Runner(Protocol):
    """An engine as ``checker test`` hands it to a kind."""

    def fetchall(self, sql: str) -> list[tuple[Any, ...]]:
        ...


class Kind(ABC):
    """One rule kind."""

    name: ClassVar[str]
    #: the YAML key a plugin kind is told apart by, and its value's type; None for the built-in kinds
    key: ClassVar[str | None] = None
    value_type: ClassVar[Any] = None
    #: judged record by record in the fused scan (see :class:`RecordKind`)
    per_record: ClassVar[bool] = False
    #: ``expect`` may use aggregate functions
    aggregates: ClassVar[bool] = False
    #: names a message template may use besides the dataset's columns and ``row``
    message_names: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def compile(self, rule: Rule, tools: CompileTools) -> Parts:
        """The kind's own keys compiled; problems go to ``tools``."""

    @abstractmethod
    def query(self, rule: CompiledRule, table_of: TableOf) -> exp.Select:
        """The rule's violation query: what ``explain`` shows and ``lint`` type-checks."""

    @abstractmethod
    def example_violations(self, engine: Runner, rule: CompiledRule, table_of: TableOf) -> int:
        """How many violations the records loaded for one example give (``checker test``)."""

    def main_key(self, rule: Rule) -> str:
        """The key ``lint`` blames for a type error that is not in ``where``."""
        return self.key or "expect"

    def explain_lines(self, rule: Rule) -> list[tuple[str, str]]:
        """(key, text) of the kind's own keys, as ``explain`` lists them."""
        return [("expect", rule.expect)] if rule.expect else []

    def texts(self, rule: Rule) -> list[str]:
        """The SQL texts among the kind's own keys (to tell which parameters the rule uses)."""
        return [rule.expect] if rule.expect else []

    def reads(self, rule: CompiledRule) -> list[exp.Expression]:
        """The trees of the kind's own keys, for lineage (``where`` and joins are read anyway)."""
        return [t for t in (rule.expect, *rule.group_by) if t is not None]

    def groups(self, rule: CompiledRule) -> dict[str, exp.Expression]:
        """Group name -> expression, for a kind that cites violations by group (waiver keys)."""
        return {}

    def message_variables(self, groups: tuple[tuple[str, bool], ...]) -> dict[str, bool]:
        """Message variables the kind adds -> whether each is personal, given (group name, personal)."""
        return {}


class RecordKind(Kind):
    """A kind that judges each record on its own, in the fused scan of its dataset."""

    per_record: ClassVar[bool] = True

    @abstractmethod
    def failed(self, rule: CompiledRule) -> exp.Expression:
        """SQL: TRUE for a record that does not satisfy the rule (``where`` aside)."""

    def violation(self, rule: CompiledRule) -> exp.Expression:
        """SQL: TRUE for a record the rule judges and that fails it."""
        failed = self.failed(rule)
        return failed if rule.where is None else as_expression(exp.and_(applies(rule.where), failed))

    def query(self, rule: CompiledRule, table_of: TableOf) -> exp.Select:
        q = exp.select(row_column()).from_(table(table_of(rule.dataset)).as_(MAIN_ALIAS))
        return add_joins(q, rule.joins, table_of).where(self.violation(rule))

    def example_violations(self, engine: Runner, rule: CompiledRule, table_of: TableOf) -> int:
        q = exp.select(exp.Count(this=exp.Star())).from_(self.query(rule, table_of).subquery("v"))
        return int(engine.fetchall(q.sql(dialect=DIALECT))[0][0] or 0)


class QueryKind(Kind):
    """A kind that runs queries of its own, one rule version at a time."""

    @abstractmethod
    def evaluate(self, rule: CompiledRule, table_name: str, table_of: TableOf, waivers: Waivers,
                 ev: Evaluation) -> Found:
        """Count and cite the violations of ``rule`` on the table ``table_name``."""
