"""The funnel and the attention list behind `outreach status` (pure: state and clock in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.model import Kind, MessageState, State, Status

#: Statuses in the order of the journey, side exits last.
JOURNEY = tuple(Status)


@dataclass(frozen=True)
class Attention:
    """One thing for the user to look at."""

    contact_id: str | None
    name: str
    text: str


def funnel(state: State) -> list[tuple[Status, int]]:
    """Return (status, how many contacts) for every status, in journey order."""
    counts = dict.fromkeys(JOURNEY, 0)
    for contact in state.contacts.values():
        counts[contact.status] += 1
    return list(counts.items())


def attention(state: State, now: datetime, soon: timedelta = timedelta(days=7)) -> list[Attention]:
    """Return what needs the user: flagged contacts, pauses ending, drafts, failures, logs due."""
    items: list[Attention] = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.name.lower()):
        if contact.attention:
            items.append(Attention(contact.id, contact.name, contact.attention))
        if contact.status is Status.PAUSED and contact.paused_until is not None:
            until = contact.paused_until
            if until <= now:
                items.append(Attention(contact.id, contact.name,
                                       f"was due back on {until:%Y-%m-%d}; the pause is over"))
            elif until <= now + soon:
                items.append(Attention(contact.id, contact.name,
                                       f"comes back on {until:%Y-%m-%d}"))
    for message in state.messages.values():
        contact = state.contacts.get(message.contact_id)
        name = contact.name if contact else message.contact_id
        if message.state is MessageState.DRAFTED and message.kind is not Kind.HOLD:
            items.append(Attention(message.contact_id, name,
                                   f"the {message.kind.value} draft waits for your Send in "
                                   "Outlook"))
        elif message.state is MessageState.FAILED and not (
            contact and message.error and message.error in (contact.attention or "")
        ):  # said once: the contact's own attention line already names this failure
            items.append(Attention(message.contact_id, name,
                                   f"the {message.kind.value} could not be created: "
                                   f"{message.error or 'unknown error'}"))
    for interview in state.interviews.values():
        if interview.status == "scheduled" and interview.logged_at is None and \
                interview.start + timedelta(minutes=interview.minutes) <= now:
            contact = state.contacts.get(interview.contact_id)
            items.append(Attention(interview.contact_id,
                                   contact.name if contact else interview.contact_id,
                                   f"the interview of {interview.start:%Y-%m-%d} is not "
                                   "logged yet"))
    return items
