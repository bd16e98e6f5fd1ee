"""What every control shares: the sandbox it acts on, picking an item, saving after a change."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..mailbox import Item, Mailbox
from ..xml import parse_dt

if TYPE_CHECKING:
    from ..graph.limits import Limits
    from ..state import SandboxState


class Target(Protocol):
    """What the controls need of the `Sandbox` they act on (which builds them)."""

    state: SandboxState
    graph_limits: Limits

    def after_change(self) -> None:
        """Persist (if asked to) after a change."""

    def save(self) -> Path:
        """Write the state to the data directory now."""


def as_datetime(value: datetime | str) -> datetime:
    """Given a datetime or its ISO 8601 text (as the control endpoint sends it), the datetime."""
    return value if isinstance(value, datetime) else parse_dt(value)


def as_bytes(value: bytes | str) -> bytes:
    """Given bytes or their base64 text (as the control endpoint sends them), the bytes.

    Raise ValueError for text that is not base64.
    """
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("attachment content must be base64 text") from None


def conversation_of(item: Item) -> str | None:
    """The item's ConversationId, so an answer lands in the same thread."""
    conv = item.get("ConversationId")
    return conv.get("Id") if conv is not None else None


class Actions:
    """Base of the control roles: the sandbox, its state and the helpers every action uses."""

    def __init__(self, sandbox: Target) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Hold the state lock for one action and persist (if asked to) when it succeeds."""
        with self.state.lock:
            yield
            self.sandbox.after_change()

    def _find(
        self,
        mailbox: str | None,
        folders: tuple[str, ...],
        item_id: str | None,
        subject: str | None,
    ) -> tuple[Mailbox, Item]:
        """The mailbox and an item by id (either face's spelling of it), else the newest
        whose subject contains `subject` in the given folders. Raise KeyError if none."""
        box = self.state.mailbox_for(mailbox)
        if item_id:
            if item_id not in box.items:  # a Graph id is the EWS id in URL-safe base64
                item_id = item_id.replace("-", "+").replace("_", "/")
            if item_id not in box.items:
                raise KeyError(f"no item {item_id}")
            return box, box.items[item_id]
        ids = {box.folder(f).id for f in folders}
        hits = [
            i
            for i in box.items.values()
            if i.folder_id in ids
            and (subject is None or subject.lower() in (i.text("Subject", "") or "").lower())
        ]
        if not hits:
            raise KeyError(f"no item with subject {subject!r} in {', '.join(folders)}")
        return box, max(hits, key=lambda i: i.modified)
