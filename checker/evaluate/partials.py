"""What one check found before the versions of a rule are merged: a tagged union of two shapes."""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.compile.rules import CompiledRule
from checker.compile.structural import StructuralCheck
from checker.i18n import Joined, Msg
from checker.model.result import Sample


@dataclass
class RulePartial:
    """What one version of one rule found, or the error it met."""

    rule: CompiledRule
    version: str
    checked: int = 0
    violations: int = 0
    waived: int = 0
    samples: list[Sample] = field(default_factory=list)
    waived_samples: list[Sample] = field(default_factory=list)
    error: Msg | Joined | None = None

    @property
    def rule_id(self) -> str:
        return self.rule.id


@dataclass
class SchemaPartial:
    """What one structural check of a dataset schema found."""

    check: StructuralCheck
    checked: int
    violations: int
    waived: int
    samples: list[Sample]
    waived_samples: list[Sample]

    @property
    def rule_id(self) -> str:
        return self.check.rule_id


Partial = RulePartial | SchemaPartial
