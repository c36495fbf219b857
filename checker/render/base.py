"""What every rendered format shares: the renderer interface, the template environment, escaping.

Templates live in ``reports/<format>/`` (bundled with the wheel) and a ``--templates DIR``
laid out the same way overrides any of them, file by file.  They run in Jinja's
:class:`~jinja2.sandbox.SandboxedEnvironment`:

- HTML and XML templates autoescape every ``{{ expression }}`` (and strip the control
  characters XML 1.0 forbids); nothing from a result is ever marked safe.
- Markdown and GitHub-annotation templates escape every expression for their syntax
  through ``finalize``: a value is escaped unless a filter of this module already
  escaped it (and returned :class:`Raw`).  A template cannot forget to escape.

A broken template, or one that tries what the sandbox forbids, is a ``T501`` problem
naming the template file and line, never a traceback.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound, \
    TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from checker.model.result import Result
from checker.problems import CheckerError, Problem, Span
from checker.render.labels import labels
from checker.render.view import View, build
from checker.resources import bundled

# Problem codes of the report layer (T: templates and reports).
CODES = {
    "T501": "report template error",
    "T502": "result file cannot be read",
    "T503": "report cannot be written",
    "T504": "PDF cannot be printed",
}


class Raw(str):
    """Text already escaped for the template's output syntax (returned by this module's filters)."""


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_clean(value: Any) -> Any:
    """Drop the characters XML 1.0 (and HTML) cannot carry even escaped; escaping happens after."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return _XML_ILLEGAL.sub("\ufffd", value)
    return value


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~$])")


def md_escape(value: Any) -> Raw:
    """Escape text for GitHub-flavoured Markdown, inline (a table cell or a line of text).

    HTML-significant characters become entities (GitHub renders raw HTML), Markdown
    punctuation is backslash-escaped, '@' cannot mention anyone, and a value never
    breaks a line or a table row.
    """
    if isinstance(value, Raw):
        return value
    text = _MD_SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    return Raw(_XML_ILLEGAL.sub("\ufffd", text))


def md_code(value: Any) -> Raw:
    """Inline code span that no backtick in the value can close."""
    text = re.sub(r"[\r\n]+", " ", "" if value is None else str(value))
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Raw(f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|"))


def gh_message(value: Any) -> Raw:
    """Escape the message part of a GitHub workflow command (% CR LF)."""
    if isinstance(value, Raw):
        return value
    text = "" if value is None else str(value)
    return Raw(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def gh_property(value: Any) -> Raw:
    """Escape a property value of a GitHub workflow command (% CR LF : ,)."""
    text = "" if value is None else str(value)
    return Raw(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
               .replace(":", "%3A").replace(",", "%2C"))


def fmt_label(text: str, **values: Any) -> str:
    """Fill a label's {placeholders} (a filter: ``{{ L.shown | fill(shown=1, total=2) }}``)."""
    return text.format(**values)


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


def environment(syntax: str, templates_dir: Path | None = None) -> SandboxedEnvironment:
    """A sandboxed environment for one output syntax; ``templates_dir`` overrides the bundled templates."""
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir else []
    loaders.append(FileSystemLoader(str(bundled("reports"))))
    env = SandboxedEnvironment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True, **SYNTAXES[syntax])
    env.filters.update(md=md_escape, md_code=md_code, gh_message=gh_message, gh_property=gh_property,
                       fill=fmt_label)
    return env


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

    def render(self, result: Result, ctx: Context) -> str:
        view = build(result, ctx.lang)
        return self.render_template(self.template, ctx, view, **self.extra(view, ctx))

    def extra(self, view: View, ctx: Context) -> dict[str, Any]:
        return {}

    def render_template(self, name: str, ctx: Context, view: View, syntax: str | None = None, **extra: Any) -> str:
        env = environment(syntax or self.syntax, ctx.templates_dir)
        try:
            template = env.get_template(name)
            return template.render(result=view.result, view=view, L=labels(ctx.lang), lang=ctx.lang, **extra)
        except TemplateNotFound as err:
            where = ", ".join(str(p) for p in ([ctx.templates_dir] if ctx.templates_dir else []) + [bundled("reports")])
            raise CheckerError([Problem(Span(name), "T501", f"report template '{err.name}' not found in {where}")])
        except TemplateSyntaxError as err:
            raise CheckerError([Problem(Span(err.filename or name, err.lineno or 0, 1), "T501",
                                        f"template syntax error: {err.message}")])
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as err:
            file, line = _template_frame(err, env, name)
            raise CheckerError([Problem(Span(file, line, 1 if line else 0), "T501",
                                        f"template could not be rendered: {type(err).__name__}: {err}")])


def _template_frame(err: BaseException, env: SandboxedEnvironment, name: str) -> tuple[str, int]:
    """The template file and line where a render error happened (Jinja maps its frames to templates)."""
    found = (name, 0)
    for frame, lineno in traceback.walk_tb(err.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith(".j2") or filename.endswith(".js"):
            found = (filename, lineno)
    return found
