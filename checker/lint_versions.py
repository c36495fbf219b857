"""Version hygiene of rulesets, for `checker lint`.

* one file per version: the same ruleset version defined twice is an error (R130);
* versions of one ruleset may not be in force on the same day (R131);
* changelog entries are newest first, the newest is the file's own version, and none
  is newer than it (R132);
* a rule whose logic (dataset, where, expect, unique, group_by, join) or whose
  parameters changed between two versions needs a minor or major bump, not a patch (R133).
"""

from __future__ import annotations

import itertools
import re

from checker import codes
from checker.i18n import _
from checker.load.rulesets import LoadedRuleset
from checker.problems import Problem


def version_problems(rulesets: list[LoadedRuleset]) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, list[LoadedRuleset]] = {}
    for rs in rulesets:
        by_id.setdefault(rs.model.ruleset, []).append(rs)
        problems += _changelog(rs)
    for rid, versions in by_id.items():
        versions.sort(key=lambda v: v.model.version_tuple)
        seen: dict[str, LoadedRuleset] = {}
        for rs in versions:
            if rs.model.version in seen:
                problems.append(Problem(rs.positions.value(("version",)), codes.R130,
                                        _("version {version} of ruleset {ruleset} is also defined in {path}",
                                          version=rs.model.version, ruleset=rid,
                                          path=str(seen[rs.model.version].path)),
                                        hint=_("bump the version of the changed file")))
            seen.setdefault(rs.model.version, rs)
        for a, b in itertools.pairwise(versions):
            if _overlap(a, b):
                both = _("ruleset {ruleset} {version} is in force on days when {other} ({path}) also is",
                         ruleset=rid, version=b.model.version, other=a.model.version, path=str(a.path))
                problems.append(Problem(b.positions.value(("effective",)), codes.R131, both,
                                        hint=_("end {version} the day before {day} with 'to:'",
                                               version=a.model.version, day=str(b.model.effective.from_))))
            if a.model.version != b.model.version:
                problems += _logic_changes(a, b)
    return problems


def _overlap(a: LoadedRuleset, b: LoadedRuleset) -> bool:
    ea, eb = a.model.effective, b.model.effective
    a_end = ea.to or eb.from_.max
    b_end = eb.to or ea.from_.max
    return ea.from_ <= b_end and eb.from_ <= a_end


def _changelog(rs: LoadedRuleset) -> list[Problem]:
    out: list[Problem] = []
    entries = rs.model.changelog
    if not entries:
        return out
    own = rs.model.version_tuple
    tuples = [tuple(int(x) for x in e.version.split("+")[0].split("-")[0].split(".")) for e in entries]
    if entries[0].version != rs.model.version:
        out.append(Problem(rs.positions.value(("changelog", 0, "version")), codes.R132,
                           _("the newest changelog entry is {entry}, but this file is version {version}",
                             entry=entries[0].version, version=rs.model.version),
                           hint=_("add an entry for this version at the top")))
    for i, t in enumerate(tuples):
        if t > own:
            out.append(Problem(rs.positions.value(("changelog", i, "version")), codes.R132,
                               _("changelog entry {entry} is newer than the file's version {version}",
                                 entry=entries[i].version, version=rs.model.version)))
    if tuples != sorted(tuples, reverse=True):
        out.append(Problem(rs.positions.value(("changelog",)), codes.R132, _("changelog entries must be newest first")))
    return out


LOGIC = ("dataset", "where", "expect", "unique", "group_by", "join")


def _signature(rs: LoadedRuleset, rule) -> tuple:
    data = rule.model_dump(by_alias=True)
    logic = tuple(str(data.get(k)) for k in LOGIC) + (rule.kind, str(rule.plugin_value))  # a plugin kind's key
    text = " ".join(str(data.get(k) or "") for k in LOGIC)
    params = tuple(sorted((p, str(v)) for p, v in rs.model.params.items() if re.search(rf":{p}\b", text)))
    return logic, params


def _logic_changes(a: LoadedRuleset, b: LoadedRuleset) -> list[Problem]:
    out: list[Problem] = []
    major_a, minor_a, _patch_a = a.model.version_tuple
    major_b, minor_b, _patch_b = b.model.version_tuple
    if (major_a, minor_a) != (major_b, minor_b):
        return out
    old = {r.id: r for r in a.model.rules}
    for i, rule in enumerate(b.model.rules):
        if rule.id in old and _signature(a, old[rule.id]) != _signature(b, rule):
            next_minor, next_major = f"{major_b}.{minor_b + 1}.0", f"{major_b + 1}.0.0"
            out.append(Problem(b.positions.value(("rules", i, "id")), codes.R133,
                               _("rule {rule} judges differently in {version} than in {other} "
                                 "(its logic or parameters changed) but only the patch version was bumped",
                                 rule=rule.id, version=b.model.version, other=a.model.version),
                               hint=_("make this version {minor} or {major}",
                                      minor=next_minor, major=next_major)))
    return out
