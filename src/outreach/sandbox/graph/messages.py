"""Mail folders and messages: drafts, PATCH, DELETE, send, sendMail, move, lists, attachments."""

from __future__ import annotations

from typing import Any

from .. import attachments
from ..fileattachment import attachment_id
from ..mailbox import Item
from ..mailflow import send, stamp
from ..xml import Element
from . import convert, ids, render
from .routing import GraphError, Reply, Request, not_found, route


@route("GET", "/mailFolders")
def list_folders(req: Request) -> Reply:
    box = req.mailbox
    top = box.folder("msgfolderroot")
    folders = [f for f in box.folders.values() if f.parent_id == top.id and f.tag == "t:Folder"]
    return Reply(
        200,
        {
            "@odata.context": req.context("mailFolders"),
            "value": [convert.folder_json(box, f) for f in folders],
        },
    )


@route("GET", "/mailFolders/{id}")
def get_folder(req: Request) -> Reply:
    folder = render.mail_folder(req, req.args[0])
    return Reply(
        200,
        {
            "@odata.context": req.context("mailFolders/$entity"),
            **convert.folder_json(req.mailbox, folder),
        },
    )


def _new_message(req: Request, data: dict[str, Any]) -> Item:
    """A message built from a Graph body, not yet in a folder (nothing stored on an error)."""
    now = req.state.clock()
    draft = Item("", "", "Message", "", {}, now, now)
    convert.apply_message(draft, data, now)
    return draft


def _entity(req: Request, item: Item, status: int = 201) -> Reply:
    """The message as Graph answers a create, a move or a change."""
    return render.entity(req, "messages", convert.message(req, req.mailbox, item), status)


@route("POST", "/messages")
def create_message(req: Request) -> Reply:
    return _create_in(req, "drafts")


@route("POST", "/mailFolders/{id}/messages")
def create_in_folder(req: Request) -> Reply:
    return _create_in(req, render.mail_folder(req, req.args[0]).id)


def _create_in(req: Request, folder: str) -> Reply:
    box = req.mailbox
    draft = _new_message(req, req.json_body())
    item = box.add(folder, "Message", draft.fields)
    item.set("IsDraft", True)
    stamp(box, item)
    return _entity(req, item)


@route("GET", "/messages/{id}")
def get_message(req: Request) -> Reply:
    box = req.mailbox
    item = render.message_item(req, req.args[0])
    return render.entity(req, "messages", render.message(req, box, item))


@route("PATCH", "/messages/{id}")
def update_message(req: Request) -> Reply:
    box = req.mailbox
    item = render.message_item(req, req.args[0])
    data = req.json_body()
    render.change(item, lambda trial: convert.apply_message(trial, data, req.state.clock()))
    box.touch(item)
    return _entity(req, item, 200)


@route("DELETE", "/messages/{id}")
def delete_message(req: Request) -> Reply:
    """Graph's DELETE moves the message to Deleted Items (gone if it is already there)."""
    box = req.mailbox
    item = render.message_item(req, req.args[0])
    if item.folder_id == box.folder("deleteditems").id:
        box.delete(item)
    else:
        box.move(item, "deleteditems")
    return Reply(204)


@route("POST", "/messages/{id}/send")
def send_draft(req: Request) -> Reply:
    """Send a draft: 202, the Sent Items copy gets a new id (Exchange Online's behaviour)."""
    box = req.mailbox
    item = render.message_item(req, req.args[0])
    if item.text("IsDraft") != "true":
        raise GraphError(400, "ErrorInvalidOperation", "Only a draft can be sent.")
    if not _recipients(item):
        raise GraphError(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid., A message can't be sent because "
            "it contains no recipients.",
        )
    send(req.state, box, item)
    return Reply(202)


def _recipients(item: Item) -> list[str]:
    return [a for n in ("ToRecipients", "CcRecipients", "BccRecipients") for a in item.addresses(n)]


@route("POST", "/sendMail")
def send_mail(req: Request) -> Reply:
    data = req.json_body()
    message = next((v for k, v in data.items() if k.lower() == "message"), None)
    if not isinstance(message, dict):
        raise GraphError(400, "ErrorInvalidRequest", "sendMail needs a message.")
    save = next((v for k, v in data.items() if k.lower() == "savetosentitems"), True)
    draft = _new_message(req, message)
    if not _recipients(draft):
        raise GraphError(400, "ErrorInvalidRecipients", "The message has no recipients.")
    send(req.state, req.mailbox, draft, save_copy=save is not False)
    return Reply(202)


@route("POST", "/messages/{id}/move")
def move_message(req: Request) -> Reply:
    box = req.mailbox
    item = render.message_item(req, req.args[0])
    data = req.json_body()
    dest = next((v for k, v in data.items() if k.lower() == "destinationid"), None)
    if not isinstance(dest, str):
        raise GraphError(400, "ErrorInvalidRequest", "move needs a destinationId.")
    folder = render.mail_folder(req, dest)
    moved = box.move(item, folder.id)
    return _entity(req, moved)


def _no_search(req: Request) -> None:
    """$search on messages is not played: refuse it rather than answer unfiltered."""
    if "$search" in req.query:
        raise GraphError(
            400, "BadRequest", "The sandbox does not implement $search on messages; use $filter."
        )


@route("GET", "/messages")
def list_messages(req: Request) -> Reply:
    _no_search(req)
    box = req.mailbox
    mail = {f.id for f in box.folders.values() if f.tag == "t:Folder"}
    items = [i for i in box.items.values() if i.folder_id in mail and i.kind in render.MAIL_KINDS]
    return _page(req, items)


@route("GET", "/mailFolders/{id}/messages")
def list_folder_messages(req: Request) -> Reply:
    _no_search(req)
    box = req.mailbox
    folder = render.mail_folder(req, req.args[0])
    items = [i for i in box.in_folder(folder) if i.kind in render.MAIL_KINDS]
    return _page(req, items)


def _page(req: Request, items: list[Item]) -> Reply:
    """A page of messages, newest first unless $orderby says otherwise."""
    return Reply(200, render.page(req, items, "messages", default_order="receivedDateTime desc"))


# -- attachments -------------------------------------------------------------------------
@route("GET", "/messages/{id}/attachments")
def list_attachments(req: Request) -> Reply:
    item = render.message_item(req, req.args[0])
    return Reply(
        200,
        {
            "@odata.context": req.context(f"messages('{req.args[0]}')/attachments"),
            "value": [convert.attachment(n) for n in attachments.of(item)],
        },
    )


@route("GET", "/messages/{id}/attachments/{aid}")
def get_attachment(req: Request) -> Reply:
    item = render.message_item(req, req.args[0])
    wanted = ids.to_ews(req.args[1])
    for node in attachments.of(item):
        if attachment_id(node) == wanted:
            return _attachment(req, node, 200)
    raise not_found()


@route("POST", "/messages/{id}/attachments")
def add_attachment(req: Request) -> Reply:
    box = req.mailbox
    item = render.message_item(req, req.args[0])
    before = {attachment_id(n) for n in attachments.of(item)}
    convert.file_attachments(item, [req.json_body()], req.state.clock())
    box.touch(item)
    node = next(n for n in attachments.of(item) if attachment_id(n) not in before)
    return _attachment(req, node, 201)


def _attachment(req: Request, node: Element, status: int) -> Reply:
    """One attachment of the message the path names, as an entity."""
    context = req.context(f"messages('{req.args[0]}')/attachments/$entity")
    return Reply(status, {"@odata.context": context, **convert.attachment(node)})
