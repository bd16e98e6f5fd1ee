"""GetServerTimeZones and GetUserAvailability (free/busy from the directory and mailboxes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..directory import Busy
from ..timezones import ZONES, definition, zone_info
from ..xml import NSMAP, Element, el, parse_dt, q, response_message, sub
from .base import Context, operation

LEGACY = {"Free": "0", "Tentative": "1", "Busy": "2", "OOF": "3", "WorkingElsewhere": "4"}
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday"


@operation("GetServerTimeZones")
def get_server_time_zones(ctx: Context, req: Element) -> Element:
    ids = [i.text for i in req.iterfind("m:Ids/t:Id", NSMAP)] or list(ZONES)
    resp = el("m:GetServerTimeZonesResponse")
    msg = response_message("m:GetServerTimeZonesResponseMessage")
    defs = sub(msg, "m:TimeZoneDefinitions")
    for ms_id in ids:
        if ms_id in ZONES:
            defs.append(definition(ms_id))
    sub(resp, "m:ResponseMessages").append(msg)
    return resp


def _local(value: datetime, tz_id: str | None) -> str:
    """Exchange answers free/busy times in the requester's zone, without an offset."""
    return value.astimezone(zone_info(tz_id)).replace(tzinfo=None).isoformat(timespec="seconds")


def merged(blocks: list[Busy], start: datetime, end: datetime, interval: int) -> str:
    """One digit per interval (0 free, 1 tentative, 2 busy, 3 away, 4 elsewhere), the
    busiest block wins: EWS's MergedFreeBusy, Graph's availabilityView."""
    digits, slot = [], start
    while slot < end:
        nxt = slot + timedelta(minutes=interval)
        hits = [LEGACY.get(b.status, "2") for b in blocks if b.start < nxt and b.end > slot]
        digits.append(max(hits) if hits else "0")
        slot = nxt
    return "".join(digits)


def busy_of(ctx: Context, address: str, start: datetime, end: datetime) -> list[Busy] | None:
    """Busy blocks of a directory person and/or a sandbox mailbox's calendar; None if unknown."""
    person = ctx.state.directory.get(address)
    blocks = person.busy_between(start, end) if person else []
    box = ctx.state.mailboxes.get(address.lower())
    if box is not None:
        cal = box.folder("calendar")
        for item in box.in_folder(cal):
            s, e = item.when("Start"), item.when("End")
            if s and e and s < end and e > start and item.text("IsCancelled") != "true":
                status = item.text("LegacyFreeBusyStatus", "Busy") or "Busy"
                blocks.append(Busy(s, e, status, item.text("Subject", "") or ""))
    if person is None and box is None:
        return None
    return sorted(blocks, key=lambda b: b.start)


@operation("GetUserAvailabilityRequest")
def get_user_availability(ctx: Context, req: Element) -> Element:
    options = req.find(q("t:FreeBusyViewOptions"))
    window = options.find(q("t:TimeWindow"))
    start = parse_dt(window.findtext(q("t:StartTime")) or "")
    end = parse_dt(window.findtext(q("t:EndTime")) or "")
    interval = int(options.findtext(q("t:MergedFreeBusyIntervalInMinutes")) or 30)
    view = options.findtext(q("t:RequestedView")) or "DetailedMerged"
    tz_id = ctx.tz_id
    resp = el("m:GetUserAvailabilityResponse")
    array = sub(resp, "m:FreeBusyResponseArray")
    for data in req.find(q("m:MailboxDataArray")):
        address = data.findtext(f"{q('t:Email')}/{q('t:Address')}") or ""
        answer = sub(array, "m:FreeBusyResponse")
        blocks = busy_of(ctx, address, start, end)
        if blocks is None:
            answer.append(
                response_message(
                    "m:ResponseMessage",
                    "ErrorMailRecipientNotFound",
                    f"No mailbox or directory entry for {address}.",
                )
            )
            continue
        answer.append(response_message("m:ResponseMessage"))
        fb = sub(answer, "m:FreeBusyView")
        sub(fb, "t:FreeBusyViewType", view)
        if "Merged" in view:
            sub(fb, "t:MergedFreeBusy", merged(blocks, start, end, interval))
        events = sub(fb, "t:CalendarEventArray")
        for b in blocks:
            ev = sub(events, "t:CalendarEvent")
            sub(ev, "t:StartTime", _local(b.start, tz_id))
            sub(ev, "t:EndTime", _local(b.end, tz_id))
            sub(ev, "t:BusyType", b.status)
            if "Detailed" in view:
                det = sub(ev, "t:CalendarEventDetails")
                sub(det, "t:Subject", b.subject)
                for flag in (
                    "IsMeeting",
                    "IsRecurring",
                    "IsException",
                    "IsReminderSet",
                    "IsPrivate",
                ):
                    sub(det, f"t:{flag}", False)
        person = ctx.state.directory.get(address)
        wh = sub(fb, "t:WorkingHours")
        tz = sub(wh, "t:TimeZone")
        sub(tz, "t:Bias", 0)
        for tag in ("t:StandardTime", "t:DaylightTime"):
            part = sub(tz, tag)
            sub(part, "t:Bias", 0)
            sub(part, "t:Time", "00:00:00")
            sub(part, "t:DayOrder", 1)
            sub(part, "t:Month", 1 if tag == "t:StandardTime" else 12)
            sub(part, "t:DayOfWeek", "Sunday")
        periods = sub(wh, "t:WorkingPeriodArray")
        period = sub(periods, "t:WorkingPeriod")
        sub(period, "t:DayOfWeek", WEEKDAYS)
        ws = (person.work_start if person else "09:00").split(":")
        we = (person.work_end if person else "17:00").split(":")
        sub(period, "t:StartTimeInMinutes", int(ws[0]) * 60 + int(ws[1]))
        sub(period, "t:EndTimeInMinutes", int(we[0]) * 60 + int(we[1]))
    return resp
