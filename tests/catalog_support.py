"""A two-clause regulation catalog, and a one-rule pack citing it, for tests that need their own catalog."""

from __future__ import annotations

from pathlib import Path

MINI_CATALOG = """\
catalog:
  id: mini
  version: 1.0.0
  title: {zh: 小目錄, en: Mini catalog}
  regulations:
    - id: M1
      title: {zh: 客戶管理, en: Customer management}
      summary: {zh: 客戶管理, en: Customer management}
      clauses:
        - id: M1.1
          title: {zh: 客戶關係, en: Customer relations}
          summary: {zh: 客戶關係, en: Customer relations}
        - id: M1.2
          title: {zh: 服務標準, en: Service standards}
          summary: {zh: 服務標準, en: Service standards}
"""


def mini_pack(folder: Path, clauses: str, extra: str = "") -> Path:
    """Write MINI_CATALOG and r.yaml (one rule, MINI-001, citing ``clauses`` on line 8) into ``folder``."""
    (folder / "catalog.yaml").write_text(MINI_CATALOG, encoding="utf-8")
    (folder / "r.yaml").write_text(
        "ruleset: mini.rules\nversion: 1.0.0\ntitle: {zh: 規則, en: Rules}\neffective: {from: 2024-01-01}\n"
        "rules:\n  - id: MINI-001\n    title: {zh: 客戶須有姓名, en: Customers have a name}\n"
        f"    clauses: [{clauses}]\n    severity: low\n    dataset: crm.customers\n"
        "    expect: name IS NOT NULL\n" + extra, encoding="utf-8")
    return folder
