"""A rule kind from outside the checker, for tests: ``not_null: [col, ...]``.

Every record (that ``where`` selects) must have a value in each of the columns.  It is a
:class:`~checker.compile.kinds.base.RecordKind`: judged in the fused scan of its dataset, by
the version in force on the record's own date.  Importing this module registers nothing;
:func:`register` does (and returns the name to unregister).
"""

from __future__ import annotations

from sqlglot import exp

from checker.compile import kinds
from checker.compile.kinds.base import MAIN_ALIAS, CompileTools, Parts, RecordKind
from checker.compile.rules import CompiledRule
from checker.model.ruleset import Rule

NAME = "not_null"


def _column(name: str) -> exp.Column:
    return exp.column(name, table=MAIN_ALIAS, quoted=True)


class NotNull(RecordKind):
    name = NAME
    key = "not_null"
    value_type = list[str]

    def compile(self, rule: Rule, tools: CompileTools) -> Parts:
        columns = rule.plugin_value
        for i, name in enumerate(columns):
            if name not in tools.columns:
                tools.unknown_column(("not_null", i), name, "not_null")
        return Parts(options=tuple(columns))

    def failed(self, rule: CompiledRule) -> exp.Expression:
        return exp.or_(*[exp.Is(this=_column(c), expression=exp.Null()) for c in rule.options])

    def reads(self, rule: CompiledRule) -> list[exp.Expression]:
        return [_column(c) for c in rule.options]

    def explain_lines(self, rule: Rule) -> list[tuple[str, str]]:
        return [("not_null", ", ".join(rule.plugin_value))]

    def texts(self, rule: Rule) -> list[str]:
        return []


def register() -> str:
    kinds.register(NotNull())
    return NAME
