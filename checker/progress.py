"""Progress on long work: loading and checking each dataset.

Shown on standard error only when it is a terminal and ``--quiet`` is not given; in CI
logs and pipes the checker stays quiet.  Rich draws it (and honours NO_COLOR).
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

from checker.i18n import tr

if TYPE_CHECKING:
    from rich.progress import TaskID


class Progress:
    """No progress display (the default)."""

    def start(self, total: int) -> None:
        pass

    def step(self, label: str) -> None:
        pass

    def stop(self) -> None:
        pass


class TerminalProgress(Progress):
    def __init__(self, stream: IO[str] | None = None, force_terminal: bool | None = None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=stream or sys.stderr, force_terminal=force_terminal)
        # labels name files and datasets, which come from outside: shown as text, never as rich markup
        self._bar = RichProgress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True)
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task(tr("starting"), total=total)

    def step(self, label: str) -> None:
        if self._task is not None:
            from checker.render.inert import inert

            self._bar.update(self._task, description=inert(label))
            self._bar.advance(self._task)

    def stop(self) -> None:
        self._bar.stop()


def for_terminal(quiet: bool, stream: IO[str] | None = None) -> Progress:
    stream = stream or sys.stderr
    if quiet or not (hasattr(stream, "isatty") and stream.isatty()):
        return Progress()
    return TerminalProgress(stream)
