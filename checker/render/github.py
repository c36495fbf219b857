"""GitHub Actions workflow commands: one annotation per violation sample.

``::error`` for critical and high, ``::warning`` for medium and low, ``::notice`` for
info; each with ``file=`` (the input path) and ``line=`` where a line means something,
and a closing notice with the totals.  Values are escaped by GitHub's rules: in the
message % CR LF, in properties also ':' and ',' (so no record text can start a command
of its own).  Rendered from ``reports/github/annotations.txt.j2``.
"""

from __future__ import annotations

from checker.render.base import Renderer

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "notice"}


class GithubRenderer(Renderer):
    name = "github"
    suffix = ".txt"
    syntax = "github"
    template = "github/annotations.txt.j2"

    def extra(self, view, ctx):
        return {"commands": COMMANDS}
