"""Calendar files: RFC 5545/5546 shape, a second parser, a real CalDAV server, round trips."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from outreach.config.settings import User
from outreach.core.model import Contact, Interview
from outreach.core.observations import (
    InterviewCancelled,
    InterviewMoved,
    MeetingAccepted,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
)
from outreach.writing import invites

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 10, 20, 9, 0, tzinfo=BERLIN)
USER = User(name="Sam Sample", email="sam@example.com")


@pytest.fixture
def pair() -> tuple[Interview, Contact]:
    contact = Contact(
        name='Alex "Al" Example, Jr.; Ünïcödé',
        email="alex@example.com",
        office="Building 2; room 301",
    )
    interview = Interview(
        id="iv123",
        contact_id=contact.id,
        start=datetime(2026, 10, 26, 15, tzinfo=BERLIN),
        minutes=45,
    )
    return interview, contact


def _invite(interview: Interview, contact: Contact, **extra) -> Calendar:
    args = {
        "summary": "Informational interview: Sam Sample and Alex Example",
        "description": "Purpose: learn about platform engineering.\nLength: 45 minutes\nPlace: B2",
        "tz": "Europe/Berlin",
        "stamp": STAMP,
    } | extra
    return invites.invitation(interview, contact, USER, **args)


def test_invitation_has_everything_rfc_5546_asks(pair):
    interview, contact = pair
    cal = _invite(interview, contact, sequence=2, reminder_minutes=10)
    assert cal["method"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == "interview-iv123@outreach.invalid"
    assert event["sequence"] == 2
    assert str(event["organizer"]) == "mailto:sam@example.com"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:alex@example.com"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert event.decoded("dtstart") == datetime(2026, 10, 26, 15, tzinfo=BERLIN)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(minutes=-10)
    assert str(event["location"]) == "Building 2; room 301"


def test_uid_is_stable_and_sequence_is_the_callers(pair):
    interview, contact = pair
    first = _invite(interview, contact, sequence=0)
    interview.start += timedelta(days=1)
    moved = _invite(interview, contact, sequence=1)
    (a,), (b,) = first.walk("VEVENT"), moved.walk("VEVENT")
    assert a["uid"] == b["uid"] and b["sequence"] > a["sequence"]
    assert invites.interview_id_from_uid(str(a["uid"])) == "iv123"
    assert invites.interview_id_from_uid("something@else.example.com") is None


def test_cancellation(pair):
    interview, contact = pair
    cal = invites.cancellation(
        interview, contact, USER, summary="Informational interview", tz="Europe/Berlin",
        stamp=STAMP, sequence=3,
    )  # fmt: skip
    assert cal["method"] == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert event["status"] == "CANCELLED" and event["sequence"] == 3
    assert str(event["uid"]) == invites.uid_for("iv123")


def test_export_keeps_only_scheduled_in_order(pair):
    interview, contact = pair
    later = Interview(id="iv2", contact_id=contact.id, start=interview.start + timedelta(days=7))
    held = Interview(id="iv3", contact_id=contact.id, start=interview.start, status="held")
    cal = invites.export(
        [(later, contact), (held, contact), (interview, contact)], USER, tz="UTC", stamp=STAMP
    )
    assert "method" not in cal
    assert [str(e["uid"]) for e in cal.walk("VEVENT")] == [
        invites.uid_for("iv123"),
        invites.uid_for("iv2"),
    ]


def test_attachment_names_the_method(pair):
    attachment = invites.attachment(_invite(*pair))
    assert attachment.content_type == "text/calendar; charset=utf-8; method=REQUEST"
    assert attachment.content.startswith(b"BEGIN:VCALENDAR\r\n")


def _all_calendars(pair) -> list[Calendar]:
    interview, contact = pair
    ny = Interview(id="ny1", contact_id=contact.id, start=datetime(2026, 3, 8, 10, tzinfo=UTC))
    return [
        _invite(interview, contact),
        _invite(ny, contact, tz="America/New_York", sequence=4),
        invites.cancellation(
            interview, contact, USER, summary="x", tz="Europe/Berlin", stamp=STAMP, sequence=1
        ),
        invites.export([(interview, contact), (ny, contact)], USER, tz="Asia/Kolkata", stamp=STAMP),
    ]


def test_round_trip_through_icalendar_is_unchanged(pair):
    for cal in _all_calendars(pair):
        data = invites.to_bytes(cal)
        assert Calendar.from_ical(data).to_ical() == data


def test_vobject_reads_the_same_event(pair):
    for cal in _all_calendars(pair):
        parsed = vobject.readOne(invites.to_bytes(cal).decode("utf-8"))
        ours = cal.walk("VEVENT")
        events = parsed.contents["vevent"]
        assert len(events) == len(ours)
        for event, mine in zip(events, ours, strict=True):
            assert event.uid.value == str(mine["uid"])
            assert event.dtstart.value == mine.decoded("dtstart")
            assert event.dtend.value == mine.decoded("dtend")
            assert event.attendee.value == "mailto:alex@example.com"
            assert event.attendee.params["CN"] == [str(mine["attendee"].params["CN"])]


# -- a real CalDAV server ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
            "--storage-filesystem-folder", str(tmp_path / "collections"),
            "--auth-type", "none", "--rights-type", "owner_only", "--logging-level", "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        process.stderr.read().decode() if process.stderr else ""
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _call(
    method: str, url: str, body: bytes | None = None, content_type: str = ""
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode(b"sam:unused").decode())
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as problem:
        return problem.code, problem.read()


def test_radicale_accepts_and_returns_our_events(radicale: str, pair):
    status, _ = _call("MKCALENDAR", f"{radicale}/sam/interviews/")
    assert status == 201
    interview, contact = pair
    resource = f"{radicale}/sam/interviews/iv123.ics"
    exported = invites.export([(interview, contact)], USER, tz="Europe/Berlin", stamp=STAMP)
    interview.start += timedelta(hours=1)  # then the time changes: same UID, higher SEQUENCE
    updated = _invite(interview, contact, sequence=1)
    for cal, expected in [(exported, 201), (updated, 204)]:
        data = invites.to_bytes(cal)
        status, body = _call("PUT", resource, data, "text/calendar; charset=utf-8")
        assert status == expected, body
        status, body = _call("GET", resource)
        assert status == 200
        [stored] = Calendar.from_ical(body).walk("VEVENT")
        [mine] = cal.walk("VEVENT")
        assert stored["uid"] == mine["uid"] and stored["sequence"] == mine["sequence"]
        assert stored.decoded("dtstart") == mine.decoded("dtstart")
        assert stored.decoded("dtend") == mine.decoded("dtend")
        assert str(stored["attendee"]) == "mailto:alex@example.com"
    assert stored.walk("VALARM")
    # a second resource with the same UID is refused: the UID really identifies the interview
    status, _ = _call("PUT", f"{radicale}/sam/interviews/copy.ics", invites.to_bytes(updated))
    assert status == 409


# -- reading what arrives ----------------------------------------------------------------


def _reply(
    partstat: str, uid: str = "interview-iv123@outreach.invalid", method: str = "REPLY"
) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\nMETHOD:" + method + "\r\n"
        "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261021T080000Z\r\n"
        "DTSTART:20261027T140000Z\r\nDTEND:20261027T143000Z\r\nSUMMARY:Interview\r\n"
        "ORGANIZER;CN=Organizer:mailto:organizer@example.com\r\n"
        "ATTENDEE;PARTSTAT=" + partstat + ":mailto:alex@example.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


AT = datetime(2026, 10, 21, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("partstat", "kind"),
    [("ACCEPTED", MeetingAccepted), ("TENTATIVE", MeetingTentative), ("DECLINED", MeetingDeclined)],
)
def test_replies_become_meeting_responses(partstat, kind):
    [seen] = invites.parse(_reply(partstat), at=AT, item_id="item-1", tracking_of={"iv123": "msg9"})
    assert type(seen) is kind
    assert (
        seen.sender == "alex@example.com"
        and seen.tracking_id == "msg9"
        and seen.item_id == "item-1"
    )


def test_counter_proposal_carries_the_new_time():
    [seen] = invites.parse(_reply("NEEDS-ACTION", method="COUNTER"), at=AT)
    assert isinstance(seen, MeetingProposedNewTime)
    assert seen.start == datetime(2026, 10, 27, 14, tzinfo=UTC)
    assert seen.end == datetime(2026, 10, 27, 14, 30, tzinfo=UTC)
    assert seen.sender == "alex@example.com"


def test_contacts_own_request_is_a_proposed_time():
    [seen] = invites.parse(_reply("ACCEPTED", uid="abc@example.com", method="REQUEST"), at=AT)
    assert isinstance(seen, MeetingProposedNewTime)
    assert seen.sender == "organizer@example.com" and seen.tracking_id is None


def test_our_own_uid_moved_or_cancelled(pair):
    interview, contact = pair
    moved = invites.to_bytes(_invite(interview, contact, sequence=1))
    [seen] = invites.parse(moved, at=AT, tracking_of={"iv123": "msg9"})
    assert isinstance(seen, InterviewMoved) and seen.tracking_id == "msg9"
    assert seen.start == datetime(2026, 10, 26, 15, tzinfo=BERLIN)
    cancelled = invites.cancellation(
        interview, contact, USER, summary="x", tz="Europe/Berlin", stamp=STAMP, sequence=2
    )
    [seen] = invites.parse(invites.to_bytes(cancelled), at=AT)
    assert isinstance(seen, InterviewCancelled)


def test_garbage_and_publish_give_nothing():
    assert invites.parse(b"not a calendar", at=AT) == []
    assert invites.parse(_reply("ACCEPTED", method="PUBLISH"), at=AT) == []
