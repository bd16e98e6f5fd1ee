"""The person's first day: `outreach draft`, Send in Outlook, a reply, then the service.

The daemon's first sync is a baseline of a mailbox it never saw; what the person did
with our draft before that (sent it, got an answer) must still move the contact on,
once, while the old mail of the mailbox stays noise.
"""

from __future__ import annotations

import pytest

from outreach.core.model import Kind, MessageState

from .world import World

PRIYA = "priya.castellan@example.com"  # gets the draft; it is sent and answered
DANA = "dana.whitlock@example.com"  # an old message of hers, before the campaign


@pytest.mark.parametrize("first", [("draft", "priya"), ("run", "--once")], ids=["draft", "once"])
@pytest.mark.parametrize("world", ["ews", "graph"], indirect=True)
def test_draft_sent_and_answered_before_the_first_cycle(
    world: World, first: tuple[str, ...]
) -> None:
    w = world
    w.add("Priya Castellan", PRIYA)
    w.add("Dana Whitlock", DANA)
    w.controls.receive(DANA, "Lunch on Friday?", "An old thread, not an answer to us.")
    w.controls.receive("someone@elsewhere.example.com", "Newsletter", "Nobody we know.")
    w.cli(*first)  # `draft` never syncs; `run --once` syncs before it drafts
    sent = w.controls.press_send(w.message(PRIYA, Kind.REQUEST).item_id)
    w.advance(minutes=20)
    w.controls.reply(sent, body="Happy to talk. Tuesday works.")
    w.advance(minutes=20)

    daemon = w.start()
    w.wait("Priya's reply recorded", lambda: w.status(PRIYA) == "replied")
    request = w.message(PRIYA, Kind.REQUEST)
    assert request.state == MessageState.SENT and request.sent_at is not None
    # the daemon's own request to Dana: later cycles run, and report nothing again
    w.wait("Dana's request in Drafts", lambda: w.message(DANA, Kind.REQUEST).item_id)
    w.settled()
    w.controls.press_send(w.message(DANA, Kind.REQUEST).item_id)
    w.wait("Dana contacted", lambda: w.status(DANA) == "contacted")
    assert w.stop(daemon) == 0

    priya = w.contact(PRIYA)
    story = [e.kind for e in w.store.events(priya.id)]
    assert story.count("sent") == 1 and story.count("reply") == 1, story
    statuses = [e.text for e in w.store.events(priya.id) if e.kind == "status"]
    assert any("contacted" in t for t in statuses) and any("replied" in t for t in statuses)
    dana_story = [e.kind for e in w.store.events(w.contact(DANA).id)]
    assert "reply" not in dana_story  # her old mail stays noise
