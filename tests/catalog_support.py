"""A two-clause regulation catalog for tests that need their own catalog."""

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
