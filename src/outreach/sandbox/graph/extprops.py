"""Graph's singleValueExtendedProperties <-> the stored EWS t:ExtendedProperty elements.

`String {GUID} Name X` is ExtendedFieldURI PropertySetId=GUID PropertyName=X (a GUID of a
well-known set becomes its DistinguishedPropertySetId, so InternetHeaders properties turn
into X- headers on send as they do over EWS); `String {GUID} Id 0x8005` is PropertyId;
`String 0x001A` is a tag. The tags Exchange keeps as ordinary item properties are mapped
to them (0x001A PR_MESSAGE_CLASS is the item class), so both faces see one value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..mailbox import Item
from ..xml import Element, el, q, sub

#: DistinguishedPropertySetId (lower case) -> its GUID
SETS = {
    "internetheaders": "00020386-0000-0000-c000-000000000046",
    "publicstrings": "00020329-0000-0000-c000-000000000046",
    "common": "00062008-0000-0000-c000-000000000046",
    "address": "00062004-0000-0000-c000-000000000046",
    "appointment": "00062002-0000-0000-c000-000000000046",
    "meeting": "6ed8da90-450b-101b-98da-00aa003f1305",
    "task": "00062003-0000-0000-c000-000000000046",
}
SET_NAMES = {
    "internetheaders": "InternetHeaders",
    "publicstrings": "PublicStrings",
    "common": "Common",
    "address": "Address",
    "appointment": "Appointment",
    "meeting": "Meeting",
    "task": "Task",
}
_BY_GUID = {guid: name for name, guid in SETS.items()}
#: property tag -> the stored item property holding it
TAG_FIELDS = {
    0x001A: "ItemClass",
    0x1035: "InternetMessageId",
    0x1039: "References",
    0x1042: "InReplyTo",
}

_ID = re.compile(
    r"^\s*(?P<type>\w+)\s+(?:\{(?P<guid>[0-9a-fA-F-]{36})\}\s+(?:(?P<kind>Name|Id)\s+(?P<key>.+?))"
    r"|(?P<tag>0x[0-9a-fA-F]{1,4}))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PropId:
    """A parsed Graph extended property id."""

    type: str
    guid: str | None = None
    name: str | None = None
    number: int | None = None
    tag: int | None = None

    @classmethod
    def parse(cls, text: str) -> PropId | None:
        m = _ID.match(text or "")
        if m is None:
            return None
        ptype = m["type"][0].upper() + m["type"][1:]
        if m["tag"]:
            return cls(ptype, tag=int(m["tag"], 16))
        guid = m["guid"].lower()
        if m["kind"].lower() == "name":
            return cls(ptype, guid, name=m["key"])
        key = m["key"]
        return cls(ptype, guid, number=int(key, 16) if key.lower().startswith("0x") else int(key))

    def __str__(self) -> str:
        if self.tag is not None:
            return f"{self.type} 0x{self.tag:04X}"
        if self.name is not None:
            return f"{self.type} {{{self.guid}}} Name {self.name}"
        return f"{self.type} {{{self.guid}}} Id 0x{self.number or 0:04X}"

    @property
    def key(self) -> tuple[object, ...]:
        """Identity for comparison (type and case of the GUID aside)."""
        return (self.guid, (self.name or "").lower(), self.number, self.tag)

    def uri(self) -> Element:
        """The t:ExtendedFieldURI naming the same property."""
        attrs: dict[str, str] = {}
        if self.tag is not None:
            attrs["PropertyTag"] = f"0x{self.tag:04X}"
        elif self.guid in _BY_GUID:
            attrs["DistinguishedPropertySetId"] = SET_NAMES[_BY_GUID[self.guid]]
        else:
            attrs["PropertySetId"] = self.guid or ""
        if self.name is not None:
            attrs["PropertyName"] = self.name
        if self.number is not None:
            attrs["PropertyId"] = str(self.number)
        attrs["PropertyType"] = self.type
        return el("t:ExtendedFieldURI", attrs=attrs)


def canonical(text: str) -> str:
    """An extended property id spelled one way (lower-case GUID, four-digit tags)."""
    parsed = PropId.parse(text)
    return str(parsed) if parsed else text


def of_uri(uri: Element) -> PropId:
    """The Graph id of a stored t:ExtendedFieldURI."""
    ptype = uri.get("PropertyType") or "String"
    tag = uri.get("PropertyTag")
    if tag:
        return PropId(ptype, tag=int(tag, 16) if tag.lower().startswith("0x") else int(tag))
    dist = (uri.get("DistinguishedPropertySetId") or "").lower()
    guid = SETS.get(dist) or (uri.get("PropertySetId") or "").lower()
    number = uri.get("PropertyId")
    if number is not None:
        value = int(number, 16) if number.lower().startswith("0x") else int(number)
        return PropId(ptype, guid, number=value)
    return PropId(ptype, guid, name=uri.get("PropertyName") or "")


def of_item(item: Item) -> list[dict[str, str]]:
    """Every extended property of an item as Graph lists them, mapped tags included."""
    out = []
    for prop in item.all("ExtendedProperty"):
        uri = prop.find(q("t:ExtendedFieldURI"))
        if uri is None:
            continue
        values = [v.text or "" for v in prop.iter(q("t:Value"))]
        out.append({"id": str(of_uri(uri)), "value": values[0] if values else ""})
    for tag, field in TAG_FIELDS.items():
        value = item.text(field)
        if value is not None:
            out.append({"id": str(PropId("String", tag=tag)), "value": value})
    return out


def store(item: Item, prop_id: str, value: str) -> None:
    """Set one property given its Graph id; ValueError for an id Graph would refuse."""
    parsed = PropId.parse(prop_id)
    if parsed is None:
        raise ValueError(f"The extended property id '{prop_id}' is not valid.")
    if parsed.tag is not None and parsed.tag in TAG_FIELDS:
        item.set(TAG_FIELDS[parsed.tag], value)
        return
    node = el("t:ExtendedProperty")
    node.append(parsed.uri())
    sub(node, "t:Value", value)
    item.set_extended(node)
