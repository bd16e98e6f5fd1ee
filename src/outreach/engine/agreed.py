"""An agreed time: one live interview per contact, never silently beside another booking.

Both ways a time is agreed (a reply that picks a proposed slot, `outreach schedule`)
come here. A new time for a contact whose earlier interview has not happened yet
(still to come, or passed without being accepted) supersedes it: the earlier one is
cancelled and points to the new one, and the planner moves its calendar item instead
of adding a second invite, sent or not. There is never more than one invitation per
contact on the calendar. A time that
overlaps another contact's interview is recorded with what is in the way, and its
invite waits until the user chooses (`outreach schedule --force`, or another time).

``open_times`` is the other half of never booking twice: the times offered to
contacts who may still pick them, and the interviews agreed, which no other
contact is offered.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from outreach.core.model import Interview, Kind, Message, MessageState, Mode, Slot, State, Status
from outreach.engine.actions import flag, set_status, stamp
from outreach.engine.holds import OPEN

#: States of a request or follow-up whose times are out (or about to be) with the contact.
OFFERED = frozenset({MessageState.PLANNED, MessageState.DRAFTED, MessageState.SENT})

#: Interview statuses of a time still to come.
PENDING = frozenset({"proposed", "scheduled"})


def interview_id(contact_id: str, start: datetime) -> str:
    """Return the stable id of a contact's interview at ``start``."""
    return hashlib.sha256(f"{contact_id}:{start.isoformat()}".encode()).hexdigest()[:12]


def end_of(interview: Interview) -> datetime:
    return interview.start + timedelta(minutes=interview.minutes)


def pending(state: State, contact_id: str, now: datetime) -> list[Interview]:
    """Return the contact's agreed interviews that have not ended yet, earliest first."""
    return [
        i for i in state.interviews_of(contact_id) if i.status in PENDING and end_of(i) > now
    ]


def replaced(state: State, contact_id: str, now: datetime) -> list[Interview]:
    """Return the contact's interviews a newly agreed time replaces: those still to come,
    and those whose time passed without being accepted or logged (never held; their
    invitation, sent or not, still stands on the calendar)."""
    return [
        i
        for i in state.interviews_of(contact_id)
        if i.status in PENDING
        and (end_of(i) > now or (i.status == "proposed" and i.logged_at is None))
    ]


def in_the_way(
    state: State, contact_id: str, start: datetime, end: datetime, offers: bool = True
) -> list[str]:
    """Return a sentence for each other contact's pending interview, or (with ``offers``)
    time proposed to them that they may still pick, overlapping [start, end)."""
    found = []
    for other in sorted(state.contacts.values(), key=lambda c: c.id):
        if other.id == contact_id:
            continue
        for interview in pending(state, other.id, start):
            if interview.start < end and start < end_of(interview):
                found.append(f"the interview with {other.name} at {stamp(interview.start)}")
        if offers and any(s.start < end and start < s.end for s in offered(state, other.id, start)):
            found.append(f"the time proposed to {other.name}")
    return found


def offered(state: State, contact_id: str, now: datetime) -> list[Slot]:
    """Return the times of the contact's latest proposal while they may still pick one."""
    contact = state.contacts[contact_id]
    if contact.status not in OPEN or contact.do_not_contact or pending(state, contact_id, now):
        return []
    offers = [
        m
        for m in state.messages_of(contact_id)
        if m.kind in (Kind.REQUEST, Kind.FOLLOW_UP) and m.slots and m.state in OFFERED
    ]
    return [s for s in offers[-1].slots if s.end > now] if offers else []


def open_times(state: State, now: datetime) -> list[Slot]:
    """Return the times no one else may be offered: each contact's latest proposal while
    they may still pick from it, and every interview agreed and not over."""
    taken: list[Slot] = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.id):
        taken += [Slot(start=i.start, end=end_of(i)) for i in pending(state, contact.id, now)]
        taken += offered(state, contact.id, now)
    return taken


def calendar_in_the_way(
    state: State,
    contact_id: str,
    start: datetime,
    end: datetime,
    busy: list[tuple[datetime, datetime, str]],
) -> list[str]:
    """Return a sentence for each busy time on the user's calendar overlapping [start, end).

    ``busy`` is (start, end, subject) from free/busy. Our own items are told apart by
    their times: the contact's own holds (standing, or released and not yet taken off:
    the agreement itself releases them) and interviews are not in the way, nor is a
    hold on its way out; another contact's standing hold is "the time proposed to ...",
    another's interview is left to ``in_the_way``.
    """
    ours: list[tuple[datetime, datetime, str]] = [
        (i.start, end_of(i), "") for i in state.interviews_of(contact_id) if _on_calendar(state, i)
    ]  # the contact's own meeting, even at a time since moved
    for contact in state.contacts.values():
        if contact.id != contact_id:
            ours += [(i.start, end_of(i), "") for i in pending(state, contact.id, start)]
        for message in state.messages_of(contact.id):
            held = message.slots[0] if message.slots else None
            if message.kind != Kind.HOLD or message.state != MessageState.DRAFTED or not held:
                continue
            theirs = contact.id != contact_id and not message.release
            what = f"the time proposed to {contact.name}" if theirs else ""
            ours.append((held.start, held.end, what))
    found = []
    for b_start, b_end, subject in busy:
        if not (b_start < end and start < b_end):
            continue
        item = next((o for o in ours if (o[0], o[1]) == (b_start, b_end)), None)
        if item is not None:
            ours.remove(item)  # one of ours: each accounts for one busy time, no more
            if item[2]:
                found.append(item[2])
            continue
        what = f"'{subject}'" if subject else "a busy time"
        found.append(f"{what} on your calendar at {stamp(b_start)}")
    return list(dict.fromkeys(found))


def _on_calendar(state: State, interview: Interview) -> bool:
    """True if the interview's invite stands on the calendar (a busy time of ours)."""
    invite = state.messages.get(interview.invite_id or "")
    return invite is not None and bool(invite.item_id) and invite.state in OFFERED


def moved_invite(state: State, contact_id: str) -> Message | None:
    """Return the invite in the mailbox of an interview a later time superseded, if any.

    Its calendar item is the one to move: after a move lands, the old invite gives
    the item up, so there is at most one such invite at a time.
    """
    for message in reversed(state.messages_of(contact_id)):
        if message.kind != Kind.INVITE or not message.item_id:
            continue
        if message.state not in (MessageState.DRAFTED, MessageState.SENT):
            continue
        interview = state.interviews.get(message.interview_id or "")
        if interview is not None and interview.superseded_by is not None:
            return message
    return None


def agree(
    state: State,
    contact_id: str,
    start: datetime,
    minutes: int,
    now: datetime,
    *,
    mode: Mode = Mode.OFFICE,
    location: str = "",
    why: str,
    force: bool = False,
    picked: bool = False,
) -> Interview:
    """Record ``start`` as the contact's interview, superseding one not yet held (still to
    come, or passed without being accepted): its invitation moves to the new time.

    ``why`` ends the event sentences ("a reply picks a proposed time"). Unless
    ``force``, an overlap with another contact's interview (or, unless the contact
    ``picked`` one of their own proposed times, a time proposed to someone else) is
    recorded as the interview's ``conflict`` and flagged; the planner holds its invite.
    """
    if start.tzinfo is None:
        raise ValueError("the agreed start must be time-zone aware")
    iid = interview_id(contact_id, start)
    earlier = [i for i in replaced(state, contact_id, now) if i.id != iid]
    interview = state.interviews.get(iid)
    if interview is None:
        interview = Interview(
            contact_id=contact_id, start=start, id=iid, minutes=minutes, mode=mode,
            location=location, status="proposed",
        )  # fmt: skip
        state.interviews[iid] = interview
        state.note(now, "interview", contact_id, f"time agreed: {stamp(start)} ({why})",
                   {"interview_id": iid})  # fmt: skip
    elif interview.status not in PENDING:
        interview.status, interview.superseded_by = "proposed", None
        state.note(now, "interview", contact_id, f"time agreed again: {stamp(start)} ({why})",
                   {"interview_id": iid})  # fmt: skip
    contact = state.contacts[contact_id]
    for old in [*earlier, interview]:
        if old.conflict and (contact.attention or "").endswith(held_back(old)):
            contact.attention = None  # that choice is being made now: not current any more
    for old in earlier:
        old.status, old.superseded_by = "cancelled", iid
        state.note(now, "interview", contact_id,
                   f"interview of {stamp(old.start)} moved to {stamp(start)}",
                   {"interview_id": old.id, "superseded_by": iid})  # fmt: skip
    if force:
        interview.forced, interview.conflict = True, ""
    elif not interview.forced:
        blocking = in_the_way(state, contact_id, start, end_of(interview), offers=not picked)
        if blocking:
            hold_back(state, interview, "; ".join(blocking), now)
    if contact.status != Status.SCHEDULED or earlier:
        set_status(state, contact_id, Status.SCHEDULING, now, why)
    return interview


def hold_back(state: State, interview: Interview, blocking: str, now: datetime) -> None:
    """Keep an interview's invite back because ``blocking`` is in the way; tell the user."""
    interview.conflict = blocking
    flag(state, interview.contact_id, held_back(interview), now, f"held-back:{interview.id}")


def held_back(interview: Interview) -> str:
    """The sentence that tells the user an interview's invite waits for their choice."""
    return (
        f"The agreed time {stamp(interview.start)} overlaps {interview.conflict}: no invite "
        "was made. Choose another time, or book it anyway (outreach schedule --at "
        f"'{interview.start:%Y-%m-%d %H:%M}' --force)."
    )
