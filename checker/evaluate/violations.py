"""Every violation, not only the samples: fingerprints (for baselines) and the ``--violations-out`` file.

The engine lists every unwaived violation with its key; fingerprints of personal keys are keyed
hashes or absent (:class:`checker.baseline.Fingerprinter`).  With ``--violations-out`` each one is
also written, with its key as samples show it, by a :class:`ViolationWriter`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlglot import exp

from checker.baseline import Fingerprinter, fingerprint_sql, key_text_sql
from checker.compile.kinds.base import CHECK, MAIN_ALIAS, ROW
from checker.compile.lineage import record_key_personal
from checker.engine.loading import Loaded
from checker.evaluate.records import Records, key_columns
from checker.messages import display
from checker.sql.text import DIALECT, qi, ql, tree


class Violations:
    """The fingerprints of every violation so far, per check; and the writer of --violations-out, if any."""

    def __init__(self, engine: Any, prints: Fingerprinter, records: Records, samples: int,
                 writer: ViolationWriter | None):
        self.engine, self.prints, self.records, self.n = engine, prints, records, samples
        self.writer = writer
        self.fingerprints: dict[str, set[str]] = {}

    def add(self, rule_id: str, fingerprint: str | None) -> None:
        if fingerprint is not None:
            self.fingerprints.setdefault(rule_id, set()).add(fingerprint)

    def _print_sql(self, loaded: Loaded, rule_id_sql: str, key_text: str) -> str:
        """SQL for what a violation's fingerprint is made from: the fingerprint itself (md5, by the engine)
        where the record key is not personal data; its key text where it is and a secret is set (hashed by
        :attr:`prints`); else NULL (no fingerprint)."""
        if not record_key_personal(loaded.schema):
            return fingerprint_sql(rule_id_sql, key_text)
        return key_text if self.prints.keyed else "NULL"

    def _made(self, personal: bool, rule_id: str, selected: list[Any]) -> list[str]:
        """The fingerprints from what :meth:`_print_sql` selected, one per violation (none where withheld)."""
        if not personal:
            return selected
        made = (self.prints(rule_id, value, personal=True) for value in selected)
        return [fp for fp in made if fp is not None]

    def _listed(self, loaded: Loaded, rule_ids: list[str], rows: exp.Query, with_keys: bool) -> exp.Select:
        """Per violation ``rows`` lists: __k, __row, what its fingerprint is made from (__fp), the key columns."""
        cols = key_columns(loaded)
        ids = "[" + ", ".join(ql(r) for r in rule_ids) + "]"
        at = "v" if with_keys else MAIN_ALIAS
        fp = self._print_sql(loaded, f"{ids}[v.{CHECK} + 1]", key_text_sql([f"{at}.{qi(c)}" for c in cols]))
        q = exp.select(exp.column(CHECK, table="v"), exp.column(ROW, table="v"),
                       exp.alias_(tree(fp), "__fp"),
                       *[exp.column(c, table=at, quoted=True) for c in cols]).from_(rows.subquery("v"))
        if not with_keys:
            q = q.join(exp.to_table(loaded.table).as_(MAIN_ALIAS), on=exp.EQ(
                this=exp.column(ROW, table=MAIN_ALIAS), expression=exp.column(ROW, table="v")))
        return q

    def of(self, loaded: Loaded, rule_ids: list[str], severities: list[str], rows: exp.Query,
           with_keys: bool = False) -> list[list[int]]:
        """Fingerprint every violation listed by ``rows`` (columns __k, __row, and the key columns when
        ``with_keys``), computed by the engine; return the first N rows of each check (its samples).

        With --violations-out the rows are streamed to the file too; otherwise only the
        fingerprints travel, one list per check.
        """
        listed = self._listed(loaded, rule_ids, rows, with_keys)
        if not self.writer:
            return self._grouped(loaded, rule_ids, listed)
        return self._streamed(loaded, rule_ids, severities, listed.order_by(
            exp.column(CHECK, table="v"), exp.column(ROW, table="v")))

    def _grouped(self, loaded: Loaded, rule_ids: list[str], listed: exp.Select) -> list[list[int]]:
        firsts: list[list[int]] = [[] for _i in rule_ids]
        personal = record_key_personal(loaded.schema)
        first_n = exp.Anonymous(this="min", expressions=[exp.column(ROW), exp.Literal.number(max(self.n, 1))])
        q = (exp.select(exp.column(CHECK), exp.func("list", exp.column("__fp")), first_n)
             .from_(listed.subquery()).group_by(exp.column(CHECK)))
        for k, prints, rows in self.engine.fetchall(q.sql(dialect=DIALECT)):
            self.fingerprints.setdefault(rule_ids[k], set()).update(self._made(personal, rule_ids[k], prints))
            firsts[k] = sorted(rows)[: self.n]
        return firsts

    def _streamed(self, loaded: Loaded, rule_ids: list[str], severities: list[str],
                  listed: exp.Select) -> list[list[int]]:
        assert self.writer is not None
        firsts: list[list[int]] = [[] for _i in rule_ids]
        personal = record_key_personal(loaded.schema)
        cols = key_columns(loaded)
        cursor = self.engine.execute(listed.sql(dialect=DIALECT))
        while True:
            batch = cursor.fetchmany(50_000)
            if not batch:
                break
            for k, row, fp_value, *values in batch:
                self.add(rule_ids[k], self.prints(rule_ids[k], fp_value, personal=True) if personal else fp_value)
                if len(firsts[k]) < self.n:
                    firsts[k].append(row)
                key = None
                if loaded.schema.key:
                    key = self.records.key_view(loaded, dict(zip(cols, values, strict=True))) if personal else \
                        {c: display(v) for c, v in zip(cols, values, strict=True)}
                self.writer.add(rule_ids[k], severities[k], loaded, row, key)
        return firsts


class ViolationWriter:
    """Writes every violation to CSV or Parquet (by the file's extension), in batches.

    The file is written beside its final path and renamed into place when the run ends, so a failed
    run (a full disk, an engine error) leaves the previous file, or none, never half a file; a device
    (``/dev/null``) is written in place.  A write failure is a T503 problem.
    """

    COLUMNS = ("rule_id", "severity", "dataset", "path", "row", "key")

    def __init__(self, path: Path) -> None:
        import pyarrow as pa

        from checker.render.output import TEMP_PREFIX, special

        self.path = path
        self.format = "parquet" if path.suffix.lower() == ".parquet" else "csv"
        self.schema = pa.schema([("rule_id", pa.string()), ("severity", pa.string()), ("dataset", pa.string()),
                                 ("path", pa.string()), ("row", pa.int64()), ("key", pa.string())])
        self.buffer: list[tuple[Any, ...]] = []
        self._target = path if special(path) else path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}.part")
        with self._failing():
            path.parent.mkdir(parents=True, exist_ok=True)
            if self.format == "parquet":
                import pyarrow.parquet as pq
                self.writer = pq.ParquetWriter(str(self._target), self.schema)
            else:
                import pyarrow.csv as pcsv
                self.writer = pcsv.CSVWriter(str(self._target), self.schema)

    @contextmanager
    def _failing(self) -> Iterator[None]:
        """OSError and Arrow's I/O errors as one T503 problem; the partial file removed."""
        import pyarrow as pa

        from checker.render.output import write_failed

        try:
            yield
        except (OSError, pa.ArrowException) as err:
            self._discard()
            oserr = err if isinstance(err, OSError) else OSError(None, str(err).strip().splitlines()[0])
            raise write_failed(oserr, self.path, "violations file") from None

    def add(self, rule_id: str, severity: str, loaded: Loaded, row: int | None, key: dict[str, Any] | None) -> None:
        key_json = None if key is None else json.dumps(key, ensure_ascii=False, sort_keys=True, default=str)
        self.buffer.append((rule_id, severity, loaded.schema.name, loaded.display, row, key_json))
        if len(self.buffer) >= 100_000:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if not self.buffer:
            return
        cols = list(zip(*self.buffer, strict=True))
        table = pa.table({name: pa.array(list(col), self.schema.field(name).type)
                          for name, col in zip(self.COLUMNS, cols, strict=True)}, schema=self.schema)
        with self._failing():
            self.writer.write_table(table)
        self.buffer = []

    def close(self, complete: bool = True) -> None:
        """Finish the file and put it in place; with ``complete`` False (the run failed) remove it."""
        if not complete:
            self._discard()
            return
        with self._failing():
            self.flush()
            self.writer.close()
            if self._target != self.path:
                os.replace(self._target, self.path)

    def _discard(self) -> None:
        writer = getattr(self, "writer", None)
        if writer is not None:
            # the run is already failing; a second error while closing must not hide the first
            with suppress(Exception):
                writer.close()
        if self._target != self.path:
            Path(self._target).unlink(missing_ok=True)
