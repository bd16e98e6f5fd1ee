"""Drafts, extended properties, sending, and the user's moves in Outlook, via real exchangelib."""

from __future__ import annotations

from datetime import timedelta

from exchangelib import Mailbox, Message

from outreach.sandbox import Sandbox

from .conftest import make_account, message_to

PRIYA = "priya.castellan@example.com"


def _draft(account, subject="Informational interview?", action="A-1") -> Message:
    m = Message(
        account=account,
        folder=account.drafts,
        subject=subject,
        body="Hello Priya",
        to_recipients=[Mailbox(email_address=PRIYA)],
        outreach_id=action,
    )
    m.save()
    return m


def test_version_probe_and_folders(account) -> None:
    assert account.version.api_version == "Exchange2016"
    names = {
        account.drafts.name,
        account.sent.name,
        account.inbox.name,
        account.calendar.name,
        account.trash.name,
        account.root.name is not None,
    }
    assert {"Drafts", "Sent Items", "Inbox", "Calendar", "Deleted Items"} <= names


def test_draft_with_extended_property_found_by_filter(account) -> None:
    _draft(account, action="A-1")
    _draft(account, subject="Another", action="A-2")
    found = list(account.drafts.filter(outreach_id="A-1"))
    assert [m.subject for m in found] == ["Informational interview?"]
    m = found[0]
    assert m.outreach_id == "A-1"
    assert m.conversation_id.id and m.message_id.startswith("<")
    assert m.is_draft and m.item_class == "IPM.Note"
    assert m.mime_content and b"Informational interview?" in m.mime_content


def test_filters_exchangelib_emits(account, clock) -> None:
    _draft(account, subject="Coffee chat with Priya", action="A-1")
    clock.advance(hours=2)
    _draft(account, subject="Question about data platform", action="A-2")
    drafts = account.drafts
    assert drafts.filter(subject="Coffee chat with Priya").count() == 1
    assert drafts.filter(subject__contains="data").count() == 1
    assert drafts.filter(subject__icontains="PRIYA").count() == 1
    assert drafts.filter(datetime_created__gt=clock.now - timedelta(hours=1)).count() == 1
    assert drafts.filter(item_class="IPM.Note").count() == 2
    assert drafts.filter(outreach_id__in=["A-1", "A-2"]).count() == 2
    ids = [m.subject for m in drafts.all().order_by("subject").only("subject")]
    assert ids == ["Coffee chat with Priya", "Question about data platform"]


def test_paging(account) -> None:
    for n in range(7):
        _draft(account, subject=f"Draft {n}", action=f"A-{n}")
    qs = account.drafts.all().only("subject")
    qs.page_size = 3
    assert sorted(m.subject for m in qs) == [f"Draft {n}" for n in range(7)]


def test_update_changes_change_key_and_extended_property(account) -> None:
    m = _draft(account)
    old_key = m.changekey
    m.subject = "Updated"
    m.outreach_id = "A-9"
    m.save(update_fields=["subject", "outreach_id"])
    assert m.changekey != old_key
    fresh = account.drafts.get(outreach_id="A-9")
    assert fresh.subject == "Updated"


def test_send_and_save_and_press_send(account, sandbox: Sandbox) -> None:
    message_to(account, PRIYA, "Sent directly", body="x").send_and_save()
    sent = list(account.sent.all())
    assert [s.subject for s in sent] == ["Sent directly"]
    draft = _draft(account, action="A-7")
    new_id = sandbox.controls.press_send(draft.id)
    assert new_id != draft.id
    copy = account.sent.get(outreach_id="A-7")
    assert copy.id == new_id and not copy.is_draft and copy.datetime_sent
    assert account.drafts.all().count() == 0


def test_press_send_dropping_extended_properties_keeps_message_id(account, sandbox) -> None:
    draft = _draft(account)
    draft.refresh()
    new_id = sandbox.controls.press_send(draft.id, drop_extended_properties=True)
    copy = next(iter(account.sent.all()))
    assert copy.id == new_id
    assert copy.outreach_id is None
    assert copy.message_id == draft.message_id


def test_delete_move_and_send_item(account, sandbox) -> None:
    a = _draft(account, subject="one", action="1")
    b = _draft(account, subject="two", action="2")
    a.delete()
    b.move_to_trash()
    assert account.drafts.all().count() == 0
    assert [m.subject for m in account.trash.all()] == ["two"]
    c = _draft(account, subject="three", action="3")
    c.send()
    assert [m.subject for m in account.sent.all()] == ["three"]
    d = _draft(account, subject="four", action="4")
    d.move(account.inbox)
    assert account.inbox.filter(subject="four").count() == 1


def test_user_edits_and_deletes_draft_in_outlook(account, sandbox) -> None:
    m = _draft(account)
    sandbox.controls.edit_draft(m.id, new_subject="Edited in Outlook")
    assert account.drafts.get(outreach_id="A-1").subject == "Edited in Outlook"
    sandbox.controls.delete_draft(subject="Edited")
    assert account.drafts.all().count() == 0
    assert account.trash.all().count() == 1


def test_reply_oof_and_bounce(account, sandbox) -> None:
    message_to(account, PRIYA, "Informational interview?", body="x").send_and_save()
    sent = next(iter(account.sent.all()))
    sandbox.controls.reply(subject="Informational interview?")
    sandbox.controls.auto_reply(subject="Informational interview?")
    sandbox.controls.bounce(subject="Informational interview?")
    sandbox.controls.reply(subject="Informational interview?", in_thread=False, new_subject="Hello")
    inbox = {m.item_class: m for m in account.inbox.all()}
    reply = inbox["IPM.Note"] if inbox["IPM.Note"].subject.startswith("RE") else None
    threaded = [m for m in account.inbox.all() if m.in_reply_to == sent.message_id]
    assert {m.item_class for m in threaded} == {
        "IPM.Note",
        "IPM.Note.Rules.OofTemplate.Microsoft",
        "REPORT.IPM.Note.NDR",
    }
    assert all(m.conversation_id.id == sent.conversation_id.id for m in threaded)
    oof = inbox["IPM.Note.Rules.OofTemplate.Microsoft"]
    headers = {h.name: h.value for h in oof.headers}
    assert headers["Auto-Submitted"] == "auto-replied"
    assert oof.subject.startswith("Automatic reply:")
    ndr = inbox["REPORT.IPM.Note.NDR"]
    assert PRIYA in ndr.body and ndr.subject.startswith("Undeliverable:")
    assert reply is None or reply.sender.email_address == PRIYA


def test_delivery_between_sandbox_mailboxes(sandbox) -> None:
    robin = make_account(sandbox)
    other = make_account(sandbox, "casey.north@example.com")
    assert other.inbox.all().count() == 0  # first sign-in creates the mailbox
    Message(
        account=robin,
        subject="Hi Casey",
        body="x",
        to_recipients=[Mailbox(email_address="casey.north@example.com")],
    ).send_and_save()
    assert [m.subject for m in other.inbox.all()] == ["Hi Casey"]
