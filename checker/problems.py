"""Positions, problems and the did-you-mean helper.

A ``Span`` is always 1-based (line and column), and is made in exactly one place
(:func:`checker.load.yamlio.span_of`) from ruamel's 0-based data.  A ``Problem`` is
a small immutable record; ``CheckerError`` carries one or more problems up to the
command line, which prints them and exits with ``ExitCode.USAGE``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Literal

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
    code: str
    message: str | Msg
    level: Level = "error"
    hint: str | Msg | None = None

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


# Stable problem codes.  A code never changes meaning; new ones are added at the end
# of their group.
CODES = {
    "Y001": "YAML syntax error",
    "Y002": "document too large after alias expansion",
    "Y003": "file cannot be read",
    "R101": "unknown key",
    "R102": "missing required key",
    "R103": "wrong type",
    "R104": "bad value",
    "R105": "rule kind cannot be determined",
    "R110": "duplicate rule id",
    "R111": "unknown dataset",
    "R112": "unknown column",
    "R113": "unknown parameter",
    "R114": "unknown join alias",
    "R115": "unknown clause id",
    "R120": "no version in force",
    "X201": "expression syntax error",
    "X202": "construct not allowed in rule expressions",
    "X203": "function not allowed in rule expressions",
    "X204": "aggregate function outside an aggregate rule",
    "X205": "message template error",
    "S301": "invalid dataset schema",
    "S302": "unsupported schema keyword",
    "S303": "bad schema annotation",
    "D401": "data folder problem",
    "D402": "dataset file missing",
    "D403": "data file cannot be read",
    "D404": "path escapes the data folder",
    "D405": "unknown data format",
    "D406": "unknown header",
    "R130": "ruleset version defined twice",
    "R131": "ruleset versions in force on the same day",
    "R132": "changelog does not match the versions",
    "R133": "rule logic changed with only a patch version bump",
    "R140": "extends cycle",
    "R141": "extends an unknown ruleset",
    "R142": "disables a rule that is not inherited",
    "X206": "SQL does not type-check",
    "X207": "cannot run on the Spark engine",
    "D407": "engine not available",
    "D408": "input not fingerprinted",
    "W501": "rule without a message",
    "W502": "rule without examples",
    "W503": "waiver expired",
    "W504": "waiver matched nothing",
    "T501": "report template error",
    "T502": "result file cannot be read",
    "T503": "report cannot be written",
    "T504": "PDF cannot be printed",
    "T601": "rule example gives the wrong verdict",
    "T602": "rule example cannot run",
    "X208": "data type not on the closed list",
    "X209": "regenerated SQL differs from the checked expression",
    "X210": "statement refused by the engine guard (not one read-only SELECT)",
    "X211": "message template construct not allowed",
    "D409": "git revision is not a commit",
    "W506": "personal-data fingerprints not written (no fingerprint key)",
}
