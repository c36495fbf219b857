"""Both languages through gettext: English message ids, a Traditional Chinese catalog.

Every string a user reads is an English message id marked in the source with one of
three functions, which Babel's extractor knows (``babel.cfg``, ``scripts/i18n.py``):

- ``_("{n} rules checked", n=3)`` — a message;
- ``_n("{n} violation", "{n} violations", n, n=n)`` — a message with plural forms;
- ``_p("label-key", "Violations")`` — a message with a context (the report labels);
- ``tr(...)`` and ``ntr(...)`` — like ``_`` and ``_n``, rendered at once in the active language
  (for what is printed straight away).

Each returns a :class:`Msg`: a message *not yet in a language*.  It is rendered with
``msg.render(lang)`` (or ``str(msg)``, in the active language of :func:`use`), so an
object that outlives the run — a problem, a result's sample — can be shown in either
language: the result keeps both renderings (``messages: {zh, en}``) beside the
``message`` string of the run's language.

Parameters are filled with :meth:`str.format` after translation; a parameter that is
itself a :class:`Msg` is rendered in the same language (a hint inside a problem).
The catalog is ``checker/locale/zh_Hant/LC_MESSAGES/checker.po``; its compiled ``.mo``
beside it is what runs (the standard library's :mod:`gettext`, no Babel at run time),
and a test checks the ``.mo`` matches the ``.po`` and that every marked message has a
translation with the same placeholders.  English needs no catalog: the ids are English.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
DEFAULT = "zh"
DOMAIN = "checker"
LOCALE_DIR = Path(__file__).parent / "locale"
#: gettext's locale name of each language the checker speaks (None: the message ids themselves)
LOCALES = {"zh": "zh_Hant", "en": None}

_active: ContextVar[str] = ContextVar("checker_lang", default=DEFAULT)


@cache
def catalog(lang: str) -> gettext.NullTranslations:
    """The translations of one language; English (the ids) needs none."""
    locale = LOCALES[lang]
    if locale is None:
        return gettext.NullTranslations()
    with (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fh:
        return gettext.GNUTranslations(fh)


def active() -> str:
    return _active.get()


@contextmanager
def use(lang: str) -> Iterator[None]:
    """Render messages in ``lang`` inside the block (``str(msg)``, :func:`tr`)."""
    token = _active.set(lang if lang in LANGS else DEFAULT)
    try:
        yield
    finally:
        _active.reset(token)


class Msg:
    """A message in no language yet: its English id, plural form, context and parameters."""

    __slots__ = ("context", "id", "n", "params", "plural")

    def __init__(self, id: str, plural: str | None = None, n: int | None = None, context: str | None = None,
                 params: dict[str, Any] | None = None):
        self.id = id
        self.plural = plural
        self.n = n
        self.context = context
        self.params = params or {}

    def render(self, lang: str | None = None) -> str:
        lang = lang if lang in LANGS else active()
        t = catalog(lang)
        if self.plural is not None:
            n = self.n or 0
            text = (t.npgettext(self.context, self.id, self.plural, n) if self.context
                    else t.ngettext(self.id, self.plural, n))
        else:
            text = t.pgettext(self.context, self.id) if self.context else t.gettext(self.id)
        if not self.params:
            return text
        return text.format(**{k: render(v, lang) for k, v in self.params.items()})

    def using(self, **params: Any) -> Msg:
        """The same message with (more) parameters: a table of messages filled in later."""
        return Msg(self.id, self.plural, params.pop("_count", self.n), self.context, {**self.params, **params})

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Msg({self.id!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Msg):
            return (self.id, self.plural, self.n, self.context, self.params) == \
                (other.id, other.plural, other.n, other.context, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.plural, self.n, self.context))



def render(value: Any, lang: str | None = None) -> Any:
    """A :class:`Msg` in ``lang``; a list of them joined by the language's separator; anything else as is."""
    return value.render(lang) if isinstance(value, (Msg, Joined)) else value


def both(value: Any) -> dict[str, str]:
    """Every language's rendering of a message (a plain string is the same in all)."""
    return {lang: str(render(value, lang)) for lang in LANGS}


class Joined:
    """Several messages shown as one: joined by ``；`` in Chinese and ``; `` in English."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Any]):
        self.parts = parts

    def render(self, lang: str | None = None) -> str:
        lang = lang if lang in LANGS else active()
        sep = "；" if lang == "zh" else "; "
        return sep.join(str(render(p, lang)) for p in self.parts)

    def __str__(self) -> str:
        return self.render()


def _(id: str, /, **params: Any) -> Msg:
    return Msg(id, params=params)


def _n(singular: str, plural: str, n: int, /, **params: Any) -> Msg:
    return Msg(singular, plural, n, params=params)


def _p(context: str, id: str, /, **params: Any) -> Msg:
    return Msg(id, context=context, params=params)


def num(n: int) -> str:
    """A count as messages show it: digits grouped by commas (in both languages)."""
    return f"{n:,}"


def tr(id: str, /, **params: Any) -> str:
    """A message rendered now, in the active language (for output that is printed at once)."""
    return Msg(id, params=params).render()


def ntr(singular: str, plural: str, n: int, /, **params: Any) -> str:
    return Msg(singular, plural, n, params=params).render()
