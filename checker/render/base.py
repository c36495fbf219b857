"""What every rendered format shares: the renderer interface, the template environment, escaping.

Templates live in ``reports/<format>/`` (bundled with the wheel) and a ``--templates DIR``
laid out the same way overrides any of them, file by file.  They run in Jinja's
sandboxed environments:

- HTML and XML templates autoescape every ``{{ expression }}`` (and strip the control
  characters XML 1.0 forbids); nothing from a result is ever marked safe.
- Markdown and GitHub-annotation templates escape every expression for their syntax
  through ``finalize``: a value is escaped unless a filter of this module already
  escaped it (and returned :class:`Raw`).  A template cannot forget to escape.

Every environment is a :class:`checker.sandbox.BoundedEnvironment`: a template reads only the
fields of the view, the result and the labels (and the listed methods of text, numbers and
lists); this module's filters take plain values and make them text themselves (``fill``
substitutes ``{name}`` placeholders, it never formats); a render is bounded in steps, size
and time (:func:`render_budget`); templates are read only as regular files inside their
folder, symbolic links included.  A broken template, one that tries what the sandbox
forbids or one past its budget is a ``T501`` problem naming the template file and line,
never a traceback.
"""

from __future__ import annotations

import os
import re
import stat
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.loaders import split_template_path

from checker import codes, sandbox
from checker.i18n import _, num, tr
from checker.model.result import Result
from checker.problems import CheckerError, Problem, Span
from checker.render.labels import labels
from checker.render.view import View, build
from checker.resources import bundled


class Raw(str):
    """Text already escaped for the template's output syntax (returned by this module's filters)."""


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_clean(value: Any) -> Any:
    """Drop the characters XML 1.0 (and HTML) cannot carry even escaped; escaping happens after, so a text
    whose escaped form could pass the template size limit is refused first."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        if sandbox.size(value) * sandbox.GROWTH["escape"] > sandbox.MAX_TEXT:
            raise sandbox.BudgetExceeded(tr("escaping a text of {n} characters: past the size a template may make",
                                            n=num(len(value))))
        return _XML_ILLEGAL.sub("\ufffd", value)
    return value


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~$])")


def plain(value: Any) -> str:
    """A filter's input as text: None is empty, anything else its ``str()`` (size-checked first)."""
    return "" if value is None else sandbox.as_text(value)


def md_escape(value: Any) -> Raw:
    """Escape text for GitHub-flavoured Markdown, inline (a table cell or a line of text).

    HTML-significant characters become entities (GitHub renders raw HTML), Markdown
    punctuation is backslash-escaped, '@' cannot mention anyone, and a value never
    breaks a line or a table row.
    """
    if isinstance(value, Raw):
        return value
    text = _MD_SPECIAL.sub(r"\\\1", plain(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    return Raw(_XML_ILLEGAL.sub("\ufffd", text))


def md_code(value: Any) -> Raw:
    """Inline code span that no backtick in the value can close."""
    text = re.sub(r"[\r\n]+", " ", plain(value))
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Raw(f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|"))


def gh_message(value: Any) -> Raw:
    """Escape the message part of a GitHub workflow command (% CR LF)."""
    if isinstance(value, Raw):
        return value
    return Raw(plain(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def gh_property(value: Any) -> Raw:
    """Escape a property value of a GitHub workflow command (% CR LF : ,)."""
    return Raw(plain(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
               .replace(":", "%3A").replace(",", "%2C"))


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fmt_label(text: Any, **values: Any) -> str:
    """Fill a label's ``{name}`` placeholders (a filter: ``{{ L.shown | fill(shown=1, total=2) }}``).

    Substitution only, never ``str.format``: each ``{name}`` with a value of that name
    becomes that value's text; nothing else is interpreted (no attribute or index
    lookups, conversions or format specs), and any other brace stays as written.
    """
    texts = {name: plain(value) for name, value in values.items()}
    return _PLACEHOLDER.sub(lambda m: texts.get(m.group(1), m.group(0)), plain(text))


def _escape_finalize(escape: Callable[[Any], Raw]) -> Callable[[Any], Any]:
    def finalize(value: Any) -> Any:
        return value if isinstance(value, Raw) else escape(value)

    return finalize


SYNTAXES: dict[str, dict[str, Any]] = {
    "html": {"autoescape": True, "finalize": xml_clean},
    "xml": {"autoescape": True, "finalize": xml_clean},
    "md": {"autoescape": False, "finalize": _escape_finalize(md_escape)},
    "github": {"autoescape": False, "finalize": _escape_finalize(gh_message)},
    "js": {"autoescape": False},
}


MAX_TEMPLATE_BYTES = 4 * 2**20   # a template file larger than this is refused
#: Jinja's built-in filters and tests offered to report templates (all but those left out of
#: :data:`checker.sandbox.BUILTIN_FILTERS`), and this module's own, which make their input text.
FILTERS: dict[str, Callable | None] = dict.fromkeys(sandbox.BUILTIN_FILTERS)
FILTERS.update(md=md_escape, md_code=md_code, gh_message=gh_message, gh_property=gh_property, fill=fmt_label)
OWN_FILTERS = ("md", "md_code", "gh_message", "gh_property", "fill")


class ContainedLoader(BaseLoader):
    """Templates from folders, first found wins, and never from outside them.

    A template is read only if, symbolic links resolved, it is a regular file inside the
    folder it was found in and at most :data:`MAX_TEMPLATE_BYTES` long; it is opened
    without blocking and checked on the open file, so neither a link to ``/proc`` nor a
    FIFO can stand in for one.
    """

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(f) for f in folders]

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                continue
            if not real.is_relative_to(folder.resolve()):
                raise TemplateError(tr("report template '{name}' leads outside {folder}", name=template,
                                           folder=str(folder)))
            text, mtime = _read_template(real, template)
            return text, str(path), lambda real=real, mtime=mtime: _mtime(real) == mtime
        raise TemplateNotFound(template)


def _read_template(path: Path, name: str) -> tuple[str, float]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise TemplateError(tr("report template '{name}' cannot be read: {reason}", name=name,
                                reason=err.strerror)) from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise TemplateError(tr("report template '{name}' is not a regular file", name=name))
        data = f.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(tr("report template '{name}' is larger than {size} MiB", name=name,
                                size=MAX_TEMPLATE_BYTES // 2**20))
    try:
        return data.decode("utf-8"), info.st_mtime
    except UnicodeDecodeError:
        raise TemplateError(tr("report template '{name}' is not UTF-8 text", name=name)) from None


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def environment(syntax: str, templates_dir: Path | None = None) -> sandbox.BoundedEnvironment:
    """A bounded sandbox for one output syntax; ``templates_dir`` overrides the bundled templates."""
    folders = ([templates_dir] if templates_dir else []) + [bundled("reports")]
    return sandbox.BoundedEnvironment(
        filters=FILTERS, text_filters=OWN_FILTERS, tests=sandbox.BUILTIN_TESTS, globals=sandbox.GLOBALS,
        loader=ContainedLoader(folders), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, **SYNTAXES[syntax])


STEPS_PER_ITEM = 2_000    # charged steps a render may spend per rule, sample, waiver, input and clause
CHARS_PER_ITEM = 20_000   # characters it may make per item


def render_budget(view: View) -> sandbox.Budget:
    """The budget of one report render: the sandbox's defaults plus some per item of the result.

    The bundled templates spend about 130 steps and 1,500 characters per item."""
    result = view.result
    items = len(view.rules) + sum(len(r.samples) + len(r.waived_samples) for r in view.rules) + \
        len(result.waivers) + len(result.inputs) + len(view.coverage) + len(result.warnings)
    return sandbox.Budget(steps=sandbox.MAX_STEPS + STEPS_PER_ITEM * items,
                          chars=sandbox.MAX_CHARS + CHARS_PER_ITEM * items)


@dataclass(frozen=True)
class Context:
    """What a renderer is given besides the result."""

    lang: str = "en"
    templates_dir: Path | None = None


class Renderer:
    """One output format.  Subclasses set ``name``, ``suffix`` and ``template`` (or override ``render``)."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    syntax: ClassVar[str]
    template: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A format either names its template or renders by itself: one with neither is refused when its
        class is defined, not when a report is asked of it."""
        super().__init_subclass__(**kwargs)
        if cls.template is None and cls.render is Renderer.render:
            raise TypeError(f"renderer {cls.__name__} needs a template or a render() of its own")

    def render(self, result: Result, ctx: Context) -> str:
        assert self.template is not None      # (see __init_subclass__)
        view = build(result, ctx.lang)
        return self.render_template(self.template, ctx, view, **self.extra(view, ctx))

    def extra(self, view: View, ctx: Context) -> dict[str, Any]:
        return {}

    def render_template(self, name: str, ctx: Context, view: View, syntax: str | None = None, **extra: Any) -> str:
        return render_named(name, syntax or self.syntax, ctx.templates_dir, lambda: render_budget(view),
                            result=view.result, view=view, L=labels(ctx.lang), lang=ctx.lang, **extra)


def render_named(name: str, syntax: str, templates_dir: Path | None, budget: Callable[[], sandbox.Budget],
                 **context: Any) -> str:
    """Render the template ``name`` in the sandbox of ``syntax`` within ``budget()``; whatever goes wrong in
    the template is a ``T501`` problem naming its file and line (what every report render shares)."""
    env = environment(syntax, templates_dir)
    try:
        template = env.get_template(name)
        with sandbox.spending(budget()):
            return template.render(**context)
    except TemplateNotFound as err:
        where = ", ".join(str(p) for p in ([templates_dir] if templates_dir else []) + [bundled("reports")])
        raise CheckerError([Problem(Span(name), codes.T501, _("report template '{name}' not found in {where}",
                                                                       name=str(err.name), where=where))]) from None
    except TemplateSyntaxError as err:
        raise CheckerError([Problem(Span(err.filename or name, err.lineno or 0, 1), codes.T501,
                                    _("template syntax error: {error}", error=_short(err.message)))]) from None
    except RecursionError as err:
        file, line = _template_frame(err, env, name)
        raise CheckerError([Problem(Span(file, line, 1 if line else 0), codes.T501,
                                    _("template could not be rendered: it recurses too deeply "
                                      "(a macro, include or extends that calls itself)"))]) from None
    except Exception as err:  # whatever a template does wrong is the template's problem, never a traceback
        file, line = _template_frame(err, env, name)
        raise CheckerError([Problem(Span(file, line, 1 if line else 0), codes.T501,
                                    _("template could not be rendered: {kind}: {error}", kind=type(err).__name__,
                                      error=_short(err)))]) from err


def _short(err: Any, limit: int = 300) -> str:
    """An error's text on one line, at most ``limit`` characters (it may quote a value of the template's)."""
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _template_frame(err: BaseException, env: Any, name: str) -> tuple[str, int]:
    """The template file and line where a render error happened (Jinja maps its frames to templates)."""
    found = (name, 0)
    for frame, lineno in traceback.walk_tb(err.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".j2", ".js")):
            found = (filename, lineno)
    return found
