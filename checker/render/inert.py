"""Record text made inert for every output channel: one function, used by every renderer.

Records, and everything derived from them (messages, keys, header names, file names,
engine errors quoting values), may carry characters that act on whoever reads the
output instead of being read: terminal control sequences (ESC-based CSI and OSC, 8-bit
CSI, BEL, BS, CR, DEL, NUL), bidirectional overrides and isolates that reorder what is
shown, line and paragraph separators that start a new line where a log reader or
GitHub sees a command, and lone surrogates or non-characters that no UTF-8 or XML
output can carry.

:func:`inert` replaces each such code point by a *visible* escape (``\\x1b``,
``\\u202e``, ``\\n``) instead of dropping it: the evidence stays in the report, an
auditor sees that the record held it, and nothing acts on the terminal, the browser
or the CI log.  Removing ESC alone is enough to disarm a sequence, so the parameter
bytes after it (``[31m``, ``]0;title``) are left as the plain text they then are.
Backslashes are not doubled, so a record holding the four characters ``\\x1b`` reads
the same as one holding ESC; both are harmless.

Per-syntax escaping (HTML and XML entities, Markdown punctuation, workflow-command
``%0A``) still happens in each format's environment, after this.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel

# C0 controls except TAB and LF, DEL, C1 controls, ALM, LRM and RLM, the line and paragraph
# separators, the bidirectional embeddings, overrides and isolates, lone surrogates, and
# the two non-characters XML 1.0 excludes.
_ALWAYS = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
           "\ud800-\udfff\ufffe\uffff")
_MULTILINE = re.compile(f"[{_ALWAYS}]")
_ONE_LINE = re.compile(f"[\t\n{_ALWAYS}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

M = TypeVar("M", bound=BaseModel)


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str, multiline: bool = False) -> str:
    """``text`` with every code point that could act on a reader replaced by a visible escape.

    Guaranteed: the result holds no C0 or C1 control character (TAB and LF only when
    ``multiline``), no DEL, no bidirectional control (U+061C, U+200E, U+200F,
    U+202A-U+202E, U+2066-U+2069), no U+2028/U+2029, no surrogate and no U+FFFE/U+FFFF;
    it encodes as UTF-8 and is valid XML 1.0 character data.  Text that holds none of
    them is returned as is (the same object).
    """
    pattern = _MULTILINE if multiline else _ONE_LINE
    if not pattern.search(text):
        return text
    return pattern.sub(_escape, text)


def inert_json(text: str) -> str:
    """Serialised JSON whose strings hold no code point :func:`inert` escapes, as the same document.

    JSON escapes C0 controls itself; DEL, C1 controls, bidirectional controls, the
    separators, surrogates and U+FFFE/U+FFFF (which can only occur inside strings)
    become ``\\u`` escapes of four hex digits, so the text parses to exactly the same values.
    """
    if not _MULTILINE.search(text):
        return text
    return _MULTILINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def inert_value(value: Any, multiline: bool = False) -> Any:
    """Every string inside ``value`` (models, dicts with their keys, lists, tuples) made inert.

    Returns ``value`` itself when nothing in it changes; otherwise a copy (models by
    ``model_copy``, so a model is never validated again and its other fields are shared).
    """
    if isinstance(value, str):
        return inert(value, multiline)
    if isinstance(value, BaseModel):
        return inert_model(value, multiline)
    if isinstance(value, (list, tuple)):
        items = [inert_value(v, multiline) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        pairs = [(inert_value(k, multiline), inert_value(v, multiline)) for k, v in value.items()]
        same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    return value


def inert_model(model: M, multiline: bool = False) -> M:
    """A copy of a pydantic model in which every string field, however deep, is inert."""
    changes = {}
    for name in type(model).model_fields:
        old = getattr(model, name)
        new = inert_value(old, multiline)
        if new is not old:
            changes[name] = new
    return model.model_copy(update=changes) if changes else model
