"""XML helpers shared by the transport and the operations: namespaces, builders, SOAP envelope."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
E = "http://schemas.microsoft.com/exchange/services/2006/errors"
NSMAP = {"s": SOAP, "m": M, "t": T}

Element = etree._Element


def q(tag: str) -> str:
    """Turn 'm:Foo' / 't:Foo' / 's:Foo' into Clark notation."""
    prefix, _, local = tag.partition(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def el(
    tag: str, text: object = None, attrs: dict[str, str] | None = None, *children: Element
) -> Element:
    """Build one element; text may be bool/int/datetime and is rendered the EWS way."""
    node = etree.Element(q(tag), nsmap=NSMAP)
    for k, v in (attrs or {}).items():
        node.set(k, v)
    if text is not None:
        node.text = render(text)
    for c in children:
        node.append(c)
    return node


def sub(
    parent: Element, tag: str, text: object = None, attrs: dict[str, str] | None = None
) -> Element:
    """Append a child built like el() and return it."""
    node = etree.SubElement(parent, q(tag), nsmap=NSMAP)
    for k, v in (attrs or {}).items():
        node.set(k, v)
    if text is not None:
        node.text = render(text)
    return node


def render(value: object) -> str:
    """Render a Python value as EWS text (xs:boolean lower-case, UTC datetimes with Z)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return fmt_dt(value)
    return str(value)


def fmt_dt(value: datetime) -> str:
    """Format an aware datetime the way Exchange does: UTC, seconds, trailing Z."""
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_dt(text: str) -> datetime:
    """Parse an xs:dateTime; naive values are taken as UTC (exchangelib sends Z or offsets)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(node: Element) -> str:
    """Local name of an element, without namespace."""
    return etree.QName(node).localname


def text_of(node: Element | None, path: str, default: str | None = None) -> str | None:
    """Text of the first match of a 'm:/t:'-prefixed path below node."""
    if node is None:
        return default
    found = node.find(path, NSMAP)
    if found is None or found.text is None:
        return default
    return found.text


def to_str(node: Element) -> str:
    """Serialize an element (with its namespace declarations) for storage."""
    return etree.tostring(node, encoding="unicode")


def from_str(data: str) -> Element:
    """Parse a stored element back."""
    return etree.fromstring(data.encode())


def envelope(body_child: Element, server_version: Element) -> bytes:
    """Wrap a response element in a SOAP envelope with the ServerVersionInfo header."""
    env = etree.Element(q("s:Envelope"), nsmap=NSMAP)
    header = etree.SubElement(env, q("s:Header"))
    header.append(server_version)
    body = etree.SubElement(env, q("s:Body"))
    body.append(body_child)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def server_version_info() -> Element:
    """The header Exchange 2016 CU23 sends; exchangelib reads its version from here."""
    node = etree.Element(q("t:ServerVersionInfo"), nsmap={"t": T})
    node.attrib.update(
        {
            "MajorVersion": "15",
            "MinorVersion": "1",
            "MajorBuildNumber": "2507",
            "MinorBuildNumber": "6",
            "Version": "V2017_07_11",
        }
    )
    return node


def fault(code: str, message: str, values: dict[str, str] | None = None) -> bytes:
    """A SOAP fault as Exchange sends it for ErrorServerBusy and friends (HTTP 500)."""
    env = etree.Element(q("s:Envelope"), nsmap={"s": SOAP})
    body = etree.SubElement(env, q("s:Body"))
    flt = etree.SubElement(body, q("s:Fault"))
    fc = etree.SubElement(flt, "faultcode", nsmap={"a": T})
    fc.text = "a:" + code
    etree.SubElement(flt, "faultstring").text = message
    detail = etree.SubElement(flt, "detail")
    rc = etree.SubElement(detail, f"{{{E}}}ResponseCode", nsmap={"e": E})
    rc.text = code
    msg = etree.SubElement(detail, f"{{{E}}}Message", nsmap={"e": E})
    msg.text = message
    if values:
        mx = etree.SubElement(detail, f"{{{T}}}MessageXml", nsmap={"t": T})
        for name, value in values.items():
            v = etree.SubElement(mx, f"{{{T}}}Value", Name=name)
            v.text = value
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def response_message(tag: str, code: str = "NoError", text: str | None = None) -> Element:
    """A m:*ResponseMessage with ResponseClass/ResponseCode filled in."""
    node = el(tag, attrs={"ResponseClass": "Success" if code == "NoError" else "Error"})
    if code != "NoError":
        sub(node, "m:MessageText", text or code)
    sub(node, "m:ResponseCode", code)
    if code != "NoError":
        sub(node, "m:DescriptiveLinkKey", 0)
        if tag in ITEM_INFO:
            sub(node, "m:Items")  # the schema wants it even on errors, as Exchange sends it
    return node


ITEM_INFO = {
    f"m:{op}ResponseMessage"
    for op in ("GetItem", "CreateItem", "MoveItem", "CopyItem", "UpdateItem")
}
