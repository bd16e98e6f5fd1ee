"""File attachments: kept on their item with the content, listed without it, fetched by id.

An item stores them as one ``t:Attachments`` element (as a client sends it inside
CreateItem), each ``t:FileAttachment`` rebuilt in schema order with an id, size and
time the sandbox assigns. GetItem and SyncFolderItems list them without ``Content``
(as Exchange does); GetAttachment returns the content.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from .xml import Element, el, from_str, local, q, sub, to_str

if TYPE_CHECKING:
    from .mailbox import Item, Mailbox


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


def of(item: Item) -> list[Element]:
    """The stored t:FileAttachment elements of an item."""
    holder = item.get("Attachments")
    return [] if holder is None else [n for n in holder if local(n) == "FileAttachment"]


def has_attachments(item: Item) -> bool:
    """What Exchange's HasAttachments says: any attachment that is not inline."""
    return any((n.findtext(q("t:IsInline")) or "") != "true" for n in of(item))


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


def listed(item: Item) -> Element:
    """t:Attachments as GetItem and SyncFolderItems show it (no content)."""
    holder = el("t:Attachments")
    for node in of(item):
        holder.append(render(node, content=False))
    return holder


def ids_only(item: Item) -> Element:
    """t:Attachments holding only the ids, as CreateItem answers a new item."""
    holder = el("t:Attachments")
    for node in of(item):
        sub(sub(holder, "t:FileAttachment"), "t:AttachmentId", attrs={"Id": attachment_id(node)})
    return holder


def find(boxes: Iterable[Mailbox], wanted: str) -> tuple[Mailbox, Item, Element] | None:
    """The mailbox, item and stored attachment with this id, or None."""
    for box in boxes:
        for item in box.items.values():
            for node in of(item):
                if attachment_id(node) == wanted:
                    return box, item, node
    return None


def add(item: Item, node: Element) -> None:
    """Append an already stored attachment to an item."""
    holder = item.get("Attachments")
    if holder is None:
        holder = el("t:Attachments")
    holder.append(node)
    item.set("Attachments", holder)


def remove(item: Item, wanted: str) -> None:
    holder = item.get("Attachments")
    if holder is None:
        return
    for node in list(holder):
        if attachment_id(node) == wanted:
            holder.remove(node)
    if len(holder):
        item.set("Attachments", holder)
    else:
        item.remove("Attachments")
