"""PDF: the HTML report printed by headless Chromium (Debian's ``chromium``), offline.

The browser runs with a throw-away profile and everything that could reach the
network switched off; the page itself loads nothing (its CSP says so).  It prints into
a temporary folder; the PDF reaches the asked path through :func:`checker.render.output.write_file`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from checker import codes
from checker.i18n import _
from checker.problems import CheckerError, Problem, Span

TIMEOUT = 120  # seconds


def chromium() -> str | None:
    """The chromium executable on PATH, or None."""
    return shutil.which("chromium")


def print_pdf(html: str, path: Path) -> bytes:
    """The PDF of ``html``, printed in a temporary folder (the caller writes it to ``path``).

    Every argument chromium gets is an option of ours with its value after '=' or the
    page's ``file://`` URL: no path can be read as an option.
    """
    browser = chromium()
    if browser is None:
        raise CheckerError([Problem(Span(str(path)), codes.T504,
                                    _("--pdf needs Debian's chromium on PATH (apt-get install chromium); "
                                      "write --html and print it from a browser instead"))])
    with tempfile.TemporaryDirectory(prefix="checker-pdf-") as tmp:
        page, printed = Path(tmp).resolve() / "report.html", Path(tmp).resolve() / "report.pdf"
        page.write_text(html, encoding="utf-8")
        args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--no-default-browser-check", f"--user-data-dir={Path(tmp) / 'profile'}",
                "--no-pdf-header-footer", f"--print-to-pdf={printed}", page.as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise CheckerError([Problem(Span(str(path)), codes.T504,
                                        _("chromium did not print the report within {seconds} s",
                                          seconds=TIMEOUT))]) from None
        if not printed.is_file() or printed.stat().st_size == 0:
            tail = " ".join((done.stderr or "").strip().splitlines()[-3:])
            raise CheckerError([Problem(Span(str(path)), codes.T504,
                                        _("chromium did not print the report (exit status {status}): {message}",
                                          status=done.returncode, message=tail or _("no message")))])
        return printed.read_bytes()
