"""Rule kinds, one module each; the module docstring is the kind's documentation.

The registry maps a kind name to its module; every module exposes
``compile(rule, ctx) -> CompiledRule`` fields it owns.  A rule's kind is told apart
by its keys (see :attr:`checker.model.ruleset.Rule.kind`).
"""

from __future__ import annotations

from checker.compile.kinds import aggregate, join, row, unique

REGISTRY = {"row": row, "unique": unique, "aggregate": aggregate}
#: ``join`` is not a kind of its own: it adds datasets to row and aggregate rules.
MODIFIERS = {"join": join}

__all__ = ["REGISTRY", "MODIFIERS"]
