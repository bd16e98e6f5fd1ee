"""Rescheduling replaces, never adds; answers go to the interview whose invite they answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.core.model import Kind, MessageState, Status
from outreach.core.observations import MeetingAccepted, MeetingDeclined
from outreach.engine import agree

from .helpers import World, at, person, slot


def _picked_slot_two(world: World) -> None:
    """Cal's request proposed two times; the reply picks the second; its invite is sent."""
    [request] = world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8), slots=[slot(at(12, 8, 10)), slot(at(12, 9, 14))])
    world.send(request, at(12, 1, 9))
    world.reply("cal", at(12, 2, 11), "Wednesday at 2pm works for me.")
    [invite] = world.plan(at(12, 2, 11, 1))
    invite.state, invite.item_id, invite.sent_at = MessageState.SENT, "cal-item", at(12, 2, 12)


def _land(world: World, moved_to: str) -> None:
    """What the outbox records once the move landed: the new invite owns the item."""
    new = world.state.messages[moved_to]
    old = world.state.messages[new.moves or ""]
    new.state, new.item_id = MessageState.SENT, old.item_id
    old.state, old.item_id = MessageState.CANCELLED, None


def test_a_new_time_supersedes_the_pending_interview_and_moves_its_invite() -> None:
    world = World(person("Cal"))
    _picked_slot_two(world)
    [first] = world.state.interviews.values()
    old_invite = world.state.messages[first.invite_id or ""]

    new = agree(world.state, "cal", at(12, 10, 15), timedelta(minutes=30), at(12, 3, 9),
                world.settings)  # fmt: skip
    assert (first.status, first.superseded_by) == ("cancelled", new.id)
    assert (new.status, world.status("cal")) == ("proposed", Status.SCHEDULING)
    [move] = world.plan(at(12, 3, 9, 1))
    assert (move.kind, move.interview_id, move.moves) == (Kind.INVITE, new.id, old_invite.id)
    assert world.plan(at(12, 3, 9, 2)) == []  # one move, never a second invite
    _land(world, move.id)

    live = [m for m in world.of("cal", Kind.INVITE) if m.state != MessageState.CANCELLED]
    assert [m.id for m in live] == [move.id]


def test_an_answer_to_the_old_invite_never_touches_the_new_interview() -> None:
    world = World(person("Cal"))
    _picked_slot_two(world)
    [first] = world.state.interviews.values()
    old_invite = first.invite_id
    new = agree(world.state, "cal", at(12, 10, 15), timedelta(minutes=30), at(12, 3, 9),
                world.settings)  # fmt: skip
    [move] = world.plan(at(12, 3, 9, 1))
    _land(world, move.id)

    for stale in (MeetingAccepted, MeetingDeclined):
        world.observe(stale(at=at(12, 3, 10), item_id=f"r-{stale.__name__}",
                            sender="cal@example.com", tracking_id=old_invite))  # fmt: skip
    assert (new.status, first.status, world.status("cal")) == (
        "proposed", "cancelled", Status.SCHEDULING,
    )  # fmt: skip
    world.observe(MeetingAccepted(at=at(12, 3, 11), item_id="r-new", sender="cal@example.com",
                                  tracking_id=move.id))  # fmt: skip
    assert (new.status, world.status("cal")) == ("scheduled", Status.SCHEDULED)


def test_one_thank_you_for_the_interview_that_took_place() -> None:
    world = World(person("Cal"))
    _picked_slot_two(world)
    new = agree(world.state, "cal", at(12, 10, 15), timedelta(minutes=30), at(12, 3, 9),
                world.settings)  # fmt: skip
    [move] = world.plan(at(12, 3, 9, 1))
    _land(world, move.id)
    world.observe(MeetingAccepted(at=at(12, 3, 11), item_id="r", sender="cal@example.com",
                                  tracking_id=move.id))  # fmt: skip

    assert world.plan(at(12, 9, 15)) == []  # the superseded time passes: nothing
    [thanks] = world.plan(at(12, 10, 15, 30))
    assert (thanks.kind, thanks.interview_id) == (Kind.THANK_YOU, new.id)
    assert world.plan(at(12, 11, 9)) == []
    held = [i for i in world.state.interviews.values() if i.status == "held"]
    assert [i.id for i in held] == [new.id]


def test_a_time_agreed_again_replaces_a_move_still_waiting_for_the_outbox() -> None:
    world = World(person("Cal"))
    _picked_slot_two(world)
    [first] = world.state.interviews.values()
    agree(world.state, "cal", at(12, 10, 15), timedelta(minutes=30), at(12, 3, 9), world.settings)
    [waiting] = world.plan(at(12, 3, 9, 1))
    third = agree(world.state, "cal", at(12, 11, 10), timedelta(minutes=30), at(12, 3, 9, 5),
                  world.settings)  # fmt: skip
    actions = world.plan(at(12, 3, 9, 6))
    [move] = [m for m in actions if m.kind == Kind.INVITE]
    assert waiting.state == MessageState.CANCELLED  # withdrawn before it reached the mailbox
    assert (move.interview_id, move.moves) == (third.id, first.invite_id)


def test_two_contacts_picking_the_same_time_give_one_invite_and_one_flag() -> None:
    world = World(person("Ann"), person("Bob"))
    requests = world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8), slots=[slot(at(12, 8, 10)), slot(at(12, 9, 14))])  # both the same
    for request in requests:
        world.send(request, at(12, 1, 9))
    world.reply("ann", at(12, 2, 10), "Wednesday at 2pm works for me.")
    world.reply("bob", at(12, 2, 11), "Wednesday at 2pm works for me.")
    invites = [m for m in world.plan(at(12, 2, 11, 1)) if m.kind == Kind.INVITE]
    assert [m.contact_id for m in invites] == ["ann"]
    [bobs] = world.state.interviews_of("bob")
    assert bobs.conflict == "the interview with Ann at 2026-12-09 14:00"
    assert "no invite was made" in (world.state.contacts["bob"].attention or "")
    assert "--force" in (world.state.contacts["bob"].attention or "")
    assert world.plan(at(12, 3, 9)) == []  # held back until the user chooses

    agree(world.state, "bob", bobs.start, timedelta(minutes=30), at(12, 3, 10), world.settings,
          force=True)  # fmt: skip
    assert world.state.contacts["bob"].attention is None  # the choice is made: no stale line
    [forced] = world.plan(at(12, 3, 10, 1))
    assert (forced.kind, forced.interview_id) == (Kind.INVITE, bobs.id)


@pytest.mark.parametrize("sent", [False, True])
def test_a_time_agreed_after_an_invite_lapsed_moves_that_invite(sent: bool) -> None:
    """The invite stood on the calendar (unsent, waiting for the user's Send, or sent and
    never answered), its time passed, "never accepted" was said; the next time agreed
    moves that same calendar item, and nothing else is added."""
    world = World(person("Cal"))
    _picked_slot_two(world)
    [first] = world.state.interviews.values()
    unsent = world.state.messages[first.invite_id or ""]
    if not sent:
        unsent.state, unsent.sent_at = MessageState.DRAFTED, None  # waiting for the Send
    assert world.plan(at(12, 9, 16)) == []
    assert "never accepted" in (world.state.contacts["cal"].attention or "")

    new = agree(world.state, "cal", at(12, 14, 11), timedelta(minutes=30), at(12, 10, 9),
                world.settings)  # fmt: skip
    assert (first.status, first.superseded_by) == ("cancelled", new.id)
    [move] = world.plan(at(12, 10, 9, 1))
    assert (move.kind, move.interview_id, move.moves) == (Kind.INVITE, new.id, unsent.id)
    _land(world, move.id)
    assert world.plan(at(12, 10, 9, 2)) == []
    live = [m for m in world.of("cal", Kind.INVITE) if m.state != MessageState.CANCELLED]
    assert [(m.id, m.item_id) for m in live] == [(move.id, "cal-item")]


def test_an_interview_that_took_place_is_never_replaced() -> None:
    """Accepted, or logged: its time passing makes it held, and a later time is a second
    interview with an invitation of its own."""
    for accepted in (True, False):
        world = World(person("Cal"))
        _picked_slot_two(world)
        [first] = world.state.interviews.values()
        if accepted:
            first.status = "scheduled"
        else:
            first.logged_at = at(12, 9, 15)
        second = agree(world.state, "cal", at(12, 16, 11), timedelta(minutes=30),
                       at(12, 10, 9), world.settings)  # fmt: skip
        assert first.status != "cancelled" and first.superseded_by is None
        [invite] = [m for m in world.plan(at(12, 10, 9, 1)) if m.kind == Kind.INVITE]
        assert (invite.interview_id, invite.moves) == (second.id, None)
