"""The store's journal: small records, replayed on open, folded into the file, crash-proof.

The crash tests run a real writer in a subprocess and stop it dead (``os._exit``
from the storage's step hook, as SIGKILL would leave it: no cleanup, no flush)
at every step of a journaled write and of a compaction, or SIGKILL it while it
writes in a loop; then a fresh process must find every change that was
acknowledged, and the next writer must go on cleanly.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest
from tinydb import TinyDB

from outreach.core.model import Contact
from outreach.store import journal
from outreach.store.db import SCHEMA_VERSION, JournalStorage, Store
from storehelp import add_contact as add  # tests/ is on the path

WRITE_STEPS = ["journal-partly-written", "journal-written", "journal-synced"]
COMPACT_STEPS = ["temp-created", "partly-written", "written", "synced", "replaced",
                 "dir-synced", "journal-reset"]


def names(store: Store) -> list[str]:
    return sorted(c.name for c in Store(store.path).read().contacts.values())


def texts(store: Store) -> list[str]:
    return [e.text for e in Store(store.path).events()]


@pytest.fixture
def filled(store: Store, now: datetime) -> Store:
    """A store whose file holds one contact and whose journal holds another."""
    add(store, now, "Robin Roe")
    add(store, now, "Sam Sample")
    assert store.journal_path.stat().st_size > 0
    return store


CRASH = textwrap.dedent("""
    import os, sys
    from datetime import datetime, timezone
    from outreach.core.model import Contact, Event
    from outreach.store import journal
    from outreach.store.db import Store
    path, mode, step = sys.argv[1:4]
    store = Store(path)
    def stop(name):
        if name == step:
            os._exit(7)
    store.storage.on_step = stop
    now = datetime(2026, 3, 2, tzinfo=timezone.utc)
    if mode == "compact":
        store.compact()
    else:
        if mode == "threshold":
            journal.COMPACT_BYTES = 0  # this transaction's record tips the journal over
        with store.transaction() as state:
            c = Contact(name="New Person", email="new@example.com")
            state.contacts[c.id] = c
            state.record(Event(at=now, kind="added", contact_id=c.id, text="Added New Person."))
    print("acknowledged", flush=True)
""")


def crash(store: Store, mode: str, step: str) -> None:
    done = subprocess.run([sys.executable, "-c", CRASH, str(store.path), mode, step],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 7, done.stderr
    assert "acknowledged" not in done.stdout


def goes_on(store: Store, now: datetime, expected: list[str]) -> None:
    """The next writer cleans up after the crash; then the file alone holds everything."""
    add(store, now, "Kim Late")
    assert names(store) == sorted([*expected, "Kim Late"])
    assert texts(store) == [f"Added {n}." for n in [*expected, "Kim Late"]]
    for line in store.journal_path.read_bytes().splitlines():
        assert journal.decode(line) is not None
    assert not list(store.path.parent.glob(".store.json.*.tmp"))
    assert Store(store.path).compact()
    assert store.journal_path.read_bytes() == b""
    plain = json.loads(store.path.read_text())  # a plain JSON file again, all in it
    assert sorted(d["name"] for d in plain["contacts"].values()) == sorted([*expected, "Kim Late"])


@pytest.mark.parametrize("step", WRITE_STEPS)
def test_a_crash_at_any_step_of_a_write_loses_nothing_acknowledged(
        filled: Store, now: datetime, step: str, caplog: pytest.LogCaptureFixture) -> None:
    file_before = filled.path.read_bytes()
    crash(filled, "write", step)
    assert filled.path.read_bytes() == file_before  # a write only ever appends
    committed = WRITE_STEPS.index(step) >= WRITE_STEPS.index("journal-written")
    expected = ["Robin Roe", "Sam Sample"] + (["New Person"] if committed else [])
    assert names(filled) == sorted(expected)
    assert texts(filled) == [f"Added {n}." for n in expected]
    with caplog.at_level(logging.WARNING):
        goes_on(filled, now, expected)
    torn = filled.journal_path.with_name("store.journal.jsonl.torn")
    assert torn.exists() is not committed
    if not committed:
        assert oct(torn.stat().st_mode & 0o777) == "0o600"
        assert any(str(filled.journal_path) in r.getMessage() and "torn" in r.getMessage()
                   for r in caplog.records)


@pytest.mark.parametrize("mode", ["compact", "threshold"])
@pytest.mark.parametrize("step", COMPACT_STEPS)
def test_a_crash_at_any_step_of_a_compaction_loses_nothing(filled: Store, now: datetime,
                                                           mode: str, step: str) -> None:
    """Killed while folding the journal into the file, asked for or past the threshold."""
    crash(filled, mode, step)
    json.loads(filled.path.read_text())  # the file is never broken
    expected = ["Robin Roe", "Sam Sample"] + (["New Person"] if mode == "threshold" else [])
    assert names(filled) == sorted(expected)
    assert texts(filled) == [f"Added {n}." for n in expected]
    goes_on(filled, now, expected)


WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from outreach.core.model import Contact
    from outreach.store import journal
    from outreach.store.db import Store
    journal.COMPACT_BYTES = 3000  # compact every few writes: kills land in compactions too
    store = Store(sys.argv[1])
    first = int(sys.argv[2])
    for n in range(first, first + 100000):
        with store.transaction() as state:
            c = Contact(name=f"Person {n}", email=f"p{n}@example.com", id=f"p{n}")
            state.contacts[c.id] = c
            state.sync["last"] = n
            if n % 3 == 0 and f"p{n - 1}" in state.contacts:
                del state.contacts[f"p{n - 1}"]
        print(n, flush=True)
""")


def test_a_writer_killed_at_random_moments_loses_nothing_acknowledged(store: Store,
                                                                        now: datetime) -> None:
    """SIGKILL a process writing in a loop, again and again; every printed change stays."""
    add(store, now, "Robin Roe")
    acknowledged: list[int] = []
    first = 1
    for round_ in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store.path), str(first)],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        for _ in range(5 + 7 * round_):
            acknowledged.append(int(writer.stdout.readline()))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        acknowledged.extend(int(line) for line in writer.stdout.read().split())
        state = Store(store.path).read()
        last = state.sync["last"]  # committed; perhaps one more than acknowledged
        assert last >= acknowledged[-1]
        for n in acknowledged:
            gone = n % 3 == 2 and n + 1 <= last  # removed by the next one
            assert (f"p{n}" in state.contacts) is not gone, n
        first = state.sync["last"] + 1
    assert store.path.with_name("store.journal.jsonl").exists()


def test_a_torn_tail_is_ignored_then_kept_aside(filled: Store, now: datetime,
                                                caplog: pytest.LogCaptureFixture) -> None:
    good = filled.journal_path.read_bytes()
    torn = b'{"base":0,"tables":{"contacts":{"9":{"name":"Ha'
    with open(filled.journal_path, "ab") as out:
        out.write(torn)  # a crash mid-append
    assert names(filled) == ["Robin Roe", "Sam Sample"]
    with caplog.at_level(logging.WARNING):
        add(filled, now, "Kim Late")
    aside = filled.journal_path.with_name("store.journal.jsonl.torn")
    assert aside.read_bytes() == torn + b"\n"
    assert any("store.journal.jsonl.torn" in r.getMessage() for r in caplog.records)
    assert filled.journal_path.read_bytes().startswith(good)
    assert names(filled) == ["Kim Late", "Robin Roe", "Sam Sample"]


def test_a_damaged_record_ends_the_journal_there(filled: Store, now: datetime) -> None:
    """A whole line whose checksum disagrees (a disk that lost bytes) is not replayed."""
    add(filled, now, "Kim Late")
    first, second = filled.journal_path.read_bytes().splitlines()
    filled.journal_path.write_bytes(first + b"\n" + second.replace(b"Kim", b"Tim") + b"\n")
    assert names(filled) == ["Robin Roe", "Sam Sample"]
    assert texts(filled) == ["Added Robin Roe.", "Added Sam Sample."]


def test_records_of_another_generation_are_kept_aside(filled: Store, now: datetime,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """An older store.json restored beside a newer journal: the journal is not replayed
    onto it, and the next write keeps it as journal.1 with a warning."""
    old = filled.path.read_bytes()
    filled.compact()
    add(filled, now, "Kim Late")
    filled.path.write_bytes(old)  # generation 0, the journal is of generation 1
    assert names(filled) == ["Robin Roe"]
    with caplog.at_level(logging.WARNING):
        add(filled, now, "Lee Later")
    kept = filled.journal_path.with_name("store.journal.jsonl.1").read_bytes()
    assert b"Kim Late" in kept
    assert any("another version" in r.getMessage() for r in caplog.records)


def test_another_process_sees_each_appended_change(filled: Store, now: datetime) -> None:
    reader = Store(filled.path)
    assert len(reader.read().contacts) == 2
    add(filled, now, "Kim Late")
    assert len(reader.read().contacts) == 3
    filled.compact()
    assert len(reader.read().contacts) == 3
    add(filled, now, "Lee Later")
    assert sorted(c.name for c in reader.read().contacts.values()) == [
        "Kim Late", "Lee Later", "Robin Roe", "Sam Sample"]


def test_the_journal_is_folded_in_past_its_threshold(store: Store, now: datetime,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "COMPACT_BYTES", 2000)
    add(store, now, "Robin Roe")
    sizes = []
    for n in range(12):
        add(store, now, f"Person{n} Example")
        sizes.append(store.journal_path.stat().st_size)
    assert 0 in sizes and max(sizes) > 2000 / 2  # it grew, then was emptied
    assert max(sizes) < 2000 + 1000  # never far past the threshold
    assert len(Store(store.path).read().contacts) == 13


def test_removals_and_sync_keys_replay(filled: Store, now: datetime) -> None:
    robin = next(c for c in filled.read().contacts.values() if c.name == "Robin Roe")
    with filled.transaction() as state:
        del state.contacts[robin.id]
        state.sync["inbox"] = {"state": "abc"}
        state.sync["calendar"] = [1, 2]
    with filled.transaction() as state:
        del state.sync["calendar"]
        state.sync["inbox"]["state"] = "def"
    again = Store(filled.path).read()
    assert [c.name for c in again.contacts.values()] == ["Sam Sample"]
    assert again.sync == {"inbox": {"state": "def"}}
    assert again == filled.read()
    filled.compact()
    assert Store(filled.path).read() == again


def test_tinydb_through_the_journal_storage(filled: Store, now: datetime) -> None:
    """The storage is TinyDB's own extension point: TinyDB reads the journal and appends."""
    db = TinyDB(filled.path, storage=JournalStorage)
    table = db.table("contacts")
    assert sorted(doc["name"] for doc in table.all()) == ["Robin Roe", "Sam Sample"]
    size = filled.journal_path.stat().st_size
    sam = next(doc for doc in table.all() if doc["name"] == "Sam Sample")
    table.update({"title": "Lead"}, doc_ids=[sam.doc_id])
    record = journal.decode(filled.journal_path.read_bytes()[size:].rstrip(b"\n"))
    assert record is not None
    assert record["tables"] == {"contacts": {str(sam.doc_id): {**sam, "title": "Lead"}}}
    assert {c.name: c.title for c in Store(filled.path).read().contacts.values()}["Sam Sample"] \
        == "Lead"
    assert [doc["name"] for doc in filled.tinydb().table("contacts").all()] == [
        "Robin Roe", "Sam Sample"]


def test_a_migration_replays_the_journal_then_writes_whole(filled: Store) -> None:
    def step(raw: dict) -> dict:
        for doc in raw["contacts"].values():
            doc["tags"] = [*doc["tags"], "migrated"]
        return raw

    newer = Store(filled.path, migrations={SCHEMA_VERSION: step}, version=SCHEMA_VERSION + 1)
    assert [c.tags for c in newer.read().contacts.values()] == [["migrated"], ["migrated"]]
    with newer.transaction() as state:
        next(iter(state.contacts.values())).title = "Editor"
    assert filled.journal_path.read_bytes() == b""
    plain = json.loads(filled.path.read_text())
    assert plain["meta"]["1"]["schema_version"] == SCHEMA_VERSION + 1
    assert [d["tags"] for d in plain["contacts"].values()] == [["migrated"], ["migrated"]]


def test_a_new_store_keeps_an_old_journal_aside(filled: Store, now: datetime) -> None:
    journal_bytes = filled.journal_path.read_bytes()
    filled.path.rename(filled.path.with_name("moved.json"))  # the user starts afresh
    assert Store(filled.path).read().contacts == {}
    add(filled, now, "Kim Late")
    assert names(filled) == ["Kim Late"]
    assert filled.journal_path.with_name("store.journal.jsonl.1").read_bytes() == journal_bytes


def test_the_order_of_records_survives_the_journal_and_compaction(store: Store,
                                                                  now: datetime) -> None:
    add(store, now, "Robin Roe")
    with store.transaction() as state:
        for n in range(30):
            contact = Contact(name=f"Person{n} Example", email=f"p{n}@example.com")
            state.contacts[contact.id] = contact
    order = list(store.read().contacts)
    assert [store.read().contacts[key].name for key in order[:3]] == [
        "Robin Roe", "Person0 Example", "Person1 Example"]
    assert list(Store(store.path).read().contacts) == order
    store.compact()
    assert list(Store(store.path).read().contacts) == order


def test_a_reader_catches_up_with_another_writers_records(filled: Store, now: datetime) -> None:
    """A process that keeps the store in memory (the daemon) applies the records another one
    appended (a command): additions, changes, removals and sync keys, in order."""
    daemon = Store(filled.path)
    robin = next(c for c in daemon.read().contacts.values() if c.name == "Robin Roe")
    with daemon.transaction() as state:
        state.sync["inbox"] = {"state": "a"}
        state.sync["calendar"] = "c"
    command = Store(filled.path)
    with command.transaction() as state:
        del state.contacts[robin.id]
        del state.sync["calendar"]
        state.sync["inbox"] = {"state": "b"}
        next(iter(state.contacts.values())).title = "Lead"
    add(command, now, "Kim Late")
    with open(filled.journal_path, "ab") as out:
        out.write(b'{"base":0,"tab')  # and a writer that died mid-append
    fresh = Store(filled.path).read()
    caught_up = daemon.read()
    assert caught_up == fresh
    assert list(caught_up.contacts) == list(fresh.contacts)
    assert [c.title for c in caught_up.contacts.values()] == ["Lead", ""]
    assert caught_up.sync == {"inbox": {"state": "b"}}
    with daemon.transaction() as state:  # and it writes on from there
        state.contacts[next(iter(state.contacts))].title = "Head"
    add(daemon, now, "Lee Later")
    assert Store(filled.path).read() == daemon.read()
    assert names(filled) == ["Kim Late", "Lee Later", "Sam Sample"]
    daemon.compact()
    assert Store(filled.path).read() == command.read() == daemon.read()


def test_compacting_keeps_a_torn_tail_aside_too(filled: Store, now: datetime) -> None:
    torn = b'{"base":0,"tables":{"contacts":{"9":{"name":"Ha'
    with open(filled.journal_path, "ab") as out:
        out.write(torn)
    assert filled.compact()
    assert filled.journal_path.with_name("store.journal.jsonl.torn").read_bytes() == torn + b"\n"
    assert filled.journal_path.read_bytes() == b""
    assert names(filled) == ["Robin Roe", "Sam Sample"]
