"""CSV exports in a legacy encoding (GB18030, Big5, Shift-JIS, a code page…) to UTF-8, on every core.

DuckDB reads UTF-8 only, so such a file is transcoded to a temporary copy first.  Python's
codecs decode at ~200 MB/s on one core, which made this the single largest step of a large
GB18030 export.  In the encodings listed in :func:`splits_at_line_feeds` the byte 0x0A is
always a line feed, never part of a multibyte character, so the file is cut at line feeds
into parts that decode independently: this process decodes the first part into the copy
while helper processes (``python -m checker.load.transcode``, standard library only, so they
start in milliseconds) decode the others into part files, which are then appended in order.
Any other encoding (UTF-16, stateful ISO-2022 or HZ…) is decoded in one stream.  Either way
the copy is byte-for-byte what one sequential decode gives.

Each part is converted by the C library's ``iconv`` (through :mod:`ctypes`, ~3x Python's codec)
where that gives exactly Python's answer: for the encodings in :data:`_ICONV` glibc's converter
agrees with Python's codec on every character it accepts (checked once per process over every
one- and two-byte sequence, :func:`_fast`), and a line holding anything it does not accept (a
GB18030 four-byte sequence, a private-use code, a bad byte) is decoded by Python's codec.  A line
feed is always a character boundary in these encodings, so decoding line by line changes nothing.
Without glibc's iconv, or where it disagrees, Python's codec decodes everything.
"""

from __future__ import annotations

import codecs
import ctypes
import errno
import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

CHUNK = 1 << 22
#: below this a file is decoded in one stream (starting helpers would cost more than it saves)
PARALLEL_FROM = 48 << 20

#: multibyte encodings whose trail bytes never include 0x0A (Python codec names)
_LF_SAFE_MULTIBYTE = frozenset({"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "shift_jis", "cp932",
                                "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
                                "euc_kr", "cp949"})


def splits_at_line_feeds(encoding: str) -> bool:
    """Every 0x0A byte is a line feed: a listed multibyte encoding, or a single-byte code page."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return False
    if info.name in _LF_SAFE_MULTIBYTE or info.name == "iso8859-1":
        return True
    owner = sys.modules.get(type(getattr(info.decode, "__self__", None)).__module__)
    table = getattr(owner, "decoding_table", None)       # the charmap codecs: cp1252, iso8859_15, koi8_r…
    return isinstance(table, str) and len(table) == 256 and table[0x0A] == "\n"


#: Python codec -> (glibc converter, what that converter makes of a byte Python's codec refuses).  Where
#: glibc accepts the input its answer is Python's, except for that one character: a block whose UTF-8
#: holds it is decoded by Python instead.  (glibc's GB18030 follows the 2022 edition, Python's the 2005
#: one; glibc's GBK agrees with Python's GB18030 on every two-byte code it has, reads the lone byte 0x80
#: as the euro sign, which Python refuses, and leaves four-byte sequences to Python.)
_ICONV = {"gb18030": ("GBK", "\u20ac"), "gbk": ("GBK", "\u20ac"), "cp936": ("GBK", "\u20ac"),
          "cp932": ("CP932", None), "cp1252": ("CP1252", None), "iso8859-1": ("ISO-8859-1", None)}
#: below this a range is decoded by Python's codec (checking the converter costs ~0.2 s)
ICONV_FROM = 8 << 20
_UTF8_BOM = b"\xef\xbb\xbf"


class _Iconv:
    """One glibc ``iconv`` converter to UTF-8, through :mod:`ctypes`."""

    def __init__(self, libc, name: str, suspect: str | None, encoding: str, capacity: int = CHUNK):
        self.libc = libc
        self.cd = libc.iconv_open(b"UTF-8", name.encode("ascii"))
        if self.cd in (None, ctypes.c_void_p(-1).value):
            raise OSError(f"iconv cannot convert {name}")
        self.suspect = suspect.encode("utf-8") if suspect else None
        self.encoding = encoding
        #: U+FFFD written for input Python's codec refused (iconv never makes one: see :func:`_fast`)
        self.replaced = 0
        self.out = ctypes.create_string_buffer(4 * capacity + 16)

    def _valid_prefix(self, data: bytes, pos: int) -> tuple[list[bytes], int]:
        """UTF-8 pieces of data[pos:k], with k where the input ends or stops being valid."""
        self.libc.iconv(self.cd, None, None, None, None)
        base = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
        assert base is not None, "a bytes object always has a buffer, so its address is never NULL"
        inp = ctypes.c_char_p(base + pos)
        left = ctypes.c_size_t(len(data) - pos)
        pieces = []
        while True:
            outp = ctypes.c_char_p(ctypes.addressof(self.out))
            room = ctypes.c_size_t(len(self.out))
            done = self.libc.iconv(self.cd, ctypes.byref(inp), ctypes.byref(left), ctypes.byref(outp),
                                   ctypes.byref(room))
            pieces.append(ctypes.string_at(self.out, len(self.out) - room.value))
            if done == ctypes.c_size_t(-1).value and ctypes.get_errno() == errno.E2BIG and left.value:
                continue
            return pieces, len(data) - left.value

    def decode(self, data: bytes) -> bytes:
        """UTF-8 of data (whole lines, or the end of the input), as Python's codec decodes it.

        Each line iconv refuses is decoded by Python's codec; a line feed is a character boundary.
        """
        pieces: list[bytes] = []
        pos = 0
        replaced = self.replaced
        while pos < len(data):
            valid, pos = self._valid_prefix(data, pos)
            pieces.extend(valid)
            if pos < len(data):
                stop = data.find(b"\n", pos) + 1 or len(data)
                pieces.append(self._python(data[pos:stop]))
                pos = stop
        out = b"".join(pieces)
        if self.suspect and self.suspect in out:
            self.replaced = replaced
            return self._python(data)
        return out

    def _python(self, data: bytes) -> bytes:
        text = data.decode(self.encoding, "replace")
        self.replaced += text.count("\ufffd")
        return text.encode("utf-8")


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.iconv_open.restype = ctypes.c_void_p
    libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.iconv.restype = ctypes.c_size_t
    libc.iconv.argtypes = [ctypes.c_void_p, *[ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)] * 2]
    return libc


@functools.cache
def _fast(encoding: str) -> _Iconv | None:
    """glibc's converter for ``encoding``, if it decodes each one- and two-byte sequence as Python's codec does."""
    try:
        name = codecs.lookup(encoding).name
        if name not in _ICONV:
            return None
        conv = _Iconv(_libc(), *_ICONV[name], encoding=name)
    except (LookupError, OSError, AttributeError):
        return None
    for lead in range(256):
        seqs = [bytes([lead])] + ([bytes([lead, b]) for b in range(0x21, 0x100)] if lead >= 0x80 else [])
        for seq in seqs:
            replaced = conv.replaced
            text = seq.decode(name, "replace")
            if conv.decode(seq) != text.encode("utf-8") or conv.replaced - replaced != text.count("\ufffd"):
                return None
    return conv


def decode_range(src: Path, dst, encoding: str, start: int, end: int) -> int:
    """Decode bytes [start, end) of src into the binary file dst as UTF-8; the count of U+FFFD written.

    A byte-order mark at the very start of the file is dropped.
    """
    conv = _fast(encoding) if end - start >= ICONV_FROM else None
    if conv is not None:
        return _decode_range_iconv(conv, src, dst, start, end)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    replaced = 0
    with src.open("rb") as fin:
        fin.seek(start)
        left = end - start
        first = start == 0
        while True:
            chunk = fin.read(min(CHUNK, left)) if left > 0 else b""
            left -= len(chunk)
            text = decoder.decode(chunk, final=not chunk)
            if first and text:
                if text.startswith("\ufeff"):
                    text = text[1:]
                first = False
            replaced += text.count("\ufffd")
            dst.write(text.encode("utf-8"))
            if not chunk:
                return replaced


def _decode_range_iconv(conv: _Iconv, src: Path, dst, start: int, end: int) -> int:
    replaced = conv.replaced
    first = start == 0
    carry = b""

    def write(utf8: bytes) -> None:
        nonlocal first
        if first and utf8:
            if utf8.startswith(_UTF8_BOM):
                utf8 = utf8[len(_UTF8_BOM):]
            first = False
        dst.write(utf8)

    with src.open("rb") as fin:
        fin.seek(start)
        left = end - start
        while True:
            chunk = fin.read(min(CHUNK, left)) if left > 0 else b""
            left -= len(chunk)
            data = carry + chunk
            if chunk:       # whole lines only, so that a character is never split between reads
                cut = data.rfind(b"\n") + 1
                data, carry = data[:cut], data[cut:]
            write(conv.decode(data))
            if not chunk:
                return conv.replaced - replaced


def _cuts(src: Path, size: int, parts: int) -> list[int]:
    """Offsets just after a line feed, splitting src into about ``parts`` equal parts (first 0, last size)."""
    cuts = [0]
    with src.open("rb") as fh:
        for k in range(1, parts):
            fh.seek(max(size * k // parts, cuts[-1]))
            while True:
                block = fh.read(1 << 16)
                if not block:
                    break
                at = block.find(b"\n")
                if at >= 0:
                    cuts.append(fh.tell() - len(block) + at + 1)
                    break
    cuts.append(size)
    return sorted(set(cuts))


class Transcoded(NamedTuple):
    replaced: int      # undecodable byte sequences, written as U+FFFD
    lines: int         # lines of the copy, as a text editor counts them (at each line feed)


class _Counting:
    """A binary file that counts the line feeds written to it."""

    def __init__(self, fh):
        self.fh = fh
        self.feeds = 0
        self.last = b"\n"

    def write(self, data: bytes) -> None:
        if data:
            self.feeds += data.count(b"\n")
            self.last = data[-1:]
            self.fh.write(data)

    def appended(self, feeds: int, ends_with_feed: bool) -> None:
        """Count a part copied in behind this writer's back (a helper's, which counted it)."""
        self.feeds += feeds
        self.last = b"\n" if ends_with_feed else b"x"

    @property
    def lines(self) -> int:
        return self.feeds + (self.last != b"\n")


def transcode(src: Path, dst: Path, encoding: str, workers: int | None = None,
              parallel_from: int = PARALLEL_FROM) -> Transcoded:
    """src (in ``encoding``) to dst as UTF-8, undecodable bytes as U+FFFD.

    The lines of the copy are counted as it is written (the loaders compare them with the
    records), by whichever process writes each part.
    """
    size = src.stat().st_size
    workers = workers or os.cpu_count() or 1
    if workers < 2 or size < parallel_from or not splits_at_line_feeds(encoding):
        with dst.open("wb") as fh:
            out = _Counting(fh)
            replaced = decode_range(src, out, encoding, 0, size)
            return Transcoded(replaced, out.lines)
    cuts = _cuts(src, size, workers)
    parts = [dst.with_name(f"{dst.name}.part{k}") for k in range(1, len(cuts) - 1)]
    helpers = [subprocess.Popen([sys.executable, "-m", "checker.load.transcode", str(src), str(part), encoding,
                                 str(cuts[k]), str(cuts[k + 1])], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
               for k, part in enumerate(parts, start=1)]
    try:
        with dst.open("wb") as fh:
            out = _Counting(fh)
            replaced = decode_range(src, out, encoding, cuts[0], cuts[1])
            for k, (helper, part) in enumerate(zip(helpers, parts, strict=True), start=1):
                told, _ = helper.communicate()
                counts = told.split()
                if helper.returncode == 0 and len(counts) == 3 and all(c.isdigit() for c in counts):
                    replaced += int(counts[0])
                    if part.stat().st_size:
                        out.appended(int(counts[1]), counts[2] == b"1")
                    with part.open("rb") as pf:
                        fh.flush()
                        _append(pf, fh)
                else:  # a helper that could not run: decode its part here
                    replaced += decode_range(src, out, encoding, cuts[k], cuts[k + 1])
        return Transcoded(replaced, out.lines)
    finally:
        for helper in helpers:
            if helper.poll() is None:
                helper.kill()
                helper.wait()
        for part in parts:
            part.unlink(missing_ok=True)


def _append(src, dst) -> None:
    """Append the open file src to dst, in the kernel where it can."""
    size = os.fstat(src.fileno()).st_size
    done = 0
    try:
        while done < size:
            n = os.copy_file_range(src.fileno(), dst.fileno(), size - done)
            if n == 0:
                break
            done += n
    except (AttributeError, OSError):
        pass
    if done < size:
        src.seek(done)
        dst.seek(0, os.SEEK_END)
        while block := src.read(CHUNK):
            dst.write(block)


def _main(argv: list[str]) -> int:
    """A helper: decode one part; print the U+FFFD written, the line feeds, and 1 if it ends with one."""
    src, part, encoding, start, end = argv
    with open(part, "wb") as fh:
        out = _Counting(fh)
        replaced = decode_range(Path(src), out, encoding, int(start), int(end))
    print(replaced, out.feeds, int(out.last == b"\n"))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
