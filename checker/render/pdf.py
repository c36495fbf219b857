"""PDF: the HTML report printed by headless Chromium (Debian's ``chromium``), offline.

The browser runs with a throw-away profile and everything that could reach the
network switched off; the page itself loads nothing (its CSP says so).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from checker.problems import CheckerError, Problem, Span

TIMEOUT = 120  # seconds


def chromium() -> str | None:
    """The chromium executable on PATH, or None."""
    return shutil.which("chromium")


def print_pdf(html: str, path: Path) -> None:
    browser = chromium()
    if browser is None:
        raise CheckerError([Problem(Span(str(path)), "T504", "--pdf needs Debian's chromium on PATH "
                                    "(apt-get install chromium); write --html and print it from a browser instead")])
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="checker-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--no-default-browser-check", f"--user-data-dir={Path(tmp) / 'profile'}",
                "--no-pdf-header-footer", f"--print-to-pdf={path}", page.as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CheckerError([Problem(Span(str(path)), "T504", f"chromium did not print the report within "
                                        f"{TIMEOUT} s")]) from None
        if not path.is_file() or path.stat().st_size == 0:
            tail = " ".join((done.stderr or "").strip().splitlines()[-3:])
            raise CheckerError([Problem(Span(str(path)), "T504", f"chromium did not print the report "
                                        f"(exit status {done.returncode}): {tail or 'no message'}")])
