"""Events: create (meetings with attendees, holds without), PATCH, DELETE, cancel, lists.

Meeting mail is what the EWS face does with SendToAllAndSaveCopy: the item records that the
request was sent and attendees with a sandbox mailbox get it; a change raises the sequence
number and goes to them as an update. A meeting saved with ``isDraft: true`` is Exchange
Online's draft meeting: nothing goes to the attendees until a PATCH sets ``isDraft`` false
(or Outlook's Send), and deleting it sends no cancellation.
"""

from __future__ import annotations

from ..mailbox import Item
from ..mailflow import invite_attendees, prepare_calendar
from . import convert, ids, render
from .delta import window
from .routing import GraphError, Reply, Request, route


def _has_attendees(item: Item) -> bool:
    return any(
        item.get(n) is not None and len(item.get(n))
        for n in ("RequiredAttendees", "OptionalAttendees", "Resources")
    )


def _entity(req: Request, item: Item, status: int = 200) -> Reply:
    """The event as Graph answers a create or a change."""
    return render.entity(req, "events", convert.event(req, req.mailbox, item), status)


@route("POST", "/events")
def create_event(req: Request) -> Reply:
    return _create(req)


@route("POST", "/calendar/events")
def create_calendar_event(req: Request) -> Reply:
    return _create(req)


def _create(req: Request) -> Reply:
    box = req.mailbox
    data = req.json_body()
    txid = data.get("transactionId")
    if txid:  # a retried POST answers the event the first one made
        for item in box.in_folder(box.folder("calendar")):
            if item.text(convert.TRANSACTION) == txid:
                return _entity(req, item, 201)
    now = req.state.clock()
    trial = Item("", "", "CalendarItem", "", {}, now, now)
    if "start" not in data or "end" not in data:
        raise GraphError(400, "ErrorInvalidRequest", "An event needs a start and an end.")
    convert.apply_event(trial, data)
    item = box.add("calendar", "CalendarItem", trial.fields)
    draft = bool(data.get("isDraft")) and _has_attendees(item)
    if _has_attendees(item) and not draft:
        prepare_calendar(box, item, "SendToAllAndSaveCopy")
        invite_attendees(req.state, box, item, "NewMeetingRequest")
    else:
        prepare_calendar(box, item, "SendToNone")
    item.set("IsDraft", draft)
    return _entity(req, item, 201)


@route("GET", "/events/{id}")
def get_event(req: Request) -> Reply:
    box = req.mailbox
    item = render.event_item(req, req.args[0])
    return render.entity(req, "events", render.event(req, box, item))


@route("PATCH", "/events/{id}")
def update_event(req: Request) -> Reply:
    box = req.mailbox
    item = render.event_item(req, req.args[0])
    data = req.json_body()
    moved = render.change(item, lambda trial: convert.apply_event(trial, data))
    if "isDraft" in data:
        item.set("IsDraft", bool(data["isDraft"]) and _has_attendees(item))
    if _has_attendees(item) and item.text("IsDraft") != "true":
        prepare_calendar(box, item, "SendToAllAndSaveCopy")
        if moved:  # a new time raises the sequence, as Exchange does
            seq = int(item.text("AppointmentSequenceNumber", "0") or 0)
            item.set("AppointmentSequenceNumber", seq + 1)
        invite_attendees(req.state, box, item, "FullUpdate")
    box.touch(item)
    return _entity(req, item)


@route("DELETE", "/events/{id}")
def delete_event(req: Request) -> Reply:
    """The organizer deletes: attendees get a cancellation; the item goes to Deleted Items."""
    box = req.mailbox
    item = render.event_item(req, req.args[0])
    if _has_attendees(item) and item.text("IsDraft") != "true":
        item.set("IsCancelled", True)
    box.move(item, "deleteditems")
    return Reply(204)


@route("POST", "/events/{id}/cancel")
def cancel_event(req: Request) -> Reply:
    """Cancel a meeting the user organizes: a cancellation to attendees, off the calendar."""
    box = req.mailbox
    item = render.event_item(req, req.args[0])
    if item.text("IsOrganizer", "true") != "true":
        raise GraphError(
            400,
            "ErrorAccessDenied",
            "Your request can't be completed. You need to be an organizer to cancel a meeting.",
        )
    item.set("IsCancelled", True)
    item.set("Subject", f"Canceled: {item.text('Subject', '')}")
    seq = int(item.text("AppointmentSequenceNumber", "0") or 0)
    item.set("AppointmentSequenceNumber", seq + 1)
    box.touch(item)
    box.move(item, "deleteditems")
    return Reply(202)


def _calendar_items(req: Request) -> list[Item]:
    box = req.mailbox
    return list(box.in_folder(box.folder("calendar")))


@route("GET", "/events")
def list_events(req: Request) -> Reply:
    return Reply(200, render.page(req, _calendar_items(req), "events", default_order=None))


@route("GET", "/calendar/events")
def list_calendar_events(req: Request) -> Reply:
    return list_events(req)


@route("GET", "/calendarView")
@route("GET", "/calendar/calendarView")
def calendar_view(req: Request) -> Reply:
    start, end = window(req, None)
    items = [
        i
        for i in _calendar_items(req)
        if (i.when("Start") or start) < end and (i.when("End") or end) > start
    ]
    items.sort(key=lambda i: i.when("Start") or start)
    return Reply(200, render.page(req, items, "events", default_order=None, default_top=10))


@route("GET", "/calendar")
def get_calendar(req: Request) -> Reply:
    box = req.mailbox
    cal = box.folder("calendar")
    return Reply(
        200,
        {
            "@odata.context": req.context("calendar/$entity"),
            "id": ids.to_graph(cal.id),
            "name": cal.name,
            "changeKey": cal.change_key,
            "canEdit": True,
            "canShare": True,
            "canViewPrivateItems": True,
            "isDefaultCalendar": True,
            "isRemovable": False,
            "owner": {"name": box.name, "address": box.address},
        },
    )
