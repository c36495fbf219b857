"""Samples: the first violations of a result, each with its key, message (in every language) and fingerprint.

A record sample's message is the rule's template over the record (personal values masked by
lineage), else its title; a structural sample's is the check's message over the value found;
a group sample (a kind cited by group key) shows the group key, masked where it derives from
personal data.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from checker.compile.kinds.base import MAIN_ALIAS, GroupHit, row_column
from checker.compile.lineage import RuleLineage
from checker.compile.rules import CompiledRule
from checker.compile.structural import StructuralCheck
from checker.engine.loading import Loaded
from checker.evaluate.records import Lineages, Records, rows_condition
from checker.evaluate.waiving import Waiving
from checker.i18n import LANGS, both
from checker.messages import display, mask, record_view
from checker.model.result import Sample, Texts
from checker.sql.text import DIALECT, tree


def texts(rule: CompiledRule, record: dict[str, Any]) -> Texts:
    """A sample's message in every language: the rule's message template, else its title."""
    if rule.message:
        return Texts(**{lang: rule.message.render(lang, record) for lang in LANGS})
    return Texts(zh=rule.rule.title.get("zh"), en=rule.rule.title.get("en"))


def mask_derived(value: Any) -> str:
    """A value derived from personal data by an expression, masked: its first and last characters only."""
    text = str(value)
    return text[:1] + "*" * (len(text) - 2) + text[-1:] if len(text) > 2 else "*" * len(text)


class Samples:
    def __init__(self, records: Records, lineages: Lineages, waiving: Waiving, fetchall: Any, show_pii: bool):
        self.records, self.lineages, self.waiving = records, lineages, waiving
        self._fetchall = fetchall
        self.show_pii = show_pii

    def record(self, loaded: Loaded, rule: CompiledRule, row: int, version: str | None,
               waived: bool = False) -> Sample:
        """The sample of a record (fetched before) that violates a rule."""
        record = self.records.record(loaded, row)
        view = record_view(record, self.lineages.of(rule).personal_variables(record), self.show_pii)
        view["row"] = row
        return Sample.of(texts(rule, view), row=row, key=self.records.shown_key(loaded, row), version=version,
                         fingerprint=self.records.fingerprint(loaded, rule.id, row),
                         waiver=self.waiving.which(loaded, rule.id, row) if waived else None)

    def structural(self, loaded: Loaded, check: StructuralCheck, rows: list[int],
                   waived: bool = False) -> list[Sample]:
        """The samples of the records ``rows`` that violate a structural check, with the value found."""
        if not rows:
            return []
        q = (exp.select(row_column(), tree(check.evidence))
             .from_(exp.to_table(loaded.table).as_(MAIN_ALIAS))
             .where(rows_condition(loaded, MAIN_ALIAS, rows)).order_by(row_column()))
        return [self._structural(loaded, check, row, evidence, waived)
                for row, evidence in self._fetchall(q.sql(dialect=DIALECT))]

    def _structural(self, loaded: Loaded, check: StructuralCheck, row: int, evidence: Any, waived: bool) -> Sample:
        value = "null" if evidence is None else str(evidence)
        if check.pii and not self.show_pii and evidence is not None:
            value = mask(value)
        shown = value if check.keyword == "shape" else (f"'{value}'" if evidence is not None else "null")
        return Sample.of(Texts(**both(check.message(shown, null=evidence is None))), row=row,
                         key=self.records.shown_key(loaded, row),
                         fingerprint=self.records.fingerprint(loaded, check.rule_id, row),
                         waiver=self.waiving.which(loaded, check.rule_id, row) if waived else None)

    def group(self, rule: CompiledRule, hit: GroupHit, shown: dict[str, Any], version: str,
              fingerprint: str | None) -> Sample:
        """The sample of a failing group, its key as :meth:`group_view` shows it."""
        record = dict(shown)
        record.update(group=shown, row=None, records=hit.records)
        key = shown if rule.group_by else None      # a dataset rule's one verdict has no key
        return Sample.of(texts(rule, record), row=None, key=key, version=version, fingerprint=fingerprint,
                         waiver=hit.waiver)

    def group_view(self, lineage: RuleLineage, names: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
        """A group key as every output shows it (sample key, message, --violations-out): display values,
        each one derived from an x-pii column masked unless --show-pii.  A bare column is masked as its
        column is everywhere (``138****5678``); any other expression keeps only its first and last
        characters, since its value may join several personal values (``concat(email, name)``), each
        of which a longer visible end could show whole."""
        out = {}
        for name, value in zip(names, values, strict=True):
            value = display(value)
            if value is not None and name in lineage.personal_groups and not self.show_pii:
                value = mask_derived(value) if name in lineage.derived_groups else mask(value)
            out[name] = value
        return out
