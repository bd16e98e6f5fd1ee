"""CreateItem, GetItem, UpdateItem, DeleteItem, MoveItem and SendItem."""

from __future__ import annotations

from ..attachments import ids_only
from ..fileattachment import AttachmentError
from ..mailbox import Item
from ..mailflow import invite_attendees, prepare_calendar, send, stamp
from ..render import Shape, render_item
from ..xml import Element, el, local, q, response_message, sub, to_str
from .base import Context, OperationError, operation

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
    resp = el("m:CreateItemResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for node in req.find(q("m:Items")):
        kind = local(node)
        try:
            if kind not in KINDS:
                raise OperationError("ErrorInvalidRequest", f"The sandbox cannot create {kind}.")
            if saved is not None:
                box, folder = ctx.folder(saved[0])
                target = folder.id
            else:
                box = ctx.mailbox()
                target = "calendar" if kind == "CalendarItem" else "drafts"
            fields = fields_of(node)
            msg = response_message("m:CreateItemResponseMessage")
            items = sub(msg, "m:Items")
            if kind == "Message" and disposition in ("SendOnly", "SendAndSaveCopy"):
                draft = Item("", "", kind, "", fields, ctx.state.clock(), ctx.state.clock())
                send(
                    ctx.state,
                    box,
                    draft,
                    save_copy=disposition == "SendAndSaveCopy",
                    saved_folder=target if saved is not None else "sentitems",
                )
            else:
                item = box.add(target, kind, fields)
                if kind == "Message":
                    item.set("IsDraft", True)
                    stamp(box, item)
                else:
                    prepare_calendar(box, item, invitations)
                    if item.text("IsMeeting") == "true" and invitations not in (None, "SendToNone"):
                        invite_attendees(ctx.state, box, item, "NewMeetingRequest")
                items.append(id_only(item))
            msgs.append(msg)
        except AttachmentError as e:
            code = "ErrorInvalidRequest"
            msgs.append(response_message("m:CreateItemResponseMessage", code, str(e)))
        except OperationError as e:
            msgs.append(response_message("m:CreateItemResponseMessage", e.code, e.text))
    return resp


@operation("GetItem")
def get_item(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:ItemShape")))
    resp = el("m:GetItemResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:ItemIds")):
        try:
            box, item = ctx.item(ref)
        except OperationError as e:
            msgs.append(response_message("m:GetItemResponseMessage", e.code, e.text))
            continue
        msg = response_message("m:GetItemResponseMessage")
        sub(msg, "m:Items").append(render_item(box, item, shape))
        msgs.append(msg)
    return resp


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
    resp = el("m:UpdateItemResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for change in req.find(q("m:ItemChanges")):
        try:
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
            msg = response_message("m:UpdateItemResponseMessage")
            items = sub(msg, "m:Items")
            if item.kind == "Message" and disposition in ("SendOnly", "SendAndSaveCopy"):
                send(ctx.state, box, item, save_copy=disposition == "SendAndSaveCopy")
            else:
                items.append(id_only(item))
            sub(sub(msg, "m:ConflictResults"), "t:Count", 0)
            msgs.append(msg)
        except OperationError as e:
            msgs.append(response_message("m:UpdateItemResponseMessage", e.code, e.text))
    return resp


@operation("DeleteItem")
def delete_item(ctx: Context, req: Element) -> Element:
    how = req.get("DeleteType", "MoveToDeletedItems")
    resp = el("m:DeleteItemResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:ItemIds")):
        try:
            box, item = ctx.item(ref)
            if how == "MoveToDeletedItems" and item.folder_id != box.folder("deleteditems").id:
                box.move(item, "deleteditems")
            else:
                box.delete(item)
            msgs.append(response_message("m:DeleteItemResponseMessage"))
        except OperationError as e:
            msgs.append(response_message("m:DeleteItemResponseMessage", e.code, e.text))
    return resp


@operation("MoveItem")
def move_item(ctx: Context, req: Element) -> Element:
    resp = el("m:MoveItemResponse")
    msgs = sub(resp, "m:ResponseMessages")
    try:
        _, folder = ctx.folder(req.find(q("m:ToFolderId"))[0])
    except OperationError as e:
        for _ in req.find(q("m:ItemIds")):
            msgs.append(response_message("m:MoveItemResponseMessage", e.code, e.text))
        return resp
    for ref in req.find(q("m:ItemIds")):
        try:
            box, item = ctx.item(ref)
            moved = box.move(item, folder.id)
            msg = response_message("m:MoveItemResponseMessage")
            sub(msg, "m:Items").append(id_only(moved))
            msgs.append(msg)
        except (OperationError, KeyError) as e:
            code = e.code if isinstance(e, OperationError) else "ErrorMoveCopyFailed"
            msgs.append(response_message("m:MoveItemResponseMessage", code, str(e)))
    return resp


@operation("SendItem")
def send_item(ctx: Context, req: Element) -> Element:
    save = req.get("SaveItemToFolder", "true") == "true"
    saved_ref = req.find(q("m:SavedItemFolderId"))
    resp = el("m:SendItemResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:ItemIds")):
        try:
            box, item = ctx.item(ref)
            target = ctx.folder(saved_ref[0])[1].id if saved_ref is not None else "sentitems"
            send(ctx.state, box, item, save_copy=save, saved_folder=target)
            msgs.append(response_message("m:SendItemResponseMessage"))
        except OperationError as e:
            msgs.append(response_message("m:SendItemResponseMessage", e.code, e.text))
    return resp
