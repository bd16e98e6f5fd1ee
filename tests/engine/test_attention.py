"""Every attention line goes when its cause is resolved, and two lines never contradict.

One test per rule that sets a line (``engine.attention`` lists them): cause it the
way the product does, see the line in `status`'s list, resolve the cause, and see
it go: at once from the list, and from the store at the next plan (with an event).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from outreach.campaign.outbox import _fail, retry
from outreach.core.model import Interview, Kind, MessageState, Status
from outreach.core.observations import (
    AutoReply,
    Bounce,
    DraftDeleted,
    InterviewCancelled,
    InterviewMoved,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
)
from outreach.engine import agree, plan_one
from outreach.research import overview

from .helpers import World, at, capped_interview, person, slot


def lines(world: World, now: datetime, contact_id: str = "ann") -> list[str]:
    return [a.text for a in overview.attention(world.state, now) if a.contact_id == contact_id]


def shown(world: World, now: datetime, words: str, contact_id: str = "ann") -> None:
    assert any(words in line for line in lines(world, now, contact_id)), lines(world, now)


def gone(world: World, now: datetime, words: str, contact_id: str = "ann") -> None:
    """The line is off `status` at once, and off the contact after the next plan."""
    assert not any(words in line for line in lines(world, now, contact_id)), lines(world, now)
    world.plan(now)
    assert words not in (world.state.contacts[contact_id].attention or "")
    assert not any(words in line for line in lines(world, now, contact_id))


def contacted() -> World:
    """Ann got the request with three times and sent it."""
    world = World(person("Ann"))
    world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8), [slot(at(12, 8, 10)), slot(at(12, 9, 14)), slot(at(12, 10, 11))])
    world.send(world.of("ann", Kind.REQUEST)[0], at(12, 1, 9))
    return world


def invited(status: str = "proposed") -> World:
    """Ann agreed 9 December 14:00; the invite is on the calendar (sent)."""
    world = contacted()
    world.reply("ann", at(12, 2, 9), "Wednesday at 2:00 PM works for me.")
    world.plan(at(12, 2, 10))
    world.draft(at(12, 2, 10))
    invite = world.of("ann", Kind.INVITE)[0]
    invite.state, invite.sent_at = MessageState.SENT, at(12, 2, 11)
    world.state.interviews[invite.interview_id or ""].status = status
    return world


def over(status: str = "proposed", sent: bool = True) -> World:
    """Ann's interview time (9 December 14:00) has passed; the planner has seen it."""
    world = invited(status)
    if not sent:
        world.of("ann", Kind.INVITE)[-1].state = MessageState.DRAFTED
    world.plan(at(12, 9, 15))
    return world


def interview_of(world: World) -> Interview:
    return next(i for i in world.state.interviews.values() if i.status != "cancelled")


def invite_id(world: World) -> str:
    return world.of("ann", Kind.INVITE)[-1].id


def test_reply_line_goes_when_you_write_back() -> None:
    world = contacted()
    world.reply("ann", at(12, 2, 9), "Could you call me instead?")
    shown(world, at(12, 2, 10), "Replied")
    mine = plan_one(world.state, "ann", Kind.FOLLOW_UP, at(12, 2, 11), world.settings, send=False)
    world.state.messages[mine.id] = mine
    world.draft(at(12, 2, 11))
    world.send(mine, at(12, 2, 12))
    gone(world, at(12, 2, 13), "Replied")


def test_reply_line_goes_when_the_interview_is_booked() -> None:
    world = invited()
    shown(world, at(12, 2, 12), "Replied")
    world.state.contacts["ann"].status = Status.SCHEDULED  # as an acceptance leaves it
    gone(world, at(12, 2, 13), "Replied")


def test_bounce_line_goes_when_the_address_changes() -> None:
    world = contacted()
    world.observe(Bounce(at=at(12, 1, 10), item_id="ndr", recipient="ann@example.com"))
    shown(world, at(12, 1, 11), "bounced")
    world.state.contacts["ann"].email = "ann.example@example.org"  # contacts edit --email
    gone(world, at(12, 1, 12), "bounced")


def test_tentative_line_goes_when_the_time_is_moved() -> None:
    world = invited()
    world.observe(MeetingTentative(at=at(12, 3), sender="ann@example.com",
                                   tracking_id=invite_id(world)))  # fmt: skip
    shown(world, at(12, 3, 1), "Tentatively")
    agree(world.state, "ann", at(12, 10, 11), timedelta(minutes=30), at(12, 3, 2), world.settings)
    gone(world, at(12, 3, 3), "Tentatively")


@pytest.mark.parametrize("cause", ["declined", "cancelled", "deleted"])
def test_ask_for_another_time_lines_go_when_another_time_is_agreed(cause: str) -> None:
    world = invited("scheduled")
    if cause == "declined":
        world.observe(MeetingDeclined(at=at(12, 3), sender="ann@example.com",
                                      tracking_id=invite_id(world)))  # fmt: skip
        words = "Declined the invite"
    elif cause == "cancelled":
        world.observe(InterviewCancelled(at=at(12, 3), tracking_id=invite_id(world)))
        words = "was cancelled"
    else:
        invite = world.of("ann", Kind.INVITE)[-1]
        invite.state = MessageState.DRAFTED  # never sent: the user deletes it from the calendar
        world.observe(DraftDeleted(at=at(12, 3), item_id="gone", tracking_id=invite.id))
        words = "was deleted before it was sent"
    shown(world, at(12, 3, 1), words)
    agree(world.state, "ann", at(12, 10, 11), timedelta(minutes=30), at(12, 3, 2), world.settings)
    gone(world, at(12, 3, 3), words)


def test_ask_for_another_time_goes_when_the_contact_is_let_go() -> None:
    world = invited("scheduled")
    world.observe(InterviewCancelled(at=at(12, 3), tracking_id=invite_id(world)))
    shown(world, at(12, 3, 1), "was cancelled")
    world.state.contacts["ann"].do_not_contact = True
    gone(world, at(12, 3, 2), "was cancelled")


def test_new_time_line_goes_when_the_interview_moves_to_it() -> None:
    world = invited("scheduled")
    world.observe(MeetingProposedNewTime(at=at(12, 3), sender="ann@example.com",
                                         tracking_id=invite_id(world), start=at(12, 10, 9)))
    shown(world, at(12, 3, 1), "Proposes 2026-12-10 09:00")
    world.observe(InterviewMoved(at=at(12, 3, 2), tracking_id=invite_id(world),
                                 start=at(12, 10, 9), end=at(12, 10, 9, 30)))  # accepted it
    gone(world, at(12, 3, 3), "Proposes")


def test_away_line_goes_when_the_interview_moves_after_the_absence() -> None:
    world = invited("scheduled")
    world.state.contacts["ann"].status = Status.SCHEDULED
    world.observe(AutoReply(at=at(12, 3), item_id="oof", sender="ann@example.com",
                            until=at(12, 11, 9)))  # fmt: skip
    shown(world, at(12, 3, 1), "Out of office")
    world.observe(InterviewMoved(at=at(12, 3, 2), tracking_id=invite_id(world),
                                 start=at(12, 14, 10), end=at(12, 14, 10, 30)))  # fmt: skip
    gone(world, at(12, 3, 3), "Out of office")


def test_held_back_line_goes_when_booked_anyway() -> None:
    world = World(person("Ann"), person("Bob"))
    agree(world.state, "ann", at(12, 9, 14), timedelta(minutes=30), at(12, 2), world.settings)
    agree(world.state, "bob", at(12, 9, 14), timedelta(minutes=30), at(12, 2), world.settings)
    shown(world, at(12, 2, 1), "no invite was made", "bob")
    agree(world.state, "bob", at(12, 9, 14), timedelta(minutes=30), at(12, 2, 2), world.settings,
          force=True)  # fmt: skip
    gone(world, at(12, 2, 3), "no invite was made", "bob")


def test_held_back_line_stays_while_the_choice_is_open() -> None:
    world = World(person("Ann"), person("Bob"))
    agree(world.state, "ann", at(12, 9, 14), timedelta(minutes=30), at(12, 2), world.settings)
    agree(world.state, "bob", at(12, 9, 14), timedelta(minutes=30), at(12, 2), world.settings)
    world.plan(at(12, 2, 1))
    shown(world, at(12, 2, 1), "no invite was made", "bob")


def test_never_accepted_line_goes_when_logged_and_the_unsent_invite_is_not_offered() -> None:
    world = over(sent=False)
    shown(world, at(12, 9, 15), "never accepted")
    # never "press Send" on a meeting that is over, beside "reschedule or forget it"
    assert not any("waits for your Send" in line for line in lines(world, at(12, 9, 15)))
    interview_of(world).logged_at = at(12, 9, 16)
    gone(world, at(12, 9, 17), "never accepted")


def test_never_accepted_line_goes_when_another_time_is_agreed() -> None:
    world = over()
    shown(world, at(12, 9, 15), "never accepted")
    agree(world.state, "ann", at(12, 16, 11), timedelta(minutes=30), at(12, 9, 16), world.settings)
    gone(world, at(12, 9, 17), "never accepted")


def test_log_line_goes_when_logged_and_is_said_once() -> None:
    world = over("scheduled")
    said = [line for line in lines(world, at(12, 9, 15))
            if "not logged" in line or "Log the" in line]  # fmt: skip
    assert len(said) == 1, said
    interview_of(world).logged_at = at(12, 9, 16)
    gone(world, at(12, 9, 17), "Log the interview")


def test_cap_line_goes_when_the_cap_is_raised() -> None:
    world = capped_interview()
    world.plan(at(12, 1, 11))
    shown(world, at(12, 1, 11), "per-contact cap")
    world.settings = replace(world.settings,
                             policy=replace(world.settings.policy, per_contact_cap=5))
    [thanks] = world.plan(at(12, 1, 12))
    assert thanks.kind == Kind.THANK_YOU
    gone(world, at(12, 1, 13), "per-contact cap")


def test_failure_line_goes_when_tried_again_or_the_contact_is_let_go() -> None:
    world = World(person("Ann"), person("Bob"))
    for message in world.plan(at(12, 1, 8)):
        _fail(world.state, message.id, "the template is broken", at(12, 1, 8))
    shown(world, at(12, 1, 9), "could not be prepared")
    shown(world, at(12, 1, 9), "could not be prepared", "bob")
    retry(world.state, [world.of("ann", Kind.REQUEST)[0].id], at(12, 1, 10), "fixed")
    gone(world, at(12, 1, 11), "could not be prepared")
    world.state.contacts["bob"].do_not_contact = True
    gone(world, at(12, 1, 12), "could not be prepared", "bob")


def test_no_address_line_goes_when_the_contact_has_one() -> None:
    world = World(person("Ann"))
    world.state.contacts["ann"].email = ""  # a referral logged without an address
    world.state.contacts["ann"].attention = "No email address yet: add one."
    world.state.contacts["ann"].attention_about = "no-email"
    shown(world, at(12, 1), "No email address")
    world.state.contacts["ann"].email = "ann@example.com"
    gone(world, at(12, 1, 1), "No email address")


def test_a_draft_to_someone_who_bounced_is_to_be_deleted_not_sent() -> None:
    world = contacted()
    world.plan(at(12, 8, 10))  # follow-up 1 due
    world.draft(at(12, 8, 10))
    world.observe(Bounce(at=at(12, 8, 11), item_id="ndr", recipient="ann@example.com"))
    said = lines(world, at(12, 8, 12))
    assert any("bounced" in line for line in said)
    assert not any("waits for your Send" in line for line in said), said
    assert any("delete it" in line for line in said), said


def test_a_cleared_line_leaves_an_event_and_never_comes_back() -> None:
    world = World(person("Ann"), person("Bob"))
    agree(world.state, "ann", at(12, 9, 14), timedelta(minutes=30), at(12, 2), world.settings)
    agree(world.state, "bob", at(12, 9, 14), timedelta(minutes=30), at(12, 2), world.settings)
    agree(world.state, "bob", at(12, 9, 14), timedelta(minutes=30), at(12, 2, 1), world.settings,
          force=True)  # fmt: skip
    world.state.contacts["bob"].attention = "stale"  # a line whose cause is resolved
    world.state.contacts["bob"].attention_about = f"held-back:{interview_id_of(world, 'bob')}"
    world.plan(at(12, 2, 2))
    assert world.state.contacts["bob"].attention is None
    assert any(e.kind == "attention-cleared" for e in world.state.events)
    world.plan(at(12, 2, 3))
    assert world.state.contacts["bob"].attention is None


def interview_id_of(world: World, contact_id: str) -> str:
    return next(i.id for i in world.state.interviews.values() if i.contact_id == contact_id)


# --- the lines `status` works out itself: each goes with its cause too ---------------


def test_pause_lines_go_when_the_contact_is_back() -> None:
    world = contacted()
    world.state.contacts["ann"].status = Status.PAUSED
    world.state.contacts["ann"].paused_from = Status.CONTACTED
    world.state.contacts["ann"].paused_until = at(12, 4, 9)
    shown(world, at(12, 2), "comes back on 2026-12-04")
    shown(world, at(12, 4, 10), "the pause is over")
    world.plan(at(12, 4, 10))  # the planner resumes them
    gone(world, at(12, 4, 11), "pause")


def test_draft_line_goes_when_sent() -> None:
    world = World(person("Ann"))
    world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8), [slot(at(12, 8, 10))])
    shown(world, at(12, 1, 9), "request draft waits for your Send")
    world.send(world.of("ann", Kind.REQUEST)[0], at(12, 1, 10))
    gone(world, at(12, 1, 11), "waits for your Send")


def test_manager_line_goes_when_the_manager_is_a_contact() -> None:
    world = over("scheduled")
    ann = world.state.contacts["ann"]
    ann.manager, ann.manager_name = "kim@example.com", "Kim Example"
    interview_of(world).logged_at = at(12, 9, 16)
    shown(world, at(12, 9, 17), "their manager Kim Example")
    boss = person("Kim")
    world.state.contacts[boss.id] = boss
    gone(world, at(12, 9, 18), "their manager")


def test_keep_in_touch_line_goes_when_an_update_is_planned() -> None:
    world = over("scheduled")
    interview_of(world).logged_at = at(12, 9, 16)
    later = at(12, 9, 16) + timedelta(weeks=7)

    def said() -> list[str]:
        return [a.text for a in overview.attention(world.state, later, keep_in_touch_weeks=6)]

    assert any("weeks since your interview" in line for line in said())
    update = plan_one(world.state, "ann", Kind.UPDATE, later, world.settings, send=False)
    world.state.messages[update.id] = update
    assert not any("weeks since your interview" in line for line in said())


def test_waiting_for_time_goes_when_nothing_waits() -> None:
    world = World(person("Ann"))
    [request] = world.plan(at(12, 1, 8))
    request.waits = "every free time until 2026-12-15 is proposed to another contact"
    waiting = overview.waiting_for_time(world.state, world.settings)
    assert waiting is not None and waiting.count == 1 and "latest_days" in waiting.change
    world.state.contacts["ann"].do_not_contact = True  # the planner withdraws the request
    world.plan(at(12, 1, 9))
    assert overview.waiting_for_time(world.state, world.settings) is None
