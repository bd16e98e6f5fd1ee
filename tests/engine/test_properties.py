"""Properties over random journeys: whatever happens, the rules hold."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import combinations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outreach.core.model import STOPPED, Kind, Message, MessageState
from outreach.core.observations import AutoReply, Bounce, DraftDeleted, MeetingAccepted
from outreach.engine import agree, attention, plan, proposed_slots
from outreach.engine.actions import EMAIL_KINDS
from outreach.engine.agreed import end_of, offered, open_times, pending
from outreach.research import overview
from outreach.writing.slots import Interval, propose

from .helpers import World, at, person, slot

NAMES = ["Ann", "Bob", "Cy"]
REPLIES = ["Tuesday works.", "Neither works.", "Not interested.", "Call me.", "Hmm."]

step = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 6 * 24)),  # hours
    st.tuples(st.just("draft"), st.none()),
    st.tuples(st.just("send"), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("reply"), st.tuples(st.sampled_from(NAMES), st.sampled_from(REPLIES))),
    st.tuples(st.just("oof"), st.sampled_from(NAMES)),
    st.tuples(st.just("bounce"), st.sampled_from(NAMES)),
    st.tuples(st.just("accept"), st.integers(0, 20)),
    st.tuples(st.just("forbid"), st.sampled_from(NAMES)),
    st.tuples(st.just("pick"), st.tuples(st.sampled_from(NAMES), st.integers(0, 2))),
    st.tuples(st.just("schedule"), st.tuples(st.sampled_from(NAMES), st.integers(0, 8))),
)


def _draft_like_the_outbox(world: World, now: datetime) -> None:
    """Create every PLANNED message, choosing times as the preparer does: never one open."""
    taken = [Interval(s.start, s.end) for s in open_times(world.state, now)]
    for message in world.state.messages.values():
        if message.state != MessageState.PLANNED:
            continue
        if message.kind in (Kind.REQUEST, Kind.FOLLOW_UP) and not message.slots:
            message.slots = propose(world.settings, now, taken)
            taken += [Interval(s.start, s.end) for s in message.slots]
        message.state, message.drafted_at = MessageState.DRAFTED, now
        message.item_id = f"item-{message.id}"


def _pick(world: World, name: str, n: int, now: datetime) -> None:
    """The contact answers naming the n-th time they were offered."""
    offered = proposed_slots(world.state, name.lower())
    if offered:
        start = offered[n % len(offered)].start
        world.reply(name.lower(), now, f"{start:%A} at {start:%-I:%M %p} works for me.")


def _schedule(world: World, name: str, n: int, now: datetime) -> None:
    """The user agrees a time by hand: one of the times already around, or a new one."""
    around = sorted({s.start for s in open_times(world.state, now)})
    start = around[n % len(around)] if around and n < 6 else now + timedelta(days=n, hours=3)
    contact = world.state.contacts[name.lower()]
    if contact.reachable:
        agree(world.state, contact.id, start, timedelta(minutes=30), now, world.settings)


def _no_time_shared(world: World, now: datetime) -> None:
    """No two contacts hold the same time: open proposals and booked interviews."""
    held: list[tuple[str, datetime, datetime]] = []
    for contact_id in world.state.contacts:
        held += [(contact_id, s.start, s.end) for s in offered(world.state, contact_id, now)]
        held += [
            (contact_id, i.start, end_of(i))
            for i in pending(world.state, contact_id, now)
            if not i.conflict and not i.forced
        ]
    for (a, a_start, a_end), (b, b_start, b_end) in combinations(held, 2):
        assert a == b or not (a_start < b_end and b_start < a_end), (a, a_start, b, b_start)


def _one_invite_and_thank_you_each(world: World, now: datetime) -> None:
    for interview_id in world.state.interviews:
        about = [m for m in world.state.messages.values() if m.interview_id == interview_id]
        for kind in (Kind.INVITE, Kind.THANK_YOU):
            live = [m for m in about if m.kind == kind and m.state != MessageState.CANCELLED]
            assert len(live) <= 1, (interview_id, kind, live)
    for contact_id in world.state.contacts:
        coming = {i.id for i in pending(world.state, contact_id, now)}
        booked = [
            m
            for m in world.state.messages_of(contact_id)
            if m.kind == Kind.INVITE
            and m.state != MessageState.CANCELLED
            and m.interview_id in coming
        ]
        assert len(booked) <= 1, (contact_id, booked)


#: Journeys where times are agreed again and again: picks, hand-scheduling, acceptances.
booking = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 3 * 24)),
    st.tuples(st.just("draft"), st.none()),
    st.tuples(st.just("send"), st.integers(0, 20)),
    st.tuples(st.just("accept"), st.integers(0, 20)),
    st.tuples(st.just("pick"), st.tuples(st.sampled_from(NAMES), st.integers(0, 2))),
    st.tuples(st.just("schedule"), st.tuples(st.sampled_from(NAMES), st.integers(0, 8))),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=30))
# a bounce while the request still waits in Drafts: never "press Send" beside it
@example(steps=[("draft", None), ("reply", ("Ann", "Tuesday works.")), ("bounce", "Ann")])
def test_random_journeys_keep_the_rules(steps: list) -> None:
    _journey(steps)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(booking, max_size=30))
def test_rebooking_journeys_keep_one_time_one_invite_one_thank_you(steps: list) -> None:
    _journey(steps)


def _journey(
    steps: list,
    world: World | None = None,
    after: Callable[[World, datetime], None] = lambda world, now: None,
) -> None:
    """Play ``steps``; after each, plan and check every rule (and ``after``'s)."""
    if world is None:
        world = World(*(person(n) for n in NAMES), per_contact_cap=3, daily_send_cap=2)
    now = at(12, 1, 8)
    for action, arg in steps:
        if action == "wait":
            now += timedelta(hours=arg)
        elif action == "draft":
            _draft_like_the_outbox(world, now)
        elif action in ("send", "delete", "accept"):
            mine = sorted(world.state.messages.values(), key=lambda m: m.id)
            if not mine:
                continue
            message = mine[arg % len(mine)]
            if action == "send" and message.state == MessageState.DRAFTED:
                world.send(message, now)
            elif action == "delete" and message.state == MessageState.DRAFTED:
                world.observe(DraftDeleted(at=now, item_id="d", tracking_id=message.id))
            elif action == "accept" and message.kind == Kind.INVITE:
                world.observe(
                    MeetingAccepted(at=now, sender="x@example.com", tracking_id=message.id)
                )
        elif action == "reply":
            name, text = arg
            world.reply(name.lower(), now, text)
        elif action == "oof":
            world.observe(AutoReply(at=now, item_id=f"oof-{now}", sender=f"{arg}@example.com"))
        elif action == "bounce":
            world.observe(Bounce(at=now, item_id=f"ndr-{now}", recipient=f"{arg}@example.com"))
        elif action == "forbid":
            world.state.contacts[arg.lower()].do_not_contact = True
        elif action == "pick":
            _pick(world, *arg, now)
        elif action == "schedule":
            _schedule(world, *arg, now)

        before = copy.deepcopy(world.state)
        new = world.plan(now)
        for message in new:
            contact = before.contacts[message.contact_id]
            assert not contact.do_not_contact
            assert contact.status not in STOPPED
            assert message.id not in before.messages
        # Planning again at once adds nothing and changes nothing.
        settled = copy.deepcopy(world.state)
        assert plan(world.state, now, world.settings) == []
        assert world.state == settled
        after(world, now)
        for contact_id in world.state.contacts:
            live = [
                m
                for m in world.state.messages_of(contact_id)
                if m.kind in EMAIL_KINDS
                and m.state in (MessageState.PLANNED, MessageState.DRAFTED, MessageState.SENT)
            ]
            assert len(live) <= world.settings.policy.per_contact_cap
        kinds = [
            (m.contact_id, m.kind, m.sequence, m.interview_id)
            for m in world.state.messages.values()
            if m.state != MessageState.CANCELLED
        ]
        assert len(kinds) == len(set(kinds)), "two live messages in one place"
        _no_time_shared(world, now)
        _one_invite_and_thank_you_each(world, now)
        _lines_agree(world, now)


#: Lines that say an email or invite must not go, or has not been made.
_STOP = ("bounced", "no invite was made", "never accepted", "delete it")


def _lines_agree(world: World, now: datetime) -> None:
    """Two lines about one contact never contradict: never "press Send" beside "do not"."""
    said: dict[str | None, list[str]] = {}
    for item in overview.attention(world.state, now):
        said.setdefault(item.contact_id, []).append(item.text)
    for contact_id, lines in said.items():
        send = [line for line in lines if "waits for your Send" in line]
        stop = [line for line in lines if any(word in line for word in _STOP)]
        invite_send = [line for line in send if "invite" in line]
        assert not (invite_send and stop) and not (send and any("bounced" in s for s in stop)), (
            contact_id, lines)
        contact = world.state.contacts.get(contact_id or "")
        if contact is not None and contact.attention in lines:
            assert attention.settled(world.state, contact, now) is None


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(REPLIES), st.sampled_from(["reply", "oof", "bounce", "deleted"]))
def test_applying_an_observation_twice_changes_nothing(text: str, kind: str) -> None:
    world = World(person("Ann"))
    [request] = world.plan(at(12, 1))
    world.draft(at(12, 1), slots=[slot(at(12, 8, 10))])
    if kind != "deleted":
        world.send(request, at(12, 1, 9))
    observation = {
        "reply": lambda: _reply(text),
        "oof": lambda: AutoReply(at=at(12, 2), item_id="o", sender="ann@example.com"),
        "bounce": lambda: Bounce(at=at(12, 2), item_id="b", recipient="ann@example.com"),
        "deleted": lambda: DraftDeleted(at=at(12, 2), item_id="d", tracking_id=request.id),
    }[kind]()
    world.observe(observation)
    once = copy.deepcopy(world.state)
    world.observe(observation, at(12, 3))
    assert world.state == once


def _reply(text: str):
    from outreach.core.observations import ReplyReceived

    return ReplyReceived(at=at(12, 2), item_id="r", sender="ann@example.com", body_text=text)


def test_messages_are_plain_records() -> None:
    assert all(isinstance(m, Message) for m in World(person("Ann")).plan(at(12, 1)))
