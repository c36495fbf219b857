"""Where the bundled rules, schemas and report templates live.

From an installed wheel they are inside the package (``checker/_bundled``); from a
checkout they are the top-level ``rules/``, ``schemas/`` and ``reports/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """Return the bundled folder ``name`` (rules, schemas or reports)."""
    inside = _PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled folder '{name}' not found in {inside} or {checkout}")


#: How evidence names a bundled file: ``checker:<folder>/<path>@<version>`` (no installation path).
PREFIX = "checker:"


def shown(path: Path | str) -> str:
    """How outputs name ``path``: a bundled rule, schema or template by its stable package name
    (``checker:rules/customer-service/complaints-2.0.0.yaml@0.1.0``), any other file as given."""
    from checker import __version__

    resolved = Path(path).resolve()
    for name in ("rules", "schemas", "reports"):
        try:
            root = bundled(name).resolve()
        except FileNotFoundError:
            continue
        if resolved.is_relative_to(root):
            return f"{PREFIX}{name}/{resolved.relative_to(root).as_posix()}@{__version__}"
    return str(path)


def located(name: str) -> Path | None:
    """The file a :func:`shown` name of a bundled file stands for (any version), or None."""
    if not name.startswith(PREFIX):
        return None
    folder, _, rest = name[len(PREFIX):].partition("/")
    relative = rest.rsplit("@", 1)[0]
    if folder not in ("rules", "schemas", "reports") or ".." in Path(relative).parts:
        return None
    return bundled(folder) / relative
