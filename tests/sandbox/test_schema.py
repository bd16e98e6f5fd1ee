"""Every response type the sandbox produces validates against Microsoft's EWS schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from exchangelib import (
    EWSDateTime,
    EWSTimeZone,
    FileAttachment,
    Mailbox,
    Message,
)
from exchangelib.attachments import AttachmentId
from exchangelib.errors import ErrorInvalidSyncStateData, ErrorItemNotFound
from exchangelib.services import GetAttachment, GetMailTips
from exchangelib.util import create_element
from lxml import etree

from outreach.sandbox.operations import load_all

from .conftest import meeting_with, message_to, schema

PRIYA = "priya.castellan@example.com"


def test_all_operations_and_errors_validate(account, sandbox) -> None:
    account.version  # noqa: B018
    m = message_to(account, PRIYA, "s", folder=account.drafts, body="b", outreach_id="A-1")
    m.save()
    list(account.drafts.filter(outreach_id="A-1"))
    m.subject = "t"
    m.save(update_fields=["subject"])
    m.move(account.inbox)
    for subject in ("trash me", "delete me"):
        Message(account=account, folder=account.drafts, subject=subject).save()
    account.drafts.get(subject="trash me").move_to_trash()
    account.drafts.get(subject="delete me").delete()
    Message(
        account=account, subject="x", to_recipients=[Mailbox(email_address=PRIYA)]
    ).send_and_save()
    d = Message(
        account=account,
        folder=account.drafts,
        subject="y",
        to_recipients=[Mailbox(email_address=PRIYA)],
    )
    d.save()
    d.send()
    start = sandbox.clock() + timedelta(days=1)
    cal = meeting_with(account, PRIYA, "meet", start)
    cal.save(send_meeting_invitations="SendToAllAndSaveCopy")
    sandbox.controls.respond_to_meeting(
        cal.id, response="propose", proposed_start=start, proposed_end=start + timedelta(minutes=30)
    )
    sandbox.controls.reply(subject="x")
    # attachments: inline in CreateItem, added later (CreateAttachment), read, removed
    pdf = FileAttachment(name="notes.pdf", content_type="application/pdf", content=b"%PDF-1")
    filed = Message(account=account, folder=account.drafts, subject="att", attachments=[pdf])
    filed.save()
    filed.attach(FileAttachment(name="later.txt", content=b"later"))
    fetched = account.drafts.get(subject="att")
    assert fetched.has_attachments and [a.content for a in fetched.attachments] == [
        b"%PDF-1",
        b"later",
    ]
    filed.detach(filed.attachments[1])
    message_to(
        account,
        PRIYA,
        "with file",
        attachments=[FileAttachment(name="a.ics", content=b"BEGIN:VCALENDAR")],
    ).send_and_save()
    sandbox.controls.reply(subject="x", attachments=[("b.ics", "text/calendar", b"BEGIN:")])
    sandbox.controls.auto_reply(subject="x")
    sandbox.controls.bounce(subject="x")
    for folder in (account.inbox, account.sent, account.calendar, account.drafts):
        list(folder.sync_items())
        list(folder.all())
    list(account.calendar.view(start=start - timedelta(days=1), end=start + timedelta(days=1)))
    list(account.root.walk())
    sid, wm = account.inbox.subscribe_to_pull()
    list(account.inbox.get_events(sid, wm))
    account.inbox.unsubscribe(sid)
    account.protocol.resolve_names(["Priya", "zzz-nobody", "a"])
    t0 = EWSDateTime(2026, 3, 3, tzinfo=EWSTimeZone("UTC"))
    list(
        account.protocol.get_free_busy_info(
            accounts=[(PRIYA, "Required", False), ("ghost@example.com", "Required", False)],
            start=t0,
            end=t0 + timedelta(days=1),
        )
    )
    list(account.protocol.get_timezones(return_full_timezone_data=True))
    req = create_element("m:MailTipsRequested")
    req.text = "OutOfOfficeMessage"
    list(
        GetMailTips(protocol=account.protocol).call(
            sending_as=Mailbox(email_address=account.primary_smtp_address),
            recipients=[Mailbox(email_address=PRIYA)],
            mail_tips_requested=[req],
        )
    )
    # error responses
    ghost = Message(account=account, folder=account.drafts, subject="ghost")
    ghost.save()
    ghost_id = ghost.id
    ghost.delete()
    with pytest.raises(ErrorItemNotFound):
        account.drafts.get(id=ghost_id)
    missing_file = GetAttachment(account=account).call(
        items=[AttachmentId(id="AAMkAGhvc3Q=")],
        include_mime_content=False,
        body_type=None,
        filter_html_content=None,
        additional_fields=None,
    )
    assert [type(e) for e in missing_file] == [ErrorItemNotFound]
    sandbox.controls.invalidate_sync_states()
    with pytest.raises(ErrorInvalidSyncStateData):
        list(account.inbox.sync_items(sync_state=account.inbox.item_sync_state))
    sandbox.controls.inject_fault("error", operation="GetItem", code="ErrorServerBusy")
    with pytest.raises(Exception):  # noqa: B017 - any error; only the envelope matters here
        account.inbox.get(subject="RE: x")

    seen = {op for op, _ in sandbox.recorded}
    missing = set(load_all()) - seen
    assert not missing, f"operations never exercised: {sorted(missing)}"
    for op, body in sandbox.recorded:
        assert schema().validate(etree.ElementTree(body)), f"{op}: {schema().error_log.last_error}"


@pytest.mark.parametrize("operation", sorted(load_all()))
def test_an_injected_error_validates_for_every_operation(operation: str) -> None:
    from outreach.sandbox.server import error_response

    body = error_response(operation, "ErrorAccessDenied")
    assert schema().validate(etree.ElementTree(body)), (
        f"{operation}: {schema().error_log.last_error}"
    )
