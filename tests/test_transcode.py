"""Legacy-encoded CSV exports become UTF-8 copies that are the same whether decoded on one core or several."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checker.load import transcode as T

ROWS = ["投訴編號,客戶編號,處理結果", *(f"C{i:06d},K{i % 97:04d},已說明活動規則{'；' * (i % 5)}" for i in range(4000))]


def _write(path: Path, encoding: str, bom: bytes = b"", newline: str = "\n", junk: bytes = b"") -> Path:
    text = newline.join(ROWS) + newline
    half = len(text) // 2
    path.write_bytes(bom + text[:half].encode(encoding) + junk + text[half:].encode(encoding))
    return path


def _both(src: Path, tmp_path: Path, encoding: str) -> tuple[bytes, int]:
    one = tmp_path / "one.csv"
    many = tmp_path / "many.csv"
    n1 = T.transcode(src, one, encoding, workers=1)
    n3 = T.transcode(src, many, encoding, workers=3, parallel_from=0)
    assert many.read_bytes() == one.read_bytes() and n3 == n1
    assert not list(tmp_path.glob("*.part*"))            # helper part files are removed
    return one.read_bytes(), n1


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "shift_jis", "cp1252"])
def test_parallel_transcoding_gives_the_sequential_bytes(tmp_path, encoding):
    src = tmp_path / "src.csv"
    src.write_bytes(("\r\n".join(ROWS) + "\r\n").encode(encoding, "replace"))   # '?' where it has no such letter
    data, replaced = _both(src, tmp_path, encoding)
    assert data.decode("utf-8") == src.read_bytes().decode(encoding) and replaced == 0


def test_a_bom_is_dropped_and_bad_bytes_are_counted(tmp_path):
    src = _write(tmp_path / "src.csv", "gb18030", bom="\ufeff".encode("gb18030"), junk=b"\xff\xff")
    data, replaced = _both(src, tmp_path, "gb18030")
    text = data.decode("utf-8")
    assert text.startswith("投訴編號,") and replaced == text.count("\ufffd") == 2
    assert text.replace("\ufffd", "") == "\n".join(ROWS) + "\n"


def test_a_helper_that_cannot_start_leaves_its_part_to_the_main_process(tmp_path, monkeypatch):
    src = _write(tmp_path / "src.csv", "gb18030")
    expected = tmp_path / "expected.csv"
    T.transcode(src, expected, "gb18030", workers=1)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    got = tmp_path / "got.csv"
    T.transcode(src, got, "gb18030", workers=2, parallel_from=0)
    assert got.read_bytes() == expected.read_bytes()


def test_only_encodings_where_0x0a_is_always_a_line_feed_are_split():
    assert all(T.splits_at_line_feeds(e) for e in ["gb18030", "GBK", "big5", "cp950", "shift-jis", "euc-kr",
                                                   "cp1252", "latin-1", "koi8-r"])
    assert not any(T.splits_at_line_feeds(e) for e in ["utf-16", "utf-16-le", "utf-32", "iso2022_jp", "hz",
                                                       "utf-7", "no-such-codec"])


def test_cuts_fall_just_after_line_feeds(tmp_path):
    src = _write(tmp_path / "src.csv", "gb18030")
    data = src.read_bytes()
    cuts = T._cuts(src, len(data), 4)
    assert cuts[0] == 0 and cuts[-1] == len(data) and cuts == sorted(set(cuts))
    assert all(data[c - 1:c] == b"\n" for c in cuts[1:-1]) and len(cuts) == 5
