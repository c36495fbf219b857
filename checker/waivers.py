"""Waivers: approved exceptions to a rule, with a reason, an approver and an expiry.

A waiver file is a YAML list::

    - rule: CS-001
      keys: [{complaint_id: C000123}]          # or: where: "channel = 'store'"
      reason: 客戶要求延後回覆 / customer asked to be called back later
      approved_by: 王經理
      expires: 2026-12-31

``rule`` may also name a structural check of a dataset schema (``schema:crm.complaints.phone:pattern``);
its ``where`` and ``keys`` are then over that dataset.  A waived violation counts as waived, not as
a violation.  A waiver past its expiry does not apply and the run warns about it; so does a waiver
that matches nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from sqlglot import exp

from checker import codes
from checker.compile import kinds
from checker.compile.expr import ExprContext, compile_expression, verify_regenerated
from checker.compile.rules import MAIN_ALIAS, CompiledRule
from checker.compile.structural import structural_ids
from checker.i18n import Msg, _
from checker.load.rulesets import validation_problems
from checker.load.yamlio import Positions, load_file
from checker.model.dataset import DatasetSchema
from checker.model.ruleset import Strict
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.sql.text import as_expression, literal


class WaiverEntry(Strict):
    id: str | None = Field(default=None, description="optional stable id; default W<n>, n its position")
    rule: str
    where: str | None = Field(default=None, description="SQL over the rule's dataset")
    keys: list[dict[str, Any]] | None = Field(default=None, min_length=1, description="record or group keys")
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    expires: dt.date

    @model_validator(mode="after")
    def _one_selector(self) -> WaiverEntry:
        if (self.where is None) == (self.keys is None):
            raise ValueError(_("a waiver needs exactly one of 'where' or 'keys'"))
        return self


@dataclass(frozen=True)
class Waiver:
    entry: WaiverEntry
    id: str
    span: Span
    expired: bool
    condition: exp.Expression | None     # over the rule's dataset (alias t); None when expired


def load_entries(path: Path) -> tuple[list[tuple[int, WaiverEntry, str, Span]], list[Problem], Positions]:
    doc = load_file(path)
    pos = doc.positions
    if doc.data is None:
        return [], [], pos
    if not isinstance(doc.data, list):
        return [], [Problem(pos.value(()), codes.R103, _("a waiver file is a YAML list of waivers"),
                            hint=_("start each waiver with '- rule: RULE_ID'"))], pos
    entries, problems = [], []
    for i, item in enumerate(doc.data):
        try:
            entry = WaiverEntry.model_validate(item)
        except ValidationError as err:
            problems.extend(validation_problems(err, pos, WaiverEntry, prefix=(i,)))
            continue
        entries.append((i, entry, entry.id or f"W{i + 1}", pos.value((i,))))
    return entries, problems, pos


def compile_waivers(path: Path, rules: list[CompiledRule], schemas: dict[str, DatasetSchema],
                    as_of: dt.date) -> tuple[list[Waiver], list[Problem]]:
    """Load and compile a waiver file; problems are returned for lint and raised by check."""
    doc_entries, problems, pos = load_entries(path)
    by_id: dict[str, CompiledRule] = {}
    for compiled in rules:
        by_id.setdefault(compiled.id, compiled)
    structural = {sid: name for name, schema in schemas.items() for sid in structural_ids(schema)}
    waivers: list[Waiver] = []
    for i, entry, wid, span in doc_entries:
        rule = by_id.get(entry.rule)
        if rule is None and entry.rule not in structural:
            problems.append(Problem(pos.value((i, "rule")), codes.R104, _("waiver {waiver}: unknown rule '{rule}'",
                                                                      waiver=wid, rule=entry.rule),
                                    hint=did_you_mean(entry.rule, list(by_id) + list(structural))))
            continue
        expired = entry.expires < as_of
        try:
            schema = schemas[rule.dataset if rule is not None else structural[entry.rule]]
            condition = _condition(entry, wid, schema, rule, pos, i, as_of)
        except CheckerError as err:
            problems.extend(err.problems)
            continue
        waivers.append(Waiver(entry, wid, span, expired, None if expired else condition))
    return waivers, problems


def _condition(entry: WaiverEntry, wid: str, schema: DatasetSchema, rule: CompiledRule | None, pos: Positions,
               i: int, as_of: dt.date) -> exp.Expression:
    """The waiver's SQL condition over the records (or groups) of the rule's dataset; ``rule`` is None for
    a structural check (no params, no groups)."""
    if entry.where is not None:
        params = dict(rule.ruleset.params) if rule is not None else {}
        params["as_of"] = as_of
        ctx = ExprContext(_waived(entry, wid), pos.text_start((i, "where")), schema, MAIN_ALIAS, {},
                            params, False, "where")
        return compile_expression(entry.where, ctx)
    groups = kinds.of(rule).groups(rule) if rule is not None else {}
    group_names = list(groups)
    alternatives = []
    for k, key in enumerate(entry.keys or []):
        parts = []
        for col, value in key.items():
            if col in schema.columns:
                target: exp.Expression = exp.column(col, table=MAIN_ALIAS, quoted=True)
                column = schema.columns[col]
                if value is not None and not (column.numeric and isinstance(value, (int, float))
                                              and not isinstance(value, bool)):
                    # compare as text: a YAML number for a text id (or a date) must not be a type error
                    target = exp.cast(target, exp.DataType.build("VARCHAR"))
                    value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else \
                        value.isoformat() if isinstance(value, dt.date) else (
                        ("true" if value else "false") if isinstance(value, bool) else str(value))
            elif col in group_names:
                target = groups[col]
            else:
                raise CheckerError([Problem(pos.value((i, "keys", k, col)), codes.R112,
                                            _("waiver {waiver}: '{column}' is not a column of {dataset}",
                                              waiver=wid, column=col, dataset=schema.name),
                                            hint=did_you_mean(col, list(schema.columns) + group_names))])
            parts.append(exp.EQ(this=target.copy(), expression=literal(value)) if value is not None
                         else exp.Is(this=target.copy(), expression=exp.Null()))
        alternatives.append(exp.paren(exp.and_(*parts)))
    ctx = ExprContext(_waived(entry, wid), pos.value((i, "keys")), schema, MAIN_ALIAS, what="keys")
    return verify_regenerated(as_expression(exp.or_(*alternatives)), ctx)


def _waived(entry: WaiverEntry, wid: str) -> Msg:
    """How a problem in a waiver's SQL names its rule: the rule and the waiver."""
    return _("{rule} (waiver {waiver})", rule=entry.rule, waiver=wid)


def for_rule(waivers: list[Waiver], rule_id: str) -> list[Waiver]:
    return [w for w in waivers if w.entry.rule == rule_id and w.condition is not None]
