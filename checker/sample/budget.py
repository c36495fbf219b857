"""budget.*: budget lines per fiscal year, the expenses booked to them, and their approvals.

Every expense is booked to a line of its own year and lines are sized with headroom;
expenses from 10,000 are approved before the spending by the submitter's manager, from
100,000 by a director. Planted: expenses on missing lines (BG-001) or last year's line
(BG-002), an overspent line (BG-003), a split purchase (BG-004), an invoice claimed twice
(BG-005), missing or rejected-only approvals (AP-001), a large expense approved by a
manager (AP-002), an approval after the spending (AP-003), a self-approval (AP-004) and
a campaign 25% over budget (PJ-005).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_UP, Decimal
from typing import Any

from checker.sample.world import AS_OF, END, START, World, at, money

LINES = [  # (number, category, department, description)
    (1, "advertising", "brand", "品牌廣告投放"), (2, "digital", "digital", "數位行銷"),
    (3, "events", "events", "活動與展會"), (4, "research", "research", "市場調研"),
    (5, "pr", "brand", "公關與媒體關係"), (6, "training", "management", "員工培訓"),
    (7, "other", "customer_service", "客服營運"), (8, "advertising", "sales_support", "銷售工具與促銷"),
]
CAMPAIGN_LINE = {"tv": 1, "print": 1, "digital": 2, "social": 2, "event": 3, "promotion": 8}
OPERATING = {4: ["消費者問卷調查", "競品資料庫訂閱", "焦點團體訪談"], 5: ["媒體餐敘", "新聞稿發布服務", "輿情監測服務"],
             6: ["外部講師費", "線上課程授權", "培訓場地租借"], 7: ["客服系統授權", "電話語音服務", "客服耗材"],
             8: ["銷售簡報製作", "型錄印刷", "展示架製作"],
             1: ["廣告素材製作"], 2: ["社群工具訂閱"], 3: ["活動器材租借"]}
APPROVAL, DIRECTOR = 10_000, 100_000
YEARS = (2025, 2026)


def line_for(year: int, kind: str) -> str:
    return f"BL-{year}-{CAMPAIGN_LINE[kind]:03d}"


def generate(w: World) -> dict[str, list[dict[str, Any]]]:
    rng = w.rng("budget.expenses")
    g = _Gen(w, rng)
    g.campaign_expenses()
    g.operating_expenses()
    g.plants()
    expenses = g.number()
    approvals = g.approve(expenses)
    lines = g.lines(expenses)
    return {"budget.lines": lines, "budget.expenses": expenses, "budget.approvals": approvals}


class _Gen:
    def __init__(self, w: World, rng):
        self.w, self.rng = w, rng
        self.vendors = [(name, f"{(i * 7_654_321 + 13_579_246) % 100_000_000:08d}")
                        for i, name in enumerate(w.pools.companies)]
        self.expenses: list[dict[str, Any]] = []
        self.small: set[tuple] = set()      # (vendor tax id, submitter, date) of expenses under the approval threshold
        self.invoices = 0
        self.special: dict[str, list[dict[str, Any]]] = {}
        managers = w.notes["managers"]
        self.unit_manager = dict(managers, management="E0002", pr="E0002")
        self.director = {u: ("E0002" if u in ("research", "brand", "digital", "events", "pr") else "E0003")
                         for u in list(managers) + ["pr"]}
        self.director["management"] = "E0001"

    # -- making expenses -------------------------------------------------------------------
    def _invoice(self) -> str:
        self.invoices += 1
        n = (self.invoices * 48_271 + 10_000_019) % 100_000_000
        letters = "ABCDEFGHJKMNPQRSTUVWXYZ"
        return f"{letters[self.invoices % 23]}{letters[(self.invoices // 23) % 23]}{n:08d}"

    def add(self, day: dt.date, amount: Decimal, line: str | None, submitter: str, description: str,
            campaign: str | None = None, vendor: tuple[str, str] | None = None, invoice: str | None = None,
            check_split: bool = True) -> dict[str, Any]:
        vendor = vendor or self.rng.choice(self.vendors)
        if amount < APPROVAL and check_split:
            while (vendor[1], submitter, day) in self.small:
                vendor = self.rng.choice(self.vendors)
            self.small.add((vendor[1], submitter, day))
        paid = day + dt.timedelta(days=self.rng.randint(10, 35))
        e = {"expense_id": "", "budget_line_id": line, "campaign_id": campaign, "vendor": vendor[0],
             "vendor_tax_id": vendor[1], "invoice_no": invoice or self._invoice(), "description": description,
             "amount": amount, "expense_date": day, "submitted_by": submitter,
             "paid_on": paid if paid < AS_OF else None}
        self.expenses.append(e)
        return e

    def campaign_expenses(self) -> None:
        overspent = self.w.notes["overspent_campaign"]
        for c in self.w.campaigns:
            if c["status"] == "cancelled" or c["start_date"] > END:
                continue
            running = c["status"] != "completed"
            share = 1.25 if c["campaign_id"] == overspent else (
                self.rng.uniform(0.3, 0.6) if running else self.rng.uniform(0.6, 0.97))
            total = float(c["planned_budget"]) * share
            parts = [self.rng.uniform(1, 3) for _ in range(self.rng.randint(3, 7))]
            year = c["start_date"].year
            lo = max(c["start_date"] - dt.timedelta(days=15), dt.date(year, 1, 1))
            hi = min(c["end_date"] + dt.timedelta(days=10), dt.date(year, 12, 31), END)
            for p in parts:
                day = lo + dt.timedelta(days=self.rng.randint(0, max(0, (hi - lo).days)))
                self.add(day, money(total * p / sum(parts)), line_for(year, c["type"]), c["owner_id"],
                         f"{c['name']}：{self.rng.choice(['製作費', '媒體費', '場地費', '贈品採購', '人力外包'])}",
                         campaign=c["campaign_id"])

    def operating_expenses(self) -> None:
        day = START
        while day <= END:
            for _ in range(self.rng.randint(0, 3)):
                number = self.rng.choice([4, 4, 5, 6, 7, 7, 8, 1, 2, 3])
                unit = next(d for n, _, d, _ in LINES if n == number)
                people = [e["employee_id"] for e in self.w.staff(department=unit) if e["hired_on"] <= day] \
                    if unit != "management" else ["E0002"]
                amount = money(min(self.rng.lognormvariate(8.3, 0.9), 95_000))
                self.add(day, max(amount, Decimal("300.00")), f"BL-{day.year}-{number:03d}", self.rng.choice(people),
                         self.rng.choice(OPERATING[number]))
            day += dt.timedelta(days=1)

    def plants(self) -> None:
        w = self.w
        research = [e["employee_id"] for e in w.staff(department="research") if e["role"] != "manager"]
        cs = [e["employee_id"] for e in w.staff(department="customer_service") if e["role"] == "staff"]
        sp = self.special
        sp["BG-001"] = [self.add(dt.date(2026, 2, 11), Decimal("3280.00"), "BL-2026-999", cs[0], "客服耗材"),
                        self.add(dt.date(2025, 8, 20), Decimal("1750.00"), None, cs[1], "電話語音服務")]
        sp["BG-002"] = [self.add(dt.date(2026, 1, 8), Decimal("6400.00"), "BL-2025-004", research[0], "競品資料庫訂閱")]
        vendor = self.vendors[3]
        sp["BG-004"] = [self.add(dt.date(2025, 6, 17), money(a), "BL-2025-004", research[1], "消費者問卷調查",
                                 vendor=vendor, check_split=False) for a in (4200, 4350, 4180)]
        assert (vendor[1], research[1], dt.date(2025, 6, 17)) not in self.small
        original = next(e for e in self.expenses if e["campaign_id"] is None and e["amount"] < 5000
                        and e["expense_date"].month <= 10 and e["budget_line_id"] == f"BL-{e['expense_date'].year}-007")
        copy = self.add(original["expense_date"] + dt.timedelta(days=14), original["amount"],
                        original["budget_line_id"], original["submitted_by"], original["description"],
                        vendor=(original["vendor"], original["vendor_tax_id"]), invoice=original["invoice_no"])
        sp["BG-005"] = [original, copy]
        sp["AP-001"] = [
            self.add(dt.date(2025, 10, 14), Decimal("30000.00"), "BL-2025-004", research[0], "焦點團體訪談"),
            self.add(dt.date(2026, 4, 9), Decimal("45500.00"), "BL-2026-007", cs[2], "客服系統授權")]
        sp["AP-002"] = [
            self.add(dt.date(2026, 3, 3), Decimal("158000.00"), "BL-2026-004", research[1], "年度消費者大調查")]
        digital_mgr = w.notes["managers"]["digital"]
        sp["AP-004"] = [self.add(dt.date(2025, 11, 5), Decimal("25000.00"), "BL-2025-002", digital_mgr, "社群工具訂閱")]

    def number(self) -> list[dict[str, Any]]:
        self.expenses.sort(key=lambda e: (e["expense_date"], e["budget_line_id"] or "", e["vendor_tax_id"],
                                          e["invoice_no"]))
        for n, e in enumerate(self.expenses, start=1):
            e["expense_id"] = f"EX{n:07d}"
        for rule in ("BG-001", "BG-002", "BG-005", "AP-001", "AP-002"):
            for e in self.special[rule]:
                self.w.expect(rule, expense_id=e["expense_id"])
        first = self.special["BG-004"][0]
        self.w.expect("BG-004", vendor_tax_id=first["vendor_tax_id"], submitted_by=first["submitted_by"],
                      expense_date=first["expense_date"])
        return self.expenses

    # -- approvals ---------------------------------------------------------------------------
    def _approver(self, e: dict[str, Any]) -> str:
        submitter = self.w.employee(e["submitted_by"])
        unit = submitter["department"]
        if e["amount"] >= DIRECTOR or submitter["role"] in ("manager", "director"):
            boss = self.director.get(unit, "E0001")
            if boss == submitter["employee_id"]:
                boss = "E0001"
            return boss
        return self.unit_manager.get(unit, "E0002")

    def approve(self, expenses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        sp = self.special
        skip = {id(e) for e in sp["AP-001"]}
        out: list[dict[str, Any]] = []
        manager_only = {id(e) for e in sp["AP-002"]}
        self_approved = {id(e) for e in sp["AP-004"]}
        late_candidate = None
        for e in expenses:
            if e["amount"] < APPROVAL:
                continue
            decided = at(e["expense_date"] - dt.timedelta(days=rng.randint(1, 7)), rng.randint(9, 17),
                         rng.randint(0, 59))
            if id(e) in skip:
                if e is sp["AP-001"][1]:
                    out.append(self._record(e, self.unit_manager["customer_service"], decided, "rejected",
                                            "預算不足，請重新評估"))
                continue
            approver = self._approver(e)
            if id(e) in manager_only:
                approver = self.unit_manager["research"]
            if id(e) in self_approved:
                approver = e["submitted_by"]
            if rng.random() < 0.05 and id(e) not in self_approved:  # a first attempt sent back
                out.append(self._record(e, approver, decided - dt.timedelta(days=rng.randint(2, 5)), "rejected",
                                        "請補充報價單"))
            record = self._record(e, approver, decided, "approved", None)
            out.append(record)
            if id(e) in self_approved:
                sp["AP-004-approval"] = [record]
            elif late_candidate is None and e["campaign_id"] is None and e["expense_date"] > dt.date(2025, 9, 1) \
                    and id(e) not in manager_only:
                late_candidate = record
                record["decided_at"] = at(e["expense_date"] + dt.timedelta(days=3), 15, 30)
        out.sort(key=lambda a: (a["decided_at"], a["expense_id"]))
        for n, a in enumerate(out, start=1):
            a["approval_id"] = f"AP{n:07d}"
        assert late_candidate is not None
        self.w.expect("AP-003", approval_id=late_candidate["approval_id"])
        self.w.expect("AP-004", approval_id=sp["AP-004-approval"][0]["approval_id"])
        return out

    def _record(self, e: dict[str, Any], approver: str, decided: dt.datetime, decision: str, comment: str | None):
        return {"approval_id": "", "expense_id": e["expense_id"], "approver_id": approver,
                "approver_level": self.w.employee(approver)["role"], "decision": decision,
                "decided_at": decided, "comment": comment}

    # -- lines ---------------------------------------------------------------------------------
    def lines(self, expenses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for year in YEARS:
            for number, category, unit, description in LINES:
                line_id = f"BL-{year}-{number:03d}"
                spent = sum(float(e["amount"]) for e in expenses if e["budget_line_id"] == line_id)
                planned = sum(float(c["planned_budget"]) for c in self.w.campaigns
                              if c["budget_line_id"] == line_id and c["status"] != "cancelled")
                amount = Decimal(max(spent, planned) * 1.2 + 50_000).quantize(Decimal("1E4"), rounding=ROUND_UP)
                if line_id == "BL-2025-007":  # BG-003: the customer-service operations line of 2025 is overspent
                    amount = money(spent * 0.85)
                    self.w.expect("BG-003", budget_line_id=line_id)
                out.append({"line_id": line_id, "fiscal_year": year, "department": unit, "category": category,
                            "description": f"{year}年度{description}", "amount": money(float(amount)),
                            "owner_id": self.unit_manager.get(unit, "E0002"), "approved_by": "E0001",
                            "approved_on": dt.date(year - 1, 12, 15)})
        return out
