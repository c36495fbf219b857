"""Rule kinds: one :class:`~checker.compile.kinds.base.Kind` object each, in a registry.

Every kind implements the interface in :mod:`checker.compile.kinds.base` (what it compiles,
the queries it runs and how it reads their answers, its examples, its explanation, what
versions, lineage and waivers need); everything else asks the rule's kind through
:func:`of`, never by name.  The module docstring of a built-in kind is its documentation.

A rule's kind is told apart by its keys (:attr:`checker.model.ruleset.Rule.kind`): ``unique``,
else ``group_by``, else an ``expect`` that aggregates (a dataset rule), else a row rule.  A new kind
is one module with one ``Kind`` subclass and one
call, ``kinds.register(MyKind())``: a kind that sets :attr:`~checker.compile.kinds.base.Kind.key`
(say ``not_null``) makes that key a rule key of its own, so a rule carrying it is of that kind
(:func:`checker.model.ruleset.register_kind_key`).  :func:`unregister` takes it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.compile.kinds import join
from checker.compile.kinds.aggregate import AggregateKind
from checker.compile.kinds.base import Kind, QueryKind, RecordKind
from checker.compile.kinds.dataset import DatasetKind, uses_aggregate
from checker.compile.kinds.row import RowKind
from checker.compile.kinds.unique import UniqueKind
from checker.model import ruleset as _ruleset
from checker.model.ruleset import BUILT_IN_KINDS, Rule, register_kind_key, unregister_kind_key

if TYPE_CHECKING:
    from checker.compile.rules import CompiledRule

REGISTRY: dict[str, Kind] = {}
#: ``join`` is not a kind of its own: it adds datasets to row and aggregate rules.
MODIFIERS = {"join": join}


def register(kind: Kind) -> Kind:
    """Make ``kind`` known; a kind with a :attr:`~Kind.key` also makes its key a rule key."""
    if kind.name in REGISTRY or kind.name == "schema":
        raise ValueError(f"a rule kind '{kind.name}' is already registered")
    if kind.key is None and kind.name not in BUILT_IN_KINDS:
        raise ValueError(f"rule kind '{kind.name}' needs a key that tells its rules apart")
    if kind.key is not None:
        register_kind_key(kind.name, kind.key, kind.value_type)
    REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a registered kind (a plugin's; for tests)."""
    kind = REGISTRY.pop(name)
    if kind.key is not None:
        unregister_kind_key(kind.key)


def of(rule: CompiledRule | Rule) -> Kind:
    """The kind of a rule (compiled or not)."""
    return REGISTRY[rule.kind]


for _built_in in (RowKind(), UniqueKind(), AggregateKind(), DatasetKind()):
    register(_built_in)
_ruleset.aggregate_test = uses_aggregate   # a rule whose expect aggregates, without group_by: a dataset rule

__all__ = ["MODIFIERS", "REGISTRY", "Kind", "QueryKind", "RecordKind", "of", "register", "unregister"]
