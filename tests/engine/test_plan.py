"""Single rules of the plan: caps, stops, stable ids, purity."""

from __future__ import annotations

import copy
from datetime import date

from outreach.config.settings import TimeSettings, WorkingHours
from outreach.core.model import Interview, Kind, Message, MessageState, Status
from outreach.engine import Cancel, StatusChange, plan
from outreach.engine.actions import message_id
from outreach.engine.businessdays import BusinessDays

from .helpers import World, at, capped_interview, person


def test_plan_is_pure_and_apply_plan_records_the_same_messages() -> None:
    world = World(person("Ann"), person("Bob"))
    before = copy.deepcopy(world.state)
    actions = world.pure_plan(at(12, 1))
    assert world.state == before
    messages = world.plan(at(12, 1))
    assert [m for m in actions if isinstance(m, Message)] == messages
    assert [a for a in actions if isinstance(a, StatusChange)] == [
        StatusChange("ann", Status.DRAFTED, "request planned"),
        StatusChange("bob", Status.DRAFTED, "request planned"),
    ]
    assert {m.id for m in messages} == {m for m in world.state.messages}
    assert all(m.state == MessageState.PLANNED and m.planned_at == at(12, 1) for m in messages)


def test_ids_are_stable_and_planning_twice_adds_nothing() -> None:
    world = World(person("Ann"))
    again = copy.deepcopy(world.state)
    [first] = world.plan(at(12, 1))
    [second] = plan(again, at(12, 1, 10), world.settings)[:1]  # a crash before the write
    assert first.id == second.id == message_id("ann", Kind.REQUEST, 1)
    assert world.plan(at(12, 1)) == []
    world.state.contacts["ann"].status = Status.NEW  # even if the status went back somehow
    assert world.plan(at(12, 1, 11)) == []


def test_nothing_for_do_not_contact_or_stopped_contacts() -> None:
    stopped = [
        person(n, status=s)
        for n, s in [
            ("Re", Status.REJECTED),
            ("De", Status.DECLINED),
            ("Bo", Status.BOUNCED),
            ("No", Status.NO_RESPONSE),
        ]
    ]
    dnc = person("Dnc", do_not_contact=True)
    world = World(*stopped, dnc, person("Held", status=Status.SCHEDULED, do_not_contact=True))
    world.state.interviews["i1"] = Interview(contact_id="held", start=at(12, 5), id="i1")
    world.state.interviews["i2"] = Interview(contact_id="held", start=at(11, 30), id="i2")
    assert [m for m in world.pure_plan(at(12, 1)) if isinstance(m, Message)] == []


def test_do_not_contact_withdraws_planned_messages() -> None:
    world = World(person("Ann"))
    [request] = world.plan(at(12, 1))
    world.state.contacts["ann"].do_not_contact = True
    actions = world.pure_plan(at(12, 1, 1))
    assert actions == [Cancel(request.id, "do not contact")]


def test_per_contact_cap_blocks_and_says_so_once() -> None:
    world = capped_interview()
    assert world.plan(at(12, 1, 11)) == []  # no thank-you: the cap is reached
    attention = world.state.contacts["ann"].attention or ""
    assert "per-contact cap" in attention
    world.state.contacts["ann"].attention = None  # the user read it
    assert world.plan(at(12, 1, 12)) == []
    assert world.state.contacts["ann"].attention is None


def test_invite_is_not_capped_and_is_sent_only_if_configured() -> None:
    world = World(person("Ann", status=Status.SCHEDULING), daily_send_cap=0, send_invites=True)
    world.state.interviews["i1"] = Interview(
        contact_id="ann", start=at(12, 9), id="i1", status="proposed"
    )
    [invite] = world.plan(at(12, 1))
    assert (invite.kind, invite.send, invite.interview_id) == (Kind.INVITE, True, "i1")


def test_approval_send_marks_emails_to_send() -> None:
    world = World(person("Ann"), approval="send")
    [request] = world.plan(at(12, 1))
    assert request.send is True


def test_unaccepted_interview_asks_instead_of_thanking() -> None:
    world = World(person("Ann", status=Status.SCHEDULING))
    world.state.interviews["i1"] = Interview(
        contact_id="ann", start=at(12, 1, 10), id="i1", status="proposed", invite_id="inv"
    )
    assert world.plan(at(12, 1, 11)) == []
    assert "never accepted" in (world.state.contacts["ann"].attention or "")
    world.state.interviews["i1"].logged_at = at(12, 1, 12)  # the user logged it: it happened
    [thanks] = world.plan(at(12, 1, 13))
    assert thanks.kind == Kind.THANK_YOU


def test_paused_by_hand_without_date_stays_paused() -> None:
    world = World(person("Ann", status=Status.PAUSED, paused_from=Status.NEW))
    assert world.plan(at(12, 1)) == []
    world.state.contacts["ann"].paused_until = at(12, 2)
    [request] = world.plan(at(12, 2))
    assert request.kind == Kind.REQUEST


def test_business_days_skip_weekends_and_holidays() -> None:
    days = BusinessDays(TimeSettings(timezone="Europe/London", country="GB"))
    assert days.add(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert days.add(date(2026, 12, 19), 1) == date(2026, 12, 21)  # from a Saturday
    assert not days.is_business_day(date(2026, 12, 28))
    four_day = BusinessDays(TimeSettings(working_hours=WorkingHours(days=(0, 1, 2, 3))))
    assert four_day.add(date(2026, 12, 3), 1) == date(2026, 12, 7)


def test_emails_still_waiting_from_yesterday_use_todays_room() -> None:
    """Planned late one evening, not yet carried out by morning: they go today, so they
    count against today's cap (else the outbox meets the cap and retries every cycle)."""
    world = World(person("Ann"), person("Bea"), person("Cy"), approval="send", daily_send_cap=2)
    first = world.plan(at(12, 1, 23, 30))
    assert len(first) == 2
    assert world.plan(at(12, 2, 9)) == []


def test_the_cap_holds_requests_for_tomorrow_says_so_once_and_counts_them() -> None:
    from outreach.core.errors import UserError
    from outreach.engine import plan_one
    from outreach.research import overview

    world = World(*(person(n) for n in ("Ann", "Bob", "Cy", "Dee")), daily_send_cap=2)
    assert len(world.plan(at(12, 1, 8))) == 2
    held = [e for e in world.state.events if e.kind == "held"]
    assert [e.text for e in held] == [
        "2 requests wait for tomorrow: today's cap (2 emails, policy.daily_send_cap) is reached"
    ]
    world.plan(at(12, 1, 9))
    assert len([e for e in world.state.events if e.kind == "held"]) == 1  # said once a day
    assert overview.waiting_for_tomorrow(world.state, at(12, 1, 9), world.settings) == 2
    try:  # `outreach send` counts the day the same way: two planned today fill the cap
        plan_one(world.state, "cy", Kind.REQUEST, at(12, 1, 10), world.settings, send=True)
    except UserError as refused:
        assert "Today's send cap is reached (2 emails planned or sent today)" in str(refused)
    else:
        raise AssertionError("the cap let a third email go today")
    world.draft(at(12, 1, 9))
    assert overview.waiting_for_tomorrow(world.state, at(12, 2, 8), world.settings) == 0
