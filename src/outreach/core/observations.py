"""Typed facts a mailbox backend reports; the engine turns them into status changes.

The raw mail never reaches the rules. A backend fills in the identifying fields it
knows (tracking id, conversation, message ids, sender) and ``match`` in the engine
ties each observation to a contact, or drops it when it is about nobody we know.
Observations must be safe to apply twice: a sync page can be replayed after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Observation:
    """Something seen in the mailbox at ``at``; ``item_id`` identifies the Exchange item."""

    at: datetime
    item_id: str = ""


@dataclass(frozen=True)
class Tracked(Observation):
    """About an item the product created: found again by tracking id (or its fallbacks)."""

    tracking_id: str | None = None  # outbox Message.id, from the extended property
    internet_message_id: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class DraftSent(Tracked):
    """The user pressed Send: the item appeared in Sent Items with what was actually sent."""

    subject: str = ""
    body_text: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftEdited(Tracked):
    """The user changed a draft but has not sent it."""

    subject: str = ""


@dataclass(frozen=True)
class DraftDeleted(Tracked):
    """A draft the product created vanished from Drafts without being sent."""


@dataclass(frozen=True)
class Incoming(Observation):
    """Mail that arrived; matched to a contact by thread, then by sender.

    ``own_text`` is the message's own words: what the server says is unique to it in its
    conversation (EWS UniqueBody, Graph uniqueBody), without the quoted earlier message;
    the whole body when the server gave no such part.
    """

    sender: str = ""
    subject: str = ""
    body_text: str = ""
    own_text: str = ""
    internet_message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    conversation_id: str | None = None


@dataclass(frozen=True)
class ReplyReceived(Incoming):
    """A person answered (in the thread or not)."""


@dataclass(frozen=True)
class AutoReply(Incoming):
    """An out-of-office or other automatic reply; ``until`` when the text gives a date."""

    until: datetime | None = None


@dataclass(frozen=True)
class Bounce(Incoming):
    """A non-delivery report; ``recipient`` is the address that failed."""

    recipient: str = ""
    reason: str = ""


@dataclass(frozen=True)
class MeetingResponse(Incoming):
    """An attendee's answer to an interview invite (tracked by the invite's id)."""

    tracking_id: str | None = None


@dataclass(frozen=True)
class MeetingAccepted(MeetingResponse):
    pass


@dataclass(frozen=True)
class MeetingTentative(MeetingResponse):
    pass


@dataclass(frozen=True)
class MeetingDeclined(MeetingResponse):
    pass


@dataclass(frozen=True)
class MeetingProposedNewTime(MeetingResponse):
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class InterviewMoved(Tracked):
    """The calendar item of an interview now has another time."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class InterviewCancelled(Tracked):
    """The calendar item of an interview was cancelled or removed."""


@dataclass(frozen=True)
class OutOfOffice:
    """What MailTips says of a recipient before we write to them."""

    email: str
    away: bool = False
    until: datetime | None = None
    message: str = ""
    invalid: bool = False
    external: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    failed: bool = False  # the server gave no tips for this recipient: nothing is known
