"""Rescheduling end to end: `run --once` and `schedule` against the sandbox, clock in hand.

A reply picks slot 2, the user then schedules another time, the contact accepts, the
interview ends: exactly one invite (the same meeting, updated), the acceptance on the
new interview, one thank-you naming the new date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from outreach.core.model import Kind, MessageState, Status

from .world import ZONE, World

PRIYA = "priya.castellan@example.com"


def calendar_of(w: World, email: str) -> list[dict]:
    return [i for i in w.folder("calendar") if email in [a[0] for a in i["attendees"]]]


def test_schedule_moves_the_one_invite_and_thanks_for_the_right_date(world: World) -> None:
    w = world
    w.requested("Priya Castellan", PRIYA, hours=2, office="Building 5, room 512")
    request = w.picks(PRIYA, 1, "{} works for me.", w.addressed_to("sentitems", PRIYA)[0]["id"])
    second = request.slots[1].start.astimezone(ZONE)
    w.advance(minutes=5)
    w.cli("run", "--once")
    [meeting] = calendar_of(w, PRIYA)  # invites are sent in this config
    first_invite = w.message(PRIYA, Kind.INVITE)
    assert first_invite.state == MessageState.SENT and meeting["sequence"] == "0"

    # the user agrees another time by phone; the same meeting moves, an update goes out
    later = (second + timedelta(days=1)).replace(hour=15, minute=0)
    moved = w.cli("schedule", "priya", "--at", f"{later:%Y-%m-%d %H:%M}")
    assert "Scheduled Priya Castellan" in moved.stdout
    [meeting_now] = calendar_of(w, PRIYA)
    assert meeting_now["id"] == meeting["id"]
    assert meeting_now["sequence"] == "1"
    assert datetime.fromisoformat(meeting_now["start"].replace("Z", "+00:00")) == later
    state = w.state()
    invites = [
        m for m in w.messages(PRIYA, Kind.INVITE, state) if m.state != MessageState.CANCELLED
    ]
    assert len(invites) == 1 and invites[0].item_id == meeting["id"]
    interviews = state.interviews_of(w.contact(PRIYA, state).id)
    assert [(i.status, i.start) for i in interviews] == [
        ("cancelled", second), ("proposed", later),
    ]  # fmt: skip

    # she accepts: the new interview is scheduled
    w.controls.respond_to_meeting(meeting["id"], attendee=PRIYA, response="accept")
    w.advance(minutes=5)
    w.cli("run", "--once")
    state = w.state()
    new = state.interviews_of(w.contact(PRIYA, state).id)[-1]
    assert (new.start, new.status) == (later, "scheduled")
    assert w.status(PRIYA) == Status.SCHEDULED.value

    # the interview ends: one thank-you, naming its day
    w.travel(later + timedelta(minutes=45))
    w.cli("run", "--once")
    w.cli("run", "--once")
    [thanks] = w.messages(PRIYA, Kind.THANK_YOU)
    assert thanks.interview_id == new.id
    assert "today" in thanks.subject  # drafted the day it took place, not the day first agreed
    assert len(calendar_of(w, PRIYA)) == 1


DANA = "dana.whitlock@example.com"


def test_two_contacts_on_one_time_give_one_invite_and_a_flag_in_status(world: World) -> None:
    w = world
    w.requests_sent(("Priya Castellan", PRIYA), ("Dana Whitlock", DANA))
    danas = w.message(DANA, Kind.REQUEST).slots[0].start.astimezone(ZONE)
    at = f"{danas:%Y-%m-%d %H:%M}"

    refused = w.cli("schedule", "priya", "--at", at, check=False)
    assert refused.returncode == 2
    assert "the time proposed to Dana Whitlock" in refused.stderr and "--force" in refused.stderr
    assert calendar_of(w, PRIYA) == []
    w.cli("schedule", "priya", "--at", at, "--force")

    w.controls.reply(w.addressed_to("sentitems", DANA)[0]["id"], sender=DANA,
                     body=f"{danas:%A} at {danas:%-I:%M %p} works for me.")  # fmt: skip
    w.advance(minutes=5)
    w.cli("run", "--once")
    assert len(calendar_of(w, PRIYA)) == 1 and calendar_of(w, DANA) == []
    assert w.messages(DANA, Kind.INVITE) == []
    status = w.cli("status").stdout
    assert "overlaps the interview with Priya Castellan" in " ".join(status.split())


def test_a_picked_time_now_taken_by_a_meeting_is_flagged_not_booked(world: World) -> None:
    from outreach.sandbox.directory import Busy

    w = world
    w.requested("Priya Castellan", PRIYA)
    second = w.message(PRIYA, Kind.REQUEST).slots[1]
    robin = w.sandbox.state.directory.get("robin.vale@example.com")
    robin.busy.append(Busy(second.start, second.end, subject="Team offsite"))
    local = second.start.astimezone(ZONE)
    w.picks(PRIYA, 1, "{} works for me.", w.addressed_to("sentitems", PRIYA)[0]["id"])
    w.advance(minutes=5)
    w.cli("run", "--once")
    assert calendar_of(w, PRIYA) == []
    status = " ".join(w.cli("status").stdout.split())
    assert f"overlaps 'Team offsite' on your calendar at {local:%Y-%m-%d %H:%M}" in status
    w.cli("schedule", "priya", "--slot", "2", "--force")
    assert len(calendar_of(w, PRIYA)) == 1
    w.cli("run", "--once")
    assert len(calendar_of(w, PRIYA)) == 1
