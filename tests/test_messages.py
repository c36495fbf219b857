"""Rule messages are sandboxed Jinja; personal data is masked consistently."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.messages import MessageTemplate, mask, record_view


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"),
    ("13912345679", "139****5679"),
    ("wang@example.com", "w***@example.com"),
    ("王小明", "王*明"),
    ("李華", "李*"),
    ("1381234", "13***34"),
    ("ab", "a*"),
])
def test_mask(value, masked):
    assert mask(value) == masked
    assert len(mask(value)) == len(value) or "@" in value


def test_mask_is_consistent():
    assert mask("13812345678") == mask("13812345678")


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ self._TemplateReference__context }}",
])
def test_templates_cannot_escape_the_sandbox(template):
    text = MessageTemplate(template, template).render("en", {"complaint_id": "C1"})
    assert "could not be rendered" in text or text.strip() in ("", "()")
    assert "subclasses" not in text.replace(template, "") and "environ" not in text.replace(template, "")


def test_render_uses_language_and_masked_view():
    record = record_view({"complaint_id": "C1", "phone": "13812345678", "at": dt.datetime(2026, 3, 1, 9)},
                         pii=["phone"], show_pii=False)
    t = MessageTemplate("投訴 {{ complaint_id }} 電話 {{ phone }}", "Complaint {{ complaint_id }} at {{ at }}")
    assert t.render("zh", record) == "投訴 C1 電話 138****5678"
    assert t.render("en", record) == "Complaint C1 at 2026-03-01 09:00:00"
    assert record_view({"phone": "13812345678"}, ["phone"], show_pii=True) == {"phone": "13812345678"}


def test_no_autoescape_in_plain_text_messages():
    # messages are plain text; each rendered format escapes for its own syntax
    assert MessageTemplate("{{ v }}", "{{ v }}").render("en", {"v": "<b>"}) == "<b>"
