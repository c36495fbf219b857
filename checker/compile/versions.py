"""Rules through time: which version of a ruleset judges which records.

For a dataset with ``x-record-date``, each record is judged by the ruleset version in
force on the record's own date: every version becomes a condition on that date in
the same scan (a rule added in v2 does not judge records dated before v2).  Other
datasets are judged by the version in force on ``--as-of``.  ``--rules-at D`` forces
the version in force on D for every record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlglot import exp

from checker.compile import kinds
from checker.compile.kinds.base import MAIN_ALIAS
from checker.compile.rules import CompiledRule
from checker.i18n import Msg, _
from checker.load.rulesets import LoadedRuleset
from checker.model.dataset import DatasetSchema
from checker.sql.text import as_expression


@dataclass(frozen=True)
class Judged:
    """One version of one rule, restricted to the records that version judges."""

    rule: CompiledRule        # its `where` includes the version's date condition
    version: str


@dataclass(frozen=True)
class Skipped:
    rule: CompiledRule
    reason: Msg


@dataclass(frozen=True)
class Coverage:
    """Records of a dataset that no version of a ruleset covers."""

    ruleset: str
    dataset: str
    uncovered: exp.Expression  # TRUE for a record no version covers


def in_force(versions: list[LoadedRuleset], day: dt.date) -> LoadedRuleset | None:
    live = [v for v in versions if v.model.effective.covers(day)]
    return max(live, key=lambda v: v.model.version_tuple) if live else None


def date_condition(column: str, rs: LoadedRuleset) -> exp.Expression:
    """SQL: the record's date falls within the version's effective range."""
    day = exp.cast(exp.column(column, table=MAIN_ALIAS, quoted=True), exp.DataType.build("DATE"))
    eff = rs.model.effective
    low = exp.GTE(this=day, expression=exp.cast(exp.Literal.string(eff.from_.isoformat()), exp.DataType.build("DATE")))
    if eff.to is None:
        return low
    high = exp.LTE(this=day.copy(), expression=exp.cast(exp.Literal.string(eff.to.isoformat()),
                                                        exp.DataType.build("DATE")))
    return as_expression(exp.and_(low, high))


def own_days(column: str, rs: LoadedRuleset, versions: list[LoadedRuleset]) -> exp.Expression:
    """SQL: the record's date is one this version judges — in its range and in no newer version's.

    Lint refuses overlapping ranges (R131); should they overlap anyway, the newest version in
    force judges a record, as :func:`in_force` picks, and no record is judged twice.
    """
    newer = [v for v in versions if v.model.version_tuple > rs.model.version_tuple]
    cond = date_condition(column, rs)
    if not newer:
        return cond
    taken = exp.or_(*[exp.paren(date_condition(column, v)) for v in newer])
    return as_expression(exp.and_(exp.paren(cond), exp.not_(exp.func("coalesce", exp.paren(taken), exp.false()))))


def restrict(rule: CompiledRule, condition: exp.Expression) -> CompiledRule:
    if rule.where is None:
        return dataclasses.replace(rule, where=condition)
    return dataclasses.replace(rule, where=as_expression(exp.and_(exp.paren(condition.copy()),
                                                                  exp.paren(rule.where.copy()))))


def plan(rulesets: list[LoadedRuleset], compiled: list[CompiledRule], schemas: dict[str, DatasetSchema],
         as_of: dt.date, rules_at: dt.date | None) -> tuple[list[Judged], list[Skipped], list[Coverage],
                                                              list[LoadedRuleset]]:
    """Judged rule versions, rules no version judges, uncovered-record conditions, versions used."""
    by_file: dict[str, list[CompiledRule]] = {}
    for rule in compiled:
        by_file.setdefault(rule.source.path, []).append(rule)
    by_id: dict[str, list[LoadedRuleset]] = {}
    for rs in rulesets:
        by_id.setdefault(rs.model.ruleset, []).append(rs)

    judged: list[Judged] = []
    skipped: list[Skipped] = []
    coverage: list[Coverage] = []
    used: dict[str, LoadedRuleset] = {}
    for rid, versions in sorted(by_id.items()):
        versions.sort(key=lambda v: v.model.version_tuple)
        forced = in_force(versions, rules_at) if rules_at else None
        current = in_force(versions, as_of)
        seen_ids: set[str] = set()
        datasets_dated: dict[str, str] = {}  # dataset -> its record-date column
        for rs in reversed(versions):  # newest first, so a skipped rule is reported from its newest version
            for rule in by_file.get(rs.path, []):
                schema = schemas[rule.dataset]
                if rules_at:
                    if rs is forced:
                        judged.append(Judged(rule, rs.model.version))
                        used[rs.path] = rs
                    elif forced is None and rule.id not in seen_ids:
                        skipped.append(Skipped(rule, _("no version of ruleset {ruleset} is in force on {day}",
                                                        ruleset=rid, day=str(rules_at))))
                elif schema.record_date and kinds.of(rule).per_record:
                    judged.append(Judged(restrict(rule, own_days(schema.record_date, rs, versions)),
                                         rs.model.version))
                    used[rs.path] = rs
                    datasets_dated[rule.dataset] = schema.record_date
                elif schema.record_date:
                    # groups are judged whole: by the newest version holding the rule that is in force
                    # on --as-of (else the newest holding it), over the records of the versions holding it
                    if rule.id not in seen_ids:
                        holders = [v for v in versions if any(r.id == rule.id for r in v.model.rules)]
                        live = next((v for v in reversed(holders) if v.model.effective.covers(as_of)), None)
                        if live is None and kinds.of(rule).name == "dataset":
                            seen_ids.add(rule.id)      # a dataset rule: only the version in force on --as-of
                            continue
                        pick = live or holders[-1]
                        mine = next(r for r in by_file.get(pick.path, []) if r.id == rule.id)
                        days = exp.or_(*[exp.paren(own_days(schema.record_date, v, versions)) for v in holders])
                        judged.append(Judged(restrict(mine, as_expression(days)), pick.model.version))
                        used[pick.path] = pick
                        datasets_dated[rule.dataset] = schema.record_date
                elif rs is current:
                    judged.append(Judged(rule, rs.model.version))
                    used[rs.path] = rs
                seen_ids.add(rule.id)
        judged_ids = {j.rule.id for j in judged}
        for rs in reversed(versions):
            for rule in by_file.get(rs.path, []):
                if rule.id not in judged_ids and not any(s.rule.id == rule.id for s in skipped):
                    ref, day = (forced, f"{rules_at} (--rules-at)") if rules_at else (current, str(as_of))
                    why = (_("no version of ruleset {ruleset} is in force on {day}", ruleset=rid, day=day)
                           if ref is None else
                           _("not in version {version} of {ruleset}, the one in force on {day}",
                             version=ref.model.version, ruleset=rid, day=day))
                    skipped.append(Skipped(rule, why))
        for dataset, column in sorted(datasets_dated.items()):
            covered = exp.or_(*[exp.paren(date_condition(column, v)) for v in versions])
            uncovered = exp.not_(exp.func("coalesce", exp.paren(covered), exp.false()))
            coverage.append(Coverage(rid, dataset, uncovered))
    return judged, skipped, coverage, list(used.values())
