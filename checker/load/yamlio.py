"""YAML (and JSON) loading that keeps positions.

Every other module gets plain Python data plus a :class:`Positions` map from a
path inside the document (a tuple of keys and indexes) to the 1-based span of that
key and of its value.  :func:`span_of` is the one place where ruamel's 0-based
line/column data becomes a 1-based :class:`~checker.problems.Span`.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ruamel.yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionStartEvent
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from checker import codes
from checker.i18n import _
from checker.load import doccache
from checker.problems import CheckerError, Problem, Span

#: A document may not expand (through aliases) to more nodes than this.
MAX_NODES = 200_000
#: Nor nest mappings and sequences more deeply than this, as written or through aliases.
MAX_DEPTH = 100

PathKey = tuple[Any, ...]


def span_of(file: str, line0: int | None, col0: int | None) -> Span:
    """Turn ruamel's 0-based line/column into a 1-based Span."""
    if line0 is None:
        return Span(file)
    return Span(file, line0 + 1, (col0 or 0) + 1)


@dataclass
class Positions:
    file: str
    keys: dict[PathKey, Span] = field(default_factory=dict)
    values: dict[PathKey, Span] = field(default_factory=dict)
    quoted: set[PathKey] = field(default_factory=set)       # values written as quoted scalars

    def text_start(self, path: PathKey) -> Span:
        """Span of the first character of the value's text: after its opening quote, if it has one."""
        span = self.value(path)
        return Span(span.file, span.line, span.col + 1) if tuple(path) in self.quoted and span.line else span

    def key(self, path: PathKey) -> Span:
        """Span of the key at ``path`` (falls back to the nearest enclosing node)."""
        return self._find(self.keys, path) or self.value(path)

    def value(self, path: PathKey) -> Span:
        """Span of the value at ``path`` (falls back to the nearest enclosing node)."""
        found = self._find(self.values, path)
        return found or Span(self.file, 1, 1)

    @staticmethod
    def _find(table: dict[PathKey, Span], path: PathKey) -> Span | None:
        path = tuple(path)
        while True:
            if path in table:
                return table[path]
            if not path:
                return None
            path = path[:-1]


@dataclass
class Document:
    data: Any
    positions: Positions
    text: str


def _too_deep(span: Span) -> CheckerError:
    return CheckerError([Problem(span, codes.Y002,
                                 _("mappings and lists are nested more than {n} levels deep (the limit)", n=MAX_DEPTH),
                                 hint=_("flatten the structure, or remove nested aliases"))])


class _DepthComposer(Composer):
    """ruamel's composer, which recurses once per level: refuses (Y002) a mapping or list below MAX_DEPTH others."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= MAX_DEPTH and self.parser.check_event(CollectionStartEvent):
            mark = self.parser.peek_event().start_mark
            raise _too_deep(span_of(self.loader.checker_file, mark.line, mark.column))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _YAML(YAML):
    """ruamel's YAML, knowing the file it reads (for the spans of :class:`_DepthComposer`'s refusals)."""

    checker_file: str = ""


def _yaml(file: str = "") -> YAML:
    yaml = _YAML(typ="rt")
    yaml.Composer = _DepthComposer
    yaml.checker_file = file
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True          # to know where a quoted value's text starts
    return yaml


def load_text(text: str, file: str) -> Document:
    """Parse YAML/JSON text; raise CheckerError with a positioned Y-problem on failure.

    A text parsed before (the same bytes, under the same name) comes from the document cache
    (:mod:`checker.load.doccache`); only successful parses are stored.
    """
    entry = doccache.place(text, file, _LIMITS)
    if entry is None:
        return _parse(text, file)
    cached = _cached(entry, text, file)
    if cached is not None:
        return cached
    doc = _parse(text, file)
    _store(entry, doc)
    return doc


#: what else decides a parse: the limits, the YAML library's and Python's versions, and how many digits
#: Python converts (PYTHONINTMAXSTRDIGITS)
_LIMITS = (MAX_NODES, MAX_DEPTH, ruamel.yaml.__version__, *sys.version_info[:2], sys.get_int_max_str_digits())


def _cached(entry: Path, text: str, file: str) -> Document | None:
    payload = doccache.read(entry, file)
    if payload is None:
        return None
    try:
        positions = Positions(file, doccache.decode_spans(payload.get("keys"), file),
                              doccache.decode_spans(payload.get("values"), file),
                              doccache.decode_paths(payload.get("quoted")))
        return Document(doccache.decode(payload.get("data"), MAX_NODES, MAX_DEPTH), positions, text)
    except doccache.Invalid:
        return None


def _store(entry: Path, doc: Document) -> None:
    try:
        payload = {"data": doccache.encode(doc.data), "keys": doccache.encode_spans(doc.positions.keys),
                   "values": doccache.encode_spans(doc.positions.values),
                   "quoted": [doccache.encode_path(p) for p in sorted(doc.positions.quoted, key=repr)]}
    except doccache.Invalid:      # a value the cache does not store: parse this text every time
        return
    doccache.write(entry, doc.positions.file, payload)


def _parse(text: str, file: str) -> Document:
    try:
        raw = _yaml(file).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = span_of(file, mark.line, mark.column) if mark else Span(file)
        what = (exc.problem or exc.context or "invalid YAML").strip().splitlines()[0]
        raise CheckerError([Problem(span, codes.Y001, _("YAML syntax error: {reason}", reason=what),
                                    hint=_("check indentation, quoting and ':' after keys"))]) from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp like 2026-13-01 that is no real date
        raise CheckerError([Problem(_bad_date(text, file) or Span(file, 1, 1), codes.Y001,
                                    _("YAML value error: {reason}", reason=str(exc)),
                                    hint=_("dates are YYYY-MM-DD, times HH:MM:SS, and they must exist"))]) from None
    except YAMLError as exc:
        raise CheckerError([Problem(Span(file, 1, 1), codes.Y001,
                                    _("YAML syntax error: {reason}",
                                      reason=str(exc).strip().splitlines()[0]))]) from None
    positions = Positions(file)
    budget = [MAX_NODES]
    data = _plain(raw, (), positions, budget, 0)
    if raw is not None and hasattr(raw, "lc"):
        positions.values.setdefault((), span_of(file, raw.lc.line, raw.lc.col))
    return Document(data, positions, text)


def _bad_date(text: str, file: str) -> Span | None:
    """Where the first date or timestamp that is no real day or time stands (ruamel says only what is wrong)."""
    import re

    stamp = re.compile(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})"
                       r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2}):(\d{1,2}))?(?![\w-])")
    for n, line in enumerate(text.splitlines(), start=1):
        for m in stamp.finditer(line):
            try:
                year, month, day, hour, minute, second = m.groups()
                dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
            except ValueError:
                return Span(file, n, m.start() + 1)
    return None


def load_file(path: Path, display: str | None = None) -> Document:
    file = display or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CheckerError([Problem(Span(file), codes.Y003,
                                    _("file is not UTF-8 text ({reason} at byte {offset})", reason=exc.reason,
                                      offset=exc.start),
                                    hint=_("save rule files as UTF-8"))]) from None
    except OSError as exc:
        raise CheckerError([Problem(Span(file), codes.Y003,
                                    _("cannot read file: {reason}", reason=str(exc.strerror)))]) from None
    return load_text(text, file)


def _plain(node: Any, path: PathKey, pos: Positions, budget: list[int], depth: int) -> Any:
    if depth >= MAX_DEPTH and isinstance(node, (CommentedMap, CommentedSeq)):
        raise _too_deep(pos.value(path))     # only through aliases: the composer refuses deeper text
    budget[0] -= 1
    if budget[0] < 0:
        raise CheckerError([Problem(pos.value(path), codes.Y002,
                                    _("document expands to more than {n} nodes", n=MAX_NODES),
                                    hint=_("remove recursive or nested aliases (a 'billion laughs' document?)"))])
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            try:
                kl, kc = node.lc.key(key)
                vl, vc = node.lc.value(key)
            except (KeyError, TypeError):
                kl = kc = vl = vc = None
            sub = path + (str(key),)
            if kl is not None:
                pos.keys[sub] = span_of(pos.file, kl, kc)
                pos.values[sub] = span_of(pos.file, vl, vc)
            out[str(key)] = _plain(node[key], sub, pos, budget, depth + 1)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            try:
                il, ic = node.lc.item(i)
                pos.values[path + (i,)] = span_of(pos.file, il, ic)
            except (KeyError, TypeError):
                pass
            items.append(_plain(item, path + (i,), pos, budget, depth + 1))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return dt.datetime(node.year, node.month, node.day, node.hour, node.minute, node.second,
                           node.microsecond)
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, str):
        if isinstance(node, (DoubleQuotedScalarString, SingleQuotedScalarString)):
            pos.quoted.add(path)
        return str(node)
    return node
