"""Compile loaded rulesets against dataset schemas into :class:`CompiledRule` records.

Problems (unknown datasets and columns, forbidden SQL, bad templates, duplicate ids)
are collected for every rule, so that `lint` reports them all at once; `check` stops
on the first batch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from checker import codes
from checker.codes import Code
from checker.compile import kinds
from checker.compile.expr import ExprContext, compile_expression
from checker.compile.kinds.base import MAIN_ALIAS, Parts
from checker.compile.kinds.join import JoinSpec
from checker.i18n import Msg, _
from checker.load.rulesets import LoadedRuleset
from checker.messages import HINT as MESSAGE_HINT
from checker.messages import MessageTemplate
from checker.model.dataset import DatasetSchema
from checker.model.ruleset import Rule, RulesetFile
from checker.problems import CheckerError, Problem, Span, did_you_mean

__all__ = ["MAIN_ALIAS", "CompiledRule", "check_duplicates", "compile_rule", "compile_rules"]


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    ruleset: RulesetFile
    source: LoadedRuleset
    index: int                                   # position in its file
    span: Span                                   # the rule's `id`
    where: exp.Expression | None = None
    expect: exp.Expression | None = None
    unique: tuple[str, ...] = ()
    group_by: tuple[exp.Expression, ...] = ()
    joins: tuple[JoinSpec, ...] = ()
    message: MessageTemplate | None = None
    origin: LoadedRuleset | None = None          # the file the rule's text is in (a parent, if inherited)
    options: Any = None                          # a plugin kind's own compiled form (see kinds.base.Parts)

    @property
    def text_source(self) -> LoadedRuleset:
        return self.origin or self.source

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def dataset(self) -> str:
        return self.rule.dataset

    def group_names(self) -> list[str]:
        return [str(g) for g in (self.rule.group_by or [])]


def check_duplicates(rulesets: list[LoadedRuleset]) -> list[Problem]:
    """A rule id belongs to one ruleset, once per version file."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for rs in rulesets:
        seen: dict[str, int] = {}
        for i, rule in enumerate(rs.model.rules):
            span = rs.positions.value(("rules", rs.file_index(i), "id"))
            if rule.id in seen:
                first = rs.positions.value(("rules", rs.file_index(seen[rule.id]), "id"))
                problems.append(Problem(span, codes.R110, _("duplicate rule id '{rule}' (first defined at line {line})",
                                                        rule=rule.id, line=first.line),
                                        hint=_("rule ids are unique among all loaded rules")))
                continue
            seen[rule.id] = i
            other = owner.setdefault(rule.id, rs.model.ruleset)
            if other != rs.model.ruleset:
                problems.append(Problem(span, codes.R110, _("rule id '{rule}' is already used by ruleset '{ruleset}'",
                                                        rule=rule.id, ruleset=other),
                                        hint=_("the same id across versions means the same rule; pick a new id")))
    return problems


def compile_rules(rulesets: list[LoadedRuleset], schemas: dict[str, DatasetSchema], as_of: dt.date
                  ) -> tuple[list[CompiledRule], list[Problem]]:
    compiled: list[CompiledRule] = []
    problems: list[Problem] = check_duplicates(rulesets)
    for rs in rulesets:
        params = dict(rs.model.params)
        params["as_of"] = as_of
        n_inherited = sum(1 for r in rs.model.rules if r.id in rs.inherited)
        for i, rule in enumerate(rs.model.rules):
            origin, index = rs.inherited.get(rule.id, (rs, rs.file_index(i - n_inherited)))
            try:
                compiled.append(compile_rule(origin, index, rule, schemas, params, owner=rs))
            except CheckerError as err:
                problems.extend(err.problems)
    return compiled, problems


def compile_rule(rs: LoadedRuleset, index: int, rule: Rule, schemas: dict[str, DatasetSchema],
                 params: dict[str, Any], owner: LoadedRuleset | None = None) -> CompiledRule:
    """Compile one rule; ``rs`` holds its text (positions), ``owner`` the ruleset it runs in."""
    owner = owner or rs
    pos = rs.positions
    at = lambda key: pos.value(("rules", index, key))  # noqa: E731
    if rule.dataset not in schemas:
        raise CheckerError([Problem(at("dataset"), codes.R111, _("rule {rule}: unknown dataset '{dataset}'",
                                                             rule=rule.id, dataset=rule.dataset),
                                    hint=did_you_mean(rule.dataset, schemas) or
                                    _("datasets are the <domain>/<name>.schema.json files under --schemas"))])
    schema = schemas[rule.dataset]
    problems: list[Problem] = []
    joins: list[JoinSpec] = []
    join_ctx: dict[str, tuple[DatasetSchema, str]] = {}
    for j, spec in enumerate(rule.join or []):
        jpos = ("rules", index, "join", j)
        if spec.dataset not in schemas:
            problems.append(Problem(pos.value(jpos + ("dataset",)), codes.R111,
                                    _("rule {rule}: unknown dataset '{dataset}' in join", rule=rule.id,
                                      dataset=spec.dataset),
                                    hint=did_you_mean(spec.dataset, schemas)))
            continue
        if spec.as_ in join_ctx or spec.as_ == MAIN_ALIAS:
            problems.append(Problem(pos.value(jpos + ("as",)), codes.R104,
                                    _("rule {rule}: join alias '{alias}' is used twice", rule=rule.id,
                                      alias=spec.as_) if spec.as_ in join_ctx
                                    else _("rule {rule}: join alias '{alias}' is reserved", rule=rule.id,
                                           alias=MAIN_ALIAS)))
            continue
        join_ctx[spec.as_] = (schemas[spec.dataset], f"j_{spec.as_}")
    if problems:
        raise CheckerError(problems)

    tools = _Tools(rule, index, pos, schema, join_ctx, params, problems)
    for j, spec in enumerate(rule.join or []):
        on = tools.expression(spec.on, ("join", j, "on"))
        if on is not None:
            joins.append(JoinSpec(spec.as_, join_ctx[spec.as_][1], spec.dataset, on))
    where = tools.expression(rule.where, ("where",))
    kind = kinds.of(rule)
    parts: Parts = kind.compile(rule, tools)
    message = None
    if rule.message is not None:
        message = MessageTemplate(rule.message.zh, rule.message.en)
        error = message.syntax_error()
        refused = None if error else message.refusal()
        if error:
            problems.append(Problem(at("message"), codes.X205, _("rule {rule}: message template: {error}",
                                                             rule=rule.id, error=error)))
        elif refused:
            problems.append(Problem(pos.value(("rules", index, "message", refused.lang)), codes.X211,
                                    _("rule {rule}: message ({lang}), template line {line}: "
                                      "{construct} is not allowed in a message", rule=rule.id, lang=refused.lang,
                                      line=refused.line, construct=refused.reason), hint=MESSAGE_HINT))
        else:
            allowed = set(schema.columns) | kind.message_names | {"row"}
            for name in sorted(message.variables() - allowed):
                problems.append(Problem(at("message"), codes.R112,
                                        _("rule {rule}: message uses '{name}', not a column of {dataset}",
                                          rule=rule.id, name=name, dataset=schema.name),
                                        hint=did_you_mean(name, schema.columns)))
    if problems:
        raise CheckerError(problems)
    return CompiledRule(rule, owner.model, owner, index, pos.value(("rules", index, "id")), where, parts.expect,
                        parts.unique, parts.group_by, tuple(joins), message, None if owner is rs else rs,
                        parts.options)


class _Tools:
    """What a kind compiling one rule may use (:class:`checker.compile.kinds.base.CompileTools`)."""

    def __init__(self, rule: Rule, index: int, pos: Any, schema: DatasetSchema,
                 join_ctx: dict[str, tuple[DatasetSchema, str]], params: dict[str, Any], problems: list[Problem]):
        self.rule_id = rule.id
        self.dataset = rule.dataset
        self.columns = tuple(schema.columns)
        self._index, self._pos, self._schema = index, pos, schema
        self._joins, self._params, self._problems = join_ctx, params, problems

    def expression(self, text: str | None, path: tuple[Any, ...], aggregates: bool = False
                   ) -> exp.Expression | None:
        if text is None:
            return None
        key = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))
        span = self._pos.text_start(("rules", self._index, *path))   # after a quote
        ctx = ExprContext(self.rule_id, span, self._schema, MAIN_ALIAS, self._joins, self._params, aggregates, key)
        try:
            return compile_expression(text, ctx)
        except CheckerError as err:
            self._problems.extend(err.problems)
            return None

    def problem(self, path: tuple[Any, ...], code: Code, message: Msg, hint: Msg | str | None = None) -> None:
        self._problems.append(Problem(self._pos.value(("rules", self._index, *path)), code, message, hint=hint))

    def unknown_column(self, path: tuple[Any, ...], name: str, where: str) -> None:
        self.problem(path, codes.R112, _("rule {rule}: unknown column '{column}' in {key} (dataset {dataset})",
                                         rule=self.rule_id, column=name, key=where, dataset=self._schema.name),
                     hint=did_you_mean(name, self._schema.columns))
