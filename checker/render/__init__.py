"""Rendered outputs: one module per format behind one interface, and a name -> renderer registry.

``render`` knows only ``model``: every format is a function of a
:class:`~checker.model.result.Result` (and a language and, optionally, a folder of
templates overriding ``reports/``).  ``text`` is the terminal summary; the rest are
in :data:`RENDERERS`, plus ``pdf``, which prints the HTML report with Chromium.  Every
format renders from the view (:mod:`checker.render.view`), which makes the result's text
inert first; files are written by :mod:`checker.render.output` (whole or not at all).

The package imports nothing itself: its names come from :mod:`checker.render.formats` on first
use, so a command that only needs one module (the terminal summary, ``inert``) does not pay for
Jinja and every format.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.render.formats import (
        FILE_FORMATS,
        GIVE_RESULT,
        RENDERERS,
        load_result,
        pdf_available,
        render,
        renderer,
        write,
        write_all,
    )

__all__ = ["FILE_FORMATS", "GIVE_RESULT", "RENDERERS", "load_result", "pdf_available", "render", "renderer",
           "write", "write_all"]


def __getattr__(name: str) -> Any:
    """A name of the registry (from :mod:`checker.render.formats`), else a submodule (``render.pdf``).

    To patch what ``render`` and ``write`` use, patch ``checker.render.formats``: these names are looked
    up there."""
    if name in __all__:
        return getattr(importlib.import_module("checker.render.formats"), name)
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":   # the submodule exists but an import inside it failed
                raise
    raise AttributeError(f"module 'checker.render' has no attribute '{name}'")


def __dir__() -> list[str]:
    from pkgutil import iter_modules

    return sorted({*globals(), *__all__, *(m.name for m in iter_modules(__path__))})
