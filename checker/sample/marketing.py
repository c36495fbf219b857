"""marketing.*: research reports each quarter, campaigns from plan to review, crisis incidents.

Planted: a late and a missing report (RS-001), a quarter without competitor research
(RS-002), a survey with too few respondents and a report without a method (RS-003);
campaigns approved after their start or never (PJ-001), without a goal (PJ-002), not or
late reviewed (PJ-003), on a budget line that does not exist (PJ-004), major campaigns
without research finished before approval (PJ-006) — PJ-005 (overspending) is planted in
budget.expenses; incidents answered, announced, reported or reviewed late (CR-001..CR-005).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from checker.sample.budget import line_for
from checker.sample.world import AS_OF, END, START, World, at, months

TYPES = {"market_trend": "市場趨勢分析", "competitor": "競爭對手分析", "consumer": "消費者行為研究",
         "customer_needs": "客戶需求調研"}
METHODS = {"market_trend": ["desk", "data_analysis"], "competitor": ["desk", "interview"],
           "consumer": ["survey"], "customer_needs": ["interview", "survey"]}
CAMPAIGN_NAMES = {"event": ["新品發表會", "會員感恩晚會", "城市快閃活動", "經銷商大會"],
                  "digital": ["搜尋廣告投放", "會員電子報改版", "官網改版導流", "網紅合作推廣"],
                  "social": ["社群抽獎", "短影音挑戰", "粉絲團互動月"],
                  "tv": ["電視廣告投放", "品牌形象廣告"], "print": ["平面雜誌廣告", "捷運燈箱廣告"],
                  "promotion": ["週年慶促銷", "會員日優惠", "滿額贈活動"]}
BUDGETS = {"tv": (600_000, 1_200_000), "event": (150_000, 700_000), "digital": (50_000, 300_000),
           "social": (40_000, 200_000), "print": (80_000, 250_000), "promotion": (50_000, 200_000)}
SEGMENTS = ["25-40歲上班族", "既有會員", "大專學生", "親子家庭", "中小企業客戶", "高端客戶"]
GOALS = ["新客戶數成長 {n}%", "活動期間銷售額達 {n} 萬元", "品牌搜尋量提升 {n}%", "會員回購率提升 {n}%"]
MAJOR = 500_000


def quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def generate_reports(w: World) -> list[dict[str, Any]]:
    rng = w.rng("marketing.research_reports")
    authors = [e["employee_id"] for e in w.staff(department="research") if e["role"] != "manager"
               and e["hired_on"] < START]
    reviewer = w.notes["managers"]["research"]
    out: list[dict[str, Any]] = []
    q_start = dt.date(2025, 1, 1)
    while q_start <= END:
        q_end = (q_start.replace(day=28) + dt.timedelta(days=65)).replace(day=1) - dt.timedelta(days=1)
        period = quarter(q_start)
        kinds = ["market_trend", "competitor", "consumer"] + (["customer_needs"] if rng.random() < 0.5 else [])
        for kind in kinds:
            due = q_end + dt.timedelta(days=15)
            out.append(_report(rng, w, kind, period, due, authors, reviewer))
        q_start = q_end + dt.timedelta(days=1)
    # RS-002: 2025-Q3 has no competitor analysis (the analyst wrote a customer-needs study instead)
    q3 = next(r for r in out if r["period"] == "2025-Q3" and r["type"] == "competitor")
    q3.update(type="customer_needs", title="2025年第3季客戶需求調研", method="interview", sample_size=18)
    w.expect("RS-002", period="2025-Q3")
    late = next(r for r in out if r["period"] == "2025-Q2" and r["type"] == "competitor")
    late["submitted_on"] = late["due_on"] + dt.timedelta(days=6)
    missing = next(r for r in out if r["period"] == "2025-Q4" and r["type"] == "consumer")
    missing["submitted_on"] = None
    small = next(r for r in out if r["period"] == "2026-Q1" and r["type"] == "consumer")
    small["sample_size"] = 45
    no_method = next(r for r in out if r["period"] == "2025-Q1" and r["type"] == "market_trend")
    no_method["method"] = None
    w.notes["report_plants"] = [late, missing, small, no_method]
    w.reports = out
    return out


def _report(rng, w: World, kind: str, period: str, due: dt.date, authors: list[str], reviewer: str) -> dict[str, Any]:
    method = rng.choice(METHODS[kind])
    sample = rng.randint(300, 2000) if method == "survey" else rng.randint(8, 30) if method == "interview" else None
    submitted = due - dt.timedelta(days=rng.randint(0, 9))
    year, q = period.split("-Q")
    return {"report_id": "", "title": f"{year}年第{q}季{TYPES[kind]}", "type": kind, "period": period,
            "author_id": rng.choice(authors), "method": method, "sample_size": sample, "due_on": due,
            "submitted_on": submitted if due <= AS_OF else None, "reviewed_by": reviewer}


def number_reports(w: World) -> None:
    counters: dict[int, int] = {}
    for r in sorted(w.reports, key=lambda r: (r["due_on"], r["type"], r["title"])):
        year = r["due_on"].year
        counters[year] = counters.get(year, 0) + 1
        r["report_id"] = f"RR-{year}-{counters[year]:03d}"
    late, missing, small, no_method = w.notes["report_plants"]
    w.expect("RS-001", report_id=late["report_id"])
    w.expect("RS-001", report_id=missing["report_id"])
    w.expect("RS-003", report_id=small["report_id"])
    w.expect("RS-003", report_id=no_method["report_id"])
    w.reports.sort(key=lambda r: r["report_id"])


def generate_campaigns(w: World) -> list[dict[str, Any]]:
    rng = w.rng("marketing.campaigns")
    owners = {unit: [e["employee_id"] for e in w.staff(department=unit) if e["hired_on"] < START]
              for unit in ("brand", "digital", "events", "sales_support")}
    unit_of = {"event": "events", "digital": "digital", "social": "digital", "tv": "brand", "print": "brand",
               "promotion": "sales_support"}
    authors = [e["employee_id"] for e in w.staff(department="research") if e["hired_on"] < START]
    out: list[dict[str, Any]] = []
    counters: dict[int, int] = {}
    n = 0
    for first, _ in months(START, dt.date(2026, 9, 30)):
        for _ in range(3):
            n += 1
            kind = "tv" if n % 7 == 3 else rng.choice(["event", "digital", "social", "print", "promotion", "event"])
            start = first + dt.timedelta(days=rng.randint(0, 19))
            end = min(start + dt.timedelta(days=rng.randint(7, 45)), dt.date(start.year, 12, 31))
            lo, hi = BUDGETS[kind]
            budget = rng.randint(lo // 1000, hi // 1000) * 1000
            future = start > AS_OF + dt.timedelta(days=30)
            if future or start < dt.date(2025, 3, 15):
                budget = min(budget, 450_000)  # major campaigns need research: none before the data starts
            counters[start.year] = counters.get(start.year, 0) + 1
            cid = f"CP-{start.year}-{counters[start.year]:03d}"
            status = ("planned" if future else "approved" if start > AS_OF else
                      "running" if end >= AS_OF else "completed")
            cancelled = not future and n % 17 == 8
            approved_on = None if future else start - dt.timedelta(days=rng.randint(10, 40))
            c = {"campaign_id": cid, "name": f"{start.year}{rng.choice(CAMPAIGN_NAMES[kind])}", "type": kind,
                 "owner_id": rng.choice(owners[unit_of[kind]]), "budget_line_id": line_for(start.year, kind),
                 "planned_budget": Decimal(budget),
                 "goal": rng.choice(GOALS).format(n=rng.randint(5, 40)), "target_segment": rng.choice(SEGMENTS),
                 "plan_doc": f"PLAN-{cid}", "research_report_id": None,
                 "status": "cancelled" if cancelled else status,
                 "approved_by": None if future else ("E0001" if budget >= MAJOR else "E0002"),
                 "approved_on": approved_on, "start_date": start, "end_date": end, "review_on": None}
            if status == "completed" and not cancelled:
                review = end + dt.timedelta(days=rng.randint(3, 25))
                c["review_on"] = review if review <= END else None
            if cancelled:
                c.update(goal=None, plan_doc=None, review_on=None)
            if budget >= MAJOR and not cancelled and approved_on is not None:
                submitted = approved_on - dt.timedelta(days=rng.randint(5, 20))
                report = _report(rng, w, rng.choice(["customer_needs", "consumer"]), quarter(submitted),
                                 submitted + dt.timedelta(days=rng.randint(0, 5)), authors,
                                 w.notes["managers"]["research"])
                report.update(submitted_on=submitted, title=f"{c['name']}前期調研")
                if report["method"] == "survey":
                    report["sample_size"] = max(report["sample_size"] or 0, 300)
                w.reports.append(report)
                c["_report"] = report
            out.append(c)
    _plant(w, out)
    number_reports(w)
    for c in out:
        report = c.pop("_report", None)
        if report is not None and c["research_report_id"] != "":
            c["research_report_id"] = report["report_id"]
        elif c["research_report_id"] == "":
            c["research_report_id"] = None
    w.campaigns = out
    return out


def _plant(w: World, campaigns: list[dict[str, Any]]) -> None:
    done = [c for c in campaigns if c["status"] == "completed" and c["planned_budget"] < MAJOR
            and c["end_date"] + dt.timedelta(days=50) <= AS_OF]
    major = [c for c in campaigns if c["status"] == "completed" and c["planned_budget"] >= MAJOR]
    a, b, goal, unreviewed, late_review, no_line, overspent = (done[1], done[4], done[7], done[10], done[13], done[16],
                                                              done[19])
    a["approved_on"] = a["start_date"] + dt.timedelta(days=3)
    b.update(approved_on=None, approved_by=None)
    goal["goal"] = None
    unreviewed["review_on"] = None
    late_review["review_on"] = late_review["end_date"] + dt.timedelta(days=45)
    no_line["budget_line_id"] = f"BL-{no_line['start_date'].year}-099"
    for c, rule in ((a, "PJ-001"), (b, "PJ-001"), (goal, "PJ-002"), (unreviewed, "PJ-003"), (late_review, "PJ-003"),
                    (no_line, "PJ-004"), (overspent, "PJ-005")):
        w.expect(rule, campaign_id=c["campaign_id"])
    w.notes["overspent_campaign"] = overspent["campaign_id"]
    late_research, no_research = major[0], major[2]
    report = late_research["_report"]
    report["submitted_on"] = late_research["approved_on"] + dt.timedelta(days=5)
    report["due_on"] = report["submitted_on"]
    report["period"] = quarter(report["due_on"])
    no_research["research_report_id"] = ""   # cites nothing; its study is kept in the report list
    w.expect("PJ-006", campaign_id=late_research["campaign_id"])
    w.expect("PJ-006", campaign_id=no_research["campaign_id"])


# -- incidents --------------------------------------------------------------------------------------

INCIDENTS = {"public_opinion": ["代言人言論引發網路爭議", "活動文案遭批評", "社群貼文遭誤解擴散"],
             "product_quality": ["新品瑕疵客訴集中", "贈品安全疑慮"],
             "data_breach": ["會員名單疑似外洩", "活動報名資料誤寄"],
             "service_outage": ["官網購物車故障", "客服專線中斷"],
             "ad_compliance": ["廣告用語遭主管機關關切", "促銷標示不清遭檢舉"]}


def generate_incidents(w: World) -> list[dict[str, Any]]:
    rng = w.rng("marketing.incidents")
    owners = [w.notes["managers"]["brand"], w.notes["managers"]["customer_service"], "E0002", "E0003"]
    out: list[dict[str, Any]] = []
    counters: dict[int, int] = {}
    for first, last in months():
        for _ in range(2):
            day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
            counters[day.year] = counters.get(day.year, 0) + 1
            category = rng.choice(list(INCIDENTS))
            level = rng.choices(["low", "medium", "high", "critical"], [30, 35, 25, 10])[0]
            detected = at(day, rng.randint(7, 21), rng.randint(0, 59))
            out.append(_incident(rng, f"IN-{day.year}-{counters[day.year]:03d}", category, level, detected, owners))
    pick = lambda cat=None, lvl=None: next(i for i in out if i["_free"] and (cat is None or i["category"] == cat)  # noqa: E731
                                           and (lvl is None or i["level"] in lvl)
                                           and i["detected_at"] < at(AS_OF - dt.timedelta(days=40)))

    def plant(rule: str, incident: dict[str, Any], **changes: Any) -> None:
        if "category" in changes and "title" not in changes:
            changes["title"] = INCIDENTS[changes["category"]][0]
        incident.update(changes)
        incident["_free"] = False
        w.expect(rule, incident_id=incident["incident_id"])

    h = pick(lvl=("high",))
    plant("CR-001", h, category="service_outage", first_response_at=h["detected_at"] + dt.timedelta(hours=3))
    c = pick(lvl=("critical", "high"))
    plant("CR-001", c, category="product_quality", level="critical", first_response_at=None)
    m = pick(lvl=("medium", "low"))
    plant("CR-002", m, category="ad_compliance", first_response_at=m["detected_at"] + dt.timedelta(hours=30))
    p = pick(lvl=("high", "critical"))
    plant("CR-003", p, category="public_opinion", statement_at=p["detected_at"] + dt.timedelta(hours=30),
          reported_at=None)
    b = pick(lvl=("medium", "low"))
    plant("CR-004", b, category="data_breach", title="會員名單疑似外洩",
          first_response_at=b["detected_at"] + dt.timedelta(hours=5),
          reported_at=b["detected_at"] + dt.timedelta(hours=100),
          statement_at=None)
    month_before = at(AS_OF - dt.timedelta(days=30))
    r1 = next(i for i in out if i["_free"] and i["resolved_at"] is not None and i["resolved_at"] < month_before)
    plant("CR-005", r1, review_on=None)
    r2 = next(i for i in out if i["_free"] and i["resolved_at"] is not None and i["resolved_at"] < month_before)
    plant("CR-005", r2, review_on=(r2["resolved_at"] + dt.timedelta(days=20)).date())
    for i in out:
        i.pop("_free")
    return out


def _incident(rng, incident_id: str, category: str, level: str, detected: dt.datetime,
              owners: list[str]) -> dict[str, Any]:
    urgent = level in ("high", "critical")
    response = detected + dt.timedelta(minutes=rng.randint(10, 110) if urgent else rng.randint(60, 20 * 60))
    statement = None
    if category == "public_opinion" and urgent:
        statement = detected + dt.timedelta(hours=rng.randint(3, 20))
    elif rng.random() < 0.3:
        statement = detected + dt.timedelta(hours=rng.randint(12, 72))
    reported = detected + dt.timedelta(hours=rng.randint(4, 60)) if category == "data_breach" else None
    finished = detected + dt.timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
    limit = at(AS_OF)
    resolved = finished if finished < limit else None
    review = None
    if resolved is not None:
        day = (resolved + dt.timedelta(days=rng.randint(2, 12))).date()
        review = day if day < AS_OF else None
    clip = lambda t: t if t is not None and t < limit else None  # noqa: E731
    return {"incident_id": incident_id, "title": rng.choice(INCIDENTS[category]), "category": category, "level": level,
            "detected_at": detected, "first_response_at": clip(response), "statement_at": clip(statement),
            "reported_at": clip(reported), "owner_id": rng.choice(owners), "resolved_at": resolved,
            "review_on": review, "customers_affected": rng.randint(0, 5000) if category != "public_opinion" else None,
            "_free": True}
