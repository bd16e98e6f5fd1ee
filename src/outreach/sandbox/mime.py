"""RFC 5322 rendering of a stored item, for GetItem's MimeContent."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.utils import format_datetime

from .attachments import of
from .fileattachment import content_of
from .mailbox import Item
from .xml import q


def _mailboxes(item: Item, name: str) -> str:
    node = item.get(name)
    if node is None:
        return ""
    out = []
    for mbx in node.iter(q("t:Mailbox")):
        addr = mbx.findtext(q("t:EmailAddress")) or ""
        display = mbx.findtext(q("t:Name"))
        out.append(f'"{display}" <{addr}>' if display else addr)
    return ", ".join(out)


def mime_of(item: Item) -> str:
    """Base64 MIME of an item, built from its stored properties and internet headers."""
    msg = EmailMessage()
    for header, field in (("From", "From"), ("To", "ToRecipients"), ("Cc", "CcRecipients")):
        value = _mailboxes(item, field)
        if value:
            msg[header] = value
    msg["Subject"] = item.text("Subject", "") or ""
    sent = item.when("DateTimeSent") or item.created
    msg["Date"] = format_datetime(sent)
    for header, field in (
        ("Message-ID", "InternetMessageId"),
        ("In-Reply-To", "InReplyTo"),
        ("References", "References"),
    ):
        value = item.text(field)
        if value:
            msg[header] = value
    headers = item.get("InternetMessageHeaders")
    skip = {h.lower() for h in msg} | {
        "content-type",
        "mime-version",
        "content-transfer-encoding",
    }
    if headers is not None:
        for h in headers:
            name = h.get("HeaderName") or ""
            if name.lower() not in skip:
                msg[name] = h.text or ""
    body = item.get("Body")
    text = body.text if body is not None and body.text else ""
    subtype = "html" if body is not None and body.get("BodyType") == "HTML" else "plain"
    msg.set_content(text, subtype=subtype)
    for node in of(item):
        maintype, _, subtype = (node.findtext(q("t:ContentType")) or "").partition("/")
        msg.add_attachment(
            content_of(node),
            maintype=maintype or "application",
            subtype=subtype.split(";")[0].strip() or "octet-stream",
            filename=node.findtext(q("t:Name")) or "attachment",
        )
    return base64.b64encode(msg.as_bytes()).decode()
