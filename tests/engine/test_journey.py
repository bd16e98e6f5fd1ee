"""Time travel across weeks: the whole journey of a few contacts, clock in hand."""

from __future__ import annotations

from datetime import timedelta

from outreach.core.model import Interview, Kind, MessageState, Status
from outreach.core.observations import AutoReply, MeetingAccepted
from outreach.engine.actions import message_id

from .helpers import World, at, person, slot


def test_follow_ups_then_no_response_across_christmas_holidays() -> None:
    """Request Mon 21 Dec; 5 business days skip Christmas, Boxing Day (observed) and weekends."""
    world = World(person("Ann"))
    [request] = world.plan(at(12, 21, 8))
    assert (request.kind, request.id) == (Kind.REQUEST, message_id("ann", Kind.REQUEST, 1))
    assert world.status("ann") == Status.DRAFTED
    world.draft(at(12, 21, 8))
    world.send(request, at(12, 21, 10))
    assert world.status("ann") == Status.CONTACTED

    # Tue 29 Dec is only 4 business days on (22, 23, 24, 29): nothing yet.
    assert world.plan(at(12, 29, 23)) == []
    [up1] = world.plan(at(12, 30, 10))  # Wed 30 Dec 10:00: the 5th business day
    assert (up1.kind, up1.sequence, up1.thread_of) == (Kind.FOLLOW_UP, 1, request.id)
    world.draft(at(12, 30, 10))
    world.send(up1, at(12, 30, 11))
    assert world.status("ann") == Status.FOLLOWED_UP

    # New Year's Day is a holiday: 31 Dec, 4, 5, 6, 7 Jan -> Thu 7 Jan 2027 11:00.
    assert world.plan(at(1, 6, 12, year=2027)) == []
    [up2] = world.plan(at(1, 7, 11, year=2027))
    assert (up2.kind, up2.sequence, up2.thread_of) == (Kind.FOLLOW_UP, 2, request.id)
    world.draft(at(1, 7, 11, year=2027))
    world.send(up2, at(1, 7, 12, year=2027))

    assert world.plan(at(1, 13, 12, year=2027)) == []
    assert world.status("ann") == Status.FOLLOWED_UP
    assert world.plan(at(1, 14, 12, year=2027)) == []
    assert world.status("ann") == Status.NO_RESPONSE
    assert world.plan(at(3, 1, 12, year=2027)) == []
    assert len(world.of("ann", Kind.FOLLOW_UP)) == 2


def test_follow_up_waits_while_the_previous_one_sits_in_drafts() -> None:
    world = World(person("Ann"))
    [request] = world.plan(at(12, 1))
    world.draft(at(12, 1))
    world.send(request, at(12, 1, 10))
    [up1] = world.plan(at(12, 8, 10))
    world.draft(at(12, 8, 10))
    assert world.plan(at(12, 30, 10)) == []  # follow-up 1 never sent: no follow-up 2
    assert world.status("ann") == Status.CONTACTED
    assert up1.state == MessageState.DRAFTED


def test_out_of_office_pauses_then_resumes_and_follow_up_counts_from_return() -> None:
    world = World(person("Bea"))
    [request] = world.plan(at(12, 1))
    world.draft(at(12, 1))
    world.send(request, at(12, 1, 10))
    world.observe(
        AutoReply(
            at=at(12, 1, 10, 5),
            item_id="oof-1",
            sender="bea@example.com",
            in_reply_to=f"<{request.id}@example.com>",
            until=at(12, 14, 0),
        )
    )
    contact = world.state.contacts["bea"]
    assert (contact.status, contact.paused_until, contact.paused_from) == (
        Status.PAUSED,
        at(12, 14, 0),
        Status.CONTACTED,
    )
    assert world.plan(at(12, 10, 12)) == []  # would be follow-up time, but paused
    assert world.plan(at(12, 14, 8)) == []  # resumed; the wait restarts from the return
    assert world.status("bea") == Status.CONTACTED
    assert world.plan(at(12, 18, 12)) == []  # Fri 18: 4 business days after Mon 14
    [up1] = world.plan(at(12, 21, 8))
    assert up1.kind == Kind.FOLLOW_UP


def test_out_of_office_without_date_uses_the_default_days() -> None:
    world = World(person("Bea"), out_of_office_default_days=3)
    [request] = world.plan(at(12, 1))
    world.draft(at(12, 1))
    world.send(request, at(12, 1, 10))
    world.observe(AutoReply(at=at(12, 2, 9), item_id="oof", sender="BEA@example.com"))
    assert world.state.contacts["bea"].paused_until == at(12, 5, 9)


def test_daily_cap_spreads_requests_over_days_referrals_first_then_oldest() -> None:
    people = [person(f"P{i}", created=at(10, 1) + timedelta(days=i)) for i in range(5)]
    referrer = person("Ref", status=Status.DONE)
    referred = person("Zed", created=at(11, 20), referred_by="ref")
    world = World(*people, referrer, referred, daily_send_cap=2)
    first = world.plan(at(12, 1, 8))
    assert [m.contact_id for m in first] == ["zed", "p0"]
    assert world.plan(at(12, 1, 20)) == []  # cap reached for today
    world.draft(at(12, 1, 20))
    second = world.plan(at(12, 2, 0, 1))  # a new day in London
    assert [m.contact_id for m in second] == ["p1", "p2"]
    world.draft(at(12, 2, 0, 1))
    third = world.plan(at(12, 3, 8))
    assert [m.contact_id for m in third] == ["p3", "p4"]


def test_daily_cap_counts_sends_made_today_in_the_user_zone() -> None:
    world = World(person("Ann"), person("Bob"), person("Cy"), daily_send_cap=2)
    [ann, bob] = world.plan(at(12, 1, 8))
    world.draft(at(12, 1, 8))
    world.send(ann, at(12, 2, 9))
    world.send(bob, at(12, 2, 9))
    assert world.plan(at(12, 2, 10)) == []  # two sent today
    assert [m.contact_id for m in world.plan(at(12, 3, 10))] == ["cy"]


def test_reply_picking_a_slot_schedules_invites_then_thank_you_and_report_back() -> None:
    referrer = person("Ref", status=Status.DONE)  # interviewed earlier, named Cal
    world = World(referrer, person("Cal", referred_by="ref", source="referral"))
    plans = world.plan(at(12, 1, 8))
    assert [m.contact_id for m in plans] == ["cal"]
    proposed = [slot(at(12, 8, 10)), slot(at(12, 9, 14))]
    world.draft(at(12, 1, 8), slots=proposed)
    cal_request = world.of("cal", Kind.REQUEST)[0]
    world.send(cal_request, at(12, 1, 9))
    world.reply("cal", at(12, 2, 11), "Wednesday at 2pm works for me.\n\nOn Tue, Robin wrote:\n> ")
    assert world.status("cal") == Status.SCHEDULING
    assert "Picks slot 2" in (world.state.contacts["cal"].attention or "")
    [invite] = world.plan(at(12, 2, 11, 1))
    [interview] = world.state.interviews.values()
    assert (invite.kind, invite.interview_id) == (Kind.INVITE, interview.id)
    assert interview.invite_id == invite.id
    assert (interview.start, interview.minutes) == (at(12, 9, 14), 30)
    world.draft(at(12, 2, 12))
    world.observe(
        MeetingAccepted(
            at=at(12, 3, 9), item_id="resp", sender="cal@example.com", tracking_id=invite.id
        )
    )
    assert world.status("cal") == Status.SCHEDULED
    assert world.plan(at(12, 9, 14, 29)) == []  # not over yet
    after = world.plan(at(12, 9, 14, 30))
    assert [(m.kind, m.contact_id) for m in after] == [
        (Kind.THANK_YOU, "cal"),
        (Kind.REPORT_BACK, "ref"),
    ]
    assert world.state.interviews[interview.id].status == "held"
    assert world.status("cal") == Status.INTERVIEWED
    assert "Log the interview" in (world.state.contacts["cal"].attention or "")
    world.draft(at(12, 9, 15))
    world.send(after[0], at(12, 9, 16))
    assert world.status("cal") == Status.THANKED
    world.state.interviews[interview.id].logged_at = at(12, 9, 17)
    assert world.plan(at(12, 9, 18)) == []
    assert world.status("cal") == Status.DONE


def test_thank_you_waits_for_the_configured_delay() -> None:
    world = World(person("Dee", status=Status.SCHEDULED), thank_you_delay_minutes=60)
    world.state.interviews["i1"] = Interview(
        contact_id="dee", start=at(12, 9, 10), id="i1", status="scheduled", invite_id="x"
    )
    assert world.plan(at(12, 9, 10, 30)) == []  # ended; reminder and status only
    assert world.status("dee") == Status.INTERVIEWED
    assert world.plan(at(12, 9, 11, 29)) == []
    [thanks] = world.plan(at(12, 9, 11, 30))
    assert (thanks.kind, thanks.interview_id) == (Kind.THANK_YOU, "i1")
