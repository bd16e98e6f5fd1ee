"""What every EWS operation shares: the request's context, per-message errors, the registry.

Each family module registers its handlers with `@operation(name)`; the package imports
the families, and the transport reads `OPERATIONS` through `load_all`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..mailbox import Folder, Item, Mailbox
from ..state import NotFound, SandboxState
from ..xml import Element, local, q


class OperationError(Exception):
    """A per-message EWS error (ResponseClass=Error) such as ErrorItemNotFound."""

    def __init__(self, code: str, text: str = "") -> None:
        super().__init__(code, text)
        self.code = code
        self.text = text or code


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
                raise OperationError(
                    "ErrorFolderNotFound", "The specified folder could not be found in the store."
                ) from None
        try:
            return self.state.find_folder(node.get("Id", ""))
        except NotFound:
            raise OperationError(
                "ErrorFolderNotFound", "The specified folder could not be found in the store."
            ) from None

    def item(self, node: Element) -> tuple[Mailbox, Item]:
        try:
            return self.state.find_item(node.get("Id", ""))
        except NotFound:
            raise OperationError(
                "ErrorItemNotFound", "The specified object was not found in the store."
            ) from None


Handler = Callable[[Context, Element], Element]
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for the SOAP body element `name`."""

    def register(func: Handler) -> Handler:
        OPERATIONS[name] = func
        return func

    return register
