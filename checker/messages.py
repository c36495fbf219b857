"""Rule messages: bounded templates over a record's columns, and PII masking.

A message is a small Jinja template rendered in a
:class:`~checker.sandbox.BoundedEnvironment` with autoescaping off (a message is plain
text; every rendered format escapes it for its own syntax).  Values of ``x-pii`` columns
are masked before a template sees them, unless the user asks for ``--show-pii``.

Messages are a subset of Jinja, checked on the parsed template (:func:`refusal`), and
anything else is refused (``X211``) by ``lint`` and when rules load for ``check`` and
``test``: output of expressions over the record's columns (top-level names, never
attributes or items), constants, ``~``, arithmetic on numbers, comparisons, ``and``/
``or``/``not``, ``a if c else b``, ``{% if %}``/``{% elif %}``/``{% else %}`` and the
filters and tests of :data:`MESSAGE_FILTERS` and :data:`MESSAGE_TESTS`.  No loops,
calls, assignments, macros or other templates, so a message renders in time linear in
its text.  A rendered message is at most :data:`MESSAGE_CHARS` characters: longer ones
(and longer record values) are cut and end with :data:`CUT`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import Template, TemplateSyntaxError, meta, nodes

from checker import sandbox
from checker.i18n import LANGS, Msg, _, num, render

MESSAGE_CHARS = 1_000        # characters of a rendered message (and of a record value a message sees)
SOURCE_CHARS = 4_000         # characters of a message template, in each language
MAX_DEPTH = 40               # nesting of a message template's expressions
#: the mark that ends a cut text
CUT_MARK = _("…[cut]")
CUT = {lang: CUT_MARK.render(lang) for lang in LANGS}
#: said after a message's own text where it could not be rendered (English leaves a space before it)
FAILED = _("[message could not be rendered: {reason}]")

#: The filters a message may use (``mask`` is this module's; the rest are Jinja's).
MESSAGE_FILTERS = frozenset({"mask", "default", "d", "upper", "lower", "title", "capitalize", "trim", "round", "int",
                             "float", "abs", "string", "length", "count", "truncate", "first", "last", "wordcount",
                             "filesizeformat"})
#: The tests a message may use (``{% if x is none %}``).
MESSAGE_TESTS = frozenset({"defined", "undefined", "none", "number", "string", "integer", "float", "boolean", "true",
                           "false", "even", "odd", "divisibleby", "eq", "ne", "lt", "le", "gt", "ge", "==", "!=", "<",
                           "<=", ">", ">=", "equalto", "greaterthan", "lessthan", "in", "lower", "upper"})
#: Names Jinja gives a meaning of its own: never a column in a message.
RESERVED = frozenset({"self", "loop", "caller", "varargs", "kwargs", "super"})
HINT = _("a message outputs columns ({{{{ column }}}}), constants, ~, arithmetic on numbers, comparisons, and/or/not, "
         "'a if c else b' and {{% if %}}/{{% elif %}}/{{% else %}}, with the filters {filters}; no loops, calls, "
         "attributes, items, assignments, macros or other templates", filters=", ".join(sorted(MESSAGE_FILTERS)))

_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Const, nodes.Name, nodes.CondExpr,
            nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand, nodes.Concat,
            nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Tuple, nodes.List,
            nodes.Filter, nodes.Test, nodes.Keyword)
_WHAT: dict[type[nodes.Node], Msg | str] = {
    nodes.For: _("a loop ({% for %})"), nodes.Macro: _("a macro"), nodes.CallBlock: _("a call block"),
    nodes.Call: _("a call"), nodes.Getattr: _("reading an attribute (write the column's name: {{ column }})"),
    nodes.Getitem: _("reading an item (write the column's name: {{ column }})"),
    nodes.Assign: _("an assignment ({% set %})"), nodes.AssignBlock: _("an assignment ({% set %})"),
    nodes.Import: _("another template"), nodes.FromImport: _("another template"),
    nodes.Include: _("another template"), nodes.Extends: _("another template"), nodes.Block: _("a block"),
    nodes.FilterBlock: _("a filter block"), nodes.With: _("a {% with %} block"), nodes.Pow: "'**'",
    nodes.Dict: _("a dict"), nodes.NSRef: _("a namespace"),
}

_NUMBER = (int, float, Decimal)


class MessageEnvironment(sandbox.BoundedEnvironment):
    """The bounded environment of messages, where arithmetic takes numbers (and ``+`` also two texts)."""

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        numbers = all(isinstance(x, _NUMBER) for x in (left, right))
        texts = operator == "+" and isinstance(left, str) and isinstance(right, str)
        if not (numbers or texts):
            reason = _("'{operator}' in a message takes numbers (join texts with ~)", operator=operator)
            # jinja2 types an error's message as str; it carries a Msg here, which MessageTemplate.render
            # renders in the message's own language
            raise sandbox.SecurityError(reason)  # type: ignore[arg-type]
        return super().call_binop(context, operator, left, right)


def _message_budget() -> sandbox.Budget:
    return sandbox.Budget(steps=20_000, chars=20 * 2**20, seconds=5.0)


@lru_cache(maxsize=1)
def environment() -> MessageEnvironment:
    filters = dict.fromkeys(MESSAGE_FILTERS - {"mask"})
    filters["mask"] = mask
    return MessageEnvironment(filters=filters, text_filters=("mask",), tests=MESSAGE_TESTS, globals=(),
                              autoescape=False, keep_trailing_newline=False, budget=_message_budget)


def mask(value: Any) -> str:
    """Mask personal data consistently: 13812345679 -> 138****5679, jo@x.com -> j***@x.com, 王小明 -> 王*明."""
    if value is None:
        return ""
    text = str(value)
    if "@" in text:
        local, _at, domain = text.partition("@")
        return (local[:1] + "***@" + domain) if local else "***@" + domain
    n = len(text)
    if n >= 11:
        return text[:3] + "*" * (n - 7) + text[-4:]
    if n >= 7:
        return text[:2] + "*" * (n - 4) + text[-2:]
    if n >= 3:
        return text[0] + "*" * (n - 2) + text[-1]
    if n == 0:
        return ""
    return text[0] + "*"


def display(value: Any) -> Any:
    """How a record value shows in messages and sample keys."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Refusal:
    """Why a message template is not allowed: its language, the template line, what it used."""

    lang: str
    line: int
    reason: Msg | str


def refusal(text: str) -> tuple[int, Msg | str] | None:
    """The first construct of ``text`` outside the message subset, as (template line, what), or None.

    ``text`` must parse (see :meth:`MessageTemplate.syntax_error`).
    """
    if len(text) > SOURCE_CHARS:
        return 1, _("a template of {n} characters (at most {limit})", n=num(len(text)), limit=num(SOURCE_CHARS))
    stack: list[tuple[nodes.Node, int]] = [(environment().parse(text), 0)]
    while stack:
        node, depth = stack.pop()
        found = _refused(node, depth)
        if found:
            return node.lineno, found
        stack.extend((child, depth + 1) for child in reversed(list(node.iter_child_nodes())))
    return None


def _refused(node: nodes.Node, depth: int) -> Msg | str | None:
    if depth > MAX_DEPTH:
        return _("expressions nested more than {n} deep", n=MAX_DEPTH)
    if not isinstance(node, _ALLOWED):
        return next((what for kind, what in _WHAT.items() if isinstance(node, kind)), f"'{type(node).__name__}'")
    if isinstance(node, nodes.Filter) and node.name not in MESSAGE_FILTERS:
        return _("the filter '{name}'", name=node.name)
    if isinstance(node, nodes.Test) and node.name not in MESSAGE_TESTS:
        return _("the test '{name}'", name=node.name)
    if isinstance(node, (nodes.Filter, nodes.Test)) and (node.dyn_args or node.dyn_kwargs):
        return _("'*' or '**' arguments")
    if isinstance(node, nodes.Name) and (node.ctx != "load" or node.name in RESERVED):
        return _("the name '{name}'", name=node.name)
    return None


@lru_cache(maxsize=1024)
def _compiled(text: str) -> tuple[Template | None, Msg | str]:
    """``text`` compiled, or None and why not (a message that lint refuses never renders)."""
    try:
        refused = refusal(text)
        if refused:
            return None, _("{construct} is not allowed in a message", construct=refused[1])
        return environment().from_string(text), ""
    except TemplateSyntaxError as err:
        return None, err.message or _("syntax error")
    except RecursionError:
        return None, _("the template nests too deeply")


def _bounded(value: Any, lang: str) -> Any:
    """A record value as a message sees it: texts past MESSAGE_CHARS cut and marked (in dicts and lists too)."""
    if isinstance(value, str) and len(value) > MESSAGE_CHARS:
        return value[:MESSAGE_CHARS] + CUT[lang]
    if isinstance(value, dict):
        return {k: _bounded(v, lang) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bounded(v, lang) for v in value]
    return value


def cut(text: str, lang: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` if it is at most ``limit`` characters, else its start and :data:`CUT`, ``limit`` in all."""
    if len(text) <= limit:
        return text
    mark = CUT.get(lang, CUT["en"])
    return text[: limit - len(mark)] + mark


@dataclass(frozen=True)
class MessageTemplate:
    zh: str
    en: str

    def texts(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def variables(self) -> set[str]:
        env = environment()
        names: set[str] = set()
        for text in (self.zh, self.en):
            names |= meta.find_undeclared_variables(env.parse(text))
        return names

    def syntax_error(self) -> Msg | None:
        for text in (self.zh, self.en):
            try:
                environment().parse(text)
            except TemplateSyntaxError as err:
                return _("line {line}: {error}", line=err.lineno, error=str(err.message))
            except RecursionError:
                return _("the template nests too deeply")
        return None

    def refusal(self) -> Refusal | None:
        """The first construct outside the message subset (see the module's docstring), in either language."""
        for lang, text in self.texts().items():
            found = refusal(text)
            if found:
                return Refusal(lang, *found)
        return None

    def render(self, lang: str, record: dict[str, Any]) -> str:
        """The message in ``lang``: at most MESSAGE_CHARS characters, never an exception.

        A template outside the subset, or one that fails on this record, renders as its
        own text followed by why it could not be rendered.
        """
        text = self.zh if lang == "zh" else self.en
        lang = "zh" if lang == "zh" else "en"
        template, why = _compiled(text)
        if template is not None:
            try:
                return cut(template.render({k: _bounded(v, lang) for k, v in record.items()}), lang)
            except Exception as err:  # a message must not stop a run: say what went wrong in it
                said = err.args[0] if len(err.args) == 1 and isinstance(err.args[0], Msg) else err
                why = " ".join(f"{type(err).__name__}: {render(said, lang)}".split())[:300]
        failed = (" " if lang == "en" else "") + FAILED.using(reason=why).render(lang)
        return cut(text, lang, MESSAGE_CHARS - len(failed)) + failed


def record_view(record: dict[str, Any], pii: Iterable[str], show_pii: bool) -> dict[str, Any]:
    """The record as templates and sample keys see it: display values, PII masked."""
    pii = set(pii)
    out = {}
    for key, value in record.items():
        value = display(value)
        out[key] = mask(value) if (key in pii and not show_pii and value is not None) else value
    return out
