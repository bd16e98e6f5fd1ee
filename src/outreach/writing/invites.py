"""Calendar files: build RFC 5545/5546 invitations and cancellations, read incoming ones.

Pure: values in, ``icalendar.Calendar`` (or observations) out; the caller
attaches or stores the bytes. The UID comes from the interview id so every
update and cancellation of one interview lands on the same calendar entry;
the caller passes a SEQUENCE that grows with each change (0 for the first
invitation). Times are written in the zone given (with its VTIMEZONE), so a
client shows the wall-clock time the user meant.

Incoming files map to observations (``parse``): a REPLY to the attendee's
MeetingAccepted/Tentative/Declined, a COUNTER to MeetingProposedNewTime; a
REQUEST or CANCEL for one of our UIDs to InterviewMoved/InterviewCancelled; a
contact's own REQUEST to MeetingProposedNewTime (they propose a time) and
their own CANCEL to MeetingDeclined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from outreach.config.settings import User
from outreach.core.items import Attachment
from outreach.core.model import Contact, Interview
from outreach.core.observations import (
    InterviewCancelled,
    InterviewMoved,
    MeetingAccepted,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
    Observation,
)

PRODID = "-//outreach//informational interviews//EN"
UID_DOMAIN = "outreach.invalid"
_UID = re.compile(r"^interview-([A-Za-z0-9_-]+)@" + re.escape(UID_DOMAIN) + "$")


def uid_for(interview_id: str) -> str:
    """Return the stable calendar UID of an interview."""
    return f"interview-{interview_id}@{UID_DOMAIN}"


def interview_id_from_uid(uid: str) -> str | None:
    """Return the interview id inside one of our UIDs, or None for anyone else's."""
    match = _UID.match(uid.strip())
    return match.group(1) if match else None


def _param(text: str) -> str:
    """Make a name safe as a parameter value (one line, no double quotes)."""
    return " ".join(text.replace('"', "'").split())


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if _param(name):
        address.params["CN"] = vText(_param(name))
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def _add_zones(cal: Calendar) -> None:
    """Add a VTIMEZONE for every zone used, covering a year either side of the events."""
    starts = [e.decoded("dtstart") for e in cal.walk("VEVENT")]
    if not starts:
        return
    first = min(starts).date().replace(month=1, day=1)
    last = max(starts).date().replace(month=12, day=31)
    cal.add_missing_timezones(
        first_date=first.replace(year=first.year - 1), last_date=last.replace(year=last.year + 1)
    )


def _calendar(method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _event(
    interview: Interview,
    contact: Contact,
    user: User,
    *,
    summary: str,
    description: str,
    location: str,
    tz: str,
    stamp: datetime,
    sequence: int,
    status: str,
) -> Event:
    zone = ZoneInfo(tz)
    start = interview.start.astimezone(zone)
    end = (interview.start.astimezone(UTC) + timedelta(minutes=interview.minutes)).astimezone(zone)
    event = Event()
    event.add("uid", uid_for(interview.id))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("summary", " ".join(summary.split()))
    event.add("dtstart", start)
    event.add("dtend", end)
    if location:
        event.add("location", " ".join(location.split()))
    if description:
        event.add("description", description)
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(user.email, user.name))
    event.add(
        "attendee",
        _address(
            contact.email,
            contact.name,
            cutype="INDIVIDUAL",
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp="TRUE",
        ),
    )
    return event


def _place(interview: Interview, contact: Contact, location: str | None) -> str:
    if location is not None:
        return location
    return interview.location or contact.office


def invitation(
    interview: Interview,
    contact: Contact,
    user: User,
    *,
    summary: str,
    description: str,
    tz: str,
    stamp: datetime,
    sequence: int = 0,
    reminder_minutes: int = 15,
    location: str | None = None,
) -> Calendar:
    """Return a METHOD:REQUEST calendar inviting ``contact`` to ``interview``.

    ``sequence`` must grow each time the time or place changes (0 at first);
    ``stamp`` is now. Raise ZoneInfoNotFoundError for an unknown ``tz``.
    """
    cal = _calendar("REQUEST")
    event = _event(
        interview,
        contact,
        user,
        summary=summary,
        description=description,
        location=_place(interview, contact, location),
        tz=tz,
        stamp=stamp,
        sequence=sequence,
        status="CONFIRMED",
    )
    if reminder_minutes > 0:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Reminder: " + " ".join(summary.split()))
        alarm.add("trigger", timedelta(minutes=-reminder_minutes))
        event.add_component(alarm)
    cal.add_component(event)
    _add_zones(cal)
    return cal


def cancellation(
    interview: Interview,
    contact: Contact,
    user: User,
    *,
    summary: str,
    tz: str,
    stamp: datetime,
    sequence: int,
    location: str | None = None,
) -> Calendar:
    """Return a METHOD:CANCEL calendar withdrawing the interview (same UID, higher SEQUENCE)."""
    cal = _calendar("CANCEL")
    cal.add_component(
        _event(
            interview,
            contact,
            user,
            summary=summary,
            description="",
            location=_place(interview, contact, location),
            tz=tz,
            stamp=stamp,
            sequence=sequence,
            status="CANCELLED",
        )
    )
    _add_zones(cal)
    return cal


def export(
    interviews: Iterable[tuple[Interview, Contact]],
    user: User,
    *,
    tz: str,
    stamp: datetime,
    summary: str = "Informational interview: {name}",
) -> Calendar:
    """Return one calendar (no METHOD, fit for import) of the scheduled interviews given.

    ``summary`` may use ``{name}`` for the contact's name. Interviews not in
    status "scheduled" are left out.
    """
    cal = _calendar(None)
    for interview, contact in sorted(interviews, key=lambda pair: pair[0].start):
        if interview.status != "scheduled":
            continue
        cal.add_component(
            _event(
                interview,
                contact,
                user,
                summary=summary.format(name=contact.name),
                description=f"Informational interview with {contact.name}",
                location=_place(interview, contact, None),
                tz=tz,
                stamp=stamp,
                sequence=0,
                status="CONFIRMED",
            )
        )
    _add_zones(cal)
    return cal


def to_bytes(cal: Calendar) -> bytes:
    """Serialize a calendar (CRLF lines, folded at 75 octets)."""
    return cal.to_ical()


def attachment(cal: Calendar, filename: str = "invite.ics") -> Attachment:
    """Return the calendar as an email attachment, its METHOD in the content type."""
    method = str(cal.get("method", "")).upper()
    content_type = "text/calendar; charset=utf-8" + (f"; method={method}" if method else "")
    return Attachment(filename=filename, content_type=content_type, content=to_bytes(cal))


# -- reading ------------------------------------------------------------------------------


def _mailto(value: object) -> str:
    text = str(value or "")
    return text[7:] if text.lower().startswith("mailto:") else text


def _moment(value: object, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    return None


def _span(event: Event, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    start = _moment(event.decoded("dtstart", None), zone)
    end = _moment(event.decoded("dtend", None), zone)
    if end is None and start is not None and event.get("duration") is not None:
        end = start + event.decoded("duration")
    return start, end


def _attendees(event: Event) -> list[vCalAddress]:
    found = event.get("attendee", [])
    return list(found) if isinstance(found, list) else [found]


def parse(
    data: bytes,
    *,
    at: datetime,
    item_id: str = "",
    tz: str = "UTC",
    tracking_of: Mapping[str, str] | None = None,
) -> list[Observation]:
    """Given an incoming .ics attachment, return what it tells us as observations.

    ``tracking_of`` maps interview id -> outbox id of its invite, so answers to
    our own invitations carry the tracking id. Floating times are read in
    ``tz``. Unreadable data and methods we do not act on (PUBLISH) give [].
    """
    try:
        cal = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError):
        return []
    method = str(cal.get("method", "")).upper()
    zone = ZoneInfo(tz)
    found: list[Observation] = []
    for event in cal.walk("VEVENT"):
        uid = str(event.get("uid", ""))
        interview_id = interview_id_from_uid(uid)
        tracking = (tracking_of or {}).get(interview_id or "")
        start, end = _span(event, zone)
        organizer = _mailto(event.get("organizer"))
        subject = " ".join(str(event.get("summary", "")).split())
        common = {"at": at, "item_id": item_id, "subject": subject, "tracking_id": tracking}
        if method == "REPLY":
            for attendee in _attendees(event):
                answer = str(attendee.params.get("PARTSTAT", "")).upper()
                kind = {
                    "ACCEPTED": MeetingAccepted,
                    "TENTATIVE": MeetingTentative,
                    "DECLINED": MeetingDeclined,
                }.get(answer)
                if kind is not None:
                    found.append(kind(sender=_mailto(attendee), **common))
        elif method == "COUNTER":
            sender = next((_mailto(a) for a in _attendees(event)), organizer)
            found.append(MeetingProposedNewTime(sender=sender, start=start, end=end, **common))
        elif method == "REQUEST" and interview_id is not None:
            found.append(
                InterviewMoved(at=at, item_id=item_id, tracking_id=tracking, start=start, end=end)
            )
        elif method == "REQUEST":
            found.append(MeetingProposedNewTime(sender=organizer, start=start, end=end, **common))
        elif method == "CANCEL" and interview_id is not None:
            found.append(InterviewCancelled(at=at, item_id=item_id, tracking_id=tracking))
        elif method == "CANCEL":
            found.append(MeetingDeclined(sender=organizer, **common))
    return found
