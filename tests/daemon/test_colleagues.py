"""Colleagues' calendars: a contact inside the organization is offered only times they are free."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from outreach.core.model import Kind
from outreach.sandbox.directory import Busy

from .world import ZONE, World

DANA = "dana.whitlock@example.com"  # a colleague: same domain as the user
SAM = "sam.okafor@partner.example.net"  # outside the organization
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=ZONE)  # the window opens on Monday the 7th
MONDAY = datetime(2026, 12, 7, tzinfo=ZONE)


@pytest.fixture
def world(open_world: Callable[..., World]) -> World:
    return open_world(start=SATURDAY)


def test_a_colleague_busy_on_monday_morning_is_never_offered_monday_morning(world: World) -> None:
    w = world
    dana = w.sandbox.state.directory.get(DANA)
    dana.busy.append(Busy(MONDAY.replace(hour=8), MONDAY.replace(hour=12, minute=30),
                          subject="Quarterly planning"))  # fmt: skip
    w.add("Dana Whitlock", DANA)
    w.add("Sam Okafor", SAM)
    w.cli("draft", "dana")
    w.cli("draft", "sam")

    [dana_times] = [m.slots for m in w.messages(DANA, Kind.REQUEST)]
    mondays = [s for s in dana_times if s.start.astimezone(ZONE).date() == MONDAY.date()]
    assert mondays, "Monday afternoon is free: it is offered"
    assert all(s.start >= MONDAY.replace(hour=12, minute=45) for s in mondays)
    # Sam's calendar is not ours to read: his Monday is the user's own preference, 10:00
    [sam_times] = [m.slots for m in w.messages(SAM, Kind.REQUEST)]
    assert sam_times[0].start == MONDAY.replace(hour=10)
