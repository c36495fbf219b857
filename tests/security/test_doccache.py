"""The parsed-document cache: the same documents as parsing gives, and no trust in what the folder holds."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from checker.load import doccache, yamlio

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("schemas/**/*.json"), *ROOT.glob("schemas/**/*.yaml"),
                    *ROOT.glob("tests/cases/**/*.yaml"), *ROOT.glob("examples/**/*.yaml")])


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("CHECKER_CACHE_DIR", str(where))
    return where


def _parsed(text: str, file: str, monkeypatch) -> yamlio.Document:
    with monkeypatch.context() as m:
        m.setenv("CHECKER_CACHE_DIR", "off")
        return yamlio.load_text(text, file)


def _same(a: yamlio.Document, b: yamlio.Document) -> None:
    assert a.data == b.data
    assert [type(v) for v in _leaves(a.data)] == [type(v) for v in _leaves(b.data)]   # 1 is not 1.0 nor True
    assert (a.positions.keys, a.positions.values, a.positions.quoted) == \
        (b.positions.keys, b.positions.values, b.positions.quoted)
    assert a.text == b.text


def _leaves(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "documents").glob("*.json"))


def test_every_document_in_the_repository_reads_back_as_parsed(cache, monkeypatch):
    assert len(DOCUMENTS) > 50
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8-sig")
        try:
            parsed = _parsed(text, str(path), monkeypatch)
        except yamlio.CheckerError:
            continue                                    # the error cases' broken files: never stored
        stored = yamlio.load_text(text, str(path))      # parses and stores
        again = yamlio.load_text(text, str(path))       # reads the entry
        _same(parsed, stored)
        _same(parsed, again)
    assert len(_entries(cache)) > 50


def test_a_hit_does_not_parse_and_a_changed_byte_or_name_is_a_miss(cache, monkeypatch):
    text = "ruleset: a\nrules:\n  - id: 'R-1'\n    expect: x > 0\n"
    yamlio.load_text(text, "a.yaml")
    calls = []
    monkeypatch.setattr(yamlio, "_parse", lambda *a: calls.append(a) or pytest.fail("parsed again"))
    assert yamlio.load_text(text, "a.yaml").data["rules"][0]["id"] == "R-1"
    monkeypatch.undo()
    monkeypatch.setenv("CHECKER_CACHE_DIR", str(cache))
    assert yamlio.load_text(text.replace("x > 0", "x > 1"), "a.yaml").data["rules"][0]["expect"] == "x > 1"
    assert yamlio.load_text(text, "b.yaml").positions.file == "b.yaml"
    assert len(_entries(cache)) == 3


def test_an_edited_parser_does_not_read_what_the_old_one_stored(cache, monkeypatch):
    yamlio.load_text("a: 1\n", "a.yaml")
    parsed = []
    parse = yamlio._parse
    monkeypatch.setattr(yamlio, "_parse", lambda *a: parsed.append(a) or parse(*a))
    yamlio.load_text("a: 1\n", "a.yaml")
    assert parsed == []                                     # the same code: a hit
    monkeypatch.setattr(doccache, "_parser_code", lambda: "another parser")
    yamlio.load_text("a: 1\n", "a.yaml")
    assert len(parsed) == 1                                 # other code: parsed again, stored apart
    assert len(_entries(cache)) == 2


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECKER_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    yamlio.load_text("a: 1\n", "a.yaml")
    assert not any(tmp_path.rglob("*.json"))


def test_without_a_setting_it_lives_in_the_users_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CHECKER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    yamlio.load_text("a: 1\n", "a.yaml")
    assert len(list((tmp_path / "xdg" / "marketing-checker" / "documents").glob("*.json"))) == 1


def test_entries_are_private_and_written_whole(cache):
    yamlio.load_text("a: [1, 2]\n", "a.yaml")
    (entry,) = _entries(cache)
    assert entry.stat().st_mode & 0o077 == 0
    assert (cache / "documents").stat().st_mode & 0o077 == 0
    assert not list((cache / "documents").glob(".part-*"))


# -- attacks: what the folder holds is not trusted -------------------------------------------------------

def _tamper(entry: Path, change) -> None:
    payload = json.loads(entry.read_text(encoding="utf-8"))
    change(payload)
    entry.write_text(json.dumps(payload), encoding="utf-8")


@pytest.mark.parametrize("change", [
    lambda p: p.update(data=["x", "?"]),                                   # an unknown tag
    lambda p: p.update(data=["m", [["a", ["i", "1e9"]]]]),                 # not an integer's spelling
    lambda p: p.update(data=["m", [["a", ["i", "1"]], ["a", ["i", "2"]]]]),  # a key twice
    lambda p: p.update(data={"a": 2}),                                      # untagged
    lambda p: p.update(keys=[[["a"], -1, 3]]),                              # a negative line
    lambda p: p.update(values=[[[{"x": 1}], 1, 1]]),                        # a path that is no path
    lambda p: p.update(quoted="a"),
    lambda p: p.update(format=99),
    lambda p: p.update(file="other.yaml"),
    lambda p: p.update(data=["m", [["a", ["f", "1.50"]]]]),                # not a float's own spelling
    lambda p: p.update(data=_deep(yamlio.MAX_DEPTH + 5)),                 # deeper than the parser allows
    lambda p: p.update(data=["m", [["a", ["t", "2026-01-01T00:00:00+08:00"]]]]),  # a zone the parser drops
    lambda p: p.update(data=["m", [["a", ["i", "--5"]]]]),                 # int() would refuse it
    lambda p: p.update(data=["m", [["a", ["i", "9" * 5000]]]]),            # more digits than Python reads
    lambda p: p.update(data=["m", [["a", ["i", "\u0663"]]]]),              # a digit, but not an ASCII one
], ids=["tag", "int", "duplicate", "untagged", "line", "path", "quoted", "format", "file", "float", "deep",
        "zone", "sign", "digits", "arabic"])
def test_an_entry_of_any_other_shape_is_a_miss_and_is_replaced(cache, change):
    text = "a: 1\n"
    yamlio.load_text(text, "a.yaml")
    (entry,) = _entries(cache)
    _tamper(entry, change)
    doc = yamlio.load_text(text, "a.yaml")
    assert doc.data == {"a": 1} and doc.positions.value(("a",)).line == 1
    assert json.loads(entry.read_text(encoding="utf-8"))["data"] == ["m", [["a", ["i", "1"]]]]   # stored again


def _deep(n: int):
    node: list = ["n"]
    for _i in range(n):
        node = ["l", [node]]
    return node


@pytest.mark.parametrize("damage", ["garbage", "empty", "huge"])
def test_a_damaged_entry_is_a_miss(cache, damage, monkeypatch):
    yamlio.load_text("a: 1\n", "a.yaml")
    (entry,) = _entries(cache)
    if damage == "garbage":
        entry.write_bytes(b"\xff\xfe{not json")
    elif damage == "empty":
        entry.write_bytes(b"")
    else:
        monkeypatch.setattr(doccache, "MAX_BYTES", 10)
    assert yamlio.load_text("a: 1\n", "a.yaml").data == {"a": 1}


def test_an_entry_others_may_write_or_a_link_is_not_read(cache, tmp_path):
    text = "a: 1\n"
    yamlio.load_text(text, "a.yaml")
    (entry,) = _entries(cache)
    _tamper(entry, lambda p: p.update(data=["m", [["a", ["i", "2"]]]]))     # well formed, but not what parsing gives
    assert yamlio.load_text(text, "a.yaml").data == {"a": 2}              # (an owner's own entry is used)
    entry.chmod(0o666)
    assert yamlio.load_text(text, "a.yaml").data == {"a": 1}              # writable by others: not read
    elsewhere = tmp_path / "planted.json"
    elsewhere.write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert yamlio.load_text(text, "a.yaml").data == {"a": 1}              # a link: not followed
    (cache / "documents").chmod(0o777)
    try:
        assert yamlio.load_text(text, "a.yaml").data == {"a": 1}          # a folder others may write: not read
    finally:
        (cache / "documents").chmod(0o700)


def test_a_planted_entry_cannot_make_a_rule_run_what_the_file_could_not(cache, cli, tmp_path):
    """A well-formed entry changes what a document says, as an edit of the file would: the checks after
    parsing (models, whitelist, sandbox) still refuse what no rule file may hold."""
    rules = tmp_path / "rules"
    rules.mkdir()
    rule_file = rules / "r.yaml"
    rule_file.write_text((ROOT / "examples" / "quickstart" / "rules").joinpath(
        sorted(os.listdir(ROOT / "examples" / "quickstart" / "rules"))[0]).read_text(encoding="utf-8"),
        encoding="utf-8")
    schemas = ROOT / "examples" / "quickstart" / "schemas"
    assert cli("lint", str(rules), "--schemas", str(schemas)).exit_code == 0
    for entry in _entries(cache):
        payload = json.loads(entry.read_text(encoding="utf-8"))
        if '"expect"' in json.dumps(payload["data"]):
            text = json.dumps(payload["data"]).replace(
                '"expect", ["s", "', '"expect", ["s", "read_text(\'/etc/passwd\') IS NOT NULL OR ', 1)
            payload["data"] = json.loads(text)
            entry.write_text(json.dumps(payload), encoding="utf-8")
    refused = cli("lint", str(rules), "--schemas", str(schemas))
    assert refused.exit_code != 0 and "read_text" in refused.stdout + refused.stderr


def test_a_fifo_or_a_folder_under_an_entrys_name_is_not_waited_on(cache):
    text = "a: 1\n"
    yamlio.load_text(text, "a.yaml")
    (entry,) = _entries(cache)
    entry.unlink()
    os.mkfifo(entry)                       # opening it for reading would block until a writer came
    assert yamlio.load_text(text, "a.yaml").data == {"a": 1}
    entry.unlink()
    entry.mkdir()
    assert yamlio.load_text(text, "a.yaml").data == {"a": 1}


def test_no_home_folder_means_no_cache_not_an_error(monkeypatch):
    monkeypatch.delenv("CHECKER_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert doccache.folder() is None
    assert yamlio.load_text("a: 1\n", "a.yaml").data == {"a": 1}


def test_an_integer_too_long_to_write_is_parsed_each_time_not_an_error(cache):
    text = "huge: 0x" + "f" * 4000 + "\n"           # 4,816 decimal digits: str() refuses it
    assert yamlio.load_text(text, "a.yaml").data["huge"] == int("f" * 4000, 16)
    assert yamlio.load_text(text, "a.yaml").data["huge"] == int("f" * 4000, 16)
    assert _entries(cache) == []


def test_a_process_lists_the_folder_on_its_first_write_not_on_every_one(cache, monkeypatch):
    monkeypatch.setattr(doccache, "_writes", 0)
    pruned = []
    monkeypatch.setattr(doccache, "_prune", pruned.append)
    for i in range(doccache.PRUNE_EVERY + 1):
        yamlio.load_text(f"a: {i}\n", "a.yaml")
    assert len(pruned) == 2


def test_with_the_cache_off_nothing_is_encoded(monkeypatch):
    monkeypatch.setenv("CHECKER_CACHE_DIR", "off")
    monkeypatch.setattr(doccache, "encode", lambda *a: pytest.fail("encoded with the cache off"))
    assert yamlio.load_text("a: 1\n", "a.yaml").data == {"a": 1}


def test_aliases_that_expand_a_small_text_are_not_written_out(cache):
    text = "s: &a [" + "x" * 100_000 + "]\nmany:\n" + "  - *a\n" * 400   # 140 KB of text, 40 MB expanded
    doc = yamlio.load_text(text, "a.yaml")
    assert len(doc.data["many"]) == 400 and doc.data["many"][0] == ["x" * 100_000]
    assert _entries(cache) == []


def test_folders_the_checker_makes_are_private_whatever_the_umask(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECKER_CACHE_DIR", str(tmp_path / "a" / "cache"))
    old = os.umask(0o002)
    try:
        yamlio.load_text("a: 1\n", "a.yaml")
    finally:
        os.umask(old)
    assert (tmp_path / "a" / "cache").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "cache" / "documents").stat().st_mode & 0o777 == 0o700
    parsed = []
    parse = yamlio._parse
    monkeypatch.setattr(yamlio, "_parse", lambda *a: parsed.append(a) or parse(*a))
    yamlio.load_text("a: 1\n", "a.yaml")
    assert parsed == []                                     # and the entry is used


def test_a_home_relative_folder_is_expanded_and_a_relative_one_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CHECKER_CACHE_DIR", "~/cc")
    assert doccache.folder() == tmp_path / "cc"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHECKER_CACHE_DIR", "cache")       # a repository could ship entries there
    assert doccache.folder() is None
    yamlio.load_text("a: 1\n", "a.yaml")
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("CHECKER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")       # XDG: a relative value is ignored
    assert doccache.folder() == tmp_path / ".cache" / "marketing-checker"


def test_a_cache_folder_that_cannot_be_written_is_no_error(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CHECKER_CACHE_DIR", str(blocked / "cache"))
    assert yamlio.load_text("a: 1\n", "a.yaml").data == {"a": 1}


def test_the_least_recently_used_entries_go_when_there_are_too_many(cache, monkeypatch):
    monkeypatch.setattr(doccache, "MAX_ENTRIES", 4)
    monkeypatch.setattr(doccache, "PRUNE_EVERY", 1)
    for i in range(4):
        yamlio.load_text(f"a: {i}\n", "a.yaml")
    for n, entry in enumerate(_entries(cache)):        # written long ago, in some order
        os.utime(entry, (1_000_000 + n, 1_000_000 + n))
    yamlio.load_text("a: 0\n", "a.yaml")               # a hit: used now
    kept = {doccache.entry_name("a: 0\n", "a.yaml", yamlio._LIMITS)}
    yamlio.load_text("a: 4\n", "a.yaml")               # the fifth entry: pruning to the recent half
    names = {e.name for e in _entries(cache)}
    assert len(names) == 2 and kept <= names


def test_what_a_killed_writer_left_is_removed_once_stale(cache, monkeypatch):
    monkeypatch.setattr(doccache, "PRUNE_EVERY", 1)
    yamlio.load_text("a: 1\n", "a.yaml")
    documents = cache / "documents"
    old, new = documents / ".part-123-old", documents / ".part-456-new"
    old.write_text("{half", encoding="utf-8")
    new.write_text("{half", encoding="utf-8")
    os.utime(old, (1_000_000, 1_000_000))
    yamlio.load_text("a: 2\n", "a.yaml")               # a write prunes
    assert not old.exists() and new.exists()            # (one being written now is left alone)


# -- property: whatever YAML the parser reads, the cache gives back the same document ------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=False), st.text(max_size=12),
                    st.dates(min_value=dt.date(1900, 1, 1)),
                    st.datetimes(min_value=dt.datetime(1900, 1, 1)))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(min_size=1, max_size=8), inner,
                                                                        max_size=4)), max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), values, min_size=1, max_size=5))
def test_any_document_reads_back_as_parsed(data):
    from io import StringIO

    out = StringIO()
    YAML(typ="rt").dump(data, out)
    text = out.getvalue()
    before = os.environ.get("CHECKER_CACHE_DIR")
    with tempfile.TemporaryDirectory() as where:
        try:
            os.environ["CHECKER_CACHE_DIR"] = "off"
            try:
                parsed = yamlio.load_text(text, "p.yaml")
            except yamlio.CheckerError:
                return
            os.environ["CHECKER_CACHE_DIR"] = where
            _same(parsed, yamlio.load_text(text, "p.yaml"))      # parsed and stored
            _same(parsed, yamlio.load_text(text, "p.yaml"))      # read back
            assert len(list(Path(where, "documents").glob("*.json"))) == 1
        finally:
            if before is None:
                os.environ.pop("CHECKER_CACHE_DIR", None)
            else:
                os.environ["CHECKER_CACHE_DIR"] = before
