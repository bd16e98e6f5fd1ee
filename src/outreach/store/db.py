"""The store: the only module that touches TinyDB.

One JSON file in TinyDB's format (tables contacts, interviews, messages, sync,
meta), a journal of the changes since it was last written whole, and an
append-only events file beside it, guarded by a lock file:

    store.json          the state as of the last compaction (plain JSON, TinyDB's layout)
    store.journal.jsonl the changes since, one record per transaction (journal.py)
    store.events.jsonl  the history, one event per line, only ever appended
    store.json.lock     the cross-process lock (filelock), held while a transaction writes
    store.json.outbox.lock  held while one process carries messages into the mailbox
    store.json.lock.who     who last took a lock, so a process that waits can say for whom
    store.events.jsonl.torn, store.journal.jsonl.torn
                        bytes past the committed end, kept before a writer cuts them

Why this shape:

- TinyDB's JSONStorage rewrites the file in place (a crash leaves broken JSON)
  and has neither a lock nor a way to batch writes; rewriting a 30 MB file for
  each change is also what made one edit slow. ``JournalStorage`` (journal.py)
  is a TinyDB ``Storage`` that appends each change to the journal, fsync'd, and
  folds the journal into the file past a threshold, on a clean stop of the
  daemon and before an export; the file itself is only ever replaced whole
  (``AtomicJSONStorage``, atomic.py: temp file, fsync, rename, fsync the folder),
  owner-only (0600).
- Nothing is ever read as empty that was not written so: a 0-byte, cut or
  wrong-shaped main file is refused (StoreError with what to do), never taken for
  a new store whose first write would cut the history. A write that fails (full
  disk, read-only, no permission) is a StoreError sentence naming the file and
  leaves every file as it was.
- A transaction takes the lock, reads the file and journal fresh (no cache can
  be stale), lets the caller change a ``State`` and writes once on a clean exit.
- The small tables come first in the file (meta, sync, then the records), so
  ``glance`` reads what a quiet cycle needs from the head of a 30 MB file and the
  journal's records. Meta keeps ``due``, when planning could next find something
  (``State.next_due``), only with the write that planned: any other write drops it.
- Events would make every change bigger if they lived in the state. They go to
  a JSON Lines file instead, and the state's meta records how many bytes of it
  are *committed*. A transaction (under the lock) first cuts the events file back
  to that length (dropping a torn line or the events of a transaction that
  crashed before its commit), appends its events and fsyncs, then commits by
  appending its journal record with the new length. Readers only read the
  committed bytes. So events and state commit together, atomically, and
  appending costs the same whatever the size of the history. (Restoring an
  older store.json therefore also rolls the history back to that point; a store
  started afresh next to an old log sets the old log and journal aside as
  store.events.jsonl.N and store.journal.jsonl.N instead of cutting them.)
"""

from __future__ import annotations

import contextlib
import dataclasses
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

from outreach.core.errors import StoreError
from outreach.core.model import Contact, Event, Interview, Message, Records, State, Table, _fresh
from outreach.store import atomic, journal
from outreach.store.atomic import TABLES, AtomicJSONStorage, identity, write_failed
from outreach.store.glance import Glance, read_head, sync_values
from outreach.store.journal import Changes, JournalStorage, Scan

__all__ = ["TABLES", "AtomicJSONStorage", "JournalStorage", "Store", "write_failed"]

log = logging.getLogger(__name__)

#: How long a command waits for another process to finish carrying messages (s).
PERFORM_TIMEOUT = 900.0

#: The version of the file layout this code writes.
SCHEMA_VERSION = 2

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _journal_beside(raw: dict[str, Any]) -> dict[str, Any]:
    """1 -> 2: the records are unchanged; recent changes may now sit in the journal
    beside the file, which an outreach that knows only version 1 would not read, so it
    must refuse the store rather than act on an old state."""
    return raw


#: from-version -> function turning a store of that version into version + 1.
MIGRATIONS: dict[int, Migration] = {1: _journal_beside}

LOCK_TIMEOUT = 60.0


def _encode(record: Any) -> dict[str, Any]:
    """Return the stored form of a record (the model's own encoder, fast at scale)."""
    return record.to_dict()


def _dumps(value: Any) -> str:
    """One JSON value exactly as it appears inside the store file."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


KINDS: dict[str, Any] = {"contacts": Contact, "interviews": Interview, "messages": Message}


@dataclasses.dataclass
class _Loaded:
    """One version of the store as this process last read or wrote it.

    ``docs`` holds each table's documents by record id and ``ids`` each record's
    document id in the file; ``texts`` their JSON and ``bodies`` each whole
    table's, as written (both filled as needed), so compacting copies what did
    not change. ``identity`` and ``journal`` tell whether the file and its journal
    on disk are still this version; ``scan`` where the journal's last record ends.
    """

    identity: tuple[int, ...] | None
    meta: dict[str, Any]
    sync: dict[str, Any]  # the sync table as stored: doc id -> {"key", "value"}
    docs: dict[str, dict[str, dict[str, Any]]]
    texts: dict[str, dict[str, str]]
    ids: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    next_id: dict[str, int] = dataclasses.field(default_factory=dict)
    bodies: dict[str, bytes] = dataclasses.field(default_factory=dict)
    tables: dict[str, Table[Any]] = dataclasses.field(default_factory=dict)
    stored: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # as parsed
    journal: tuple[int, ...] | None = None
    scan: Scan = dataclasses.field(default_factory=lambda: Scan([], 0, 0))
    base: int = 0  # the file's generation
    migrated: bool = False  # read from an older layout: the next write is whole

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
            text, ids = self.text, self.ids[table]
            found = self.bodies[table] = (
                f'"{table}":{{'
                + ",".join(f'"{ids[key]}":{text(table, key)}' for key in self.docs[table])
                + "}"
            ).encode()
        return found

    def payload(self) -> bytes:
        """The whole file's JSON text: meta and sync first, for ``Store.glance``."""
        parts = [f'"meta":{_dumps({"1": self.meta})}'.encode(),
                 f'"sync":{_dumps(self.sync)}'.encode()]
        parts += [self.body(name) for name in TABLES]
        return b"{" + b",".join(parts) + b"}"


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
        self.storage = JournalStorage(self.path)
        self.journal_path = self.storage.journal.path
        self.migrations = MIGRATIONS if migrations is None else migrations
        self.version = version
        self.lock_timeout = lock_timeout
        self._loaded: _Loaded | None = None
        self._glanced: tuple[tuple[Any, ...], Glance] | None = None

    # --- reading --------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def _current(self) -> _Loaded:
        """Return the store's current version: the one in memory while nothing changed on disk."""
        loaded = self._loaded
        if loaded is not None and loaded.identity == identity(self.path):
            if loaded.journal == identity(self.journal_path):
                return loaded
            caught_up = self._caught_up(loaded)
            if caught_up is not None:
                self._loaded = caught_up
                return caught_up
        with _collector_paused():
            snapshot = self.storage.snapshot()
            raw = self._empty() if snapshot.raw is None else snapshot.raw
            version = self._meta(raw).get("schema_version", 1)
            raw = self._migrate(raw)
            loaded = self._index(raw)
        loaded.identity, loaded.journal = snapshot.file, snapshot.journal
        loaded.scan, loaded.base = snapshot.scan, snapshot.base
        loaded.migrated = version != self.version
        self._loaded = loaded if snapshot.raw is not None else None
        return loaded

    def _caught_up(self, loaded: _Loaded) -> _Loaded | None:
        """Return ``loaded`` with the records other processes appended since; None when only
        a whole read will do (the journal was cut or emptied, the file replaced meanwhile).

        The daemon keeps the store in memory; a command that edits one contact appends
        one record, so the daemon's next read applies that record instead of parsing
        the whole file again.
        """
        seen, now = loaded.journal, identity(self.journal_path)
        if loaded.migrated or seen is None or now is None or now[0] != seen[0] \
                or now[1] <= loaded.scan.end:
            return None
        data, journal_id = self.storage.journal.read(loaded.scan.end)
        if identity(self.path) != loaded.identity:
            return None  # compacted while we read: the records may be of the old file
        found = journal.scan(data, loaded.base)
        if found.other is not None:
            return None
        after = loaded
        for changes in found.records:
            applied = _applied(after, changes, self.version)
            if applied is None:
                return None
            after = applied
        after.identity, after.journal, after.base = loaded.identity, journal_id, loaded.base
        after.scan = Scan([], loaded.scan.end + found.end, loaded.scan.end + found.size)
        return after

    def _index(self, raw: dict[str, Any]) -> _Loaded:
        """Key each table's documents by record id, checking each is a record at all."""
        docs: dict[str, dict[str, dict[str, Any]]] = {}
        ids: dict[str, dict[str, str]] = {}
        for name in TABLES:
            table = raw.get(name) or {}
            if not isinstance(table, dict):
                raise StoreError(f"The store {self.path} has a broken table '{name}': not "
                                 "a JSON object.")
            found: dict[str, dict[str, Any]] = {}
            numbers: dict[str, str] = {}
            for doc_id, doc in table.items():
                if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                    raise StoreError(f"The store {self.path} has a broken record in "
                                     f"'{name}' (document {doc_id}): it has no id.")
                found[doc["id"]] = doc
                numbers[doc["id"]] = doc_id
            docs[name], ids[name] = found, numbers
        sync = raw.get("sync") or {}
        ids["sync"] = {doc["key"]: doc_id for doc_id, doc in sync.items()}
        next_id = {name: _next_id(raw.get(name) or {}) for name in (*TABLES, "sync")}
        return _Loaded(None, dict(self._meta(raw)), sync, docs, {name: {} for name in TABLES},
                       ids=ids, next_id=next_id,
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
        costs the head of the file and the journal's records, not the whole file (see
        store/glance.py); a file laid out otherwise, or of another version, is read
        whole. Consistent like ``read``.
        """
        for _ in range(50):
            before = (identity(self.path), identity(self.journal_path))
            if before[0] is None:
                return Glance()
            if self._glanced is not None and self._glanced[0] == before:
                return _copy(self._glanced[1])
            loaded = self._loaded
            if loaded is not None and (loaded.identity, loaded.journal) == before:
                glanced = Glance(dict(loaded.meta), sync_values(loaded.sync))
            else:
                head = read_head(self.path)
                data, _ = self.storage.journal.read()
                if (identity(self.path), identity(self.journal_path)) != before:
                    continue  # written meanwhile: look again
                glanced = self._replayed(head, data)
            self._glanced = (before, glanced)
            return _copy(glanced)
        raise StoreError(f"The store {self.path} kept changing while it was read; try again.")

    def _replayed(self, head: tuple[dict[str, Any], dict[str, Any]] | None,
                  data: bytes) -> Glance:
        """The head of the file with the journal's changes to meta and sync applied."""
        meta = self._meta({"meta": head[0]}) if head else {}
        if head is None or meta.get("schema_version", 1) != self.version:
            loaded = self._current()
            return Glance(dict(loaded.meta), sync_values(loaded.sync))
        tables = {"meta": head[0], "sync": head[1]}
        for changes in journal.scan(data, journal.generation(tables)).records:
            journal.apply(tables, {k: v for k, v in changes.items() if k in tables})
        return Glance(dict(self._meta(tables)), sync_values(tables["sync"]))

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
            loaded, state = self._load()
            yield state
            after, changes = self._changes(state, loaded)
            due = state.next_due.isoformat() if state.next_due is not None else None
            if not changes and not state.events and due in (None, loaded.meta.get("due")):
                return  # nothing changed: what was due is due still
            if loaded.identity is None:
                self._set_aside_orphans()
            after.meta["events_bytes"] = self._append_events(
                loaded.meta.get("events_bytes", 0), state.events)
            if due is None:
                after.meta.pop("due", None)  # this write did not plan: something may be due sooner
            else:
                after.meta["due"] = due
            self._commit(loaded, after, changes)

    def _commit(self, loaded: _Loaded, after: _Loaded, changes: Changes) -> None:
        """Make ``after`` (``loaded`` with ``changes``) the store's version; events are appended.

        A new store, or one read from an older layout, is written whole; otherwise the
        changes are one record appended to the journal, which is folded into the file
        once it has grown enough. Raise StoreError if nothing could be written; the
        appended events are then taken off again.
        """
        after.meta["schema_version"] = self.version
        self._loaded = None  # until the new version is safely on disk
        self._remove_stale_temps()
        try:
            self.storage.prepare(loaded.scan, loaded.base)  # a torn tail is kept, not lost
            if loaded.identity is None or loaded.migrated:
                self._write_whole(after, loaded.base + (loaded.identity is not None))
            else:
                changes["meta"] = {"1": after.meta}
                line = journal.encode(loaded.base, changes)
                after.journal = self.storage.journal.append(line, loaded.scan.end)
                after.identity, after.base = loaded.identity, loaded.base
                after.scan = Scan([], loaded.scan.end + len(line), loaded.scan.end + len(line))
        except StoreError:
            self._cut_events(loaded.meta.get("events_bytes", 0))
            raise
        self._loaded = after
        if journal.needs_compacting(after.identity, after.scan):
            with contextlib.suppress(StoreError):
                self._fold(after)

    def _write_whole(self, version: _Loaded, generation: int) -> None:
        """Write ``version`` as the whole file of ``generation``, then empty the journal."""
        version.meta["generation"] = generation
        self.storage.file.write_payload(version.payload())
        version.identity, version.base = identity(self.path), generation
        version.journal = self.storage.journal.reset()
        version.scan = Scan([], 0, 0)

    def _fold(self, version: _Loaded) -> None:
        """Compact after a commit: the change is already safe, so a failure only warns."""
        self._loaded = None
        try:
            self._write_whole(version, version.base + 1)
        except StoreError as problem:
            log.warning("%s The change itself was saved in %s.", problem, self.journal_path)
            raise
        self._loaded = version

    def compact(self) -> bool:
        """Fold the journal into the store file, so the file alone holds everything.

        Called on a clean shutdown and before the file is read as a plain file (an
        export). Return True if there was anything to fold. Raise StoreError (a
        sentence) if the file cannot be written; the store is then as it was.
        """
        with self.lock():
            loaded = self._current()
            if loaded.identity is None or not (loaded.scan.size or loaded.migrated):
                return False
            self._loaded = None
            self.storage.prepare(loaded.scan, loaded.base)  # a torn tail is kept, not lost
            self._write_whole(loaded, loaded.base + 1)
            self._loaded = loaded
            return True

    def compact_if_possible(self) -> None:
        """``compact``, where a failure to write only warns: the journal holds every change."""
        self._current()  # a store that cannot be read is an error, as for any command
        try:
            self.compact()
        except StoreError as problem:
            log.warning("%s The journal %s keeps every change meanwhile.", problem,
                        self.journal_path)

    @staticmethod
    def _changes(state: State, loaded: _Loaded) -> tuple[_Loaded, Changes]:
        """Compare the state with the version it was read from: (the new version, the changes).

        Only records decoded or set are encoded; one that did not change keeps its
        text, and a table with no change keeps the whole of its text. The changes
        name documents by their id in the file: a new record gets the next free id,
        a removed one is None.
        """
        changes: Changes = {}
        after = _Loaded(None, dict(loaded.meta), loaded.sync, {}, {}, ids=dict(loaded.ids),
                        next_id=dict(loaded.next_id))
        for name in TABLES:
            table, before, ids = getattr(state, name), loaded.docs[name], loaded.ids[name]
            touched = table.touched if isinstance(table, Table) else set(table)
            new: dict[str, dict[str, Any]] = {}
            for key in touched:
                if key in table:
                    doc = _encode(table[key])
                    if doc != before.get(key):
                        new[key] = doc
            added = [key for key in new if key not in before]
            gone = ([key for key in before if key not in table]
                    if len(table) != len(before) + len(added) else [])
            if not new and not gone:
                after.docs[name], after.texts[name] = before, loaded.texts[name]
                for done, kept in ((loaded.bodies, after.bodies), (loaded.tables, after.tables)):
                    if name in done:
                        kept[name] = done[name]  # type: ignore[index]
                continue
            docs, texts, numbers = dict(before), dict(loaded.texts[name]), dict(ids)
            removed = {}
            for key in gone:
                del docs[key]
                texts.pop(key, None)
                removed[numbers.pop(key)] = None
            changed = {numbers[key]: new[key] for key in new if key in before}
            for key in _in_table_order(table, added):  # new documents go last, in order
                numbers[key] = str(after.next_id[name])
                after.next_id[name] += 1
                changed[numbers[key]] = docs[key] = new[key]
            docs.update((key, new[key]) for key in new if key in before)
            texts.update((key, _dumps(doc)) for key, doc in new.items())
            after.docs[name], after.texts[name], after.ids[name] = docs, texts, numbers
            changes[name] = changed | removed
        sync = _sync_changes(state.sync, loaded, after)
        if sync:
            changes["sync"] = sync
        return after, changes

    def drop_events(self, contact_id: str) -> int:
        """Rewrite the history without one contact's events (for `forget`); return how many.

        The rare exception to "append only": the log is rewritten to a temporary file
        and swapped in, then the store records its new length. A crash between
        the two leaves a log shorter than recorded, which the next transaction
        accepts from its end.
        """
        with self.lock():
            loaded = self._current()
            if loaded.identity is None:
                return 0
            lines = self._read_events(loaded.meta.get("events_bytes", 0))
            needle = json.dumps({"contact_id": contact_id}, separators=(",", ":"))[1:-1].encode()
            kept = [line for line in lines if needle not in line]
            if len(kept) == len(lines):
                return 0
            payload = b"".join(line + b"\n" for line in kept)
            try:
                self._replace_events(payload)
            except OSError as failure:
                raise write_failed(self.events_path, failure) from None
            after, changes = self._changes(self._to_state(loaded), loaded)
            after.meta["events_bytes"] = len(payload)
            self._commit(loaded, after, changes)
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
        atomic.fsync_dir(self.path.parent)

    def create(self) -> bool:
        """Write an empty store if there is none. Return True if one was written."""
        with self.lock():
            if self.path.exists():
                return False
            self._set_aside_orphans()
            self.storage.file.write(self._empty())
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
            if events or size != committed:
                os.fsync(fd)  # nothing to make durable otherwise: one flush less per change
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
        aside = self.events_path.with_name(self.events_path.name + ".torn")
        atomic.append_tail(fd, start, end, aside)
        log.warning("%s: kept %d bytes that were never committed (a torn line or an "
                    "unfinished write) in %s", self.events_path, end - start, aside)

    def _cut_events(self, committed: int) -> None:
        """After a failed commit, take the appended events off the log again (best effort)."""
        with contextlib.suppress(OSError):
            os.truncate(self.events_path, committed)

    def _set_aside_orphans(self) -> None:
        """Keep the history and journal of a store that was moved away: a new store starts
        its own."""
        if self.events_path.exists() and self.events_path.stat().st_size:
            aside = atomic.numbered_aside(self.events_path)
            log.warning("%s belonged to an earlier store; kept it as %s", self.events_path,
                        aside)
        self.storage.journal.set_aside(f"belonged to an earlier {self.path.name}")

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
        """Return a TinyDB over this store's file and journal, for ad hoc queries."""
        from tinydb import TinyDB

        return TinyDB(self.path, storage=JournalStorage)


def _applied(loaded: _Loaded, changes: Changes, version: int) -> _Loaded | None:
    """Return a new version: ``loaded`` with one journal record's changes (None if the
    record is not one this code would have written: read the store whole instead)."""
    meta = next(iter(changes.get("meta", {}).values()), loaded.meta)
    if not isinstance(meta, dict) or meta.get("schema_version", version) != version:
        return None
    after = dataclasses.replace(loaded, meta=dict(meta), docs=dict(loaded.docs),
                                texts=dict(loaded.texts), ids=dict(loaded.ids),
                                next_id=dict(loaded.next_id), bodies={}, tables={}, stored={})
    for name in TABLES:
        if name not in changes:
            for done, kept in ((loaded.bodies, after.bodies), (loaded.tables, after.tables),
                               (loaded.stored, after.stored)):
                if name in done:
                    kept[name] = done[name]  # type: ignore[index]
            continue
        docs, texts = dict(loaded.docs[name]), dict(loaded.texts[name])
        numbers = dict(loaded.ids[name])
        owners: dict[str, str] | None = None
        for doc_id, doc in changes[name].items():
            if doc is None:
                owners = owners or {number: key for key, number in numbers.items()}
                key = owners.pop(doc_id, None)
                if key is not None:
                    del docs[key], numbers[key]
                    texts.pop(key, None)
                continue
            key = doc.get("id") if isinstance(doc, dict) else None
            if not isinstance(key, str) or numbers.get(key, doc_id) != doc_id:
                return None
            docs[key], numbers[key] = doc, doc_id
            texts.pop(key, None)
            if owners is not None:
                owners[doc_id] = key
        after.docs[name], after.texts[name], after.ids[name] = docs, texts, numbers
        after.next_id[name] = max(after.next_id[name], _next_id(changes[name]))
    if "sync" in changes:
        after.sync = dict(loaded.sync)
        journal.apply({"sync": after.sync}, {"sync": changes["sync"]})
        after.ids["sync"] = {doc["key"]: doc_id for doc_id, doc in after.sync.items()}
        after.next_id["sync"] = max(after.next_id["sync"], _next_id(changes["sync"]))
    return after


def _copy(glanced: Glance) -> Glance:
    """A glance the caller may change."""
    return Glance(dict(glanced.meta), {k: _fresh(v) for k, v in glanced.sync.items()})


def _next_id(table: Mapping[str, Any]) -> int:
    """The next free document id of a table in the file (TinyDB's rule: one past the largest)."""
    return max((int(doc_id) for doc_id in table if doc_id.isdigit()), default=0) + 1


def _in_table_order(table: Mapping[str, Any], keys: list[str]) -> list[str]:
    """``keys`` (new records: at the table's end) in the table's order, found from its end."""
    if len(keys) < 2:
        return keys
    wanted, found = set(keys), []
    for key in reversed(table):
        if key in wanted:
            found.append(key)
            if len(found) == len(wanted):
                break
    return found[::-1]


def _sync_changes(sync: Mapping[str, Any], loaded: _Loaded, after: _Loaded) -> dict[str, Any]:
    """The sync table's changed documents (by key), and ``after.sync`` set to the new table."""
    ids, stored = loaded.ids["sync"], loaded.sync
    changes: dict[str, Any] = {}
    numbers = dict(ids)
    for key, value in sync.items():
        doc = {"key": key, "value": json.loads(_dumps(value))}  # as stored: no shared lists
        doc_id = ids.get(key)
        if doc_id is None:
            doc_id = numbers[key] = str(after.next_id["sync"])
            after.next_id["sync"] += 1
        elif stored[doc_id] == doc:
            continue
        changes[doc_id] = doc
    for key in ids.keys() - sync.keys():
        changes[numbers.pop(key)] = None
    if changes:
        after.sync = dict(stored)
        journal.apply({"sync": after.sync}, {"sync": changes})
        after.ids["sync"] = numbers
    return changes
