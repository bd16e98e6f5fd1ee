"""Observations: matching, one event per change, and replays that change nothing."""

from __future__ import annotations

import copy

import pytest

from outreach.core.model import Interview, Kind, MessageState, Status
from outreach.core.observations import (
    Bounce,
    DraftDeleted,
    DraftEdited,
    InterviewCancelled,
    InterviewMoved,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
    ReplyReceived,
)
from outreach.engine import apply, match

from .helpers import World, at, person, slot


def contacted(*names: str) -> World:
    world = World(*(person(n) for n in names))
    world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8), slots=[slot(at(12, 8, 10)), slot(at(12, 9, 14))])
    for name in names:
        world.send(world.of(name.lower(), Kind.REQUEST)[0], at(12, 1, 9))
    return world


def test_match_by_tracking_thread_conversation_then_sender() -> None:
    world = contacted("Ann", "Bob")
    request = world.of("ann", Kind.REQUEST)[0]
    state = world.state
    assert match(state, DraftEdited(at=at(12, 1), tracking_id=request.id)) == "ann"
    by_thread = ReplyReceived(
        at=at(12, 2),
        sender="x@example.com",
        references=("<zzz@example.com>", f"<{request.id}@example.com>"),
    )
    assert match(state, by_thread) == "ann"
    assert match(state, ReplyReceived(at=at(12, 2), conversation_id="conv-bob")) == "bob"
    assert match(state, ReplyReceived(at=at(12, 2), sender="Bob <BOB@Example.COM>")) == "bob"
    assert match(state, ReplyReceived(at=at(12, 2), sender="nobody@example.com")) is None
    bounce = Bounce(at=at(12, 2), sender="postmaster@example.com", recipient="ann@example.com")
    assert match(state, bounce) == "ann"


def test_unknown_sender_and_own_address_are_ignored() -> None:
    world = contacted("Ann")
    before = copy.deepcopy(world.state)
    apply(
        world.state,
        ReplyReceived(at=at(12, 2), sender="stranger@example.com", body_text="Tuesday works"),
        at(12, 2),
        world.settings,
    )
    apply(
        world.state,
        ReplyReceived(at=at(12, 2), sender="Robin@example.com", conversation_id="conv-ann"),
        at(12, 2),
        world.settings,
    )
    assert world.state == before


def test_reply_is_idempotent_and_a_second_reply_still_counts() -> None:
    world = contacted("Ann")
    reply = ReplyReceived(
        at=at(12, 2, 9),
        item_id="r1",
        sender="ann@example.com",
        body_text="Let me check my diary.",
        internet_message_id="<r1@x>",
    )
    world.observe(reply)
    assert world.status("ann") == Status.REPLIED
    snapshot = copy.deepcopy(world.state)
    world.observe(reply)
    assert world.state == snapshot
    world.reply("ann", at(12, 3, 9), "Tuesday at 10 works.")
    assert world.status("ann") == Status.SCHEDULING
    assert len(world.state.interviews) == 1


def test_reply_is_read_from_its_own_words_and_quoted_in_the_attention_line() -> None:
    """The server's own part of a reply is what is read: the quoted request under it, with
    its proposed times and its "a phone call would also be fine", is neither read nor shown."""
    world = contacted("Ann")
    quote = (
        "Von: Robin Vale <robin@example.com>\nGesendet: Dienstag, 1. Dezember 2026 09:00\n"
        "Betreff: A conversation about your work\n\nTuesday 8 December 10:00\n"
        "Wednesday 9 December 14:00\nA short phone call would also be fine."
    )
    world.reply(
        "ann",
        at(12, 2, 9),
        f"Wednesday at 14:00 works for me.\n\n{quote}",
        own_text="Wednesday at 14:00 works for me.",
    )
    ann = world.state.contacts["ann"]
    assert world.status("ann") == Status.SCHEDULING
    assert [i.start for i in world.state.interviews.values()] == [at(12, 9, 14)]
    assert 'They wrote: "Wednesday at 14:00 works for me."' in (ann.attention or "")
    assert "phone" not in (ann.attention or "")


def test_attention_line_quotes_a_long_answer_shortened_on_one_line() -> None:
    world = contacted("Ann")
    answer = "Let me check my diary and come back to you.\n" + "I travel a lot. " * 20
    world.reply("ann", at(12, 2, 9), answer, own_text=answer)
    attention = world.state.contacts["ann"].attention or ""
    words = attention.split("They wrote: ", 1)[1]
    assert "\n" not in words and words.endswith('…"') and len(words) <= 124
    assert words.startswith('"Let me check my diary')


def test_reply_cancels_pending_follow_ups_and_says_a_draft_remains() -> None:
    world = contacted("Ann", "Bob")
    world.plan(at(12, 8, 10))  # follow-up 1 for both
    [ann_up] = world.of("ann", Kind.FOLLOW_UP)
    ann_up.state = MessageState.DRAFTED  # the outbox made Ann's draft; Bob's is still PLANNED
    world.reply("ann", at(12, 8, 11), "Sorry, neither works.")
    world.reply("bob", at(12, 8, 11), "Sorry, neither works.")
    assert "follow-up 1 still in Drafts" in (world.state.contacts["ann"].attention or "")
    world.plan(at(12, 8, 12))
    [bob_up] = world.of("bob", Kind.FOLLOW_UP)
    assert bob_up.state == MessageState.CANCELLED
    assert world.status("bob") == Status.REPLIED


def test_sure_decline_stops_the_contact() -> None:
    world = contacted("Ann")
    world.reply("ann", at(12, 2), "Thanks, but I'm not interested.")
    assert world.status("ann") == Status.DECLINED
    assert world.plan(at(12, 30)) == []


def test_deleted_request_rejects_and_deleted_follow_up_ends_follow_ups() -> None:
    world = World(person("Ann"), person("Bob"))
    world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8))
    world.observe(DraftDeleted(at=at(12, 1, 12), tracking_id=world.of("ann", Kind.REQUEST)[0].id))
    assert world.status("ann") == Status.REJECTED
    world.send(world.of("bob", Kind.REQUEST)[0], at(12, 1, 9))
    [up] = world.plan(at(12, 8, 10))
    world.draft(at(12, 8, 10))
    world.observe(DraftDeleted(at=at(12, 8, 12), tracking_id=up.id))
    assert world.status("bob") == Status.NO_RESPONSE
    assert world.plan(at(12, 31)) == []


def test_edit_records_an_event_only() -> None:
    world = contacted("Ann")
    request = world.of("ann", Kind.REQUEST)[0]
    world.state.events.clear()
    world.observe(DraftEdited(at=at(12, 1, 9, 30), tracking_id=request.id, subject="New"))
    assert [e.kind for e in world.state.events] == ["edited"]
    assert world.status("ann") == Status.CONTACTED


def test_bounce_before_reply_marks_bounced_and_nothing_more_is_planned() -> None:
    world = contacted("Ann")
    world.observe(
        Bounce(
            at=at(12, 1, 9, 1),
            item_id="ndr",
            sender="postmaster@example.com",
            recipient="ann@example.com",
            reason="550 no such user",
        )
    )
    assert world.status("ann") == Status.BOUNCED
    assert "550" in (world.state.contacts["ann"].attention or "")
    assert world.plan(at(12, 31)) == []


@pytest.fixture
def scheduled() -> World:
    world = World(person("Ann", status=Status.SCHEDULED))
    world.state.interviews["i1"] = Interview(
        contact_id="ann", start=at(12, 9, 14), id="i1", status="scheduled"
    )
    world.plan(at(12, 2))
    world.draft(at(12, 2))
    return world


def test_meeting_declined_cancels_the_time_not_the_interview(scheduled: World) -> None:
    invite = scheduled.of("ann", Kind.INVITE)[0]
    scheduled.observe(
        MeetingDeclined(at=at(12, 3), sender="ann@example.com", tracking_id=invite.id)
    )
    assert scheduled.status("ann") == Status.SCHEDULING
    assert scheduled.state.interviews["i1"].status == "cancelled"
    assert "not a no" in (scheduled.state.contacts["ann"].attention or "")
    assert scheduled.plan(at(12, 9, 15)) == []  # no thank-you for a meeting that was off


def test_tentative_and_new_time_ask_for_attention(scheduled: World) -> None:
    invite = scheduled.of("ann", Kind.INVITE)[0]
    scheduled.observe(
        MeetingTentative(at=at(12, 3), sender="ann@example.com", tracking_id=invite.id)
    )
    assert "Tentatively" in (scheduled.state.contacts["ann"].attention or "")
    scheduled.observe(
        MeetingProposedNewTime(
            at=at(12, 3, 10), sender="ann@example.com", tracking_id=invite.id, start=at(12, 10, 9)
        )
    )
    assert "2026-12-10 09:00" in (scheduled.state.contacts["ann"].attention or "")
    assert scheduled.state.interviews["i1"].start == at(12, 9, 14)


def test_interview_moved_then_cancelled(scheduled: World) -> None:
    invite = scheduled.of("ann", Kind.INVITE)[0]
    scheduled.observe(
        InterviewMoved(
            at=at(12, 4), tracking_id=invite.id, start=at(12, 10, 9), end=at(12, 10, 9, 45)
        )
    )
    interview = scheduled.state.interviews["i1"]
    assert (interview.start, interview.minutes) == (at(12, 10, 9), 45)
    assert scheduled.plan(at(12, 9, 15)) == []  # the old end passes: nothing happens
    scheduled.observe(InterviewCancelled(at=at(12, 5), tracking_id=invite.id))
    assert interview.status == "cancelled"
    assert scheduled.status("ann") == Status.SCHEDULING
    assert "cancelled" in (scheduled.state.contacts["ann"].attention or "")
