"""A quiet cycle stops after the sync: no planning, no records read, one request.

The last planning leaves in the store when something is next due. Before that
moment, with nothing new in the mailbox, a cycle reads only the head of the store
and asks the mailbox one thing; at or after it, or after any write, it plans.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from outreach import app
from outreach.campaign.service import Service
from outreach.config import loader
from outreach.core.model import Kind, MessageState
from outreach.store.db import Store

from .world import ZONE, World

ANN = "morgan.achebe@example.com"
START = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)  # a Monday


@pytest.fixture(params=["ews", "graph"])
def world(open_world: Callable[..., World], request: pytest.FixtureRequest) -> World:
    return open_world(start=START, protocol=request.param)


def _service(w: World, store: Store) -> Service:
    settings = loader.load(w.config_path)
    return Service(settings, store, app.open_mailbox(settings, w.clock), w.clock)


def _contacted(w: World) -> datetime:
    """Ann's request drafted and sent; return when it was sent."""
    w.add("Morgan Achebe", ANN)
    w.cli("run", "--once")
    w.controls.press_send(w.message(ANN, Kind.REQUEST).item_id)
    w.cli("run", "--once")
    assert w.status(ANN) == "contacted"
    return w.clock.now()


def test_a_quiet_run_from_a_fresh_process_makes_one_poll_and_reads_no_records(
    world: World,
) -> None:
    w = world
    _contacted(w)
    due = w.store.glance().due
    assert due is not None and due > w.clock.now()
    w.advance(minutes=30)  # within the subscription's hour
    w.controls.reset_request_counts()
    w.cli("run", "--once")
    asked = w.controls.request_counts(w.protocol)
    if w.protocol == "ews":  # the version probe, then the subscription's poll
        assert asked == {"ConvertId": 1, "GetEvents": 1}
    else:  # the folders' deltas in one $batch
        assert asked == {"POST /$batch": 1}

    store = Store(w.store_path)  # as a new process: nothing read yet
    service = _service(w, store)
    try:
        report = service.cycle()
        assert (report.observed, report.events) == (0, [])
        assert store._loaded is None, "a quiet cycle read the records"
    finally:
        service.mailbox.close()


def test_the_follow_up_is_drafted_by_the_first_cycle_at_its_moment(world: World) -> None:
    w = world
    sent = _contacted(w)
    follow_up = sent + timedelta(days=7)  # five business days after Monday's request
    # a cycle just before each moment the rules wait for is quiet, and one at it plans:
    # the follow-up is drafted by the cycle at its moment, never later
    while not w.messages(ANN, Kind.FOLLOW_UP):
        due = w.store.glance().due
        assert due is not None and due <= follow_up
        w.travel(due - timedelta(minutes=1))
        w.controls.reset_request_counts()
        w.cli("run", "--once")
        assert "CreateItem" not in w.controls.request_counts(w.protocol)  # nothing done
        w.travel(due)
        w.cli("run", "--once")
    assert w.clock.now() == follow_up
    [up] = w.messages(ANN, Kind.FOLLOW_UP)
    assert up.state == MessageState.DRAFTED


def test_a_command_that_writes_makes_the_next_cycle_plan(world: World) -> None:
    w = world
    _contacted(w)
    assert w.store.glance().due is not None
    w.add("Kenji Halvorsen", "kenji.halvorsen@example.com")
    assert w.store.glance().due is None  # the write did not plan
    w.cli("run", "--once")
    assert w.message("kenji.halvorsen@example.com", Kind.REQUEST).state == MessageState.DRAFTED
    assert w.store.glance().due is not None
