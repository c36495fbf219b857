"""Rendered outputs: one module per format behind one interface, and a name -> renderer registry.

``render`` knows only ``model``: every format is a function of a
:class:`~checker.model.result.Result` (and a language and, optionally, a folder of
templates overriding ``reports/``).  ``text`` is the terminal summary; the rest are
in :data:`RENDERERS`, plus ``pdf``, which prints the HTML report with Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from pydantic import ValidationError

from checker.model.result import Result
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.render import pdf
from checker.render.base import Context, Renderer
from checker.render.github import GithubRenderer
from checker.render.html import HtmlRenderer
from checker.render.junit import JunitRenderer
from checker.render.markdown import MarkdownRenderer
from checker.render.sarif import SarifRenderer

RENDERERS: dict[str, Renderer] = {r.name: r for r in (HtmlRenderer(), MarkdownRenderer(), JunitRenderer(),
                                                      SarifRenderer(), GithubRenderer())}
FILE_FORMATS = ("html", "md", "junit", "sarif", "pdf")


def renderer(fmt: str) -> Renderer:
    try:
        return RENDERERS[fmt]
    except KeyError:
        hint = did_you_mean(fmt, RENDERERS)
        raise CheckerError([Problem(Span("render"), "T501", f"unknown report format '{fmt}'", hint)]) from None


def render(result: Result, fmt: str, lang: str = "en", templates_dir: Path | None = None) -> str:
    """One format as text."""
    return renderer(fmt).render(result, Context(lang=lang, templates_dir=templates_dir))


def write(result: Result, fmt: str, path: Path, lang: str = "en", templates_dir: Path | None = None) -> None:
    """Write one format to a file (``pdf`` prints the HTML report)."""
    if fmt == "pdf":
        pdf.print_pdf(render(result, "html", lang, templates_dir), path)
        return
    text = render(result, fmt, lang, templates_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    except OSError as err:
        raise CheckerError([Problem(Span(str(path)), "T503", f"cannot write the {fmt} report: "
                                    f"{err.strerror or err}")]) from None


def write_all(result: Result, outputs: Mapping[str, Path | None], lang: str = "en",
              templates_dir: Path | None = None) -> None:
    """Write every format that has a path (formats in ``FILE_FORMATS``)."""
    for fmt, path in outputs.items():
        if path is not None:
            write(result, fmt, Path(path), lang, templates_dir)


def pdf_available() -> bool:
    return pdf.chromium() is not None


def load_result(path: Path) -> Result:
    """Read a saved result file (``check --json``); a bad file is one T502 problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise CheckerError([Problem(Span(str(path)), "T502", f"cannot read the result file: {reason}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CheckerError([Problem(Span(str(path), err.lineno, err.colno), "T502",
                                    f"not JSON: {err.msg}", "give a file written by `checker check --json`")]) from None
    try:
        return Result.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {err.error_count() - 1} more problems)" if err.error_count() > 1 else ""
        raise CheckerError([Problem(Span(str(path)), "T502", f"not a checker result file: {where}: {first['msg']}"
                                    f"{more}", "give a file written by `checker check --json`")]) from None
