"""GetFolder and FindFolder over the well-known folders."""

from __future__ import annotations

from ..render import Shape, render_folder
from ..xml import Element, el, q, response_message, sub
from .base import Context, OperationError, operation


@operation("GetFolder")
def get_folder(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:FolderShape")))
    resp = el("m:GetFolderResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:FolderIds")):
        try:
            box, folder = ctx.folder(ref)
        except OperationError as e:
            msgs.append(response_message("m:GetFolderResponseMessage", e.code, e.text))
            continue
        msg = response_message("m:GetFolderResponseMessage")
        sub(msg, "m:Folders").append(render_folder(box, folder, shape))
        msgs.append(msg)
    return resp


@operation("FindFolder")
def find_folder(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:FolderShape")))
    deep = req.get("Traversal") == "Deep"
    resp = el("m:FindFolderResponse")
    msgs = sub(resp, "m:ResponseMessages")
    for ref in req.find(q("m:ParentFolderIds")):
        try:
            box, parent = ctx.folder(ref)
        except OperationError as e:
            msgs.append(response_message("m:FindFolderResponseMessage", e.code, e.text))
            continue
        found, frontier = [], [parent.id]
        while frontier:
            kids = [f for f in box.folders.values() if f.parent_id in frontier]
            found += kids
            frontier = [f.id for f in kids] if deep else []
        msg = response_message("m:FindFolderResponseMessage")
        root = sub(
            msg,
            "m:RootFolder",
            attrs={
                "IndexedPagingOffset": str(len(found)),
                "TotalItemsInView": str(len(found)),
                "IncludesLastItemInRange": "true",
            },
        )
        folders = sub(root, "t:Folders")
        for f in found:
            folders.append(render_folder(box, f, shape))
        msgs.append(msg)
    return resp
