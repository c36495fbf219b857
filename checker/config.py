"""The configuration file: ``checker.toml``, ``[tool.checker]`` in ``pyproject.toml``, or ``--config PATH``.

Keys are the long options of ``checker check`` with ``_`` for ``-`` (``data``, ``rules``, ``fail_on``, …),
plus ``[outputs]`` (``json``, ``html``, ``md``, ``junit``, ``sarif``, ``pdf``, ``violations_out``) and
``[profiles.<name>]`` tables of overrides chosen with ``--profile NAME``.  Paths are relative to the
file.  The file is looked for in the working directory, then its parents: in each, ``checker.toml``
before a ``pyproject.toml`` with a ``[tool.checker]`` table.

The command line beats the file, which beats the environment's defaults (``CHECKER_LANG``, …), which
beat the built-in defaults.  ``rules``, ``schemas``, ``waivers`` and ``lang`` apply to every command
that takes them; the other keys to ``check``.  Every mistake is a positioned problem: ``C701`` an
unknown key (with a suggestion), ``C702`` a value the option refuses, ``C703`` a file that is no TOML.

The file is data, never code: TOML is parsed by the standard library, each value converted by the
option's own type, exactly as if it were typed on the command line.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import codes
from checker.i18n import _
from checker.problems import CheckerError, Problem, Span, did_you_mean

FILE_NAME = "checker.toml"
#: [outputs] key -> the option it stands for
OUTPUTS = {"json": "json", "html": "html", "md": "md", "junit": "junit", "sarif": "sarif", "pdf": "pdf",
           "violations_out": "violations_out"}
#: keys that apply to every command taking an option of that name (the rest: ``check`` only)
SHARED = ("rules", "schemas", "waivers", "lang", "history")
#: the most a configuration file may be (it is read whole)
MAX_BYTES = 1_000_000


@dataclass
class Setting:
    """One configured value and where it was written."""

    key: str                 # the option's long name with '_' (``fail_on``), an output's ``outputs.<name>``
    value: Any               # as TOML gave it, paths already made absolute
    span: Span
    profile: str | None = None

    @property
    def origin(self) -> str:
        return f"{self.span} (profile {self.profile})" if self.profile else str(self.span)


@dataclass
class Config:
    """A configuration file's settings for one run (its profile applied)."""

    path: Path
    settings: dict[str, Setting] = field(default_factory=dict)
    profiles: tuple[str, ...] = ()


def discover(start: Path) -> Path | None:
    """The configuration file for a run in ``start``: there or in a parent folder, ``checker.toml`` first."""
    here = start.resolve()
    for folder in (here, *here.parents):
        own = folder / FILE_NAME
        if own.is_file():
            return own
        project = folder / "pyproject.toml"
        if project.is_file() and _has_tool_table(project):
            return project
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*checker\s*[\].]", text, re.M) is not None


def load(path: Path, allowed: dict[str, bool], profile: str | None = None) -> Config:
    """The settings of ``path`` with ``profile`` applied; ``allowed`` maps each key to whether it is a path.

    Raises :class:`CheckerError` with every problem found.
    """
    display = str(path)
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise CheckerError([Problem(Span(display), codes.C703, _("cannot read the configuration file: {error}",
                                                                 error=exc.strerror or str(exc)))]) from None
    if len(raw) > MAX_BYTES:
        raise CheckerError([Problem(Span(display), codes.C703, _("the configuration file is over 1 MB"))])
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise CheckerError([Problem(Span(display), codes.C703, _("the configuration file is not UTF-8"))]) from None
    except tomllib.TOMLDecodeError as exc:
        line, col = _error_position(str(exc), text)
        raise CheckerError([Problem(Span(display, line, col), codes.C703,
                                    _("not valid TOML: {error}", error=str(exc).split(" (at ")[0]),
                                    hint=_("see https://toml.io for the syntax"))]) from None
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("checker", {})
        prefix = ("tool", "checker")
    where = _Positions(text, display)
    problems: list[Problem] = []
    base = path.resolve().parent
    config = Config(path)

    def take(table: dict[str, Any], at: tuple[str, ...], profile_name: str | None) -> None:
        for key, value in table.items():
            if profile_name is None and key in ("outputs", "profiles"):
                continue
            if key == "outputs" and profile_name is not None:
                _outputs(value, at + ("outputs",), profile_name)
                continue
            if key not in allowed:
                problems.append(Problem(where.key(prefix + at, key), codes.C701,
                                        _("unknown configuration key '{key}'", key=key),
                                        hint=did_you_mean(key, [*allowed, "outputs", "profiles"])
                                        or _("keys are the long options of `checker check`, with _ for -")))
                continue
            config.settings[key] = Setting(key, _absolute(value, base) if allowed[key] else value,
                                           where.key(prefix + at, key), profile_name)

    def _outputs(table: Any, at: tuple[str, ...], profile_name: str | None) -> None:
        if not isinstance(table, dict):
            problems.append(Problem(where.key(prefix + at[:-1], at[-1]), codes.C702,
                                    _("[outputs] must be a table of report paths")))
            return
        for key, value in table.items():
            if key not in OUTPUTS:
                problems.append(Problem(where.key(prefix + at, key), codes.C701,
                                        _("unknown output '{key}'", key=key),
                                        hint=did_you_mean(key, OUTPUTS) or _("outputs: {names}",
                                                                             names=", ".join(OUTPUTS))))
                continue
            if not isinstance(value, str) or not value:
                problems.append(Problem(where.key(prefix + at, key), codes.C702,
                                        _("output '{key}' must be a file path", key=key)))
                continue
            config.settings[f"outputs.{key}"] = Setting(f"outputs.{key}", _absolute(value, base),
                                                        where.key(prefix + at, key), profile_name)

    take(data, (), None)
    if "outputs" in data:
        _outputs(data["outputs"], ("outputs",), None)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        problems.append(Problem(where.key(prefix, "profiles"), codes.C702,
                                _("[profiles] must hold one table per profile: [profiles.NAME]")))
        profiles = {}
    config.profiles = tuple(profiles)
    if profile is not None:
        if profile not in profiles:
            problems.append(Problem(where.key(prefix, "profiles"), codes.C701,
                                    _("no profile '{profile}' in the configuration file",
                                                                  profile=profile),
                                    hint=did_you_mean(profile, profiles) or (
                                        _("profiles: {names}", names=", ".join(profiles)) if profiles
                                        else _("add a [profiles.{profile}] table", profile=profile))))
        else:
            take(profiles[profile], ("profiles", profile), profile)
    if problems:
        raise CheckerError(problems)
    return config


def _absolute(value: Any, base: Path) -> Any:
    """A path (or list of paths) relative to the configuration file, as the run uses it: relative to the
    working directory when it is below it (so results, reports and annotations show ``data/...`` as if
    typed), else absolute; a URL or ``git:REV`` stays."""
    if isinstance(value, list):
        return [_absolute(v, base) for v in value]
    if isinstance(value, str) and value and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", value) \
            and not value.startswith("git:"):
        target = base / Path(value).expanduser()
        try:
            return str(target.relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(target)
    return value


def _error_position(message: str, text: str) -> tuple[int, int]:
    found = re.search(r"at line (\d+), column (\d+)", message)
    if found:
        return int(found.group(1)), int(found.group(2))
    if "end of document" in message:                # where the text stops
        lines = text.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1
    return 1, 1


class _Positions:
    """Where each key of a TOML text is written: the line and column of ``key =`` under its table header.

    Enough for the files this reads (tables, keys, inline values); a key it cannot place is put at its
    table's header, else at the file's first line."""

    _HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
    _KEY = re.compile(r"^(\s*)(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.keys: dict[tuple[tuple[str, ...], str], tuple[int, int]] = {}
        self.tables: dict[tuple[str, ...], int] = {(): 1}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                table = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
                self.tables.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.keys.setdefault((table, key.group(2).strip("\"'")), (number, len(key.group(1)) + 1))

    def key(self, table: tuple[str, ...], key: str) -> Span:
        if (table, key) in self.keys:
            line, col = self.keys[(table, key)]
            return Span(self.file, line, col)
        if table + (key,) in self.tables:
            return Span(self.file, self.tables[table + (key,)], 1)
        return Span(self.file, self.tables.get(table, 1), 1)


def as_text(value: Any) -> str:
    """A configured value as ``checker config`` shows it."""
    if isinstance(value, (list, tuple)):
        return ", ".join(as_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
