"""The store: round trips, atomic writes under crashes, the lock, events and migrations."""

from __future__ import annotations

import json
import multiprocessing
import stat
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from outreach.core.errors import StoreError
from outreach.core.model import Contact, Event, Interview, Kind, Message, Status
from outreach.store.db import SCHEMA_VERSION, AtomicJSONStorage, Store
from storehelp import add_contact, on_disk  # tests/ is on the path


def test_round_trip_of_every_table(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)
    interview = Interview(contact_id=contact.id, start=now + timedelta(days=3))
    message = Message(contact_id=contact.id, kind=Kind.REQUEST, planned_at=now)
    with store.transaction() as state:
        state.interviews[interview.id] = interview
        state.messages[message.id] = message
        state.sync["inbox"] = {"state": "abc"}
        state.contacts[contact.id].status = Status.SCHEDULED
    again = store.read()
    assert again.contacts[contact.id].status is Status.SCHEDULED
    assert again.interviews[interview.id].start == interview.start
    assert again.messages[message.id] == message
    assert again.sync == {"inbox": {"state": "abc"}}
    assert again.events == []  # the history is read separately
    assert [e.kind for e in store.events(contact.id)] == ["added"]


def test_missing_store_reads_empty_and_is_not_created_by_reading(tmp_path: Path) -> None:
    store = Store(tmp_path / "none" / "store.json")
    assert store.read().contacts == {}
    assert store.events() == []
    assert not store.path.exists()



def test_nothing_is_written_when_the_block_raises(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)
    add_contact(store, now, "Sam Sample")  # the journal has a record too
    before = on_disk(store)
    with pytest.raises(RuntimeError), store.transaction() as state:
        state.contacts[contact.id].name = "Changed"
        state.record(Event(at=now, kind="note"))
        raise RuntimeError("boom")
    assert on_disk(store) == before
    assert len(store.events()) == 2


def test_an_unchanged_transaction_does_not_write(store: Store, now: datetime) -> None:
    add_contact(store, now)
    add_contact(store, now, "Sam Sample")
    before = on_disk(store), store.path.stat().st_ino
    with store.transaction() as state:
        assert len(state.contacts) == 2
    assert (on_disk(store), store.path.stat().st_ino) == before  # not replaced nor appended


def test_files_are_owner_only(store: Store, now: datetime) -> None:
    add_contact(store, now)
    add_contact(store, now, "Sam Sample")
    for path in (store.path, store.events_path, store.journal_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_each_transaction_reads_fresh(store: Store, now: datetime) -> None:
    other = Store(store.path)
    add_contact(store, now, "Robin Roe")
    add_contact(other, now, "Sam Sample")
    with store.transaction() as state:
        assert sorted(c.name for c in state.contacts.values()) == ["Robin Roe", "Sam Sample"]


def test_a_torn_event_line_is_ignored_then_cut(store: Store, now: datetime) -> None:
    add_contact(store, now)
    with open(store.events_path, "ab") as log:
        log.write(b'{"at": "2026-03-0')  # a crash mid-append
    assert len(store.events()) == 1
    add_contact(store, now, "Sam Sample")
    assert [e.text for e in store.events()] == ["Added Robin Roe.", "Added Sam Sample."]
    assert b"2026-03-0\"" not in store.events_path.read_bytes()


def test_a_broken_store_is_reported_and_never_overwritten(store: Store, now: datetime) -> None:
    add_contact(store, now)
    store.path.write_text('{"contacts": {"1": {"name": ', encoding="utf-8")
    before = store.path.read_bytes()
    with pytest.raises(StoreError) as caught:
        add_contact(store, now, "Sam Sample")
    assert str(store.path) in str(caught.value)
    assert "cannot be used: it is cut short" in str(caught.value)
    assert store.path.read_bytes() == before


def test_a_newer_store_is_refused(store: Store, now: datetime) -> None:
    add_contact(store, now)
    data = json.loads(store.path.read_text())
    data["meta"]["1"]["schema_version"] = 99
    store.path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="written by a newer outreach"):
        store.read()


def test_migrations_run_in_order_and_are_written(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)

    def step(raw: dict) -> dict:
        for doc in raw["contacts"].values():
            doc["tags"] = [*doc["tags"], "migrated"]
        return raw

    newer = Store(store.path, migrations={SCHEMA_VERSION: step}, version=SCHEMA_VERSION + 1)
    assert newer.read().contacts[contact.id].tags == ["migrated"]
    with newer.transaction() as state:
        state.contacts[contact.id].title = "Editor"
    assert json.loads(store.path.read_text())["meta"]["1"]["schema_version"] == SCHEMA_VERSION + 1
    with pytest.raises(StoreError, match="newer outreach"):
        store.read()  # the old code now refuses it
    with pytest.raises(StoreError, match=f"No migration from store version {SCHEMA_VERSION + 1}"):
        Store(store.path, version=SCHEMA_VERSION + 2).read()


def test_tinydb_reads_the_file(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)
    db = store.tinydb()
    assert [doc["email"] for doc in db.table("contacts").all()] == [contact.email]


def test_storage_removes_its_temp_file_when_a_write_fails(tmp_path: Path) -> None:
    def fail(step: str) -> None:
        if step == "written":
            raise OSError("disk full")

    storage = AtomicJSONStorage(tmp_path / "s.json", on_step=fail)
    with pytest.raises(StoreError, match="could not be written: disk full"):
        storage.write({"a": 1})
    assert list(tmp_path.iterdir()) == []


def _writer(path: str, worker: int, count: int) -> None:
    store = Store(path)
    at = datetime(2026, 3, 2, 10, 0).astimezone()
    for n in range(count):
        with store.transaction() as state:
            state.sync["counter"] = state.sync.get("counter", 0) + 1
            contact = Contact(name=f"Worker {worker} Number {n}",
                              email=f"w{worker}n{n}@example.com")
            state.contacts[contact.id] = contact
            state.record(Event(at=at, kind="added", contact_id=contact.id))


def test_two_processes_writing_at_once_lose_nothing(store: Store) -> None:
    count = 40
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(store.path), w, count))
               for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    state = store.read()
    assert state.sync["counter"] == 2 * count
    assert len(state.contacts) == 2 * count
    assert len(store.events()) == 2 * count


HOLD = textwrap.dedent("""
    import sys, time
    from filelock import FileLock
    with FileLock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(5)
""")


def test_a_busy_lock_gives_a_clear_error(store: Store, now: datetime) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store.lock_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        busy = Store(store.path, lock_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(StoreError, match="is busy: another outreach process"):
            add_contact(busy, now)
        assert time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()


def _reference(value: object) -> object:
    """The plain, slow encoding every record must agree with."""
    import dataclasses
    from enum import StrEnum

    if isinstance(value, datetime):
        assert value.tzinfo is not None
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _reference(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_reference(v) for v in value]
    if isinstance(value, dict):
        return {k: _reference(v) for k, v in value.items()}
    return value


def test_fast_encoder_agrees_with_the_model(now: datetime) -> None:
    from outreach.core.model import Fit, Referral, Slot
    from outreach.store.db import _encode

    contact = Contact(name="Zoë", email="z@example.com", tags=["a"], paused_until=now,
                      status=Status.PAUSED, paused_from=Status.CONTACTED, internal=True)
    interview = Interview(contact_id=contact.id, start=now, fit={"skills": Fit(4, "ok")},
                          referrals=[Referral(name="Kim", may_use_name=True)],
                          answers={"day": "long"}, logged_at=now)
    message = Message(contact_id=contact.id, kind=Kind.INVITE,
                      slots=[Slot(now, now + timedelta(minutes=30))], planned_at=now)
    for record in (contact, interview, message):
        assert _encode(record) == _reference(record)
        assert type(record).from_dict(_encode(record)) == record
    with pytest.raises(ValueError, match="time-zone aware"):
        _encode(Contact(name="A", email="a@example.com", created_at=datetime(2026, 1, 1)))


def test_a_new_store_keeps_the_old_history_aside(store: Store, now: datetime) -> None:
    add_contact(store, now)
    history = store.events_path.read_bytes()
    store.path.rename(store.path.with_name("moved.json"))  # the user starts afresh
    add_contact(store, now, "Sam Sample")
    assert [e.text for e in store.events()] == ["Added Sam Sample."]
    assert store.events_path.with_name("store.events.jsonl.1").read_bytes() == history


def test_a_change_appends_only_its_record(store: Store, now: datetime) -> None:
    first, second = add_contact(store, now, "Robin Roe"), add_contact(store, now, "Sam Sample")
    with store.transaction() as state:
        state.messages["m1"] = Message(contact_id=first.id, kind=Kind.REQUEST, id="m1",
                                       subject="Hello", planned_at=now)
    store.compact()
    before = json.loads(store.path.read_text())
    with store.transaction() as state:
        state.contacts[second.id].title = "Lead"
    assert json.loads(store.path.read_text()) == before  # the file is not rewritten
    (line,) = store.journal_path.read_bytes().splitlines()
    record = json.loads(line)
    assert record["tables"].keys() == {"contacts", "meta"}
    assert record["tables"]["contacts"]["2"]["title"] == "Lead"
    assert record["tables"]["contacts"].keys() == {"2"}  # the one document that changed
    # what another process sees is the same as what this one keeps in memory
    assert Store(store.path).read() == store.read()
    assert store.compact()
    after = json.loads(store.path.read_text())
    assert after["contacts"]["2"]["title"] == "Lead"
    assert after["contacts"]["1"] == before["contacts"]["1"]
    assert after["messages"] == before["messages"]
    assert after["meta"]["1"]["generation"] == before["meta"]["1"]["generation"] + 1
    assert store.journal_path.read_bytes() == b""
    assert Store(store.path).read() == store.read()


def test_looking_without_changing_writes_nothing(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)
    before = store.path.stat().st_mtime_ns, on_disk(store)
    with store.transaction() as state:
        assert state.contacts[contact.id].tags == []
        state.contacts[contact.id].tags.append("x")
        state.contacts[contact.id].tags.remove("x")
        assert [c.name for c in state.contacts.values()] == ["Robin Roe"]
    assert (store.path.stat().st_mtime_ns, on_disk(store)) == before


def test_a_change_inside_a_list_is_written(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)
    for _ in range(2):  # once from the file, once from what this process wrote
        with store.transaction() as state:
            state.contacts[contact.id].tags.append("warm")
    assert Store(store.path).read().contacts[contact.id].tags == ["warm", "warm"]


def test_a_broken_record_is_named_when_read(store: Store, now: datetime) -> None:
    contact = add_contact(store, now)
    data = json.loads(store.path.read_text())
    data["contacts"]["1"]["created_at"] = "yesterday"
    store.path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match=f"broken record in 'contacts' \\(id {contact.id}\\)"):
        store.read().contacts[contact.id]


def test_a_version_1_store_is_read_and_written_as_version_2(store: Store, now: datetime) -> None:
    """Version 2 only adds the journal beside the file: an outreach that knows only version 1
    would miss what the journal holds, so the version says so and old code refuses the store."""
    contact = add_contact(store, now)
    store.compact()
    data = json.loads(store.path.read_text())
    data["meta"]["1"]["schema_version"] = 1
    store.path.write_text(json.dumps(data))
    assert Store(store.path).read().contacts[contact.id].email == contact.email
    with Store(store.path).transaction() as state:
        state.contacts[contact.id].title = "Editor"
    Store(store.path).compact()
    assert json.loads(store.path.read_text())["meta"]["1"]["schema_version"] == 2
    with pytest.raises(StoreError, match="newer outreach"):
        Store(store.path, migrations={}, version=1).read()
