"""Positions, problems and the did-you-mean helper.

A ``Span`` is always 1-based (line and column), and is made in exactly one place
(:func:`checker.load.yamlio.span_of`) from ruamel's 0-based data.  A ``Problem`` is
a small immutable record; ``CheckerError`` carries one or more problems up to the
command line, which prints them and exits with ``ExitCode.USAGE``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from checker.codes import Code
from checker.i18n import Msg, _, render

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Span:
    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


@dataclass(frozen=True)
class Problem:
    span: Span
    code: Code
    message: str | Msg
    level: Level = field(default="error", kw_only=True)
    hint: str | Msg | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.code, Code):   # a typed-out code would escape the registry's frozen meanings
            raise TypeError(f"Problem needs a registered checker.codes.Code, not {self.code!r}")

    def text(self, lang: str | None = None) -> str:
        """The message and its hint in one language (the active one by default)."""
        text = str(render(self.message, lang))
        if self.hint:
            text += ("；" if (lang or _active()) == "zh" else "; ") + str(render(self.hint, lang))
        return text

    def render(self, lang: str | None = None) -> str:
        return f"{self.span}: {self.code} {self.text(lang)}"


@dataclass
class CheckerError(Exception):
    """An error that stops a command; rendered as one paragraph per problem."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)


def _active() -> str:
    from checker.i18n import active

    return active()


def did_you_mean(name: str, candidates: Iterable[str]) -> Msg | None:
    """Return "did you mean 'x'?" for the nearest candidate, or None."""
    pool = sorted(set(candidates))
    lower = {c.lower(): c for c in pool}
    if name.lower() in lower and lower[name.lower()] != name:
        return _("did you mean '{name}'?", name=lower[name.lower()])
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if close:
        return _("did you mean '{name}'?", name=close[0])
    return None
