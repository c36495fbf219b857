"""Legacy-encoded CSV exports become UTF-8 copies that are the same whether decoded on one core or several."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checker.load import transcode as transcoding

ROWS = ["投訴編號,客戶編號,處理結果", *(f"C{i:06d},K{i % 97:04d},已說明活動規則{'；' * (i % 5)}" for i in range(4000))]


def _write(path: Path, encoding: str, bom: bytes = b"", newline: str = "\n", junk: bytes = b"") -> Path:
    text = newline.join(ROWS) + newline
    half = len(text) // 2
    path.write_bytes(bom + text[:half].encode(encoding) + junk + text[half:].encode(encoding))
    return path


def _both(src: Path, tmp_path: Path, encoding: str) -> tuple[bytes, int]:
    one = tmp_path / "one.csv"
    many = tmp_path / "many.csv"
    n1 = transcoding.transcode(src, one, encoding, workers=1)
    n3 = transcoding.transcode(src, many, encoding, workers=3, parallel_from=0)
    assert many.read_bytes() == one.read_bytes() and n3 == n1
    assert not list(tmp_path.glob("*.part*"))            # helper part files are removed
    text = one.read_bytes()
    assert n1.lines == text.count(b"\n") + (not text.endswith(b"\n"))   # the copy's lines, counted on the way
    return text, n1.replaced


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
    transcoding.transcode(src, expected, "gb18030", workers=1)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    got = tmp_path / "got.csv"
    transcoding.transcode(src, got, "gb18030", workers=2, parallel_from=0)
    assert got.read_bytes() == expected.read_bytes()


def test_only_encodings_where_0x0a_is_always_a_line_feed_are_split():
    assert all(transcoding.splits_at_line_feeds(e) for e in ["gb18030", "GBK", "big5", "cp950", "shift-jis", "euc-kr",
                                                   "cp1252", "latin-1", "koi8-r"])
    assert not any(transcoding.splits_at_line_feeds(e) for e in ["utf-16", "utf-16-le", "utf-32", "iso2022_jp", "hz",
                                                       "utf-7", "no-such-codec"])


def test_cuts_fall_just_after_line_feeds(tmp_path):
    src = _write(tmp_path / "src.csv", "gb18030")
    data = src.read_bytes()
    cuts = transcoding._cuts(src, len(data), 4)
    assert cuts[0] == 0 and cuts[-1] == len(data) and cuts == sorted(set(cuts))
    assert all(data[c - 1:c] == b"\n" for c in cuts[1:-1]) and len(cuts) == 5


# -- glibc's iconv, where it gives exactly Python's answer ------------------------------------------

glibc = pytest.mark.skipif(transcoding._fast("gb18030") is None, reason="no glibc iconv on this machine")

#: what glibc's GBK and Python's GB18030 read differently or only one of them reads: four-byte
#: sequences (U+20000, U+E5E5 by its 2005 code), private-use two-byte codes that GB18030-2022 remapped
#: (A6D9), the lone byte 0x80 (glibc's GBK: the euro sign; Python: undecodable), the euro sign itself
#: (A2E3), an undecodable byte and a character cut off by the end of the file
AWKWARD = ["投訴編號,客戶編號,處理結果", "C1,K1,𠀀 and \ue5e5 are four bytes", "C2,K2,\ue78d is A6D9",
           "C3,K3,€ is A2E3", "C4,K4,已說明活動規則"]


@glibc
@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "cp932", "cp1252", "latin-1"])
def test_iconv_decodes_exactly_as_python(tmp_path, monkeypatch, encoding):
    monkeypatch.setattr(transcoding, "ICONV_FROM", 0)
    monkeypatch.setattr(transcoding, "CHUNK", 4096)  # small reads: the euro sign sends only its block to Python
    by_python = []
    python = transcoding._Iconv._python
    monkeypatch.setattr(transcoding._Iconv, "_python",
                        lambda self, data: by_python.append(len(data)) or python(self, data))
    body = ("\n".join(AWKWARD * 50 + ROWS) + "\n").encode(encoding, "replace")
    tail = b"\x80\n" + b"\xff\n" + "\u8a34".encode(encoding, "replace")[:1]      # 0x80, a bad byte, a cut-off end
    src = tmp_path / "src.csv"
    src.write_bytes("\ufeff".encode(encoding, "replace") * (encoding == "gb18030") + body + tail)
    expected = src.read_bytes().decode(encoding, "replace").removeprefix("\ufeff")
    assert transcoding._fast(encoding) is not None
    for workers in (1, 3):
        out = tmp_path / f"out{workers}.csv"
        replaced, lines = transcoding.transcode(src, out, encoding, workers=workers, parallel_from=0)
        assert out.read_bytes().decode("utf-8") == expected
        assert replaced == expected.count("\ufffd") and lines == len(expected.splitlines())
    assert sum(by_python) < src.stat().st_size / 2           # iconv read most of it, Python the lines it refused
    assert by_python or encoding == "latin-1"                # (latin-1 has no byte iconv refuses)


@glibc
def test_a_converter_that_reads_anything_differently_is_not_used(monkeypatch):
    # glibc's BIG5 and Python's big5 map some codes to different characters (A145: U+2027 / U+2022)
    monkeypatch.setitem(transcoding._ICONV, "big5", ("BIG5", None))
    transcoding._fast.cache_clear()
    try:
        assert transcoding._fast("big5") is None and transcoding._fast("gb18030") is not None
    finally:
        transcoding._fast.cache_clear()
