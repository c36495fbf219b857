"""``extends``: a ruleset inherits the rules and params of others.

A child version inherits, from each parent, the parent version in force on the
child's first effective day (else the parent's newest version).  The child's params
override the parent's; ``disable: {RULE_ID: reason}`` switches inherited rules off with
a recorded reason; a rule the child defines itself replaces an inherited one with the
same id.  A ruleset that a loaded ruleset extends is not evaluated on its own: its
rules run inside the child.
"""

from __future__ import annotations

from checker import codes
from checker.i18n import _
from checker.load.rulesets import LoadedRuleset
from checker.problems import Problem, did_you_mean


def resolve(rulesets: list[LoadedRuleset]) -> tuple[list[LoadedRuleset], list[Problem]]:
    """The effective rulesets (children merged, extended parents left out) and the problems found."""
    by_id: dict[str, list[LoadedRuleset]] = {}
    for rs in rulesets:
        by_id.setdefault(rs.model.ruleset, []).append(rs)
    problems: list[Problem] = []
    for rs in rulesets:
        for i, parent in enumerate(rs.model.extends):
            if parent not in by_id:
                problems.append(Problem(rs.positions.value(("extends", i)), codes.R141,
                                        _("ruleset {ruleset} extends unknown ruleset '{parent}'",
                                          ruleset=rs.model.ruleset, parent=parent),
                                        hint=did_you_mean(parent, by_id)))
    cycle = _cycles(by_id)
    for rs, chain in cycle:
        problems.append(Problem(rs.positions.value(("extends",)), codes.R140,
                                _("ruleset {ruleset} extends itself through {chain}",
                                  ruleset=rs.model.ruleset, chain=" -> ".join(chain))))
    if problems:
        return rulesets, problems
    merged = {id(rs): _merge(rs, by_id, problems) for rs in rulesets}
    extended = {p for rs in rulesets for p in rs.model.extends}
    effective = [merged[id(rs)] for rs in rulesets if rs.model.ruleset not in extended]
    return effective, problems


def _cycles(by_id: dict[str, list[LoadedRuleset]]) -> list[tuple[LoadedRuleset, list[str]]]:
    out = []
    for rid, versions in by_id.items():
        for rs in versions:
            stack = [(rid, [rid])]
            seen: set[str] = set()
            while stack:
                cur, chain = stack.pop()
                for v in by_id.get(cur, []):
                    for parent in v.model.extends:
                        if parent == rid:
                            out.append((rs, chain + [parent]))
                            stack = []
                            break
                        if parent not in seen:
                            seen.add(parent)
                            stack.append((parent, chain + [parent]))
            if out and out[-1][0] is rs:
                break
    return out


def _pick(versions: list[LoadedRuleset], child: LoadedRuleset) -> LoadedRuleset:
    day = child.model.effective.from_
    live = [v for v in versions if v.model.effective.covers(day)]
    return max(live or versions, key=lambda v: v.model.version_tuple)


def _merge(rs: LoadedRuleset, by_id, problems: list[Problem], depth: int = 0) -> LoadedRuleset:
    if not rs.model.extends or depth > 20:
        own = dict.fromkeys(rs.model.params, f"{rs.model.ruleset} {rs.model.version} ({rs.path})")
        return LoadedRuleset(rs.model, rs.path, rs.positions, rs.sha256, dict(rs.inherited), own)
    rules, params = [], {}
    inherited: dict[str, tuple[LoadedRuleset, int]] = {}
    origin: dict[str, str] = {}
    own_ids = {r.id for r in rs.model.rules}
    for parent_id in rs.model.extends:
        parent = _merge(_pick(by_id[parent_id], rs), by_id, problems, depth + 1)
        for i, rule in enumerate(parent.model.rules):
            if rule.id in own_ids or rule.id in rs.model.disable or rule.id in inherited:
                continue
            rules.append(rule)
            inherited[rule.id] = parent.inherited.get(rule.id, (parent, i))
        params.update(parent.model.params)
        origin.update(parent.param_origin)
    available = {r.id for p in rs.model.extends for v in by_id[p] for r in v.model.rules}
    for rid in rs.model.disable:
        if rid not in available:
            problems.append(Problem(rs.positions.key(("disable", rid)), codes.R142,
                                    _("ruleset {ruleset} disables '{rule}', which it does not inherit",
                                      ruleset=rs.model.ruleset, rule=rid),
                                    hint=did_you_mean(rid, available)))
    for name, value in rs.model.params.items():
        params[name] = value
        origin[name] = f"{rs.model.ruleset} {rs.model.version} ({rs.path})"
    model = rs.model.model_copy(update={"rules": rules + list(rs.model.rules), "params": params})
    return LoadedRuleset(model, rs.path, rs.positions, rs.sha256, inherited, origin)
