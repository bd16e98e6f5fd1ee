"""The mailbox model: folders, items, ids, change keys, the event journal and sync snapshots.

Items keep their EWS property elements as serialized XML, keyed by element name, so
whatever a client sets (extended properties included) comes back exactly as given.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .fileattachment import normalize
from .xml import Element, el, fmt_dt, from_str, local, parse_dt, q, to_str

Clock = Callable[[], datetime]

#: distinguished id -> (display name, element tag, folder class, parent distinguished id)
WELL_KNOWN: dict[str, tuple[str, str, str | None, str | None]] = {
    "root": ("", "t:Folder", None, None),
    "msgfolderroot": ("Top of Information Store", "t:Folder", "IPF.Note", "root"),
    "inbox": ("Inbox", "t:Folder", "IPF.Note", "msgfolderroot"),
    "drafts": ("Drafts", "t:Folder", "IPF.Note", "msgfolderroot"),
    "sentitems": ("Sent Items", "t:Folder", "IPF.Note", "msgfolderroot"),
    "deleteditems": ("Deleted Items", "t:Folder", "IPF.Note", "msgfolderroot"),
    "outbox": ("Outbox", "t:Folder", "IPF.Note", "msgfolderroot"),
    "junkemail": ("Junk Email", "t:Folder", "IPF.Note", "msgfolderroot"),
    "calendar": ("Calendar", "t:CalendarFolder", "IPF.Appointment", "msgfolderroot"),
}

#: Exchange item element -> default item class
ITEM_CLASSES = {
    "Message": "IPM.Note",
    "CalendarItem": "IPM.Appointment",
    "MeetingRequest": "IPM.Schedule.Meeting.Request",
    "MeetingResponse": "IPM.Schedule.Meeting.Resp.Pos",
    "MeetingCancellation": "IPM.Schedule.Meeting.Canceled",
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def new_item_id(owner: str) -> str:
    """An id shaped like Exchange's (AAMkA... : entry id bytes, mailbox hash, random part)."""
    box = hashlib.sha1(owner.lower().encode()).digest()[:16]  # noqa: S324 - not for security
    return _b64(
        b"\x00\x03\x24\x00" + box + b"\x46\x00\x00\x00\x00\x00" + uuid.uuid4().bytes + b"\x00\x00"
    )


def new_folder_id(owner: str, name: str) -> str:
    """A stable folder id per owner and distinguished name (AQMkA...)."""
    digest = hashlib.sha1(f"{owner.lower()}/{name}".encode()).digest()  # noqa: S324
    return _b64(b"\x01\x03\x24\x00" + digest + b"\x00\x01\x00\x00\x00\x00")


def new_change_key() -> str:
    """A change key (CQAAABYAAAA...), fresh on every change."""
    return _b64(b"\x09\x00\x00\x00\x16\x00\x00\x00" + uuid.uuid4().bytes[:14])


def ext_key(node: Element) -> tuple[str, ...]:
    """Identity of an extended property (its ExtendedFieldURI minus the type)."""
    uri = node if local(node) == "ExtendedFieldURI" else node.find(q("t:ExtendedFieldURI"))
    if uri is None:
        return ()
    names = (
        "DistinguishedPropertySetId",
        "PropertySetId",
        "PropertyTag",
        "PropertyName",
        "PropertyId",
    )
    return tuple((uri.get(n) or "").lower() for n in names)


@dataclass
class Folder:
    """A mail folder; items live in Mailbox.items and point here by id."""

    id: str
    name: str
    distinguished: str | None
    tag: str
    folder_class: str | None
    parent_id: str | None
    change_key: str = field(default_factory=new_change_key)


@dataclass
class Item:
    """One item; `fields` maps an EWS element name to its serialized elements."""

    id: str
    change_key: str
    kind: str
    folder_id: str
    fields: dict[str, list[str]]
    created: datetime
    modified: datetime
    #: the id it was created under, kept across moves (not across a send): what Graph
    #: answers for `Prefer: IdType="ImmutableId"`
    immutable_id: str = ""

    def get(self, name: str) -> Element | None:
        """The first stored element called name, parsed."""
        values = self.fields.get(name)
        return from_str(values[0]) if values else None

    def all(self, name: str) -> list[Element]:
        return [from_str(v) for v in self.fields.get(name, [])]

    def text(self, name: str, default: str | None = None) -> str | None:
        node = self.get(name)
        return default if node is None or node.text is None else node.text

    def set(self, name: str, value: Element | object) -> None:
        """Store an element (or build one from a plain value) under its name."""
        node = value if isinstance(value, Element) else el(f"t:{name}", value)
        self.fields[name] = [to_str(node)]

    def remove(self, name: str) -> None:
        self.fields.pop(name, None)

    def set_extended(self, node: Element) -> None:
        """Replace the extended property with the same identity, or add it."""
        key = ext_key(node)
        kept = [s for s in self.fields.get("ExtendedProperty", []) if ext_key(from_str(s)) != key]
        self.fields["ExtendedProperty"] = [*kept, to_str(node)]

    def remove_extended(self, uri: Element) -> None:
        key = ext_key(uri)
        kept = [s for s in self.fields.get("ExtendedProperty", []) if ext_key(from_str(s)) != key]
        self.fields["ExtendedProperty"] = kept

    def addresses(self, name: str) -> list[str]:
        """Email addresses inside a recipients element (ToRecipients, From, ...)."""
        node = self.get(name)
        if node is None:
            return []
        return [e.text or "" for e in node.iter(q("t:EmailAddress"))]

    def when(self, name: str) -> datetime | None:
        value = self.text(name)
        return parse_dt(value) if value else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "change_key": self.change_key,
            "kind": self.kind,
            "folder_id": self.folder_id,
            "fields": self.fields,
            "created": fmt_dt(self.created),
            "modified": fmt_dt(self.modified),
            "immutable_id": self.immutable_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        return cls(
            id=data["id"],
            change_key=data["change_key"],
            kind=data["kind"],
            folder_id=data["folder_id"],
            fields={k: list(v) for k, v in data["fields"].items()},
            created=parse_dt(data["created"]),
            modified=parse_dt(data["modified"]),
            immutable_id=data.get("immutable_id", ""),
        )


@dataclass
class Event:
    """A journal entry for pull notifications (CreatedEvent, ModifiedEvent, ...)."""

    seq: int
    type: str
    time: datetime
    item_id: str | None
    folder_id: str
    old_item_id: str | None = None
    old_folder_id: str | None = None


class Mailbox:
    """One user's mailbox: well-known folders, items, journal, sync snapshots."""

    def __init__(self, address: str, name: str, clock: Clock) -> None:
        self.address = address.lower()
        self.name = name
        self.clock = clock
        self.folders: dict[str, Folder] = {}
        self.items: dict[str, Item] = {}
        self.events: list[Event] = []
        self.seq = 0
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        for dist, (display, tag, fclass, parent) in WELL_KNOWN.items():
            fid = new_folder_id(self.address, dist)
            parent_id = new_folder_id(self.address, parent) if parent else None
            self.folders[fid] = Folder(fid, display, dist, tag, fclass, parent_id)

    # -- lookup -----------------------------------------------------------
    def folder(self, key: str) -> Folder:
        """A folder by id or distinguished name; KeyError if unknown."""
        if key in self.folders:
            return self.folders[key]
        for f in self.folders.values():
            if f.distinguished == key:
                return f
        raise KeyError(key)

    def in_folder(self, folder: Folder) -> Iterator[Item]:
        return (i for i in self.items.values() if i.folder_id == folder.id)

    # -- changes ------------------------------------------------------------
    def _log(self, kind: str, item: Item | None, folder_id: str, **old: str | None) -> None:
        self.seq += 1
        self.events.append(
            Event(self.seq, kind, self.clock(), item.id if item else None, folder_id, **old)
        )
        del self.events[:-5000]

    def add(
        self, folder: str, kind: str, fields: dict[str, list[str]], *, new_mail: bool = False
    ) -> Item:
        """Create an item in a folder (by id or distinguished name) and journal it."""
        now = self.clock()
        target = self.folder(folder)
        normalize(fields, now)  # every copy of an attachment gets its own id
        item = Item(new_item_id(self.address), new_change_key(), kind, target.id, fields, now, now)
        item.immutable_id = item.id
        item.fields.setdefault("ItemClass", [to_str(el("t:ItemClass", ITEM_CLASSES[kind]))])
        item.fields.setdefault("DateTimeCreated", [to_str(el("t:DateTimeCreated", now))])
        item.fields.setdefault("DateTimeReceived", [to_str(el("t:DateTimeReceived", now))])
        self.items[item.id] = item
        self._log("CreatedEvent", item, target.id)
        if new_mail:
            self._log("NewMailEvent", item, target.id)
        return item

    def touch(self, item: Item) -> None:
        """Record a modification: new change key, modified time, journal entry."""
        item.change_key = new_change_key()
        item.modified = self.clock()
        self._log("ModifiedEvent", item, item.folder_id)

    def delete(self, item: Item) -> None:
        del self.items[item.id]
        self._log("DeletedEvent", item, item.folder_id)

    def move(self, item: Item, folder: str) -> Item:
        """Move to another folder; like Exchange, the moved item gets a new id (its
        immutable id stays)."""
        target = self.folder(folder)
        old_id, old_folder = item.id, item.folder_id
        del self.items[item.id]
        item.id = new_item_id(self.address)
        item.change_key = new_change_key()
        item.folder_id = target.id
        item.modified = self.clock()
        self.items[item.id] = item
        self._log("MovedEvent", item, target.id, old_item_id=old_id, old_folder_id=old_folder)
        return item

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "name": self.name,
            "seq": self.seq,
            "items": [i.to_dict() for i in self.items.values()],
            "snapshots": self.snapshots,
            "subscriptions": self.subscriptions,
            "events": [{**e.__dict__, "time": fmt_dt(e.time)} for e in self.events],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], clock: Clock) -> Mailbox:
        box = cls(data["address"], data["name"], clock)
        box.seq = data["seq"]
        box.items = {d["id"]: Item.from_dict(d) for d in data["items"]}
        box.snapshots = data["snapshots"]
        box.subscriptions = data["subscriptions"]
        box.events = [Event(**{**e, "time": parse_dt(e["time"])}) for e in data["events"]]
        return box
