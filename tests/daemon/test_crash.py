"""Crash tests: kill the real daemon at named points of a campaign and restart it.

$OUTREACH_CRASH_AT makes the daemon leave with ``os._exit(137)`` (what SIGKILL
leaves behind: no cleanup, no flush) at one point of its cycle. Each phase of the
journey is run once by a daemon that dies there and finished by a fresh one;
afterwards every contact has exactly the drafts, emails and invites it should —
counted in the sandbox's folders by recipient — and the store loads.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta

import pytest

from outreach.campaign.crashpoint import ENV, POINTS
from outreach.core.model import Kind, MessageState
from outreach.store.db import Store

from .world import ZONE, World

PRIYA = "priya.castellan@example.com"
DANA = "dana.whitlock@example.com"
LENA = "lena.marchetti@example.com"

#: (approval, the point to die at in each phase: requests, invite, the invite moved to
#: another time, thank-you). Every point is hit in both kinds of work: drafts are
#: created in one bulk request; with approval "send" each email goes out by itself, so
#: "sent-one" falls between two sends and "created" after sends not yet recorded.
CASES = [
    ("drafts", ("created", "sent-one", "sent-one", "recorded")),
    ("send", ("sent-one", "created", "created", "prepared")),
    ("drafts", ("planned", "recorded", "prepared", "created")),
]


@pytest.fixture
def world(open_world: Callable[..., World], request: pytest.FixtureRequest) -> World:
    params = request.node.callspec.params
    return open_world(approval=params["approval"], protocol=params["protocol"])


def crash_then_recover(
    w: World,
    point: str,
    what: str,
    done: Callable[[], object],
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """Run a daemon that dies at ``point``; ``meanwhile`` the user works; a fresh one
    runs until ``done()``; stop it."""
    doomed = w.start(**{ENV: point})
    try:
        code = doomed.wait(timeout=30)
    except subprocess.TimeoutExpired:
        doomed.kill()
        raise AssertionError(
            f"the daemon never reached {point!r} while {what}:\n{w.log()}"
        ) from None
    assert code == 137, f"the daemon should have died at {point!r}, exit {code}:\n{w.log()}"
    Store(w.store_path).read()  # the store a crash leaves behind loads
    meanwhile()  # the user goes on working in Outlook while the daemon is down
    fresh = w.start()
    w.wait(what, done)
    w.settled()
    assert w.stop(fresh) == 0


def landed(w: World, email: str, kind: Kind) -> bool:
    return any(m.item_id for m in w.messages(email, kind))


def counts(w: World, email: str) -> tuple[int, int, int]:
    """(drafts, sent items, calendar items) addressed to ``email`` in the sandbox."""
    calendar = [
        i for i in w.folder("calendar") if email in [a[0] for a in i.get("attendees") or []]
    ]
    return (
        sum(i["item_class"] == "IPM.Note" for i in w.addressed_to("drafts", email)),
        sum(i["item_class"] == "IPM.Note" for i in w.addressed_to("sentitems", email)),
        len(calendar),
    )


def check_store_matches_mailbox(w: World) -> None:
    """Every recorded item exists once in the mailbox; no two messages share one."""
    state = Store(w.store_path).read()
    ids = {i["id"] for folder in w.everything().values() for i in folder}
    recorded = [m for m in state.messages.values() if m.item_id]
    assert len({m.item_id for m in recorded}) == len(recorded), "two messages share an item"
    for m in recorded:
        if m.state in (MessageState.DRAFTED, MessageState.SENT) and m.kind != Kind.INVITE:
            assert m.item_id in ids or m.state == MessageState.SENT, m


@pytest.mark.parametrize("protocol", ["ews", "graph"])
@pytest.mark.parametrize(
    ("approval", "points"), CASES, ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
def test_a_crash_anywhere_creates_nothing_twice(
    world: World, approval: str, points: tuple[str, str, str, str], protocol: str
) -> None:
    assert set(points) <= set(POINTS)
    w = world
    w.add("Priya Castellan", PRIYA, office="Building 5, room 512")
    w.add("Dana Whitlock", DANA)
    if approval == "drafts":
        w.add("Lena Marchetti", LENA)
    people = (PRIYA, DANA, LENA) if approval == "drafts" else (PRIYA, DANA)

    # -- phase 1: the requests ------------------------------------------------------------
    def delete_lena_if_there() -> None:
        if approval == "drafts" and w.addressed_to("drafts", LENA):
            w.controls.delete_draft(w.addressed_to("drafts", LENA)[0]["id"])

    crash_then_recover(
        w,
        points[0],
        "the requests",
        lambda: all(landed(w, e, Kind.REQUEST) for e in people),
        meanwhile=delete_lena_if_there,
    )
    if approval == "drafts":
        assert counts(w, PRIYA) == (1, 0, 0) and counts(w, DANA) == (1, 0, 0)
        if w.addressed_to("drafts", LENA):
            w.controls.delete_draft(w.addressed_to("drafts", LENA)[0]["id"])
        w.advance(hours=1)
        w.controls.press_send(w.message(PRIYA, Kind.REQUEST).item_id)
        w.controls.press_send(w.message(DANA, Kind.REQUEST).item_id)
    assert counts(w, PRIYA) == (0, 1, 0) and counts(w, DANA) == (0, 1, 0)

    # -- phase 2: Priya picks a slot; the invite --------------------------------------------
    w.advance(hours=20)
    request = w.message(PRIYA, Kind.REQUEST)
    second = request.slots[1].start.astimezone(ZONE)
    w.controls.reply(
        w.addressed_to("sentitems", PRIYA)[0]["id"],
        sender=PRIYA,
        body=f"{second:%A} at {second:%-I:%M %p} works for me.",
    )
    crash_then_recover(w, points[1], "Priya's invite", lambda: landed(w, PRIYA, Kind.INVITE))
    assert counts(w, PRIYA) == (0, 1, 1)
    assert w.status(PRIYA) == "scheduling"
    if approval == "drafts":
        assert w.status(LENA) == "rejected"

    # -- phase 3: Priya would rather take the third time; the same invite moves -------------
    first_invite = w.message(PRIYA, Kind.INVITE)
    third = request.slots[2].start.astimezone(ZONE)
    w.advance(hours=1)
    w.controls.reply(
        w.addressed_to("sentitems", PRIYA)[0]["id"],
        sender=PRIYA,
        body=f"{third:%A} at {third:%-I:%M %p} works better for me.",
    )

    def moved() -> bool:
        latest = w.message(PRIYA, Kind.INVITE)
        return latest.moves == first_invite.id and bool(latest.item_id)

    crash_then_recover(w, points[2], "Priya's invite moved", moved)
    assert counts(w, PRIYA) == (0, 1, 1)
    [meeting] = [i for i in w.folder("calendar") if PRIYA in [a[0] for a in i["attendees"]]]
    assert meeting["id"] == first_invite.item_id and meeting["sequence"] == "1"

    # -- phase 4: accepted, interviewed; the thank-you ---------------------------------------
    invite = w.message(PRIYA, Kind.INVITE)
    w.controls.respond_to_meeting(invite.item_id, attendee=PRIYA, response="accept")
    interview = w.state().interviews_of(w.contact(PRIYA).id)[-1]
    assert interview.start == third and interview.id == invite.interview_id
    w.travel(interview.start + timedelta(minutes=interview.minutes + 5))
    crash_then_recover(w, points[3], "the thank-you", lambda: landed(w, PRIYA, Kind.THANK_YOU))
    thanks = w.message(PRIYA, Kind.THANK_YOU)
    assert thanks.interview_id == interview.id
    assert w.state().interviews[interview.id].status == "held"

    # -- exactly what should be there ------------------------------------------------------
    if approval == "drafts":
        assert counts(w, PRIYA) == (1, 1, 1)  # thank-you in Drafts, request sent, invite
        assert counts(w, LENA) == (0, 0, 0)
        assert w.status(LENA) == "rejected"
    else:
        assert counts(w, PRIYA) == (0, 2, 1)  # request and thank-you sent, invite
    assert counts(w, DANA) == (0, 1, 0)
    check_store_matches_mailbox(w)
    state = Store(w.store_path).read()
    for email in people:
        by_kind = {}
        for m in w.messages(email, state=state):
            if m.state != MessageState.CANCELLED and m.kind != Kind.HOLD:  # holds: one a slot
                by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
        assert all(n == 1 for n in by_kind.values()), (email, by_kind)


@pytest.mark.parametrize("point", ["planned", "prepared", "created", "recorded"])
def test_a_crash_while_retrying_a_failed_request_creates_it_once(
    open_world: Callable[..., World], point: str
) -> None:
    """A request failed on a broken template; the template is fixed and the daemon tries it
    again by itself, dying at ``point``: the request lands once, under its first id."""
    w = open_world(approval="drafts")
    broken = w.own_template("request.subject.j2", "About {{ no_such_thing }}\n")
    w.add("Priya Castellan", PRIYA)
    w.cli("run", "--once")
    [failed] = w.messages(PRIYA, Kind.REQUEST)
    assert failed.state == MessageState.FAILED

    broken.write_text("A conversation about your work\n", encoding="utf-8")
    crash_then_recover(w, point, "the retried request", lambda: landed(w, PRIYA, Kind.REQUEST))
    assert counts(w, PRIYA) == (1, 0, 0)
    [request] = w.messages(PRIYA, Kind.REQUEST)
    assert (request.id, request.state) == (failed.id, MessageState.DRAFTED)
    check_store_matches_mailbox(w)
