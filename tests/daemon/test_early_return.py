"""An early return ends the pause: MailTips asked again daily; a reply ends it too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from outreach.core.model import Kind, MessageState

from .world import ZONE, World

TOBIAS = "tobias.ferreira@example.com"
START = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)  # a Monday


@pytest.fixture
def world(open_world: Callable[..., World]) -> World:
    return open_world(start=START)


def test_away_for_a_month_back_after_a_week_gets_the_request_that_day(world: World) -> None:
    w = world
    w.controls.set_out_of_office(TOBIAS, "I am out of the office until January 4, 2027.")
    w.add("Tobias Ferreira", TOBIAS)
    w.cli("run", "--once")
    tobias = w.contact(TOBIAS)
    assert tobias.status.value == "paused" and tobias.away
    assert tobias.paused_until is not None and tobias.paused_until.date().month == 1
    assert w.addressed_to("drafts", TOBIAS) == []

    w.advance(hours=3)  # the same day: MailTips is not asked again
    w.sandbox.controls.reset_request_counts()
    w.cli("run", "--once")
    assert w.sandbox.controls.request_counts().get("GetMailTips", 0) == 0

    w.advance(days=2)  # still away: asked once, the pause goes on
    w.cli("run", "--once")
    assert w.status(TOBIAS) == "paused" and w.contact(TOBIAS).away_checked is not None

    w.advance(days=5)  # a week on, the automatic reply is switched off
    w.controls.set_out_of_office(TOBIAS, None)
    w.cli("run", "--once")
    assert w.status(TOBIAS) == "drafted"
    [draft] = w.addressed_to("drafts", TOBIAS)
    request = w.message(TOBIAS, Kind.REQUEST, MessageState.DRAFTED)
    assert request.item_id == draft["id"]
    story = " ".join(e.text for e in w.store.events(w.contact(TOBIAS).id))
    assert "back early: the automatic reply is off" in story


def test_a_real_reply_ends_an_out_of_office_pause(world: World) -> None:
    w = world
    w.requested("Tobias Ferreira", TOBIAS)
    sent = w.addressed_to("sentitems", TOBIAS)[0]["id"]
    w.controls.auto_reply(sent, sender=TOBIAS, message="I am away until January 4, 2027.")
    w.advance(minutes=10)
    w.cli("run", "--once")
    assert w.status(TOBIAS) == "paused" and w.contact(TOBIAS).away
    w.advance(days=1, hours=2)
    w.controls.reply(sent, sender=TOBIAS, body="Back early after all. Happy to talk.")
    w.cli("run", "--once")
    tobias = w.contact(TOBIAS)
    assert (tobias.status.value, tobias.paused_until, tobias.away) == ("replied", None, False)

