"""Python functions the Spark engine registers for the conversion (run in Spark's Python workers).

Kept apart, importing nothing of the checker, so that a worker unpickling one loads this module only.
"""

from __future__ import annotations

import unicodedata


def nfkc(text: str | None) -> str | None:
    """Unicode NFKC of one string (Spark's side of :data:`checker.sql.spelling.NFKC`); null stays null."""
    return None if text is None else unicodedata.normalize("NFKC", text)
