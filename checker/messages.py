"""Rule messages: sandboxed Jinja templates over a record's columns, and PII masking.

Templates run in Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment` with
autoescaping off (a message is plain text; every rendered format escapes it for its
own syntax).  Values of ``x-pii`` columns are masked before a template sees them,
unless the user asks for ``--show-pii``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
    env.filters["mask"] = mask
    return env


def mask(value: Any) -> str:
    """Mask personal data consistently: 13812345679 -> 138****5679, jo@x.com -> j***@x.com, 王小明 -> 王*明."""
    if value is None:
        return ""
    text = str(value)
    if "@" in text:
        local, _, domain = text.partition("@")
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
class MessageTemplate:
    zh: str
    en: str

    def variables(self) -> set[str]:
        env = environment()
        names: set[str] = set()
        for text in (self.zh, self.en):
            names |= meta.find_undeclared_variables(env.parse(text))
        return names

    def syntax_error(self) -> str | None:
        for text in (self.zh, self.en):
            try:
                environment().parse(text)
            except TemplateSyntaxError as err:
                return f"line {err.lineno}: {err.message}"
        return None

    def render(self, lang: str, record: dict[str, Any]) -> str:
        text = self.zh if lang == "zh" else self.en
        try:
            return environment().from_string(text).render(**record)
        except Exception as err:  # a broken template must not stop a run: say so in the message
            return f"{text} [message could not be rendered: {err}]"


def record_view(record: dict[str, Any], pii: Iterable[str], show_pii: bool) -> dict[str, Any]:
    """The record as templates and sample keys see it: display values, PII masked."""
    pii = set(pii)
    out = {}
    for key, value in record.items():
        value = display(value)
        out[key] = mask(value) if (key in pii and not show_pii and value is not None) else value
    return out
