"""Tie an observation to a contact, or to nobody (then it is ignored, never acted on)."""

from __future__ import annotations

from datetime import UTC, datetime

from outreach.core.model import Contact, Kind, Message, State, Status, journey
from outreach.core.observations import Bounce, Incoming, Observation, Tracked

#: Statuses of a contact still in conversation: preferred when two share an address.
_ACTIVE = journey(Status.DRAFTED, Status.INTERVIEWED) | {Status.PAUSED}


def match(state: State, observation: Observation) -> str | None:
    """Given an observation, return the id of the contact it is about, or None.

    Tries, in order: the tracking id (our outbox id on the item), the internet
    message ids it answers (In-Reply-To, References) against what we sent, the
    conversation id, then the sender's address (the failed recipient for a bounce).
    """
    message = match_message(state, observation)
    if message is not None and message.contact_id in state.contacts:
        return message.contact_id
    if isinstance(observation, Bounce):
        return contact_by_address(state, observation.recipient)
    if isinstance(observation, Incoming):
        return contact_by_address(state, observation.sender)
    return None


def match_message(state: State, observation: Observation) -> Message | None:
    """Return the outbox message an observation is about (tracking id, thread), or None."""
    tracking = getattr(observation, "tracking_id", None)
    if tracking and tracking in state.messages:
        return state.messages[tracking]
    if tracking and tracking.endswith(CALENDAR_UID_SUFFIX):
        invite = invite_by_uid(state, tracking)
        if invite is not None:
            return invite
    ids: list[str] = []
    conversation: str | None = None
    if isinstance(observation, Tracked):
        ids = [observation.internet_message_id or ""]
        conversation = observation.conversation_id
    elif isinstance(observation, Incoming):
        ids = [observation.in_reply_to or "", *reversed(observation.references)]
        conversation = observation.conversation_id
    by_mid = {m.internet_message_id: m for m in _ordered(state) if m.internet_message_id}
    for mid in ids:
        if mid and mid in by_mid:
            return by_mid[mid]
    if conversation:
        for message in reversed(_ordered(state)):
            if message.conversation_id == conversation:
                return message
    return None


#: How our calendar UIDs end (invites.uid_for); checked before importing icalendar.
CALENDAR_UID_SUFFIX = "@outreach.invalid"


def invite_by_uid(state: State, uid: str) -> Message | None:
    """Given one of our calendar UIDs (the tracking id of what an incoming .ics says about
    an interview), return that interview's latest invite, else any message about it, or None.
    """
    from outreach.writing.invites import interview_id_from_uid

    interview_id = interview_id_from_uid(uid)
    if interview_id is None:
        return None
    about = [m for m in _ordered(state) if m.interview_id == interview_id]
    invites = [m for m in about if m.kind == Kind.INVITE]
    return (invites or about or [None])[-1]


def contact_by_address(state: State, address: str) -> str | None:
    """Return the contact with this email address (case-insensitive), or None."""
    wanted = _normal(address)
    if not wanted:
        return None
    found = [c for c in state.contacts.values() if _normal(c.email) == wanted]
    if not found:
        return None
    found.sort(key=_preference)
    return found[0].id


def _preference(contact: Contact) -> tuple[bool, str, str]:
    created = contact.created_at.isoformat() if contact.created_at else ""
    return (contact.status not in _ACTIVE, created, contact.id)


def _normal(address: str) -> str:
    address = address.strip()
    if "<" in address and address.endswith(">"):
        address = address[address.rindex("<") + 1 : -1]
    return address.strip().lower()


def _ordered(state: State) -> list[Message]:
    """Messages oldest first, so a later one wins a conversation id."""
    return sorted(state.messages.values(), key=_when)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _when(message: Message) -> tuple[datetime, str]:
    return (message.sent_at or message.planned_at or _EPOCH, message.id)
