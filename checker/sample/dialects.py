# ruff: noqa: RUF002  (the docstring shows the full-width digits the export holds)
"""Some sample exports spelled the way Taiwanese systems write them, declared in ``datasets.yaml``.

The bundled schemas keep the ``iso`` default and UTC; these exports declare their own dialect on
their ``datasets.yaml`` entry (:data:`DIALECTS`), so the same records read as they would from an ISO
export and the answer key holds:

* ``budget.expenses``: amounts as ``NT$1,234.50`` (thousands and currency), dates in Republic of
  China years (``115/03/01``);
* ``marketing.research_reports``: full-width digits (``１８``, ``２０２６-０３-３１``), ``-`` for null,
  read with ``normalize: nfkc``;
* ``crm.complaints``: ``是``/``否`` for the escalation flag, date-times local to Asia/Taipei.

Two values match no declared spelling on purpose (an expense paid in a 13th month, a sample size
written with its unit): each is a planted ``type``/``format`` violation in the answer key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: dataset -> the ``dialect`` of its ``datasets.yaml`` entry
DIALECTS: dict[str, dict[str, Any]] = {
    "budget.expenses": {"formats": ["roc:%Y/%m/%d"], "thousands": ",", "currency": ["NT$"]},
    "marketing.research_reports": {"normalize": "nfkc", "null": ["", "-"]},
    "crm.complaints": {"true": ["是"], "false": ["否"], "timezone": "Asia/Taipei"},
}

_FULL_WIDTH = str.maketrans({ch: chr(ord(ch) + 0xFEE0) for ch in "0123456789-"})


def roc(day: dt.date) -> str:
    """A date in Republic of China years, as Taiwanese systems write it (民國 115/03/01)."""
    return f"{day.year - 1911}/{day.month:02d}/{day.day:02d}"


def money(amount: Decimal) -> str:
    """An amount as ``NT$1,234.50`` (``-NT$20.00`` below zero)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}NT${abs(amount):,.2f}"


def full_width(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def respell(w: Any, dataset: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of a small export as its dialect spells them (text), planting the unmatched values."""
    if dataset == "budget.expenses":
        out = []
        planted = False
        for r in records:
            r = dict(r)
            r["amount"] = money(r["amount"])
            r["expense_date"] = roc(r["expense_date"])
            if r["paid_on"] is not None and not planted:
                # a 13th month: no date in any declared spelling
                r["paid_on"] = f"{r['paid_on'].year - 1911}/13/{r['paid_on'].day:02d}"
                w.expect("schema:budget.expenses.paid_on:format", expense_id=r["expense_id"])
                planted = True
            elif r["paid_on"] is not None:
                r["paid_on"] = roc(r["paid_on"])
            out.append(r)
        return out
    if dataset == "marketing.research_reports":
        out = []
        for r in records:
            r = dict(r)
            for col in ("sample_size", "due_on", "submitted_on"):
                value = r[col]
                r[col] = "-" if value is None else full_width(value.isoformat() if isinstance(value, dt.date)
                                                              else str(value))
            if r["period"] == "2025-Q3" and r["type"] == "customer_needs" and r["method"] == "interview":
                r["sample_size"] += "人"       # written with its unit: no integer (an interview: no rule reads it)
                w.expect("schema:marketing.research_reports.sample_size:type", report_id=r["report_id"])
            out.append(r)
        return out
    return records


def respell_arrow(dataset: str, table: pa.Table) -> pa.Table:
    """A batch of a streamed export as its dialect spells it."""
    if dataset == "crm.complaints":
        at = table.schema.get_field_index("escalated")
        flag = pc.if_else(table.column(at), pa.scalar("是"), pa.scalar("否"))
        return table.set_column(at, "escalated", flag)
    return table
