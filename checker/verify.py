"""`checker verify RESULT.json --data DIR`: run a result again and say whether it is reproduced exactly.

The result records what decided it: the as-of date and options (``run``, ``rules_at``), the rule files
(``rulesets``: path and SHA-256), the dataset schemas, the waiver file and the baseline (``schemas``,
``waiver_file``, ``baseline_file``) and the exports (``inputs``).  Paths default to the recorded ones,
relative to the working directory; bundled files are named by their package name and found in the
installed package.  Every file is hashed again: one whose SHA-256 differs is a difference, and so is
any difference in the result itself, the timing fields (``run.started_at``, ``run.duration_ms``) and the
folder as typed (``data``) aside, and so is the trend a
``--history`` run read from its store (``history``).  Exit 0 reproduced, 1 with the differences, 2 a file missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import codes
from checker.i18n import Msg, _
from checker.problems import CheckerError, Problem, Span
from checker.resources import PREFIX, located

#: fields that differ on every run (timing) or with how the folder was typed
IGNORED = {("run", "started_at"), ("run", "duration_ms"), ("data",)}
#: what a run adds from elsewhere: the trend read from its history store (not a property of the inputs)
NOT_COMPARED = {"history"}


@dataclass
class Verdict:
    reproduced: bool
    differences: list[Msg] = field(default_factory=list)


def _recorded(path: str) -> Path:
    """A recorded file: a bundled one by its package name, else the path as recorded."""
    if path.startswith(PREFIX):
        found = located(path)
        if found is None:
            raise CheckerError([Problem(Span(path), codes.D402, _("the bundled file {path} is not in this "
                                                                  "installation", path=path))])
        return found
    return Path(path)


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise CheckerError([Problem(Span(str(path)), codes.D402, _("cannot read {path}: {error}", path=str(path),
                                                                   error=exc.strerror or str(exc)),
                                    hint=_("run verify where the check ran, or pass the paths"))]) from None


def verify(result_path: Path, data: Path | None, rules: list[Path], schemas: Path | None,
           waivers: Path | None) -> Verdict:
    from checker.render.formats import load_result
    from checker.run import CheckOptions, check

    old = load_result(result_path)
    diffs: list[Msg] = []
    rule_paths = list(rules)
    if not rule_paths:
        own = [r.path for r in old.rulesets if not r.path.startswith(PREFIX)]
        rule_paths = [Path(p) for p in dict.fromkeys(own)]
    for ref in old.rulesets:
        path = _recorded(ref.path)
        if not rules and not path.is_file():
            raise CheckerError([Problem(Span(ref.path), codes.D402, _("the rule file {path} is missing",
                                                                      path=ref.path))])
    schema_dir = schemas
    if schema_dir is None and old.schemas and not old.schemas[0].path.startswith(PREFIX):
        schema_dir = Path(old.schemas[0].path).parent.parent
    for schema in old.schemas:
        name = Path(schema.path.rsplit("@", 1)[0])
        file = _recorded(schema.path) if schemas is None else schemas / name.parent.name / name.name
        if _sha(file) != schema.sha256:
            diffs.append(_("schema {path}: its SHA-256 differs from the recorded one", path=schema.path))
    waiver_file = waivers or (Path(old.waiver_file.path) if old.waiver_file else None)
    if old.waiver_file and waiver_file and _sha(waiver_file) != old.waiver_file.sha256:
        diffs.append(_("waiver file {path}: its SHA-256 differs from the recorded one", path=str(waiver_file)))
    baseline = Path(old.baseline_file.path) if old.baseline_file else None
    if old.baseline_file and baseline and _sha(baseline) != old.baseline_file.sha256:
        diffs.append(_("baseline {path}: its SHA-256 differs from the recorded one", path=str(baseline)))
    folder = data or (Path(old.data) if old.data else None)
    if folder is None:
        raise CheckerError([Problem(Span(str(result_path)), codes.D401, _("the result records no data folder"),
                                    hint=_("pass --data DIR"))])
    run = old.run
    opts = CheckOptions(data=folder, rules=rule_paths, schemas=schema_dir, as_of=dt.date.fromisoformat(old.as_of),
                        rules_at=dt.date.fromisoformat(old.rules_at) if old.rules_at else None,
                        fail_on=run.fail_on, max_samples=run.max_samples, lang=run.lang, show_pii=run.show_pii,
                        allow_missing=run.allow_missing, waivers=waiver_file, waiver_warn_days=run.waiver_warn_days,
                        baseline=baseline, engine=run.engine)
    new = check(opts)
    before = {k: v for k, v in json.loads(old.to_json()).items() if k not in NOT_COMPARED}
    after = {k: v for k, v in json.loads(new.to_json()).items() if k not in NOT_COMPARED}
    for at, was, now in _compare(before, after, ()):
        if at in IGNORED:
            continue
        where = ".".join(str(p) for p in at) or "(result)"
        diffs.append(_("{where}: recorded {was}, now {now}", where=where, was=_short(was), now=_short(now)))
    return Verdict(not diffs, diffs)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "…"


def _compare(a: Any, b: Any, path: tuple) -> list[tuple[tuple, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += _compare(a.get(key), b.get(key), path + (key,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _compare(x, y, path + (i,))]
    return [] if a == b else [(path, a, b)]
