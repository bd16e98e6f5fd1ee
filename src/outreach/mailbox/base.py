"""The one interface every mailbox backend implements.

The engine never sees a backend; the outbox and the daemon call these methods
with plain values and get plain values back. Sync states are handed in and out
rather than kept inside, so the caller can store them in the same write as the
observations they produced (a page is never half-recorded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from outreach.core.items import Busy, Created, Meeting, OutgoingEmail, Person
from outreach.core.observations import Observation, OutOfOffice


def sent_copy(tracking_id: str, found: Created | None) -> Created:
    """What ``send`` returns: the copy found in Sent Items (or only that it was sent)."""
    return Created(
        tracking_id=tracking_id,
        item_id=found.item_id if found else "",
        internet_message_id=found.internet_message_id if found else None,
        conversation_id=found.conversation_id if found else None,
        sent=True,
    )


@dataclass
class SyncResult:
    observations: list[Observation] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)  # folder -> opaque sync state
    more: bool = False  # another page is waiting


class Mailbox(Protocol):
    """What outreach asks of a mailbox. Every method may raise ``MailboxError``."""

    def check(self) -> str:
        """Reach the server once without retries; return a sentence describing it."""
        ...

    def create_drafts(self, emails: Sequence[OutgoingEmail]) -> list[Created]:
        """Save drafts in Drafts in as few requests as possible."""
        ...

    def send(self, email: OutgoingEmail) -> Created:
        """Send now and keep a copy in Sent Items with the same tracking."""
        ...

    def create_meeting(self, meeting: Meeting, send: bool) -> Created:
        """Put the interview (or a hold) on the calendar; invite only if ``send``."""
        ...

    def update_meeting(self, item_id: str, meeting: Meeting, send: bool) -> Created:
        """Move an interview's calendar item to ``meeting``'s time and place.

        The same meeting keeps its identity (item id, UID); its tracking becomes
        ``meeting.tracking_id`` (the new invite's outbox id), so ``find_tracked`` tells a
        move that landed before a crash. The attendees get an update with a raised
        sequence if ``send`` or if the item's invitations went already (the user may
        have pressed Send in Outlook); an unsent one stays unsent. Raise MailboxError
        (not transient) if the item is gone. Rescheduling replaces, never adds.
        """
        ...

    def create_holds(self, holds: Sequence[Meeting]) -> list[Created]:
        """Put tentative holds on the calendar in as few requests as possible."""
        ...

    def remove_holds(self, item_ids: Sequence[str]) -> None:
        """Take holds off the calendar in as few requests as possible."""
        ...

    def cancel_meeting(self, item_id: str, send: bool) -> None:
        """Withdraw a hold or cancel an interview."""
        ...

    def find_tracked(self, tracking_ids: Sequence[str]) -> dict[str, Created]:
        """Return what exists in the mailbox for these outbox ids (reconciliation).

        Drafts in Deleted Items are returned with ``deleted=True``; what is nowhere is
        left out."""
        ...

    def sync(self, state: Mapping[str, str]) -> SyncResult:
        """Return what changed since ``state`` in Drafts, Sent Items, Inbox and Calendar."""
        ...

    def wait(self, seconds: float) -> bool:
        """Block up to ``seconds`` for a change; True if something may have changed."""
        ...

    def busy(self, emails: Sequence[str], start: datetime, end: datetime) -> dict[str, list[Busy]]:
        """Return busy intervals per address (free/busy)."""
        ...

    def mail_tips(self, emails: Sequence[str]) -> dict[str, OutOfOffice]:
        """Return out-of-office and validity per recipient before writing to them."""
        ...

    def lookup(self, name: str) -> list[Person]:
        """Search the organization's directory."""
        ...

    def person(self, email: str) -> Person | None:
        """Return the directory entry at ``email`` with its manager and direct reports.

        ``manager`` and ``reports`` are addresses, so the org chart walks the directory
        one person at a time. None when the directory does not know the address (not an
        error). EWS: ResolveNames with full contact data (ManagerMailbox, DirectReports);
        Graph: ``/users/{id}`` with ``/manager`` and ``/directReports``.
        """
        ...

    def close(self) -> None: ...
