"""Evaluate the t:Restriction trees exchangelib emits against stored items."""

from __future__ import annotations

from datetime import datetime

from .mailbox import Item, ext_key
from .xml import Element, local, parse_dt, q

ADDRESS_FIELDS = {
    "From",
    "Sender",
    "ToRecipients",
    "CcRecipients",
    "BccRecipients",
    "ReplyTo",
    "Organizer",
    "RequiredAttendees",
    "OptionalAttendees",
}
COMPARE = {
    "IsEqualTo": lambda a, b: a == b,
    "IsNotEqualTo": lambda a, b: a != b,
    "IsGreaterThan": lambda a, b: a > b,
    "IsGreaterThanOrEqualTo": lambda a, b: a >= b,
    "IsLessThan": lambda a, b: a < b,
    "IsLessThanOrEqualTo": lambda a, b: a <= b,
}


def values(item: Item, path: Element) -> list[str]:
    """The values a field path has on an item (several for multi-valued fields)."""
    kind = local(path)
    if kind == "ExtendedFieldURI":
        key = ext_key(path)
        out: list[str] = []
        for prop in item.all("ExtendedProperty"):
            if ext_key(prop) == key:
                out += [v.text or "" for v in prop.iter(q("t:Value"))]
        return out
    name = (path.get("FieldURI") or "").split(":")[-1]
    if name == "ItemId":
        return [item.id]
    if name == "LastModifiedTime":
        return [item.modified.isoformat()]
    if name in ADDRESS_FIELDS:
        return item.addresses(name)
    if name == "ConversationId":
        node = item.get(name)
        return [node.get("Id", "")] if node is not None else []
    if name == "Categories":
        node = item.get(name)
        return [c.text or "" for c in node] if node is not None else []
    text = item.text(name)
    return [] if text is None else [text]


def _coerce(a: str, b: str) -> tuple[object, object]:
    """Compare as datetimes, then numbers, then case-insensitive text."""
    try:
        if "T" in a and "T" in b:
            da: datetime = parse_dt(a)
            return da, parse_dt(b)
    except ValueError:
        pass
    try:
        return float(a), float(b)
    except ValueError:
        return a.lower(), b.lower()


def _constant(node: Element) -> str:
    const = node.find(f"{q('t:FieldURIOrConstant')}/{q('t:Constant')}")
    return "" if const is None else const.get("Value", "")


def matches(item: Item, node: Element) -> bool:
    """True if the item satisfies the restriction node."""
    kind = local(node)
    if kind == "Restriction":
        return all(matches(item, c) for c in node)
    if kind == "And":
        return all(matches(item, c) for c in node)
    if kind == "Or":
        return any(matches(item, c) for c in node)
    if kind == "Not":
        return not matches(item, node[0])
    if kind == "Exists":
        return bool(values(item, node[0]))
    if kind in COMPARE:
        want = _constant(node)
        have = values(item, node[0])
        if kind == "IsNotEqualTo" and not have:
            return True
        return any(COMPARE[kind](*_coerce(v, want)) for v in have)
    if kind in ("Contains", "Excludes"):
        const = node.find(q("t:Constant"))
        want = "" if const is None else const.get("Value", "")
        mode = node.get("ContainmentMode", "Substring")
        exact = node.get("ContainmentComparison", "Exact") in (
            "Exact",
            "IgnoreNonSpacingCharacters",
        )
        have = values(item, node[0])
        if kind == "Excludes":
            return not any(int(v) & int(want) for v in have if v.isdigit())
        if not exact:
            want = want.lower()
            have = [v.lower() for v in have]
        for v in have:
            if mode == "FullString" and v == want:
                return True
            if mode == "Prefixed" and v.startswith(want):
                return True
            if mode in ("Substring", "ExactPhrase") and want in v:
                return True
            if mode in ("PrefixOnWords", "PrefixOnWordsOrPrefixed") and any(
                w.startswith(want) for w in v.split()
            ):
                return True
        return False
    raise ValueError(f"unsupported restriction {kind}")
