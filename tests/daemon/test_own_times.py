"""A contact's own proposed times are never in the way of that contact's interview.

The times proposed to Priya stand on the calendar as tentative holds. `outreach
schedule` on one of them books the interview without --force and takes Priya's holds
off the calendar at once; a time proposed to Dana is still refused, naming her.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from outreach.core.model import Kind, MessageState

from .world import ZONE, World

PRIYA = "priya.castellan@example.com"
DANA = "dana.whitlock@example.com"


@pytest.fixture
def world(open_world: Callable[..., World], request: pytest.FixtureRequest) -> World:
    return open_world(protocol=request.node.callspec.params["protocol"])


def holds_of(w: World, name: str) -> list[dict]:
    """The tentative holds on the user's calendar for the times proposed to ``name``."""
    return [
        i for i in w.folder("calendar") if not i["attendees"] and name in (i["subject"] or "")
    ]


def invites_to(w: World, email: str) -> list[dict]:
    return [i for i in w.folder("calendar") if email in [a[0] for a in i["attendees"]]]


def at(moment: datetime) -> str:
    return f"{moment.astimezone(ZONE):%Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    ("slot", "protocol"), [(1, "ews"), (2, "ews"), (3, "ews"), (1, "graph"), (3, "graph")]
)
def test_schedule_on_a_time_proposed_to_that_contact_books_it_and_clears_the_holds(
    world: World, slot: int, protocol: str
) -> None:
    w = world
    w.requests_sent(("Priya Castellan", PRIYA), ("Dana Whitlock", DANA))
    assert len(holds_of(w, "Priya Castellan")) == 3 and len(holds_of(w, "Dana Whitlock")) == 3
    priyas = w.message(PRIYA, Kind.REQUEST).slots
    danas = w.message(DANA, Kind.REQUEST).slots

    # Dana's time is still in the way, and is named as hers
    refused = w.cli("schedule", "priya", "--at", at(danas[0].start), check=False)
    assert refused.returncode == 2, refused.stderr
    said = " ".join(refused.stderr.split())
    assert "the time proposed to Dana Whitlock" in said and "--force" in said
    assert "Priya Castellan" not in said  # her own holds are not in the way
    assert invites_to(w, PRIYA) == []

    # one of Priya's own times: booked without --force, her holds taken off now
    chosen = priyas[slot - 1].start
    booked = w.cli("schedule", "priya", "--at", at(chosen))
    assert "Scheduled Priya Castellan" in booked.stdout, booked.stdout + booked.stderr
    [meeting] = invites_to(w, PRIYA)
    assert datetime.fromisoformat(meeting["start"].replace("Z", "+00:00")) == chosen
    assert holds_of(w, "Priya Castellan") == []
    assert len(holds_of(w, "Dana Whitlock")) == 3
    state = w.state()
    [invite] = w.messages(PRIYA, Kind.INVITE, state)
    assert invite.state == MessageState.SENT and invite.item_id == meeting["id"]
    interview = state.interviews[invite.interview_id]
    assert (interview.start, interview.conflict, interview.forced) == (chosen, "", False)
    assert [m.state for m in w.messages(PRIYA, Kind.HOLD, state)] == [MessageState.CANCELLED] * 3
    assert "overlaps" not in " ".join(w.cli("status").stdout.split())

    # the daemon agrees: nothing more to take off, nothing held back
    w.cli("run", "--once")
    assert len(invites_to(w, PRIYA)) == 1 and holds_of(w, "Priya Castellan") == []
    assert w.contact(PRIYA).attention is None
