"""Progress shows on a terminal, and nowhere else."""

from __future__ import annotations

import io

from checker.progress import Progress, TerminalProgress, for_terminal
from checker.run import CheckOptions, check
from conftest import ROOT

QS = ROOT / "examples" / "quickstart"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _opts() -> CheckOptions:
    import datetime as dt

    return CheckOptions(data=QS / "data", rules=[QS / "rules"], schemas=QS / "schemas", as_of=dt.date(2026, 6, 30),
                        lang="en")


def test_quiet_when_not_a_terminal_or_asked():
    assert type(for_terminal(False, io.StringIO())) is Progress
    assert type(for_terminal(True, Tty())) is Progress
    assert isinstance(for_terminal(False, Tty()), TerminalProgress)


def test_terminal_progress_names_each_step():
    steps = []

    class Recording(Progress):
        def start(self, total):
            steps.append(total)

        def step(self, label):
            steps.append(label)

    check(_opts(), progress=Recording())
    assert steps == [4, "loading crm/complaints.csv", "loading crm/customers.jsonl", "checking crm.complaints",
                     "checking crm.customers"]


def test_terminal_progress_draws_on_its_stream():
    stream = Tty()
    bar = TerminalProgress(stream, force_terminal=True)
    check(_opts(), progress=bar)
    assert "checking crm.customers" in stream.getvalue() or "4/4" in stream.getvalue()
