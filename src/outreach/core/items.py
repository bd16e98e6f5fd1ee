"""What goes to and comes from a mailbox, as plain values: emails, attachments,
meetings, where an action landed, directory entries and busy times.

Here rather than beside the backend interface because the writing layer builds
them and the research layer reads them, and both sit below the mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """A rendered email, ready to become a draft or be sent."""

    tracking_id: str  # outbox Message.id, stored as an extended property and X- header
    contact_id: str
    to: tuple[str, ...]
    subject: str
    html: str
    text: str
    in_reply_to: str | None = None  # internet message id the email continues (the thread)
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """An interview invite (or a tentative hold when ``attendees`` is empty)."""

    tracking_id: str
    contact_id: str
    subject: str
    start: datetime
    end: datetime
    location: str
    body_html: str
    attendees: tuple[str, ...] = ()
    reminder_minutes: int = 15
    tentative: bool = False


@dataclass(frozen=True)
class Created:
    """Where an outbox action landed in the mailbox."""

    tracking_id: str
    item_id: str
    internet_message_id: str | None = None
    conversation_id: str | None = None
    sent: bool = False
    deleted: bool = False  # found in Deleted Items (reconciliation only)


@dataclass(frozen=True)
class Person:
    """A directory entry; ``manager`` and ``reports`` are addresses (the org chart's edges).

    ``lookup`` may leave them empty; ``person`` fills them when the directory knows them.
    """

    name: str
    email: str
    title: str = ""
    department: str = ""
    office: str = ""
    phone: str = ""
    manager: str = ""  # the manager's address
    reports: tuple[str, ...] = ()  # the direct reports' addresses


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    subject: str = ""  # when the calendar shares it (the user's own, a detailed view)
