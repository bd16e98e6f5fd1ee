"""GetFolder and FindFolder over the well-known folders."""

from __future__ import annotations

from ..render import Shape, render_folder
from ..xml import Element, q, sub
from .base import Context, operation, respond


@operation("GetFolder")
def get_folder(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:FolderShape")))

    def answer(ref: Element, msg: Element) -> None:
        box, folder = ctx.folder(ref)
        sub(msg, "m:Folders").append(render_folder(box, folder, shape))

    return respond("GetFolder", req.find(q("m:FolderIds")), answer)


@operation("FindFolder")
def find_folder(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:FolderShape")))
    deep = req.get("Traversal") == "Deep"

    def answer(ref: Element, msg: Element) -> None:
        box, parent = ctx.folder(ref)
        found, frontier = [], [parent.id]
        while frontier:
            kids = [f for f in box.folders.values() if f.parent_id in frontier]
            found += kids
            frontier = [f.id for f in kids] if deep else []
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

    return respond("FindFolder", req.find(q("m:ParentFolderIds")), answer)
