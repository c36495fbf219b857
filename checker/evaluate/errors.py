"""A rule's engine error as its result says it, scrubbed of the values it quotes."""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from checker.compile.rules import CompiledRule
from checker.evaluate.records import Lineages
from checker.i18n import Joined, Msg, _
from checker.model.dataset import DatasetSchema
from checker.scrub import first_line
from checker.scrub import kind as error_kind
from checker.waivers import Waiver, for_rule


class EngineFailure(RuntimeError):
    """An engine error no single check accounts for; its text is scrubbed of record values."""


class RuleErrors:
    def __init__(self, schemas: Mapping[str, DatasetSchema], lineages: Lineages, waivers: list[Waiver]):
        self.schemas, self.lineages, self.waivers = schemas, lineages, waivers

    def of(self, err: BaseException, rule: CompiledRule) -> Joined:
        """The error's kind and wording with every value it quoted replaced by '…', and the columns the
        rule reads.  When the rule or one of its waivers reads personal data, only the error's kind is
        kept: an engine may quote a value in ways no scrubbing foresees (an invalid regular expression
        taken from a column, say)."""
        reads = self.lineages.of(rule).read_names
        what: Msg | str = (_("{kind} (details withheld: the rule reads personal data)", kind=error_kind(err))
                           if self._reads_personal(rule) else first_line(err))
        parts = [_("the SQL of rule {rule} failed on this data: {what}", rule=rule.id, what=what)]
        if reads:
            parts.append(_("the rule reads {columns}; values from the data are not shown", columns=", ".join(reads)))
        parts.append(_("check the types the rule compares (run `checker lint`) and its parameters and waivers"))
        return Joined(parts)

    def _pii(self, dataset: str, column: str) -> bool:
        schema = self.schemas.get(dataset)
        return bool(schema and column in schema.columns and schema.columns[column].pii)

    def _reads_personal(self, rule: CompiledRule) -> bool:
        """Whether the rule's SQL or a live waiver of it reads an ``x-pii`` column."""
        if any(self._pii(ds, col) for ds, col in self.lineages.of(rule).reads):
            return True
        own = self.schemas.get(rule.dataset)
        return any(own is not None and c.name in own.pii_columns
                   for w in for_rule(self.waivers, rule.id) if w.condition is not None
                   for c in w.condition.find_all(exp.Column))
