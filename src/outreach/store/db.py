"""The store: the only module that touches TinyDB.

One JSON file in TinyDB's format (tables contacts, interviews, messages, sync,
meta) plus an append-only events file beside it, guarded by a lock file:

    store.json          the state, rewritten whole by each transaction
    store.events.jsonl  the history, one event per line, only ever appended
    store.json.lock     the cross-process lock (filelock), held while a transaction writes
    store.json.outbox.lock  held while one process carries messages into the mailbox
    store.json.lock.who     who last took a lock, so a process that waits can say for whom
    store.events.jsonl.torn bytes past the committed end, kept before a transaction cuts them

Why this shape:

- TinyDB's JSONStorage rewrites the file in place (a crash leaves broken JSON)
  and has neither a lock nor a way to batch writes. ``AtomicJSONStorage`` is a
  TinyDB ``Storage`` that writes a temporary file in the same folder, fsyncs it,
  ``os.replace``s it over the old one and fsyncs the folder, so the file on disk
  is always the old or the new version, owner-only (0600).
- Nothing is ever read as empty that was not written so: a 0-byte, cut or
  wrong-shaped main file is refused (StoreError with what to do), never taken for
  a new store whose first write would cut the history. A write that fails (full
  disk, read-only, no permission) is a StoreError sentence and leaves both files
  as they were.
- A transaction takes the lock, reads the file fresh (no cache can be stale),
  lets the caller change a ``State`` and writes once on a clean exit.
- The small tables come first in the file (meta, sync, then the records), so
  ``glance`` reads what a quiet cycle needs from the head of a 30 MB file. Meta
  keeps ``due``, when planning could next find something (``State.next_due``),
  only with the write that planned: any other write drops it.
- Events would make every contact update slower if they lived in the main file
  (TinyDB rewrites the whole file). They go to a JSON Lines file instead, and
  the main file's meta records how many bytes of it are *committed*. A
  transaction (under the lock) first cuts the events file back to that length
  (dropping a torn line or the events of a transaction that crashed before its
  commit), appends its events and fsyncs, then commits by replacing the main
  file with the new length. Readers only read the committed bytes. So events and
  state commit together, atomically, and appending costs the same whatever the
  size of the history. (Restoring an older store.json therefore also rolls the
  history back to that point; a store started afresh next to an old log sets
  the old log aside as store.events.jsonl.N instead of cutting it.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import gc
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import Storage

from outreach.core.errors import StoreError
from outreach.core.model import Contact, Event, Interview, Message, Records, State, Table, _fresh
from outreach.store.glance import Glance, read_head, sync_values

log = logging.getLogger(__name__)

#: How long a command waits for another process to finish carrying messages (s).
PERFORM_TIMEOUT = 900.0

#: The version of the file layout this code writes.
SCHEMA_VERSION = 1

Migration = Callable[[dict[str, Any]], dict[str, Any]]

#: from-version -> function turning a store of that version into version + 1.
MIGRATIONS: dict[int, Migration] = {}

TABLES = ("contacts", "interviews", "messages")
LOCK_TIMEOUT = 60.0


def _fsync_dir(folder: Path) -> None:
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
        shape = _shape_problem(data)
        if shape:
            self._broken(shape)
        return data

    def _broken(self, why: str) -> Any:
        raise StoreError(
            f"The store {self.path} cannot be used: {why}. It was left untouched, and so "
            f"is its history ({self.path.stem}.events.jsonl): restore the store from a "
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
        _fsync_dir(folder)
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


def _shape_problem(data: Any) -> str:
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
    for key in ("schema_version", "events_bytes"):
        value = meta.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"meta.{key} is {value!r}, not a count"
    for doc in data.get("sync", {}).values():
        if "key" not in doc or "value" not in doc:
            return "a record in 'sync' lacks its key or value"
    return ""


def _encode(record: Any) -> dict[str, Any]:
    """Return the stored form of a record (the model's own encoder, fast at scale)."""
    return record.to_dict()


def _dumps(value: Any) -> str:
    """One JSON value exactly as it appears inside the store file."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


KINDS: dict[str, Any] = {"contacts": Contact, "interviews": Interview, "messages": Message}


@dataclasses.dataclass
class _Loaded:
    """One version of the file as this process last read or wrote it.

    ``docs`` holds each table's documents by record id; ``texts`` their JSON and
    ``bodies`` each whole table's, as written (both filled as needed), so a
    transaction that changes one contact encodes that contact and copies the rest
    as it was. ``identity`` tells whether the file on disk is still this version
    (every write replaces the file).
    """

    identity: tuple[int, ...] | None
    meta: dict[str, Any]
    sync: dict[str, Any]  # the sync table as stored: doc id -> {"key", "value"}
    docs: dict[str, dict[str, dict[str, Any]]]
    texts: dict[str, dict[str, str]]
    bodies: dict[str, bytes] = dataclasses.field(default_factory=dict)
    tables: dict[str, Table[Any]] = dataclasses.field(default_factory=dict)
    stored: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # as parsed

    def text(self, table: str, key: str) -> str:
        texts = self.texts[table]
        found = texts.get(key)
        if found is None:
            found = texts[key] = _dumps(self.docs[table][key])
        return found

    def body(self, table: str) -> bytes:
        """The table as it appears in the file: ``"name":{"1":{...},...}``."""
        found = self.bodies.get(table)
        stored = self.stored.get(table)
        if found is None and stored is not None and len(stored) == len(self.docs[table]):
            found = self.bodies[table] = f'"{table}":{_dumps(stored)}'.encode()  # in one go
        if found is None:
            text = self.text
            found = self.bodies[table] = (
                f'"{table}":{{'
                + ",".join(f'"{n}":{text(table, key)}' for n, key in enumerate(self.docs[table], 1))
                + "}"
            ).encode()
        return found


def _copy(glanced: Glance) -> Glance:
    """A glance the caller may change."""
    return Glance(dict(glanced.meta), {k: _fresh(v) for k, v in glanced.sync.items()})


def _who(lock: Path) -> Path:
    return lock.with_name(lock.name + ".who")


def _note_holder(lock: Path) -> None:
    """Write who holds ``lock`` beside it, so a process that waits can say for whom."""
    words = [a for a in sys.argv[1:] if a.isalpha()][:1]  # the command, never a value's text
    command = [Path(sys.argv[0]).name, *words]
    with contextlib.suppress(OSError):
        _who(lock).write_text(f"{os.getpid()} {' '.join(command)}", encoding="utf-8")


def holder(lock: Path) -> str:
    """Return who last took the lock file ``lock``, as its holder noted it."""
    try:
        pid, _, command = _who(lock).read_text(encoding="utf-8").strip().partition(" ")
    except (OSError, UnicodeDecodeError):
        pid, command = "", ""
    if not pid.isdigit():
        return "another outreach process"
    return f"process {pid} ({command or 'outreach'})"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Parse without the cycle collector, then leave what was parsed out of its walks.

    A 30 MB store is a million small objects, all kept while the file is unchanged;
    the collector walked them again and again as records were decoded (a third of a
    10,000-contact plan). They hold no cycles, so nothing is lost by freezing them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


class Store:
    """The contact store: consistent reads, locked transactions, the events log.

    ``Store(path)`` does not touch the disk; the file is created by the first
    transaction that changes something (or by ``create``).
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 migrations: Mapping[int, Migration] | None = None,
                 version: int = SCHEMA_VERSION,
                 lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.events_path = self.path.with_name(self.path.stem + ".events.jsonl")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.outbox_lock_path = self.path.with_name(self.path.name + ".outbox.lock")
        self.storage = AtomicJSONStorage(self.path)
        self.migrations = MIGRATIONS if migrations is None else migrations
        self.version = version
        self.lock_timeout = lock_timeout
        self._loaded: _Loaded | None = None
        self._glanced: tuple[tuple[int, ...], Glance] | None = None

    # --- reading --------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def _identity(self) -> tuple[int, ...] | None:
        """What tells one version of the file from another (each write is a new file)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def _current(self) -> _Loaded:
        """Return the file's current version: the one in memory while the file is unchanged."""
        before = self._identity()
        if self._loaded is not None and before is not None and self._loaded.identity == before:
            return self._loaded
        with _collector_paused():
            raw = self.storage.read()
            if raw is None:
                raw = self._empty()
            raw = self._migrate(raw)
            same = before is not None and self._identity() == before
            loaded = self._index(raw, before if same else None)
        self._loaded = loaded if loaded.identity is not None else None
        return loaded

    def _index(self, raw: dict[str, Any], identity: tuple[int, ...] | None) -> _Loaded:
        """Key each table's documents by record id, checking each is a record at all."""
        docs: dict[str, dict[str, dict[str, Any]]] = {}
        for name in TABLES:
            table = raw.get(name) or {}
            if not isinstance(table, dict):
                raise StoreError(f"The store {self.path} has a broken table '{name}': not "
                                 "a JSON object.")
            found: dict[str, dict[str, Any]] = {}
            for doc_id, doc in table.items():
                if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                    raise StoreError(f"The store {self.path} has a broken record in "
                                     f"'{name}' (document {doc_id}): it has no id.")
                found[doc["id"]] = doc
            docs[name] = found
        sync = raw.get("sync") or {}
        return _Loaded(identity, dict(self._meta(raw)), sync, docs, {name: {} for name in TABLES},
                       stored={name: raw.get(name) or {} for name in TABLES})

    def _load(self) -> tuple[_Loaded, State]:
        """Return (the file's version, a fresh state over it), migrated to this version."""
        loaded = self._current()
        return loaded, self._to_state(loaded)

    def read(self) -> State:
        """Return a consistent snapshot of the state; no lock is held afterwards.

        The file is only ever replaced whole, so a read without the lock sees
        one complete version.
        """
        return self._load()[1]

    def glance(self) -> Glance:
        """Return the meta and sync tables of the current version, without the records.

        What a quiet cycle needs (the mailbox's sync state, when something is next due)
        costs the head of the file, not the whole of it (see store/glance.py); a file
        laid out otherwise, or of another version, is read whole. Consistent like ``read``.
        """
        before = self._identity()
        if before is None:
            return Glance()
        if self._glanced is None or self._glanced[0] != before:
            loaded = self._loaded if self._loaded is not None else None
            head = None if loaded is not None and loaded.identity == before else (
                read_head(self.path))
            meta = dict(next(iter(head[0].values()), {})) if head else {}
            if head is None or meta.get("schema_version", 1) != self.version:
                loaded = self._current()
                meta, sync = dict(loaded.meta), loaded.sync
            else:
                sync = head[1]
            glanced = Glance(meta, sync_values(sync))
            if self._identity() != before:
                return _copy(glanced)
            self._glanced = (before, glanced)
        return _copy(self._glanced[1])

    def events(self, contact_id: str | None = None) -> list[Event]:
        """Return the committed history, oldest first (one contact's, if given)."""
        committed = self._current().meta.get("events_bytes", 0)
        events = []
        # Lines are written compactly, so one contact's lines contain this exact text;
        # skipping the others unparsed makes `show` fast on a long history.
        needle = json.dumps({"contact_id": contact_id}, separators=(",", ":"))[1:-1].encode()
        for number, line in enumerate(self._read_events(committed), start=1):
            if contact_id is not None and needle not in line:
                continue
            try:
                event = Event.from_dict(json.loads(line))
            except (ValueError, TypeError, KeyError) as bad:
                log.warning("%s:%d: skipping an unreadable event (%s)", self.events_path,
                            number, bad)
                continue
            if contact_id is None or event.contact_id == contact_id:
                events.append(event)
        return events

    def _read_events(self, committed: int) -> list[bytes]:
        try:
            with open(self.events_path, "rb") as log_file:
                data = log_file.read(committed)
        except FileNotFoundError:
            return []
        # Only committed bytes are read; a torn line can only be past them.
        return [line for line in data.split(b"\n") if line.strip()]

    # --- writing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the cross-process lock. Raise StoreError if it stays busy too long."""
        with self._held(self.lock_path, self.lock_timeout, "writing to the store"):
            yield

    @contextlib.contextmanager
    def _held(self, path: Path, timeout: float, doing: str) -> Iterator[None]:
        """Hold the lock file ``path``; say so on stderr if another process holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock = FileLock(path, timeout=0, mode=0o600)
            who = holder(path)
            try:
                lock.acquire()
            except Timeout:
                log.warning("waiting up to %.0f s for %s, which is %s (%s)",
                            timeout, who, doing, path)
                lock.acquire(timeout=timeout)
        except Timeout:
            raise StoreError(
                f"The store {self.path} is busy: {who} has been {doing} for over "
                f"{timeout:.0f} s ({path}); try again when it is done."
            ) from None
        except OSError as failure:
            raise write_failed(self.path, failure) from None
        try:
            _note_holder(path)
            yield
        finally:
            lock.release()

    @contextlib.contextmanager
    def performing(self, timeout: float = PERFORM_TIMEOUT) -> Iterator[None]:
        """Hold the outbox lock: one process at a time carries messages into the mailbox.

        Separate from the data lock, which is held only while a transaction writes:
        carrying messages takes mailbox round trips, and the daemon and a command
        must not both act on the same planned message. The system frees it if the
        holder dies. Raise StoreError if another process holds it too long.
        """
        with self._held(self.outbox_lock_path, timeout, "carrying messages to the mailbox"):
            yield

    @contextlib.contextmanager
    def transaction(self) -> Iterator[State]:
        """Yield a fresh State under the lock; write it (and its events) once on clean exit.

        Nothing is written if the block raises, or if it changed nothing.
        """
        with self.lock():
            fresh = not self.path.exists()
            loaded, state = self._load()
            yield state
            changed, next_version = self._changes(state, loaded)
            due = state.next_due.isoformat() if state.next_due is not None else None
            if not changed and not state.events and due in (None, loaded.meta.get("due")):
                return  # nothing changed: what was due is due still
            if fresh:
                self._set_aside_orphaned_events()
            meta = next_version.meta
            meta["events_bytes"] = self._append_events(meta.get("events_bytes", 0),
                                                       state.events)
            meta["schema_version"] = self.version
            if due is None:
                meta.pop("due", None)  # this write did not plan: something may be due sooner
            else:
                meta["due"] = due
            self._remove_stale_temps()
            # meta and sync first: a glance reads them from the head of the file
            parts = [f'"meta":{_dumps({"1": meta})}'.encode(),
                     f'"sync":{_dumps(next_version.sync)}'.encode()]
            parts += [next_version.body(name) for name in TABLES]
            self._loaded = None  # until the new version is safely on disk
            try:
                self.storage.write_payload(b"{" + b",".join(parts) + b"}")
            except StoreError:
                self._cut_events(loaded.meta.get("events_bytes", 0))
                raise
            next_version.identity = self._identity()
            self._loaded = next_version

    @staticmethod
    def _changes(state: State, loaded: _Loaded) -> tuple[bool, _Loaded]:
        """Compare the state with the version it was read from: (changed, the new version).

        Only records decoded or set are encoded; one that did not change keeps its
        text, and a table with no change keeps the whole of its text.
        """
        changed = False
        after = _Loaded(None, dict(loaded.meta), loaded.sync, {}, {})
        for name in TABLES:
            table, before = getattr(state, name), loaded.docs[name]
            touched = table.touched if isinstance(table, Table) else set(table)
            new: dict[str, dict[str, Any]] = {}
            for key in touched:
                if key in table:
                    doc = _encode(table[key])
                    if doc != before.get(key):
                        new[key] = doc
            if not new and len(table) == len(before) and list(table) == list(before):
                after.docs[name], after.texts[name] = before, loaded.texts[name]
                for done, kept in ((loaded.bodies, after.bodies), (loaded.tables, after.tables)):
                    if name in done:
                        kept[name] = done[name]  # type: ignore[index]
                continue
            changed = True
            after.docs[name] = {key: new.get(key) or before[key] for key in table}
            texts = loaded.texts[name]
            after.texts[name] = {key: _dumps(new[key]) if key in new else texts[key]
                                 for key in table if key in new or key in texts}
        sync = {str(n): {"key": k, "value": v} for n, (k, v) in enumerate(state.sync.items(), 1)}
        if sync != loaded.sync:
            changed = True
            after.sync = json.loads(_dumps(sync))  # as stored (no lists shared with the state)
        return changed, after

    def drop_events(self, contact_id: str) -> int:
        """Rewrite the history without one contact's events (for `forget`); return how many.

        The rare exception to "append only": the log is rewritten to a temporary file
        and swapped in, then the main file records its new length. A crash between
        the two leaves a log shorter than recorded, which the next transaction
        accepts from its end.
        """
        with self.lock():
            raw = self.storage.read()
            if raw is None:
                return 0
            raw = self._migrate(raw)
            meta = dict(self._meta(raw))
            lines = self._read_events(meta.get("events_bytes", 0))
            needle = json.dumps({"contact_id": contact_id}, separators=(",", ":"))[1:-1].encode()
            kept = [line for line in lines if needle not in line]
            if len(kept) == len(lines):
                return 0
            payload = b"".join(line + b"\n" for line in kept)
            try:
                self._replace_events(payload)
            except OSError as failure:
                raise write_failed(self.events_path, failure) from None
            meta["events_bytes"] = len(payload)
            raw["meta"] = {"1": meta}
            self.storage.write(raw)
            return len(lines) - len(kept)

    def _replace_events(self, payload: bytes) -> None:
        """Swap in a new events file holding ``payload`` (temporary file, then rename)."""
        fd, tmp = tempfile.mkstemp(prefix=f".{self.events_path.name}.", suffix=".tmp",
                                   dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.events_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.path.parent)

    def create(self) -> bool:
        """Write an empty store if there is none. Return True if one was written."""
        with self.lock():
            if self.path.exists():
                return False
            self._set_aside_orphaned_events()
            self.storage.write(self._empty())
            return True

    def _append_events(self, committed: int, events: list[Event]) -> int:
        """Cut the log back to its committed length, append ``events``, fsync; return the end.

        Bytes past the committed length (a torn line, the events of a transaction
        that crashed) and a torn last line are first kept in store.events.jsonl.torn.
        Raise StoreError if the log cannot be written; nothing is committed then.
        """
        if not events and not self.events_path.exists():
            return committed
        try:
            fd = os.open(self.events_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as failure:
            raise write_failed(self.events_path, failure) from None
        try:
            size = os.fstat(fd).st_size
            if size < committed:
                log.warning("%s is shorter than recorded (%d < %d bytes); continuing from "
                            "its end", self.events_path, size, committed)
                committed = self._last_line_end(fd, size)
            if size > committed:
                self._set_aside_tail(fd, committed, size)
                os.ftruncate(fd, committed)
            os.lseek(fd, committed, os.SEEK_SET)
            if events:
                payload = b"".join(
                    json.dumps(e.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
                    + b"\n" for e in events)
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view):]
                committed += len(payload)
            os.fsync(fd)
        except OSError as failure:
            raise write_failed(self.events_path, failure) from None
        finally:
            os.close(fd)
        return committed

    @staticmethod
    def _last_line_end(fd: int, size: int) -> int:
        """Return the offset just after the log's last newline (0 if it has none)."""
        end = size
        while end > 0:
            start = max(0, end - 65536)
            chunk = os.pread(fd, end - start, start)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            end = start
        return 0

    def _set_aside_tail(self, fd: int, start: int, end: int) -> None:
        """Append the log's bytes [start, end) to store.events.jsonl.torn before cutting them."""
        tail = os.pread(fd, end - start, start)
        aside = self.events_path.with_name(self.events_path.name + ".torn")
        with open(aside, "ab", opener=lambda p, f: os.open(p, f, 0o600)) as out:
            out.write(tail if tail.endswith(b"\n") else tail + b"\n")
            out.flush()
            os.fsync(out.fileno())
        log.warning("%s: kept %d bytes that were never committed (a torn line or an "
                    "unfinished write) in %s", self.events_path, end - start, aside)

    def _cut_events(self, committed: int) -> None:
        """After a failed commit, take the appended events off the log again (best effort)."""
        with contextlib.suppress(OSError):
            os.truncate(self.events_path, committed)

    def _set_aside_orphaned_events(self) -> None:
        """Keep the history of a store that was moved away: a new store starts a new log."""
        if self.events_path.exists() and self.events_path.stat().st_size:
            n = 1
            while (aside := self.events_path.with_name(f"{self.events_path.name}.{n}")).exists():
                n += 1
            try:
                os.replace(self.events_path, aside)
            except OSError as failure:
                raise write_failed(self.events_path, failure) from None
            log.warning("%s belonged to an earlier store; kept it as %s", self.events_path,
                        aside)

    def _remove_stale_temps(self) -> None:
        """Remove temp files a crashed writer left (we hold the lock: none is live)."""
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    # --- layout and migrations ------------------------------------------------------------

    def _empty(self) -> dict[str, Any]:
        data: dict[str, Any] = {"meta": {"1": {"schema_version": self.version,
                                               "events_bytes": 0}}}
        data.update({name: {} for name in ("sync", *TABLES)})
        return data

    @staticmethod
    def _meta(raw: dict[str, Any]) -> dict[str, Any]:
        meta = raw.get("meta") or {}
        return next(iter(meta.values()), {}) if isinstance(meta, dict) else {}

    def _migrate(self, raw: dict[str, Any]) -> dict[str, Any]:
        version = self._meta(raw).get("schema_version", 1)
        if not isinstance(version, int):
            raise StoreError(f"The store {self.path} has no valid schema version ({version!r}).")
        if version > self.version:
            raise StoreError(
                f"The store {self.path} was written by a newer outreach (store version "
                f"{version}, this one reads up to {self.version}). Upgrade outreach; the "
                "store was left untouched."
            )
        while version < self.version:
            step = self.migrations.get(version)
            if step is None:
                raise StoreError(f"No migration from store version {version} to "
                                 f"{version + 1}; the store {self.path} was left untouched.")
            raw = step(raw)
            version += 1
            meta = dict(self._meta(raw))
            meta["schema_version"] = version
            raw["meta"] = {"1": meta}
        return raw

    def _to_state(self, loaded: _Loaded) -> State:
        """A fresh State over one version; each record is decoded when first looked at."""
        state = State()
        for name in TABLES:
            template = loaded.tables.get(name)
            if template is None:
                kind = Table if name == "contacts" else Records
                template = loaded.tables[name] = kind.lazy(loaded.docs[name],
                                                           self._decoder(name))
            setattr(state, name, template.fork())
        for doc in loaded.sync.values():
            state.sync[doc["key"]] = _fresh(doc["value"])
        return state

    def _decoder(self, name: str) -> Callable[[str, dict[str, Any]], Any]:
        kind = KINDS[name]

        def decode(key: str, doc: dict[str, Any]) -> Any:
            try:
                return kind.from_dict(doc)
            except (TypeError, ValueError, KeyError, AttributeError) as bad:
                raise StoreError(f"The store {self.path} has a broken record in "
                                 f"'{name}' (id {key}): {bad}.") from None

        return decode

    def tinydb(self) -> Any:
        """Return a TinyDB over this store's file, for ad hoc queries (read it, don't write)."""
        from tinydb import TinyDB

        return TinyDB(self.path, storage=AtomicJSONStorage)
