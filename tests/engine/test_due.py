"""When planning next finds something: apply_plan leaves it in State.next_due, never late.

A cycle whose sync brings nothing and whose clock is before that moment does not plan,
so a moment later than the first action planning would find is a missed follow-up or
thank-you. Each rule's moment is checked on its own, then over random journeys.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.core.model import Interview, Kind, MessageState, Status
from outreach.core.observations import AutoReply, MeetingAccepted
from outreach.engine import next_due, plan
from outreach.engine.actions import EMAIL_KINDS
from outreach.engine.due import NEVER
from outreach.engine.pauses import ASK_AGAIN, CHECK_EVERY

from .helpers import TZ, World, at, person, slot
from .test_properties import NAMES, REPLIES, _draft_like_the_outbox, _pick, _schedule


def _without_holds(world: World) -> World:
    world.settings = replace(
        world.settings, scheduling=replace(world.settings.scheduling, hold_slots=False)
    )
    return world


def _contacted(world: World, when: datetime) -> None:
    """Plan, draft and send Ann's request at ``when``."""
    [request] = world.plan(when)
    world.draft(when)
    world.send(request, when)


def test_nothing_waiting_is_due_never_and_planned_work_at_once() -> None:
    world = World(person("Ann", status=Status.DONE))
    world.plan(at(12, 1))
    assert world.state.next_due == NEVER
    world = World(person("Ann"))
    world.plan(at(12, 1))  # a request for the outbox to carry
    assert world.state.next_due is None


def test_a_follow_up_is_due_on_its_business_day() -> None:
    world = _without_holds(World(person("Ann")))
    _contacted(world, at(12, 4, 10))  # a Friday
    world.plan(at(12, 4, 11))
    assert world.state.next_due == at(12, 11, 10)  # five business days later
    assert world.pure_plan(at(12, 11, 9, 59)) == []
    [follow_up] = world.plan(at(12, 11, 10))
    assert follow_up.kind == Kind.FOLLOW_UP


def test_holds_come_off_when_their_time_ends() -> None:
    world = World(person("Ann"))
    world.plan(at(12, 1))
    world.draft(at(12, 1), slots=[slot(at(12, 3, 10)), slot(at(12, 4, 10))])
    world.plan(at(12, 1))
    world.draft(at(12, 1))  # the holds
    world.plan(at(12, 1))
    assert world.state.next_due == at(12, 3, 10, 30)


def test_an_interview_is_due_at_its_end_and_the_thank_you_after_its_delay() -> None:
    world = World(person("Ann", status=Status.SCHEDULED), thank_you_delay_minutes=20)
    world.state.interviews["i1"] = Interview(
        contact_id="ann", start=at(12, 2, 10), id="i1", status="scheduled", invite_id="inv"
    )
    world.plan(at(12, 1))
    assert world.state.next_due is None  # the invite, for the outbox
    world.draft(at(12, 1))
    world.plan(at(12, 1))
    assert world.state.next_due == at(12, 2, 10)  # its start: it may not go out after
    world.plan(at(12, 2, 10, 1))
    assert world.state.next_due == at(12, 2, 10, 30)  # its end
    world.plan(at(12, 2, 10, 30))
    assert world.state.interviews["i1"].status == "held"
    assert world.state.next_due == at(12, 2, 10, 50)  # the thank-you's delay
    [thanks] = world.plan(at(12, 2, 10, 50))
    assert thanks.kind == Kind.THANK_YOU


def test_a_pause_is_due_at_its_end_and_an_away_contact_when_mailtips_is_asked() -> None:
    world = World(person("Ann", status=Status.PAUSED, paused_from=Status.NEW,
                         paused_until=at(12, 9), status_changed_at=at(12, 1)))
    world.plan(at(12, 1, 12))
    assert world.state.next_due == at(12, 9)
    world.state.contacts["ann"].away = True
    world.plan(at(12, 1, 12))
    assert world.state.next_due == at(12, 1) + CHECK_EVERY
    world.plan(at(12, 2, 12))  # MailTips could not answer: ask again soon
    assert world.state.next_due == at(12, 2, 12) + ASK_AGAIN


def test_requests_the_cap_holds_back_are_due_when_the_day_turns() -> None:
    world = World(person("Ann"), person("Bea"), person("Cy"), daily_send_cap=2)
    world.plan(at(12, 1, 15))
    _draft_like_the_outbox(world, at(12, 1, 15))
    world.state.messages.clear()  # as if the holds and drafts were settled elsewhere
    world.plan(at(12, 1, 16))
    midnight = datetime(2026, 12, 2, tzinfo=TZ)
    assert world.state.next_due is None  # two requests planned: at once
    for message in world.state.messages.values():
        message.state, message.item_id = MessageState.DRAFTED, f"item-{message.id}"
    world.plan(at(12, 1, 16))
    assert world.state.next_due == midnight
    assert world.pure_plan(midnight - timedelta(seconds=1)) == []
    [request] = world.plan(midnight)
    assert request.contact_id == "cy"


def test_next_due_is_pure() -> None:
    world = _without_holds(World(person("Ann")))
    _contacted(world, at(12, 4, 10))
    before = copy.deepcopy(world.state)
    assert next_due(world.state, at(12, 4, 11), world.settings) == at(12, 11, 10)
    assert world.state == before


def _cycle(world: World, now: datetime) -> None:
    """Plan, and carry what is planned as the outbox does, until nothing is due at once."""
    world.plan(now)
    for _ in range(3):
        if world.state.next_due is not None:
            return
        assert any(m.state == MessageState.PLANNED or m.release
                   for m in world.state.messages.values()), "due at once with no outbox work"
        _draft_like_the_outbox(world, now)
        for message in world.state.messages.values():
            if message.release:
                message.state, message.release = MessageState.CANCELLED, False
        world.plan(now)


def _nothing_before_due(world: World, now: datetime) -> None:
    """At every moment before next_due (each moment a rule may wait for included),
    planning the same state finds nothing."""
    due = world.state.next_due
    if due is None:
        return  # the outbox had work three rounds running (the cycle's limit)
    assert due > now
    last = min(due, now + timedelta(days=60)) - timedelta(seconds=1)
    moments = {now + timedelta(seconds=1), last, now + (last - now) / 2}
    moments |= {m for m in _moments(world) if now < m <= last}
    for moment in sorted(moments):
        assert plan(world.state, moment, world.settings) == [], (moment, due)


def _sleep_until_due(world: World, now: datetime, hops: int = 3) -> None:
    """Check, then do as a quiet daemon does: nothing until the moment, then a cycle."""
    world = copy.deepcopy(world)
    for _ in range(hops):
        _nothing_before_due(world, now)
        due = world.state.next_due
        if due is None or due - now > timedelta(days=30):
            return
        now = due
        _cycle(world, now)


def _moments(world: World) -> set[datetime]:
    """The times the state mentions, a few days on, and the proposed times' ends: where a
    rule may wait (business days keep the time of day)."""
    found: set[datetime] = set()
    records = [*world.state.contacts.values(), *world.state.messages.values(),
               *world.state.interviews.values()]
    for record in records:
        for value in vars(record).values():
            if isinstance(value, datetime):
                found |= {value + timedelta(days=d, minutes=m) for d in range(10)
                          for m in (0, 30)}
    for message in world.state.messages.values():
        found |= {s.end for s in message.slots}
    return found


#: A campaign's moves between cycles: time passing, Send pressed on a draft, answers.
move = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 4 * 24 * 60)),  # minutes
    st.tuples(st.just("send"), st.integers(0, 20)),
    st.tuples(st.just("reply"), st.tuples(st.sampled_from(NAMES), st.sampled_from(REPLIES))),
    st.tuples(st.just("oof"), st.sampled_from(NAMES)),
    st.tuples(st.just("pick"), st.tuples(st.sampled_from(NAMES), st.integers(0, 2))),
    st.tuples(st.just("schedule"), st.tuples(st.sampled_from(NAMES), st.integers(0, 8))),
    st.tuples(st.just("accept"), st.integers(0, 20)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(move, max_size=25), st.booleans(), st.integers(0, 90), st.integers(1, 4))
def test_planning_finds_nothing_before_the_moment_apply_plan_leaves(
    moves: list, hold_slots: bool, delay: int, cap: int
) -> None:
    """Each move is followed by a cycle (the outbox carries what is planned, then plan),
    as the service runs them; then nothing may be due before the moment it leaves."""
    world = World(*(person(n) for n in NAMES), per_contact_cap=4, daily_send_cap=cap,
                  thank_you_delay_minutes=delay)
    if not hold_slots:
        _without_holds(world)
    now = at(12, 1, 8)
    _cycle(world, now)
    for action, arg in moves:
        if action == "wait":
            now += timedelta(minutes=arg)
        elif action in ("send", "accept"):
            kinds = (Kind.INVITE,) if action == "accept" else EMAIL_KINDS
            mine = [m for m in sorted(world.state.messages.values(), key=lambda m: m.id)
                    if m.kind in kinds and m.state == MessageState.DRAFTED]
            if mine and action == "send":
                world.send(mine[arg % len(mine)], now)
            elif mine:
                world.observe(MeetingAccepted(at=now, sender="x@example.com",
                                              tracking_id=mine[arg % len(mine)].id))
        elif action == "reply":
            world.reply(arg[0].lower(), now, arg[1])
        elif action == "oof":
            world.observe(AutoReply(at=now, item_id=f"oof-{now}", sender=f"{arg}@example.com"))
        elif action == "pick":
            _pick(world, *arg, now)
        elif action == "schedule":
            _schedule(world, *arg, now)
        _cycle(world, now)
        _sleep_until_due(world, now)
