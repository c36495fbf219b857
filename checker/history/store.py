"""History stores: an embedded DuckDB file (the default) or a PostgreSQL database (for a team).

Both keep the same tables, created and migrated by the checker (``checker_history_meta`` holds the
schema version; a store made by a newer checker is refused, H802, never rewritten):

- ``checker_runs``: one row per entry — its number (``seq``, the order of the chain), series, as-of
  date, the result's SHA-256, the previous entry's hash and its own;
- ``checker_rule_counts``: per entry, each rule's status and counts;
- ``checker_violations``: per entry, each violation's fingerprint with first and last seen.

An entry is appended in one transaction, so an interrupted run leaves none of it.  Writers queue:
DuckDB lets one process hold the file, so the next waits for it (every 50–500 ms, at most
``CHECKER_HISTORY_WAIT`` seconds, default 120, then H804); PostgreSQL appends under a transaction-scoped
advisory lock, so two CI jobs writing one store each get their entry, chained one after the other.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from checker import codes
from checker.history.entry import GENESIS, Entry, RuleRow, ViolationRow
from checker.i18n import _
from checker.problems import CheckerError, Problem, Span

SCHEMA_VERSION = 1
#: each schema version's statements, applied in order to a store at an earlier version
MIGRATIONS: dict[int, list[str]] = {
    1: [
        ("CREATE TABLE checker_runs (seq BIGINT PRIMARY KEY, series TEXT NOT NULL, as_of TEXT NOT NULL, "
        "started_at TEXT NOT NULL, recorded_at TEXT NOT NULL, tool_version TEXT NOT NULL, "
        "result_sha256 TEXT NOT NULL, rulesets TEXT NOT NULL, datasets TEXT NOT NULL, summary TEXT NOT NULL, "
        "exit_code INTEGER NOT NULL, new_violations BIGINT, fixed_violations BIGINT, prev_hash TEXT NOT NULL, "
        "hash TEXT NOT NULL)"),
        ("CREATE TABLE checker_rule_counts (seq BIGINT NOT NULL, rule_id TEXT NOT NULL, ruleset TEXT, "
        "versions TEXT NOT NULL, dataset TEXT NOT NULL, severity TEXT NOT NULL, clauses TEXT NOT NULL, "
        "regulations TEXT NOT NULL, status TEXT NOT NULL, checked BIGINT NOT NULL, violations BIGINT NOT NULL, "
        "waived BIGINT NOT NULL, tracked BOOLEAN NOT NULL)"),
        ("CREATE TABLE checker_violations (seq BIGINT NOT NULL, rule_id TEXT NOT NULL, fingerprint TEXT NOT NULL, "
        "first_seen TEXT NOT NULL, last_seen TEXT NOT NULL)"),
        "CREATE INDEX checker_rule_counts_seq ON checker_rule_counts (seq)",
        "CREATE INDEX checker_violations_seq ON checker_violations (seq)",
    ],
}
META = "CREATE TABLE IF NOT EXISTS checker_history_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

RULE_COLUMNS = [f.name for f in fields(RuleRow)]
VIOLATION_COLUMNS = list(ViolationRow._fields)
WAIT_VARIABLE = "CHECKER_HISTORY_WAIT"


def wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_VARIABLE, "120")))
    except ValueError:
        return 120.0


def is_postgres(spec: str) -> bool:
    return spec.startswith(("postgresql://", "postgres://"))


def display(spec: str) -> str:
    """The store as it may be shown and recorded: a PostgreSQL URL without its password."""
    if not is_postgres(spec):
        return spec
    try:
        parts = urllib.parse.urlsplit(spec)
        port = parts.port
    except ValueError:          # not a URL one can take apart: drop whatever stands between ':' and '@'
        return re.sub(r"^([a-z]+://[^:@/]*):[^@]*@", r"\1@", spec.split("?", 1)[0])
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{port}" if port else "")
    query = urllib.parse.urlencode([(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "password"])
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def open_store(spec: str) -> Store:
    """The store a ``--history`` value names."""
    if is_postgres(spec):
        return PostgresStore(spec)
    return DuckDBStore(Path(spec))


class Session:
    """A connection inside one transaction (a writing one holds the store's lock)."""

    def __init__(self, store: Store, conn: Any):
        self.store = store
        self.conn = conn

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.store.query(self.conn, sql, params)

    def version(self) -> int:
        found = self.rows("SELECT value FROM checker_history_meta WHERE key = 'schema_version'")
        return int(found[0][0]) if found else 0

    def last(self) -> tuple[int, str]:
        """The last entry's number and hash (0 and the genesis hash for an empty store)."""
        found = self.rows("SELECT seq, hash FROM checker_runs ORDER BY seq DESC LIMIT 1")
        return (int(found[0][0]), str(found[0][1])) if found else (0, GENESIS)

    def runs(self, series: str | None = None) -> list[Entry]:
        """Entries without their rows, in chain order (of one series, if given)."""
        cols = ", ".join(Entry.RUN_FIELDS)
        if series is None:
            found = self.rows(f"SELECT {cols} FROM checker_runs ORDER BY seq")
        else:
            found = self.rows(f"SELECT {cols} FROM checker_runs WHERE series = %s ORDER BY seq", (series,))
        return [Entry(**dict(zip(Entry.RUN_FIELDS, row, strict=True))) for row in found]

    def rules_of(self, seqs: list[int]) -> dict[int, list[RuleRow]]:
        out: dict[int, list[RuleRow]] = {s: [] for s in seqs}
        for row in self._of("checker_rule_counts", RULE_COLUMNS, seqs):
            out[int(row[0])].append(RuleRow(**dict(zip(RULE_COLUMNS, row[1:], strict=True))))
        return out

    def violations_of(self, seqs: list[int], rule_ids: set[str] | None = None) -> dict[int, list[ViolationRow]]:
        out: dict[int, list[ViolationRow]] = {s: [] for s in seqs}
        for row in self._of("checker_violations", VIOLATION_COLUMNS, seqs):
            if rule_ids is None or row[1] in rule_ids:
                out[int(row[0])].append(ViolationRow(*row[1:]))
        return out

    def first_seen_of(self, seq: int, rule_ids: set[str]) -> dict[str, dict[str, str]]:
        """Per rule (of those asked for), each fingerprint one entry stored and the date it was first seen."""
        out: dict[str, dict[str, str]] = {rule: {} for rule in rule_ids}
        for rule, fp, day in self.rows("SELECT rule_id, fingerprint, first_seen FROM checker_violations "
                                       "WHERE seq = %s", (seq,)):
            if rule in out:
                out[rule][fp] = day
        return out

    def _of(self, table: str, columns: list[str], seqs: list[int]) -> list[tuple]:
        if not seqs:
            return []
        marks = ", ".join(["%s"] * len(seqs))
        return self.rows(f"SELECT seq, {', '.join(columns)} FROM {table} WHERE seq IN ({marks}) "
                         f"ORDER BY seq, {', '.join(columns)}", tuple(seqs))

    def entries(self) -> Iterator[Entry]:
        """Every entry with its rows, in chain order, a few at a time."""
        runs = self.runs()
        for start in range(0, len(runs), 16):
            batch = runs[start:start + 16]
            seqs = [e.seq for e in batch]
            rules, violations = self.rules_of(seqs), self.violations_of(seqs)
            for e in batch:
                e.rules, e.violations = rules[e.seq], violations[e.seq]
                yield e

    def append(self, entry: Entry) -> None:
        marks = ", ".join(["%s"] * len(Entry.RUN_FIELDS))
        self.store.execute(self.conn, f"INSERT INTO checker_runs ({', '.join(Entry.RUN_FIELDS)}) VALUES ({marks})",
                           entry.run_row())
        self.store.bulk(self.conn, "checker_rule_counts", ["seq", *RULE_COLUMNS],
                        [(entry.seq, *(getattr(r, c) for c in RULE_COLUMNS)) for r in entry.rules])
        self.store.bulk(self.conn, "checker_violations", ["seq", *VIOLATION_COLUMNS],
                        [(entry.seq, v.rule_id, v.fingerprint, v.first_seen, v.last_seen) for v in entry.violations])


class Store(ABC):
    """What both stores share: sessions, the schema and its migrations; each store its own driver calls."""

    shown: str

    @abstractmethod
    def query(self, conn: Any, sql: str, params: tuple) -> list[tuple]:
        """The rows of one statement (``%s`` placeholders)."""

    @abstractmethod
    def execute(self, conn: Any, sql: str, params: tuple = ()) -> None:
        """Run one statement (``%s`` placeholders)."""

    @abstractmethod
    def bulk(self, conn: Any, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Insert many rows at once."""

    @abstractmethod
    def session(self, write: bool) -> AbstractContextManager[Session]:
        """A connection in one transaction; a writing one holds the store's write lock."""

    def _migrate(self, session: Session) -> None:
        """Bring the store to this checker's schema version (in the caller's transaction)."""
        self.execute(session.conn, META)
        have = session.version()
        if have > SCHEMA_VERSION:
            raise self._newer(have)
        for version in range(have + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version]:
                self.execute(session.conn, statement)
        if have != SCHEMA_VERSION:
            self.execute(session.conn, "DELETE FROM checker_history_meta WHERE key = 'schema_version'")
            self.execute(session.conn, "INSERT INTO checker_history_meta (key, value) VALUES ('schema_version', %s)",
                         (str(SCHEMA_VERSION),))

    def _check_version(self, session: Session) -> bool:
        """For reading: False for a store with no history yet; refuses one of a newer schema."""
        try:
            have = session.version()
        except self.missing_table as err:
            del err
            return False
        if have > SCHEMA_VERSION:
            raise self._newer(have)
        return have > 0

    missing_table: type[Exception] = Exception

    def _newer(self, have: int) -> CheckerError:
        return CheckerError([Problem(Span(self.shown), codes.H802,
                                     _("the history store is at schema version {have}; this checker knows up to "
                                       "{known}", have=have, known=SCHEMA_VERSION),
                                     hint=_("use the newer checker that wrote it (pip install -U checker)"))])

    def _cannot(self, error: Any) -> CheckerError:
        from checker.scrub import first_line

        return CheckerError([Problem(Span(self.shown), codes.H801,
                                     _("cannot open the history store: {error}", error=first_line(error)),
                                     hint=_("a DuckDB file path, or postgresql://user@host/db"))])

    def _busy(self, waited: float) -> CheckerError:
        return CheckerError([Problem(Span(self.shown), codes.H804,
                                     _("the history store is still held by another run after {n} seconds",
                                       n=int(waited)),
                                     hint=_("try again, or set {variable} to wait longer",
                                            variable=WAIT_VARIABLE))])


#: one writer at a time within this process too (threads of one program sharing a DuckDB file)
_LOCAL = threading.Lock()


class DuckDBStore(Store):
    def __init__(self, path: Path):
        import duckdb

        self.path = path
        self.shown = str(path)
        self.missing_table = duckdb.CatalogException

    def query(self, conn: Any, sql: str, params: tuple) -> list[tuple]:
        return conn.execute(sql.replace("%s", "?"), list(params)).fetchall()

    def execute(self, conn: Any, sql: str, params: tuple = ()) -> None:
        conn.execute(sql.replace("%s", "?"), list(params))

    def bulk(self, conn: Any, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        # one statement, each column one list parameter, zipped back into rows by unnest
        picks = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
        conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {picks}",
                     [[r[i] for r in rows] for i in range(len(columns))])

    def _connect(self, write: bool) -> Any:
        import duckdb

        if not write and not self.path.is_file():
            raise CheckerError([Problem(Span(self.shown), codes.H801, _("no history store here"),
                                        hint=_("a run with --history {path} creates it", path=self.shown))])
        if self.path.exists() and not self.path.is_file():
            raise self._cannot(_("it is not a regular file"))
        limit = wait_seconds()
        started = time.monotonic()
        pause = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=not write)
            except duckdb.IOException as err:
                if "lock" not in str(err).lower():
                    raise self._cannot(err) from None
                waited = time.monotonic() - started
                if waited >= limit:
                    raise self._busy(waited) from None
                time.sleep(min(pause * (1 + random.random()), max(0.0, limit - waited)))
                pause = min(pause * 2, 0.5)
            except duckdb.Error as err:
                raise self._cannot(err) from None

    @contextmanager
    def session(self, write: bool) -> Iterator[Session]:
        import duckdb

        with _LOCAL if write else _nothing():
            conn = self._connect(write)
            try:
                session = Session(self, conn)
                if write:
                    conn.execute("BEGIN TRANSACTION")
                    try:
                        self._migrate(session)
                        yield session
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                else:
                    if not self._check_version(session):
                        yield _Empty(self)
                    else:
                        yield session
            except duckdb.Error as err:
                raise self._cannot(err) from None
            finally:
                conn.close()


class PostgresStore(Store):
    #: the advisory lock every writer of a store takes (one per database)
    LOCK_KEY = 0x636B6872  # "ckhr"

    def __init__(self, url: str):
        self.url = url
        self.shown = display(url)
        try:
            import psycopg
        except ImportError:
            raise CheckerError([Problem(Span(self.shown), codes.H801,
                                        _("a PostgreSQL history store needs psycopg, which is not installed"),
                                        hint=_("pip install 'checker[postgres]'"))]) from None
        self.missing_table = psycopg.errors.UndefinedTable

    def query(self, conn: Any, sql: str, params: tuple) -> list[tuple]:
        return conn.execute(sql, params).fetchall()

    def execute(self, conn: Any, sql: str, params: tuple = ()) -> None:
        conn.execute(sql, params)

    def bulk(self, conn: Any, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def session(self, write: bool) -> Iterator[Session]:
        import psycopg

        try:
            conn = psycopg.connect(self.url, connect_timeout=int(min(wait_seconds(), 60)) or 10,
                                   application_name="checker")
        except psycopg.Error as err:
            raise self._cannot(err) from None
        try:
            with conn.transaction():
                session = Session(self, conn)
                if write:
                    conn.execute(f"SET LOCAL lock_timeout = '{int(wait_seconds() * 1000)}ms'")
                    try:
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.LOCK_KEY,))
                    except psycopg.errors.LockNotAvailable:
                        raise self._busy(wait_seconds()) from None
                    self._migrate(session)
                    yield session
                else:
                    ok = self._probe(conn)
                    yield session if ok else _Empty(self)
        except psycopg.Error as err:
            raise self._cannot(err) from None
        finally:
            conn.close()

    def _probe(self, conn: Any) -> bool:
        found = conn.execute("SELECT to_regclass('checker_history_meta') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return False
        return self._check_version(Session(self, conn))


class _Empty(Session):
    """A store with no history yet, read: no entries."""

    def __init__(self, store: Store):
        super().__init__(store, None)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return []


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def verify_chain(session: Session) -> tuple[int, str, list[tuple[int, Any]]]:
    """Every entry's hash recomputed from its stored rows, and each link to the one before.

    Returns the number of entries, the last hash and the breaks found, each ``(seq, message)``.
    """
    breaks: list[tuple[int, Any]] = []
    prev, count, expected_seq = GENESIS, 0, 1
    for entry in session.entries():
        count += 1
        if entry.seq != expected_seq:
            breaks.append((entry.seq, _("entry {seq} follows entry {before}: an entry is missing",
                                        seq=entry.seq, before=expected_seq - 1)))
        if entry.prev_hash != prev:
            breaks.append((entry.seq, _("entry {seq} does not link to the entry before it (its previous hash "
                                        "is {found}, the entry before hashes to {expected})", seq=entry.seq,
                                        found=entry.prev_hash[:12], expected=prev[:12])))
        computed = entry.computed_hash()
        if computed != entry.hash:
            breaks.append((entry.seq, _("entry {seq} ({day}) was changed after it was written: its rows hash to "
                                        "{computed}, it records {recorded}", seq=entry.seq, day=entry.as_of,
                                        computed=computed[:12], recorded=entry.hash[:12])))
        prev, expected_seq = entry.hash, entry.seq + 1
    return count, prev, breaks
