"""How an item the product created is found again: extended properties, an X- header, fallbacks.

Pure but for ``register``, which teaches exchangelib the properties (the Graph
backend writes the same ones in its own notation, graph/shapes.py). Every draft,
sent message and meeting carries the outbox id in a named property of
outreach's own property set (and the contact id beside it), plus the same id in
the ``X-Outreach-Id`` internet header (a property in the InternetHeaders set, which
Exchange turns into a header on send). A client that sends its local copy may drop
named properties, so ``match_tracked`` falls back to the internet message id, then
the X- header, then the conversation, in that order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: outreach's MAPI property set; fixed forever so old items stay findable
PROPERTY_SET_ID = "7c9e6f1a-3b42-4d8e-9a61-5f0d2c8b7e43"
HEADER = "X-Outreach-Id"


_registered = False
_lock = threading.Lock()


def _fields() -> dict[str, type]:
    """The properties as exchangelib field classes (exchangelib imported only here)."""
    from exchangelib import ExtendedProperty

    class OutreachId(ExtendedProperty):
        """The outbox id (model.Message.id) of the action that created the item."""

        property_set_id = PROPERTY_SET_ID
        property_name = "OutreachId"
        property_type = "String"

    class OutreachContactId(ExtendedProperty):
        """The contact the item is about."""

        property_set_id = PROPERTY_SET_ID
        property_name = "OutreachContactId"
        property_type = "String"

    class OutreachHeader(ExtendedProperty):
        """The outbox id again, as an internet header that survives the trip through SMTP."""

        distinguished_property_set_id = "InternetHeaders"
        property_name = HEADER
        property_type = "String"

    return {
        "outreach_tracking": OutreachId,
        "outreach_contact": OutreachContactId,
        "outreach_header": OutreachHeader,
    }


def register() -> None:
    """Make the properties attributes of exchangelib's Message and CalendarItem (once)."""
    global _registered
    with _lock:
        if _registered:
            return
        from exchangelib import CalendarItem, Message

        fields = _fields()
        for item_cls in (Message, CalendarItem):
            names = {f.name for f in item_cls.FIELDS}
            for name, prop in fields.items():
                if name not in names:
                    item_cls.register(name, prop)
        _registered = True


def header_value(headers: Iterable[object] | None) -> str | None:
    """The X-Outreach-Id value among an item's internet headers (exchangelib MessageHeader)."""
    for head in headers or ():
        if (getattr(head, "name", "") or "").lower() == HEADER.lower():
            return (getattr(head, "value", "") or "").strip() or None
    return None


@dataclass(frozen=True)
class Known:
    """What the store knows of one outbox message, for matching."""

    tracking_id: str
    internet_message_id: str | None = None
    conversation_id: str | None = None


def match_tracked(
    *,
    property_id: str | None,
    internet_message_id: str | None,
    header_id: str | None,
    conversation_id: str | None,
    known: Mapping[str, Known],
) -> str | None:
    """Given what a sent or changed item shows, return the outbox id it belongs to, or None.

    The order is the order of trust: the extended property, the internet message id
    (kept by Exchange from draft to sent copy), the X- header, then the conversation
    (only when exactly one known message is in it).
    """
    if property_id and property_id in known:
        return property_id
    if internet_message_id:
        for entry in known.values():
            if entry.internet_message_id == internet_message_id:
                return entry.tracking_id
    if header_id and header_id in known:
        return header_id
    if conversation_id:
        hits = [e.tracking_id for e in known.values() if e.conversation_id == conversation_id]
        if len(hits) == 1:
            return hits[0]
    return None
