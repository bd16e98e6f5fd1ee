"""The funnel and the attention list behind `outreach status`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.core.model import Contact, Interview, Kind, Message, MessageState, State, Status
from outreach.research.overview import attention, funnel

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def world() -> State:
    ann = Contact(name="Ann Example", email="ann@example.com", id="ann", status=Status.DRAFTED)
    bob = Contact(name="Bob Example", email="bob@example.com", id="bob", status=Status.PAUSED,
                  paused_until=NOW + timedelta(days=3))  # fmt: skip
    cy = Contact(name="Cy Example", email="cy@example.com", id="cy", status=Status.SCHEDULED)
    state = State(contacts={c.id: c for c in (ann, bob, cy)})
    state.messages["m1"] = Message(contact_id="ann", kind=Kind.REQUEST, id="m1",
                                   state=MessageState.DRAFTED)  # fmt: skip
    state.messages["h1"] = Message(contact_id="ann", kind=Kind.HOLD, id="h1",
                                   state=MessageState.DRAFTED)  # fmt: skip
    state.interviews["i1"] = Interview(contact_id="cy", start=NOW - timedelta(hours=2), id="i1")
    return state


def test_funnel_counts_every_status_in_journey_order() -> None:
    counts = funnel(world())
    assert counts[0] == (Status.NEW, 0)
    assert dict(counts)[Status.DRAFTED] == 1 and dict(counts)[Status.PAUSED] == 1
    assert [s for s, _ in counts] == list(Status)


def test_attention_lists_drafts_returns_and_unlogged_interviews() -> None:
    texts = [(a.contact_id, a.text) for a in attention(world(), NOW)]
    assert ("ann", "the request draft waits for your Send in Outlook") in texts
    assert ("bob", "comes back on 2026-12-04") in texts
    assert ("cy", f"the interview of {(NOW - timedelta(hours=2)):%Y-%m-%d} is not logged yet") \
        in texts
    assert all("hold" not in text for _, text in texts)  # holds are not the user's to send


def test_a_failure_is_said_once() -> None:
    state = world()
    failed = Message(contact_id="ann", kind=Kind.FOLLOW_UP, id="m2", state=MessageState.FAILED,
                     error="ann@example.com is not a valid recipient")  # fmt: skip
    state.messages["m2"] = failed
    texts = [a.text for a in attention(state, NOW) if a.contact_id == "ann"]
    assert "the follow-up could not be created: ann@example.com is not a valid recipient" in texts

    state.contacts["ann"].attention = (
        "follow-up 1 could not be prepared: ann@example.com is not a valid recipient"
    )
    texts = [a.text for a in attention(state, NOW) if a.contact_id == "ann"]
    assert sum("not a valid recipient" in t for t in texts) == 1
