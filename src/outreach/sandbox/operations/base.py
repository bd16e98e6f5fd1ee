"""What every EWS operation shares: the request's context, per-message errors, the registry.

Each family module registers its handlers with `@operation(name)`; the package imports
the families, and the transport reads `OPERATIONS` through `load_all`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from ..mailbox import Folder, Item, Mailbox
from ..state import NotFound, SandboxState
from ..xml import Element, el, local, q, response_message, sub


class OperationError(Exception):
    """A per-message EWS error (ResponseClass=Error) such as ErrorItemNotFound."""

    def __init__(self, code: str, text: str = "") -> None:
        super().__init__(code, text)
        self.code = code
        self.text = text or code


FOLDER_NOT_FOUND = ("ErrorFolderNotFound", "The specified folder could not be found in the store.")
ITEM_NOT_FOUND = ("ErrorItemNotFound", "The specified object was not found in the store.")


@dataclass
class Context:
    """One request: who asked, against which sandbox."""

    state: SandboxState
    user: str
    tz_id: str | None = None

    def mailbox(self, address: str | None = None) -> Mailbox:
        return self.state.mailbox_for(address or self.user)

    def folder(self, node: Element) -> tuple[Mailbox, Folder]:
        """Resolve t:FolderId or t:DistinguishedFolderId (with optional t:Mailbox)."""
        if local(node) == "DistinguishedFolderId":
            address = node.findtext(f"{q('t:Mailbox')}/{q('t:EmailAddress')}")
            box = self.mailbox(address)
            try:
                return box, box.folder(node.get("Id", ""))
            except KeyError:
                raise OperationError(*FOLDER_NOT_FOUND) from None
        try:
            return self.state.find_folder(node.get("Id", ""))
        except NotFound:
            raise OperationError(*FOLDER_NOT_FOUND) from None

    def item(self, node: Element) -> tuple[Mailbox, Item]:
        try:
            return self.state.find_item(node.get("Id", ""))
        except NotFound:
            raise OperationError(*ITEM_NOT_FOUND) from None


#: Children the schema requires in a response message even when it reports an error.
REQUIRED_ON_ERROR = {
    "SyncFolderItems": (("m:SyncState", ""), ("m:IncludesLastItemInRange", True)),
    "GetServerTimeZones": (("m:TimeZoneDefinitions", None),),
    "CreateAttachment": (("m:Attachments", None),),
    "GetAttachment": (("m:Attachments", None),),
}


def error_message(operation: str, code: str, text: str) -> Element:
    """An operation's response message reporting an error, shaped as the schema wants it."""
    msg = response_message(f"m:{operation}ResponseMessage", code, text)
    for tag, value in REQUIRED_ON_ERROR.get(operation, ()):
        sub(msg, tag, value)
    return msg


Part = TypeVar("Part")


def respond(
    operation: str, parts: Iterable[Part], answer: Callable[[Part, Element], None]
) -> Element:
    """An operation's response: one response message per part of the request (an id, an
    item, a change), which ``answer(part, message)`` fills in on success. An
    OperationError it raises makes that part's message an error instead."""
    resp = el(f"m:{operation}Response")
    msgs = sub(resp, "m:ResponseMessages")
    for part in parts:
        msg = response_message(f"m:{operation}ResponseMessage")
        try:
            answer(part, msg)
        except OperationError as e:
            msg = error_message(operation, e.code, e.text)
        msgs.append(msg)
    return resp


Handler = Callable[[Context, Element], Element]
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for the SOAP body element `name`."""

    def register(func: Handler) -> Handler:
        OPERATIONS[name] = func
        return func

    return register
