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
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

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


def decode_range(src: Path, dst, encoding: str, start: int, end: int) -> int:
    """Decode bytes [start, end) of src into the binary file dst as UTF-8; the count of U+FFFD written.

    A byte-order mark at the very start of the file is dropped.
    """
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


def transcode(src: Path, dst: Path, encoding: str, workers: int | None = None,
              parallel_from: int = PARALLEL_FROM) -> int:
    """src (in ``encoding``) to dst as UTF-8, undecodable bytes as U+FFFD; return how many were replaced."""
    size = src.stat().st_size
    workers = workers or os.cpu_count() or 1
    if workers < 2 or size < parallel_from or not splits_at_line_feeds(encoding):
        with dst.open("wb") as out:
            return decode_range(src, out, encoding, 0, size)
    cuts = _cuts(src, size, workers)
    parts = [dst.with_name(f"{dst.name}.part{k}") for k in range(1, len(cuts) - 1)]
    helpers = [subprocess.Popen([sys.executable, "-m", "checker.load.transcode", str(src), str(part), encoding,
                                 str(cuts[k]), str(cuts[k + 1])], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
               for k, part in enumerate(parts, start=1)]
    try:
        with dst.open("wb") as out:
            replaced = decode_range(src, out, encoding, cuts[0], cuts[1])
            for k, (helper, part) in enumerate(zip(helpers, parts), start=1):
                told, _ = helper.communicate()
                if helper.returncode == 0 and told.strip().isdigit():
                    replaced += int(told)
                    with part.open("rb") as fh:
                        out.flush()
                        _append(fh, out)
                else:  # a helper that could not run: decode its part here
                    replaced += decode_range(src, out, encoding, cuts[k], cuts[k + 1])
        return replaced
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
    src, part, encoding, start, end = argv
    with open(part, "wb") as out:
        print(decode_range(Path(src), out, encoding, int(start), int(end)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
