"""Observations from the sandbox's controls, resuming, recovery and the cost of a quiet cycle.

On both backends (the ``face`` fixture): the same controls give the same observations
over EWS and over Graph; what a quiet cycle costs is said per face.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from exchangelib import Credentials
from syncs import cycle

from outreach.config.settings import MailboxSettings
from outreach.core.items import Meeting, OutgoingEmail
from outreach.core.observations import (
    AutoReply,
    Bounce,
    DraftDeleted,
    DraftEdited,
    DraftSent,
    InterviewCancelled,
    InterviewMoved,
    MeetingAccepted,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
    Observation,
    ReplyReceived,
)
from outreach.mailbox.connect import open_account
from outreach.mailbox.tracking import Known, match_tracked
from outreach.sandbox import Sandbox

Email = Callable[..., OutgoingEmail]


#: the one request a quiet cycle makes, per face
QUIET = {"ews": {"GetEvents": 1}, "graph": {"POST /$batch": 1}}


def kinds(seen: list[Observation]) -> list[str]:
    return sorted(type(o).__name__ for o in seen)


def test_baseline_reports_nothing_old(sandbox: Sandbox, face: Any, backend: Any) -> None:
    sandbox.controls.receive("dana.whitlock@example.com", "Old news", "from before the campaign")
    seen, state = cycle(backend, {})
    assert seen == []
    if face.graph:  # its own keys: a state never mixes with the EWS backend's
        folders = ("drafts", "sentitems", "inbox", "calendar", "deleteditems")
        assert {f"graph:link:{f}" for f in folders} <= set(state)
        assert all(k.startswith("graph:") for k in state)
    else:
        assert {"drafts", "sentitems", "inbox", "calendar", "subscription"} <= set(state)


def test_draft_sent_edited_deleted(email: Email, sandbox: Sandbox, backend: Any) -> None:
    _, state = cycle(backend, {})
    backend.create_drafts([email(1), email(2), email(3)])
    seen, state = cycle(backend, state)
    assert seen == []  # our own new drafts are not news
    sandbox.controls.press_send(subject="(1)")
    sandbox.controls.edit_draft(subject="(2)", new_subject="Shorter subject (2)")
    sandbox.controls.delete_draft(subject="(3)")
    seen, state = cycle(backend, state)
    assert kinds(seen) == ["DraftDeleted", "DraftEdited", "DraftSent"]
    sent = next(o for o in seen if isinstance(o, DraftSent))
    assert sent.tracking_id == "msg001"
    assert "Could we talk for 20 minutes? (1)" in sent.body_text
    assert sent.recipients == ("priya.castellan@example.com",)
    assert next(o for o in seen if isinstance(o, DraftEdited)).subject == "Shorter subject (2)"
    assert next(o for o in seen if isinstance(o, DraftDeleted)).tracking_id == "msg003"


def test_sent_draft_is_never_reported_deleted_even_without_properties(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    _, state = cycle(backend, {})
    created = backend.create_drafts([email(4)])[0]
    _, state = cycle(backend, state)
    sandbox.controls.press_send(subject="(4)", drop_extended_properties=True)
    seen, _ = cycle(backend, state)
    assert kinds(seen) == ["DraftSent"]
    sent = seen[0]
    assert isinstance(sent, DraftSent)
    assert sent.tracking_id == "msg004"  # from the X-Outreach-Id header
    assert sent.internet_message_id == created.internet_message_id


def test_matching_falls_back_in_order() -> None:
    known = {
        "a": Known("a", "<a@example.com>", "conv-a"),
        "b": Known("b", "<b@example.com>", "conv-b"),
        "c": Known("c", None, "conv-b"),
    }
    base = {
        "property_id": None,
        "internet_message_id": None,
        "header_id": None,
        "conversation_id": None,
        "known": known,
    }
    assert (
        match_tracked(**{**base, "property_id": "a", "internet_message_id": "<b@example.com>"})
        == "a"
    )
    assert (
        match_tracked(**{**base, "internet_message_id": "<b@example.com>", "header_id": "a"}) == "b"
    )
    assert match_tracked(**{**base, "header_id": "c", "conversation_id": "conv-a"}) == "c"
    assert match_tracked(**{**base, "conversation_id": "conv-a"}) == "a"
    assert match_tracked(**{**base, "conversation_id": "conv-b"}) is None  # ambiguous
    assert match_tracked(**{**base, "property_id": "zzz"}) is None


def test_incoming_reply_auto_reply_and_bounce(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    _, state = cycle(backend, {})
    backend.create_drafts(
        [email(5), email(6, to="marcus.oyelaran@example.com"), email(7, to="gone@example.com")]
    )
    for n in (5, 6, 7):
        sandbox.controls.press_send(subject=f"({n})")
    _, state = cycle(backend, state)
    sandbox.controls.reply(subject="(5)", body="Happy to. Tuesday at 10?")
    sandbox.controls.auto_reply(subject="(6)", message="I am out of the office until 7 December.")
    sandbox.controls.bounce(subject="(7)")
    sandbox.controls.receive("newsletter@example.org", "Weekly digest", "not a contact")
    seen, state = cycle(backend, state)
    assert kinds(seen) == ["AutoReply", "Bounce", "ReplyReceived", "ReplyReceived"]
    reply = next(o for o in seen if isinstance(o, ReplyReceived) and "Tuesday" in o.body_text)
    assert reply.sender == "priya.castellan@example.com"
    assert reply.in_reply_to  # the thread the contact answered
    auto = next(o for o in seen if isinstance(o, AutoReply))
    assert auto.until is not None and (auto.until.month, auto.until.day) == (12, 7)
    bounce = next(o for o in seen if isinstance(o, Bounce))
    assert bounce.recipient == "gone@example.com"
    assert "5.1.1" in bounce.reason


def test_meeting_responses_moves_and_cancellation(sandbox: Sandbox, backend: Any) -> None:
    _, state = cycle(backend, {})
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=3)
    for n, who in enumerate(
        (
            "priya.castellan@example.com",
            "dana.whitlock@example.com",
            "lena.marchetti@example.com",
            "tobias.ferreira@example.com",
        )
    ):
        backend.create_meeting(
            Meeting(
                tracking_id=f"inv{n}",
                contact_id=f"c{n}",
                subject=f"Informational interview {n}",
                start=start + timedelta(hours=n),
                end=start + timedelta(hours=n, minutes=30),
                location="Their office",
                body_html="<p>Thank you!</p>",
                attendees=(who,),
            ),
            send=True,
        )
    _, state = cycle(backend, state)
    later = start + timedelta(days=1)
    sandbox.controls.respond_to_meeting(subject="interview 0", response="accept")
    sandbox.controls.respond_to_meeting(subject="interview 1", response="decline")
    sandbox.controls.respond_to_meeting(subject="interview 2", response="tentative")
    sandbox.controls.respond_to_meeting(
        subject="interview 3",
        response="propose",
        proposed_start=later,
        proposed_end=later + timedelta(minutes=30),
    )
    seen, state = cycle(backend, state)
    by_kind = {type(o): o for o in seen}
    assert set(by_kind) == {
        MeetingAccepted,
        MeetingDeclined,
        MeetingTentative,
        MeetingProposedNewTime,
    }
    assert by_kind[MeetingAccepted].tracking_id == "inv0"
    assert by_kind[MeetingDeclined].tracking_id == "inv1"
    proposed = by_kind[MeetingProposedNewTime]
    assert proposed.tracking_id == "inv3" and proposed.start == later
    sandbox.controls.move_meeting(subject="interview 0", start=start + timedelta(days=2))
    sandbox.controls.cancel_meeting(subject="interview 2")
    seen, state = cycle(backend, state)
    assert kinds(seen) == ["InterviewCancelled", "InterviewMoved"]
    moved = next(o for o in seen if isinstance(o, InterviewMoved))
    assert moved.tracking_id == "inv0" and moved.start == start + timedelta(days=2)
    assert next(o for o in seen if isinstance(o, InterviewCancelled)).tracking_id == "inv2"


def test_quiet_mailbox_costs_one_request(face: Any, backend: Any) -> None:
    _, state = cycle(backend, {})
    for _ in range(3):
        face.reset()
        result = backend.sync(state)
        state = result.state
        assert result.observations == []
        assert face.requests() == QUIET[face.protocol]


def test_restarted_backend_resumes_without_repeats(
    email: Email, sandbox: Sandbox, connect: Callable[..., Any]
) -> None:
    first = connect()
    _, state = cycle(first, {})
    first.create_drafts([email(10), email(11)])
    _, state = cycle(first, state)
    sandbox.controls.press_send(subject="(10)")
    seen, state = cycle(first, state)
    assert kinds(seen) == ["DraftSent"]
    first.close()
    stored = dict(state)  # what the store kept
    second = connect()
    seen, state = cycle(second, stored)
    assert seen == []
    sandbox.controls.press_send(subject="(11)")
    seen, _ = cycle(second, state)
    assert [o.tracking_id for o in seen] == ["msg011"]


def test_expired_subscription_and_refused_sync_state_report_nothing_twice(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    _, state = cycle(backend, {})
    backend.create_drafts([email(20), email(21)])
    sandbox.controls.press_send(subject="(20)")
    seen, state = cycle(backend, state)
    assert kinds(seen) == ["DraftSent"]
    sandbox.controls.reply(subject="(20)", body="Yes, gladly.")
    seen, state = cycle(backend, state)
    assert kinds(seen) == ["ReplyReceived"]

    sandbox.controls.expire_subscriptions()
    sandbox.controls.reply(subject="(20)", body="One more thing.")
    seen, state = cycle(backend, state)
    assert [o.body_text for o in seen] == ["One more thing."]

    sandbox.controls.invalidate_sync_states()
    sandbox.controls.reply(subject="(20)", body="And a third.")
    sandbox.controls.delete_draft(subject="(21)")
    seen, state = cycle(backend, state)
    assert kinds(seen) == ["DraftDeleted", "ReplyReceived"]
    assert [o.body_text for o in seen if isinstance(o, ReplyReceived)] == ["And a third."]
    seen, _ = cycle(backend, state)
    assert seen == []


def test_throttled_sync_is_waited_out(sandbox: Sandbox, face: Any, backend: Any) -> None:
    _, state = cycle(backend, {})
    sandbox.controls.receive("dana.whitlock@example.com", "Quick question", "Do you have a minute?")
    face.reset()
    if face.graph:  # 429 then 503, each with Retry-After: waited out with the injected sleep
        sandbox.controls.inject_fault("throttle", operation="POST /$batch", retry_after=2)
        sandbox.controls.inject_fault("unavailable", operation="POST /$batch", retry_after=1)
    else:
        sandbox.controls.inject_fault("server_busy", count=2, back_off_ms=50)
    seen, _ = cycle(backend, state)
    assert kinds(seen) == ["ReplyReceived"]
    operation = next(iter(QUIET[face.protocol]))
    assert face.requests()[operation] >= 3  # two refused, then answered
    if face.graph:
        assert face.waits == [2.0, 1.0]


def test_ews_new_connection_is_cheap_to_restart(
    sandbox: Sandbox, settings_small_wait: MailboxSettings
) -> None:
    connection = open_account(
        settings_small_wait,
        sandbox.user,
        endpoint=sandbox.url,
        credentials=Credentials(sandbox.user, "x"),
        retry_wait=0.05,
    )
    assert connection.account.primary_smtp_address == sandbox.user


def test_paging_finishes_its_folders_without_polling_and_loses_nothing(
    email: Email, sandbox: Sandbox, face: Any, connect: Callable[..., Any]
) -> None:
    box = connect()
    box.observer.page_size = 2
    _, state = cycle(box, {})
    box.create_drafts([email(n) for n in range(1, 6)])
    _, state = cycle(box, state)  # our own drafts, indexed page by page
    for n in range(1, 6):
        sandbox.controls.press_send(subject=f"({n})")
    first = box.sync(state)
    assert first.more  # five sends, two a page
    sandbox.controls.reply(subject="(1)", body="Thursday works.")  # arrives while paging
    face.reset()
    second = box.sync(first.state)
    if face.graph:  # every folder's next page or delta in the one batch
        assert face.requests() == QUIET["graph"]
    else:
        assert "GetEvents" not in face.requests()  # finishing pages first
    seen = first.observations + second.observations
    rest, state = cycle(box, second.state)
    seen += rest
    assert sorted(o.tracking_id for o in seen if isinstance(o, DraftSent)) == [
        f"msg{n:03d}" for n in range(1, 6)
    ]
    later, state = cycle(box, state)  # EWS: the next cycle's poll brings what waited
    replies = [o.body_text for o in seen + later if isinstance(o, ReplyReceived)]
    assert replies == ["Thursday works."]  # once (Graph: the inbox delta rode along)
    if not face.graph:
        assert [o.body_text for o in later if isinstance(o, ReplyReceived)] == replies
    assert not [o for o in later if isinstance(o, DraftSent)]  # nothing twice
    face.reset()
    assert box.sync(state).observations == []
    assert face.requests() == QUIET[face.protocol]


def test_ews_our_own_bulk_write_is_not_read_back(
    email: Email, sandbox: Sandbox, ews_connect: Callable[..., Any]
) -> None:
    connect = ews_connect
    box = connect()
    box.observer.page_size = 10  # read back, 60 drafts and 30 holds would take 9 pages
    _, state = cycle(box, {})
    drafts = box.create_drafts([email(n) for n in range(1, 61)])
    start = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=2)
    box.create_holds([
        Meeting(tracking_id=f"hold{n:03d}", contact_id=f"contact{n:03d}",
                subject=f"Hold ({n})", start=start + timedelta(hours=n),
                end=start + timedelta(hours=n, minutes=30), location="", body_html="",
                reminder_minutes=0, tentative=True)
        for n in range(30)
    ])
    sandbox.controls.reset_request_counts()
    seen, state = cycle(box, state)
    counts = sandbox.controls.request_counts()
    assert seen == []
    assert "GetEvents" not in counts  # 90 events, not drained 50 at a time
    assert counts == {"Subscribe": 1, "SyncFolderItems": 4}  # one page a folder
    index = json.loads(state["index:drafts"])
    assert index == {d.item_id: [d.tracking_id, d.internet_message_id, d.conversation_id]
                     for d in drafts}
    # indexed exactly as reading them back indexes them (a fresh process, from scratch)
    _, scratch = cycle(connect(), {})
    for name in ("index:drafts", "index:calendar"):
        assert json.loads(scratch[name]) == json.loads(state[name]), name
    # still watched: what the user does to them later is reported
    sandbox.controls.edit_draft(subject="(7)", new_subject="Shorter (7)")
    sandbox.controls.delete_draft(subject="(8)")
    sandbox.controls.move_meeting(subject="Hold (3)", start=start + timedelta(days=1))
    seen, state = cycle(box, state)
    assert kinds(seen) == ["DraftDeleted", "DraftEdited", "InterviewMoved"]
    sandbox.controls.reset_request_counts()
    assert box.sync(state).observations == []
    assert sandbox.controls.request_counts() == {"GetEvents": 1}


def test_a_new_process_polls_a_quiet_mailbox_with_one_request(
    sandbox: Sandbox, face: Any, connect: Callable[..., Any]
) -> None:
    _, state = cycle(connect(), {})
    fresh = connect()  # as `outreach run --once` each time: the folders were never resolved
    face.reset()
    result = fresh.sync(state)
    assert result.observations == []
    assert face.requests() == QUIET[face.protocol]
    sandbox.controls.receive("dana.whitlock@example.com", "Quick question", "A minute?")
    seen, _ = cycle(fresh, result.state)
    assert kinds(seen) == ["ReplyReceived"]


def test_first_sync_reports_a_draft_sent_and_answered_before_it(
    email: Email, sandbox: Sandbox, face: Any, backend: Any
) -> None:
    """The person's first day: `outreach draft`, Send in Outlook, a reply, and only then
    the daemon's first sync. Of the old mail only what is about our messages is news."""
    sandbox.controls.receive("dana.whitlock@example.com", "Old news", "from before the campaign")
    sandbox.controls.receive("priya.castellan@example.com", "Lunch?", "an old thread of hers")
    created = backend.create_drafts([email(1), email(2)])[0]  # no sync ever ran
    sandbox.controls.press_send(subject="(1)")
    sandbox.controls.reply(subject="(1)", body="Yes, gladly.")
    seen, state = cycle(backend, {})
    assert kinds(seen) == ["DraftSent", "ReplyReceived"]
    sent, reply = sorted(seen, key=lambda o: type(o).__name__)
    assert isinstance(sent, DraftSent) and sent.tracking_id == "msg001"
    assert sent.internet_message_id == created.internet_message_id
    assert isinstance(reply, ReplyReceived) and reply.body_text.startswith("Yes, gladly.")
    assert reply.in_reply_to == created.internet_message_id
    assert not any("ours" in key for key in state)  # the baseline's list is dropped

    sandbox.controls.press_send(subject="(2)")  # the other draft is followed from now on
    seen, state = cycle(backend, state)
    assert [(type(o).__name__, o.tracking_id) for o in seen] == [("DraftSent", "msg002")]
    for _ in range(2):  # nothing twice, and a quiet mailbox costs one request again
        face.reset()
        result = backend.sync(state)
        state = result.state
        assert result.observations == []
        assert face.requests() == QUIET[face.protocol]
