"""Early returns: whom to ask MailTips about, and what the answer does."""

from __future__ import annotations

from datetime import timedelta

from outreach.core.model import Kind, MessageState, Status
from outreach.core.observations import AutoReply
from outreach.engine import pauses

from .helpers import World, at, person


def _away(world: World) -> None:
    [request] = world.plan(at(12, 1))
    world.draft(at(12, 1))
    world.send(request, at(12, 1, 10))
    world.observe(AutoReply(at=at(12, 1, 11), item_id="oof", sender="bea@example.com",
                            until=at(12, 31, 9)))  # fmt: skip


def test_asked_at_most_once_a_day_while_away() -> None:
    world = World(person("Bea"), person("Cy", status=Status.PAUSED))  # Cy: paused by the user
    _away(world)
    assert world.state.contacts["bea"].away
    assert pauses.to_ask(world.state, at(12, 2, 10)) == []  # not a day yet
    [due] = pauses.to_ask(world.state, at(12, 2, 11))
    pauses.heard(world.state, due.id, at(1, 8, 9, year=2027), at(12, 2, 11))
    bea = world.state.contacts["bea"]
    assert (bea.status, bea.paused_until) == (Status.PAUSED, at(1, 8, 9, year=2027))
    assert pauses.to_ask(world.state, at(12, 3, 10, 59)) == []
    assert [c.id for c in pauses.to_ask(world.state, at(12, 3, 11))] == ["bea"]


def test_back_early_resumes_at_once_and_the_follow_up_counts_from_then() -> None:
    world = World(person("Bea"))
    _away(world)
    pauses.heard(world.state, "bea", None, at(12, 8, 12))
    bea = world.state.contacts["bea"]
    assert (bea.status, bea.paused_until, bea.away) == (Status.CONTACTED, None, False)
    assert world.plan(at(12, 14, 12)) == []  # four business days after the return
    [up] = world.plan(at(12, 15, 12))
    assert up.kind == Kind.FOLLOW_UP


def test_a_withdrawn_request_is_planned_again_when_they_are_back() -> None:
    world = World(person("Bea"))
    [request] = world.plan(at(12, 1))
    request.state = MessageState.CANCELLED  # what the outbox does when MailTips says away
    from outreach.engine import StatusChange, commit

    commit(world.state, StatusChange("bea", Status.PAUSED, "away", at(12, 31), away=True),
           at(12, 1))  # fmt: skip
    pauses.heard(world.state, "bea", None, at(12, 8, 9) + timedelta(minutes=1))
    assert world.status("bea") == Status.NEW
    [again] = world.plan(at(12, 8, 9, 2))
    assert again.kind == Kind.REQUEST and again.id != request.id
