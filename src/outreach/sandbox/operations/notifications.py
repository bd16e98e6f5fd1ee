"""Subscribe / GetEvents / Unsubscribe: pull notifications over the mailbox journal."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

from ..mailbox import Mailbox
from ..xml import Element, fmt_dt, parse_dt, q, sub
from .base import Context, OperationError, operation, respond

PAGE = 50


def watermark(seq: int) -> str:
    return base64.b64encode(f"AQAAAA{seq:012d}".encode()).decode()


def seq_of(mark: str) -> int:
    try:
        return int(base64.b64decode(mark).decode()[6:])
    except ValueError:
        raise OperationError("ErrorInvalidWatermark", "The watermark is invalid.") from None


def _find(ctx: Context, sid: str) -> tuple[Mailbox, dict]:
    for box in ctx.state.mailboxes.values():
        if sid in box.subscriptions:
            sub_ = box.subscriptions[sid]
            last = parse_dt(sub_["last_poll"])
            if ctx.state.clock() - last > timedelta(minutes=int(sub_["timeout"])):
                del box.subscriptions[sid]
                raise OperationError("ErrorExpiredSubscription", "The subscription has expired.")
            return box, sub_
    raise OperationError("ErrorSubscriptionNotFound", "The specified subscription was not found.")


@operation("Subscribe")
def subscribe(ctx: Context, req: Element) -> Element:
    def answer(pull: Element | None, msg: Element) -> None:
        if pull is None:
            raise OperationError(
                "ErrorInvalidSubscriptionRequest", "The sandbox supports pull subscriptions only."
            )
        folders = pull.find(q("t:FolderIds"))
        refs = [ctx.folder(f) for f in folders] if folders is not None else []
        box = refs[0][0] if refs else ctx.mailbox()
        mark = pull.findtext(q("m:Watermark"))
        sid = base64.b64encode(
            b"\x10\x00" + uuid.uuid4().bytes + box.address.encode()[:16]
        ).decode()
        box.subscriptions[sid] = {
            "folders": [f.id for _, f in refs],
            "all": pull.get("SubscribeToAllFolders") == "true" or not refs,
            "types": [t.text for t in pull.find(q("t:EventTypes"))],
            "seq": seq_of(mark) if mark else box.seq,
            "timeout": int(pull.findtext(q("t:Timeout")) or 30),
            "last_poll": fmt_dt(ctx.state.clock()),
        }
        sub(msg, "m:SubscriptionId", sid)
        sub(msg, "m:Watermark", watermark(box.subscriptions[sid]["seq"]))

    return respond("Subscribe", [req.find(q("m:PullSubscriptionRequest"))], answer)


@operation("GetEvents")
def get_events(ctx: Context, req: Element) -> Element:
    def answer(sid: str, msg: Element) -> None:
        box, subn = _find(ctx, sid)
        start = seq_of(req.findtext(q("m:Watermark")) or "")
        subn["last_poll"] = fmt_dt(ctx.state.clock())
        wanted = [
            e
            for e in box.events
            if e.seq > start
            and e.type in subn["types"]
            and (
                subn["all"] or e.folder_id in subn["folders"] or e.old_folder_id in subn["folders"]
            )
        ]
        page = wanted[:PAGE]
        note = sub(msg, "m:Notification")
        sub(note, "t:SubscriptionId", sid)
        sub(note, "t:PreviousWatermark", watermark(start))
        sub(note, "t:MoreEvents", len(wanted) > PAGE)
        if not page:
            subn["seq"] = max(start, box.seq)
            status = sub(note, "t:StatusEvent")
            sub(status, "t:Watermark", watermark(subn["seq"]))
        for event in page:
            node = sub(note, f"t:{event.type}")
            sub(node, "t:Watermark", watermark(event.seq))
            sub(node, "t:TimeStamp", event.time)
            sub(node, "t:ItemId", attrs={"Id": event.item_id or ""})
            sub(node, "t:ParentFolderId", attrs={"Id": event.folder_id})
            if event.type == "MovedEvent":
                sub(node, "t:OldItemId", attrs={"Id": event.old_item_id or ""})
                sub(node, "t:OldParentFolderId", attrs={"Id": event.old_folder_id or ""})
            subn["seq"] = event.seq

    return respond("GetEvents", [req.findtext(q("m:SubscriptionId")) or ""], answer)


@operation("Unsubscribe")
def unsubscribe(ctx: Context, req: Element) -> Element:
    def answer(sid: str, msg: Element) -> None:
        box, _ = _find(ctx, sid)
        del box.subscriptions[sid]

    return respond("Unsubscribe", [req.findtext(q("m:SubscriptionId")) or ""], answer)
