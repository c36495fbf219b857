"""Find the export file of each dataset in a data folder.

``DIR/<domain>/<name>.<ext>`` (ext: csv, jsonl, json, parquet, xlsx), or a path given
in ``DIR/datasets.yaml``::

    crm.complaints: {path: exports/投訴.csv, encoding: gb18030}
    budget.lines:   {path: budget.xlsx, sheet: 預算}
    crm.customers:  {path: crm/customers.csv, dialect: {formats: ["roc:%Y/%m/%d"], timezone: Asia/Taipei}}

Paths are relative to DIR and may never leave it.  A URL (``s3a://…``, ``hdfs://…``,
``abfss://…``, ``file:///…``) names a file in a data lake instead; only the Spark engine
reads those (Parquet, CSV in UTF-8 or JSON Lines)::

    crm.interactions: {path: "s3a://crm-lake/exports/interactions.parquet"}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checker import codes
from checker.i18n import _
from checker.load.dialects import check_dialect
from checker.load.yamlio import Positions, load_file
from checker.model.dialect import Dialect
from checker.problems import CheckerError, Problem, Span, did_you_mean

FORMATS = ("csv", "jsonl", "json", "parquet", "xlsx")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "utf-16", "latin-1")
MANIFEST_KEYS = ("path", "format", "encoding", "sheet", "delimiter", "dialect")


@dataclass(frozen=True)
class Source:
    dataset: str
    path: Path            # absolute, resolved
    display: str          # as reports show it: relative to DIR, '/'-separated
    format: str
    encoding: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    uri: str | None = None  # a data-lake URL (Spark engine only); path is then unused
    dialect: Dialect | None = None  # this export's own dialect, over the schema's (``dialect:`` in datasets.yaml)
    #: records handed in from Python (``checker.api.check``: a pyarrow Table); format ``arrow``, no file
    frame: Any = None

    @property
    def location(self) -> str:
        """What an engine reads: the lake URL, or the local path."""
        return self.uri or str(self.path)


#: A URL scheme (two letters at least, so that a Windows drive letter is not one).
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
LAKE_FORMATS = ("parquet", "csv", "jsonl")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def discover(data_dir: Path, datasets: set[str]) -> tuple[dict[str, Source], list[Problem]]:
    """Return dataset -> Source for every export found, plus warnings."""
    if not data_dir.exists():
        raise CheckerError([Problem(Span(str(data_dir)), codes.D401, _("data folder does not exist"),
                                    hint=_("pass --data DIR, the folder holding <domain>/<name>.<ext> exports"))])
    if not data_dir.is_dir():
        raise CheckerError([Problem(Span(str(data_dir)), codes.D401, _("--data must be a folder, not a file"))])
    root = data_dir.resolve()
    sources: dict[str, Source] = {}
    warnings: list[Problem] = []
    manifest = data_dir / "datasets.yaml"
    dialects: dict[str, Dialect] = {}
    if manifest.is_file():
        sources.update(_manifest(manifest, root, datasets, dialects))
    claimed = {src.path for src in sources.values()}
    for domain_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(domain_dir.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.resolve() in claimed:
                continue
            ext = path.suffix.lower().lstrip(".")
            name = f"{domain_dir.name}.{path.stem}"
            display = path.relative_to(root).as_posix()
            if ext not in FORMATS:
                continue
            if name in sources:
                if (sources[name].path != path.resolve()
                        and sources[name].display.startswith(domain_dir.name + "/" + path.stem + ".")):
                    raise CheckerError([Problem(Span(display), codes.D412,
                                                _("two exports for dataset {dataset}: {first} and {second}",
                                                  dataset=name, first=sources[name].display, second=display),
                                                hint=_("keep one, or name the one to use in datasets.yaml"))])
                continue
            if name not in datasets:
                warnings.append(Problem(Span(display), codes.D406,
                                        _("no schema for dataset '{dataset}'; file ignored", dataset=name),
                                        level="warning", hint=did_you_mean(name, datasets)))
                continue
            if not _inside(root, path):
                raise CheckerError([Problem(Span(display), codes.D404,
                                            _("export is a link that points outside the data folder"))])
            sources[name] = Source(name, path.resolve(), display, ext, dialect=dialects.get(name))
    return sources, warnings


def _manifest(path: Path, root: Path, datasets: set[str],
              dialects: dict[str, Dialect] | None = None) -> dict[str, Source]:
    """The exports datasets.yaml names; an entry with a ``dialect`` and no ``path`` gives the dialect of the
    export found at ``<domain>/<name>.<ext>`` (into ``dialects``)."""
    doc = load_file(path, display=str(path))
    data, pos = doc.data, doc.positions
    problems: list[Problem] = []
    out: dict[str, Source] = {}
    if data is None:
        return out
    if not isinstance(data, dict):
        raise CheckerError([Problem(pos.value(()), codes.D401,
                                    _("datasets.yaml must map dataset names to {path: ...}"))])
    for name, entry in data.items():
        if name not in datasets:
            problems.append(Problem(pos.key((name,)), codes.R111, _("unknown dataset '{dataset}'", dataset=name),
                                    hint=did_you_mean(name, datasets)))
            continue
        if isinstance(entry, str):
            entry = {"path": entry}
        if isinstance(entry, dict) and "path" not in entry and set(entry) == {"dialect"}:
            dialect, wrong = check_dialect(entry["dialect"], (name, "dialect"), pos)
            problems.extend(wrong)
            if dialect is not None and dialects is not None:
                dialects[name] = dialect
            continue
        if not isinstance(entry, dict) or "path" not in entry:
            problems.append(Problem(pos.value((name,)), codes.D401,
                                    _("entry for {dataset} needs a 'path'", dataset=name),
                                    hint=_("or give only a 'dialect' for the export at <domain>/<name>.<ext>")))
            continue
        for key in entry:
            if key not in MANIFEST_KEYS:
                problems.append(Problem(pos.key((name, key)), codes.R101, _("unknown key '{key}'", key=key),
                                        hint=did_you_mean(key, MANIFEST_KEYS)))
        dialect = None
        if "dialect" in entry:
            dialect, wrong = check_dialect(entry["dialect"], (name, "dialect"), pos)
            if wrong:
                problems.extend(wrong)
                continue
        if URL.match(str(entry["path"])):
            lake = _lake(name, entry, pos)
            if isinstance(lake, Problem):
                problems.append(lake)
            else:
                out[name] = replace(lake, dialect=dialect)
            continue
        problem = _delimiter_problem(entry.get("delimiter"), pos.value((name, "delimiter")))
        if problem:
            problems.append(problem)
            continue
        rel = Path(str(entry["path"]))
        target = (root / rel)
        unusable = _unusable(target)
        if unusable:
            problems.append(Problem(pos.value((name, "path")), codes.D402,
                                    _("export path '{path}' for {dataset} cannot be used: {reason}",
                                      path=str(rel), dataset=name, reason=unusable),
                                    hint=_("name a file inside the data folder")))
            continue
        if rel.is_absolute() or not _inside(root, target):
            problems.append(Problem(pos.value((name, "path")), codes.D404,
                                    _("path '{path}' is outside the data folder", path=str(rel)),
                                    hint=_("paths in datasets.yaml are relative to --data and stay inside it")))
            continue
        fmt = str(entry.get("format") or target.suffix.lower().lstrip("."))
        if fmt not in FORMATS:
            problems.append(Problem(pos.value((name, "format") if "format" in entry else (name, "path")), codes.D405,
                                    _("unknown data format '{format}'", format=fmt),
                                    hint=did_you_mean(fmt, FORMATS) or _("formats: {names}", names=", ".join(FORMATS))))
            continue
        enc = entry.get("encoding")
        if enc is not None and str(enc).lower() not in ENCODINGS:
            problems.append(Problem(pos.value((name, "encoding")), codes.D405,
                                    _("unknown encoding '{encoding}'", encoding=str(enc)),
                                    hint=did_you_mean(str(enc).lower(), ENCODINGS)
                                    or _("encodings: {names}", names=", ".join(ENCODINGS))))
            continue
        if not target.is_file():
            problems.append(Problem(pos.value((name, "path")), codes.D402,
                                    _("export file '{path}' for {dataset} does not exist",
                                      path=str(rel), dataset=name)))
            continue
        out[name] = Source(name, target.resolve(), target.resolve().relative_to(root).as_posix(), fmt,
                           str(enc).lower() if enc else None,
                           str(entry["sheet"]) if entry.get("sheet") is not None else None,
                           str(entry["delimiter"]) if entry.get("delimiter") else None, dialect=dialect)
    if problems:
        raise CheckerError(problems)
    return out


def _unusable(path: Path) -> str | None:
    """Why the file system refuses this path (too long a name, a NUL byte), or None."""
    try:
        path.resolve()
        path.is_file()
    except (OSError, ValueError) as exc:
        return getattr(exc, "strerror", None) or str(exc)
    return None


def _delimiter_problem(delimiter: object, span: Span) -> Problem | None:
    """A delimiter is one character other than the quote and the line ends (D405 otherwise)."""
    if not delimiter:
        return None
    text = str(delimiter)
    if len(text) == 1 and text not in ('"', "\r", "\n"):
        return None
    return Problem(span, codes.D405,
                   _("delimiter {delimiter} is not one character other than '\"' and a line break",
                     delimiter=repr(text)),
                   hint=_("e.g. ',', ';', '|' or a tab (\"\\t\")"))


def _lake(name: str, entry: dict[str, Any], pos: Positions) -> Source | Problem:
    """The data-lake source of a manifest entry whose path is a URL, or the problem that refuses it."""
    uri = str(entry["path"])
    problem = _delimiter_problem(entry.get("delimiter"), pos.value((name, "delimiter")))
    if problem:
        return problem
    fmt = str(entry.get("format") or uri.rsplit(".", 1)[-1].lower())
    if fmt not in LAKE_FORMATS:
        return Problem(pos.value((name, "format") if "format" in entry else (name, "path")), codes.D405,
                       _("a data-lake path must be {formats}, not '{format}'", formats=", ".join(LAKE_FORMATS),
                         format=fmt),
                       hint=_("set format: parquet|csv|jsonl, or copy the file into the data folder"))
    enc = str(entry.get("encoding") or "utf-8").lower()
    if enc not in ("utf-8", "utf8", "utf-8-sig"):
        return Problem(pos.value((name, "encoding")), codes.D405,
                       _("a data-lake CSV must be UTF-8, not '{encoding}'", encoding=enc),
                       hint=_("export it as UTF-8 or Parquet"))
    return Source(name, Path(uri.split("://", 1)[1] or "."), uri, fmt, enc, None,
                  str(entry["delimiter"]) if entry.get("delimiter") else None, uri)
