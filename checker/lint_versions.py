"""Version hygiene of rulesets, for `checker lint`.

* one file per version: the same ruleset version defined twice is an error (R130);
* versions of one ruleset may not be in force on the same day (R131);
* changelog entries are newest first, the newest is the file's own version, and none
  is newer than it (R132);
* a rule whose logic (dataset, where, expect, unique, group_by, join) or whose
  parameters changed between two versions needs a minor or major bump, not a patch (R133).
"""

from __future__ import annotations

import re

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
                problems.append(Problem(rs.positions.value(("version",)), "R130",
                                        f"version {rs.model.version} of ruleset {rid} is also defined in "
                                        f"{seen[rs.model.version].path}", hint="bump the version of the changed file"))
            seen.setdefault(rs.model.version, rs)
        for a, b in zip(versions, versions[1:]):
            if _overlap(a, b):
                problems.append(Problem(b.positions.value(("effective",)), "R131",
                                        f"ruleset {rid} {b.model.version} is in force on days when {a.model.version} "
                                        f"({a.path}) also is", hint=f"end {a.model.version} the day before "
                                                                    f"{b.model.effective.from_} with 'to:'"))
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
        out.append(Problem(rs.positions.value(("changelog", 0, "version")), "R132",
                           f"the newest changelog entry is {entries[0].version}, but this file is version "
                           f"{rs.model.version}", hint="add an entry for this version at the top"))
    for i, t in enumerate(tuples):
        if t > own:
            out.append(Problem(rs.positions.value(("changelog", i, "version")), "R132",
                               f"changelog entry {entries[i].version} is newer than the file's version {rs.model.version}"))
    if tuples != sorted(tuples, reverse=True):
        out.append(Problem(rs.positions.value(("changelog",)), "R132", "changelog entries must be newest first"))
    return out


LOGIC = ("dataset", "where", "expect", "unique", "group_by", "join")


def _signature(rs: LoadedRuleset, rule) -> tuple:
    data = rule.model_dump(by_alias=True)
    logic = tuple(str(data.get(k)) for k in LOGIC)
    text = " ".join(str(data.get(k) or "") for k in LOGIC)
    params = tuple(sorted((p, str(v)) for p, v in rs.model.params.items() if re.search(rf":{p}\b", text)))
    return logic, params


def _logic_changes(a: LoadedRuleset, b: LoadedRuleset) -> list[Problem]:
    out: list[Problem] = []
    major_a, minor_a, _ = a.model.version_tuple
    major_b, minor_b, _ = b.model.version_tuple
    if (major_a, minor_a) != (major_b, minor_b):
        return out
    old = {r.id: r for r in a.model.rules}
    for i, rule in enumerate(b.model.rules):
        if rule.id in old and _signature(a, old[rule.id]) != _signature(b, rule):
            out.append(Problem(b.positions.value(("rules", i, "id")), "R133",
                               f"rule {rule.id} judges differently in {b.model.version} than in {a.model.version} "
                               "(its logic or parameters changed) but only the patch version was bumped",
                               hint=f"make this version {major_b}.{minor_b + 1}.0 or {major_b + 1}.0.0"))
    return out
