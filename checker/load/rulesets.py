"""Find and load rule files: YAML with positions -> validated :class:`RulesetFile` models."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from checker import codes
from checker.i18n import Msg, _
from checker.load.yamlio import Document, Positions, load_file
from checker.model.ruleset import RulesetFile
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.resources import shown

RULE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedRuleset:
    model: RulesetFile
    path: str
    positions: Positions
    sha256: str
    #: for a ruleset that extends others: rule id -> (the version it comes from, its index there)
    inherited: dict[str, tuple[LoadedRuleset, int]] = field(default_factory=dict, compare=False, hash=False)
    #: param name -> where its value comes from ("<ruleset> <version> (<file>)")
    param_origin: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: lint only: the file's invalid rules were set aside (it is never run), and ``kept`` holds the file
    #: index of each rule that was kept
    partial: bool = False
    kept: tuple[int, ...] = ()

    def file_index(self, k: int) -> int:
        """The index in the file of the ``k``-th own rule of the model."""
        return self.kept[k] if self.partial else k


def rule_files(paths: list[Path]) -> list[Path]:
    """Every rule file under the given files and folders (folders searched recursively), sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file()))
        elif path.exists():
            out.append(path)
        else:
            raise CheckerError([Problem(Span(str(path)), codes.Y003, _("rule path does not exist"),
                                        hint=_("pass --rules FILE_OR_FOLDER"))])
    return out


def kind_of(doc: Document) -> str | None:
    """'ruleset', 'catalog', 'waivers' or None, from a document's top-level keys."""
    data = doc.data
    if isinstance(data, dict):
        for key in ("ruleset", "catalog"):
            if key in data:
                return key
    if isinstance(data, list):
        return "waivers"
    return None


def documents(paths: list[Path], problems: list[Problem]) -> Iterator[tuple[Path, Document]]:
    """Every YAML document under ``paths``; a file that cannot be read adds its problems instead."""
    for path in rule_files(paths):
        try:
            yield path, load_file(path, shown(path))
        except CheckerError as err:
            problems.extend(err.problems)


def load_rulesets(paths: list[Path], salvage: bool = False
                  ) -> tuple[list[LoadedRuleset], list[Problem], list[Document]]:
    """Load every rule file; return rulesets, problems and the other YAML documents found (catalogs).

    With ``salvage`` (lint), a file whose only invalid parts are some of its rules is also returned
    without them (:attr:`LoadedRuleset.partial`), so that its other rules are still checked in the same
    run; such a ruleset is never run.
    """
    rulesets: list[LoadedRuleset] = []
    problems: list[Problem] = []
    others: list[Document] = []
    for path, doc in documents(paths, problems):
        kind = kind_of(doc)
        if kind in ("catalog", "waivers"):
            others.append(doc)
            continue
        if kind != "ruleset":
            problems.append(Problem(doc.positions.value(()), codes.R102,
                                    _("not a rule file: the top-level key 'ruleset' is missing"),
                                    hint=_("a rule file starts with 'ruleset: <id>' and 'version: <x.y.z>'")))
            continue
        try:
            model = RulesetFile.model_validate(doc.data)
        except ValidationError as err:
            problems.extend(validation_problems(err, doc.positions, RulesetFile))
            partial = _without_invalid_rules(doc, err) if salvage else None
            if partial is not None:
                model, kept = partial
                rulesets.append(LoadedRuleset(model, shown(path), doc.positions, "", partial=True, kept=kept))
            continue
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        rulesets.append(LoadedRuleset(model, shown(path), doc.positions, sha))
    return rulesets, problems, others


def _without_invalid_rules(doc: Document, err: ValidationError) -> tuple[RulesetFile, tuple[int, ...]] | None:
    """The ruleset without the rules pydantic refused, and the file index of each rule kept; None when
    something outside the rules is invalid too."""
    rules = doc.data.get("rules")
    bad: set[int] = set()
    for e in err.errors(include_url=False):
        loc = e["loc"]
        if len(loc) < 2 or loc[0] != "rules" or not isinstance(loc[1], int) or not isinstance(rules, list):
            return None
        bad.add(loc[1])
    kept = tuple(i for i in range(len(rules)) if i not in bad)
    try:
        model = RulesetFile.model_validate({**doc.data, "rules": [rules[i] for i in kept]})
    except ValidationError:
        return None
    return model, kept


# -- pydantic errors -> positioned problems ----------------------------------------------------

def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model a location inside ``model`` points into."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = None
        for name, info in current.model_fields.items():
            if part in (name, info.alias):
                field = info
                break
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _keys(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def validation_problems(err: ValidationError, pos: Positions, root: type[BaseModel],
                        prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """Pydantic errors as positioned problems; ``prefix`` locates the validated value in the document."""
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        # pydantic puts union branches ('list[str]', 'function-after[...]') in a location; an unknown key's
        # own name (the last element) is the user's text, whatever characters it holds
        loc = e["loc"]
        keep = loc[-1:] if e["type"] == "extra_forbidden" else ()
        head = loc[:-1] if keep else loc
        inner = tuple(p for p in head if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))) + keep
        problems.extend(_problem(e, prefix + inner, inner, pos, root))
    return problems


def _problem(e: ErrorDetails, loc: tuple[Any, ...], inner: tuple[Any, ...], pos: Positions,
             root: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    kind = e["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _keys(_model_at(root, inner[:-1]))
        problems.append(Problem(pos.key(loc), codes.R101, _("unknown key '{key}'", key=name),
                                hint=did_you_mean(name, allowed) or
                                (_("allowed keys: {names}", names=", ".join(allowed)) if allowed else None)))
    elif kind == "missing":
        problems.append(Problem(pos.value(loc[:-1]), codes.R102,
                                _("missing required key '{key}' in {where}", key=str(loc[-1]), where=_where(loc[:-1]))
                                if loc[:-1] else _("missing required key '{key}'", key=str(loc[-1]))))
    elif kind in ("model_type", "model_attributes_type"):
        keys = _keys(_model_at(root, inner))
        problems.append(Problem(pos.value(loc), codes.R103,
                                _("{where}: expected a mapping with keys {keys} ({got})", where=_where(loc),
                                  keys=", ".join(keys), got=_got(e.get("input")))
                                if keys else _("{where}: expected a mapping ({got})", where=_where(loc),
                                               got=_got(e.get("input")))))
    elif kind.endswith("_type"):
        problems.append(Problem(pos.value(loc), codes.R103,
                                _("{where}: {reason} ({got})", where=_where(loc), reason=e["msg"].lower(),
                                  got=_got(e.get("input")))))
    elif kind == "enum" or kind == "literal_error":
        name = str(e.get("input"))
        expected = e.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",") if o.strip()]
        problems.append(Problem(pos.value(loc), codes.R104,
                                _("{where}: '{value}' is not allowed", where=_where(loc), value=name),
                                hint=did_you_mean(name, options) or _("expected {options}", options=str(expected))))
    else:
        text = e["msg"]
        if text.startswith("Value error, "):
            text = text[len("Value error, "):]
        msg: str | Msg = text[:1].lower() + text[1:]
        if kind == "string_pattern_mismatch":
            msg = _("'{value}' does not match {pattern}", value=str(e.get("input")),
                    pattern=str(e.get("ctx", {}).get("pattern")))
        problems.append(Problem(pos.value(loc), codes.R104, _("{where}: {reason}", where=_where(loc), reason=msg)
                                if loc else msg))
    return problems


def _where(loc: tuple[Any, ...]) -> str | Msg:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or _("document")


def _got(value: Any) -> Msg:
    if isinstance(value, dict):
        return _("got a mapping")
    if isinstance(value, list):
        return _("got a list")
    return _("got {value}", value=repr(value)) if value is not None else _("got nothing")
