"""One file attachment as the store keeps it: a ``t:FileAttachment`` with the content, and
the id, size and time the sandbox assigns.

The mailbox stores every item's attachments through `normalize`; attachments.py finds,
lists and changes them on an item.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from .xml import Element, el, from_str, local, q, sub, to_str


class AttachmentError(ValueError):
    """An attachment the sandbox cannot take (an item attachment, bad base64)."""


def new_attachment_id() -> str:
    """An id shaped like Exchange's attachment ids (AAMkA... with an attachment part)."""
    return base64.b64encode(
        b"\x00\x03\x24\x00" + uuid.uuid4().bytes + b"\x01\x12\x00\x10\x00" + uuid.uuid4().bytes
    ).decode()


def file_attachment(
    name: str,
    content_type: str,
    content: bytes,
    now: datetime,
    *,
    inline: bool = False,
    content_id: str | None = None,
    content_location: str | None = None,
) -> Element:
    """A stored t:FileAttachment with a fresh id."""
    node = el("t:FileAttachment")
    sub(node, "t:AttachmentId", attrs={"Id": new_attachment_id()})
    sub(node, "t:Name", name)
    sub(node, "t:ContentType", content_type)
    if content_id:
        sub(node, "t:ContentId", content_id)
    if content_location:
        sub(node, "t:ContentLocation", content_location)
    sub(node, "t:Size", len(content))
    sub(node, "t:LastModifiedTime", now)
    sub(node, "t:IsInline", inline)
    sub(node, "t:IsContactPhoto", False)
    sub(node, "t:Content", base64.b64encode(content).decode())
    return node


def content_of(node: Element) -> bytes:
    text = node.findtext(q("t:Content")) or ""
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        raise AttachmentError("The attachment content is not valid base64.") from None


def stored(node: Element, now: datetime) -> Element:
    """Rebuild a client's t:FileAttachment for storage (fresh id, size, time; schema order).

    Raise AttachmentError for anything but a file attachment.
    """
    if local(node) != "FileAttachment":
        raise AttachmentError(f"The sandbox stores file attachments only, not {local(node)}.")
    content = content_of(node)
    name = node.findtext(q("t:Name")) or "attachment"
    ctype = node.findtext(q("t:ContentType")) or "application/octet-stream"
    inline = (node.findtext(q("t:IsInline")) or "").lower() == "true"
    return file_attachment(
        name,
        ctype,
        content,
        now,
        inline=inline,
        content_id=node.findtext(q("t:ContentId")),
        content_location=node.findtext(q("t:ContentLocation")),
    )


def normalize(fields: dict[str, list[str]], now: datetime) -> None:
    """Give every attachment in an item's fields its own id (on create, copy and delivery)."""
    values = fields.get("Attachments")
    if not values:
        return
    holder = el("t:Attachments")
    for value in values:
        for node in from_str(value):
            holder.append(stored(node, now))
    if len(holder):
        fields["Attachments"] = [to_str(holder)]
    else:
        del fields["Attachments"]


def attachment_id(node: Element) -> str:
    ref = node.find(q("t:AttachmentId"))
    return ref.get("Id", "") if ref is not None else ""


def render(node: Element, *, content: bool) -> Element:
    """A t:FileAttachment for a response, without Content unless ``content``."""
    out = el("t:FileAttachment")
    for child in node:
        if content or local(child) != "Content":
            out.append(from_str(to_str(child)))
    return out
