"""Directory features, pull notifications, fault injection and persistence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from exchangelib import Credentials, EWSDateTime, EWSTimeZone, Mailbox, Message
from exchangelib.errors import (
    ErrorExpiredSubscription,
    ErrorSubscriptionNotFound,
    ErrorTimeoutExpired,
)
from exchangelib.protocol import FaultTolerance
from exchangelib.services import GetMailTips
from exchangelib.util import create_element

from outreach.sandbox import Sandbox

from .conftest import make_account

PRIYA = "priya.castellan@example.com"
MARCUS = "marcus.oyelaran@example.com"


def test_free_busy_for_a_colleague(account, sandbox) -> None:
    account.version  # noqa: B018 - protocol-level calls need the version first
    start = EWSDateTime(2026, 3, 3, 0, 0, tzinfo=EWSTimeZone("UTC"))  # a Tuesday
    end = start + timedelta(days=1)
    views = list(
        account.protocol.get_free_busy_info(
            accounts=[(PRIYA, "Required", False)], start=start, end=end
        )
    )
    events = views[0].calendar_events
    assert any(e.busy_type == "Busy" for e in events)
    assert any(e.busy_type == "Tentative" for e in events)
    assert views[0].working_hours
    assert len(views[0].merged) == 48


def test_resolve_names(account) -> None:
    account.version  # noqa: B018
    [hit] = account.protocol.resolve_names(["Priya"])
    assert hit.email_address == PRIYA
    [(_, contact)] = account.protocol.resolve_names(["castellan"], return_full_contact_data=True)
    assert contact.job_title == "Senior Data Engineer" and contact.department == "Data Platform"
    results = account.protocol.resolve_names(["Priya", "Tobias"])
    assert {r.email_address for r in results} == {PRIYA, "tobias.ferreira@example.com"}


def test_resolve_names_gives_the_org_chart_in_schema_order(account) -> None:
    """Manager (a name), ManagerMailbox and DirectReports (addresses): validated at teardown."""
    account.version  # noqa: B018
    [(_, priya)] = account.protocol.resolve_names(
        [f"smtp:{PRIYA}"], return_full_contact_data=True, shape="AllProperties"
    )
    assert priya.manager == "Marcus Oyelaran"
    assert priya.manager_mailbox.email_address == "marcus.oyelaran@example.com"
    assert [m.email_address for m in priya.direct_reports] == ["sam.okafor@example.com"]
    [(_, morgan)] = account.protocol.resolve_names(["Morgan"], return_full_contact_data=True)
    assert morgan.manager is None and morgan.manager_mailbox is None
    assert {m.email_address for m in morgan.direct_reports} == {
        "dana.whitlock@example.com",
        "marcus.oyelaran@example.com",
    }


def _requested(kinds: str):
    node = create_element("m:MailTipsRequested")
    node.text = kinds
    return node


def test_mail_tips_out_of_office(account) -> None:
    account.version  # noqa: B018
    tips = list(
        GetMailTips(protocol=account.protocol).call(
            sending_as=Mailbox(email_address=account.primary_smtp_address),
            recipients=[
                Mailbox(email_address=MARCUS),
                Mailbox(email_address=PRIYA),
                Mailbox(email_address="nobody@example.com"),
            ],
            mail_tips_requested=[_requested("OutOfOfficeMessage InvalidRecipient")],
        )
    )
    by_addr = {t.recipient_address.email_address: t for t in tips}
    assert "away until Monday" in str(by_addr[MARCUS].out_of_office)
    assert "away" not in str(by_addr[PRIYA].out_of_office)
    assert by_addr["nobody@example.com"].invalid_recipient


def test_pull_subscription(account, sandbox, clock) -> None:
    sid, watermark = account.inbox.subscribe_to_pull(event_types=("NewMailEvent", "CreatedEvent"))
    [note] = list(account.inbox.get_events(sid, watermark))
    assert [type(e).__name__ for e in note.events] == ["StatusEvent"]
    sandbox.controls.receive(PRIYA, "Hello", "Hi there")
    [note] = list(account.inbox.get_events(sid, note.events[-1].watermark))
    assert {type(e).__name__ for e in note.events} == {"CreatedEvent", "NewMailEvent"}
    clock.advance(hours=2)  # past the 60-minute timeout without a poll
    with pytest.raises(ErrorExpiredSubscription):
        list(account.inbox.get_events(sid, note.events[-1].watermark))
    sid, watermark = account.inbox.subscribe_to_pull()
    sandbox.controls.expire_subscriptions()
    with pytest.raises(ErrorSubscriptionNotFound):
        list(account.inbox.get_events(sid, watermark))
    sid, watermark = account.inbox.subscribe_to_pull()
    account.inbox.unsubscribe(sid)


def test_recovers_from_server_busy_with_retry_policy(sandbox) -> None:
    account = make_account(sandbox, retry=FaultTolerance(max_wait=5))
    account.inbox  # noqa: B018
    sandbox.controls.reset_request_counts()
    sandbox.controls.inject_fault("server_busy", count=2, operation="FindItem", back_off_ms=50)
    assert account.inbox.all().count() == 0
    assert sandbox.controls.request_counts()["FindItem"] == 3


def test_http_500_recovers_with_retry_policy(sandbox) -> None:
    account = make_account(sandbox, retry=FaultTolerance(max_wait=5))
    account.inbox  # noqa: B018
    account.protocol.RETRY_WAIT = 0.05  # exchangelib's own back-off when the server gives none
    sandbox.controls.inject_fault("http500", count=1, operation="FindItem")
    assert account.inbox.all().count() == 0


def test_dropped_connection_surfaces_then_recovers(sandbox) -> None:
    account = make_account(sandbox)
    account.inbox  # noqa: B018
    sandbox.controls.inject_fault("drop", count=1, operation="FindItem")
    with pytest.raises(ErrorTimeoutExpired):
        account.inbox.all().count()
    assert account.inbox.all().count() == 0


def test_slow_answer_and_injected_errors(account, sandbox) -> None:
    account.inbox  # noqa: B018
    sandbox.controls.inject_fault("slow", seconds=0.2, operation="FindItem")
    assert account.inbox.all().count() == 0
    sandbox.controls.inject_fault("error", operation="GetEvents", code="ErrorSubscriptionNotFound")
    sid, watermark = account.inbox.subscribe_to_pull()
    with pytest.raises(ErrorSubscriptionNotFound):
        list(account.inbox.get_events(sid, watermark))


def test_persistence_round_trip(tmp_path, clock) -> None:
    with Sandbox(data_dir=tmp_path, clock=clock) as first:
        acc = make_account(first)
        Message(
            account=acc, folder=acc.drafts, subject="Survives", body="x", outreach_id="A-5"
        ).save()
        list(acc.drafts.sync_items())
        state = acc.drafts.item_sync_state
    with Sandbox(data_dir=tmp_path, clock=clock) as second:
        acc = make_account(second)
        assert acc.drafts.get(outreach_id="A-5").subject == "Survives"
        assert list(acc.drafts.sync_items(sync_state=state)) == []


def test_request_counter(account, sandbox) -> None:
    account.inbox  # noqa: B018
    sandbox.controls.reset_request_counts()
    list(account.inbox.sync_items())
    assert sandbox.controls.request_counts() == {"SyncFolderItems": 1}


def test_a_stopped_sandbox_answers_nobody_even_on_a_kept_alive_connection() -> None:
    from outreach.config.settings import MailboxSettings
    from outreach.core.errors import MailboxError
    from outreach.mailbox.connect import open_account
    from outreach.mailbox.ews import EwsMailbox

    sandbox = Sandbox().start()
    connection = open_account(MailboxSettings(max_wait_seconds=1), sandbox.user,
                              endpoint=sandbox.url, credentials=Credentials(sandbox.user, "x"),
                              retry_wait=0.05)  # fmt: skip
    backend = EwsMailbox(connection, tz="UTC")
    assert [p.email for p in backend.lookup("Priya")] == ["priya.castellan@example.com"]
    sandbox.stop()
    with pytest.raises(MailboxError) as down:
        backend.lookup("Priya")
    assert down.value.transient is True
    backend.close()
