"""CreateAttachment, GetAttachment and DeleteAttachment (file attachments only).

exchangelib sends a new item's attachments inside CreateItem (Exchange 2013 and
later); CreateAttachment is how it adds one to an item that already exists
(``item.attach()``), GetAttachment how it reads the content.
"""

from __future__ import annotations

from .. import attachments, fileattachment
from ..xml import Element, el, local, q, response_message, sub
from .base import Context, OperationError, operation

TAG = "m:CreateAttachmentResponseMessage"
NOT_FOUND = ("ErrorItemNotFound", "The specified object was not found in the store.")


def _message(tag: str, code: str = "NoError", text: str | None = None) -> Element:
    """A response message with the m:Attachments the schema wants, even on an error."""
    msg = response_message(tag, code, text)
    sub(msg, "m:Attachments")
    return msg


@operation("CreateAttachment")
def create_attachment(ctx: Context, req: Element) -> Element:
    resp = el("m:CreateAttachmentResponse")
    msgs = sub(resp, "m:ResponseMessages")
    given = list(req.find(q("m:Attachments")))
    try:
        box, item = ctx.item(req.find(q("m:ParentItemId")))
    except OperationError as e:
        for _ in given:
            msgs.append(_message(TAG, e.code, e.text))
        return resp
    made: list[Element | str] = []
    for node in given:
        try:
            stored = fileattachment.stored(node, ctx.state.clock())
        except fileattachment.AttachmentError as e:
            made.append(str(e))
            continue
        attachments.add(item, stored)
        made.append(stored)
    if any(not isinstance(m, str) for m in made):
        box.touch(item)  # the parent's change key changes, as on Exchange
    for result in made:
        if isinstance(result, str):
            msgs.append(_message(TAG, "ErrorInvalidRequest", result))
            continue
        msg = _message(TAG)
        only_id = sub(msg.find(q("m:Attachments")), "t:FileAttachment")
        ids = {"Id": fileattachment.attachment_id(result), "RootItemId": item.id}
        sub(only_id, "t:AttachmentId", attrs={**ids, "RootItemChangeKey": item.change_key})
        msgs.append(msg)
    return resp


@operation("GetAttachment")
def get_attachment(ctx: Context, req: Element) -> Element:
    resp = el("m:GetAttachmentResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:AttachmentIds")):
        found = attachments.find(ctx.state.mailboxes.values(), ref.get("Id", ""))
        if local(ref) != "AttachmentId" or found is None:
            msgs.append(_message("m:GetAttachmentResponseMessage", *NOT_FOUND))
            continue
        msg = _message("m:GetAttachmentResponseMessage")
        msg.find(q("m:Attachments")).append(fileattachment.render(found[2], content=True))
        msgs.append(msg)
    return resp


@operation("DeleteAttachment")
def delete_attachment(ctx: Context, req: Element) -> Element:
    resp = el("m:DeleteAttachmentResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:AttachmentIds")):
        wanted = ref.get("Id", "")
        found = attachments.find(ctx.state.mailboxes.values(), wanted)
        if found is None:
            msgs.append(response_message("m:DeleteAttachmentResponseMessage", *NOT_FOUND))
            continue
        box, item, _ = found
        attachments.remove(item, wanted)
        box.touch(item)
        msg = response_message("m:DeleteAttachmentResponseMessage")
        sub(
            msg,
            "m:RootItemId",
            attrs={"RootItemId": item.id, "RootItemChangeKey": item.change_key},
        )
        msgs.append(msg)
    return resp
