"""Requests that wait for a free time: a time proposed to one contact is never offered to another.

When the scheduling window has no free time left for a request or a follow-up (a bulk
first day, a short ``scheduling.latest_days``), the outbox leaves it PLANNED with
``Message.waits`` saying why, instead of offering times someone else may still pick.
A waiting message is not carried into the mailbox and does not count against the
daily cap. The planner wakes the waiting messages when a time may have come free
since they last found none (``mark``): a proposed time given back (a decline, a
lapse, a draft deleted, a time agreed that releases the others), the window moving
on to a new day, or the scheduling settings changing. While they wait, no fresh
request is planned: it would only join them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from outreach.config.settings import Settings
from outreach.core.model import Kind, Message, MessageState, State
from outreach.engine.actions import WAKE_MARK, Wake, describe, memo
from outreach.engine.agreed import open_times

#: Messages that propose times, and so may wait for one.
PROPOSING = frozenset({Kind.REQUEST, Kind.FOLLOW_UP})


def waiting(state: State) -> list[Message]:
    """Return the messages waiting for a free time, oldest plan first."""
    found = [m for m in state.messages.values() if is_waiting(m)]
    return sorted(found, key=lambda m: (m.planned_at is None, m.planned_at, m.id))


def is_waiting(message: Message) -> bool:
    return message.state == MessageState.PLANNED and bool(message.waits)


def mark(state: State, now: datetime, settings: Settings) -> dict[str, Any]:
    """Return what decides whether a time can come free: the window's last day, the times
    proposed or agreed still to come, and the settings that shape the window."""
    today = now.astimezone(settings.zone).date()
    last = today + timedelta(days=settings.scheduling.latest_days)
    times = sorted({(s.start.isoformat(), s.end.isoformat()) for s in open_times(state, now)})
    return {"last_day": last.isoformat(), "open": [list(t) for t in times],
            "setup": _setup(settings)}


def freed(state: State, now: datetime, settings: Settings) -> str | None:
    """Return why a time may have come free since the messages began to wait, or None."""
    before = memo(state).get(WAKE_MARK)
    if not before:
        return "the times in the window were never looked at"
    current = mark(state, now, settings)
    if current["setup"] != before.get("setup"):
        return "the scheduling settings changed"
    if current["last_day"] > before.get("last_day", ""):
        return f"the window moved on to {current['last_day']}"
    still = {tuple(t) for t in current["open"]}
    given_back = [
        t for t in before.get("open", [])
        if tuple(t) not in still and datetime.fromisoformat(t[1]) > now
    ]  # fmt: skip
    if given_back:
        n = len(given_back)
        return f"{n} proposed time{'' if n == 1 else 's'} came free"
    return None


def wait(state: State, message_id: str, reason: str, now: datetime) -> None:
    """Record that a PLANNED message found no free time: it waits, and says why.

    Then ``remember`` the window as it is, once for the batch."""
    message = state.messages.get(message_id)
    if message is None or message.state != MessageState.PLANNED:
        return
    message.waits, message.slots = reason, []
    state.note(now, "waits", message.contact_id,
               f"{describe(message)} waits for a free time: {reason}",
               {"message_id": message.id})  # fmt: skip


def remember(
    state: State, now: datetime, settings: Settings, seen: dict[str, Any] | None = None
) -> None:
    """Keep the mark of now: the times that, given back, would let a waiting message go.

    ``seen`` is the mark the batch began with: a time it could not offer that its own
    emails gave back (a follow-up's new times replace the request's) is free now, so
    it stays in the mark and wakes the waiting at the next plan."""
    current = mark(state, now, settings)
    if seen is not None:
        both = {tuple(t) for t in current["open"]} | {tuple(t) for t in seen["open"]}
        current["open"] = [list(t) for t in sorted(both)]
    memo(state)[WAKE_MARK] = current


def wake(state: State, now: datetime, settings: Settings, room: int) -> Wake | None:
    """Return the waiting messages to try again now (at most ``room`` emails), or None."""
    asleep = waiting(state)
    if not asleep or room <= 0:
        return None
    reason = freed(state, now, settings)
    if reason is None:
        return None
    chosen = tuple(m.id for m in asleep[:room])
    return Wake(chosen, reason, mark(state, now, settings))


def _setup(settings: Settings) -> str:
    """A digest of the settings that shape the window: a change may make room."""
    raw = repr((settings.scheduling, settings.time))
    return hashlib.sha256(raw.encode()).hexdigest()[:12]
