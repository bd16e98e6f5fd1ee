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
from ..xml import Element, el, q, response_message, sub
from .base import Context, OperationError, operation


def _save(box: Mailbox, folder_id: str, seen: dict[str, str]) -> str:
    token = base64.b64encode(b"H4sIAAAAAAAEAO29B2AcSZYl" + uuid.uuid4().bytes).decode()
    return syncstate.save(box, token, folder_id, seen)


def _error(code: str, text: str) -> Element:
    msg = response_message("m:SyncFolderItemsResponseMessage", code, text)
    sub(msg, "m:SyncState", "")
    sub(msg, "m:IncludesLastItemInRange", True)
    return msg


@operation("SyncFolderItems")
def sync_folder_items(ctx: Context, req: Element) -> Element:
    resp = el("m:SyncFolderItemsResponse")
    msgs = sub(resp, "m:ResponseMessages")
    shape = Shape.parse(req.find(q("m:ItemShape")))
    try:
        box, folder = ctx.folder(req.find(q("m:SyncFolderId"))[0])
    except OperationError as e:
        msgs.append(_error(e.code, e.text))
        return resp
    token = req.findtext(q("m:SyncState"))
    seen: dict[str, str] = {}
    if token:
        snap = box.snapshots.get(token)
        if snap is None or snap["folder"] != folder.id:
            msgs.append(
                _error(
                    "ErrorInvalidSyncStateData",
                    "Synchronization state data is corrupt or otherwise invalid.",
                )
            )
            return resp
        seen = dict(snap["items"])
    skipped = req.find(q("m:Ignore"))
    ignore = {i.get("Id") for i in skipped} if skipped is not None else set()
    limit = int(req.findtext(q("m:MaxChangesReturned")) or 512)
    current = {i.id: i for i in box.in_folder(folder)}
    changes = syncstate.changes(current, seen, ignore)
    for iid in ignore & current.keys():  # the client has it (it made it): the state moves past
        seen[iid] = current[iid].change_key
    page, rest = changes[:limit], changes[limit:]
    msg = response_message("m:SyncFolderItemsResponseMessage")
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
    msgs.append(msg)
    return resp
