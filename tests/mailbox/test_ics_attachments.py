"""Calendar files (.ics) that contacts attach: read in bulk during sync, then applied.

Against the sandbox over real HTTP: a counter-proposal, a contact's own invitation, a
broken file, and what each costs in requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from syncs import cycle

from outreach.config.settings import Paths, Settings, TimeSettings, User
from outreach.core.items import OutgoingEmail
from outreach.core.model import Contact, Interview, Kind, Message, MessageState, State, Status
from outreach.core.observations import MeetingProposedNewTime, Observation, ReplyReceived
from outreach.engine import apply
from outreach.engine.actions import stamp
from outreach.sandbox import Sandbox

Email = Callable[..., OutgoingEmail]
PRIYA = "priya.castellan@example.com"
PROPOSED = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
ATTACHMENTS = "GET /messages/{id}/attachments"


def ics(method: str, uid: str, organizer: str, attendee: str, start: datetime) -> bytes:
    """A minimal RFC 5546 calendar file, as another client would attach it."""
    end = start + timedelta(minutes=30)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//another client//EN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261020T090000Z",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{end:%Y%m%dT%H%M%SZ}",
        "SUMMARY:Informational interview",
        f"ORGANIZER:mailto:{organizer}",
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{attendee}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def counter(owner: str, start: datetime = PROPOSED) -> tuple[str, str, bytes]:
    """Priya's counter-proposal to our invitation of interview iv1."""
    data = ics("COUNTER", "interview-iv1@outreach.invalid", owner, PRIYA, start)
    return ("counter.ics", "text/calendar; method=COUNTER", data)


def settings(owner: str) -> Settings:
    return Settings(
        user=User(name="Robin Example", email=owner),
        paths=Paths(store=Path("/nonexistent/outreach.json")),
        time=TimeSettings(timezone="Europe/Berlin", country=None, subdivision=None),
    )


def inbox_only(seen: list[Observation]) -> list[Observation]:
    return [o for o in seen if isinstance(o, ReplyReceived | MeetingProposedNewTime)]


def test_counter_proposal_in_a_reply_is_a_new_time_for_the_interview(
    sandbox: Sandbox, backend: Any, email: Email
) -> None:
    _, state = cycle(backend, {})
    sent = backend.send(email(1))
    sandbox.controls.reply(subject="(1)", body="See the file.", attachments=[counter(sandbox.user)])
    seen, _ = cycle(backend, state)
    reply, proposal = inbox_only(seen)  # the reply first, then what its file says
    assert isinstance(reply, ReplyReceived) and isinstance(proposal, MeetingProposedNewTime)
    assert proposal.start == PROPOSED and proposal.end == PROPOSED + timedelta(minutes=30)
    assert proposal.sender == PRIYA and proposal.item_id == reply.item_id
    assert proposal.tracking_id == "interview-iv1@outreach.invalid"
    assert proposal.in_reply_to == sent.internet_message_id == reply.in_reply_to

    # the engine finds the interview by the UID: the new time is asked about, once
    when = datetime(2026, 10, 27, 10, tzinfo=UTC)
    contact = Contact(name="Priya Castellan", email=PRIYA, id="priya", status=Status.SCHEDULED)
    state_ = State(contacts={"priya": contact})
    state_.interviews["iv1"] = Interview(contact_id="priya", start=when, id="iv1")
    state_.messages["inv1"] = Message(
        contact_id="priya", kind=Kind.INVITE, id="inv1", interview_id="iv1",
        state=MessageState.SENT, sent_at=when - timedelta(days=7),
    )  # fmt: skip
    config = settings(sandbox.user)
    for observation in (reply, proposal):
        apply(state_, observation, observation.at, config)
    assert contact.status == Status.SCHEDULED
    assert contact.attention == (
        f"Proposes {stamp(PROPOSED)} instead of {stamp(when)}: accept it in Outlook or "
        "reschedule (outreach schedule)."
    )
    assert state_.interviews["iv1"].start == when  # a proposal moves nothing by itself
    events = len(state_.events)
    for observation in (reply, proposal):
        apply(state_, observation, observation.at, config)
    assert len(state_.events) == events  # a replayed page changes nothing


def test_contacts_own_invitation_is_flagged(sandbox: Sandbox, backend: Any) -> None:
    _, state = cycle(backend, {})
    own = ics("REQUEST", "meeting-77@example.com", PRIYA, sandbox.user, PROPOSED)
    sandbox.controls.receive(
        PRIYA, "Let's meet", "I sent an invitation.", attachments=[("invite.ics", "", own)]
    )
    seen, _ = cycle(backend, state)
    reply, proposal = inbox_only(seen)
    assert isinstance(proposal, MeetingProposedNewTime)
    assert (proposal.sender, proposal.start, proposal.tracking_id) == (PRIYA, PROPOSED, None)

    contact = Contact(name="Priya Castellan", email=PRIYA, id="priya", status=Status.CONTACTED)
    state_ = State(contacts={"priya": contact})
    for observation in (reply, proposal):
        apply(state_, observation, observation.at, settings(sandbox.user))
    assert contact.status == Status.REPLIED
    assert (contact.attention or "").startswith(f"Proposes {stamp(PROPOSED)} instead of")
    assert [e.kind for e in state_.events if e.kind == "new-time"] == ["new-time"]


def test_broken_calendar_file_gives_just_the_reply(
    sandbox: Sandbox, backend: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _, state = cycle(backend, {})
    sandbox.controls.receive(
        PRIYA,
        "Times",
        "My calendar file is attached.",
        attachments=[
            ("invite.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEV"),
            ("other.ics", "application/octet-stream", b"\xff\xfe\x00 not a calendar"),
            ("empty.ics", "application/ics", b""),
        ],
    )
    with caplog.at_level(logging.INFO, logger="outreach.mailbox"):
        seen, _ = cycle(backend, state)
    assert [type(o) for o in seen] == [ReplyReceived]
    skipped = [r.getMessage() for r in caplog.records if "calendar file" in r.getMessage()]
    assert len(skipped) == 3, skipped


def test_one_get_attachment_reads_every_calendar_file_of_a_page(
    sandbox: Sandbox, face: Any, backend: Any
) -> None:
    _, state = cycle(backend, {})
    for n in range(3):
        start = PROPOSED + timedelta(days=n)
        sandbox.controls.receive(PRIYA, f"Counter {n}", attachments=[counter(sandbox.user, start)])
    pdf = ("notes.pdf", "application/pdf", b"%PDF")
    sandbox.controls.receive(PRIYA, "My notes", attachments=[pdf])
    sandbox.controls.receive(PRIYA, "Plain")
    sandbox.controls.reset_request_counts()
    seen, state = cycle(backend, state)
    counts = sandbox.controls.request_counts()
    if face.graph:  # the deltas, then one batch listing the four replies' files with content
        assert counts == {"POST /$batch": 2}
        assert sandbox.controls.request_counts("batched")[ATTACHMENTS] == 4
    else:
        assert counts["GetAttachment"] == 1  # three files, one request
        assert counts["GetItem"] == 1  # the attachments of the four replies that have any
    starts = sorted(o.start for o in seen if isinstance(o, MeetingProposedNewTime))
    assert starts == [PROPOSED + timedelta(days=n) for n in range(3)]
    assert sum(isinstance(o, ReplyReceived) for o in seen) == 5

    sandbox.controls.reset_request_counts()
    cycle(backend, state)
    quiet = {"POST /$batch": 1} if face.graph else {"GetEvents": 1}
    assert sandbox.controls.request_counts() == quiet  # a quiet cycle


def test_no_calendar_file_no_attachment_request(
    sandbox: Sandbox, face: Any, backend: Any
) -> None:
    _, state = cycle(backend, {})
    sandbox.controls.receive(PRIYA, "Plain one")
    sandbox.controls.receive(PRIYA, "Plain two")
    sandbox.controls.reset_request_counts()
    seen, state = cycle(backend, state)
    counts = sandbox.controls.request_counts()
    if face.graph:
        assert counts == {"POST /$batch": 1}
        assert ATTACHMENTS not in sandbox.controls.request_counts("batched")
    else:
        assert "GetAttachment" not in counts and "GetItem" not in counts
    assert [type(o) for o in seen] == [ReplyReceived, ReplyReceived]

    sandbox.controls.receive(PRIYA, "A CV", attachments=[("cv.pdf", "application/pdf", b"%PDF")])
    sandbox.controls.reset_request_counts()
    cycle(backend, state)
    counts = sandbox.controls.request_counts()
    if face.graph:  # a file is listed (its content with it) only for a reply that has one
        assert counts == {"POST /$batch": 2}
        assert sandbox.controls.request_counts("batched")[ATTACHMENTS] == 1
    else:
        assert "GetAttachment" not in counts and counts["GetItem"] == 1
