"""File attachments: sent, delivered, answered with, and attached from the command line."""

from __future__ import annotations

import base64
import email

from click.testing import CliRunner
from exchangelib import FileAttachment

from outreach.cli.sandbox import sandbox as group

from .conftest import make_account, message_to

LENA = "lena.marchetti@example.com"


def test_a_sent_file_arrives_with_its_own_id(account, sandbox) -> None:
    sandbox.mailbox(LENA)  # she signs in, so mail to her is delivered
    message_to(
        account,
        LENA,
        "Agenda",
        attachments=[FileAttachment(name="agenda.txt", content=b"1. hello")],
    ).send_and_save()
    sent = account.sent.get(subject="Agenda")
    received = make_account(sandbox, LENA).inbox.get(subject="Agenda")
    assert received.has_attachments and sent.has_attachments
    (mine,), (theirs,) = sent.attachments, received.attachments
    assert theirs.attachment_id.id != mine.attachment_id.id
    assert (theirs.name, theirs.content_type, theirs.content) == (
        "agenda.txt",
        "text/plain",
        b"1. hello",
    )


def test_a_reply_through_the_endpoint_carries_a_file(account, sandbox) -> None:
    message_to(account, LENA, "Ask Lena").send_and_save()
    text = base64.b64encode(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").decode()
    sandbox.controls.call(
        "reply", {"subject": "Ask Lena", "attachments": [["t.ics", "text/calendar", text]]}
    )
    got = account.inbox.get(subject="RE: Ask Lena")
    assert got.has_attachments
    assert got.attachments[0].content == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    mime = email.message_from_bytes(got.mime_content)
    assert [p.get_filename() for p in mime.walk() if p.get_filename()] == ["t.ics"]


def test_plain_mail_has_no_attachments(account, sandbox) -> None:
    sandbox.controls.receive(LENA, "Hello")
    got = account.inbox.get(subject="Hello")
    assert got.has_attachments is False and got.attachments == []


def test_cli_reply_attaches_a_file(account, sandbox, tmp_path) -> None:
    message_to(account, LENA, "Ask Lena").send_and_save()
    ics = tmp_path / "counter.ics"
    ics.write_bytes(b"BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nEND:VCALENDAR\r\n")
    base = ["--url", f"http://127.0.0.1:{sandbox.port}"]
    result = CliRunner().invoke(
        group, [*base, "reply", "--subject", "Ask Lena", "--attach", str(ics)]
    )
    assert result.exit_code == 0, result.output
    (attached,) = account.inbox.get(subject="RE: Ask Lena").attachments
    assert (attached.name, attached.content_type) == ("counter.ics", "text/calendar")
    assert attached.content == ics.read_bytes()
