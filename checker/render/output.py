"""Where the checker writes: output paths checked before any work, files written whole or not at all.

Every option that writes a file (``--json``, ``--html``, ``--md``, ``--junit``, ``--sarif``,
``--pdf``, ``--violations-out``) goes through :func:`output_file` when the command starts,
and every report and result file is written by :func:`write_file`; the folders of
``sample --out`` and ``demo --out`` go through :func:`output_folder`.  Guaranteed:

- an empty path, a path holding NUL, a path naming a folder (an existing one, or one
  written with a trailing slash), a path below something that is not a folder, and a
  read-only file or folder are each one problem naming the path (exit status 2), before
  anything is run or written;
- a regular file is written to a temporary file in the same folder and renamed over the
  path when complete, so a failed write (a full disk) leaves no partial file and the old
  file, if any, untouched; a symbolic link to a regular file is replaced by the new
  file, never written through;
- a path that already is (or links to) something other than a regular file or a folder
  (``/dev/null``, ``/dev/stdout``, ``/dev/full``, a named pipe) is written in place, and a
  failure there (``/dev/full``: no space left) is a problem too, never a traceback;
- nothing is written anywhere else, except the path's missing parent folders.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from checker import codes
from checker.codes import Code
from checker.i18n import Msg, _
from checker.problems import CheckerError, Problem, Span

HINT = _("give the path of a file in a folder you can write")
TEMP_PREFIX = ".checker-"


def _problem(path: object, code: Code, message: Msg, hint: Msg | None = HINT) -> CheckerError:
    return CheckerError([Problem(Span(str(path)), code, message, hint=hint)])


def _nearest_existing(path: Path) -> Path:
    for folder in path.parents:
        if os.path.lexists(folder):
            return folder
    return Path(".")


def _check_parent(path: Path, code: Code, what: str | Msg) -> None:
    folder = _nearest_existing(path)
    if not folder.is_dir():
        raise _problem(path, code, _("cannot write the {what}: {folder} is not a folder", what=what,
                                     folder=str(folder)))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _problem(path, code, _("cannot write the {what}: the folder {folder} is not writable", what=what,
                                                folder=str(folder)))


def _check_text(raw: str | os.PathLike, code: Code, what: str | Msg, hint: Msg = HINT) -> str:
    text = os.fspath(raw)
    if not text:
        raise _problem("(empty path)", code, _("cannot write the {what}: the path is empty", what=what), hint)
    if "\x00" in text:
        raise _problem(repr(text), code, _("cannot write the {what}: the path holds a NUL character", what=what), hint)
    return text


def output_file(raw: str | os.PathLike | None, what: str | Msg, code: Code = codes.T503) -> Path | None:
    """The path of a file the command will write, checked now (see the module's guarantees)."""
    if raw is None:
        return None
    text = _check_text(raw, code, what)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise _problem(text, code, _("cannot write the {what}: {path} is a folder", what=what, path=text),
                       _("give a file name"))
    if os.path.lexists(path) and not path.is_symlink() and path.is_file() and not os.access(path, os.W_OK):
        raise _problem(text, code, _("cannot write the {what}: the file is read-only", what=what))
    _check_parent(path, code, what)
    return path


def output_folder(raw: str | os.PathLike, what: str | Msg, code: Code = codes.D401) -> Path:
    """The path of a folder the command will create or fill, checked now."""
    text = _check_text(raw, code, what, _("give the path of a folder you can write"))
    path = Path(text)
    if os.path.lexists(path) and not path.is_dir():
        raise _problem(path, code, _("cannot write the {what}: {path} exists and is not a folder", what=what,
                                     path=str(path)), _("give a new or existing folder"))
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise _problem(path, code, _("cannot write the {what}: the folder is not writable", what=what))
    else:
        _check_parent(path, code, what)
    return path


def write_failed(err: OSError, path: object, what: str | Msg, code: Code = codes.T503) -> CheckerError:
    """An OSError from writing ``what`` at ``path`` as one problem."""
    reason = err.strerror or str(err)
    where = err.filename if err.filename and str(err.filename) != str(path) else None
    if where and Path(str(where)).name.startswith(TEMP_PREFIX):
        where = None  # our temporary file: the path is what the user knows
    if where:
        return _problem(path, code, _("cannot write the {what}: {reason} ({path})", what=what, reason=reason,
                                      path=str(where)))
    return _problem(path, code, _("cannot write the {what}: {reason}", what=what, reason=reason))


def write_file(path: Path, data: bytes, what: str | Msg, code: Code = codes.T503) -> None:
    """Write ``data`` at ``path`` whole, or raise one problem and leave no partial file."""
    path = Path(_check_text(path, code, what))
    try:
        if special(path):
            with open(path, "wb") as fh:
                fh.write(data)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, _mode(path))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise write_failed(err, path, what, code) from None


def special(path: Path) -> bool:
    """Whether ``path`` already is (or links to) something other than a regular file or a folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _mode(path: Path) -> int:
    """The permissions of the file being replaced, else those a new file gets (0o666 less the umask)."""
    try:
        if path.is_file() and not path.is_symlink():
            return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
