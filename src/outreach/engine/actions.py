"""The engine's actions as data, their stable ids, and how one is recorded into a State.

``plan`` returns these; ``commit`` writes one into the State with an event. New
outbox entries are plain ``Message`` records in state PLANNED: the outbox performs
every PLANNED message it finds, so nothing else needs to pass between them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from outreach.core.model import Event, Kind, Message, MessageState, State, Status

#: Key in ``State.sync`` where the engine keeps its own small memory.
MEMO = "engine"
#: Key in the engine's memo: what the window looked like when emails last found no time.
WAKE_MARK = "times"
#: How many observation keys to remember for idempotent replays.
SEEN_LIMIT = 5000

#: Messages that are emails to a person (calendar items are not capped).
EMAIL_KINDS = frozenset(
    {Kind.REQUEST, Kind.FOLLOW_UP, Kind.THANK_YOU, Kind.REPORT_BACK, Kind.UPDATE}
)
#: States in which a message occupies its slot: never planned again.
LIVE = frozenset(
    {
        MessageState.PLANNED,
        MessageState.DRAFTED,
        MessageState.SENT,
        MessageState.DELETED,
        MessageState.FAILED,
    }
)


@dataclass(frozen=True)
class StatusChange:
    """Move a contact to ``status``; ``paused_until`` (and ``away``: for an out-of-office)
    only with PAUSED."""

    contact_id: str
    status: Status
    reason: str
    paused_until: datetime | None = None
    away: bool = False


@dataclass(frozen=True)
class Flag:
    """Ask for the user's attention once; ``key`` makes the reminder never repeat, and is
    the line's cause (``engine.attention``) unless ``about`` says it."""

    contact_id: str
    attention: str
    key: str
    about: str = ""


@dataclass(frozen=True)
class Clear:
    """Take a contact's attention line away: its cause is resolved (``engine.attention``)."""

    contact_id: str
    reason: str


@dataclass(frozen=True)
class InterviewChange:
    """Set an interview's status (``held`` when its end has passed)."""

    interview_id: str
    status: str
    reason: str


@dataclass(frozen=True)
class Cancel:
    """Withdraw a PLANNED message that has not reached the mailbox and is no longer due."""

    message_id: str
    reason: str


@dataclass(frozen=True)
class Release:
    """Take a message that is already in the mailbox back out (a tentative hold)."""

    message_id: str
    reason: str


@dataclass(frozen=True)
class Wake:
    """Put messages waiting for a free time back in the outbox, as planned now
    (``engine.waits``); ``mark`` is what the window looks like as they go."""

    message_ids: tuple[str, ...]
    reason: str
    mark: dict[str, Any]


Action = Message | StatusChange | Flag | Clear | InterviewChange | Cancel | Release | Wake


def message_id(contact_id: str, kind: Kind, key: str | int, attempt: int = 0) -> str:
    """Return the stable outbox id of a contact's ``kind`` message number ``key``.

    The same state always yields the same id, so re-planning after a crash finds
    the message already recorded (and the mailbox finds the item by it).
    ``attempt`` counts earlier cancelled messages in the same place.
    """
    raw = f"{contact_id}:{kind.value}:{key}:{attempt}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def slot_of(message: Message) -> tuple[str, Kind, int, str | None]:
    """Return what makes a message unique for planning: contact, kind, sequence, and the
    interview it is about (for a hold: the proposal it keeps free)."""
    about = message.thread_of if message.kind == Kind.HOLD else message.interview_id
    return (message.contact_id, message.kind, message.sequence, about)


def memo(state: State) -> dict[str, Any]:
    """Return (creating) the engine's memory in ``state.sync``."""
    mem = state.sync.setdefault(MEMO, {})
    mem.setdefault("seen", [])
    mem.setdefault("reminded", [])
    return mem


def seen(state: State, key: str) -> bool:
    """Return True if an observation with ``key`` was already applied."""
    return key in memo(state)["seen"]


def remember(state: State, key: str) -> None:
    """Remember an applied observation, forgetting the oldest beyond SEEN_LIMIT."""
    keys = memo(state)["seen"]
    keys.append(key)
    del keys[:-SEEN_LIMIT]


def reminded(state: State, key: str) -> bool:
    return key in memo(state)["reminded"]


def set_status(
    state: State,
    contact_id: str,
    status: Status,
    now: datetime,
    reason: str,
    data: dict[str, Any] | None = None,
) -> bool:
    """Move a contact to ``status`` with an event; return False if it already was there."""
    contact = state.contacts[contact_id]
    if contact.status == status:
        return False
    previous = contact.status
    contact.status = status
    contact.status_changed_at = now
    contact.updated_at = now
    if status != Status.PAUSED:
        contact.paused_until = None
        contact.paused_from = None
        contact.away, contact.away_checked = False, None
    state.note(
        now,
        "status",
        contact_id,
        f"{previous.value} → {status.value}: {reason}",
        {"from": previous.value, "to": status.value, **(data or {})},
    )
    return True


def about(kind: str, *parts: object) -> str:
    """Return an attention line's cause, ``kind:part:...`` (datetimes in ISO form)."""
    return ":".join([kind, *(p.isoformat() if isinstance(p, datetime) else str(p)
                             for p in parts)])  # fmt: skip


def flag(state: State, contact_id: str, attention: str, now: datetime, about: str = "") -> None:
    """Set a contact's attention sentence with an event (no-op if already that); ``about``
    is its cause, so that the line goes when the cause is resolved (``engine.attention``)."""
    contact = state.contacts[contact_id]
    contact.attention_about = about
    if contact.attention == attention:
        return
    contact.attention = attention
    contact.updated_at = now
    state.record(Event(at=now, kind="attention", contact_id=contact_id, text=attention))


def commit(state: State, action: Action, now: datetime) -> None:
    """Record one planned action into ``state`` with an event."""
    if isinstance(action, Message):
        state.messages[action.id] = action
        if action.kind == Kind.INVITE and action.interview_id in state.interviews:
            state.interviews[action.interview_id].invite_id = action.id
        state.note(
            now,
            "planned",
            action.contact_id,
            f"{describe(action)} planned",
            {"message_id": action.id, "kind": action.kind.value},
        )
    elif isinstance(action, StatusChange):
        if action.status == Status.PAUSED:
            contact = state.contacts[action.contact_id]
            if contact.status != Status.PAUSED:
                contact.paused_from = contact.status
            contact.paused_until = action.paused_until
            contact.away = action.away
        set_status(state, action.contact_id, action.status, now, action.reason)
    elif isinstance(action, Flag):
        flag(state, action.contact_id, action.attention, now, action.about or action.key)
        memo(state)["reminded"].append(action.key)
    elif isinstance(action, Clear):
        contact = state.contacts[action.contact_id]
        contact.attention, contact.attention_about = None, ""
        state.note(now, "attention-cleared", contact.id, f"no longer needs you: {action.reason}")
    elif isinstance(action, InterviewChange):
        interview = state.interviews[action.interview_id]
        interview.status = action.status
        state.note(
            now,
            "interview",
            interview.contact_id,
            action.reason,
            {"interview_id": interview.id, "status": action.status},
        )
    elif isinstance(action, Release):
        message = state.messages[action.message_id]
        message.release = True
        _noted(state, now, "release", message, f"to come off the calendar: {action.reason}")
    elif isinstance(action, Wake):
        for message_id in action.message_ids:
            message = state.messages[message_id]
            message.waits, message.planned_at = "", now
        memo(state)[WAKE_MARK] = action.mark
        n = len(action.message_ids)
        state.note(now, "woken", None,
                   f"{n} email{'' if n == 1 else 's'} waiting for a free time tried again: "
                   f"{action.reason}", {"message_ids": list(action.message_ids)})  # fmt: skip
    elif isinstance(action, Cancel):
        message = state.messages[action.message_id]
        message.state = MessageState.CANCELLED
        _noted(state, now, "cancelled", message, f"withdrawn: {action.reason}")


def _noted(state: State, now: datetime, kind: str, message: Message, what: str) -> None:
    """Say in its contact's history what became of ``message``."""
    text = f"{describe(message)} {what}"
    state.note(now, kind, message.contact_id, text, {"message_id": message.id})


def counts_today(message: Message, today: date, zone: tzinfo) -> bool:
    """True if ``message`` counts against today's cap (policy.daily_send_cap): an email
    planned or sent today in the user's zone, or still waiting to go (it goes today).
    The one definition the planner, `outreach send` and the outbox share."""
    if message.kind not in EMAIL_KINDS or message.state == MessageState.CANCELLED:
        return False
    if message.waits:
        return False  # waiting for a free time: it counts the day it goes
    if message.state == MessageState.PLANNED:
        return True
    return any(
        moment is not None and moment.astimezone(zone).date() == today
        for moment in (message.planned_at, message.sent_at)
    )


def today_count(state: State, now: datetime, zone: tzinfo) -> int:
    """Return how many emails count against today's cap (``counts_today``)."""
    today = now.astimezone(zone).date()
    return sum(counts_today(m, today, zone) for m in state.messages.values())


def describe(message: Message) -> str:
    """Return a short name for a message, e.g. "follow-up 2"."""
    if message.kind == Kind.FOLLOW_UP:
        return f"follow-up {message.sequence}"
    if message.kind == Kind.HOLD and message.slots:
        return f"hold for {stamp(message.slots[0].start)}"
    return message.kind.value


def stamp(moment: datetime) -> str:
    """Format a time for event sentences: 2026-12-01 09:14 (in its own zone)."""
    return moment.strftime("%Y-%m-%d %H:%M")
