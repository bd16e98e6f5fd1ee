"""The files a user names on the command line: read and written with a sentence for each fault.

Every path the user gives (``-o``, ``export``, ``report``, ``contacts export``,
``import``, ``prep``, ``log --from``) goes through here, so a missing folder, a
folder where a file was meant, no permission, a read-only file system or a full
disk is one sentence naming the option and the path (UserError, exit 2), never
a traceback. A written file appears whole or not at all (a temporary file in the
same folder, then a rename) and is owner-only: these files hold personal data.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from outreach.core.errors import UserError

#: errno -> what went wrong, worded for the person who gave the path.
_REASONS = {
    errno.ENOENT: "its folder {folder} does not exist; create it first or pick another path",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder; give a file name",
    errno.EACCES: "permission denied; pick a folder you may write to",
    errno.EPERM: "the operation is not permitted there; pick another folder",
    errno.EROFS: "the file system is read-only; pick another folder",
    errno.ENOSPC: "the disk is full; free some space or pick another disk",
    errno.EDQUOT: "the disk quota is used up; free some space or pick another disk",
    errno.ENAMETOOLONG: "the name is too long",
}


def problem(option: str, path: Path, failure: OSError, doing: str = "written") -> UserError:
    """Return the UserError that says why ``path`` (given as ``option``) could not be used."""
    reason = _REASONS.get(failure.errno or 0, failure.strerror or str(failure))
    if failure.errno == errno.ENOENT and doing == "read":
        reason = "there is no such file"
    elif failure.errno == errno.EACCES and doing == "read":
        reason = "permission denied; check who owns it"
    return UserError(f"{option} {path}: cannot be {doing}: "
                     f"{reason.format(folder=path.parent)}. Nothing was {doing}.")


@contextlib.contextmanager
def _replacing(path: Path, option: str) -> Iterator[IO[bytes]]:
    """Yield a temporary file beside ``path``; on a clean exit it replaces ``path`` whole."""
    if path.is_dir():
        raise problem(option, path, IsADirectoryError(errno.EISDIR, "is a directory"))
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as failure:
        raise problem(option, path, failure) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as failure:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise problem(option, path, failure) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write(path: Path, data: str | bytes, option: str = "--output") -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole, owner-only. Raise UserError if not."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _replacing(path, option) as out:
        out.write(payload)


def write_with(path: Path, fill: Callable[[IO[bytes]], None], option: str = "--output") -> None:
    """Write ``path`` whole by handing ``fill`` the open file (e.g. a zip archive)."""
    with _replacing(path, option) as out:
        fill(out)


def private_folder(path: Path, option: str = "--output") -> None:
    """Create the folder ``path`` owner-only (its parents must exist). Raise UserError if not."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path}: it is a file, but a folder is needed here; pick a "
                        "new folder name (or a .zip file).")
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError as failure:
        raise problem(option, path, failure, "created") from None


def read_text(path: Path, option: str) -> str:
    """Return the UTF-8 text of ``path``. Raise UserError naming the option, path and line."""
    try:
        data = path.read_bytes()
    except OSError as failure:
        raise problem(option, path, failure, "read") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        raise UserError(f"{option} {path}, line {line}: not UTF-8 text (byte {bad.start}); "
                        "save it as UTF-8 and try again.") from None
