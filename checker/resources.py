"""Where the bundled rules, schemas and report templates live.

From an installed wheel they are inside the package (``checker/_bundled``); from a
checkout they are the top-level ``rules/``, ``schemas/`` and ``reports/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Return the bundled folder ``name`` (rules, schemas or reports)."""
    inside = _PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled folder '{name}' not found in {inside} or {checkout}")
