"""The translation layer: a stored item (EWS property elements) <-> Graph JSON.

Reading renders a message, eventMessage* or event from the same elements the EWS face
answers with; writing turns a Graph body into the elements an EWS client would have
sent, so either face reads what the other wrote. Item properties Graph has but EWS lacks
(an event's transactionId) are kept under field names the EWS face never renders.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from .. import attachments
from ..fileattachment import attachment_id, file_attachment
from ..mailbox import Folder, Item, Mailbox
from ..mailflow import recipients_el
from ..xml import Element, el, parse_dt, q, sub
from . import extprops, ids
from .routing import GraphError, Request
from .times import dtz, iso, parse_dtz

NEVER = "0001-01-01T00:00:00Z"
#: private fields (not EWS properties): the EWS face never renders them
TRANSACTION = "GraphTransactionId"
SHOW_AS = {
    "Free": "free",
    "Tentative": "tentative",
    "Busy": "busy",
    "OOF": "oof",
    "WorkingElsewhere": "workingElsewhere",
    "NoData": "unknown",
}
RESPONSE = {
    "Unknown": "none",
    "Organizer": "organizer",
    "Tentative": "tentativelyAccepted",
    "Accept": "accepted",
    "Decline": "declined",
    "NoResponseReceived": "notResponded",
}
MEETING_MESSAGE = {
    "IPM.Schedule.Meeting.Request": ("eventMessageRequest", "meetingRequest", None),
    "IPM.Schedule.Meeting.Canceled": ("eventMessage", "meetingCancelled", None),
    "IPM.Schedule.Meeting.Resp.Pos": ("eventMessageResponse", "meetingAccepted", "accepted"),
    "IPM.Schedule.Meeting.Resp.Neg": ("eventMessageResponse", "meetingDeclined", "declined"),
    "IPM.Schedule.Meeting.Resp.Tent": (
        "eventMessageResponse",
        "meetingTenativelyAccepted",
        "tentativelyAccepted",
    ),
}


# -- reading ---------------------------------------------------------------------------
def etag(item: Item) -> str:
    return f'W/"{item.change_key}"'


def outlook_item(req: Request, item: Item) -> dict[str, Any]:
    """What messages and events share (outlookItem and entity)."""
    return {
        "@odata.etag": etag(item),
        "id": req.item_id(item),
        "createdDateTime": iso(item.created),
        "lastModifiedDateTime": iso(item.modified),
        "changeKey": item.change_key,
        "categories": [c.text or "" for c in (item.get("Categories") or [])],
    }


def recipient(mbx: Element) -> dict[str, Any]:
    address = mbx.findtext(q("t:EmailAddress")) or ""
    return {"emailAddress": {"name": mbx.findtext(q("t:Name")) or address, "address": address}}


def recipients(item: Item, name: str) -> list[dict[str, Any]]:
    node = item.get(name)
    return [] if node is None else [recipient(m) for m in node.iter(q("t:Mailbox"))]


def one_recipient(item: Item, name: str) -> dict[str, Any] | None:
    found = recipients(item, name)
    return found[0] if found else None


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def body(item: Item, want: str | None) -> dict[str, str]:
    """itemBody in the type asked for; Graph's default is HTML."""
    node = item.get("Body")
    text = (node.text or "") if node is not None else ""
    have = "html" if node is not None and node.get("BodyType") == "HTML" else "text"
    want = want or "html"
    if want == have:
        return {"contentType": have, "content": text}
    if want == "text":
        return {"contentType": "text", "content": re.sub(r"<[^>]+>", "", text)}
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "</head><body>" + escaped.replace("\n", "<br>") + "</body></html>"
    )
    return {"contentType": "html", "content": html}


def preview(item: Item) -> str:
    node = item.get("Body")
    return _plain((node.text or "") if node is not None else "")[:255]


def _when(item: Item, name: str, default: datetime) -> str:
    value = item.when(name)
    return iso(value or default)


def folder_json(box: Mailbox, folder: Folder) -> dict[str, Any]:
    items = list(box.in_folder(folder))
    return {
        "id": ids.to_graph(folder.id),
        "displayName": folder.name,
        "parentFolderId": ids.to_graph(folder.parent_id or folder.id),
        "childFolderCount": sum(1 for f in box.folders.values() if f.parent_id == folder.id),
        "unreadItemCount": sum(1 for i in items if i.text("IsRead") == "false"),
        "totalItemCount": len(items),
        "isHidden": False,
    }


def headers_of(box: Mailbox, item: Item) -> list[dict[str, str]]:
    """internetMessageHeaders: a received message's; a draft's X- headers; none on a sent copy
    (Exchange Online keeps no headers on the Sent Items copy)."""
    folder = box.folders.get(item.folder_id)
    if folder is not None and folder.distinguished == "sentitems":
        return []
    node = item.get("InternetMessageHeaders")
    if node is not None and item.text("IsDraft") != "true":
        return [{"name": h.get("HeaderName") or "", "value": h.text or ""} for h in node]
    out = []
    for prop in extprops.of_item(item):
        parsed = extprops.PropId.parse(prop["id"])
        if parsed and parsed.guid == extprops.SETS["internetheaders"] and parsed.name:
            out.append({"name": parsed.name, "value": prop["value"]})
    return out


def message(req: Request, box: Mailbox, item: Item) -> dict[str, Any]:
    """A message (or eventMessage*) with every property Graph returns by default."""
    item_class = item.text("ItemClass", "IPM.Note") or "IPM.Note"
    conv = item.get("ConversationId")
    index = item.text("ConversationIndex")
    out: dict[str, Any] = {
        **outlook_item(req, item),
        "receivedDateTime": _when(item, "DateTimeReceived", item.created),
        "sentDateTime": _when(item, "DateTimeSent", item.created),
        "hasAttachments": attachments.has_attachments(item),
        "internetMessageId": item.text("InternetMessageId"),
        "subject": item.text("Subject", "") or "",
        "bodyPreview": preview(item),
        "importance": (item.text("Importance", "Normal") or "Normal").lower(),
        "parentFolderId": ids.to_graph(item.folder_id),
        "conversationId": conv.get("Id") if conv is not None else None,
        "conversationIndex": index,
        "isDeliveryReceiptRequested": item.text("IsDeliveryReceiptRequested") == "true",
        "isReadReceiptRequested": item.text("IsReadReceiptRequested") == "true",
        "isRead": item.text("IsRead", "true") == "true",
        "isDraft": item.text("IsDraft") == "true",
        "inferenceClassification": "focused",
        "body": body(item, req.body_type),
        "sender": one_recipient(item, "Sender"),
        "from": one_recipient(item, "From"),
        "toRecipients": recipients(item, "ToRecipients"),
        "ccRecipients": recipients(item, "CcRecipients"),
        "bccRecipients": recipients(item, "BccRecipients"),
        "replyTo": recipients(item, "ReplyTo"),
        "flag": {"flagStatus": "notFlagged"},
    }
    if item.text("IsDraft") == "true":
        out.pop("sentDateTime")
    meeting = next((v for k, v in MEETING_MESSAGE.items() if item_class.startswith(k)), None)
    if meeting is not None:
        kind, message_type, response = meeting
        out = {"@odata.type": f"#microsoft.graph.{kind}", **out}
        out["meetingMessageType"] = message_type
        out["isOutOfDate"] = False
        out["isDelegated"] = False
        out["isAllDay"] = item.text("IsAllDayEvent") == "true"
        out["type"] = "singleInstance"
        for name, key in (("Start", "startDateTime"), ("End", "endDateTime")):
            when = item.when(name)
            if when is not None:
                out[key] = dtz(when, req.tz)
        location = item.text("Location")
        if location:
            out["location"] = {"displayName": location}
        if response is not None:
            out["responseType"] = response
            start, end = item.when("ProposedStart"), item.when("ProposedEnd")
            if start and end:
                out["proposedNewTime"] = {"start": dtz(start, req.tz), "end": dtz(end, req.tz)}
    return out


def attendees(req: Request, item: Item) -> list[dict[str, Any]]:
    out = []
    for name, kind in (
        ("RequiredAttendees", "required"),
        ("OptionalAttendees", "optional"),
        ("Resources", "resource"),
    ):
        node = item.get(name)
        for att in node.findall(q("t:Attendee")) if node is not None else []:
            mbx = att.find(q("t:Mailbox"))
            when = att.findtext(q("t:LastResponseTime"))
            entry: dict[str, Any] = {
                "type": kind,
                "status": {
                    "response": RESPONSE.get(att.findtext(q("t:ResponseType")) or "", "none"),
                    "time": iso(parse_dt(when)) if when else NEVER,
                },
                **(recipient(mbx) if mbx is not None else {}),
            }
            start, end = att.findtext(q("t:ProposedStart")), att.findtext(q("t:ProposedEnd"))
            if start and end:
                entry["proposedNewTime"] = {
                    "start": dtz(parse_dt(start), req.tz),
                    "end": dtz(parse_dt(end), req.tz),
                }
            out.append(entry)
    return out


def event(req: Request, box: Mailbox, item: Item) -> dict[str, Any]:
    """An event from a calendar item."""
    start = item.when("Start") or item.created
    end = item.when("End") or start
    organizer = one_recipient(item, "Organizer")
    mine = item.text("MyResponseType", "Organizer") or "Organizer"
    reply_time = item.text("AppointmentReplyTime")
    return {
        **outlook_item(req, item),
        "transactionId": item.text(TRANSACTION),
        "originalStartTimeZone": "UTC",
        "originalEndTimeZone": "UTC",
        "iCalUId": item.text("UID"),
        "reminderMinutesBeforeStart": int(item.text("ReminderMinutesBeforeStart", "15") or 15),
        "isReminderOn": item.text("ReminderIsSet", "true") == "true",
        "hasAttachments": attachments.has_attachments(item),
        "subject": item.text("Subject", "") or "",
        "bodyPreview": preview(item),
        "importance": (item.text("Importance", "Normal") or "Normal").lower(),
        "sensitivity": (item.text("Sensitivity", "Normal") or "Normal").lower(),
        "isAllDay": item.text("IsAllDayEvent") == "true",
        "isCancelled": item.text("IsCancelled") == "true",
        "isOrganizer": item.text("IsOrganizer", "true") == "true",
        "responseRequested": item.text("IsResponseRequested", "true") == "true",
        "seriesMasterId": None,
        "showAs": SHOW_AS.get(item.text("LegacyFreeBusyStatus", "Busy") or "Busy", "busy"),
        "type": "singleInstance",
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": item.text("AllowNewTimeProposal", "true") == "true",
        "isDraft": item.text("IsDraft") == "true",
        "hideAttendees": False,
        "responseStatus": {
            "response": RESPONSE.get(mine, "none"),
            "time": iso(parse_dt(reply_time)) if reply_time else NEVER,
        },
        "body": body(item, req.body_type),
        "start": dtz(start, req.tz),
        "end": dtz(end, req.tz),
        "location": {"displayName": item.text("Location", "") or ""},
        "locations": [{"displayName": item.text("Location")}] if item.text("Location") else [],
        "attendees": attendees(req, item),
        "organizer": organizer or recipient(el("t:Mailbox")),
    }


def attachment(node: Element, *, content: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "id": ids.to_graph(attachment_id(node)),
        "lastModifiedDateTime": iso(parse_dt(node.findtext(q("t:LastModifiedTime")) or NEVER)),
        "name": node.findtext(q("t:Name")) or "",
        "contentType": node.findtext(q("t:ContentType")),
        "size": int(node.findtext(q("t:Size")) or 0),
        "isInline": node.findtext(q("t:IsInline")) == "true",
        "contentId": node.findtext(q("t:ContentId")),
        "contentLocation": node.findtext(q("t:ContentLocation")),
    }
    if content:
        out["contentBytes"] = node.findtext(q("t:Content")) or ""
    return out


# -- writing ---------------------------------------------------------------------------
def _bad(message: str) -> GraphError:
    return GraphError(400, "ErrorInvalidRequest", message)


def _addresses(value: Any, prop: str) -> list[tuple[str, str | None]]:
    if not isinstance(value, list):
        raise _bad(f"The property '{prop}' must be a collection of recipients.")
    out = []
    for entry in value:
        address = ((entry or {}).get("emailAddress") or {}).get("address")
        if not isinstance(address, str) or "@" not in address:
            raise GraphError(
                400, "ErrorInvalidRecipients", f"At least one recipient in '{prop}' is not valid."
            )
        out.append((address, entry["emailAddress"].get("name")))
    return out


def _body_el(value: Any) -> Element:
    if not isinstance(value, dict):
        raise _bad("The property 'body' must be an itemBody.")
    kind = "HTML" if str(value.get("contentType", "text")).lower() == "html" else "Text"
    return el("t:Body", value.get("content") or "", {"BodyType": kind})


def file_attachments(item: Item, values: Any, now: datetime) -> None:
    """Add Graph fileAttachments to an item (stored as EWS t:FileAttachment)."""
    if not isinstance(values, list):
        raise _bad("The property 'attachments' must be a collection.")
    for data in values:
        kind = (data or {}).get("@odata.type", "")
        if kind.lstrip("#") != "microsoft.graph.fileAttachment":
            raise _bad("The sandbox stores file attachments only (fileAttachment).")
        try:
            content = base64.b64decode(data.get("contentBytes") or "", validate=True)
        except (binascii.Error, ValueError):
            raise _bad("The attachment's contentBytes is not valid base64.") from None
        attachments.add(
            item,
            file_attachment(
                data.get("name") or "attachment",
                data.get("contentType") or "application/octet-stream",
                content,
                now,
                inline=bool(data.get("isInline")),
                content_id=data.get("contentId"),
                content_location=data.get("contentLocation"),
            ),
        )


def _headers(item: Item, values: Any) -> None:
    if not isinstance(values, list):
        raise _bad("The property 'internetMessageHeaders' must be a collection.")
    for header in values:
        name = (header or {}).get("name") or ""
        if not name.lower().startswith("x-"):
            raise GraphError(
                400,
                "InvalidInternetMessageHeader",
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
            )
        prop = f"String {{{extprops.SETS['internetheaders']}}} Name {name}"
        extprops.store(item, prop, str(header.get("value") or ""))


def _extended(item: Item, values: Any) -> None:
    if not isinstance(values, list):
        raise _bad("The property 'singleValueExtendedProperties' must be a collection.")
    for prop in values:
        try:
            extprops.store(item, str((prop or {}).get("id") or ""), str(prop.get("value") or ""))
        except ValueError as e:
            raise _bad(str(e)) from None


def _common(item: Item, data: dict[str, Any]) -> None:
    """Properties messages and events share."""
    if "subject" in data:
        item.set("Subject", data["subject"] or "")
    if "body" in data:
        item.set("Body", _body_el(data["body"]))
    if "importance" in data:
        item.set("Importance", str(data["importance"] or "normal").capitalize())
    if "categories" in data:
        node = el("t:Categories")
        for c in data["categories"] or []:
            sub(node, "t:String", c)
        item.set("Categories", node)
    if "singleValueExtendedProperties" in data:
        _extended(item, data["singleValueExtendedProperties"])


#: Graph's Boolean properties -> the stored EWS ones
MESSAGE_FLAGS = {
    "isRead": "IsRead",
    "isDeliveryReceiptRequested": "IsDeliveryReceiptRequested",
    "isReadReceiptRequested": "IsReadReceiptRequested",
}
EVENT_FLAGS = {
    "isReminderOn": "ReminderIsSet",
    "responseRequested": "IsResponseRequested",
    "allowNewTimeProposals": "AllowNewTimeProposal",
    "isAllDay": "IsAllDayEvent",
}


def _flags(item: Item, data: dict[str, Any], names: dict[str, str]) -> None:
    for prop, name in names.items():
        if prop in data:
            item.set(name, bool(data[prop]))


def apply_message(item: Item, data: dict[str, Any], now: datetime) -> None:
    """Apply a Graph message body (create or PATCH) to a stored message."""
    _common(item, data)
    for prop, name in (
        ("toRecipients", "ToRecipients"),
        ("ccRecipients", "CcRecipients"),
        ("bccRecipients", "BccRecipients"),
        ("replyTo", "ReplyTo"),
    ):
        if prop in data:
            item.set(name, recipients_el(f"t:{name}", _addresses(data[prop] or [], prop)))
    _flags(item, data, MESSAGE_FLAGS)
    if data.get("internetMessageId"):  # settable on create; kept from draft to sent copy
        item.set("InternetMessageId", str(data["internetMessageId"]))
    if "internetMessageHeaders" in data:
        _headers(item, data["internetMessageHeaders"])
    if "attachments" in data:
        file_attachments(item, data["attachments"], now)


def _attendees_el(values: Any) -> dict[str, Element]:
    if not isinstance(values, list):
        raise _bad("The property 'attendees' must be a collection.")
    groups: dict[str, Element] = {}
    for entry in values:
        kind = str((entry or {}).get("type") or "required").lower()
        name = {"optional": "OptionalAttendees", "resource": "Resources"}.get(
            kind, "RequiredAttendees"
        )
        ((address, display),) = _addresses([entry], "attendees")
        node = groups.setdefault(name, el(f"t:{name}"))
        att = sub(node, "t:Attendee")
        att.append(recipients_el("t:X", [(address, display)])[0])
    return groups


def apply_event(item: Item, data: dict[str, Any]) -> bool:
    """Apply a Graph event body to a stored calendar item; True if its time changed."""
    _common(item, data)
    moved = False
    for prop, name in (("start", "Start"), ("end", "End")):
        if prop in data:
            try:
                when = parse_dtz(data[prop])
            except ValueError as e:
                raise _bad(f"The property '{prop}': {e}.") from None
            moved |= item.when(name) != when
            item.set(name, when)
    start, end = item.when("Start"), item.when("End")
    if start and end and end < start:
        raise _bad("The end of the event is before its start.")
    if "location" in data:
        item.set("Location", ((data["location"] or {}).get("displayName")) or "")
    if "attendees" in data:
        for name in ("RequiredAttendees", "OptionalAttendees", "Resources"):
            item.remove(name)
        for name, node in _attendees_el(data["attendees"] or []).items():
            item.set(name, node)
    if "showAs" in data:
        wanted = {v: k for k, v in SHOW_AS.items()}.get(str(data["showAs"]), "Busy")
        item.set("LegacyFreeBusyStatus", wanted)
    _flags(item, data, EVENT_FLAGS)
    if "reminderMinutesBeforeStart" in data:
        item.set("ReminderMinutesBeforeStart", int(data["reminderMinutesBeforeStart"] or 0))
    if "sensitivity" in data:
        item.set("Sensitivity", str(data["sensitivity"] or "normal").capitalize())
    if data.get("transactionId"):
        item.set(TRANSACTION, str(data["transactionId"]))
    return moved
