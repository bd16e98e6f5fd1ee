"""Tentative holds: keep the times a request proposed free on the user's calendar.

While a contact may still pick one of the proposed times, each of them stands on
the calendar as a tentative, attendee-less item, so the user does not give the
hour away twice. The holds follow the latest proposal (a follow-up with new times
replaces them) and are released when a time is agreed, the contact stops, or the
time has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from outreach.config.settings import Settings
from outreach.core.model import Contact, Kind, Message, MessageState, State, Status
from outreach.engine.actions import Action, Cancel, Release, message_id

#: Statuses in which the proposed times are still open.
OPEN = frozenset({Status.DRAFTED, Status.CONTACTED, Status.FOLLOWED_UP, Status.REPLIED})
#: States of a hold that stands (or is about to stand) on the calendar.
STANDING = frozenset({MessageState.PLANNED, MessageState.DRAFTED})


def holds(
    state: State,
    now: datetime,
    settings: Settings,
    later: Callable[[datetime], None] = lambda when: None,
) -> Iterator[Action]:
    """Yield the holds to put on the calendar and those to take off, contact by contact.

    ``later`` is told the end of each time still proposed: its hold comes off then.
    """
    for contact in sorted(state.contacts.values(), key=lambda c: c.id):
        yield from _contact_holds(state, contact, now, settings, later)


def _proposal(mine: list[Message]) -> Message | None:
    """Return the latest request or follow-up whose times are in the mailbox."""
    proposals = [
        m
        for m in mine
        if m.kind in (Kind.REQUEST, Kind.FOLLOW_UP)
        and m.slots
        and m.state in (MessageState.DRAFTED, MessageState.SENT)
    ]
    return proposals[-1] if proposals else None


def _agreed(state: State, contact: Contact) -> bool:
    return any(i.status in ("proposed", "scheduled") for i in state.interviews_of(contact.id))


def _contact_holds(
    state: State,
    contact: Contact,
    now: datetime,
    settings: Settings,
    later: Callable[[datetime], None],
) -> Iterator[Action]:
    mine = state.messages_of(contact.id)
    standing = [m for m in mine if m.kind == Kind.HOLD and m.state in STANDING and not m.release]
    proposal = _proposal(mine)
    wanted: dict[str, int] = {}
    if (
        settings.scheduling.hold_slots
        and proposal is not None
        and contact.status in OPEN
        and not contact.do_not_contact
        and not _agreed(state, contact)
    ):
        wanted = {
            message_id(contact.id, Kind.HOLD, f"{proposal.id}:{n}"): n
            for n, slot in enumerate(proposal.slots)
            if slot.end > now
        }
        for n in wanted.values():
            later(proposal.slots[n].end)
    for hold in standing:
        if hold.id not in wanted:
            reason = "a time was agreed" if _agreed(state, contact) else "no longer proposed"
            if hold.state == MessageState.PLANNED:
                yield Cancel(hold.id, reason)
            else:
                yield Release(hold.id, reason)
    if proposal is None:
        return
    for hold_id, n in wanted.items():
        if hold_id in state.messages:
            continue  # standing, or released earlier: never put back twice
        slot = proposal.slots[n]
        yield Message(
            contact_id=contact.id,
            kind=Kind.HOLD,
            id=hold_id,
            sequence=n + 1,
            thread_of=proposal.id,
            slots=[slot],
            planned_at=now,
        )
