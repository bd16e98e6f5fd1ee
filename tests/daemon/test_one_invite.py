"""One invitation per contact on the calendar, whatever happened to the first.

Invitations wait unsent for the user's Send (``policy.send_invites: false``). A reply
picks a time; the invitation is not sent; the time passes ("never accepted"); the user
agrees another time. The one invitation moves there, still unsent: pressing Send in
Outlook invites the contact to the new time, never to the one that is over. She
accepts, the interview takes place, one thank-you names its day. The same when the
command or the daemon moving it is killed at any point of the move.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from outreach.campaign.crashpoint import ENV, POINTS
from outreach.core.model import Kind, MessageState, Status
from outreach.store.db import Store

from .world import ZONE, World

PRIYA = "priya.castellan@example.com"


@pytest.fixture
def world(open_world: Callable[..., World], request: pytest.FixtureRequest) -> World:
    return open_world(protocol=request.node.callspec.params["protocol"], send_invites=False)


def invitations(w: World) -> list[dict]:
    """The meetings on the user's calendar with Priya as an attendee."""
    return [i for i in w.folder("calendar") if PRIYA in [a[0] for a in i["attendees"]]]


def start_of(item: dict) -> datetime:
    return datetime.fromisoformat(item["start"].replace("Z", "+00:00"))


def requests_received(w: World) -> list[dict]:
    """The meeting requests that reached Priya's own inbox."""
    inbox = w.controls.inspect(mailbox=PRIYA)["inbox"]
    return [i for i in inbox if (i["item_class"] or "").startswith("IPM.Schedule.Meeting.Req")]


def weekday(moment: datetime, hour: int) -> datetime:
    """``hour`` o'clock on the first weekday from ``moment`` (New York time)."""
    day = moment.astimezone(ZONE)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def lapsed(w: World) -> tuple[datetime, dict]:
    """A reply picks the second time; its invitation waits unsent; that time passes.
    Return the time and the unsent meeting."""
    w.requested("Priya Castellan", PRIYA)
    second = w.message(PRIYA, Kind.REQUEST).slots[1].start.astimezone(ZONE)
    w.controls.reply(w.addressed_to("sentitems", PRIYA)[0]["id"], sender=PRIYA,
                     body=f"{second:%A} at {second:%-I:%M %p} works for me.")  # fmt: skip
    w.advance(minutes=5)
    w.cli("run", "--once")
    [meeting] = invitations(w)
    assert start_of(meeting) == second and not meeting["invited"]
    assert w.message(PRIYA, Kind.INVITE).state == MessageState.DRAFTED
    w.travel(second + timedelta(hours=3))
    w.cli("run", "--once")
    assert "never accepted" in " ".join(w.cli("status").stdout.split())
    assert requests_received(w) == []  # the user never pressed Send
    return second, meeting


def exactly_one_invitation_at(w: World, later: datetime, meeting: dict | None) -> dict:
    """Return the one invitation: at ``later``, unsent, ``meeting`` moved there (or, with
    None, a new one); the store says so, and nothing else."""
    [moved] = invitations(w)
    assert (start_of(moved), moved["invited"]) == (later, False)
    assert moved["id"] == (meeting or moved)["id"]
    state = w.state()
    live = [m for m in w.messages(PRIYA, Kind.INVITE, state) if m.state != MessageState.CANCELLED]
    assert [(m.state, m.item_id) for m in live] == [(MessageState.DRAFTED, moved["id"])]
    interviews = state.interviews_of(w.contact(PRIYA, state).id)
    assert [i.status for i in interviews if i.start == later] == ["proposed"]
    assert all(i.status == "cancelled" for i in interviews if i.start != later)
    assert w.status(PRIYA) == Status.SCHEDULING.value
    return moved


def sent_accepted_and_thanked(w: World, later: datetime, meeting: dict) -> None:
    """The user presses Send in Outlook; Priya gets the new time, accepts; the interview
    takes place; one thank-you names its day."""
    w.sandbox.mailbox(PRIYA)  # a colleague: the request reaches her Inbox
    w.controls.send_meeting(meeting["id"])
    [received] = requests_received(w)
    assert datetime.fromisoformat(received["start"].replace("Z", "+00:00")) == later
    w.controls.respond_to_meeting(meeting["id"], attendee=PRIYA, response="accept")
    w.advance(minutes=5)
    w.cli("run", "--once")
    state = w.state()
    [interview] = [i for i in state.interviews_of(w.contact(PRIYA, state).id) if i.start == later]
    assert interview.status == "scheduled" and w.status(PRIYA) == Status.SCHEDULED.value

    w.travel(later + timedelta(minutes=45))
    w.cli("run", "--once")
    w.cli("run", "--once")
    [thanks] = [m for m in w.messages(PRIYA, Kind.THANK_YOU) if m.state != MessageState.CANCELLED]
    assert thanks.interview_id == interview.id and thanks.item_id
    assert "today" in thanks.subject  # drafted the day it took place
    assert w.state().interviews[interview.id].status == "held"
    assert len(invitations(w)) == 1 and len(requests_received(w)) == 1


@pytest.mark.parametrize("protocol", ["ews", "graph"])
def test_a_lapsed_unsent_invitation_moves_to_the_time_agreed_next(
    world: World, protocol: str
) -> None:
    w = world
    _, meeting = lapsed(w)
    later = weekday(w.clock.now() + timedelta(days=1), 15)
    done = w.cli("schedule", "priya", "--at", f"{later:%Y-%m-%d %H:%M}")
    assert "Scheduled Priya Castellan" in done.stdout
    exactly_one_invitation_at(w, later, meeting)
    w.cli("run", "--once")  # the daemon agrees: nothing more
    sent_accepted_and_thanked(w, later, exactly_one_invitation_at(w, later, meeting))


#: (where the move dies, on which protocol). `schedule` carries the move out itself;
#: "planned" and "recorded" fall in the daemon's cycle, so there the daemon moves it
#: (the contact writes back picking the third time).
COMMAND_POINTS = [("prepared", "ews"), ("sent-one", "graph"), ("created", "ews"),
                  ("created", "graph"), ("prepared", "graph"), ("sent-one", "ews")]  # fmt: skip
DAEMON_POINTS = [("planned", "graph"), ("recorded", "ews"), ("created", "graph")]


@pytest.mark.parametrize(("point", "protocol"), COMMAND_POINTS)
def test_schedule_killed_during_the_move_moves_it_once_when_run_again(
    world: World, point: str, protocol: str
) -> None:
    assert point in POINTS
    w = world
    _, meeting = lapsed(w)
    later = weekday(w.clock.now() + timedelta(days=1), 15)
    at = f"{later:%Y-%m-%d %H:%M}"
    killed = w.cli("schedule", "priya", "--at", at, check=False, **{ENV: point})
    assert killed.returncode == 137, killed.stderr
    Store(w.store_path).read()  # the store a crash leaves behind loads
    again = w.cli("schedule", "priya", "--at", at)
    assert "Scheduled Priya Castellan" in again.stdout
    exactly_one_invitation_at(w, later, meeting)
    w.cli("run", "--once")
    sent_accepted_and_thanked(w, later, exactly_one_invitation_at(w, later, meeting))


@pytest.mark.parametrize(("point", "protocol"), DAEMON_POINTS)
def test_the_daemon_killed_during_the_move_moves_it_once_after_a_restart(
    world: World, point: str, protocol: str
) -> None:
    w = world
    second, meeting = lapsed(w)
    third = w.message(PRIYA, Kind.REQUEST).slots[2].start.astimezone(ZONE)
    assert third > w.clock.now() > second, "the third time is still to come"
    said = f"Sorry I missed it. {third:%A} at {third:%-I:%M %p} works for me."
    w.controls.reply(w.addressed_to("sentitems", PRIYA)[0]["id"], sender=PRIYA, body=said)
    doomed = w.start(**{ENV: point})
    try:
        code = doomed.wait(timeout=60)
    except subprocess.TimeoutExpired:
        doomed.kill()
        raise AssertionError(f"the daemon never reached {point!r}:\n{w.log()}") from None
    assert code == 137, f"the daemon should have died at {point!r}, exit {code}:\n{w.log()}"
    fresh = w.start()
    w.wait("the invitation moved", lambda: start_of(invitations(w)[0]) == third
           and w.message(PRIYA, Kind.INVITE).item_id)  # fmt: skip
    w.settled()
    assert w.stop(fresh) == 0
    sent_accepted_and_thanked(w, third, exactly_one_invitation_at(w, third, meeting))


@pytest.mark.parametrize("protocol", ["ews", "graph"])
def test_an_invitation_deleted_in_outlook_is_made_afresh_once_even_if_killed_between(
    world: World, protocol: str
) -> None:
    """The user deleted the lapsed meeting in Outlook and schedules before the daemon saw
    it: it cannot be moved, so it is withdrawn and made afresh; killed in between
    ("moved"), the command run again makes it once."""
    w = world
    _, meeting = lapsed(w)
    w.controls.cancel_meeting(meeting["id"])
    later = weekday(w.clock.now() + timedelta(days=1), 15)
    at = f"{later:%Y-%m-%d %H:%M}"
    killed = w.cli("schedule", "priya", "--at", at, check=False, **{ENV: "moved"})
    assert killed.returncode == 137, killed.stderr
    assert invitations(w) == []
    w.cli("schedule", "priya", "--at", at)
    fresh = exactly_one_invitation_at(w, later, None)
    assert fresh["id"] != meeting["id"]
    w.cli("run", "--once")
    sent_accepted_and_thanked(w, later, exactly_one_invitation_at(w, later, fresh))


@pytest.mark.parametrize("protocol", ["ews", "graph"])
def test_schedule_killed_while_the_daemon_runs_makes_the_invitation_once(
    world: World, protocol: str
) -> None:
    """The daemon, running all along, takes over the invitation the command had made
    when it died: it finds it in the mailbox and records it, never makes a second."""
    w = world
    w.add("Priya Castellan", PRIYA)
    daemon = w.start()  # it settles the outbox once, at its first cycle with work
    w.wait("the request drafted", lambda: w.message(PRIYA, Kind.REQUEST).item_id)
    w.controls.press_send(w.message(PRIYA, Kind.REQUEST).item_id)
    w.advance(hours=1)
    w.wait("the times held", lambda: sum(bool(m.item_id) for m in w.messages(PRIYA, Kind.HOLD)))
    first = w.message(PRIYA, Kind.REQUEST).slots[0].start
    killed = w.cli("schedule", "priya", "--slot", "1", check=False, **{ENV: "created"})
    assert killed.returncode == 137, killed.stderr
    w.wait("the daemon to record the invitation", lambda: w.message(PRIYA, Kind.INVITE).item_id)
    w.settled()
    assert w.stop(daemon) == 0
    assert "found after a restart" in " ".join(e.text for e in w.store.events())
    sent_accepted_and_thanked(w, first, exactly_one_invitation_at(w, first, None))
