"""Times wait: when the window is full, requests wait instead of offering a time twice.

The planner and the preparer run as the daemon runs them (offline: no calendar of
the user's own), and ``outbox.record`` books what preparing decided; only creating
the drafts is played here (PLANNED -> DRAFTED), as ``World.draft`` does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from itertools import combinations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outreach.campaign.outbox import Report, record
from outreach.campaign.prepare import Preparer
from outreach.config.settings import Scheduling
from outreach.core.model import Kind, Message, MessageState, Status
from outreach.core.observations import DraftDeleted
from outreach.engine import waits
from outreach.engine.actions import today_count
from outreach.engine.agreed import offered, open_times
from outreach.writing import slots as finder

from .helpers import World, at, person

PROPOSING = (Kind.REQUEST, Kind.FOLLOW_UP)


def _world(count: int, latest_days: int = 3, slots: int = 3, **policy: object) -> World:
    world = World(*(person(f"P{n:02d}", created=at(11, 1) + timedelta(minutes=n))
                    for n in range(count)), **policy)  # fmt: skip
    world.settings = replace(
        world.settings,
        scheduling=Scheduling(earliest_days=1, latest_days=latest_days, slots=slots),
    )
    return world


def _cycle(world: World, now: datetime) -> None:
    """Plan, prepare and record as one daemon cycle does, then land every item."""
    for _ in range(3):
        world.plan(now)
        pending = sorted(
            (m for m in world.state.messages.values()
             if m.state == MessageState.PLANNED and m.item_id is None and not m.waits),
            key=lambda m: (m.planned_at, m.id),
        )  # fmt: skip
        if not pending:
            return
        outcome = Preparer(world.settings, None).prepare(world.state, pending, now)
        record(world.state, outcome, now, world.settings, Report())
        for item in outcome.prepared:
            stored = world.state.messages[item.message.id]
            if stored.state == MessageState.PLANNED and not stored.waits:
                stored.state, stored.drafted_at = MessageState.DRAFTED, now
                stored.item_id = f"item-{stored.id}"


def _proposals(world: World) -> list[Message]:
    return [m for m in world.state.messages.values() if m.kind in PROPOSING]


def _no_time_offered_twice(world: World, now: datetime) -> None:
    held = [(cid, s) for cid in world.state.contacts for s in offered(world.state, cid, now)]
    for (a, one), (b, other) in combinations(held, 2):
        assert a == b or not (one.start < other.end and other.start < one.end), (a, b, one)


def _proposes_or_waits(world: World) -> None:
    for message in _proposals(world):
        if message.state == MessageState.PLANNED:
            assert message.waits and not message.slots, message
        elif message.state in (MessageState.DRAFTED, MessageState.SENT):
            assert message.slots and not message.waits, message


def _full(world: World, now: datetime) -> bool:
    """True if an email drafted now would find no time no one else holds."""
    taken = [finder.Interval(s.start, s.end) for s in open_times(world.state, now)]
    try:
        finder.propose(world.settings, now, taken)
    except finder.NoSlots:
        return True
    return False


def _waiting_only_when_full(world: World, now: datetime) -> None:
    """Nothing waits while a time is free, unless today's cap holds it back."""
    if waits.waiting(world.state):
        capped = today_count(world.state, now, world.settings.zone) >= \
            world.settings.policy.daily_send_cap
        assert capped or _full(world, now), [m.waits for m in waits.waiting(world.state)]


def test_a_bulk_first_day_waits_then_drafts_as_times_come_free() -> None:
    world = _world(30, daily_send_cap=100)
    monday = at(12, 7, 8)
    _cycle(world, monday)
    drafted = [m for m in _proposals(world) if m.state == MessageState.DRAFTED]
    asleep = waits.waiting(world.state)
    assert drafted and asleep and len(drafted) + len(asleep) == 30
    assert all("proposed to another contact" in m.waits for m in asleep)
    _no_time_offered_twice(world, monday)
    _proposes_or_waits(world)
    # nothing came free: planning again wakes nobody and plans no fresh request
    assert world.pure_plan(monday + timedelta(hours=1)) == []

    # a decline gives its times back: a waiting request takes them, no other
    first = drafted[0]
    world.send(first, monday + timedelta(hours=1))
    freed = list(first.slots)
    world.reply(first.contact_id, monday + timedelta(hours=2), "Thanks, but I'm not interested.")
    assert world.status(first.contact_id) == Status.DECLINED
    _cycle(world, monday + timedelta(hours=2))
    taken = [m for m in _proposals(world) if m.state == MessageState.DRAFTED
             and m.drafted_at == monday + timedelta(hours=2)]  # fmt: skip
    assert taken and {s.start for m in taken for s in m.slots} <= {s.start for s in freed}
    _no_time_offered_twice(world, monday + timedelta(hours=2))
    _waiting_only_when_full(world, monday + timedelta(hours=2))

    # the window moves on to a new day: more go
    before = len(waits.waiting(world.state))
    tuesday = monday + timedelta(days=1)
    _cycle(world, tuesday)
    assert len(waits.waiting(world.state)) < before
    _no_time_offered_twice(world, tuesday)
    _proposes_or_waits(world)
    _waiting_only_when_full(world, tuesday)


def test_waiting_requests_do_not_count_against_the_cap_and_wake_within_it() -> None:
    world = _world(12, latest_days=2, slots=2, daily_send_cap=4)
    monday = at(12, 7, 8)
    for day in range(6):
        _cycle(world, monday + timedelta(days=day))
        now = monday + timedelta(days=day)
        counted = today_count(world.state, now, world.settings.zone)
        assert counted <= 4
        _no_time_offered_twice(world, now)
        _proposes_or_waits(world)
        _waiting_only_when_full(world, now)


def test_asked_by_hand_a_waiting_request_goes_back_out_of_waiting() -> None:
    from outreach.engine import plan_one

    world = _world(30, daily_send_cap=100)
    monday = at(12, 7, 8)
    _cycle(world, monday)
    asleep = waits.waiting(world.state)[0]
    again = plan_one(world.state, asleep.contact_id, Kind.REQUEST, monday, world.settings,
                     send=False)  # fmt: skip
    assert again.id == asleep.id and not again.waits


step = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 3 * 24)),
    st.tuples(st.just("send"), st.integers(0, 200)),
    st.tuples(st.just("decline"), st.integers(0, 200)),
    st.tuples(st.just("delete"), st.integers(0, 200)),
    st.tuples(st.just("pick"), st.integers(0, 200)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(8, 40),
    latest_days=st.integers(1, 5),
    slots=st.integers(1, 3),
    cap=st.integers(3, 60),
    follow_ups=st.integers(0, 1),
    steps=st.lists(step, max_size=14),
)
# a follow-up's new times give the request's back within one batch
@example(count=16, latest_days=3, slots=3, cap=9, follow_ups=1,
         steps=[("send", 0), ("wait", 48)])  # fmt: skip
# a lapse gives times back in the very plan that would wake the waiting
@example(count=17, latest_days=3, slots=3, cap=9, follow_ups=0,
         steps=[("send", 0), ("wait", 1), ("wait", 36), ("wait", 8)])  # fmt: skip
def test_more_requests_than_the_window_holds_propose_free_times_or_wait(
    count: int, latest_days: int, slots: int, cap: int, follow_ups: int, steps: list
) -> None:
    """For any number of requests larger than the window can hold: no two open proposals
    share a time, every request proposes free times or waits, and nothing waits while a
    time is free (within today's cap): the waiting are drafted as times come free."""
    world = _world(count, latest_days=latest_days, slots=slots, daily_send_cap=cap,
                   max_follow_ups=follow_ups, follow_up_after_days=2)  # fmt: skip
    now = at(12, 7, 8)
    _cycle(world, now)
    for action, arg in steps:
        drafts = sorted((m for m in _proposals(world) if m.item_id), key=lambda m: m.id)
        if action == "wait":
            now += timedelta(hours=arg)
        elif drafts:
            message = drafts[arg % len(drafts)]
            now += timedelta(minutes=5)
            if action == "send" and message.state == MessageState.DRAFTED:
                world.send(message, now)
            elif action == "delete" and message.state == MessageState.DRAFTED:
                world.observe(DraftDeleted(at=now, item_id="d", tracking_id=message.id))
            elif action == "decline" and message.state == MessageState.SENT:
                world.reply(message.contact_id, now, "Thanks, but I'm not interested.")
            elif action == "pick" and message.state == MessageState.SENT and message.slots:
                start = message.slots[arg % len(message.slots)].start
                world.reply(message.contact_id, now,
                            f"{start:%A} at {start:%-I:%M %p} works for me.")  # fmt: skip
        _cycle(world, now)
        _no_time_offered_twice(world, now)
        _proposes_or_waits(world)
        _waiting_only_when_full(world, now)


def test_while_emails_wait_a_quiet_cycle_plans_again_when_the_day_turns() -> None:
    from outreach.engine import next_due

    world = _world(30, daily_send_cap=100)
    monday = at(12, 7, 8)
    _cycle(world, monday)
    world.plan(monday + timedelta(hours=1))
    assert waits.waiting(world.state)
    due = next_due(world.state, monday + timedelta(hours=1), world.settings)
    assert due is not None and due <= at(12, 8, 0)  # waiting emails are not due at once
