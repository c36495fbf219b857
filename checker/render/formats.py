"""The report formats behind one interface: the name -> renderer registry, rendering and writing.

Imported on first use of a name of :mod:`checker.render` (see its docstring).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from checker import codes
from checker.i18n import _, _n
from checker.load.readers import parse_json
from checker.model.result import Result
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.render import pdf
from checker.render.base import Context, Renderer
from checker.render.github import GithubRenderer
from checker.render.html import HtmlRenderer
from checker.render.junit import JunitRenderer
from checker.render.markdown import MarkdownRenderer
from checker.render.output import write_file
from checker.render.sarif import SarifRenderer

RENDERERS: dict[str, Renderer] = {r.name: r for r in (HtmlRenderer(), MarkdownRenderer(), JunitRenderer(),
                                                      SarifRenderer(), GithubRenderer())}
FILE_FORMATS = ("html", "md", "junit", "sarif", "pdf")
GIVE_RESULT = _("give a file written by `checker check --json`")


def renderer(fmt: str) -> Renderer:
    try:
        return RENDERERS[fmt]
    except KeyError:
        hint = did_you_mean(fmt, RENDERERS)
        raise CheckerError([Problem(Span("render"), codes.T501, _("unknown report format '{format}'", format=fmt),
                                    hint=hint)]) from None


def render(result: Result, fmt: str, lang: str = "en", templates_dir: Path | None = None) -> str:
    """One format as text."""
    return renderer(fmt).render(result, Context(lang=lang, templates_dir=templates_dir))


def write(result: Result, fmt: str, path: Path, lang: str = "en", templates_dir: Path | None = None) -> None:
    """Write one format to a file (``pdf`` prints the HTML report), whole or not at all (T503)."""
    if fmt == "pdf":
        data = pdf.print_pdf(render(result, "html", lang, templates_dir), path)
    else:
        data = render(result, fmt, lang, templates_dir).encode("utf-8")
    write_file(Path(path), data, _("{format} report", format=fmt))


def write_all(result: Result, outputs: Mapping[str, Path | None], lang: str = "en",
              templates_dir: Path | None = None) -> None:
    """Write every format that has a path (formats in ``FILE_FORMATS``)."""
    for fmt, path in outputs.items():
        if path is not None:
            write(result, fmt, Path(path), lang, templates_dir)


def pdf_available() -> bool:
    return pdf.chromium() is not None


def load_result(path: Path) -> Result:
    """Read a saved result file (``check --json``); a bad file is one T502 problem.

    Within the JSON limits of :func:`checker.load.readers.parse_json` (nesting, number length).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise CheckerError([Problem(Span(str(path)), codes.T502,
                                    _("cannot read the result file: {reason}", reason=reason))]) from None
    try:
        data = parse_json(text)
    except json.JSONDecodeError as err:
        raise CheckerError([Problem(Span(str(path), err.lineno, err.colno), codes.T502,
                                    _("not JSON: {error}", error=err.msg), hint=GIVE_RESULT)]) from None
    except ValueError as err:   # beyond the nesting or number limits (readers.parse_json)
        raise CheckerError([Problem(Span(str(path)), codes.T502,
                                    _("not a checker result file: {error}", error=str(err)),
                                    hint=GIVE_RESULT)]) from None
    where = _lone_surrogate(data)
    if where is not None:
        raise CheckerError([Problem(Span(str(path)), codes.T502,
                                    _("not a checker result file: {where}: a string holds a lone surrogate "
                                      "(a \\uD800-\\uDFFF escape without its pair), which no UTF-8 output can carry",
                                      where=where or _("(top level)")),
                                    hint=GIVE_RESULT)])
    try:
        return Result.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        location = ".".join(str(p) for p in first["loc"]) or _("(top level)")
        others = err.error_count() - 1
        message = (_n("not a checker result file: {where}: {error} (and {n} more problem)",
                      "not a checker result file: {where}: {error} (and {n} more problems)", others,
                      where=location, error=first["msg"], n=others) if others else
                   _("not a checker result file: {where}: {error}", where=location, error=first["msg"]))
        raise CheckerError([Problem(Span(str(path)), codes.T502, message, hint=GIVE_RESULT)]) from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: object, where: str = "") -> str | None:
    """The dotted place of the first string (or key) holding a lone surrogate, or None."""
    if isinstance(value, str):
        return where if _SURROGATE.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        place = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and _SURROGATE.search(key):
            return place
        found = _lone_surrogate(item, place)
        if found is not None:
            return found
    return None
