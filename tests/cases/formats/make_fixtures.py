"""Write the same six complaint records in every supported format and encoding.

Run once with `python tests/cases/formats/make_fixtures.py`; the files it writes are
committed, so the tests read real files made by real writers (openpyxl for Excel,
pyarrow for Parquet, Python codecs for GB18030 and Big5).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

HERE = Path(__file__).parent
HEADER_ZH = ["投訴編號", "客戶編號", "嚴重程度", "建立時間", "首次響應時間", "結案時間", "聯繫電話"]
COLUMNS = ["complaint_id", "customer_id", "severity", "created_at", "first_response_at", "closed_at", "contact_phone"]
T = dt.datetime
RECORDS = [
    ["C000001", "K1", "high", T(2026, 3, 1, 9), T(2026, 3, 1, 10), T(2026, 3, 2, 9), "13812345678"],
    ["C000002", "K1", "high", T(2026, 3, 1, 9), T(2026, 3, 3, 10), None, "13812345678"],
    ["C000003", "K2", "urgent", T(2026, 3, 1, 9), None, None, None],
    ["C000004", "K2", "low", "2026-13-01 09:00:00", T(2026, 3, 1, 10), T(2026, 3, 2, 9), "13912345679"],
    ["C00005", "K3", "medium", T(2026, 3, 2, 9), T(2026, 3, 2, 10), T(2026, 3, 3, 9), "13712345670"],
    ["C000006", "K3", "high", T(2026, 3, 5, 9), T(2026, 3, 5, 10), T(2026, 3, 6, 9), "12345"],
]


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


def csv_text(header) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in RECORDS:
        w.writerow([text(v) for v in r])
    return buf.getvalue()


def main() -> None:
    for case, header, encoding in [("csv-utf8", COLUMNS, "utf-8"), ("csv-utf8-bom", HEADER_ZH, "utf-8-sig"),
                                   ("csv-gb18030", HEADER_ZH, "gb18030"), ("csv-big5", HEADER_ZH, "big5")]:
        path = HERE / case / "data" / "crm" / "complaints.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_text(header).encode(encoding))

    path = HERE / "jsonl" / "data" / "crm" / "complaints.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in RECORDS:
            fh.write(json.dumps({c: (text(v) if v is not None else None) for c, v in zip(COLUMNS, r, strict=True)},
                                ensure_ascii=False) + "\n")
    path = HERE / "json" / "data" / "crm" / "complaints.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [{c: text(v) for c, v in zip(COLUMNS, r, strict=True) if v is not None} for r in RECORDS]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "投訴"
    ws.append(HEADER_ZH)
    for r in RECORDS:
        ws.append(r)
    path = HERE / "xlsx" / "data" / "exports" / "投訴.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "complaint_id": [r[0] for r in RECORDS], "customer_id": [r[1] for r in RECORDS],
        "severity": [r[2] for r in RECORDS], "created_at": [text(r[3]) for r in RECORDS],
        "first_response_at": pa.array([r[4] for r in RECORDS], pa.timestamp("us")),
        "closed_at": pa.array([r[5] for r in RECORDS], pa.timestamp("us")),
        "contact_phone": [r[6] for r in RECORDS],
    })
    path = HERE / "parquet" / "data" / "crm" / "complaints.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


if __name__ == "__main__":
    main()
