"""The rule-file model: one YAML file holds one version of one ruleset.

Every key of the contract's rule format is a field here; unknown keys are errors.
``schemas/ruleset.schema.json`` is generated from :class:`RulesetFile` (see
``checker.model.jsonschemas``) so that editors complete and check rule files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from checker.i18n import Msg, _

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
DATASET_NAME = r"^(crm|budget|appraisal|marketing)\.[a-z][a-z0-9_]*$"
RULESET_ID = r"^[a-z][a-z0-9]*([.-][a-z0-9]+)*$"
RULE_ID = r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$"
CLAUSE_ID = r"^M[1-7]\.[1-9][0-9]*$"
PARAM_NAME = r"^[a-z_][a-z0-9_]*$"


class Invalid(ValueError):
    """A validation error whose message is a :class:`Msg` (``str()`` renders it in the active language)."""

    def __init__(self, msg: Msg):
        super().__init__(msg)
        self.msg = msg

    def __str__(self) -> str:
        return str(self.msg)


# not StrEnum: that changes str() and format() of a member from "Severity.high" to "high", and results,
# reports and messages are written with .value everywhere; a change in their text is not worth a lint rule
class Severity(str, Enum):  # noqa: UP042
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Text(Strict):
    """A text in both languages every reader of the rule pack needs."""

    zh: str = Field(min_length=1, description="Chinese text")
    en: str = Field(min_length=1, description="English text")

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Effective(Strict):
    from_: dt.date = Field(alias="from", description="first day in force (inclusive)")
    to: dt.date | None = Field(default=None, description="last day in force (inclusive); open-ended if absent")

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.to is not None and self.to < self.from_:
            raise Invalid(_("'to' ({to}) is before 'from' ({start})", to=str(self.to), start=str(self.from_)))
        return self

    def covers(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


class ChangelogEntry(Strict):
    version: str = Field(pattern=SEMVER.pattern)
    date: dt.date
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Join(Strict):
    dataset: str = Field(pattern=DATASET_NAME, description="the dataset joined (left join)")
    as_: str = Field(alias="as", pattern=r"^[a-z_][a-z0-9_]*$", description="alias its columns are read under")
    on: str = Field(min_length=1, description="SQL join condition, e.g. line.line_id = budget_line_id")


Example = dict[str, Any] | list[dict[str, Any]]


class Examples(Strict):
    """Examples run by `checker test`.

    Row rules: each item is one record.  Uniqueness and aggregate rules: each item is a
    list of records (one case), or one record.  A joined dataset's records go under the
    join alias: ``{amount: 900, line: [{line_id: L1, amount: 500}]}`` (a mapping or a list).
    A ``pass`` item must give no violation; a ``fail`` item at least one.
    """

    as_of: dt.date | None = Field(default=None, description="the clock these examples assume (for :as_of)")
    pass_: list[Example] = Field(default_factory=list, alias="pass", description="cases the rule must accept")
    fail: list[Example] = Field(default_factory=list, description="cases the rule must reject")


ParamValue = bool | int | float | str | dt.date | list[bool | int | float | str | dt.date]

#: the kinds the rule format itself tells apart (by ``unique``, ``group_by`` and ``expect``)
BUILT_IN_KINDS = ("row", "unique", "aggregate", "dataset")
#: whether an ``expect`` text uses an aggregate function (a dataset rule's, without ``group_by``); set by
#: the compiler (:mod:`checker.compile.kinds`), which owns the expression grammar
aggregate_test: Callable[[str], bool] | None = None


class KindKey:
    """The YAML key a registered (plugin) kind is told apart by, and the type of its value."""

    def __init__(self, kind: str, key: str, value_type: Any):
        self.kind = kind
        self.key = key
        self.adapter: TypeAdapter[Any] = TypeAdapter(value_type)


#: key -> the plugin kind it identifies; filled by :func:`checker.compile.kinds.register`
KIND_KEYS: dict[str, KindKey] = {}


def register_kind_key(kind: str, key: str, value_type: Any) -> None:
    """Let a rule carry ``key`` (of ``value_type``): a rule with it is of kind ``kind``."""
    if key in Rule.model_fields or any(info.alias == key for info in Rule.model_fields.values()):
        raise ValueError(f"'{key}' is already a key of a rule")
    KIND_KEYS[key] = KindKey(kind, key, value_type)


def unregister_kind_key(key: str) -> None:
    KIND_KEYS.pop(key, None)


class Rule(Strict):
    id: str = Field(pattern=RULE_ID, description="unique among all loaded rules; same id across versions = same rule")
    title: Text
    clauses: list[str] = Field(min_length=1, description="clause ids of the regulation catalog, e.g. M1.2")
    severity: Severity
    dataset: str = Field(pattern=DATASET_NAME)
    description: Text | None = None
    where: str | None = Field(default=None, description="SQL boolean: which records the rule applies to")
    expect: str | None = Field(default=None, description="SQL boolean every (applicable) record or group must satisfy")
    unique: list[str] | None = Field(default=None, min_length=1, description="columns that must be unique together")
    group_by: list[str] | None = Field(default=None, min_length=1, description="group expressions of an aggregate rule")
    join: list[Join] | None = Field(default=None, min_length=1)
    message: Text | None = Field(default=None, description="Jinja template over the record's columns")
    examples: Examples | None = None
    tags: list[str] = Field(default_factory=list)
    #: (kind, value) of a plugin kind's key, when the rule has one (see :data:`KIND_KEYS`)
    _plugin: tuple[str, Any] | None = PrivateAttr(default=None)

    @field_validator("clauses")
    @classmethod
    def _clause_ids(cls, value: list[str]) -> list[str]:
        for clause in value:
            if not re.match(CLAUSE_ID, clause):
                raise Invalid(_("'{clause}' is not a clause id like M1.2", clause=clause))
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _one_kind(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Rule:
        plugin = None
        if isinstance(data, dict) and KIND_KEYS.keys() & data.keys():
            data = dict(data)
            keys = sorted(KIND_KEYS.keys() & data.keys())
            plugin = _plugin_value(KIND_KEYS[keys[0]], data.pop(keys[0]))
            if len(keys) > 1:
                raise Invalid(_("a rule has one kind: '{key}' cannot be combined with {others}",
                                key=keys[0], others=", ".join(f"'{k}'" for k in keys[1:])))
        rule = handler(data)
        if plugin is not None:
            if rule.unique is not None or rule.expect is not None or rule.group_by is not None:
                raise Invalid(_("a rule has one kind: '{key}' cannot be combined with {others}",
                                key=keys[0], others="'expect', 'unique', 'group_by'"))
            rule._plugin = plugin
            return rule
        if rule.unique is not None and (rule.expect is not None or rule.group_by is not None):
            raise Invalid(_("a rule has either 'unique' or 'expect' (with optional 'group_by'), not both"))
        if rule.unique is None and rule.expect is None:
            raise Invalid(_("a rule needs 'expect' (row or aggregate rule) or 'unique' (uniqueness rule)"))
        return rule

    @property
    def kind(self) -> str:
        """The rule's kind, told apart by its keys: a plugin kind's key, else ``unique``, else ``group_by``,
        else an ``expect`` with an aggregate function (a dataset rule), else a row rule."""
        if self._plugin is not None:
            return self._plugin[0]
        if self.unique is not None:
            return "unique"
        if self.group_by is not None:
            return "aggregate"
        if self.expect is not None and aggregate_test is not None and aggregate_test(self.expect):
            return "dataset"
        return "row"

    @property
    def plugin_value(self) -> Any:
        """The value under a plugin kind's key (None for a built-in kind)."""
        return self._plugin[1] if self._plugin is not None else None


def _plugin_value(key: KindKey, value: Any) -> tuple[str, Any]:
    try:
        return key.kind, key.adapter.validate_python(value)
    except ValidationError as err:
        reason = err.errors(include_url=False)[0]["msg"]
        raise Invalid(_("{where}: {reason}", where=key.key, reason=reason[:1].lower() + reason[1:])) from None


class RulesetFile(Strict):
    """One version of one ruleset."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True,
                              json_schema_extra={"title": "Compliance checker rule file"})

    ruleset: str = Field(pattern=RULESET_ID, description="ruleset id, e.g. marketing.customer-service")
    version: str = Field(pattern=SEMVER.pattern, description="semantic version of this ruleset")
    title: Text
    description: Text | None = None
    effective: Effective
    params: dict[str, ParamValue] = Field(default_factory=dict,
                                          description="parameters, referenced in SQL as :name")
    changelog: list[ChangelogEntry] = Field(default_factory=list, description="newest first")
    extends: list[str] = Field(default_factory=list,
                               description="ruleset ids whose rules and params this ruleset inherits")
    disable: dict[str, str] = Field(default_factory=dict,
                                    description="inherited rule id -> the recorded reason it is switched off")
    rules: list[Rule] = Field(default_factory=list)

    @field_validator("params")
    @classmethod
    def _param_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.match(PARAM_NAME, name):
                raise Invalid(_("parameter name '{name}' must be lower_snake_case", name=name))
            if name == "as_of":
                raise Invalid(_("'as_of' is reserved: it is always the run's evaluation date"))
        return value

    @model_validator(mode="after")
    def _has_rules(self) -> RulesetFile:
        if not self.rules and not self.extends:
            raise Invalid(_("a ruleset needs rules (or 'extends' to inherit them)"))
        for rid, reason in self.disable.items():
            if not str(reason).strip():
                raise Invalid(_("disabling {rule} needs a reason", rule=rid))
        if self.disable and not self.extends:
            raise Invalid(_("'disable' switches off inherited rules: it needs 'extends'"))
        return self

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        m = SEMVER.match(self.version)
        assert m is not None
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
