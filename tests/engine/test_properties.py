"""Properties over random journeys: whatever happens, the rules hold."""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.engine import plan
from outreach.engine.actions import EMAIL_KINDS
from outreach.model import STOPPED, Kind, Message, MessageState
from outreach.observations import AutoReply, Bounce, DraftDeleted, MeetingAccepted

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
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=30))
def test_random_journeys_keep_the_rules(steps: list) -> None:
    world = World(*(person(n) for n in NAMES), per_contact_cap=3, daily_send_cap=2)
    now = at(12, 1, 8)
    for action, arg in steps:
        if action == "wait":
            now += timedelta(hours=arg)
        elif action == "draft":
            world.draft(now, slots=[slot(now + timedelta(days=7))])
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
    from outreach.observations import ReplyReceived

    return ReplyReceived(at=at(12, 2), item_id="r", sender="ann@example.com", body_text=text)


def test_messages_are_plain_records() -> None:
    assert all(isinstance(m, Message) for m in World(person("Ann")).plan(at(12, 1)))
