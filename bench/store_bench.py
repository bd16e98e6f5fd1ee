"""Measure the store at campaign scale: 10,000 contacts and 100,000 events.

Prints the time of one contact update (one transaction, appended to the
journal), the same update with the whole file rewritten (what every update cost
before the journal, measured side by side), folding the journal into the file,
one event append, a full read, a read after another process changed a contact,
the history reads, and the file sizes, first with an empty history and then with
the full one, to show the history does not slow updates.

    python bench/store_bench.py [--contacts 10000] [--events 100000] [--repeat 20]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measures import options

from outreach.core.model import Contact, Event, Source
from outreach.store import journal
from outreach.store.db import Store

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def timed(action: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``action`` in milliseconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def populate(store: Store, contacts: int) -> list[str]:
    with store.transaction() as state:
        for n in range(contacts):
            contact = Contact(
                name=f"Person {n:05d}", email=f"person{n:05d}@example.com",
                title="Senior Analyst", department="Data Platform", organization="Example Corp",
                office=f"Building {n % 7}, room {n % 300}", phone="+1 555 0100",
                source=list(Source)[n % len(Source)], area="data engineering",
                research_notes="Reads the quarterly report; runs the data guild. " * 2,
                tags=["guild", "warm"], created_at=START, updated_at=START)
            state.contacts[contact.id] = contact
    return list(store.read().contacts)


def add_events(store: Store, ids: list[str], events: int, batch: int = 10_000) -> None:
    for first in range(0, events, batch):
        with store.transaction() as state:
            for n in range(first, min(first + batch, events)):
                state.record(Event(at=START + timedelta(minutes=n), kind="status",
                                   contact_id=ids[n % len(ids)],
                                   text="Status changed from contacted to replied.",
                                   data={"from": "contacted", "to": "replied"}))


def timed_after(prepare: Callable[[], object], action: Callable[[], object],
                repeat: int) -> float:
    """Median ms of ``action``, each run after an untimed ``prepare``."""
    times = []
    for _ in range(repeat):
        prepare()
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def measure(store: Store, ids: list[str], repeat: int) -> dict[str, float]:
    counter = iter(range(10**9))
    other = Store(store.path)  # another process: a command while the daemon runs

    def update(by: Store = store) -> None:
        with by.transaction() as state:
            contact = state.contacts[ids[0]]
            contact.research_notes = f"note {next(counter)}"

    def update_whole() -> None:
        limits = journal.COMPACT_BYTES, journal.COMPACT_FRACTION
        journal.COMPACT_BYTES, journal.COMPACT_FRACTION = 0, 1 << 60
        try:
            update()
        finally:
            journal.COMPACT_BYTES, journal.COMPACT_FRACTION = limits

    def append() -> None:
        with store.transaction() as state:
            state.record(Event(at=START, kind="note", contact_id=ids[1], text="A note."))

    store.compact()
    update()
    return {
        "update one contact (ms)": timed(update, repeat),
        "same, whole file rewritten (ms)": timed(update_whole, repeat),
        "fold the journal in (ms)": timed_after(update, store.compact, max(3, repeat // 4)),
        "read after another's update (ms)": timed_after(lambda: update(other), store.read,
                                                        repeat),
        "append one event (ms)": timed(append, repeat),
        "read state (ms)": timed(store.read, max(3, repeat // 4)),
        "read one contact's events (ms)": timed(lambda: store.events(ids[2]), 3),
        "main file (MB)": store.path.stat().st_size / 1e6,
        "journal (MB)": store.journal_path.stat().st_size / 1e6,
        "events file (MB)": (store.events_path.stat().st_size / 1e6
                             if store.events_path.exists() else 0.0),
    }


def main() -> None:
    args = options(__doc__, contacts=10_000, events=100_000, repeat=20)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "store.json")
        ids = populate(store, args.contacts)
        before = measure(store, ids, args.repeat)
        add_events(store, ids, args.events)
        after = measure(store, ids, args.repeat)
        events = len(store.events())
    print(f"{args.contacts:,} contacts; history of 0 vs {events:,} events (median of "
          f"{args.repeat})")
    print(f"{'':34}{'no history':>12}{'full history':>14}")
    for key in before:
        print(f"{key:34}{before[key]:>12.2f}{after[key]:>14.2f}")


if __name__ == "__main__":
    main()
