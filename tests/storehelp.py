"""What the store tests share: a contact added as a command adds one, every byte on disk."""

from __future__ import annotations

from datetime import datetime

from outreach.core.model import Contact, Event
from outreach.store.db import Store


def add_contact(store: Store, now: datetime, name: str = "Robin Roe") -> Contact:
    """Add ``name`` (first-name@example.com) with its "Added NAME." event, in one transaction."""
    contact = Contact(name=name, email=f"{name.split()[0].lower()}@example.com",
                      created_at=now, updated_at=now)
    with store.transaction() as state:
        state.contacts[contact.id] = contact
        state.record(Event(at=now, kind="added", contact_id=contact.id, text=f"Added {name}."))
    return contact


def on_disk(store: Store) -> tuple[bytes, ...]:
    """The store's file, journal and history, as bytes (b"" for one not there): what a test
    compares to show a command wrote nothing."""
    return tuple(path.read_bytes() if path.exists() else b""
                 for path in (store.path, store.journal_path, store.events_path))
