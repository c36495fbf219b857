"""`checker diff OLD NEW [--data DIR]`: what changed between two rule trees, and what it does to data.

OLD and NEW are rule files or folders, or ``git:REV`` (the ``rules/`` folder of the
current repository at REV; ``git:REV:path`` names another folder).  Without data the
diff lists rulesets and rules added, removed and changed — which keys, old -> new
params and thresholds, version bumps.  With ``--data`` both trees check the same
exports and the diff shows, per rule, violations before and after and samples of the
records that newly fail or newly pass: the impact of the change before it is merged.

Git sees no user text as an option: REV is refused when it starts with '-' (or is not
printable), verified as a commit (``rev-parse --verify --end-of-options REV^{commit}``,
else D409), and only the commit id git answers goes to ``git archive``, with the folder
after ``--`` as a literal pathspec.  Text and Markdown output are inert line by line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from checker import codes
from checker.i18n import Msg, _
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
                raise CheckerError([Problem(Span(spec), codes.Y003, _("rule path does not exist"),
                                            hint=_("give a rule file or folder, or git:REV"))])

    def _from_git(self, spec: str) -> Path:
        rev, _sep, sub = spec[4:].partition(":")
        sub = sub or "rules"
        _refuse_rev(spec, rev)
        _refuse_path(spec, sub)
        top = _git(spec, ["rev-parse", "--show-toplevel"], _("not inside a git repository"),
                   _("run inside the repository")).decode("utf-8", "surrogateescape").strip()
        sha = commit_of(spec, top, rev, sub)
        archive = _git(spec, ["-C", top, "--literal-pathspecs", "archive", "--format=tar", sha, "--", sub],
                       _("cannot read {path} at {rev}", path=sub, rev=rev),
                       _("{path} must be a folder of commit {sha}", path=sub, sha=sha[:12]))
        self._tmp = tempfile.TemporaryDirectory(prefix="checker-diff-")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(self._tmp.name, filter="data")
        return Path(self._tmp.name) / sub

    def rulesets(self) -> list[LoadedRuleset]:
        loaded, problems, _others = load_rulesets([self.path])
        if problems:
            raise CheckerError(problems)
        effective, problems = resolve(loaded)
        if problems:
            raise CheckerError(problems)
        return effective

    def close(self) -> None:
        if self._tmp:
            self._tmp.cleanup()


def _run_git(spec: str, args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], capture_output=True, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise CheckerError([Problem(Span(spec), codes.D401, _("git is not installed"))]) from None


def _git(spec: str, args: list[str], what: Msg, hint: Msg) -> bytes:
    """git's output for our own arguments; a failure is one D401 problem quoting git's first line.

    (Problems reach the terminal through the command line's printer, which makes them inert.)
    """
    done = _run_git(spec, args)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        error = lines[0] if lines else _("git failed")
        raise CheckerError([Problem(Span(spec), codes.D401, _("{what}: {error}", what=what, error=error), hint=hint)])
    return done.stdout


_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_REV_HINT = _("REV is a commit, branch or tag of this repository (git:REV or git:REV:folder)")


def commit_of(spec: str, top: str, rev: str, sub: str = "rules") -> str:
    """The full id of the commit REV names in the repository at ``top``, as git verified it; else D409.

    REV is refused before git sees it when it is empty, starts with '-' or holds a
    character that is not printable (NUL, controls); otherwise git reads it only as a
    revision (``rev-parse --verify --end-of-options REV^{commit}``), and only the commit
    id git answers is passed on, never REV itself.
    """
    _refuse_rev(spec, rev)
    done = _run_git(spec, ["-C", top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"])
    sha = done.stdout.decode("ascii", "replace").strip()
    if done.returncode != 0 or not _COMMIT.fullmatch(sha):
        raise CheckerError([Problem(Span(spec), codes.D409,
                                    _("cannot read {path} at {rev}: not a commit in this repository",
                                      path=sub, rev=rev),
                                    hint=_REV_HINT)])
    return sha


def _refuse_rev(spec: str, rev: str) -> None:
    """REV of git:REV is not empty, not an option and printable (no NUL, no control character)."""
    if not rev or rev.startswith("-") or not rev.isprintable():
        raise CheckerError([Problem(Span(spec), codes.D409, _("'{rev}' is not a git revision", rev=rev),
                                    hint=_REV_HINT)])


def _refuse_path(spec: str, sub: str) -> None:
    """The folder of git:REV:folder is relative, inside the repository, printable and not an option."""
    if (not sub.isprintable() or sub.startswith(("-", "/")) or ".." in PurePosixPath(sub).parts):
        raise CheckerError([Problem(Span(spec), codes.Y003, _("'{path}' is not a folder of the repository", path=sub),
                                    hint=_("git:REV:folder names a folder relative to the repository's top"))])


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
            rulesets.append(RulesetChange(rid, status, ra.model.version if ra else None,
                                          rb.model.version if rb else None))
            present = rb if ra is None else ra
            assert present is not None  # the id came from one of the two sides
            for rule in present.model.rules:
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
