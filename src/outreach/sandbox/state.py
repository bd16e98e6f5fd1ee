"""The whole sandboxed organization: mailboxes, directory, clock and one lock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from .directory import Directory
from .mailbox import Clock, Folder, Item, Mailbox


def real_clock() -> datetime:
    return datetime.now(UTC)


class NotFound(Exception):
    """An id the sandbox does not know (answered as ErrorItemNotFound / ErrorFolderNotFound)."""


class SandboxState:
    """Everything the operations and the controls act on, guarded by one re-entrant lock."""

    def __init__(
        self, directory: Directory, clock: Clock = real_clock, default_user: str | None = None
    ):
        self.directory = directory
        self.clock = clock
        self.lock = threading.RLock()
        self.mailboxes: dict[str, Mailbox] = {}
        for person in directory.people.values():
            if person.mailbox:
                self.mailbox_for(person.email)
        owners = [p.email for p in directory.people.values() if p.mailbox]
        self.default_user = (default_user or (owners[0] if owners else "user@example.com")).lower()

    def mailbox_for(self, address: str | None) -> Mailbox:
        """The mailbox of an address, created on first use (any address may sign in)."""
        address = (address or self.default_user).lower().removeprefix("smtp:")
        if "@" not in address:
            address = self.default_user
        if address not in self.mailboxes:
            person = self.directory.get(address)
            name = person.name if person else address.split("@")[0].replace(".", " ").title()
            self.mailboxes[address] = Mailbox(address, name, self.clock)
        return self.mailboxes[address]

    def find_item(self, item_id: str) -> tuple[Mailbox, Item]:
        for box in self.mailboxes.values():
            if item_id in box.items:
                return box, box.items[item_id]
        raise NotFound(item_id)

    def find_folder(self, folder_id: str) -> tuple[Mailbox, Folder]:
        for box in self.mailboxes.values():
            if folder_id in box.folders:
                return box, box.folders[folder_id]
        raise NotFound(folder_id)
