"""crm.*: customers, complaints, interactions, access log, feedback and surveys.

Customers, feedback and surveys are written record by record as they are made (never
held whole). Complaints, interactions and the access log — the tables ``--rows``
scales — are made by DuckDB from ``range()`` in chunks of :data:`CHUNK` records, with
``hash(i, seed, salt)`` as the random source, and streamed to their files: memory stays
bounded at any size.

Complaints are laid out month by month; the j-th complaint of a month goes to customer
``(offset + j * stride) mod n`` of the customers registered before that month, and its
time is ``(j * PRIME + offset) mod seconds`` into the month: so no customer complains
more than twice in a month and no two complaints of a month share a time, by
construction. Planted violations replace chosen records (or are appended) and the answer
key records their keys.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from checker.sample.world import AS_OF, END, PRIME, START, World, at, display, mobile, months, national_id
from checker.sample.writers import StreamWriter, columns

CHUNK = 250_000
RESERVED = 6                        # the newest customers, registered in June 2026, kept for planted groups
CONTACT_POINTS = ["phone", "email", "sms", "line", "visit", "event", "web_chat"]
FEEDBACK_CHANNELS = ["hotline", "email", "web_form", "app", "store"]
RESOLUTIONS = ["已致電說明並致歉", "已更換商品", "已退款", "已補寄商品", "已更正帳單", "已轉交物流追蹤並回覆",
               "已說明活動規則", "已安排專人到府處理"]
OUTCOMES = ["已解決", "待追蹤", "客戶有興趣", "客戶婉拒", "已預約回電", "資料已更新"]
FIELDS = ["name,phone", "phone,email", "address", "name,phone,email,address", "purchase_history", "national_id"]
CONTENTS = ["希望增加夜間客服時段", "詢問會員點數使用方式", "建議簡化退貨流程", "讚美門市人員服務", "新品價格偏高",
            "競爭對手推出更低價方案", "希望產品增加新色", "網站結帳流程不順"]
DOMAINS = ["gmail.com", "yahoo.com.tw", "hotmail.com", "msa.hinet.net", "outlook.com"]


def customer_id(idx: int) -> str:
    return f"K{idx + 1:07d}"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


class Customers:
    """The compact columns other tables need (full records go straight to the file)."""

    def __init__(self) -> None:
        self.registered: list[int] = []   # date ordinals, ascending with the index
        self.phone: list[str | None] = []
        self.status: list[str] = []
        self.consent_at: list[dt.datetime | None] = []

    @property
    def n(self) -> int:
        return len(self.registered)

    def before(self, day: dt.date, pool_end: int | None = None) -> int:
        """How many customers registered before ``day`` (they are a prefix of the index)."""
        return bisect.bisect_left(self.registered, day.toordinal(), 0, pool_end or self.n)

    def arrow(self) -> pa.Table:
        return pa.table({"idx": pa.array(range(self.n), pa.int64()),
                         "customer_id": [customer_id(i) for i in range(self.n)],
                         "phone": pa.array(self.phone, pa.string())})


def generate(w: World, paths: dict[str, Path]) -> dict[str, int]:
    counts: dict[str, int] = {}
    cust, plants = _customers(w, paths["crm.customers"])
    counts["crm.customers"] = cust.n
    counts["crm.surveys"] = _surveys(w, cust, plants, paths["crm.surveys"])
    counts["crm.feedback"] = _feedback(w, cust, paths["crm.feedback"])
    con = duckdb.connect(":memory:", config={"memory_limit": "1GB", "threads": 2})
    try:
        con.register("cust", cust.arrow())
        counts["crm.complaints"] = _complaints(w, con, cust, plants, paths["crm.complaints"])
        counts["crm.interactions"] = _interactions(w, con, cust, plants, paths["crm.interactions"])
        counts["crm.access_log"] = _access_log(w, con, cust, paths["crm.access_log"])
    finally:
        con.close()
    return counts


# -- customers --------------------------------------------------------------------------------------

def customer_count(rows: int) -> int:
    return max(300, min(rows // 20, 500_000))


def _customers(w: World, path: Path) -> tuple[Customers, dict[str, Any]]:
    rng = w.rng("crm.customers")
    n = customer_count(w.rows)
    first, last = dt.date(2019, 1, 1).toordinal(), dt.date(2026, 5, 31).toordinal()
    registered = sorted(rng.randint(first, last) for _ in range(n - RESERVED))
    registered += [dt.date(2026, 6, 1 + k // 2).toordinal() for k in range(RESERVED)]
    owners = [e["employee_id"] for e in w.staff(department="sales")]
    old = [i for i in range(n - RESERVED) if registered[i] < dt.date(2024, 1, 1).toordinal()]
    picks = rng.sample(old, 14)
    plants: dict[str, Any] = {"CP-001": picks[0:2], "CP-002": picks[2:5], "CP-003": picks[5:7], "CI-005": picks[7:9],
                              "FB-004": picks[9:11], "no-consent": picks[11], "reserved": list(range(n - RESERVED, n))}
    late_consent = next(i for i in range(n - RESERVED) if registered[i] >= dt.date(2026, 3, 2).toordinal())
    plants["late-consent"] = late_consent
    special = {i for k, v in plants.items() if k != "reserved" for i in (v if isinstance(v, list) else [v])}
    cust = Customers()
    cols = columns("crm.customers")
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(cols)
        for i in range(n):
            reg = dt.date.fromordinal(registered[i])
            status = rng.choices(["active", "inactive", "closed"], [85, 10, 5])[0]
            if i in special or i >= n - RESERVED:
                status = "active"
            closed_on = None
            if status == "closed":
                lo = max(registered[i] + 60, dt.date(2024, 1, 1).toordinal())
                closed_on = dt.date.fromordinal(rng.randint(lo, max(lo, dt.date(2026, 6, 20).toordinal())))
            erased = closed_on is not None and closed_on + dt.timedelta(days=180) <= AS_OF
            phone = mobile(i, 5) if rng.random() > 0.1 else None
            email = (f"{rng.choice(w.pools.users)}{i}@{rng.choice(DOMAINS)}"
                     if rng.random() > 0.3 or phone is None else None)
            consent = rng.random() < 0.6 and i != plants["no-consent"]
            if i == late_consent:
                consent = True
            consent_at = at(reg, rng.randint(9, 22), rng.randint(0, 59)) if consent else None
            verified: dt.date | None
            if status == "active" and reg + dt.timedelta(days=365) <= AS_OF:
                verified = AS_OF - dt.timedelta(days=rng.randint(1, 360))
            elif status == "active":
                verified = min(reg + dt.timedelta(days=rng.randint(0, 30)), END)
            else:
                verified = reg + dt.timedelta(days=rng.randint(0, 400)) if rng.random() < 0.7 else None
                verified = min(verified, closed_on or END) if verified else None
            record = {"customer_id": customer_id(i), "name": w.person(rng), "national_id": national_id(i, 11),
                      "phone": phone, "email": email, "address": rng.choice(w.pools.addresses),
                      "city": rng.choice(w.pools.cities),
                      "tier": rng.choices(["standard", "gold", "vip"], [70, 22, 8])[0],
                      "status": status, "registered_on": reg, "owner_id": rng.choice(owners),
                      "consent_marketing": consent, "consent_at": consent_at, "contact_verified_on": verified,
                      "closed_on": closed_on}
            if erased:
                record.update(name="（已註銷）", national_id=None, phone=None, email=None, address=None)
            if i in plants["CP-001"]:
                record.update(phone=None, email=None)
            if i in plants["CP-002"]:
                record["contact_verified_on"] = None if i == plants["CP-002"][0] else dt.date(2024, 11, 5 + i % 20)
            if i == plants["CP-003"][1]:
                record["national_id"] = national_id(plants["CP-003"][0], 11)
            if i in plants["CI-005"]:  # closed in 2025, retention over, personal data never erased
                record.update(status="closed", closed_on=dt.date(2025, 9, 30))
            out.writerow([_cell(record[c]) for c in cols])
            cust.registered.append(registered[i])
            cust.phone.append(record["phone"])
            cust.status.append(record["status"])
            cust.consent_at.append(consent_at)
    for rule in ("CP-001", "CP-002", "CP-003", "CI-005"):
        for i in plants[rule]:
            w.expect(rule, customer_id=customer_id(i))
    for i in plants["FB-004"]:
        w.expect("FB-004", customer_id=customer_id(i))
    return cust, plants


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(display(value))


# -- surveys and feedback (streamed JSON Lines) --------------------------------------------------------

WAVES = [("2025-H1", dt.date(2025, 3, 1), dt.date(2025, 5, 31), 0.5),
         ("2025-H2", dt.date(2025, 9, 1), dt.date(2025, 11, 30), 0.6),
         ("2026-H1", dt.date(2026, 3, 1), dt.date(2026, 5, 31), 0.6)]


def _surveys(w: World, cust: Customers, plants: dict[str, Any], path: Path) -> int:
    """One file of surveys, ordered by wave; every active customer is surveyed within a year."""
    rng = w.rng("crm.surveys")
    skip_recent = set(plants["FB-004"])
    due = AS_OF - dt.timedelta(days=365)
    cols = columns("crm.surveys")
    n = 0
    planted: list[str] = []
    surveyed_h2: set[int] = set()
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for wave, lo, hi, share in WAVES:
            span = (hi - lo).days
            for i in range(cust.before(lo)):
                status = cust.status[i]
                reg = dt.date.fromordinal(cust.registered[i])
                needs = status == "active" and reg <= due
                chosen = rng.random() < share
                if wave == "2026-H1" and needs and not chosen:
                    chosen = i not in surveyed_h2
                if wave != "2025-H1" and i in skip_recent:
                    chosen = False
                if status == "closed" and wave != "2025-H1":
                    chosen = False
                if not chosen:
                    continue
                if wave == "2025-H2":
                    surveyed_h2.add(i)
                n += 1
                sent = lo + dt.timedelta(days=rng.randint(0, span))
                responded = sent + dt.timedelta(days=rng.randint(1, 10)) if rng.random() < 0.6 else None
                if responded is not None and responded >= AS_OF:
                    responded = None
                score = rng.choices(range(11), [1, 1, 1, 2, 2, 3, 5, 9, 14, 14, 12])[0] if responded else None
                follow = None
                low = responded is not None and score is not None and score <= 6   # score is set only if responded
                if low and responded is not None:
                    day = responded + dt.timedelta(days=rng.randint(1, 6))
                    follow = day if day < AS_OF else None
                sid = f"S{n:08d}"
                if low and responded is not None and len(planted) < 2 and responded < AS_OF - dt.timedelta(days=30) \
                        and wave != "2025-H1":
                    follow = None if not planted else responded + dt.timedelta(days=12)
                    planted.append(sid)
                record = {"survey_id": sid, "customer_id": customer_id(i), "wave": wave,
                          "channel": rng.choice(["email", "sms", "phone", "web"]), "sent_on": sent,
                          "responded_on": responded, "score": score, "follow_up_on": follow}
                fh.write(json.dumps({c: display(record[c]) for c in cols}, ensure_ascii=False) + "\n")
    for sid in planted:
        w.expect("FB-005", survey_id=sid)
    assert len(planted) == 2, "not enough low scores to plant FB-005"
    return n


def feedback_count(rows: int) -> int:
    return max(500, min(rows // 20, 500_000))


def _feedback(w: World, cust: Customers, path: Path) -> int:
    rng = w.rng("crm.feedback")
    n = feedback_count(w.rows)
    handlers = _service_pool(w)
    span = (at(END, 23, 59, 59) - at(START, 0)).total_seconds()
    limit = at(AS_OF, 0)
    plant = {int(n * 0.2): "FB-001a", int(n * 0.6): "FB-001b", int(n * 0.3): "FB-002a", int(n * 0.7): "FB-002b",
             int(n * 0.4): "FB-003a", int(n * 0.8): "FB-003b"}
    cols = columns("crm.feedback")
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(n):
            received = at(START, 0) + dt.timedelta(seconds=int(span * (i + rng.random()) / n))
            known = cust.before(received.date())
            customer = customer_id(rng.randrange(known)) if known and rng.random() < 0.7 else None
            kind = rng.choice(["suggestion", "inquiry", "praise", "product", "pricing", "competitor"])
            handled = received + dt.timedelta(minutes=rng.randint(60, 108 * 60))
            forwarded = received + dt.timedelta(minutes=rng.randint(120, 60 * 60)) \
                if kind in ("product", "pricing", "competitor") else None
            record = {"feedback_id": f"F{i + 1:08d}", "customer_id": customer, "channel": rng.choice(FEEDBACK_CHANNELS),
                      "type": kind, "received_at": received, "handled_at": handled if handled < limit else None,
                      "handler_id": rng.choice(handlers),
                      "forwarded_to_sales_at": forwarded if forwarded is not None and forwarded < limit else None,
                      "content": rng.choice(CONTENTS)}
            tag = plant.get(i)
            if tag == "FB-001a":
                record["handled_at"] = received + dt.timedelta(days=8)
            elif tag == "FB-001b":
                record["handled_at"] = None
            elif tag == "FB-002a":
                record["channel"] = "staff_mobile"
            elif tag == "FB-002b":
                record["channel"] = "facebook_dm"
            elif tag == "FB-003a":
                record.update(type="pricing", forwarded_to_sales_at=None)
            elif tag == "FB-003b":
                record.update(type="competitor", forwarded_to_sales_at=received + dt.timedelta(days=5))
            if tag:
                w.expect(tag[:-1], feedback_id=record["feedback_id"])
            fh.write(json.dumps({c: display(record[c]) for c in cols}, ensure_ascii=False) + "\n")
    return n


def _service_pool(w: World) -> list[str]:
    return [e["employee_id"] for e in w.employees if e["left_on"] is None and e["crm_role"] in ("agent", "supervisor")
            and e["hired_on"] < START]


# -- the big tables ---------------------------------------------------------------------------------------

def _month_plan(w: World, cust: Customers, total: int, salt: int, margin_days: int = 0) -> list[dict[str, Any]]:
    """Records per month in proportion to its days; each month's customer prefix and permutation."""
    rng = w.rng(f"months-{salt}")
    spans = months()
    days = [(b - a).days + 1 for a, b in spans]
    counts = [total * d // sum(days) for d in days]
    for k in range(total - sum(counts)):
        counts[k % len(counts)] += 1
    plan: list[dict[str, Any]] = []
    first = 0
    for (a, b), cnt in zip(spans, counts, strict=True):
        nc = cust.before(a - dt.timedelta(days=margin_days), cust.n - RESERVED)
        stride = next(p for p in (7_919, 104_729, 1_299_709, 15_485_863) if nc % p)
        plan.append({"m": len(plan), "first_i": first, "cnt": cnt, "start": at(a, 0),
                     "secs": ((b - a).days + 1) * 86_400, "nc": nc, "off": rng.randrange(max(nc, 1)),
                     "off2": rng.randrange(86_400), "stride": stride})
        first += cnt
    return plan


def _plan_table(plan: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(plan)


def _stream(con: duckdb.DuckDBPyConnection, sql_for: Callable[[int, int, str], str], total: int, writer: StreamWriter,
            plant_rows: dict[int, Callable[[dict[str, Any]], dict[str, Any]]], extra: list[dict[str, Any]]) -> int:
    """Write records 0..total-1 chunk by chunk, replacing planted ones, then the extra records."""
    planted = sorted(plant_rows)
    exclude = f"i NOT IN ({', '.join(map(str, planted))})" if planted else "TRUE"
    schema = None
    for lo in range(0, total, CHUNK):
        hi = min(total, lo + CHUNK)
        table = con.sql(sql_for(lo, hi, exclude)).to_arrow_table()
        schema = table.schema
        writer.write(table)
    if planted:
        table = con.sql(sql_for(0, total, f"i IN ({', '.join(map(str, planted))})")).to_arrow_table()
        schema = table.schema
        rows = table.to_pylist()
        rows = [plant_rows[r.pop("__i")](r) for r in rows] if rows and "__i" in rows[0] else rows
        writer.write(pa.Table.from_pylist(rows, schema=schema.remove(schema.get_field_index("__i"))))
    if extra:
        assert schema is not None
        out_schema = schema.remove(schema.get_field_index("__i"))
        writer.write(pa.Table.from_pylist(extra, schema=out_schema))
    writer.close()
    return writer.rows


def _h(salt: int, seed: int) -> str:
    return f"hash(i, {seed}, {salt})"


def _u(salt: int, seed: int) -> str:
    return f"(({_h(salt, seed)} % 1000000) / 1000000.0)"


def _pick(values: list[str], salt: int, seed: int) -> str:
    return f"{_sql_list(values)}[1 + ({_h(salt, seed)} % {len(values)})::BIGINT]"


def _complaints(w: World, con, cust: Customers, plants: dict[str, Any], path: Path) -> int:
    total = w.rows
    plan = _month_plan(w, cust, total, 1)
    for p in plan:
        assert p["cnt"] <= 2 * p["nc"], "too few customers for the complaints of a month"
    con.register("cm", _plan_table(plan))
    s = w.seed
    handlers = _service_pool(w)
    as_of = f"TIMESTAMP '{AS_OF.isoformat()} 00:00:00'"

    def sql_for(lo: int, hi: int, where: str) -> str:
        return f"""
        WITH b AS (
            SELECT r.i, r.i - cm.first_i AS j, cm.*,
                   CASE WHEN {_u(1, s)} < 0.45 THEN 'low' WHEN {_u(1, s)} < 0.80 THEN 'medium'
                        WHEN {_u(1, s)} < 0.95 THEN 'high' ELSE 'critical' END AS severity
            FROM range({lo}, {hi}) r(i) JOIN cm ON r.i >= cm.first_i AND r.i < cm.first_i + cm.cnt
            WHERE {where}
        ), t AS (
            SELECT b.*, b.start + to_seconds(((b.j * {PRIME} + b.off2) % b.secs)::BIGINT) AS created,
                   CASE b.severity WHEN 'critical' THEN 720 + {_h(2, s)} % 11880
                                   WHEN 'high' THEN 3600 + {_h(2, s)} % 68400
                                   ELSE 7200 + {_h(2, s)} % 208800 END AS resp
            FROM b
        ), u AS (
            SELECT t.*, t.resp + CASE WHEN t.severity IN ('high', 'critical') THEN 43200 + {_h(3, s)} % 475200
                                      ELSE 86400 + {_h(3, s)} % 950400 END AS close
            FROM t
        )
        SELECT u.i AS __i, printf('C%08d', u.i + 1) AS complaint_id, c.customer_id,
               {_pick(['phone', 'email', 'web', 'store', 'social'], 4, s)} AS channel,
               {_pick(['product', 'service', 'billing', 'delivery', 'privacy', 'other'], 5, s)} AS category,
               u.severity,
               u.created::TIMESTAMP_S AS created_at,
               CASE WHEN u.created + to_seconds(u.resp::BIGINT) < {as_of}
                    THEN (u.created + to_seconds(u.resp::BIGINT))::TIMESTAMP_S END AS first_response_at,
               CASE WHEN u.created + to_seconds(u.close::BIGINT) < {as_of}
                    THEN (u.created + to_seconds(u.close::BIGINT))::TIMESTAMP_S END AS closed_at,
               CASE WHEN u.created + to_seconds(u.close::BIGINT) < {as_of} THEN 'closed' ELSE 'open' END AS status,
               {_pick(handlers, 6, s)} AS handler_id,
               (u.severity = 'critical' OR {_u(7, s)} < 0.03) AS escalated,
               CASE WHEN u.created + to_seconds(u.close::BIGINT) < {as_of}
                    THEN {_pick(RESOLUTIONS, 8, s)} END AS resolution,
               CASE WHEN u.created + to_seconds(u.close::BIGINT) < {as_of} AND {_u(9, s)} < 0.7
                    THEN [1, 2, 3, 4, 4, 5, 5, 5][1 + ({_h(10, s)} % 8)::BIGINT] END::BIGINT AS satisfaction,
               c.phone AS contact_phone
        FROM u JOIN cust c ON c.idx = (u.off + u.j * u.stride) % u.nc
        ORDER BY u.i"""

    first = {(p["start"].year, p["start"].month): p["first_i"] for p in plan}
    idx = lambda y, mo, k: first[(y, mo)] + k  # noqa: E731
    H = dt.timedelta(hours=1)
    D = dt.timedelta(days=1)
    edits: dict[int, tuple[str | None, Callable[[dict[str, Any]], None]]] = {}

    def closed(r: dict[str, Any], response: dt.timedelta, close: dt.timedelta | None, **more: Any) -> None:
        r["first_response_at"] = r["created_at"] + response if response is not None else None
        if close is None:
            r.update(closed_at=None, status="open", resolution=None, satisfaction=None)
        else:
            r.update(closed_at=r["created_at"] + close, status="closed",
                     resolution=r["resolution"] or RESOLUTIONS[0])
        r.update(more)

    def plant(rule: str | None, i: int, fn: Callable[[dict[str, Any]], None]) -> None:
        assert i not in edits and i < total
        edits[i] = (rule, fn)

    plant("CS-001", idx(2025, 5, 0), lambda r: closed(r, 6 * H, 2 * D, severity="critical", escalated=True))
    plant("CS-001", idx(2026, 2, 0), lambda r: closed(r, 9 * H, 3 * D, severity="critical", escalated=True))
    plant("CS-002", idx(2025, 7, 1), lambda r: closed(r, 50 * H, 5 * D, severity="high"))      # over 48 h: v1 fails it
    plant("CS-002", idx(2026, 3, 1), lambda r: closed(r, 30 * H, 5 * D, severity="high"))      # over 24 h: v2 fails it
    plant("CS-002", idx(2026, 4, 1), lambda r: closed(r, 26 * H, 4 * D, severity="high"))
    plant(None, idx(2025, 10, 1), lambda r: closed(r, 30 * H, 5 * D, severity="high"))  # 30 h in 2025: v1 passes it
    plant("CS-003", idx(2025, 3, 2), lambda r: closed(r, 80 * H, 6 * D, severity="medium"))
    plant("CS-003", idx(2026, 1, 2), lambda r: closed(r, 100 * H, 8 * D, severity="low"))
    plant("CS-004", idx(2025, 8, 3), lambda r: closed(r, 5 * H, 10 * D, severity="high"))
    plant("CS-004", idx(2026, 2, 3), lambda r: closed(r, 1 * H, None, severity="critical", escalated=True))
    plant("CS-005", idx(2025, 11, 4), lambda r: closed(r, 10 * H, 20 * D, severity="medium"))
    plant("CS-005", idx(2026, 5, 4), lambda r: closed(r, 10 * H, None, severity="low"))
    plant("CS-007", idx(2025, 6, 6), lambda r: r.update(customer_id="K9999999"))
    analyst = next(e["employee_id"] for e in w.employees if e["crm_role"] == "analyst" and e["left_on"] is None)
    plant("CS-008", idx(2025, 12, 7), lambda r: r.update(handler_id=analyst))
    plant("CS-008", idx(2026, 3, 7), lambda r: r.update(handler_id=None))
    plant("CS-010", idx(2026, 2, 8), lambda r: closed(r, 2 * H, 3 * D, severity="low", resolution=None))
    plant("CS-010", idx(2026, 4, 8), lambda r: closed(r, 2 * H, 3 * D, severity="medium", resolution=None))
    plant(None, idx(2025, 4, 8), lambda r: closed(r, 2 * H, 3 * D, severity="low", resolution=None))  # no CS-010 in v1
    dup = idx(2025, 9, 5)

    def apply(i: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def fn(r: dict[str, Any]) -> dict[str, Any]:
            edits[i][1](r)
            return r
        return fn

    for i, (rule, _) in edits.items():
        if rule:
            w.expect(rule, complaint_id=f"C{i + 1:08d}")
    # appended records: a complaint logged twice (CS-006) and a customer's three complaints in a month (CS-009)
    extra: list[dict[str, Any]] = []
    original = con.sql(sql_for(dup, dup + 1, "TRUE")).to_arrow_table().to_pylist()[0]
    original.pop("__i")
    n = total
    twin = dict(original, complaint_id=f"C{n + 1:08d}", escalated=True)
    extra.append(twin)
    w.expect("CS-006", complaint_id=original["complaint_id"])
    w.expect("CS-006", complaint_id=twin["complaint_id"])
    service = handlers[0]
    for who, escalate in ((plants["reserved"][0], False), (plants["reserved"][1], True)):
        for k in range(3):
            created = at(dt.date(2026, 6, 5 + k * 2), 10 + k)
            extra.append({"complaint_id": f"C{n + len(extra) + 1:08d}", "customer_id": customer_id(who),
                          "channel": "phone", "category": "delivery", "severity": "low", "created_at": created,
                          "first_response_at": created + 3 * H, "closed_at": created + 2 * D, "status": "closed",
                          "handler_id": service, "escalated": escalate and k == 2, "resolution": RESOLUTIONS[5],
                          "satisfaction": 3, "contact_phone": cust.phone[who]})
    w.expect("CS-009", customer_id=customer_id(plants["reserved"][0]), **{"strftime(created_at, '%Y-%m')": "2026-06"})
    writer = StreamWriter(path, "crm.complaints", "csv", chinese=True, encoding="gb18030")
    return _stream(con, sql_for, total, writer, {i: apply(i) for i in edits}, extra)


def _interactions(w: World, con, cust: Customers, plants: dict[str, Any], path: Path) -> int:
    total = w.rows
    plan = _month_plan(w, cust, total, 2)
    consenting = [i for i in range(cust.n - RESERVED) if cust.consent_at[i] is not None]
    reg = [cust.registered[i] for i in consenting]
    for p in plan:  # consenting customers registered at least a day before the month
        p["ncons"] = max(1, bisect.bisect_left(reg, (p["start"].date() - dt.timedelta(days=1)).toordinal()))
        p["nc"] = max(1, p["nc"])
    con.register("im", _plan_table(plan))
    con.register("cons", pa.table({"r": pa.array(range(len(consenting)), pa.int64()),
                                   "customer_id": [customer_id(i) for i in consenting]}))
    s = w.seed
    agents = _service_pool(w)
    sellers = [e["employee_id"] for e in w.employees if e["left_on"] is None and e["hired_on"] < START
               and e["department"] in ("sales", "digital", "brand")]

    def sql_for(lo: int, hi: int, where: str) -> str:
        return f"""
        WITH b AS (
            SELECT r.i, im.*,
                   CASE WHEN {_u(1, s)} < 0.45 THEN 'service' WHEN {_u(1, s)} < 0.75 THEN 'marketing'
                        WHEN {_u(1, s)} < 0.85 THEN 'survey' ELSE 'follow_up' END AS purpose
            FROM range({lo}, {hi}) r(i) JOIN im ON r.i >= im.first_i AND r.i < im.first_i + im.cnt
            WHERE {where}
        )
        SELECT b.i AS __i, printf('I%09d', b.i + 1) AS interaction_id,
               CASE WHEN b.purpose = 'marketing' THEN k.customer_id ELSE c.customer_id END AS customer_id,
               CASE WHEN b.purpose IN ('marketing', 'follow_up') THEN {_pick(sellers, 2, s)}
                    ELSE {_pick(agents, 3, s)} END AS employee_id,
               {_pick(CONTACT_POINTS, 4, s)} AS channel, b.purpose,
               (b.start + to_seconds(({_h(5, s)} % b.secs)::BIGINT))::TIMESTAMP_S AS occurred_at,
               (1 + {_h(6, s)} % 45)::BIGINT AS duration_min,
               {_pick(OUTCOMES, 7, s)} AS outcome
        FROM b JOIN cust c ON c.idx = {_h(8, s)} % b.nc
               JOIN cons k ON k.r = {_h(9, s)} % b.ncons
        ORDER BY b.i"""

    first = {p["m"]: p["first_i"] for p in plan}
    m_index = {(p["start"].year, p["start"].month): p["m"] for p in plan}
    idx = lambda y, mo, k: first[m_index[(y, mo)]] + k  # noqa: E731
    edits: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

    def plant(rule: str, i: int, fn: Callable[[dict[str, Any]], None]) -> None:
        def run(r: dict[str, Any]) -> dict[str, Any]:
            fn(r)
            return r
        edits[i] = run
        w.expect(rule, interaction_id=f"I{i + 1:09d}")

    no_consent, late = customer_id(plants["no-consent"]), customer_id(plants["late-consent"])
    plant("CI-001", idx(2025, 4, 0), lambda r: r.update(purpose="marketing", customer_id=no_consent, channel="sms"))
    plant("CI-001", idx(2026, 2, 0), lambda r: r.update(purpose="marketing", customer_id=late, channel="phone"))
    plant("CP-004", idx(2025, 10, 1), lambda r: r.update(channel="personal_wechat"))
    plant("CP-004", idx(2026, 5, 1), lambda r: r.update(channel="personal_line", purpose="service"))
    writer = StreamWriter(path, "crm.interactions", "parquet")
    return _stream(con, sql_for, total, writer, edits, [])


def access_count(rows: int) -> int:
    return max(2_000, min(rows // 5, 2_000_000))


def _access_log(w: World, con, cust: Customers, path: Path) -> int:
    total = access_count(w.rows)
    s = w.seed
    pool = [e["employee_id"] for e in w.employees if e["left_on"] is None and e["hired_on"] < START
            and e["crm_role"] in ("agent", "supervisor", "analyst", "admin")]
    days = [(START + dt.timedelta(days=d)) for d in range((END - START).days + 1)]
    per, rest = divmod(total, len(days))
    plan: list[dict[str, Any]] = []
    first = 0
    for d, day in enumerate(days):
        cnt = per + (1 if d < rest else 0)
        plan.append({"d": d, "day": at(day, 8), "first_i": first, "cnt": cnt,
                     "nc": max(1, cust.before(day, cust.n - RESERVED)), "off": (d * 7) % len(pool)})
        first += cnt
    assert per + 1 <= len(pool) * 150, "too many access records a day for the planted bulk-access group"
    con.register("ad", pa.Table.from_pylist(plan))
    pool_sql = _sql_list(pool)

    def sql_for(lo: int, hi: int, where: str) -> str:
        return f"""
        WITH b AS (
            SELECT r.i, r.i - ad.first_i AS j, ad.*,
                   CASE WHEN {_u(1, s)} < 0.85 THEN 'view' WHEN {_u(1, s)} < 0.96 THEN 'update'
                        WHEN {_u(1, s)} < 0.99 THEN 'export' ELSE 'delete' END AS action
            FROM range({lo}, {hi}) r(i) JOIN ad ON r.i >= ad.first_i AND r.i < ad.first_i + ad.cnt
            WHERE {where}
        )
        SELECT b.i AS __i, printf('A%09d', b.i + 1) AS log_id,
               (b.day + to_seconds(((b.j * 7919) % 36000)::BIGINT))::TIMESTAMP_S AS accessed_at,
               {pool_sql}[1 + ((b.off + b.j) % {len(pool)})::BIGINT] AS employee_id,
               c.customer_id, b.action,
               {_pick(FIELDS, 2, s)} AS fields,
               CASE WHEN b.action = 'export'
                    THEN printf('DP-%d-%04d', year(b.day), ({_h(3, s)} % 10000)::BIGINT) END AS approval_ticket
        FROM b JOIN cust c ON c.idx = {_h(4, s)} % b.nc
        ORDER BY b.i"""

    day_first = {p["day"].date(): p["first_i"] for p in plan}
    brand_staff = next(e["employee_id"] for e in w.employees if e["department"] == "brand" and e["crm_role"] == "none"
                       and e["left_on"] is None and e["role"] == "staff")
    departed = next(e["employee_id"] for e in w.employees if e["left_on"] is not None and e["crm_role"] == "agent")
    edits: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

    def plant(rule: str, day: dt.date, fn: Callable[[dict[str, Any]], None]) -> None:
        i = day_first[day]
        def run(r: dict[str, Any]) -> dict[str, Any]:
            fn(r)
            return r
        edits[i] = run
        w.expect(rule, log_id=f"A{i + 1:09d}")

    plant("CI-002", dt.date(2025, 7, 8),
          lambda r: r.update(employee_id=brand_staff, action="view", approval_ticket=None))
    plant("CI-002", dt.date(2025, 11, 3), lambda r: r.update(employee_id=departed, action="view", approval_ticket=None))
    plant("CI-003", dt.date(2025, 5, 20), lambda r: r.update(action="export", approval_ticket=None))
    plant("CI-003", dt.date(2026, 4, 14), lambda r: r.update(action="export", approval_ticket=None))
    bulk_day = dt.date(2026, 3, 17)
    analyst = next(e for e in w.employees if e["crm_role"] == "analyst" and e["left_on"] is None
                   and e["employee_id"] in pool)["employee_id"]
    extra = [{"log_id": f"A{total + k + 1:09d}", "accessed_at": at(bulk_day, 13) + dt.timedelta(seconds=20 * k),
              "employee_id": analyst, "customer_id": customer_id(k % (cust.n - RESERVED)), "action": "view",
              "fields": "name,phone,email,address", "approval_ticket": None} for k in range(260)]
    w.expect("CI-004", employee_id=analyst, **{"CAST(accessed_at AS DATE)": bulk_day.isoformat()})
    writer = StreamWriter(path, "crm.access_log", "parquet")
    return _stream(con, sql_for, total, writer, edits, extra)
