"""CreateItem, GetItem, UpdateItem, DeleteItem, MoveItem and SendItem."""

from __future__ import annotations

from ..attachments import ids_only
from ..fileattachment import AttachmentError
from ..mailbox import Item
from ..mailflow import invite_attendees, prepare_calendar, send, stamp
from ..render import Shape, render_item
from ..xml import Element, el, local, q, sub, to_str
from .base import Context, OperationError, operation, respond

KINDS = {"Message", "CalendarItem"}


def fields_of(node: Element) -> dict[str, list[str]]:
    """Group an item element's children by name, keeping them exactly as sent."""
    out: dict[str, list[str]] = {}
    for child in node:
        out.setdefault(local(child), []).append(to_str(child))
    return out


def id_only(item: Item) -> Element:
    """The new or changed item as Exchange answers: its id (and its attachments' ids)."""
    node = el(f"t:{item.kind}")
    sub(node, "t:ItemId", attrs={"Id": item.id, "ChangeKey": item.change_key})
    if item.get("Attachments") is not None:
        node.append(ids_only(item))
    return node


@operation("CreateItem")
def create_item(ctx: Context, req: Element) -> Element:
    disposition = req.get("MessageDisposition", "SaveOnly")
    invitations = req.get("SendMeetingInvitations")
    saved = req.find(q("m:SavedItemFolderId"))

    def answer(node: Element, msg: Element) -> None:
        kind = local(node)
        if kind not in KINDS:
            raise OperationError("ErrorInvalidRequest", f"The sandbox cannot create {kind}.")
        if saved is not None:
            box, folder = ctx.folder(saved[0])
            target = folder.id
        else:
            box = ctx.mailbox()
            target = "calendar" if kind == "CalendarItem" else "drafts"
        fields = fields_of(node)
        items = sub(msg, "m:Items")
        try:
            if kind == "Message" and disposition in ("SendOnly", "SendAndSaveCopy"):
                draft = Item("", "", kind, "", fields, ctx.state.clock(), ctx.state.clock())
                send(
                    ctx.state,
                    box,
                    draft,
                    save_copy=disposition == "SendAndSaveCopy",
                    saved_folder=target if saved is not None else "sentitems",
                )
                return
            item = box.add(target, kind, fields)
            if kind == "Message":
                item.set("IsDraft", True)
                stamp(box, item)
            else:
                prepare_calendar(box, item, invitations)
                if item.text("IsMeeting") == "true" and invitations not in (None, "SendToNone"):
                    invite_attendees(ctx.state, box, item, "NewMeetingRequest")
        except AttachmentError as e:
            raise OperationError("ErrorInvalidRequest", str(e)) from None
        items.append(id_only(item))

    return respond("CreateItem", req.find(q("m:Items")), answer)


@operation("GetItem")
def get_item(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:ItemShape")))

    def answer(ref: Element, msg: Element) -> None:
        box, item = ctx.item(ref)
        sub(msg, "m:Items").append(render_item(box, item, shape))

    return respond("GetItem", req.find(q("m:ItemIds")), answer)


def _apply(item: Item, change: Element) -> None:
    """Apply one SetItemField / AppendToItemField / DeleteItemField."""
    kind = local(change)
    path = change[0]
    if local(path) == "ExtendedFieldURI":
        if kind == "DeleteItemField":
            item.remove_extended(path)
        else:
            for prop in change[1].findall(q("t:ExtendedProperty")):
                item.set_extended(prop)
        return
    name = (path.get("FieldURI") or "").split(":")[-1]
    if kind == "DeleteItemField":
        item.remove(name)
        return
    value = change[1].find(q(f"t:{name}"))
    if value is None:
        raise OperationError("ErrorInvalidPropertySet", f"No value for {name}.")
    if kind == "AppendToItemField" and item.get(name) is not None:
        current = item.get(name)
        for child in value:
            current.append(child)
        item.set(name, current)
    else:
        item.set(name, value)


@operation("UpdateItem")
def update_item(ctx: Context, req: Element) -> Element:
    disposition = req.get("MessageDisposition", "SaveOnly")

    def answer(change: Element, msg: Element) -> None:
        box, item = ctx.item(change.find(q("t:ItemId")))
        for update in change.find(q("t:Updates")):
            _apply(item, update)
        if item.kind == "CalendarItem" and req.get(
            "SendMeetingInvitationsOrCancellations"
        ) not in (None, "SendToNone"):
            seq = int(item.text("AppointmentSequenceNumber", "0") or 0)
            item.set("AppointmentSequenceNumber", seq + 1)
            if item.text("IsMeeting") == "true":
                invite_attendees(ctx.state, box, item, "FullUpdate")
        box.touch(item)
        items = sub(msg, "m:Items")
        if item.kind == "Message" and disposition in ("SendOnly", "SendAndSaveCopy"):
            send(ctx.state, box, item, save_copy=disposition == "SendAndSaveCopy")
        else:
            items.append(id_only(item))
        sub(sub(msg, "m:ConflictResults"), "t:Count", 0)

    return respond("UpdateItem", req.find(q("m:ItemChanges")), answer)


@operation("DeleteItem")
def delete_item(ctx: Context, req: Element) -> Element:
    how = req.get("DeleteType", "MoveToDeletedItems")

    def answer(ref: Element, msg: Element) -> None:
        box, item = ctx.item(ref)
        if how == "MoveToDeletedItems" and item.folder_id != box.folder("deleteditems").id:
            box.move(item, "deleteditems")
        else:
            box.delete(item)

    return respond("DeleteItem", req.find(q("m:ItemIds")), answer)


@operation("MoveItem")
def move_item(ctx: Context, req: Element) -> Element:
    def answer(ref: Element, msg: Element) -> None:
        _, folder = ctx.folder(req.find(q("m:ToFolderId"))[0])  # its error answers every id
        box, item = ctx.item(ref)
        try:
            moved = box.move(item, folder.id)
        except KeyError as e:
            raise OperationError("ErrorMoveCopyFailed", str(e)) from None
        sub(msg, "m:Items").append(id_only(moved))

    return respond("MoveItem", req.find(q("m:ItemIds")), answer)


@operation("SendItem")
def send_item(ctx: Context, req: Element) -> Element:
    save = req.get("SaveItemToFolder", "true") == "true"
    saved_ref = req.find(q("m:SavedItemFolderId"))

    def answer(ref: Element, msg: Element) -> None:
        box, item = ctx.item(ref)
        target = ctx.folder(saved_ref[0])[1].id if saved_ref is not None else "sentitems"
        send(ctx.state, box, item, save_copy=save, saved_folder=target)

    return respond("SendItem", req.find(q("m:ItemIds")), answer)
