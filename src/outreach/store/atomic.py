"""Whole-file writes of the store: a temporary file, fsync, rename, fsync the folder.

The JSON file is only ever replaced whole, so a reader (or a crash) sees the old
or the new version, never half of one. Failures are sentences (``write_failed``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb import Storage

from outreach.core.errors import StoreError

TABLES = ("contacts", "interviews", "messages")


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that replaces the file atomically and never overwrites a broken one.

    ``on_step`` is called with the name of each step of a write ("temp-created",
    "partly-written", "written", "synced", "replaced", "dir-synced"), so tests can
    stop the process at any point.
    """

    def __init__(self, path: str | os.PathLike[str],
                 on_step: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.on_step = on_step or (lambda step: None)

    def read(self) -> dict[str, Any] | None:
        """Return the parsed file, None if it does not exist. Raise StoreError if broken."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as failure:
            raise StoreError(f"The store {self.path} cannot be read: {failure}.") from None
        if not text.strip():
            # never written like this (every write is a whole JSON document): it was cut
            self._broken("the file is empty" if not text else "the file is blank")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as bad:
            self._broken(f"it is cut short or not JSON: {bad}")
        shape = shape_problem(data)
        if shape:
            self._broken(shape)
        return data

    def _broken(self, why: str) -> Any:
        raise StoreError(
            f"The store {self.path} cannot be used: {why}. It was left untouched, and so "
            f"are its history ({self.path.stem}.events.jsonl) and its journal "
            f"({self.path.stem}.journal.jsonl): restore the store from a "
            "backup, or move it aside to start an empty store (the history is then kept "
            "beside the new one)."
        )

    def write(self, data: dict[str, Any]) -> None:
        """Replace the file with ``data``: temp file, fsync, os.replace, fsync the folder.

        Raise StoreError with a sentence (full disk, read-only, no permission) if the
        new version cannot be written; the old file is then left as it was.
        """
        self.write_payload(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())

    def write_payload(self, payload: bytes) -> None:
        """Replace the file with ``payload``, the JSON text of the whole store, as ``write``."""
        try:
            self._write(payload)
        except OSError as failure:
            raise write_failed(self.path, failure) from None

    def _write(self, payload: bytes) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            self.on_step("temp-created")
            with os.fdopen(fd, "wb") as out:
                half = len(payload) // 2
                out.write(payload[:half])
                out.flush()
                self.on_step("partly-written")
                out.write(payload[half:])
                out.flush()
                self.on_step("written")
                os.fsync(out.fileno())
            self.on_step("synced")
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
            self.on_step("replaced")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(folder)
        self.on_step("dir-synced")

    def close(self) -> None:
        pass


#: errno -> what it means for the user, and what to do.
_WRITE_ERRORS = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "the file system is read-only; remount it read-write or move the store "
                 "(paths.store in the config)",
    errno.EACCES: "permission denied; check who owns {folder} and its files",
    errno.EPERM: "the operation is not permitted; check who owns {folder} and its files",
}


def write_failed(path: Path, failure: OSError) -> StoreError:
    """Return the StoreError that says why the store at ``path`` could not be written."""
    why = _WRITE_ERRORS.get(failure.errno or 0, failure.strerror or str(failure))
    return StoreError(
        f"The store {path} could not be written: {why.format(folder=path.parent)}. "
        "Nothing was changed."
    )


_TABLE_NAMES = (*TABLES, "sync", "meta")


def shape_problem(data: Any) -> str:
    """Return why ``data`` is not the store's shape ("" if it is)."""
    if not isinstance(data, dict):
        return f"the top level is {type(data).__name__}, not a JSON object of tables"
    if "meta" not in data:
        return "it has no 'meta' table, so it is not an outreach store"
    for name in _TABLE_NAMES:
        table = data.get(name, {})
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            return f"the table '{name}' is not a JSON object of records"
    meta = next(iter(data["meta"].values()), {})
    for key in ("schema_version", "events_bytes", "generation"):
        value = meta.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"meta.{key} is {value!r}, not a count"
    for doc in data.get("sync", {}).values():
        if "key" not in doc or "value" not in doc:
            return "a record in 'sync' lacks its key or value"
    return ""


def identity(path: Path) -> tuple[int, ...] | None:
    """What tells one version of a file from another (None if there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def append_tail(fd: int, start: int, end: int, aside: Path) -> None:
    """Append the bytes [start, end) of the open file ``fd`` to ``aside`` (owner-only), fsync'd.

    Bytes a crash left past a file's committed end are kept there before they are
    cut, so nothing is thrown away unseen.
    """
    tail = os.pread(fd, end - start, start)
    with open(aside, "ab", opener=lambda p, f: os.open(p, f, 0o600)) as out:
        out.write(tail if tail.endswith(b"\n") else tail + b"\n")
        out.flush()
        os.fsync(out.fileno())


def numbered_aside(path: Path) -> Path:
    """Move ``path`` to the first free ``path.N`` and return where it went."""
    n = 1
    while (aside := path.with_name(f"{path.name}.{n}")).exists():
        n += 1
    try:
        os.replace(path, aside)
    except OSError as failure:
        raise write_failed(path, failure) from None
    return aside
