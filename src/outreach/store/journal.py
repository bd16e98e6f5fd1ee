"""The store's journal: each change appended beside the JSON file, folded into it now and then.

Rewriting a 30 MB JSON file for every change made one contact edit cost a whole
file write and fsync. Instead a change is one line appended to
``store.journal.jsonl`` beside ``store.json``, naming only the documents it set
or removed, in TinyDB's own terms (table, document id)::

    {"base":3,"tables":{"contacts":{"17":{...}},"messages":{"90":null}},"sum":"1c2b3a4d"}

- ``base`` is the ``generation`` in store.json's meta that the line applies to.
  Compaction writes the JSON file whole with the next generation (atomically, as
  before) and then empties the journal; a crash in between leaves lines of the
  old generation, which are already in the file and are skipped.
- ``sum`` is the CRC-32 of the line's text before it. A line is a record only
  when it is whole, ends in a newline and its sum agrees; the first line that is
  not (a crash mid-append, a disk that lost the end) starts the *torn tail*: a
  reader stops there, and the next writer keeps those bytes in
  ``store.journal.jsonl.torn`` (with a warning) before it appends.
- A line is written with one ``write`` and fsync'd before the transaction
  returns: a change is acknowledged only once it is on disk.

Readers replay the records over the JSON file. Reading both without the lock is
consistent: the file is read, then the journal, then the file's identity is
checked again; compaction replaces the file before it touches the journal, so
a reader that raced it sees the change and reads again.

``JournalStorage`` is this as a TinyDB ``Storage``: ``TinyDB(path,
storage=JournalStorage)`` reads the file with its journal, and each write
appends the documents that differ. The ``Store`` uses the same pieces directly,
with the changes it already knows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock
from tinydb import Storage

from outreach.core.errors import StoreError
from outreach.store.atomic import (
    AtomicJSONStorage,
    append_tail,
    fsync_dir,
    identity,
    numbered_aside,
    write_failed,
)

log = logging.getLogger(__name__)

#: table -> document id -> the document as stored, or None where it was removed
Changes = dict[str, dict[str, Any]]

#: The journal is folded into the file when it grows past this many bytes, or past
#: this fraction of the file's size, whichever is larger (replaying it costs reads).
COMPACT_BYTES = 1 << 20
COMPACT_FRACTION = 8

_SUM = b',"sum":"'


def journal_path(path: Path) -> Path:
    """Where the journal of the store file ``path`` lives."""
    return path.with_name(path.stem + ".journal.jsonl")


def generation(raw: Mapping[str, Any]) -> int:
    """The generation of a store file's tables (0 for a file from before the journal)."""
    meta = raw.get("meta") or {}
    first = next(iter(meta.values()), {}) if isinstance(meta, dict) else {}
    value = first.get("generation", 0) if isinstance(first, dict) else 0
    return value if isinstance(value, int) else 0


def encode(base: int, changes: Changes) -> bytes:
    """One journal line: the changes to generation ``base``, with their checksum."""
    head = json.dumps({"base": base, "tables": changes}, ensure_ascii=False,
                      separators=(",", ":")).encode()[:-1]
    return head + b'%s%08x"}\n' % (_SUM, zlib.crc32(head))


def decode(line: bytes) -> dict[str, Any] | None:
    """Return the record of one line (without its newline); None if torn or damaged."""
    at = line.rfind(_SUM)
    if at < 0 or len(line) != at + len(_SUM) + 10 or not line.endswith(b'"}'):
        return None
    if b"%08x" % zlib.crc32(line[:at]) != line[at + len(_SUM):-2]:
        return None
    try:
        record = json.loads(line[:at] + b"}")
    except ValueError:
        return None
    if (not isinstance(record, dict) or not isinstance(record.get("base"), int)
            or not isinstance(record.get("tables"), dict)):
        return None
    return record


@dataclasses.dataclass
class Scan:
    """What a journal holds for one generation of the file."""

    records: list[Changes]  # the changes of that generation, oldest first
    end: int  # the offset just past the last whole record (of any generation)
    size: int  # how many bytes were read: past ``end`` lies a torn tail
    other: int | None = None  # the base of records written for another generation


def scan(data: bytes, base: int) -> Scan:
    """Read the records of ``data`` up to the first line that is not one."""
    records: list[Changes] = []
    end, other = 0, None
    while end < len(data):
        newline = data.find(b"\n", end)
        record = decode(data[end:newline]) if newline >= 0 else None
        if record is None:
            break
        if record["base"] == base:
            records.append(record["tables"])
        else:
            other = record["base"]
        end = newline + 1
    return Scan(records, end, len(data), other)


def apply(raw: dict[str, Any], changes: Changes) -> None:
    """Apply one record's changes to the tables ``raw`` in place."""
    for name, docs in changes.items():
        table = raw.setdefault(name, {})
        for doc_id, doc in docs.items():
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = doc


def diff(before: Mapping[str, Mapping[str, Any]],
         after: Mapping[str, Mapping[str, Any]]) -> Changes:
    """Return the changes that turn the tables ``before`` into ``after``, document by document."""
    changes: Changes = {}
    for name in [*after, *(n for n in before if n not in after)]:
        old, new = before.get(name) or {}, after.get(name) or {}
        docs = {doc_id: doc for doc_id, doc in new.items()
                if doc_id not in old or old[doc_id] != doc}
        docs.update((doc_id, None) for doc_id in old if doc_id not in new)
        if docs:
            changes[name] = docs
    return changes


class Journal:
    """The journal file: read whole, appended one fsync'd line at a time, cut, emptied.

    ``on_step`` is called at each step of an append ("journal-partly-written",
    "journal-written", "journal-synced") and of emptying it ("journal-reset"), so
    tests can stop the process there.
    """

    def __init__(self, path: Path, on_step: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.on_step = on_step or (lambda step: None)

    def read(self, start: int = 0) -> tuple[bytes, tuple[int, ...] | None]:
        """Return (the journal's bytes from ``start``, its identity after reading them);
        b"" if there is none."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(start)
                data = handle.read()
                st = os.fstat(handle.fileno())
        except FileNotFoundError:
            return b"", None
        except OSError as failure:
            raise StoreError(f"The store's journal {self.path} cannot be read: {failure}.") \
                from None
        return data, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def append(self, line: bytes, at: int) -> tuple[int, ...]:
        """Write ``line`` at offset ``at`` (the end of the last record) and fsync; return the
        journal's identity. On failure cut it back to ``at`` and raise StoreError."""
        created = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError as failure:
            raise write_failed(self.path, failure) from None
        try:
            half = len(line) // 2
            _write_all(fd, line[:half], at)
            self.on_step("journal-partly-written")
            _write_all(fd, line[half:], at + half)
            self.on_step("journal-written")
            os.fsync(fd)
            if created:
                fsync_dir(self.path.parent)
            self.on_step("journal-synced")
            st = os.fstat(fd)
        except OSError as failure:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, at)
                os.fsync(fd)
            raise write_failed(self.path, failure) from None
        finally:
            os.close(fd)
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def keep_tail(self, start: int) -> None:
        """Keep the bytes past ``start`` (a torn tail) in journal.torn, then cut them."""
        aside = self.path.with_name(self.path.name + ".torn")
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            return
        except OSError as failure:
            raise write_failed(self.path, failure) from None
        try:
            end = os.fstat(fd).st_size
            if end <= start:
                return
            append_tail(fd, start, end, aside)
            os.ftruncate(fd, start)
            os.fsync(fd)
        except OSError as failure:
            raise write_failed(self.path, failure) from None
        finally:
            os.close(fd)
        log.warning("%s: kept %d bytes that were never committed (a torn record or an "
                    "unfinished write) in %s", self.path, end - start, aside)

    def set_aside(self, why: str) -> None:
        """Move the whole journal to the first free journal.N, saying ``why``."""
        if self.path.exists():
            aside = numbered_aside(self.path)
            log.warning("%s %s; kept it as %s", self.path, why, aside)

    def reset(self) -> tuple[int, ...] | None:
        """Empty the journal (its records are in the file now); return its identity."""
        try:
            fd = os.open(self.path, os.O_WRONLY)
        except FileNotFoundError:
            return None
        except OSError as failure:
            raise write_failed(self.path, failure) from None
        try:
            os.ftruncate(fd, 0)
            os.fsync(fd)
            self.on_step("journal-reset")
            st = os.fstat(fd)
        except OSError as failure:
            raise write_failed(self.path, failure) from None
        finally:
            os.close(fd)
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _write_all(fd: int, data: bytes, at: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, at)
        view, at = view[written:], at + written


@dataclasses.dataclass
class Snapshot:
    """One consistent version of the store: the file's tables with the journal replayed."""

    raw: dict[str, Any] | None  # None: there is no store file
    file: tuple[int, ...] | None  # the file's identity
    journal: tuple[int, ...] | None  # the journal's identity as read
    scan: Scan
    base: int  # the file's generation


def needs_compacting(file: tuple[int, ...] | None, found: Scan) -> bool:
    """Whether the journal (as ``found``) has grown enough to fold it into ``file``."""
    file_size = file[1] if file else 0
    return found.end > max(COMPACT_BYTES, file_size // COMPACT_FRACTION)


class JournalStorage(Storage):
    """A TinyDB storage over the store file and its journal (see the module's docstring).

    ``read`` replays the journal over the file; ``write`` takes the store's lock
    and appends the documents that differ from what is on disk (a new store is
    written whole); ``compact`` folds the journal into the file.
    """

    def __init__(self, path: str | os.PathLike[str],
                 on_step: Callable[[str], None] | None = None, **_: Any) -> None:
        super().__init__()
        self.path = Path(path)
        self.file = AtomicJSONStorage(self.path)
        self.journal = Journal(journal_path(self.path))
        self.on_step = on_step or (lambda step: None)

    @property
    def on_step(self) -> Callable[[str], None]:
        return self.file.on_step

    @on_step.setter
    def on_step(self, hook: Callable[[str], None]) -> None:
        self.file.on_step = self.journal.on_step = hook

    def snapshot(self) -> Snapshot:
        """Read the file and the journal as one version, without the lock.

        Raise StoreError if the file is broken, or keeps being replaced under us.
        """
        for _ in range(50):
            before = identity(self.path)
            raw = self.file.read()
            if raw is None:
                return Snapshot(None, None, None, Scan([], 0, 0), 0)
            data, seen = self.journal.read()
            if identity(self.path) == before:
                base = generation(raw)
                found = scan(data, base)
                for changes in found.records:
                    apply(raw, changes)
                return Snapshot(raw, before, seen, found, base)
        raise StoreError(f"The store {self.path} kept changing while it was read; try again.")

    def read(self) -> dict[str, Any] | None:
        return self.snapshot().raw

    def write(self, data: dict[str, Any]) -> None:
        with FileLock(self.path.with_name(self.path.name + ".lock"), mode=0o600):
            now = self.snapshot()
            if now.raw is None:
                self.file.write(data)
                return
            changes = diff(now.raw, data)
            if changes:
                self.prepare(now.scan, now.base)
                self.journal.append(encode(now.base, changes), now.scan.end)

    def prepare(self, found: Scan, base: int) -> None:
        """Before appending (under the lock): set aside a torn tail or another generation's
        records, so the next record follows the last good one of generation ``base``."""
        if found.other is not None:
            if found.other == base - 1 and not found.records:
                self.journal.reset()  # a compaction that stopped before emptying it
            else:
                self.journal.set_aside(f"held records for another version of {self.path.name}"
                                       f" (generation {found.other}, the file is at {base})")
            found.end = found.size = 0
        elif found.size > found.end:
            self.journal.keep_tail(found.end)
            found.size = found.end

    def compact(self) -> None:
        """Fold the journal into the file (under the lock): a new generation, then empty."""
        with FileLock(self.path.with_name(self.path.name + ".lock"), mode=0o600):
            now = self.snapshot()
            if now.raw is None or not now.scan.end:
                return
            meta = next(iter(now.raw["meta"].values()))
            meta["generation"] = now.base + 1
            self.file.write(now.raw)
            self.journal.reset()

    def close(self) -> None:
        pass
