"""Rendering an item for one request: the JSON, then $select and $expand applied."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from .. import uniquebody
from ..mailbox import Folder, Item, Mailbox
from . import convert, extprops, ids, query
from .routing import GraphError, Reply, Request, not_found

T = TypeVar("T")

#: what a mail folder's messages are (a cancelled meeting in Deleted Items is not one)
MAIL_KINDS = {"Message", "MeetingRequest", "MeetingResponse", "MeetingCancellation"}


def mail_folder(req: Request, key: str) -> Folder:
    """A mail folder by Graph id or well-known name (inbox, drafts, sentitems, ...)."""
    box = req.mailbox
    folder = None
    if key.lower() in {f.distinguished for f in box.folders.values()}:
        folder = box.folder(key.lower())
    else:
        folder = box.folders.get(ids.to_ews(key))
    if folder is None or folder.tag != "t:Folder" or folder.distinguished == "root":
        raise GraphError(
            404, "ErrorItemNotFound", "The specified folder could not be found in the store."
        )
    return folder


def _item(req: Request, graph_id: str) -> Item | None:
    """An item by its Graph id: the current one, or (if asked for) an immutable one."""
    wanted = ids.to_ews(graph_id)
    box = req.mailbox
    found = box.items.get(wanted)
    if found is None and req.immutable:
        found = next((i for i in box.items.values() if i.immutable_id == wanted), None)
    return found


def message_item(req: Request, graph_id: str) -> Item:
    item = _item(req, graph_id)
    if item is None or item.kind not in MAIL_KINDS:
        raise not_found()
    return item


def event_item(req: Request, graph_id: str) -> Item:
    item = _item(req, graph_id)
    if item is None or item.kind != "CalendarItem":
        raise not_found()
    return item


def filter_view(doc: dict[str, Any], item: Item) -> dict[str, Any]:
    """What $filter sees: the JSON plus all extended properties and headers."""
    return {**doc, "singleValueExtendedProperties": extprops.of_item(item)}


def shaped(req: Request, box: Mailbox, item: Item, doc: dict[str, Any]) -> dict[str, Any]:
    """Apply $select and $expand=singleValueExtendedProperties(...) to a rendered item."""
    fields = query.fields_of(req.query)
    out = query.select(doc, fields)
    asked = fields and any(f.lower() == "internetmessageheaders" for f in fields)
    if asked and item.kind in MAIL_KINDS:
        out["internetMessageHeaders"] = convert.headers_of(box, item)
    if item.kind in MAIL_KINDS and fields and any(f.lower() == "uniquebody" for f in fields):
        out["uniqueBody"] = _unique_body(req, box, item)
    if item.kind in MAIL_KINDS and _expands_event(req.query.get("$expand") or ""):
        _add_event(req, box, item, out)
    wanted = query.expand_extended(req.query)
    if wanted is not False:
        props = extprops.of_item(item)
        if wanted is not None:
            props = [p for p in props if wanted(p, {})]
        if props:  # Graph leaves the navigation out when nothing matched
            out["singleValueExtendedProperties"] = props
    return out


def _unique_body(req: Request, box: Mailbox, item: Item) -> dict[str, str]:
    """uniqueBody (only when $select names it): the body without the quoted earlier
    message of its conversation, in the type Prefer asks for (HTML by default)."""
    content, html = uniquebody.of_item(box, item) or ("", False)
    want_html = (req.body_type or "html") == "html"
    content = uniquebody.convert(content, html, want_html)
    return {"contentType": "html" if want_html else "text", "content": content}


_EVENT = re.compile(r"(?:^|,)\s*(?:microsoft\.graph\.eventMessage/)?event(\(([^)]*)\))?", re.I)


def _expands_event(text: str) -> bool:
    return bool(_EVENT.search(text))


def _add_event(req: Request, box: Mailbox, item: Item, out: dict[str, Any]) -> None:
    """$expand=microsoft.graph.eventMessage/event: the calendar item a meeting message is
    about (only its id when the expansion selects just that)."""
    node = item.get("AssociatedCalendarItemId")
    event = box.items.get(node.get("Id") or "") if node is not None else None
    if event is None:
        return
    m = _EVENT.search(req.query.get("$expand") or "")
    inner = (m.group(2) or "") if m else ""
    if re.fullmatch(r"\s*\$select\s*=\s*id\s*", inner, re.I):
        out["event"] = {"id": req.item_id(event)}
    else:
        out["event"] = convert.event(req, box, event)


def entity(req: Request, collection: str, doc: dict[str, Any], status: int = 200) -> Reply:
    """One entity answer, e.g. entity(req, "messages", doc) with its @odata.context."""
    return Reply(status, {"@odata.context": req.context(f"{collection}/$entity"), **doc})


def copy_of(item: Item) -> Item:
    """A detached copy to apply a change to, so a refused change leaves the item as it was."""
    return Item.from_dict(item.to_dict())


def change(item: Item, apply: Callable[[Item], T]) -> T:
    """Apply a change to a copy of the item and keep it only if it applied (a GraphError
    leaves the item as it was); return what ``apply`` returned."""
    trial = copy_of(item)
    result = apply(trial)
    item.fields = trial.fields
    return result


def message(req: Request, box: Mailbox, item: Item) -> dict[str, Any]:
    return shaped(req, box, item, convert.message(req, box, item))


def event(req: Request, box: Mailbox, item: Item) -> dict[str, Any]:
    return shaped(req, box, item, convert.event(req, box, item))


def page(
    req: Request,
    items: list[Item],
    context: str,
    *,
    default_order: str | None,
    default_top: int = 10,
) -> dict[str, Any]:
    """A collection answer: filtered, ordered, one $top page, @odata.nextLink with $skip."""
    box = req.mailbox
    predicate = query.compile_filter(req.query.get("$filter"))
    docs: list[tuple[dict[str, Any], Item]] = []
    for item in items:
        full = (convert.message if item.kind in MAIL_KINDS else convert.event)(req, box, item)
        if predicate is None or predicate(filter_view(full, item), {}):
            docs.append((full, item))
    by_id = {id(d): i for d, i in docs}
    ordered = query.order([d for d, _ in docs], req.query.get("$orderby") or default_order)
    size = query.top(req.query, default_top)
    skip = int(req.query.get("$skip") or 0)
    chunk = ordered[skip : skip + size]
    out: dict[str, Any] = {
        "@odata.context": req.context(context),
        "value": [shaped(req, box, by_id[id(d)], d) for d in chunk],
    }
    if skip + size < len(ordered):
        rest = {k: v for k, v in req.query.items() if k != "$skip"}
        out["@odata.nextLink"] = req.link(_rel(req), **rest, **{"$skip": str(skip + size)})
    return out


def _rel(req: Request) -> str:
    """The request path below its user prefix (e.g. /mailFolders/inbox/messages)."""
    path = req.path
    low = path.lower()
    if low.startswith("/me"):
        return path[3:]
    parts = path.split("/", 3)
    return "/" + parts[3] if len(parts) > 3 else ""
