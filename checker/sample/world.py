"""What every domain generator shares: the fixed calendar, seeded randomness, name pools
and the answer key of planted violations.

Small tables are made record by record with :class:`random.Random` (one stream per table,
derived from the seed and the table's name, so that a change in one table never shifts
another). The big tables (complaints, interactions, access log) are made by DuckDB from
``range()`` with ``hash(i, seed, salt)`` as the random source: vectorised, in chunks,
deterministic for a seed. Faker (``zh_TW``) is called only to fill pools of names,
addresses and companies, never once per record.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from checker.resources import bundled

#: The sample's evaluation date: data runs from START to the day before AS_OF.
AS_OF = dt.date(2026, 6, 30)
START = dt.date(2025, 1, 1)
END = AS_OF - dt.timedelta(days=1)
#: Odd prime multipliers used for collision-free permutations inside a month or a day.
PRIME = 1_000_003


def months(start: dt.date = START, end: dt.date = END) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every calendar month from start to end (the last one cut at end)."""
    out = []
    day = start.replace(day=1)
    while day <= end:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((day, min(nxt - dt.timedelta(days=1), end)))
        day = nxt
    return out


def at(day: dt.date, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second)


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


@dataclass
class Pools:
    """Faker-made pools; records combine them by index."""

    surnames: list[str]
    given: list[str]
    addresses: list[str]
    cities: list[str]
    companies: list[str]
    users: list[str]


def make_pools(seed: int) -> Pools:
    from faker import Faker

    fake = Faker("zh_TW")
    fake.seed_instance(seed)

    def unique(fn, n: int) -> list[str]:
        seen: dict[str, None] = {}
        tries = 0
        while len(seen) < n and tries < n * 20:
            seen.setdefault(fn(), None)
            tries += 1
        return list(seen)

    return Pools(surnames=unique(fake.last_name, 60), given=unique(fake.first_name, 400),
                 addresses=unique(fake.street_address, 600), cities=unique(fake.city, 40),
                 companies=unique(fake.company, 120),
                 users=unique(lambda: fake.user_name().replace("_", ".").lower(), 400))


@dataclass
class World:
    """The generation context shared by the domain modules."""

    out: Path
    rows: int
    seed: int
    pools: Pools
    expected: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    # cross-domain facts, filled as the domains are generated
    employees: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        """An independent random stream for one table (or one purpose)."""
        return random.Random(self.seed * 1_000_003 + zlib.crc32(name.encode()))

    def expect(self, rule_id: str, **key: Any) -> None:
        """Record a planted violation: the record key (x-key) or the group key it is cited by."""
        self.expected.setdefault(rule_id, []).append({k: display(v) for k, v in key.items()})

    def person(self, rng: random.Random) -> str:
        return rng.choice(self.pools.surnames) + rng.choice(self.pools.given)

    def employee(self, employee_id: str) -> dict[str, Any]:
        return next(e for e in self.employees if e["employee_id"] == employee_id)

    def staff(self, **match: Any) -> list[dict[str, Any]]:
        """Active employees whose fields equal ``match``."""
        return [e for e in self.employees if e["left_on"] is None
                and all(e.get(k) == v for k, v in match.items())]

    def write_expected(self) -> Path:
        path = self.out / "expected.json"
        data = {rule: sorted(keys, key=lambda k: json.dumps(k, ensure_ascii=False, sort_keys=True))
                for rule, keys in sorted(self.expected.items())}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return path


def display(value: Any) -> Any:
    """A key value as the engine cites it (``checker.messages.display`` of the typed value)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema(dataset: str) -> dict[str, Any]:
    domain, name = dataset.split(".", 1)
    return json.loads((bundled("schemas") / domain / f"{name}.schema.json").read_text(encoding="utf-8"))


def national_id(n: int, salt: int) -> str:
    """A Taiwan-style ID number, distinct for distinct n (n < 10**8)."""
    digits = (n * 7_919 + salt) % 100_000_000
    letter = "ABCDEFGHJKLMNPQRSTUVXYWZIO"[(n * 7 + salt) % 26]
    return f"{letter}{1 + n % 2}{digits:08d}"


def mobile(n: int, salt: int) -> str:
    return f"09{(n * 104_729 + salt) % 100_000_000:08d}"
