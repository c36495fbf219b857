"""The result of a check: one pydantic model, written as the `--json` result file.

``schemas/result.schema.json`` is generated from :class:`Result`; every result
validates against it.  Field order is the key order of the file; lists are sorted
so that the same inputs give the same file (``run`` holds the only timing fields).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from checker.model.ruleset import BUILT_IN_KINDS, KIND_KEYS

Status = Literal["pass", "fail", "error", "skipped"]
SEVERITIES = ("info", "low", "medium", "high", "critical")


def _known_kind(kind: str) -> str:
    if kind != "schema" and kind not in BUILT_IN_KINDS and kind not in {k.kind for k in KIND_KEYS.values()}:
        raise ValueError(f"unknown rule kind '{kind}'")
    return kind


#: a rule's kind, or ``schema`` for a structural check; the published schema lists the built-in kinds
#: (a kind registered at run time, see :mod:`checker.compile.kinds`, is accepted too)
Kind = Annotated[str, AfterValidator(_known_kind),
                 WithJsonSchema({"enum": [*BUILT_IN_KINDS, "schema"], "type": "string"})]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tool(Model):
    name: str
    version: str


class RulesetRef(Model):
    id: str
    version: str
    sha256: str
    path: str


class InputRef(Model):
    dataset: str
    path: str | None = Field(description="relative to the data folder; null for records handed in from Python")
    format: str
    sha256: str
    rows: int = Field(description="records read, all of them")
    encoding: str | None = None


class Summary(Model):
    rules: int
    passed: int
    failed: int
    errored: int
    skipped: int
    violations: int
    waived: int


class Texts(Model):
    """One message in every language the checker speaks."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Sample(Model):
    row: int | None = Field(description="1-based record number in the input file; null for a group")
    line: int | None = Field(default=None, description="1-based line of the input file where the record starts "
                             "(a CSV's header is line 1, a JSON Lines record's line is its row, a sheet's "
                             "header row is row 1); null for a group, a Parquet or JSON array record, "
                             "or where the file is not at hand")
    key: dict[str, Any] | None = Field(description="the record key (x-key) or, for aggregate rules, the group key")
    message: str = Field(description="the message in the run's language")
    messages: Texts | None = Field(default=None, description="the message in every language, so a report can "
                                  "be rendered in either")
    version: str | None = Field(default=None, description="the ruleset version that judged this record")
    waiver: str | None = Field(default=None, description="id of the waiver that covers this violation")
    new: bool | None = Field(default=None, description="with --baseline: not present in the baseline")
    fingerprint: str | None = Field(default=None, description="stable id: rule id + record or group key")

    @classmethod
    def of(cls, messages: Texts, **fields: Any) -> Sample:
        """A sample with its message in every language.  ``message`` is the English one until the result is
        assembled: :meth:`Result.in_language` then puts the run's language there."""
        return cls(message=messages.en, messages=messages, **fields)

    def text(self, lang: str) -> str:
        """The message in ``lang`` (a result written before messages were kept in both: as written)."""
        return self.messages.get(lang) if self.messages else self.message


class VersionCount(Model):
    version: str
    checked: int
    violations: int
    waived: int = 0
    sql: str | None = None           # the SQL this version runs: each version judged its own records


class BaselineCount(Model):
    new: int
    existing: int
    fixed: int


class RuleResult(Model):
    rule_id: str
    ruleset: str | None = Field(description="null for structural checks from dataset schemas")
    ruleset_version: str | list[str] | None
    title: dict[str, str] | None = None
    kind: Kind
    clauses: list[str]
    severity: Literal["info", "low", "medium", "high", "critical"]
    dataset: str
    status: Status
    checked: int = Field(description="records judged (groups for aggregate rules)")
    violations: int
    waived: int = 0
    samples: list[Sample] = Field(default_factory=list)
    waived_samples: list[Sample] = Field(default_factory=list, description="waived violations, with their waiver")
    versions: list[VersionCount] = Field(default_factory=list, description="which versions judged how many records")
    uncovered: int = Field(default=0, description="records no version of the ruleset covered (by record date)")
    baseline: BaselineCount | None = None
    fingerprints: list[str] = Field(default_factory=list,
                                    description="fingerprints of every (unwaived) violation, sorted; for --baseline")
    error: str | None = None
    errors: Texts | None = Field(default=None, description="the error in every language")
    location: str | None = Field(default=None, description="rule file:line, or schema file:line")
    sql: str | None = Field(default=None, description="the SQL the rule ran, as the engine ran it")

    def error_text(self, lang: str) -> str | None:
        return self.errors.get(lang) if self.errors else self.error


class Notice(Model):
    level: Literal["error", "warning"]
    code: str
    message: str = Field(description="the message in the run's language")
    messages: Texts | None = Field(default=None, description="the message in every language")
    location: str | None = None

    def text(self, lang: str) -> str:
        return self.messages.get(lang) if self.messages else self.message


class WaiverUse(Model):
    id: str
    rule: str
    reason: str
    approved_by: str
    expires: str
    status: Literal["used", "unmatched", "expired"]
    matched: int = Field(description="violations this waiver covered")
    location: str | None = None


class ManualControl(Model):
    id: str
    zh: str
    en: str
    evidence: dict[str, str] | None = None


class Clause(Model):
    id: str
    regulation: str
    title: dict[str, str]
    summary: dict[str, str] | None = None
    manual_controls: list[ManualControl] = Field(default_factory=list)


class RunInfo(Model):
    started_at: str
    duration_ms: int
    engine: str
    lang: str
    fail_on: str
    max_samples: int
    show_pii: bool = Field(default=False, description="whether personal data (x-pii columns and every value derived "
                           "from them) was shown unmasked (--show-pii); otherwise it is masked everywhere")
    allow_missing: bool = Field(default=False, description="--allow-missing: rules without an export were skipped")
    waiver_warn_days: int = Field(default=30, description="--waiver-warn-days: the W505 window")


class FileRef(Model):
    """A file the run read besides the exports and rule files: as given (bundled ones by package name)."""

    path: str
    sha256: str


class TrendPoint(Model):
    """One run of the series, as the history store knew it when this run was made."""

    as_of: str
    entry: int | None = Field(description="the run's entry number in the store (this run's, once appended)")
    failed: int
    violations: int
    new: int | None = Field(default=None, description="violations not in the series' previous run")
    fixed: int | None = Field(default=None, description="violations of the previous run no longer found")


class RuleTrend(Model):
    rule_id: str
    violations: list[int | None] = Field(description="per point of the trend; null where the rule was not judged")


class HistoryTrend(Model):
    """``--history``: this run and the earlier runs of its series (same rulesets, same datasets), by as-of date."""

    store: str = Field(description="the history store, as given (a PostgreSQL password is never recorded)")
    series: str = Field(description="id of the series: the rulesets' and datasets' names, hashed")
    points: list[TrendPoint] = Field(description="oldest first; the last is this run")
    rules: list[RuleTrend] = Field(default_factory=list)


class Result(Model):
    schema_version: Literal[1] = 1
    tool: Tool
    as_of: str
    rules_at: str | None = None
    data: str | None = Field(default=None, description="the --data folder as given; input paths are relative to it")
    rulesets: list[RulesetRef]
    inputs: list[InputRef]
    summary: Summary
    results: list[RuleResult]
    warnings: list[Notice] = Field(default_factory=list)
    waivers: list[WaiverUse] = Field(default_factory=list)
    baseline: str | None = Field(default=None, description="sha256 of the baseline result file, if any")
    schemas: list[FileRef] = Field(default_factory=list, description="the dataset schemas the run read")
    waiver_file: FileRef | None = Field(default=None, description="the --waivers file, if any")
    baseline_file: FileRef | None = Field(default=None, description="the --baseline file, if any")
    catalog: list[Clause] = Field(default_factory=list, description="the regulation clauses the rules cite")
    exit_code: int
    run: RunInfo
    history: HistoryTrend | None = Field(default=None, description="with --history: the trend of the run's "
                                         "series; not part of what checker verify compares")

    def in_language(self, lang: str) -> Result:
        """A copy whose ``message`` and ``error`` strings are those of ``lang`` (what a report shows)."""
        copy = self.model_copy(deep=True)
        for r in copy.results:
            r.error = r.error_text(lang)
            for s in r.samples + r.waived_samples:
                s.message = s.text(lang)
        for w in copy.warnings:
            w.message = w.text(lang)
        return copy

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=False) + "\n"
