"""Mail flow inside the sandbox: stamping ids on new messages, sending, delivering."""

from __future__ import annotations

import base64
import re
import uuid

from .mailbox import Item, Mailbox
from .state import SandboxState
from .xml import Element, el, q, sub, to_str

INTERNET_HEADERS = "internetheaders"


def topic(subject: str) -> str:
    """Conversation topic: the subject without RE:/FW: prefixes."""
    return re.sub(r"^((re|fw|fwd|aw|wg|automatic reply)\s*:\s*)+", "", subject, flags=re.I).strip()


def new_conversation_id() -> str:
    return base64.b64encode(b"\x01\x00\x10\x00" + uuid.uuid4().bytes).decode()


def mailbox_el(tag: str, address: str, name: str | None = None) -> Element:
    """A t:From / t:Sender style element holding one mailbox."""
    node = el(tag)
    mbx = sub(node, "t:Mailbox")
    if name:
        sub(mbx, "t:Name", name)
    sub(mbx, "t:EmailAddress", address)
    sub(mbx, "t:RoutingType", "SMTP")
    sub(mbx, "t:MailboxType", "Mailbox")
    return node


def recipients_el(tag: str, addresses: list[tuple[str, str | None]]) -> Element:
    node = el(tag)
    for address, name in addresses:
        node.append(mailbox_el("t:Mailbox", address, name)[0])
    return node


def headers_el(headers: list[tuple[str, str]]) -> Element:
    node = el("t:InternetMessageHeaders")
    for name, value in headers:
        sub(node, "t:InternetMessageHeader", value, {"HeaderName": name})
    return node


def stamp(box: Mailbox, item: Item, conversation_id: str | None = None) -> None:
    """Give a new message what Exchange assigns on save: message id, conversation, topic."""
    if item.kind == "CalendarItem":
        return
    if item.text("InternetMessageId") is None:
        domain = box.address.split("@")[-1]
        item.set("InternetMessageId", f"<{uuid.uuid4().hex[:24].upper()}@{domain}>")
    if item.get("ConversationId") is None:
        item.set(
            "ConversationId",
            el("t:ConversationId", attrs={"Id": conversation_id or new_conversation_id()}),
        )
    subject = item.text("Subject", "") or ""
    if item.get("ConversationIndex") is None:
        item.set("ConversationIndex", base64.b64encode(b"\x01" + uuid.uuid4().bytes[:21]).decode())
    item.set("ConversationTopic", topic(subject))
    if item.get("IsRead") is None:
        item.set("IsRead", True)


def x_headers(item: Item) -> list[tuple[str, str]]:
    """Extended properties in the InternetHeaders set travel as X- headers when sent."""
    out = []
    for prop in item.all("ExtendedProperty"):
        uri = prop.find(q("t:ExtendedFieldURI"))
        if (
            uri is not None
            and (uri.get("DistinguishedPropertySetId") or "").lower() == INTERNET_HEADERS
        ):
            out.append((uri.get("PropertyName") or "", prop.findtext(q("t:Value")) or ""))
    return out


def transport_headers(
    item: Item, sender: str, extra: list[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """The internet headers a sent message carries."""
    heads = [
        ("From", sender),
        ("To", ", ".join(item.addresses("ToRecipients"))),
        ("Subject", item.text("Subject", "") or ""),
        ("Message-ID", item.text("InternetMessageId", "") or ""),
    ]
    if item.text("InReplyTo"):
        heads.append(("In-Reply-To", item.text("InReplyTo") or ""))
    if item.text("References"):
        heads.append(("References", item.text("References") or ""))
    heads += [("Content-Type", 'text/plain; charset="utf-8"'), ("MIME-Version", "1.0")]
    heads += x_headers(item)
    return heads + (extra or [])


def send(
    state: SandboxState,
    box: Mailbox,
    item: Item,
    *,
    save_copy: bool = True,
    saved_folder: str = "sentitems",
    keep_extended: bool = True,
) -> Item | None:
    """Send a stored or new message: stamp, file in Sent Items (new id), deliver to mailboxes.

    Returns the Sent Items copy, or None when not saved.
    """
    now = state.clock()
    stamp(box, item)
    item.set("From", mailbox_el("t:From", box.address, box.name))
    item.set("Sender", mailbox_el("t:Sender", box.address, box.name))
    item.set("DateTimeSent", now)
    item.set("IsDraft", False)
    item.set("IsRead", True)
    item.set("InternetMessageHeaders", headers_el(transport_headers(item, box.address)))
    if not keep_extended:
        item.remove("ExtendedProperty")
    recipients = (
        item.addresses("ToRecipients")
        + item.addresses("CcRecipients")
        + item.addresses("BccRecipients")
    )
    fields = {
        k: list(v) for k, v in item.fields.items() if k not in ("ExtendedProperty", "BccRecipients")
    }
    saved: Item | None = None
    if item.id in box.items:
        if save_copy:
            saved = box.move(item, saved_folder)
            saved.immutable_id = saved.id  # sending makes a new item, immutable id and all
            item.set("DateTimeReceived", now)
            box.touch(saved)
        else:
            box.delete(item)
    elif save_copy:
        saved = box.add(saved_folder, item.kind, item.fields)
    for address in recipients:
        if address.lower() in state.mailboxes and address.lower() != box.address:
            deliver(state, address, {k: list(v) for k, v in fields.items()}, item.kind)
    return saved


def deliver(
    state: SandboxState,
    address: str,
    fields: dict[str, list[str]],
    kind: str = "Message",
    folder: str = "inbox",
) -> Item:
    """Put a received message into a mailbox's Inbox (unread, received now)."""
    box = state.mailbox_for(address)
    now = state.clock()
    fields = dict(fields)
    fields["IsRead"] = [to_str(el("t:IsRead", False))]
    fields["IsDraft"] = [to_str(el("t:IsDraft", False))]
    fields["DateTimeReceived"] = [to_str(el("t:DateTimeReceived", now))]
    fields["DateTimeCreated"] = [to_str(el("t:DateTimeCreated", now))]
    item = box.add(folder, kind, fields, new_mail=True)
    stamp(box, item)
    return item


def prepare_calendar(box: Mailbox, item: Item, invitations: str | None) -> None:
    """What Exchange fills in on a new calendar item: UID, organizer, attendee status."""
    if item.text("UID") is None:
        item.set("UID", uuid.uuid4().hex.upper())
    item.set("Organizer", mailbox_el("t:Organizer", box.address, box.name))
    attendees = False
    for name in ("RequiredAttendees", "OptionalAttendees", "Resources"):
        node = item.get(name)
        if node is None:
            continue
        for att in node.findall(q("t:Attendee")):
            attendees = True
            if att.find(q("t:ResponseType")) is None:
                sub(att, "t:ResponseType", "Unknown")
        item.set(name, node)
    item.set("IsMeeting", attendees)
    item.set("IsCancelled", False)
    item.set("MyResponseType", "Organizer")
    item.set("MeetingRequestWasSent", attendees and invitations not in (None, "SendToNone"))
    if item.get("AppointmentSequenceNumber") is None:
        item.set("AppointmentSequenceNumber", 0)
    item.set("IsOrganizer", True)


def invite_attendees(state: SandboxState, box: Mailbox, item: Item, kind: str) -> None:
    """Send a meeting request (``NewMeetingRequest`` or ``FullUpdate``) for the calendar item:
    marked as sent, delivered to every attendee who has a mailbox here."""
    item.set("MeetingRequestWasSent", True)
    fields = {k: list(v) for k, v in item.fields.items() if k not in ("ExtendedProperty",)}
    fields["MeetingRequestType"] = [to_str(el("t:MeetingRequestType", kind))]
    fields["ItemClass"] = [to_str(el("t:ItemClass", "IPM.Schedule.Meeting.Request"))]
    fields["From"] = [to_str(mailbox_el("t:From", box.address, box.name))]
    for address in item.addresses("RequiredAttendees") + item.addresses("OptionalAttendees"):
        if address.lower() in state.mailboxes and address.lower() != box.address:
            deliver(state, address, fields, "MeetingRequest")
