"""Graph's JSON shapes: request bodies built from outreach's values, answers read back.

Pure. Bodies set only documented, writable properties of ``message`` and
``event`` (and their complex types), so they pass the CSDL check. Tracking uses
the same MAPI named properties as the EWS backend (mailbox/tracking.py), written
the way Graph names extended properties, so an item made by one backend is found
by the other.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.core.items import Meeting, OutgoingEmail
from outreach.mailbox.tracking import HEADER, PROPERTY_SET_ID

TRACKING = f"String {{{PROPERTY_SET_ID}}} Name OutreachId"
CONTACT = f"String {{{PROPERTY_SET_ID}}} Name OutreachContactId"
#: PS_INTERNET_HEADERS: the X- header as Exchange keeps it (EWS writes it this way)
HEADER_PROPERTY = f"String {{00020386-0000-0000-c000-000000000046}} Name {HEADER}"
MESSAGE_CLASS = "String 0x001A"  # PidTagMessageClass
IN_REPLY_TO = "String 0x1042"  # PidTagInReplyToId
REFERENCES = "String 0x1039"  # PidTagInternetReferences


def rest_id(item_id: str) -> str:
    """An item id as a URL path segment: Exchange's REST ids are its EWS ids in URL-safe
    base64, so an id the EWS backend stored (before a move to Graph) names the item too."""
    return item_id.replace("+", "-").replace("/", "_")


def expand(*ids: str) -> str:
    """The ``$expand`` that returns these single-value extended properties."""
    wanted = " or ".join(f"id eq '{i}'" for i in ids)
    return f"singleValueExtendedProperties($filter={wanted})"


def quoted(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def tracked_filter(tracking_ids: Iterable[str]) -> str:
    """``$filter`` for items whose OutreachId is one of ``tracking_ids``."""
    return " or ".join(
        f"singleValueExtendedProperties/any(ep: ep/id eq {quoted(TRACKING)} and "
        f"ep/value eq {quoted(t)})"
        for t in tracking_ids
    )


def properties(item: Mapping[str, Any]) -> dict[str, str]:
    """An item's expanded extended properties, by lower-cased id."""
    return {
        str(p.get("id", "")).lower(): str(p.get("value") or "")
        for p in item.get("singleValueExtendedProperties") or ()
        if isinstance(p, Mapping)
    }


def prop(item: Mapping[str, Any], property_id: str) -> str | None:
    return properties(item).get(property_id.lower()) or None


def headers(item: Mapping[str, Any]) -> dict[str, str]:
    """An item's internet headers, names lower-cased (the first of each name wins)."""
    out: dict[str, str] = {}
    for head in item.get("internetMessageHeaders") or ():
        name = str(head.get("name") or "").lower()
        if name and name not in out:
            out[name] = str(head.get("value") or "")
    return out


def address(recipient: Mapping[str, Any] | None) -> str:
    if not recipient:
        return ""
    return str((recipient.get("emailAddress") or {}).get("address") or "").strip().lower()


def addresses(recipients: Sequence[Mapping[str, Any]] | None) -> tuple[str, ...]:
    return tuple(a for a in (address(r) for r in recipients or ()) if a)


def _recipients(emails: Iterable[str]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": e}} for e in emails]


def _tracking(tracking_id: str, contact_id: str) -> list[dict[str, str]]:
    return [{"id": TRACKING, "value": tracking_id}, {"id": CONTACT, "value": contact_id}]


def message(email: OutgoingEmail) -> dict[str, Any]:
    """The ``message`` to POST for a draft (or to send): body, tracking, thread, files."""
    extended = _tracking(email.tracking_id, email.contact_id)
    if email.in_reply_to:
        extended += [
            {"id": IN_REPLY_TO, "value": email.in_reply_to},
            {"id": REFERENCES, "value": email.in_reply_to},
        ]
    body: dict[str, Any] = {
        "subject": email.subject,
        "body": {"contentType": "html", "content": email.html},
        "toRecipients": _recipients(email.to),
        "internetMessageHeaders": [{"name": HEADER, "value": email.tracking_id}],
        "singleValueExtendedProperties": extended,
    }
    if email.attachments:
        body["attachments"] = [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": a.filename,
                "contentType": a.content_type,
                "contentBytes": base64.b64encode(a.content).decode("ascii"),
            }
            for a in email.attachments
        ]
    return body


def when(moment: datetime) -> dict[str, str]:
    """A ``dateTimeTimeZone`` in UTC (unambiguous whatever the mailbox's zone)."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return {"dateTime": utc.isoformat(timespec="seconds"), "timeZone": "UTC"}


def event(meeting: Meeting, draft: bool = False) -> dict[str, Any]:
    """The ``event`` to POST: an interview (``draft``: saved, invitations not sent) or a hold."""
    body: dict[str, Any] = {
        "subject": meeting.subject,
        "start": when(meeting.start),
        "end": when(meeting.end),
        "isReminderOn": meeting.reminder_minutes > 0,
        "reminderMinutesBeforeStart": max(meeting.reminder_minutes, 0),
        "showAs": "tentative" if meeting.tentative else "busy",
        "singleValueExtendedProperties": _tracking(meeting.tracking_id, meeting.contact_id),
    }
    if meeting.body_html:
        body["body"] = {"contentType": "html", "content": meeting.body_html}
    if meeting.location:
        body["location"] = {"displayName": meeting.location}
    if meeting.attendees:
        body["attendees"] = [
            {"emailAddress": {"address": a}, "type": "required"} for a in meeting.attendees
        ]
        body["isDraft"] = draft
    return body


def moved(meeting: Meeting, draft: bool) -> dict[str, Any]:
    """The PATCH that moves an interview to ``meeting``'s time and place (and tracking)."""
    body: dict[str, Any] = {
        "subject": meeting.subject,
        "start": when(meeting.start),
        "end": when(meeting.end),
        "location": {"displayName": meeting.location or ""},
        "isReminderOn": meeting.reminder_minutes > 0,
        "reminderMinutesBeforeStart": max(meeting.reminder_minutes, 0),
        "singleValueExtendedProperties": _tracking(meeting.tracking_id, meeting.contact_id),
    }
    if meeting.body_html:
        body["body"] = {"contentType": "html", "content": meeting.body_html}
    if meeting.attendees:
        body["isDraft"] = draft
    return body


# -- reading answers ------------------------------------------------------------------------

_FRACTION = re.compile(r"(\.\d{6})\d+")


def instant(value: str | None, tz: tzinfo) -> datetime | None:
    """An ``Edm.DateTimeOffset`` ("2026-12-01T09:00:00Z") as an aware datetime in ``tz``."""
    if not value:
        return None
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(tz)


def zone(name: str | None) -> tzinfo:
    """The zone a ``dateTimeTimeZone`` names (UTC for unknown Windows names)."""
    if not name or name.upper() in ("UTC", "COORDINATED UNIVERSAL TIME"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(value: Mapping[str, Any] | None, tz: tzinfo) -> datetime | None:
    """A ``dateTimeTimeZone`` as an aware datetime in ``tz``."""
    if not value or not value.get("dateTime"):
        return None
    text = _FRACTION.sub(r"\1", str(value["dateTime"]).strip()).replace("Z", "")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(value.get("timeZone")))
    return parsed.astimezone(tz)
