"""A glance at the store: meta and sync from the head of the file, and the due moment.

A quiet cycle reads only these; they must agree with a full read, keep the moment
only with the write that planned, and never need the records.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from outreach.core.model import Contact, Event, State
from outreach.store.db import Store
from outreach.store.glance import read_head


def _add(store: Store, now: datetime, name: str) -> Contact:
    contact = Contact(name=name, email=f"{name.lower()}@example.com", created_at=now)
    with store.transaction() as state:
        state.contacts[contact.id] = contact
        state.record(Event(at=now, kind="added", contact_id=contact.id, text=name))
    return contact


def _full(store: Store) -> tuple[dict, State]:
    """The meta and the state as a whole read of the file gives them."""
    data = json.loads(store.path.read_text(encoding="utf-8"))
    return next(iter(data["meta"].values())), store.read()


def test_a_glance_agrees_with_a_full_read(store: Store, now: datetime) -> None:
    assert store.glance().sync == {} and store.glance().due is None  # no store yet
    _add(store, now, "Robin")
    with store.transaction() as state:
        state.sync["mailbox"] = {"inbox": "state-1", "index:drafts": json.dumps({"a": ["é"]})}
        state.sync["engine"] = {"setup": "abc", "reminded": ["x"]}
    assert store.journal_path.stat().st_size  # the change is a journal record
    glanced = Store(store.path).glance()
    assert glanced.sync == store.read().sync
    assert store.compact()  # folded into the file: the same from its head alone
    meta, state = _full(store)
    assert store.journal_path.stat().st_size == 0
    glanced = Store(store.path).glance()
    assert glanced.sync == state.sync and glanced.meta == meta
    assert list(json.loads(store.path.read_text()))[:2] == ["meta", "sync"]  # the head
    glanced.sync["mailbox"]["inbox"] = "changed by the caller"
    assert store.glance().sync["mailbox"]["inbox"] == "state-1"  # a copy each time


def test_the_due_moment_stays_only_with_the_write_that_planned(
    store: Store, now: datetime
) -> None:
    _add(store, now, "Robin")
    due = now + timedelta(days=3)
    with store.transaction() as state:
        state.next_due = due  # as apply_plan leaves it
    assert store.glance().due == due
    with store.transaction() as state:  # looking, changing nothing: kept
        state.contacts.values()
    assert store.glance().due == due
    _add(store, now, "Kim")  # a write that did not plan: something may be due sooner
    assert store.glance().due is None
    assert store.read().next_due is None  # never read back into a state


def test_a_glance_reads_no_record(store: Store, now: datetime) -> None:
    contact = _add(store, now, "Robin")
    with store.transaction() as state:
        state.next_due = now
        state.sync["mailbox"] = {"inbox": "state-1"}
    text = store.path.read_text(encoding="utf-8")
    broken = text.replace(f'"id":"{contact.id}"', '"id":7', 1)  # a record read would refuse
    assert broken != text
    store.path.write_text(broken, encoding="utf-8")
    fresh = Store(store.path)
    assert fresh.glance().sync == {"mailbox": {"inbox": "state-1"}}
    assert fresh.glance().due == now
    assert fresh._loaded is None


def test_a_file_laid_out_otherwise_is_read_whole(store: Store, now: datetime) -> None:
    _add(store, now, "Robin")
    with store.transaction() as state:
        state.sync["mailbox"] = {"inbox": "state-1"}
        state.next_due = now
    data = json.loads(store.path.read_text(encoding="utf-8"))
    older = {name: data[name] for name in ("contacts", "interviews", "messages", "sync", "meta")}
    store.path.write_text(json.dumps(older), encoding="utf-8")  # meta last, as before
    assert read_head(store.path) is None
    glanced = Store(store.path).glance()
    assert glanced.sync == {"mailbox": {"inbox": "state-1"}} and glanced.due == now


def test_a_long_head_is_read_in_pieces(store: Store, now: datetime) -> None:
    index = {f"item-{n:06d}": ["tracking", "ü" * 7] for n in range(20_000)}  # ~700 KB
    with store.transaction() as state:
        state.sync["mailbox"] = {"index:calendar": json.dumps(index, ensure_ascii=False)}
    assert json.loads(Store(store.path).glance().sync["mailbox"]["index:calendar"]) == index
