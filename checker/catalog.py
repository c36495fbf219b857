"""The regulation catalog: regulations M1–M7, their clauses and the manual controls.

A catalog is a YAML document whose top-level key is ``catalog`` (the rule loader sets
such documents aside, so the catalog can live in the rules folder)::

    catalog:
      id: marketing-regulations
      version: 1.0.0
      title: {zh: 市場部管理制度彙編, en: Marketing department regulations}
      regulations:
        - id: M1
          title: {zh: 市場部客戶管理制度, en: Customer management}
          summary: {zh: ..., en: ...}
          clauses:
            - id: M1.2
              title: {zh: 服務標準與流程, en: Service standards and process}
              summary: {zh: ..., en: ...}
              manual_controls:            # what records cannot decide: what to ask, what to collect
                - id: MC-M1.2-1
                  zh: 服務人員行為準則是否已公布並經簽收？
                  en: Is the code of conduct published and acknowledged?
                  evidence: {zh: 簽收紀錄, en: acknowledgement records}

Problems carry ``path:line:col`` like the rule loader's: pydantic errors through
:func:`checker.load.rulesets.validation_problems`, and the catalog's own checks
(unique ids, a clause id that starts with its regulation's id) here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from checker import codes
from checker.i18n import _
from checker.load.rulesets import documents, kind_of, validation_problems
from checker.load.yamlio import Document, Positions
from checker.model.ruleset import CLAUSE_ID, SEMVER, Strict, Text
from checker.problems import CheckerError, Problem, Span, did_you_mean
from checker.resources import bundled

REGULATION_ID = r"^M[1-7]$"
CONTROL_ID = r"^MC-[A-Za-z0-9.]+(-[A-Za-z0-9]+)*$"


class ManualControl(Strict):
    """An attestation item: what the auditor asks (zh/en) and which evidence to collect."""

    id: str = Field(pattern=CONTROL_ID, description="e.g. MC-M1.2-1")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    evidence: Text


class Clause(Strict):
    id: str = Field(pattern=CLAUSE_ID, description="e.g. M1.2")
    title: Text
    summary: Text
    manual_controls: list[ManualControl] = Field(default_factory=list)


class Regulation(Strict):
    id: str = Field(pattern=REGULATION_ID, description="e.g. M1")
    title: Text
    summary: Text
    clauses: list[Clause] = Field(min_length=1)


class Catalog(Strict):
    id: str = Field(min_length=1)
    version: str = Field(pattern=SEMVER.pattern)
    title: Text
    regulations: list[Regulation] = Field(min_length=1)


class CatalogFile(Strict):
    catalog: Catalog


@dataclass(frozen=True)
class LoadedCatalog:
    model: Catalog
    path: str
    positions: Positions

    @property
    def clauses(self) -> dict[str, Clause]:
        return {c.id: c for r in self.model.regulations for c in r.clauses}

    def regulation_of(self, clause_id: str) -> Regulation | None:
        for reg in self.model.regulations:
            if any(c.id == clause_id for c in reg.clauses):
                return reg
        return None


def from_document(doc: Document) -> tuple[LoadedCatalog | None, list[Problem]]:
    """Validate one catalog document; problems are returned, not raised."""
    try:
        model = CatalogFile.model_validate(doc.data).catalog
    except ValidationError as err:
        return None, validation_problems(err, doc.positions, CatalogFile)
    loaded = LoadedCatalog(model, doc.positions.file, doc.positions)
    return loaded, _consistency(loaded)


def _consistency(cat: LoadedCatalog) -> list[Problem]:
    pos = cat.positions
    problems: list[Problem] = []
    seen: dict[str, Span] = {}

    def once(ident: str, path: tuple) -> None:
        span = pos.value(path)
        if ident in seen:
            problems.append(Problem(span, codes.R104, _("duplicate catalog id '{id}' (first at line {line})", id=ident,
                                                    line=seen[ident].line),
                                    hint=_("regulation, clause and manual-control ids are unique in the catalog")))
        else:
            seen[ident] = span

    for r, reg in enumerate(cat.model.regulations):
        base = ("catalog", "regulations", r)
        once(reg.id, base + ("id",))
        for c, clause in enumerate(reg.clauses):
            cpath = base + ("clauses", c)
            once(clause.id, cpath + ("id",))
            if not clause.id.startswith(reg.id + "."):
                problems.append(Problem(pos.value(cpath + ("id",)), codes.R104,
                                        _("clause '{clause}' is listed under regulation {regulation}",
                                          clause=clause.id, regulation=reg.id),
                                        hint=_("clause ids of {regulation} start with '{regulation}.'",
                                               regulation=reg.id)))
            for m, control in enumerate(clause.manual_controls):
                once(control.id, cpath + ("manual_controls", m, "id"))
    return problems


def load_catalogs(docs: list[Document]) -> tuple[list[LoadedCatalog], list[Problem]]:
    catalogs: list[LoadedCatalog] = []
    problems: list[Problem] = []
    for doc in docs:
        cat, found = from_document(doc)
        problems += found
        if cat is not None:
            catalogs.append(cat)
    return catalogs, problems


def find_catalog_docs(paths: list[Path]) -> tuple[list[Document], list[Problem]]:
    """Every YAML document under ``paths`` whose top-level key is ``catalog``."""
    problems: list[Problem] = []
    docs = [doc for _path, doc in documents(paths, problems) if kind_of(doc) == "catalog"]
    return docs, problems


def load_catalog(paths: list[Path] | None = None) -> LoadedCatalog:
    """The one catalog under ``paths`` (default: the bundled rules); raises CheckerError on problems."""
    paths = paths or [bundled("rules")]
    docs, problems = find_catalog_docs(paths)
    catalogs, found = load_catalogs(docs)
    problems += found
    if problems:
        raise CheckerError(problems)
    if not catalogs:
        raise CheckerError([Problem(Span(str(paths[0])), codes.R102, _("no regulation catalog found"),
                                    hint=_("a catalog is a YAML file whose top-level key is 'catalog'"))])
    if len(catalogs) > 1:
        found_paths = ", ".join(x.path for x in catalogs)
        raise CheckerError([Problem(Span(c.path), codes.R104, _("more than one regulation catalog"),
                                    hint=_("keep one; found {paths}", paths=found_paths)) for c in catalogs[1:]])
    return catalogs[0]


def unknown_clauses(rulesets, catalog: LoadedCatalog) -> list[Problem]:
    """R115 for every rule that cites a clause id the catalog does not have."""
    known = catalog.clauses
    problems: list[Problem] = []
    for rs in rulesets:
        for i, rule in enumerate(rs.model.rules):
            for k, clause in enumerate(rule.clauses):
                if clause not in known:
                    problems.append(Problem(rs.positions.value(("rules", rs.file_index(i), "clauses", k)), codes.R115,
                                            _("rule {rule} cites clause '{clause}', which is not in the catalog",
                                              rule=rule.id, clause=clause),
                                            hint=did_you_mean(clause, known) or
                                            _("clauses are listed in {path}", path=catalog.path)))
    return problems


def result_clauses(catalog: LoadedCatalog, ids: set[str]):
    """The catalog entries of the given clause ids, as the result file's ``catalog`` list."""
    from checker.model.result import Clause as ResultClause
    from checker.model.result import ManualControl as ResultControl

    out = []
    for reg in catalog.model.regulations:
        for clause in reg.clauses:
            if clause.id in ids:
                out.append(ResultClause(
                    id=clause.id, regulation=reg.id, title={"zh": clause.title.zh, "en": clause.title.en},
                    summary={"zh": clause.summary.zh, "en": clause.summary.en},
                    manual_controls=[ResultControl(id=m.id, zh=m.zh, en=m.en,
                                                   evidence={"zh": m.evidence.zh, "en": m.evidence.en})
                                     for m in clause.manual_controls]))
    return out
