"""Delta: per mail folder (messages/delta) and over a calendar window (calendarView/delta).

A token ($skiptoken on a next page, $deltatoken once caught up) names a snapshot of what
the client has seen (syncstate.py, shared with EWS's SyncFolderItems), so the
`invalidate_sync_states` control breaks both. An unknown token is 410 syncStateNotFound:
the client starts over (and sees everything again as new).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .. import syncstate
from ..mailbox import Item
from . import ids, render
from .routing import GraphError, Reply, Request, route
from .times import iso, parse_local

DEFAULT_PAGE = 10
MAX_PAGE = 1000


def _token() -> str:
    return base64.urlsafe_b64encode(b"\x01\x00" + uuid.uuid4().bytes).decode().rstrip("=")


def _gone() -> GraphError:
    return GraphError(
        410,
        "syncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be "
        "synchronized again.",
    )


def _page_size(req: Request) -> int:
    asked = req.prefer("odata.maxpagesize")
    if asked is None:
        return DEFAULT_PAGE
    try:
        size = max(1, min(int(asked), MAX_PAGE))
    except ValueError:
        return DEFAULT_PAGE
    req.applied.append(f"odata.maxpagesize={size}")
    return size


def _snapshot(req: Request, scope: str) -> dict[str, Any] | None:
    """The snapshot the request's token names (None on a first request); 410 if unknown."""
    token = req.query.get("$deltatoken") or req.query.get("$skiptoken")
    if not token:
        return None
    snap = req.mailbox.snapshots.get(token)
    if snap is None or snap.get("folder") != scope:
        raise _gone()
    return snap


def _answer(
    req: Request,
    scope: str,
    current: dict[str, Item],
    snap: dict[str, Any] | None,
    render_one: Callable[[Item], dict[str, Any]],
    path: str,
    context: str,
    **keep: Any,
) -> Reply:
    seen: dict[str, str] = dict(snap["items"]) if snap else {}
    #: the immutable id of each item seen, to name it once it is gone
    names: dict[str, str] = dict(snap.get("names") or {}) if snap else {}
    changes = syncstate.changes(current, seen)
    size = _page_size(req)
    chunk, rest = changes[:size], changes[size:]
    value = []
    for kind, iid in chunk:
        if kind == "Delete":
            gone = names.pop(iid, "") if req.immutable else ""
            value.append({"id": ids.to_graph(gone or iid), "@removed": {"reason": "deleted"}})
            del seen[iid]
        else:
            value.append(render_one(current[iid]))
            seen[iid] = current[iid].change_key
            names[iid] = current[iid].immutable_id
    token = syncstate.save(req.mailbox, _token(), scope, seen, face="graph", names=names, **keep)
    out: dict[str, Any] = {"@odata.context": req.sandbox.graph_url + f"/$metadata#{context}"}
    if rest:
        out["@odata.nextLink"] = req.link(path, **{"$skiptoken": token})
    else:
        out["@odata.deltaLink"] = req.link(path, **{"$deltatoken": token})
    out["value"] = value
    return Reply(200, out)


@route("GET", "/mailFolders/{id}/messages/delta")
def message_delta(req: Request) -> Reply:
    box = req.mailbox
    folder = render.mail_folder(req, req.args[0])
    snap = _snapshot(req, folder.id)
    for option in ("select", "expand"):  # a token keeps the first request's options
        value = (snap or {}).get(option) or req.query.get(f"${option}")
        if value:
            req.query[f"${option}"] = value
    current = {i.id: i for i in box.in_folder(folder) if i.kind in render.MAIL_KINDS}
    return _answer(
        req,
        folder.id,
        current,
        snap,
        lambda item: render.message(req, box, item),
        f"/mailFolders/{req.args[0]}/messages/delta",
        "Collection(message)",
        select=req.query.get("$select"),
        expand=req.query.get("$expand"),
    )


def window(req: Request, snap: dict[str, Any] | None) -> tuple[datetime, datetime]:
    """A calendar view's window: the token's, else startDateTime/endDateTime (400 without)."""
    if snap is not None:
        return parse_local(snap["start"], "UTC"), parse_local(snap["end"], "UTC")
    low = {k.lower(): v for k, v in req.query.items()}
    try:
        return parse_local(low["startdatetime"], "UTC"), parse_local(low["enddatetime"], "UTC")
    except (KeyError, ValueError):
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters "
            "StartDateTime and EndDateTime.",
        ) from None


@route("GET", "/calendarView/delta")
def calendar_delta(req: Request) -> Reply:
    box = req.mailbox
    calendar = box.folder("calendar")
    snap = _snapshot(req, calendar.id)
    start, end = window(req, snap)
    current = {
        i.id: i
        for i in box.in_folder(calendar)
        if (i.when("Start") or start) < end and (i.when("End") or end) > start
    }
    return _answer(
        req,
        calendar.id,
        current,
        snap,
        lambda item: render.event(req, box, item),
        "/calendarView/delta",
        "Collection(event)",
        start=iso(start),
        end=iso(end),
    )
