"""A cache of parsed YAML documents, so rule files, schemas and manifests are parsed once per content.

Parsing with positions (ruamel's round-trip composer) is the largest fixed cost of ``lint``,
``test`` and small ``check`` runs; the same files are read again on every run.  A parsed document
(its plain data, the spans of its keys and values, which values were quoted) is stored as one JSON
file named by the SHA-256 of what determines it: the cache format, the checker's version, the code of
the parser, its limits, the name the file is shown under and its exact text.  A changed byte, another
name or another checker version is another entry; there is nothing to invalidate.

Where: ``$CHECKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/marketing-checker``, else
``~/.cache/marketing-checker``; ``CHECKER_CACHE_DIR=off`` (or an empty value) turns it off.
The folder is safe to delete at any time.

The cache is untrusted input, like every file the checker reads.  An entry is used only when
the folder and the file belong to the user running the checker and no one else may write them;
when it is a regular file of bounded size; and when it decodes, tag by tag, to exactly the shapes
the parser produces (anything else is a miss: the text is parsed again and the entry replaced).
What a document says is then checked as if it had just been parsed: the models, the expression
whitelist and the sandbox run on every load, so an entry cannot make the checker run anything a
rule file could not.  Entries are written whole (a temporary file renamed into place), readable by
their owner only; the oldest are removed when there are more than :data:`MAX_ENTRIES`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import math
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from checker import __version__
from checker.problems import Span

#: bump when the stored shape changes
FORMAT = 1
MAX_ENTRIES = 2000
MAX_BYTES = 32 * 1024 * 1024
_OFF = {"", "0", "off", "false", "no"}


_INTEGER = re.compile(r"-?[0-9]+")


class Invalid(ValueError):
    """An entry that does not decode to what the parser produces."""


def folder() -> Path | None:
    """The cache folder, or None when the cache is off."""
    configured = os.environ.get("CHECKER_CACHE_DIR")
    try:
        if configured is not None:
            if configured.strip().lower() in _OFF:
                return None
            chosen = Path(configured).expanduser()
            # a relative folder would depend on where the checker runs: a repository could bring its
            # own entries (files of a clone are the user's own); like XDG's, it is not used
            return chosen if chosen.is_absolute() else None
        base = Path(os.environ.get("XDG_CACHE_HOME") or "")
        if not base.is_absolute():   # unset or relative: the XDG default
            base = Path.home() / ".cache"
    except RuntimeError:             # no HOME and no password entry (a container's bare uid): no cache
        return None
    return base / "marketing-checker"


@functools.cache
def _parser_code() -> str:
    """The SHA-256 of the code that turns text into a document (this module and the YAML loader), so an
    edited parser never reads entries an older one wrote, even at the same version."""
    digest = hashlib.sha256()
    for module in ("checker/load/yamlio.py", "checker/load/doccache.py"):
        try:
            digest.update(Path(__file__).parents[2].joinpath(module).read_bytes())
        except OSError:            # (not installed as files: the version alone decides)
            digest.update(module.encode())
    return digest.hexdigest()


def entry_name(text: str, file: str, limits: tuple[object, ...]) -> str:
    digest = hashlib.sha256()
    for part in (f"yaml-document/{FORMAT}", __version__, _parser_code(), repr(limits), file, text):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest() + ".json"


def _owned_private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (where the system has owners: not on Windows,
    where the folder is in the user's own profile)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    return st.st_uid == getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def place(text: str, file: str, limits: tuple[object, ...]) -> Path | None:
    """Where this text's entry is, or None when the cache is off (then nothing is read, encoded or written)."""
    where = folder()
    return None if where is None else where / "documents" / entry_name(text, file, limits)


def _trusted(documents: Path) -> bool:
    """The documents folder and the cache folder above it are the user's own and no one else's to write."""
    return _owned_private(os.stat(documents.parent)) and _owned_private(os.stat(documents))


def read(path: Path, file: str) -> Any | None:
    """The stored payload at ``path`` (from :func:`place`), or None (a miss: absent, not trusted or not valid)."""
    try:
        if not _trusted(path.parent):
            return None
        # not through a link; and never waiting on a FIFO planted under an entry's name
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _owned_private(st) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            raw = fh.read(MAX_BYTES + 1)
            if os.utime in os.supports_fd:     # used now: pruning removes the least recently used
                with contextlib.suppress(OSError):
                    os.utime(fh.fileno())
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("file") != file:
        return None
    return payload


def write(path: Path, file: str, payload: dict[str, Any]) -> None:
    """Store a payload at ``path`` (from :func:`place`); any failure (read-only home, full disk) only skips
    the cache."""
    global _writes
    documents = path.parent
    with contextlib.suppress(OSError, ValueError):
        for level in (documents.parent, documents):   # each made private by the checker (mkdir's
            if not level.exists():                    # parents= would use the umask's mode)
                level.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(level, 0o700)
        if not _trusted(documents):
            return
        body = json.dumps({"format": FORMAT, "file": file, **payload}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        if len(body) > MAX_BYTES:   # (encode's budget keeps the payload itself about this size)
            return
        fd, tmp = tempfile.mkstemp(dir=documents, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if _writes % PRUNE_EVERY == 0:    # listing the folder on every write would cost more than it keeps
            _prune(documents)
        _writes += 1


#: a process prunes on its first write and then every this many writes
PRUNE_EVERY = 100
_writes = 0


#: a temporary file older than this was left by a process that did not finish writing it
STALE_PART_SECONDS = 3600


def _prune(documents: Path) -> None:
    """Above MAX_ENTRIES, keep the half used most recently (a hit marks its entry); and remove what a
    process stopped half-way through writing left behind."""
    listed = list(os.scandir(documents))
    stale = time.time() - STALE_PART_SECONDS
    for part in (e for e in listed if e.name.startswith(".part-")):
        with contextlib.suppress(OSError):
            if part.stat(follow_symlinks=False).st_mtime < stale:
                os.unlink(part.path)
    entries = [e for e in listed if e.name.endswith(".json")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES // 2]:
        with contextlib.suppress(OSError):
            os.unlink(old.path)


# -- the stored shapes: every value tagged, so that decoding can refuse anything else -------------------

def encode(value: Any, budget: list[int] | None = None) -> Any:
    """Plain parsed data as tagged JSON; raises Invalid for a value the parser does not produce, or for data
    larger than an entry may be (aliases can make a small text into a large document: that text is parsed
    each time, as without a cache, rather than written out at its expanded size)."""
    budget = budget if budget is not None else [MAX_BYTES]
    budget[0] -= 8 + (len(value) if isinstance(value, str) else 0)
    if budget[0] < 0:
        raise Invalid("larger than an entry may be")
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        try:
            return ["i", str(value)]
        except ValueError:          # more digits than Python converts to text (0x… of 4,000 digits)
            raise Invalid("an integer too long to write") from None
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise Invalid("aware datetime")
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, list):
        return ["l", [encode(v, budget) for v in value]]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Invalid("a mapping key that is not text")
        budget[0] -= sum(len(k) for k in value)
        return ["m", [[k, encode(v, budget)] for k, v in value.items()]]
    raise Invalid(f"a {type(value).__name__} value")


def decode(node: Any, max_nodes: int, max_depth: int, depth: int = 0, budget: list[int] | None = None) -> Any:
    """The inverse of :func:`encode`, refusing (Invalid) any other shape, or more nodes or levels than the
    parser allows."""
    budget = budget if budget is not None else [max_nodes]
    budget[0] -= 1
    if budget[0] < 0 or depth > max_depth + 1:
        raise Invalid("too large or too deep")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise Invalid("not a tagged value")
    tag, rest = node[0], node[1:]
    if tag == "n" and not rest:
        return None
    if len(rest) != 1:
        raise Invalid("a tagged value has one part")
    (part,) = rest
    if tag == "b" and isinstance(part, bool):
        return part
    if tag == "i" and isinstance(part, str) and _INTEGER.fullmatch(part):
        try:
            return int(part)
        except ValueError:          # more digits than this Python reads
            raise Invalid("an integer too long to read") from None
    if tag == "f" and isinstance(part, str):
        try:
            number = float(part)
        except ValueError:
            raise Invalid("not a float") from None
        if repr(number) != part and not math.isnan(number):
            raise Invalid("not a float's own spelling")
        return number
    if tag == "s" and isinstance(part, str):
        return part
    if tag in ("t", "d") and isinstance(part, str):
        try:
            when = dt.datetime.fromisoformat(part) if tag == "t" else dt.date.fromisoformat(part)
        except ValueError:
            raise Invalid("not a date") from None
        if isinstance(when, dt.datetime) and when.tzinfo is not None:
            raise Invalid("the parser gives date-times without a zone")
        return when
    if tag == "l" and isinstance(part, list):
        return [decode(v, max_nodes, max_depth, depth + 1, budget) for v in part]
    if tag == "m" and isinstance(part, list):
        out: dict[str, Any] = {}
        for item in part:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)) or item[0] in out:
                raise Invalid("not a mapping entry")
            out[item[0]] = decode(item[1], max_nodes, max_depth, depth + 1, budget)
        return out
    raise Invalid(f"unknown tag {tag!r}")


def encode_path(path: tuple[Any, ...]) -> list[Any]:
    if not all(isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)) for p in path):
        raise Invalid("a path element that is neither a key nor an index")
    return list(path)


def decode_path(raw: Any) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not all(
            isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool) and p >= 0) for p in raw):
        raise Invalid("not a path")
    return tuple(raw)


def decode_paths(raw: Any) -> set[tuple[Any, ...]]:
    if not isinstance(raw, list):
        raise Invalid("not a list of paths")
    return {decode_path(p) for p in raw}


def encode_spans(table: dict[tuple[Any, ...], Span]) -> list[list[Any]]:
    return [[encode_path(path), span.line, span.col] for path, span in table.items()]


def decode_spans(raw: Any, file: str) -> dict[tuple[Any, ...], Span]:
    if not isinstance(raw, list):
        raise Invalid("not a list of spans")
    out: dict[tuple[Any, ...], Span] = {}
    for item in raw:
        if not (isinstance(item, list) and len(item) == 3):
            raise Invalid("not a span")
        path, line, col = item
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (line, col)):
            raise Invalid("not a line and column")
        out[decode_path(path)] = Span(file, line, col)
    return out
