"""Maintain the message catalogs (Babel): extract, update, translate, compile, check.

    python scripts/i18n.py update            # extract every marked message; merge into the .po
    python scripts/i18n.py apply FILE.json   # set translations from {"msgid": "譯文", ...}; compile
    python scripts/i18n.py compile           # the .po into the .mo the checker reads
    python scripts/i18n.py check             # exit 1 when a message lacks a translation or the .mo is stale
    python scripts/i18n.py missing           # the message ids without a translation, as JSON to fill in

A message with a context (``_p("key", "Text")``) is written ``"key\\x04Text"`` in the JSON files,
as gettext itself joins them; a plural message's translation is one string (Chinese has one
form).  The catalog is locked while it is rewritten, so several people (or scripts) can run
this at once.  Nothing here runs at check time: the checker reads only the compiled ``.mo``.
"""

from __future__ import annotations

import fcntl
import io
import json
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

PACKAGE = ROOT / "checker"
PO = PACKAGE / "locale" / "zh_Hant" / "LC_MESSAGES" / "checker.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "_n": (1, 2), "_p": ((1, "c"), 2), "tr": None, "ntr": (1, 2)}
METHODS = [("**.py", "python")]
#: fixed, so the same translations always compile to the same bytes
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def _key(msgid, context) -> str:
    base = msgid[0] if isinstance(msgid, (tuple, list)) else msgid
    return f"{context}\x04{base}" if context else base


def extract() -> Catalog:
    """Every marked message of the package, with its source locations."""
    cat = _new()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), METHODS, keywords=KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True):
        cat.add(message, None, [(f"checker/{filename}", lineno)], auto_comments=comments, context=context)
    return cat


def _new() -> Catalog:
    return Catalog(locale="zh_Hant", domain="checker", project="marketing-checker", version="0.1.0",
                   copyright_holder="the marketing-checker authors", msgid_bugs_address="",
                   creation_date=STAMP, revision_date=STAMP, fuzzy=False)


@contextmanager
def _locked():
    PO.parent.mkdir(parents=True, exist_ok=True)
    with (PO.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load() -> Catalog:
    if not PO.exists():
        return _new()
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh_Hant", domain="checker")


def save(cat: Catalog) -> None:
    cat.creation_date = cat.revision_date = STAMP
    buf = io.BytesIO()
    write_po(buf, cat, width=100, sort_output=True, include_previous=False, ignore_obsolete=True)
    PO.write_bytes(buf.getvalue())
    MO.write_bytes(mo_bytes(cat))


def mo_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def merged() -> Catalog:
    """The extracted messages with the catalog's translations (messages gone from the source dropped)."""
    old = load()
    cat = extract()
    for message in cat:
        if not message.id:
            continue
        known = old.get(message.id, message.context)
        if known is not None and known.string:
            message.string = _shaped(known.string, message)
    return cat


def _shaped(string, message):
    """A translation in the shape the message needs (one string, or one per plural form)."""
    if message.pluralizable:
        return string if isinstance(string, (tuple, list)) else (string,)
    return string[0] if isinstance(string, (tuple, list)) else string


def untranslated(cat: Catalog) -> list[str]:
    out = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings) or message.fuzzy:
            out.append(_key(message.id, message.context))
    return out


def cmd_update() -> int:
    with _locked():
        cat = merged()
        save(cat)
    missing = untranslated(cat)
    print(f"{len(cat)} messages, {len(missing)} without a translation")
    return 0


def cmd_apply(path: str) -> int:
    table = json.loads(Path(path).read_text(encoding="utf-8"))
    with _locked():
        cat = merged()
        done = 0
        for key, string in table.items():
            message = next((m for m in cat if m.id and _key(m.id, m.context) == key), None)
            if message is None or not string:
                continue
            message.string = _shaped(string, message)
            done += 1
        save(cat)
    print(f"{done} translations applied; {len(untranslated(cat))} messages still without one")
    return 0


def cmd_compile() -> int:
    with _locked():
        MO.write_bytes(mo_bytes(load()))
    return 0


def cmd_missing() -> int:
    cat = merged()
    print(json.dumps(dict.fromkeys(untranslated(cat), ""), ensure_ascii=False, indent=1))
    return 0


def _entries(cat: Catalog) -> set[tuple[str, str | tuple[str, ...]]]:
    """Every message's key and translation, to compare two catalogs."""
    return {(_key(m.id, m.context), m.string if isinstance(m.string, str) else tuple(m.string)) for m in cat if m.id}


def cmd_check() -> int:
    cat = merged()
    problems = [f"no translation: {k!r}" for k in untranslated(cat)]
    if MO.read_bytes() != mo_bytes(load()):
        problems.append(f"{MO.relative_to(ROOT)} is not the compiled {PO.name}: run `python scripts/i18n.py compile`")
    if _entries(cat) != _entries(load()):
        problems.append(f"{PO.relative_to(ROOT)} is not up to date with the source: "
                        "run `python scripts/i18n.py update`")
    for p in problems:
        print(p)
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "apply", "compile", "check", "missing"):
        print(__doc__)
        return 2
    if argv[0] == "apply":
        return cmd_apply(argv[1])
    return globals()[f"cmd_{argv[0]}"]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
