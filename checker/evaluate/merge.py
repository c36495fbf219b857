"""Merging: the partials of one rule (one per judged version) or one structural check into its result.

Samples are the first N of all versions by record; with a baseline each sample says whether it
is new, and the result counts new, existing and fixed violations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.baseline import Baseline, Fingerprinter
from checker.compile.plan import explain_sql
from checker.engine.loading import Loaded
from checker.evaluate.partials import Partial, RulePartial, SchemaPartial
from checker.i18n import Joined, both
from checker.model.result import BaselineCount, RuleResult, Sample, Texts, VersionCount
from checker.model.ruleset import SEMVER


@dataclass(frozen=True)
class Merging:
    loaded: dict[str, Loaded]
    fingerprints: dict[str, set[str]]
    baseline: Baseline | None
    prints: Fingerprinter
    samples: int
    uncovered: dict[tuple[str, str], int]

    def results(self, partials: list[Partial]) -> list[RuleResult]:
        by_id: dict[str, list[Partial]] = {}
        for p in partials:
            by_id.setdefault(p.rule_id, []).append(p)
        out = []
        for rule_id, parts in by_id.items():
            rules = [p for p in parts if isinstance(p, RulePartial)]
            out.append(self._rule(rule_id, rules) if rules else
                       self._schema(rule_id, [p for p in parts if isinstance(p, SchemaPartial)]))
        return out

    def _samples(self, rule_id: str, parts: Sequence[Partial]) -> tuple[list[Sample], list[Sample],
                                                                        list[str], BaselineCount | None]:
        samples = sorted((s for p in parts for s in p.samples), key=_order)[: self.samples]
        waived = sorted((s for p in parts for s in p.waived_samples), key=_order)[: self.samples]
        prints = sorted(self.fingerprints.get(rule_id, set()))
        base = None
        # a check whose fingerprints were withheld (personal keys, no secret) cannot be compared
        if self.baseline is not None and rule_id not in self.prints.withheld:
            known = self.baseline.known(rule_id)
            new = len(set(prints) - known)
            base = BaselineCount(new=new, existing=len(prints) - new, fixed=len(known - set(prints)))
            for s in samples:
                s.new = s.fingerprint not in known
        return samples, waived, prints, base

    def _schema(self, rule_id: str, parts: list[SchemaPartial]) -> RuleResult:
        check = parts[0].check
        loaded = self.loaded[check.dataset]
        samples, waived, prints, base = self._samples(rule_id, parts)
        violations = sum(p.violations for p in parts)
        return RuleResult(
            rule_id=rule_id, ruleset=None, ruleset_version=None, kind="schema", clauses=[],
            severity=check.severity, dataset=check.dataset, status="fail" if violations else "pass",
            checked=parts[0].checked, violations=violations, waived=sum(p.waived for p in parts), samples=samples,
            waived_samples=waived, baseline=base, fingerprints=prints,
            location=str(loaded.schema.columns[check.column].span) if check.column else loaded.schema.path)

    def _rule(self, rule_id: str, parts: list[RulePartial]) -> RuleResult:
        rule = parts[0].rule
        samples, waived, prints, base = self._samples(rule_id, parts)
        errors = [p.error for p in parts if p.error]
        violations = sum(p.violations for p in parts)
        versions = [VersionCount(version=p.version, checked=p.checked, violations=p.violations, waived=p.waived,
                                 sql=explain_sql(p.rule)) for p in sorted(parts, key=lambda p: _semver(p.version))]
        labels = [v.version for v in versions]
        return RuleResult(
            rule_id=rule_id, ruleset=rule.ruleset.ruleset, ruleset_version=labels[0] if len(labels) == 1 else labels,
            title={"zh": rule.rule.title.zh, "en": rule.rule.title.en}, kind=rule.kind,
            clauses=list(rule.rule.clauses), severity=rule.rule.severity.value, dataset=rule.dataset,
            status="error" if errors else ("fail" if violations else "pass"), checked=sum(p.checked for p in parts),
            violations=violations, waived=sum(p.waived for p in parts), samples=samples, waived_samples=waived,
            versions=versions, uncovered=self.uncovered.get((rule.ruleset.ruleset, rule.dataset), 0),
            baseline=base, fingerprints=prints, errors=Texts(**both(Joined(errors))) if errors else None,
            location=str(rule.span), sql=explain_sql(rule))


def _order(sample: Sample) -> tuple[bool, int]:
    return (sample.row is None, sample.row or 0)


def _semver(version: str) -> tuple[int, ...]:
    m = SEMVER.match(version)
    return tuple(int(x) for x in m.groups()[:3]) if m else (0, 0, 0)
