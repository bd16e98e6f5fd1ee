"""CreateAttachment, GetAttachment and DeleteAttachment (file attachments only).

exchangelib sends a new item's attachments inside CreateItem (Exchange 2013 and
later); CreateAttachment is how it adds one to an item that already exists
(``item.attach()``), GetAttachment how it reads the content.
"""

from __future__ import annotations

from .. import attachments, fileattachment
from ..xml import Element, local, q, sub
from .base import ITEM_NOT_FOUND, Context, OperationError, operation, respond


@operation("CreateAttachment")
def create_attachment(ctx: Context, req: Element) -> Element:
    given = list(req.find(q("m:Attachments")))
    made: list[Element | OperationError] = []
    try:
        box, item = ctx.item(req.find(q("m:ParentItemId")))
    except OperationError as e:
        made = [e for _ in given]  # the parent's error answers every attachment
    else:
        for node in given:
            try:
                stored = fileattachment.stored(node, ctx.state.clock())
            except fileattachment.AttachmentError as e:
                made.append(OperationError("ErrorInvalidRequest", str(e)))
                continue
            attachments.add(item, stored)
            made.append(stored)
        if any(not isinstance(m, OperationError) for m in made):
            box.touch(item)  # the parent's change key changes, as on Exchange

    def answer(result: Element | OperationError, msg: Element) -> None:
        if isinstance(result, OperationError):
            raise result
        only_id = sub(sub(msg, "m:Attachments"), "t:FileAttachment")
        ids = {"Id": fileattachment.attachment_id(result), "RootItemId": item.id}
        sub(only_id, "t:AttachmentId", attrs={**ids, "RootItemChangeKey": item.change_key})

    return respond("CreateAttachment", made, answer)


@operation("GetAttachment")
def get_attachment(ctx: Context, req: Element) -> Element:
    def answer(ref: Element, msg: Element) -> None:
        found = attachments.find(ctx.state.mailboxes.values(), ref.get("Id", ""))
        if local(ref) != "AttachmentId" or found is None:
            raise OperationError(*ITEM_NOT_FOUND)
        sub(msg, "m:Attachments").append(fileattachment.render(found[2], content=True))

    return respond("GetAttachment", req.find(q("m:AttachmentIds")), answer)


@operation("DeleteAttachment")
def delete_attachment(ctx: Context, req: Element) -> Element:
    def answer(ref: Element, msg: Element) -> None:
        wanted = ref.get("Id", "")
        found = attachments.find(ctx.state.mailboxes.values(), wanted)
        if found is None:
            raise OperationError(*ITEM_NOT_FOUND)
        box, item, _ = found
        attachments.remove(item, wanted)
        box.touch(item)
        sub(
            msg,
            "m:RootItemId",
            attrs={"RootItemId": item.id, "RootItemChangeKey": item.change_key},
        )

    return respond("DeleteAttachment", req.find(q("m:AttachmentIds")), answer)
