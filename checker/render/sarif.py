"""SARIF 2.1.0 for code-scanning consumers.

Every rule (and structural check) is a ``tool.driver.rules`` entry with its help text
(from the labels) and clauses; the clauses are also a SARIF taxonomy the rules relate to.
Each violation sample is a result located at its data file and the line where the record
starts (``Sample.line``: in a CSV after records with quoted line breaks too), and no region
where a line means nothing (aggregate samples, JSON arrays, Parquet).  Waived samples are
results with an external suppression.
Levels: critical and high -> error, medium and low -> warning, info -> note.

Each input is named ONE way: ``run.artifacts[n].location`` and the ``artifactLocation`` of
every result at that input are the same object (``uri``, ``uriBaseId`` and ``index`` n).
The result records input paths relative to the ``--data`` folder, so:

* the ``uri`` is the recorded path as a relative reference (forward slashes, percent-encoded)
  against the base ``DATAROOT``, the data folder the inputs were read from, declared in
  ``run.originalUriBaseIds``;
* ``DATAROOT`` is a ``file:`` URI ending in '/' when the run recorded an absolute ``--data``;
  when it recorded a relative one, ``DATAROOT`` is that folder as a relative reference
  (ending in '/') against a second base, ``WORKDIR``: the working directory the check ran
  in, which the result does not record, so ``WORKDIR`` has only a description (SARIF
  §3.14.14: an absent ``uri`` leaves the base to the consumer).  Without a recorded data
  folder (an older result file) ``DATAROOT`` has only a description too;
* an input recorded by an absolute path (outside the data folder) is an absolute ``file:``
  URI with no ``uriBaseId``.

Nothing is resolved against the file system or the current directory, so ``checker report``
renders the same document anywhere.  Bundled rule files are cited as ``checker:rules/...@v``
(rule ``properties.location``, ruleset paths, as the result gives them): no installation
path appears.
SARIF is JSON, so it is built as a dict and dumped: no template needed.  Everything in it
comes from the view (the result's inert copy), so no message or property carries a
control character, an escape sequence or a bidirectional control.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from checker.model.result import Result
from checker.render.base import Context, Renderer
from checker.render.labels import labels
from checker.render.view import RuleView, SampleView, build

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TAXONOMY = "regulation-clauses"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
#: the data folder the inputs were read from (``--data``); every relative input URI is against it
DATA_BASE = "DATAROOT"
#: the working directory of the check run, which a relative ``--data`` is relative to (not recorded)
WORK_BASE = "WORKDIR"
_DRIVE = re.compile(r"^[A-Za-z]:/")


def uri_of(path: str) -> str:
    """An input path as a relative URI reference (forward slashes, percent-encoded)."""
    return quote(path.replace("\\", "/"), safe="/")


def is_absolute(path: str) -> bool:
    """A POSIX absolute path, a UNC path or a Windows drive path (``C:/...``, ``C:\\...``)."""
    p = path.replace("\\", "/")
    return p.startswith("/") or bool(_DRIVE.match(p))


def file_uri(path: str) -> str:
    """An absolute path as a ``file:`` URI (``/a b`` -> ``file:///a%20b``, ``C:/x`` -> ``file:///C:/x``)."""
    p = path.replace("\\", "/")
    if _DRIVE.match(p):
        return "file:///" + p[:2] + quote(p[2:], safe="/")
    return "file://" + quote(p, safe="/")


def _folder(uri: str) -> str:
    return uri if uri.endswith("/") else uri + "/"


def base_ids(data: str | None) -> dict[str, Any]:
    """``run.originalUriBaseIds`` for a run whose ``--data`` was recorded as ``data``."""
    about = "The data folder (--data) the inputs were read from"
    if not data:
        return {DATA_BASE: {"description": {"text": f"{about}; this result does not record it."}}}
    if is_absolute(data):
        return {DATA_BASE: {"uri": _folder(file_uri(data)), "description": {"text": f"{about}."}}}
    return {
        WORK_BASE: {"description": {"text": "The working directory the check ran in (not recorded): "
                                            f"{DATA_BASE} is relative to it."}},
        DATA_BASE: {"uri": _folder(uri_of(data)), "uriBaseId": WORK_BASE,
                    "description": {"text": f"{about}, as given: relative to {WORK_BASE}."}},
    }


def input_location(path: str | None, index: int) -> dict[str, Any]:
    """The one ``artifactLocation`` of input ``index``: relative to ``DATAROOT``, or an absolute file URI
    (records handed in from Python have no file: their location is the index alone)."""
    if path is None:
        return {"index": index}
    if is_absolute(path):
        return {"uri": file_uri(path), "index": index}
    return {"uri": uri_of(path), "uriBaseId": DATA_BASE, "index": index}


def utc(stamp: str) -> str:
    return stamp[:-6] + "Z" if stamp.endswith("+00:00") else stamp


class SarifRenderer(Renderer):
    name = "sarif"
    suffix = ".sarif"
    syntax = "json"

    def render(self, result: Result, ctx: Context) -> str:
        return json.dumps(self.document(result, ctx.lang), indent=2, ensure_ascii=False) + "\n"

    def document(self, result: Result, lang: str) -> dict[str, Any]:
        view = build(result, lang)
        result = view.result  # the inert copy: no record text reaches the document unescaped
        L = labels(lang)
        locations = [input_location(i.path, n) for n, i in enumerate(result.inputs)]
        artifacts = [{"location": dict(locations[n]), "hashes": {"sha-256": i.sha256},
                      **({"encoding": i.encoding} if i.encoding else {}),
                      "properties": {"dataset": i.dataset, "format": i.format, "records": i.rows}}
                     for n, i in enumerate(result.inputs)]
        artifact_at = {i.dataset: locations[n] for n, i in enumerate(result.inputs)}
        clause_ids = [c.clause for c in view.coverage]
        clause_index = {c: n for n, c in enumerate(clause_ids)}
        taxa = [{"id": c.clause, **({"name": c.title, "shortDescription": {"text": c.title}} if c.title else {}),
                 "properties": {"regulation": c.regulation}} for c in view.coverage]
        rule_index = {rv.id: n for n, rv in enumerate(view.rules)}
        results: list[dict[str, Any]] = []
        notifications: list[dict[str, Any]] = []
        for rv in view.rules:
            for sample in rv.samples:
                results.append(self._result(rv, sample, rule_index, artifact_at))
            for sample in rv.waived_samples:
                waiver = next((w for w in result.waivers if w.id == sample.waiver), None)
                suppression = {"kind": "external", "status": "accepted"}
                if waiver:
                    suppression["justification"] = f"{waiver.reason} ({waiver.approved_by}, {waiver.expires})"
                results.append({**self._result(rv, sample, rule_index, artifact_at), "suppressions": [suppression]})
            if rv.status == "error":
                notifications.append({"level": "error",
                                      "message": {"text": f"{rv.id}: {rv.error or L['status_error']}"},
                                      "associatedRule": {"id": rv.id, "index": rule_index[rv.id]}})
        for w in result.warnings:
            notifications.append({"level": "warning", "message": {"text": f"{w.code} {w.message}"},
                                  **({"properties": {"location": w.location}} if w.location else {})})
        invocation = {"executionSuccessful": result.exit_code != 2, "exitCode": result.exit_code,
                      "startTimeUtc": utc(result.run.started_at),
                      "properties": {"as_of": result.as_of, "rules_at": result.rules_at,
                                     "duration_ms": result.run.duration_ms, "engine": result.run.engine}}
        if notifications:
            invocation["toolExecutionNotifications"] = notifications
        driver = {"name": result.tool.name, "version": result.tool.version, "semanticVersion": result.tool.version,
                  "rules": [self._rule(rv, clause_index) for rv in view.rules]}
        if taxa:
            driver["supportedTaxonomies"] = [{"name": TAXONOMY, "index": 0}]
        run: dict[str, Any] = {
            "tool": {"driver": driver},
            "invocations": [invocation],
            "originalUriBaseIds": base_ids(result.data),
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"summary": result.summary.model_dump(),
                           "rulesets": [rs.model_dump() for rs in result.rulesets],
                           "rules": [{"id": rv.id, "status": rv.status, "checked": rv.checked,
                                      "violations": rv.violations, "waived": rv.waived} for rv in view.rules]},
        }
        if taxa:
            run["taxonomies"] = [{"name": TAXONOMY, "shortDescription": {"text": L["clauses"]}, "taxa": taxa}]
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}

    @staticmethod
    def _rule(rv: RuleView, clause_index: dict[str, int]) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "id": rv.id,
            "name": rv.id,
            "shortDescription": {"text": rv.title},
            "fullDescription": {"text": rv.help},
            "help": {"text": rv.help + (f"\n\n{rv.sql}" if rv.sql else "")},
            "defaultConfiguration": {"level": LEVELS[rv.severity]},
            "properties": {"tags": sorted({"compliance", rv.severity, *rv.clauses}), "clauses": rv.clauses,
                           "severity": rv.severity, "dataset": rv.dataset, "kind": rv.kind,
                           "ruleset": rv.ruleset, "versions": rv.versions,
                           **({"location": rv.location} if rv.location else {})},
        }
        relationships = [{"target": {"id": c, "index": clause_index[c],
                                     "toolComponent": {"name": TAXONOMY, "index": 0}},
                          "kinds": ["relevant"]} for c in rv.clauses if c in clause_index]
        if relationships:
            rule["relationships"] = relationships
        return rule

    @staticmethod
    def _result(rv: RuleView, s: SampleView, rule_index: dict[str, int],
                artifact_at: dict[str, dict[str, Any]]) -> dict:
        out: dict[str, Any] = {"ruleId": rv.id, "ruleIndex": rule_index[rv.id], "level": LEVELS[rv.severity],
                               "kind": "fail", "message": {"text": s.message}}
        if s.file is not None and rv.dataset in artifact_at:
            # the artifact's own location, not s.file (the path as seen from the working directory)
            physical: dict[str, Any] = {"artifactLocation": dict(artifact_at[rv.dataset])}
            if s.line is not None:
                physical["region"] = {"startLine": s.line}
            out["locations"] = [{"physicalLocation": physical}]
        if s.fingerprint:
            out["partialFingerprints"] = {"checker/v1": s.fingerprint}
        if s.new is not None:
            out["baselineState"] = "new" if s.new else "unchanged"
        out["properties"] = {"row": s.row, "key": s.key, **({"version": s.version} if s.version else {})}
        return out
