"""SyncFolderItems with opaque sync states.

A sync state names a snapshot of what the client has seen (syncstate.py); the next sync
diffs the folder against it, so paging and restarts stay exact.
"""

from __future__ import annotations

import base64
import uuid

from .. import syncstate
from ..mailbox import Mailbox
from ..render import Shape, render_item
from ..xml import Element, el, q, sub
from .base import Context, OperationError, operation, respond


def _save(box: Mailbox, folder_id: str, seen: dict[str, str]) -> str:
    token = base64.b64encode(b"H4sIAAAAAAAEAO29B2AcSZYl" + uuid.uuid4().bytes).decode()
    return syncstate.save(box, token, folder_id, seen)


@operation("SyncFolderItems")
def sync_folder_items(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:ItemShape")))

    def answer(ref: Element, msg: Element) -> None:
        box, folder = ctx.folder(ref)
        token = req.findtext(q("m:SyncState"))
        seen: dict[str, str] = {}
        if token:
            snap = box.snapshots.get(token)
            if snap is None or snap["folder"] != folder.id:
                raise OperationError(
                    "ErrorInvalidSyncStateData",
                    "Synchronization state data is corrupt or otherwise invalid.",
                )
            seen = dict(snap["items"])
        skipped = req.find(q("m:Ignore"))
        ignore = {i.get("Id") for i in skipped} if skipped is not None else set()
        limit = int(req.findtext(q("m:MaxChangesReturned")) or 512)
        current = {i.id: i for i in box.in_folder(folder)}
        changes = syncstate.changes(current, seen, ignore)
        for iid in ignore & current.keys():  # the client has it (it made it): the state moves past
            seen[iid] = current[iid].change_key
        page, rest = changes[:limit], changes[limit:]
        out = el("m:Changes")
        for kind, iid in page:
            node = sub(out, f"t:{kind}")
            if kind == "Delete":
                sub(node, "t:ItemId", attrs={"Id": iid, "ChangeKey": seen[iid]})
                del seen[iid]
            else:
                node.append(render_item(box, current[iid], shape))
                seen[iid] = current[iid].change_key
        sub(msg, "m:SyncState", _save(box, folder.id, seen))
        sub(msg, "m:IncludesLastItemInRange", not rest)
        msg.append(out)

    return respond("SyncFolderItems", [req.find(q("m:SyncFolderId"))[0]], answer)
