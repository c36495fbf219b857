"""`checker diff OLD NEW [--data DIR]`: what changed between two rule trees, and what it does to data.

OLD and NEW are rule files or folders, or ``git:REV`` (the ``rules/`` folder of the
current repository at REV; ``git:REV:path`` names another folder).  Without data the
diff lists rulesets and rules added, removed and changed — which keys, old -> new
params and thresholds, version bumps.  With ``--data`` both trees check the same
exports and the diff shows, per rule, violations before and after and samples of the
records that newly fail or newly pass: the impact of the change before it is merged.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.load.extends import resolve
from checker.load.rulesets import LoadedRuleset, load_rulesets
from checker.problems import CheckerError, Problem, Span

SAMPLES = 5


@dataclass
class RuleChange:
    rule_id: str
    ruleset: str
    status: str                                   # added | removed | changed | unchanged
    keys: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    before: int | None = None
    after: int | None = None
    newly_failing: list[Any] = field(default_factory=list)
    newly_passing: list[Any] = field(default_factory=list)


@dataclass
class RulesetChange:
    ruleset: str
    status: str                                   # added | removed | changed | unchanged
    old_version: str | None
    new_version: str | None
    params: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class Diff:
    old: str
    new: str
    rulesets: list[RulesetChange]
    rules: list[RuleChange]
    data: str | None = None

    def to_dict(self) -> dict:
        def conv(x):
            if isinstance(x, tuple):
                return {"old": conv(x[0]), "new": conv(x[1])}
            if isinstance(x, dict):
                return {k: conv(v) for k, v in x.items()}
            if isinstance(x, list):
                return [conv(v) for v in x]
            if isinstance(x, (dt.date,)):
                return x.isoformat()
            return x
        return {"old": self.old, "new": self.new, "data": self.data,
                "rulesets": [conv(vars(r)) for r in self.rulesets], "rules": [conv(vars(r)) for r in self.rules]}


class Tree:
    """A rule tree on disk (a git revision is extracted to a temporary folder)."""

    def __init__(self, spec: str):
        self.spec = spec
        self._tmp: tempfile.TemporaryDirectory | None = None
        if spec.startswith("git:"):
            self.path = self._from_git(spec)
        else:
            self.path = Path(spec)
            if not self.path.exists():
                raise CheckerError([Problem(Span(spec), "Y003", "rule path does not exist",
                                            hint="give a rule file or folder, or git:REV")])

    def _from_git(self, spec: str) -> Path:
        rev, _, sub = spec[4:].partition(":")
        sub = sub or "rules"
        try:
            top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True)
            archive = subprocess.run(["git", "-C", top.stdout.strip(), "archive", "--format=tar", rev, "--", sub],
                                     capture_output=True, check=True)
        except FileNotFoundError:
            raise CheckerError([Problem(Span(spec), "D401", "git is not installed")]) from None
        except subprocess.CalledProcessError as err:
            msg = (err.stderr.decode() if isinstance(err.stderr, bytes) else err.stderr or "").strip().splitlines()
            raise CheckerError([Problem(Span(spec), "D401", f"cannot read {sub} at {rev}: "
                                        f"{msg[0] if msg else 'git failed'}",
                                        hint="run inside the repository; REV is a commit, branch or tag")]) from None
        self._tmp = tempfile.TemporaryDirectory(prefix="checker-diff-")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(self._tmp.name, filter="data")
        return Path(self._tmp.name) / sub

    def rulesets(self) -> list[LoadedRuleset]:
        loaded, problems, _ = load_rulesets([self.path])
        if problems:
            raise CheckerError(problems)
        effective, problems = resolve(loaded)
        if problems:
            raise CheckerError(problems)
        return effective

    def close(self) -> None:
        if self._tmp:
            self._tmp.cleanup()


def _current(rulesets: list[LoadedRuleset], as_of: dt.date) -> dict[str, LoadedRuleset]:
    by_id: dict[str, list[LoadedRuleset]] = {}
    for rs in rulesets:
        by_id.setdefault(rs.model.ruleset, []).append(rs)
    out = {}
    for rid, versions in by_id.items():
        live = [v for v in versions if v.model.effective.covers(as_of)]
        out[rid] = max(live or versions, key=lambda v: v.model.version_tuple)
    return out


def _rule_dump(rule) -> dict[str, Any]:
    return rule.model_dump(by_alias=True, exclude_none=True, mode="json")


def compare(old: Tree, new: Tree, as_of: dt.date) -> Diff:
    a, b = _current(old.rulesets(), as_of), _current(new.rulesets(), as_of)
    rulesets: list[RulesetChange] = []
    rules: list[RuleChange] = []
    for rid in sorted(set(a) | set(b)):
        ra, rb = a.get(rid), b.get(rid)
        if ra is None or rb is None:
            status = "added" if ra is None else "removed"
            rulesets.append(RulesetChange(rid, status, ra and ra.model.version, rb and rb.model.version))
            for rule in (rb or ra).model.rules:
                rules.append(RuleChange(rule.id, rid, status))
            continue
        params = {k: (ra.model.params.get(k), rb.model.params.get(k))
                  for k in sorted(set(ra.model.params) | set(rb.model.params))
                  if ra.model.params.get(k) != rb.model.params.get(k)}
        old_rules = {r.id: r for r in ra.model.rules}
        new_rules = {r.id: r for r in rb.model.rules}
        changed_any = False
        for rule_id in sorted(set(old_rules) | set(new_rules)):
            ro, rn = old_rules.get(rule_id), new_rules.get(rule_id)
            if ro is None or rn is None:
                rules.append(RuleChange(rule_id, rid, "added" if ro is None else "removed"))
                changed_any = True
                continue
            do, dn = _rule_dump(ro), _rule_dump(rn)
            keys = {k: (do.get(k), dn.get(k)) for k in sorted(set(do) | set(dn)) if do.get(k) != dn.get(k)}
            text = " ".join(str(dn.get(k) or "") for k in ("where", "expect", "group_by", "join"))
            for p, values in params.items():
                if f":{p}" in text:
                    keys[f"params.{p}"] = values
            changed_any |= bool(keys)
            rules.append(RuleChange(rule_id, rid, "changed" if keys else "unchanged", keys))
        status = "changed" if (params or changed_any or ra.model.version != rb.model.version) else "unchanged"
        rulesets.append(RulesetChange(rid, status, ra.model.version, rb.model.version, params))
    return Diff(old.spec, new.spec, rulesets, rules)


def impact(diff: Diff, old: Tree, new: Tree, data: Path, schemas: Path | None, as_of: dt.date) -> None:
    """Run both trees on the same data and fill in before/after counts and changed records."""
    from checker.run import CheckOptions, check

    found: list[dict[str, dict[str, Any]]] = []
    counts: list[dict[str, int]] = []
    with tempfile.TemporaryDirectory(prefix="checker-diff-") as tmp:
        for n, tree in enumerate((old, new)):
            out = Path(tmp) / f"v{n}.parquet"
            result = check(CheckOptions(data=data, rules=[tree.path], schemas=schemas, as_of=as_of,
                                        max_samples=0, lang="en", violations_out=out, allow_missing=True))
            counts.append({r.rule_id: r.violations for r in result.results if r.status != "skipped"})
            import pyarrow.parquet as pq

            per: dict[str, dict[str, Any]] = {}
            for row in pq.read_table(out).to_pylist():
                ident = row["key"] if row["key"] is not None else json.dumps({"row": row["row"]})
                per.setdefault(row["rule_id"], {})[ident] = json.loads(ident)
            found.append(per)
    diff.data = str(data)
    for change in diff.rules:
        before, after = counts[0].get(change.rule_id), counts[1].get(change.rule_id)
        change.before, change.after = before, after
        a, b = found[0].get(change.rule_id, {}), found[1].get(change.rule_id, {})
        change.newly_failing = [b[k] for k in sorted(set(b) - set(a))[:SAMPLES]]
        change.newly_passing = [a[k] for k in sorted(set(a) - set(b))[:SAMPLES]]


def render_text(diff: Diff) -> str:
    lines = [f"rules diff: {diff.old} -> {diff.new}" + (f" on {diff.data}" if diff.data else "")]
    for rs in diff.rulesets:
        if rs.status == "unchanged" and not diff.data:
            continue
        bump = f"{rs.old_version or '-'} -> {rs.new_version or '-'}"
        lines.append(f"ruleset {rs.ruleset}: {rs.status} ({bump})")
        for p, (o, n) in rs.params.items():
            lines.append(f"  param {p}: {o} -> {n}")
        for rc in [r for r in diff.rules if r.ruleset == rs.ruleset]:
            if rc.status == "unchanged" and not (diff.data and rc.before != rc.after):
                continue
            head = f"  {rc.status:<9} {rc.rule_id}"
            if diff.data:
                head += f"  violations {_n(rc.before)} -> {_n(rc.after)}"
            lines.append(head)
            for k, (o, n) in rc.keys.items():
                lines.append(f"      {k}: {_short(o)} -> {_short(n)}")
            for label, items in (("newly failing", rc.newly_failing), ("newly passing", rc.newly_passing)):
                if items:
                    lines.append(f"      {label}: " + "; ".join(_key(i) for i in items))
    if len(lines) == 1:
        lines.append("no changes")
    return "\n".join(lines) + "\n"


def render_md(diff: Diff) -> str:
    out = [f"### Rule changes: `{diff.old}` → `{diff.new}`", ""]
    if diff.data:
        out += [f"Impact on `{diff.data}`:", ""]
    out += ["| ruleset | rule | change | details |" + (" before | after | newly failing | newly passing |" if diff.data else ""),
            "|---|---|---|---|" + ("---:|---:|---|---|" if diff.data else "")]
    for rc in diff.rules:
        if rc.status == "unchanged" and not (diff.data and rc.before != rc.after):
            continue
        details = "<br>".join(f"`{k}`: {_md(_short(o))} → {_md(_short(n))}" for k, (o, n) in rc.keys.items())
        row = f"| {rc.ruleset} | {rc.rule_id} | {rc.status} | {details} |"
        if diff.data:
            row += (f" {_n(rc.before)} | {_n(rc.after)} | {_md('; '.join(_key(i) for i in rc.newly_failing))} |"
                    f" {_md('; '.join(_key(i) for i in rc.newly_passing))} |")
        out.append(row)
    bumps = [f"- `{r.ruleset}`: {r.status}, {r.old_version or '—'} → {r.new_version or '—'}"
             for r in diff.rulesets if r.status != "unchanged"]
    if bumps:
        out += ["", *bumps]
    return "\n".join(out) + "\n"


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _key(item: Any) -> str:
    if isinstance(item, dict):
        return ", ".join(f"{k}={v}" for k, v in item.items())
    return str(item)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
