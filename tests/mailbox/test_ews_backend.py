"""The EWS backend's actions against the sandbox over HTTP, and its failures as sentences."""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from exchangelib import Credentials

from outreach.errors import MailboxError
from outreach.mailbox.base import Meeting, OutgoingEmail
from outreach.mailbox.classify import hold_until
from outreach.mailbox.connect import open_account
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox
from outreach.settings import MailboxSettings

Email = Callable[..., OutgoingEmail]
BERLIN = ZoneInfo("Europe/Berlin")


def test_bulk_drafts_land_in_drafts_with_tracking(
    email: Email, sandbox: Sandbox, backend: EwsMailbox
) -> None:
    backend.account.drafts  # noqa: B018 - the folder lookup happens once per process
    sandbox.controls.reset_request_counts()
    made = backend.create_drafts([email(n) for n in range(1, 6)])
    assert sandbox.controls.request_counts() == {"CreateItem": 1, "GetItem": 1}
    assert [c.tracking_id for c in made] == [f"msg{n:03d}" for n in range(1, 6)]
    assert all(c.internet_message_id and c.conversation_id and not c.sent for c in made)
    drafts = sandbox.controls.inspect()["drafts"]
    assert sorted(d["id"] for d in drafts) == sorted(c.item_id for c in made)
    item = sandbox.mailbox().items[made[0].item_id]
    props = " ".join(item.fields["ExtendedProperty"])
    assert "OutreachId" in props and "msg001" in props and "contact001" in props
    assert "X-Outreach-Id" in props  # the header travels as an InternetHeaders property
    sandbox.controls.reset_request_counts()
    found = backend.find_tracked([c.tracking_id for c in made] + ["never-made"])
    assert set(found) == {c.tracking_id for c in made}
    assert found["msg003"].item_id == made[2].item_id
    counts = sandbox.controls.request_counts()  # in bulk: never a request per item
    assert counts["FindItem"] == 2 and counts.get("GetItem", 0) <= 1


def test_direct_send_keeps_tracking_in_sent_items(
    email: Email, sandbox: Sandbox, backend: EwsMailbox
) -> None:
    created = backend.send(email(7))
    assert created.sent and created.item_id
    sent = sandbox.controls.inspect()["sentitems"]
    assert [s["id"] for s in sent] == [created.item_id]
    assert backend.find_tracked(["msg007"])["msg007"].sent


def test_meetings_unsent_sent_hold_and_cancel(sandbox: Sandbox, backend: EwsMailbox) -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
    invite = Meeting(
        tracking_id="inv1",
        contact_id="c1",
        subject="Informational interview",
        start=start,
        end=start + timedelta(minutes=30),
        location="Building 5, room 512",
        body_html="<p>Thank you for your time.</p>",
        attendees=("priya.castellan@example.com",),
        reminder_minutes=15,
    )
    unsent = backend.create_meeting(invite, send=False)
    assert not unsent.sent
    hold = backend.create_meeting(
        Meeting(
            tracking_id="hold1",
            contact_id="c1",
            subject="Hold: interview",
            start=start,
            end=start + timedelta(minutes=30),
            location="",
            body_html="",
            tentative=True,
        ),
        send=False,
    )
    calendar = {c["id"]: c for c in sandbox.controls.inspect()["calendar"]}
    assert calendar[unsent.item_id]["attendees"][0][0] == "priya.castellan@example.com"
    stored = sandbox.mailbox().items[unsent.item_id]
    assert stored.text("MeetingRequestWasSent") in (None, "false")
    assert stored.text("ReminderMinutesBeforeStart") == "15"
    assert sandbox.mailbox().items[hold.item_id].text("LegacyFreeBusyStatus") == "Tentative"
    assert set(backend.find_tracked(["inv1", "hold1"])) == {"inv1", "hold1"}
    backend.cancel_meeting(hold.item_id, send=False)
    backend.cancel_meeting(hold.item_id, send=False)  # twice is harmless
    assert hold.item_id not in {c["id"] for c in sandbox.controls.inspect()["calendar"]}
    sent = backend.create_meeting(invite, send=True)
    assert sent.sent
    assert sandbox.mailbox().items[sent.item_id].text("MeetingRequestWasSent") == "true"


def test_mail_tips_hold_the_draft_for_an_absent_colleague(backend: EwsMailbox) -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)  # a Wednesday
    tips = backend.mail_tips(
        ["marcus.oyelaran@example.com", "priya.castellan@example.com", "someone@example.org"]
    )
    assert tips["marcus.oyelaran@example.com"].away
    assert not tips["priya.castellan@example.com"].away
    assert tips["someone@example.org"].external
    held = hold_until(tips["marcus.oyelaran@example.com"], now, default_days=7)
    assert held is not None and held > now
    assert hold_until(tips["priya.castellan@example.com"], now, default_days=7) is None


def test_free_busy_and_directory(backend: EwsMailbox) -> None:
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN)
    busy = backend.busy(["dana.whitlock@example.com"], monday, monday + timedelta(days=5))
    spans = busy["dana.whitlock@example.com"]
    assert spans and all(s.start.tzinfo is not None and s.end > s.start for s in spans)
    people = backend.lookup("Priya")
    assert [p.email for p in people] == ["priya.castellan@example.com"]
    assert people[0].title == "Senior Data Engineer"
    assert backend.lookup("Nobody Atall") == []


def test_directory_person_by_address_with_manager_and_reports(backend: EwsMailbox) -> None:
    priya = backend.person("Priya.Castellan@example.com")
    assert priya is not None and priya.name == "Priya Castellan"
    assert priya.title == "Senior Data Engineer" and priya.department == "Data Platform"
    assert priya.manager == "marcus.oyelaran@example.com"
    assert priya.reports == ("sam.okafor@example.com",)
    marcus = backend.person(priya.manager)
    assert marcus is not None and marcus.manager == "morgan.achebe@example.com"
    assert set(marcus.reports) == {"priya.castellan@example.com", "kenji.halvorsen@example.com"}
    assert backend.person("nobody.atall@example.com") is None


def test_check_is_one_sentence(backend: EwsMailbox) -> None:
    text = backend.check()
    assert text.startswith("Signed in to 127.0.0.1") and text.endswith(".")


# -- failures ------------------------------------------------------------------------


@pytest.fixture
def rejecting_url() -> Iterator[str]:
    """A sandbox that checks passwords: the right one is not the one the test has."""
    with Sandbox(passwords={"robin.vale@example.com": "the-right-one"}) as sandbox:
        yield sandbox.url


def test_wrong_password_is_one_sentence_and_never_logged(
    rejecting_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "Tr0ub4dor&3-wrong"
    monkeypatch.setenv("OUTREACH_TEST_MAILBOX_PW", secret)
    settings = MailboxSettings(
        backend="ews",
        service_endpoint=rejecting_url,
        max_wait_seconds=600,
        auth=MailboxSettings().auth.__class__(
            type="basic",
            username="robin.vale@example.com",
            secret=MailboxSettings().auth.secret.__class__(env="OUTREACH_TEST_MAILBOX_PW"),
        ),
    )
    started = datetime.now(UTC)
    with caplog.at_level(logging.DEBUG), pytest.raises(MailboxError) as failure:
        open_account(settings, "robin.vale@example.com")
    assert (datetime.now(UTC) - started).total_seconds() < 10  # not retried as throttling
    assert str(failure.value) == (
        "The mailbox server 127.0.0.1 rejected the sign-in of robin.vale@example.com: "
        "wrong username or password."
    )
    basic = base64.b64encode(f"robin.vale@example.com:{secret}".encode()).decode()
    logged = caplog.text
    assert "Authorization" in logged or "401" in logged  # exchangelib did log the exchange
    assert secret not in logged and basic not in logged
    assert secret not in str(failure.value)


def test_unreachable_server_is_one_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends
    with pytest.raises(MailboxError) as failure:
        open_account(
            MailboxSettings(max_wait_seconds=3),
            "robin.vale@example.com",
            endpoint=f"http://127.0.0.1:{port}/EWS/Exchange.asmx",
            credentials=Credentials("robin.vale@example.com", "x"),
        )
    assert str(failure.value) == (
        "Cannot reach the mailbox server 127.0.0.1: check the address and the network."
    )


def test_missing_permission_is_one_sentence(sandbox: Sandbox) -> None:
    sandbox.controls.inject_fault("error", operation="GetFolder", code="ErrorAccessDenied")
    with pytest.raises(MailboxError) as failure:
        open_account(
            MailboxSettings(max_wait_seconds=3),
            sandbox.user,
            endpoint=sandbox.url,
            credentials=Credentials("assistant@example.com", "x"),
        )
    assert str(failure.value) == (
        f"assistant@example.com signed in to 127.0.0.1 but may not open the mailbox "
        f"{sandbox.user} (ErrorAccessDenied); ask the Exchange administrator for access "
        "(or impersonation rights)."
    )


def test_throttling_beyond_the_ceiling_is_one_sentence(
    email: Email, sandbox: Sandbox, connect: Callable[..., EwsMailbox]
) -> None:
    backend = connect(MailboxSettings(max_wait_seconds=1))
    sandbox.controls.inject_fault("server_busy", count=1, back_off_ms=5000, operation="CreateItem")
    with pytest.raises(MailboxError, match="kept asking to slow down"):
        backend.create_drafts([email(1)])


def test_tls_verification_cannot_be_switched_off_globally() -> None:
    with pytest.raises(MailboxError, match="insecure_hosts"):
        open_account(
            MailboxSettings(verify_tls=False),
            "robin.vale@example.com",
            endpoint="https://mail.example.com/EWS/Exchange.asmx",
            credentials=Credentials("robin.vale@example.com", "x"),
        )


def test_connection_failures_are_transient_refusals_are_not(
    sandbox: Sandbox, backend: EwsMailbox
) -> None:
    """The loop retries a connection that failed; a refused request fails that message only."""
    sandbox.controls.inject_fault("error", code="ErrorAccessDenied", operation="ResolveNames")
    with pytest.raises(MailboxError) as refused:
        backend.lookup("Priya")
    assert refused.value.transient is False
    sandbox.controls.inject_fault("drop", operation="ResolveNames")
    with pytest.raises(MailboxError) as down:
        backend.lookup("Priya")
    assert down.value.transient is True
    assert str(down.value).startswith("Cannot reach the mailbox server 127.0.0.1")


def test_update_meeting_moves_the_same_item_and_sends_only_if_asked(
    sandbox: Sandbox, backend: EwsMailbox
) -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
    first = Meeting(
        tracking_id="inv1",
        contact_id="c1",
        subject="Informational interview",
        start=start,
        end=start + timedelta(minutes=30),
        location="Building 5, room 512",
        body_html="<p>Tuesday.</p>",
        attendees=("priya.castellan@example.com",),
    )
    sandbox.mailbox("priya.castellan@example.com")  # a colleague: the update reaches her Inbox
    sent = backend.create_meeting(first, send=True)
    later = start + timedelta(days=2, hours=4)
    moved = replace(first, tracking_id="inv2", start=later, end=later + timedelta(minutes=45),
                    body_html="<p>Thursday.</p>")  # fmt: skip
    sandbox.controls.reset_request_counts()
    created = backend.update_meeting(sent.item_id, moved, send=True)
    assert sandbox.controls.request_counts() == {"GetItem": 1, "UpdateItem": 1}
    assert (created.item_id, created.tracking_id, created.sent) == (sent.item_id, "inv2", True)
    [row] = sandbox.controls.inspect()["calendar"]
    assert (row["id"], row["sequence"]) == (sent.item_id, "1")
    item = sandbox.mailbox().items[sent.item_id]
    assert (item.when("Start"), item.when("End")) == (later, later + timedelta(minutes=45))
    assert set(backend.find_tracked(["inv1", "inv2"])) == {"inv2"}  # the move is findable
    assert backend.find_tracked(["inv2"])["inv2"].sent
    requests = [
        i
        for i in sandbox.controls.inspect("priya.castellan@example.com")["inbox"]
        if i["item_class"] == "IPM.Schedule.Meeting.Request"
    ]
    assert len(requests) == 2 and requests[-1]["start"] == row["start"]  # the invite, the update

    quiet = backend.update_meeting(sent.item_id, first, send=False)  # back, not told
    assert not quiet.sent and sandbox.controls.inspect()["calendar"][0]["sequence"] == "1"
    backend.cancel_meeting(sent.item_id, send=False)
    with pytest.raises(MailboxError, match="no longer in the calendar") as gone:
        backend.update_meeting(sent.item_id, first, send=True)
    assert not gone.value.transient
