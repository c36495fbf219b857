"""Rules-as-config compliance checker for marketing-department records.

``checker.api`` is the Python interface; :class:`CheckerError` (``checker.CheckerError``) is what it
raises for a problem that stops a run.  Names are resolved on first use, so ``checker --version``
imports nothing else.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["CheckerError", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "CheckerError":
        from checker.problems import CheckerError

        return CheckerError
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
