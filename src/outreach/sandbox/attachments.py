"""File attachments: kept on their item with the content, listed without it, fetched by id.

An item stores them as one ``t:Attachments`` element (as a client sends it inside
CreateItem), each ``t:FileAttachment`` rebuilt in schema order with an id, size and
time the sandbox assigns (fileattachment.py). GetItem and SyncFolderItems list them
without ``Content`` (as Exchange does); GetAttachment returns the content.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .fileattachment import attachment_id, render
from .xml import Element, el, local, q, sub

if TYPE_CHECKING:
    from .mailbox import Item, Mailbox


def of(item: Item) -> list[Element]:
    """The stored t:FileAttachment elements of an item."""
    holder = item.get("Attachments")
    return [] if holder is None else [n for n in holder if local(n) == "FileAttachment"]


def has_attachments(item: Item) -> bool:
    """What Exchange's HasAttachments says: any attachment that is not inline."""
    return any((n.findtext(q("t:IsInline")) or "") != "true" for n in of(item))


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
