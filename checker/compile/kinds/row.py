"""Row rule: every record (that ``where`` selects) must satisfy ``expect``.

``expect`` is a SQL boolean over one record; NULL counts as a failure, so a missing
value fails the rule unless the expression handles it (``coalesce``, ``IS NULL``).
All row rules of a dataset run in the same scan as its structural checks.

PASS::

    - id: CS-001
      dataset: crm.complaints
      where: severity = 'high'
      expect: first_response_at <= created_at + to_hours(:high_response_hours)

FAIL (aggregate in a row rule)::

    expect: count(*) > 1        # X204: use group_by for aggregates
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from checker.compile.kinds.base import CompileTools, Parts, RecordKind, flag
from checker.model.ruleset import Rule

if TYPE_CHECKING:
    from checker.compile.rules import CompiledRule

__all__ = ["RowKind"]


class RowKind(RecordKind):
    name = "row"

    def compile(self, rule: Rule, tools: CompileTools) -> Parts:
        return Parts(expect=tools.expression(rule.expect, ("expect",)))

    def failed(self, rule: CompiledRule) -> exp.Expression:
        assert rule.expect is not None
        return exp.not_(flag(rule.expect))
