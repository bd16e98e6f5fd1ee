"""Where config, store and backend meet for a command or the daemon.

The CLI calls these and prints; nothing here prints or exits.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from outreach.config import loader
from outreach.config.settings import Settings
from outreach.core import clock
from outreach.core.errors import UserError
from outreach.core.model import Contact, State
from outreach.store.db import Store

if TYPE_CHECKING:
    from outreach.core.items import Person
    from outreach.mailbox.base import Mailbox


def load_settings(config_path: str | os.PathLike[str] | None = None) -> Settings:
    """Given --config (or None), return the validated settings. Raise UserError if bad."""
    return loader.load(config_path)


def open_store(settings: Settings) -> Store:
    """Return the store the settings name (not created until first written)."""
    return Store(settings.paths.store)


def now(settings: Settings) -> datetime:
    """Return the current time in the user's time zone (the one clock reading of a command)."""
    return clock.from_environment().now().astimezone(ZoneInfo(settings.time.timezone))


def open_mailbox(
    settings: Settings, time: clock.Clock | None = None, *, resuming: bool = False
) -> Mailbox:
    """Return a connected backend for ``settings.mailbox``. Raise MailboxError if unreachable.

    ``resuming``: the store holds this mailbox's sync state (fewer checks at sign-in).
    """
    from outreach.mailbox import open_mailbox as connect

    return connect(settings, clock=(time or clock.from_environment()).now, resuming=resuming)


def lookup_person(settings: Settings, name: str) -> Person:
    """Return the one directory entry matching ``name``, with its manager when the directory
    says (a search may leave it out: then one more call asks). Raise UserError for none or
    several."""
    mailbox = open_mailbox(settings)
    try:
        found = mailbox.lookup(name)
        if len(found) == 1 and not found[0].manager:
            found = [mailbox.person(found[0].email) or found[0]]
    finally:
        mailbox.close()
    if not found:
        raise UserError(f"Nobody called '{name}' is in the directory.")
    if len(found) > 1:
        raise UserError(f"'{name}' matches {len(found)} people in the directory; be more "
                        "specific:", [f"{p.name} <{p.email}>, {p.title}" for p in found[:10]])
    return found[0]


def resolve_contact(state: State, ref: str) -> Contact:
    """Given an id, an email or an unambiguous prefix of an email or name, return the contact.

    Raise UserError if nothing or more than one contact matches.
    """
    wanted = ref.strip().lower()
    if not wanted:
        raise UserError("Name a contact: an id, an email or the start of a name.")
    if ref in state.contacts:
        return state.contacts[ref]
    contacts = list(state.contacts.values())
    for exact in (lambda c: c.email.lower() == wanted, lambda c: c.name.lower() == wanted):
        found = [c for c in contacts if exact(c)]
        if len(found) == 1:
            return found[0]
    found = [c for c in contacts
             if c.id.startswith(wanted) or c.email.lower().startswith(wanted)
             or c.name.lower().startswith(wanted)
             or any(part.startswith(wanted) for part in c.name.lower().split())]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError(f"No contact matches '{ref}'.",
                        ["Try `outreach contacts list` to see ids, names and emails."])
    shown = [f"{c.id}  {c.name} <{c.email}>" for c in sorted(found, key=lambda c: c.name)]
    raise UserError(f"'{ref}' matches {len(found)} contacts; be more specific or use an id:",
                    shown[:10] + ([f"... and {len(shown) - 10} more"] if len(shown) > 10 else []))


def emails_by_id(state: State) -> dict[str, str]:
    """Return contact id -> email, for writing referrers as emails."""
    return {c.id: c.email for c in state.contacts.values()}


def ids_by_email(state: State) -> dict[str, str]:
    """Return lowercase email -> contact id, for duplicate detection."""
    return {c.email.lower(): c.id for c in state.contacts.values()}
