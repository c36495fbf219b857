"""appraisal.*: the department's staff, their training, KPIs and yearly appraisals.

The organisation: a vice-president, two directors, one manager per unit, staff under
them; two people who left in 2025; a few 2026 hires. Planted: employees whose manager
left or does not exist (OR-001), a two-person unit without a manager (OR-002), short
training hours (TR-001..TR-004), a training recorded twice (TR-005), KPI sets that do not
add up or lack a sales target (AE-001, AE-005, AE-006), self-appraisal, a reviewer who is
not the line manager, a bonus without a passing satisfaction KPI, a double appraisal and a
missing one (AE-002, AE-003, AE-004, AE-007, AE-008).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from checker.sample.world import AS_OF, World, mobile, national_id

UNITS = {  # unit: (manager role title, director, number of staff)
    "research": ("市場研究經理", "E0002", 6),
    "brand": ("品牌經理", "E0002", 5),
    "digital": ("數位行銷經理", "E0002", 6),
    "events": ("活動企劃經理", "E0002", 5),
    "customer_service": ("客服經理", "E0003", 24),
    "sales": ("業務經理", "E0003", 10),
    "sales_support": ("銷售支援經理", "E0003", 5),
}
TITLES = {"research": "市場研究專員", "brand": "品牌專員", "digital": "數位行銷專員", "events": "活動企劃專員",
          "customer_service": "客服專員", "sales": "業務專員", "sales_support": "銷售支援專員", "pr": "公關專員",
          "management": "主管"}
COURSES = {  # code: (title, topic, hours)
    "CO-101": ("法規遵循與職業道德", "compliance", 4),
    "PR-101": ("產品知識進階", "product", 8),
    "AN-101": ("行銷數據分析", "analytics", 12),
    "LD-201": ("團隊領導力", "leadership", 12),
    "CS-101": ("客戶服務技巧", "customer_service", 8),
    "CS-201": ("投訴處理實務", "customer_service", 6),
    "DP-101": ("個人資料保護", "data_privacy", 3),
    "ST-101": ("CRM與銷售工具", "sales_tools", 6),
}
PROVIDERS = ["人資部內訓", "外部講師", "線上學習平台"]
KPI_SETS = {  # unit: [(code, name, category, weight, target, unit)]
    "sales": [("SALES_REV", "年度銷售額", "sales", 50, 12_000_000, "元"),
              ("NEW_CUST", "新客戶數", "sales", 20, 120, "戶"),
              ("CSAT", "客戶滿意度", "satisfaction", 30, 85, "分")],
    "customer_service": [("CSAT", "客戶滿意度", "satisfaction", 40, 85, "分"),
                         ("RESP_SLA", "響應時效達成率", "project", 30, 95, "%"),
                         ("QUALITY", "服務品質抽檢", "development", 30, 90, "分")],
    "research": [("REPORT_ONTIME", "報告準時率", "research", 50, 95, "%"),
                 ("INSIGHT", "洞察採納數", "research", 20, 6, "項"),
                 ("CSAT", "內部客戶滿意度", "satisfaction", 30, 85, "分")],
    "brand": [("BRAND_AWARE", "品牌認知度", "brand", 50, 60, "%"),
              ("CAMPAIGN_ROI", "活動投資報酬率", "project", 30, 150, "%"),
              ("CSAT", "客戶滿意度", "satisfaction", 20, 85, "分")],
    "digital": [("LEADS", "有效名單數", "project", 40, 5000, "筆"),
                ("CAMPAIGN_ROI", "活動投資報酬率", "project", 30, 150, "%"),
                ("CSAT", "客戶滿意度", "satisfaction", 30, 85, "分")],
    "events": [("EVENT_ROI", "活動投資報酬率", "project", 50, 130, "%"),
               ("CSAT", "參與者滿意度", "satisfaction", 30, 85, "分"),
               ("BUDGET", "預算執行率", "project", 20, 95, "%")],
    "sales_support": [("SALES_TOOLS", "銷售工具交付", "project", 40, 12, "項"),
                      ("CSAT", "業務滿意度", "satisfaction", 30, 85, "分"),
                      ("SUPPORT_REV", "支援成交金額", "sales", 30, 5_000_000, "元")],
    "management": [("DEPT_RESULT", "部門目標達成", "project", 60, 100, "%"),
                   ("CSAT", "客戶滿意度", "satisfaction", 40, 85, "分")],
}
PERIODS = ("2024", "2025")


def generate(w: World) -> dict[str, list[dict[str, Any]]]:
    employees = _employees(w)
    w.employees = employees
    trainings = _trainings(w)
    kpis = _kpis(w)
    appraisals = _appraisals(w, kpis)
    return {"appraisal.employees": employees, "appraisal.trainings": trainings,
            "appraisal.kpis": kpis, "appraisal.appraisals": appraisals}


# -- employees ------------------------------------------------------------------------------------

def _employees(w: World) -> list[dict[str, Any]]:
    rng = w.rng("appraisal.employees")
    out: list[dict[str, Any]] = []

    def add(department: str, role: str, manager: str | None, crm: str = "none", title: str | None = None,
            hired: dt.date | None = None, left: dt.date | None = None) -> dict[str, Any]:
        n = len(out) + 1
        e = {"employee_id": f"E{n:04d}", "name": w.person(rng), "national_id": national_id(n, 31),
             "email": f"{rng.choice(w.pools.users)}.{n}@mkt.example.com.tw", "phone": mobile(n, 77),
             "department": department, "role": role, "title": title or TITLES[department], "manager_id": manager,
             "hired_on": hired or dt.date(rng.randint(2014, 2023), rng.randint(1, 12), rng.randint(1, 28)),
             "left_on": left, "crm_role": crm}
        out.append(e)
        return e

    add("management", "vp", None, "admin", "行銷副總經理", dt.date(2012, 3, 1))
    add("management", "director", "E0001", "none", "行銷總監", dt.date(2014, 8, 1))
    add("management", "director", "E0001", "supervisor", "客戶與業務總監", dt.date(2015, 2, 1))
    managers = {}
    for unit, (title, director, _) in UNITS.items():
        crm = {"customer_service": "supervisor", "research": "analyst"}.get(unit, "none")
        managers[unit] = add(unit, "manager", director, crm, title)["employee_id"]
    for unit, (_, _, count) in UNITS.items():
        for k in range(count):
            role = "supervisor" if k == 0 and count > 8 else ("specialist" if k % 3 == 1 else "staff")
            crm = "none"
            if unit == "customer_service":
                crm = "supervisor" if role == "supervisor" or k == 1 else "agent"
            elif unit == "research" and k < 2:
                crm = "analyst"
            elif unit == "digital" and k == 0:
                crm = "admin"
            elif unit == "sales" and k < 3:
                crm = "agent"
            add(unit, role, managers[unit], crm)
    # two who left in 2025: an agent and a brand supervisor
    add("customer_service", "staff", managers["customer_service"], "agent", hired=dt.date(2021, 5, 3),
        left=dt.date(2025, 9, 30))
    left_supervisor = add("brand", "supervisor", managers["brand"], hired=dt.date(2019, 4, 1),
                          left=dt.date(2025, 10, 31))
    # 2026 hires
    for unit in ("digital", "events", "research"):
        add(unit, "staff", managers[unit], hired=dt.date(2026, 3, 2))
    # planted: OR-001 (manager left; manager does not exist), OR-002 (a unit of two without a manager)
    p1 = add("digital", "staff", left_supervisor["employee_id"], hired=dt.date(2026, 2, 2))
    p2 = add("events", "staff", "E0999", hired=dt.date(2026, 2, 16))
    w.expect("OR-001", employee_id=p1["employee_id"])
    w.expect("OR-001", employee_id=p2["employee_id"])
    for _ in range(2):
        add("pr", "staff", "E0002", hired=dt.date(2026, 3, 16))
    w.expect("OR-002", department="pr")
    w.notes["managers"] = managers
    return out


def active_in(e: dict[str, Any], start: dt.date, end: dt.date) -> bool:
    return e["hired_on"] <= start and (e["left_on"] is None or e["left_on"] > end)


# -- trainings ------------------------------------------------------------------------------------

def _trainings(w: World) -> list[dict[str, Any]]:
    rng = w.rng("appraisal.trainings")
    records: list[dict[str, Any]] = []
    active = [e for e in w.employees if e["left_on"] is None and e["hired_on"] <= dt.date(2025, 1, 1)]
    research = [e for e in active
                if e["department"] == "research" and e["crm_role"] == "none" and e["role"] != "manager"]
    agents = [e for e in active if e["crm_role"] == "agent" and e["department"] == "customer_service"]
    analysts = [e for e in active if e["crm_role"] == "analyst" and e["role"] != "manager"]
    support = [e for e in active if e["department"] == "sales_support" and e["role"] != "manager"]
    short_hours = {research[0]["employee_id"], research[1]["employee_id"]}     # TR-001
    no_service = agents[-1]["employee_id"]                                      # TR-002
    stale_privacy = analysts[0]["employee_id"]                                  # TR-003
    no_tools = support[-1]["employee_id"]                                       # TR-004

    def add(e, code: str, day: dt.date, passed: bool = True) -> dict[str, Any]:
        title, topic, hours = COURSES[code]
        r = {"record_id": "", "employee_id": e["employee_id"], "course_code": code, "course_title": title,
             "topic": topic, "hours": hours, "completed_on": day, "provider": rng.choice(PROVIDERS), "passed": passed}
        records.append(r)
        return r

    def day_in(year: int, lo: int = 1, hi: int = 12) -> dt.date:
        return dt.date(year, rng.randint(lo, hi), rng.randint(1, 28))

    for e in w.employees:
        eid = e["employee_id"]
        crm = e["crm_role"] != "none"
        for year in (2024, 2025, 2026):
            first = dt.date(year, 1, 1)
            last = min(dt.date(year, 12, 31), AS_OF - dt.timedelta(days=1), e["left_on"] or dt.date(2100, 1, 1))
            if e["hired_on"] > last:
                continue
            lo = max(1, e["hired_on"].month + 1 if e["hired_on"].year == year else 1)
            hi = last.month - 1 if last.month > 1 else 1
            if year == 2026:
                if rng.random() < 0.5 and lo <= hi:
                    add(e, rng.choice(["PR-101", "CO-101"]), day_in(2026, min(lo, hi), hi))
                if crm and e["hired_on"] <= dt.date(2026, 3, 1) and eid != stale_privacy and rng.random() < 0.3:
                    add(e, "DP-101", day_in(2026, min(lo, 5), 5))
                continue
            if e["hired_on"] > first and year == 2025:
                continue  # 2025 hires are not judged on 2025 hours; keep their records empty
            add(e, "CO-101", day_in(year, 1, 3))
            if eid not in short_hours or year != 2025:
                add(e, rng.choice(["AN-101", "LD-201"]), day_in(year, 4, 6))
            add(e, "PR-101", day_in(year, 7, 9))
            if rng.random() < 0.15:
                add(e, "AN-101", day_in(year, 10, 11), passed=False)  # an extra, failed attempt
            if e["department"] == "customer_service" or e["crm_role"] in ("agent", "supervisor"):
                if not (eid == no_service and year == 2025):
                    add(e, "CS-101", day_in(year, 2, 5))
                if rng.random() < 0.4:
                    add(e, "CS-201", day_in(year, 9, 11))
            if e["department"] == "sales_support" and not (eid == no_tools and year == 2025):
                add(e, "ST-101", day_in(year, 3, 10))
            if crm:
                if year == 2025 and eid == stale_privacy:
                    add(e, "DP-101", dt.date(2025, 5, 12))
                elif year == 2025:
                    add(e, "DP-101", dt.date(2025, rng.randint(7, 12), rng.randint(1, 28)))
                else:
                    add(e, "DP-101", day_in(2024, 6, 8))
    for eid in sorted(short_hours):
        w.expect("TR-001", employee_id=eid)
    w.expect("TR-002", employee_id=no_service)
    w.expect("TR-003", employee_id=stale_privacy)
    w.expect("TR-004", employee_id=no_tools)
    records.sort(key=lambda r: (r["completed_on"], r["employee_id"], r["course_code"]))
    # TR-005: one training entered twice (the copy comes later in the export)
    dup_of = next(r for r in records if r["course_code"] == "PR-101" and r["completed_on"].year == 2025
                  and r["employee_id"] not in short_hours)
    records.append(dict(dup_of))
    for n, r in enumerate(records, start=1):
        r["record_id"] = f"TR{n:07d}"
    w.expect("TR-005", record_id=dup_of["record_id"])
    w.expect("TR-005", record_id=records[-1]["record_id"])
    return records


# -- KPIs and appraisals --------------------------------------------------------------------------

def _kpi_set(e: dict[str, Any]) -> list[tuple]:
    return KPI_SETS.get(e["department"], KPI_SETS["management"])


def _kpis(w: World) -> list[dict[str, Any]]:
    rng = w.rng("appraisal.kpis")
    out: list[dict[str, Any]] = []
    sales = [e for e in w.employees if e["department"] == "sales" and e["role"] != "manager" and e["left_on"] is None]
    brand = [e for e in w.employees if e["department"] == "brand" and e["role"] == "staff" and e["left_on"] is None]
    no_sales_kpi = sales[0]["employee_id"]                    # AE-005
    missing_actual = sales[1]["employee_id"]                  # AE-006
    bad_weights = brand[0]["employee_id"]                     # AE-001
    digital = [e for e in w.employees if e["department"] == "digital" and e["role"] == "staff" and e["left_on"] is None
               and e["hired_on"] < dt.date(2024, 1, 1)]
    w.notes["bonus_without_csat"] = digital[0]["employee_id"]  # AE-004
    csat_fail = set()
    for e in w.employees:
        for period in PERIODS:
            year = int(period)
            if not active_in(e, dt.date(year, 7, 1), dt.date(year, 12, 31)):
                continue
            kset = list(_kpi_set(e))
            if e["employee_id"] == no_sales_kpi and period == "2025":
                kset = [("ACCOUNT_PLAN", "客戶經營計畫", "project", 50, 20, "份"),
                        ("TRAINING_DONE", "培訓完成率", "development", 20, 100, "%")] + kset[2:]
                w.expect("AE-005", employee_id=e["employee_id"], period=period)
            for code, name, category, weight, target, unit in kset:
                if e["employee_id"] == bad_weights and period == "2025" and category == "satisfaction":
                    weight -= 10
                actual = round(target * rng.uniform(0.85, 1.2), 1)
                if category == "satisfaction":
                    actual = round(rng.uniform(78, 96), 1)
                    if e["employee_id"] == w.notes["bonus_without_csat"] and period == "2025":
                        actual = 80.0
                    if actual < target:
                        csat_fail.add((e["employee_id"], period))
                if e["employee_id"] == missing_actual and period == "2025" and code == "NEW_CUST":
                    actual = None
                    w.expect("AE-006", employee_id=e["employee_id"], period=period, kpi_code=code)
                out.append({"employee_id": e["employee_id"], "period": period, "kpi_code": code, "kpi_name": name,
                            "category": category, "weight": weight, "target": target, "actual": actual, "unit": unit})
    w.expect("AE-001", employee_id=bad_weights, period="2025")
    w.notes["csat_fail"] = csat_fail
    return out


def _rating(score: float) -> str:
    return "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D"


def _appraisals(w: World, kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = w.rng("appraisal.appraisals")
    csat_fail: set = w.notes["csat_fail"]
    out: list[dict[str, Any]] = []
    events = [e for e in w.employees if e["department"] == "events" and e["role"] != "manager"
              and e["left_on"] is None and e["hired_on"] < dt.date(2024, 1, 1)]
    no_2025 = events[0]["employee_id"]                                          # AE-008
    digital_mgr = w.notes["managers"]["digital"]                                # AE-002
    research_staff = next(e for e in w.employees if e["department"] == "research" and e["role"] == "staff"
                          and e["left_on"] is None)["employee_id"]              # AE-003
    double = events[1]["employee_id"]                                           # AE-007
    for period in PERIODS:
        year = int(period)
        n = 0
        for e in w.employees:
            if not active_in(e, dt.date(year, 7, 1), dt.date(year, 12, 31)):
                continue
            if e["employee_id"] == no_2025 and period == "2025":
                continue
            n += 1
            score = round(rng.uniform(62, 97), 1)
            rating = _rating(score)
            passed = (e["employee_id"], period) not in csat_fail
            bonus = Decimal({"A": 50000, "B": 20000}.get(rating, 0)) if passed else Decimal(0)
            reviewer = e["manager_id"] or "E0000"  # the vice-president is appraised by the board
            a = {"appraisal_id": f"PA-{period}-{n:04d}", "employee_id": e["employee_id"], "period": period,
                 "reviewer_id": reviewer, "score": score, "rating": rating, "bonus_amount": bonus,
                 "submitted_on": dt.date(year + 1, 1, rng.randint(5, 28))}
            if period == "2025":
                if e["employee_id"] == digital_mgr:
                    a["reviewer_id"] = digital_mgr
                    w.expect("AE-002", appraisal_id=a["appraisal_id"])
                elif e["employee_id"] == research_staff:
                    a["reviewer_id"] = "E0002"
                    w.expect("AE-003", appraisal_id=a["appraisal_id"])
                elif e["employee_id"] == w.notes["bonus_without_csat"]:
                    a["bonus_amount"] = Decimal(20000)
                    w.expect("AE-004", appraisal_id=a["appraisal_id"])
            out.append(a)
            if e["employee_id"] == double and period == "2025":
                n += 1
                copy = dict(a, appraisal_id=f"PA-{period}-{n:04d}", bonus_amount=Decimal(0),
                            submitted_on=a["submitted_on"] + dt.timedelta(days=20))
                out.append(copy)
                w.expect("AE-007", appraisal_id=a["appraisal_id"])
                w.expect("AE-007", appraisal_id=copy["appraisal_id"])
    w.expect("AE-008", employee_id=no_2025)
    return out
