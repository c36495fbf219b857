"""The checker from Python: for pipelines (Airflow, Dagster, a notebook) that hold their records already.

    import checker.api

    result = checker.api.check({"crm.complaints": frame, "crm.customers": "exports/customers.csv"},
                               as_of="2026-06-30", fail_on="high")
    if result.exit_code:
        failed = result.violations()            # a pyarrow Table: rule_id, severity, dataset, path, row, key
        checker.api.render(result, "html", "report.html", lang="en")

``data`` is a folder (as ``--data``) or a mapping of dataset name to a file path, a pandas or polars
DataFrame, a pyarrow Table or a DuckDB relation.  Frames are read in place by the DuckDB engine
through Arrow (no copy through files); their records' ``row`` is the 1-based position and their input
has no path.  ``**options`` are the configuration keys (:mod:`checker.config`: ``fail_on``,
``waivers``, ``lang``, ``max_samples``, ``show_pii``, ``engine``, …); no configuration file is read,
and the defaults the command line takes from the environment (``CHECKER_LANG``, ``CHECKER_ENGINE``,
``CHECKER_MEMORY_LIMIT``, …) are taken the same way.
Problems raise :class:`checker.CheckerError`, whose ``problems`` each carry a code, a position and a
message in both languages.  What is public is :data:`__all__`; it follows semantic versioning.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr

from checker import codes
from checker.i18n import _
from checker.model import result as model
from checker.problems import CheckerError, Problem, Span, did_you_mean

__all__ = ["CheckerError", "Result", "check", "render"]

#: the configuration keys ``check`` takes, and the CheckOptions field each sets
_OPTIONS = {"rules_at": "rules_at", "fail_on": "fail_on", "max_samples": "max_samples", "lang": "lang",
            "show_pii": "show_pii", "waivers": "waivers", "baseline": "baseline", "allow_missing": "allow_missing",
            "memory_limit": "memory_limit", "spill_dir": "spill_dir", "threads": "threads", "engine": "engine",
            "spark_master": "spark_master", "spark_conf": "spark_conf", "violations_out": "violations_out",
            "fingerprint_key": "fingerprint_key", "waiver_warn_days": "waiver_warn_days", "history": "history"}
_PATHS = {"waivers", "baseline", "spill_dir", "violations_out"}


class Result(model.Result):
    """The result file's model (``schemas/result.schema.json``), with the violations of the run."""

    _violations: Any = PrivateAttr(default=None)

    def to_json(self) -> str:
        """The ``--json`` file of the same run, byte for byte (its timing fields aside)."""
        from checker.render.inert import inert_json

        return inert_json(super().to_json())

    def violations(self) -> Any:
        """Every violation (not only the samples) as a pyarrow Table with ``--violations-out``'s columns."""
        if self._violations is None:
            raise CheckerError([Problem(Span("violations()"), codes.T502,
                                        _("this result holds no violations: only checker.api.check keeps them"),
                                        hint=_("run checker.api.check, or read a --violations-out file"))])
        return self._violations


def check(data: str | os.PathLike[str] | Mapping[str, Any], rules: Any = None, schemas: str | os.PathLike[str]
          | None = None, as_of: dt.date | str | None = None, **options: Any) -> Result:
    """Check the records in ``data`` against the rules; the result, with every violation.

    ``rules`` is a rule file or folder, or a list of them (default: the bundled rules); ``schemas`` a
    schema folder (default: bundled).  Raises :class:`CheckerError` for a problem that stops the run."""
    import pyarrow.parquet as pq

    from checker.run import CheckOptions
    from checker.run import check as run_check

    unknown = [k for k in options if k not in _OPTIONS]
    if unknown:
        raise CheckerError([Problem(Span(f"check({k}=…)"), codes.C701, _("unknown configuration key '{key}'", key=k),
                                    hint=did_you_mean(k, _OPTIONS)) for k in unknown])
    fields: dict[str, Any] = {**_environment(), **{field: options[key] for key, field in _OPTIONS.items()
                                                   if key in options}}
    for key in _PATHS & set(fields):
        fields[key] = Path(fields[key]) if fields[key] is not None else None
    if "rules_at" in fields:
        fields["rules_at"] = _date(fields["rules_at"], "rules_at")
    paths = [] if rules is None else [Path(p) for p in ([rules] if isinstance(rules, (str, os.PathLike)) else rules)]
    folder, inputs = (None, _inputs(data)) if isinstance(data, Mapping) else (Path(data), None)
    if inputs and any(s.frame is not None for s in inputs.values()) and fields.get("engine", "duckdb") != "duckdb":
        raise CheckerError([Problem(Span("check(data=…)"), codes.D405,
                                    _("records handed in from Python are read by the DuckDB engine only"),
                                    hint=_("pass files, or leave engine at its default"))])
    keep = fields.get("violations_out")
    with tempfile.TemporaryDirectory(prefix="checker-api-") as tmp:
        fields["violations_out"] = keep or Path(tmp) / "violations.parquet"
        opts = CheckOptions(data=folder, rules=paths, schemas=Path(schemas) if schemas is not None else None,
                            as_of=_date(as_of, "as_of") or dt.date.today(), inputs=inputs, **fields)
        done = run_check(opts)
        out = Result.model_validate(done.model_dump())
        written = Path(fields["violations_out"])
        if written.suffix.lower() == ".parquet":
            out._violations = pq.read_table(written)
        else:
            from pyarrow import csv as pacsv

            out._violations = pacsv.read_csv(written)
    return out


def render(result: model.Result, format: str, path: str | os.PathLike[str], lang: str | None = None,
           templates: str | os.PathLike[str] | None = None) -> Path:
    """Write one report of ``result`` (``html``, ``md``, ``junit``, ``sarif``, ``pdf``, ``github``, ``text``)
    to ``path``, in ``lang`` (default: the run's); the path written."""
    from checker.render import formats

    target = Path(path)
    formats.write(result, format, target, lang or result.run.lang if result.run else lang or "zh",
                  Path(templates) if templates is not None else None)
    return target


def _environment() -> dict[str, Any]:
    """The defaults ``checker check`` takes from the environment (its options' ``envvar``) or has built in
    (``--memory-limit 1GB``), read from the command's own options so both stay one run."""
    import click

    from checker.cli import main

    out: dict[str, Any] = {}
    for param in main.commands["check"].params:
        if not isinstance(param, click.Option) or param.name not in _OPTIONS or not param.envvar:
            continue
        value = os.environ.get(str(param.envvar))
        if value:
            try:
                out[param.name] = param.type.convert(value, param, None)
            except click.BadParameter:
                continue
        elif isinstance(param.default, str):
            out[param.name] = param.default
    return out


def _date(value: Any, name: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CheckerError([Problem(Span(f"check({name}=…)"), codes.C702,
                                    _("{key} must be a date (YYYY-MM-DD), not {value}", key=name,
                                      value=repr(value)))]) from None


def _inputs(data: Mapping[str, Any]) -> dict[str, Any]:
    """dataset -> Source for a mapping of dataset names to files or frames."""
    from checker.load.sources import FORMATS, Source

    out: dict[str, Source] = {}
    problems: list[Problem] = []
    for name, value in data.items():
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            fmt = path.suffix.lower().lstrip(".")
            if not path.is_file():
                problems.append(Problem(Span(str(path)), codes.D402, _("export file '{path}' for {dataset} does not "
                                                                        "exist", path=str(path), dataset=name)))
            elif fmt not in FORMATS:
                problems.append(Problem(Span(str(path)), codes.D405, _("unknown data format '{format}'", format=fmt),
                                        hint=_("formats: {names}", names=", ".join(FORMATS))))
            else:
                out[name] = Source(name, path.resolve(), str(path), fmt)
            continue
        frame = _arrow(value)
        if frame is None:
            problems.append(Problem(Span(f"check(data={{{name!r}: …}})"), codes.D405,
                                    _("{dataset}: a {kind} is no export: give a path, a pandas or polars DataFrame, "
                                      "a pyarrow Table or a DuckDB relation", dataset=name, kind=type(value).__name__)))
            continue
        out[name] = Source(name, Path("."), f"({name})", "arrow", frame=frame)
    if problems:
        raise CheckerError(problems)
    return out


def _arrow(value: Any) -> Any:
    """A pyarrow Table of a frame (pandas, polars, pyarrow, DuckDB relation, any Arrow stream), or None."""
    import pyarrow as pa

    if isinstance(value, pa.Table):
        return value
    if isinstance(value, pa.RecordBatch):
        return pa.Table.from_batches([value])
    for method in ("to_arrow_table", "fetch_arrow_table", "arrow"):       # DuckDB relations
        if type(value).__module__.startswith(("duckdb", "_duckdb")) and hasattr(value, method):
            got = getattr(value, method)()
            return got if isinstance(got, pa.Table) else got.read_all()
    if type(value).__module__.startswith("pandas"):
        return pa.Table.from_pandas(value, preserve_index=False)
    if hasattr(value, "to_arrow") and type(value).__module__.startswith("polars"):
        return value.to_arrow()
    if hasattr(value, "__arrow_c_stream__"):
        return pa.table(value)
    return None
