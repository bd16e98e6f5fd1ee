"""Item and folder rendering for a requested shape (IdOnly / Default / AllProperties + extras)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import uniquebody
from .attachments import has_attachments, listed
from .fields import ORDER
from .mailbox import Folder, Item, Mailbox, ext_key
from .mime import mime_of
from .xml import Element, el, from_str, local, q, sub

#: Properties Exchange computes instead of storing.
VIRTUAL = {
    "ItemId",
    "ParentFolderId",
    "LastModifiedTime",
    "Size",
    "HasAttachments",
    "DisplayTo",
    "DisplayCc",
    "IsAssociated",
    "MimeContent",
    "IsUnmodified",
}


@dataclass
class Shape:
    """What the client asked to see."""

    base: str = "Default"
    names: set[str] = field(default_factory=set)
    extended: list[tuple[str, ...]] = field(default_factory=list)
    body_type: str | None = None
    mime: bool = False

    @classmethod
    def parse(cls, node: Element | None) -> Shape:
        """Read m:ItemShape / m:FolderShape."""
        shape = cls()
        if node is None:
            return shape
        shape.base = node.findtext(q("t:BaseShape")) or "Default"
        shape.body_type = node.findtext(q("t:BodyType"))
        shape.mime = (node.findtext(q("t:IncludeMimeContent")) or "").lower() == "true"
        extra = node.find(q("t:AdditionalProperties"))
        if extra is not None:
            for uri in extra:
                if local(uri) == "FieldURI":
                    shape.names.add(uri.get("FieldURI", "").split(":")[-1])
                elif local(uri) == "ExtendedFieldURI":
                    shape.extended.append(ext_key(uri))
        if "MimeContent" in shape.names:
            shape.mime = True
        return shape

    def wants(self, name: str) -> bool:
        if name == "MimeContent":
            return self.mime
        if name == "ExtendedProperty":
            return bool(self.extended)
        return self.base != "IdOnly" or name in self.names or name == "ItemId"


def _virtual(box: Mailbox, item: Item, name: str) -> Element | None:
    folder = box.folders.get(item.folder_id)
    if name == "ItemId":
        return el("t:ItemId", attrs={"Id": item.id, "ChangeKey": item.change_key})
    if name == "ParentFolderId" and folder is not None:
        return el("t:ParentFolderId", attrs={"Id": folder.id, "ChangeKey": folder.change_key})
    if name == "LastModifiedTime":
        return el("t:LastModifiedTime", item.modified)
    if name == "Size":
        return el("t:Size", sum(len(v) for vs in item.fields.values() for v in vs))
    if name == "HasAttachments":
        return el("t:HasAttachments", has_attachments(item))
    if name == "IsAssociated":
        return el("t:IsAssociated", False)
    if name == "IsUnmodified":
        return el("t:IsUnmodified", item.kind == "Message" and item.text("IsDraft") != "true")
    if name in ("DisplayTo", "DisplayCc"):
        field_name = "ToRecipients" if name == "DisplayTo" else "CcRecipients"
        node = item.get(field_name)
        names = (
            []
            if node is None
            else [
                m.findtext(q("t:Name")) or m.findtext(q("t:EmailAddress")) or ""
                for m in node.iter(q("t:Mailbox"))
            ]
        )
        return el(f"t:{name}", "; ".join(names))
    if name == "MimeContent":
        return el("t:MimeContent", mime_of(item), {"CharacterSet": "UTF-8"})
    return None


def render_item(box: Mailbox, item: Item, shape: Shape) -> Element:
    """The t:Message / t:CalendarItem / ... element of an item, in schema order."""
    node = el(f"t:{item.kind}")
    for name in ORDER[item.kind]:
        if not shape.wants(name):
            continue
        if name == "ExtendedProperty":
            for prop in item.all("ExtendedProperty"):
                if ext_key(prop) in shape.extended:
                    node.append(prop)
            continue
        if name in VIRTUAL:
            v = _virtual(box, item, name)
            if v is not None:
                node.append(v)
            continue
        if name == "Attachments":
            if item.get("Attachments") is not None:
                node.append(listed(item))  # without content, as Exchange lists them
            continue
        if name == "UniqueBody":
            if "UniqueBody" in shape.names:  # computed, and only when named
                _unique_body(box, item, shape, node)
            continue
        for value in item.fields.get(name, []):
            node.append(_body_as(from_str(value), shape) if name == "Body" else from_str(value))
    return node


def _unique_body(box: Mailbox, item: Item, shape: Shape, node: Element) -> None:
    """t:UniqueBody: the body without the quoted earlier message of its conversation, in
    the BodyType the shape asks for (Best: the body's own)."""
    found = uniquebody.of_item(box, item)
    if found is None:
        return
    content, html = found
    want = shape.body_type
    want_html = html if not want or want == "Best" else want == "HTML"
    content = uniquebody.convert(content, html, want_html)
    sub(node, "t:UniqueBody", content, {"BodyType": "HTML" if want_html else "Text"})


def _body_as(body: Element, shape: Shape) -> Element:
    """Convert the body to the requested type (HTML <-> Text, crudely)."""
    want = shape.body_type
    have = body.get("BodyType", "Text")
    if not want or want == "Best" or want == have:
        return body
    text = body.text or ""
    if want == "Text":
        import re

        text = re.sub(r"<[^>]+>", "", text)
    else:
        text = "<html><body>" + text.replace("\n", "<br>") + "</body></html>"
    return el("t:Body", text, {"BodyType": want})


def render_folder(box: Mailbox, folder: Folder, shape: Shape) -> Element:
    """t:Folder / t:CalendarFolder in schema order."""
    node = el(folder.tag)
    sub(node, "t:FolderId", attrs={"Id": folder.id, "ChangeKey": folder.change_key})
    full = shape.base != "IdOnly"
    if folder.parent_id and (full or "ParentFolderId" in shape.names):
        parent = box.folders[folder.parent_id]
        sub(node, "t:ParentFolderId", attrs={"Id": parent.id, "ChangeKey": parent.change_key})
    if folder.folder_class and (full or "FolderClass" in shape.names):
        sub(node, "t:FolderClass", folder.folder_class)
    if full or "DisplayName" in shape.names:
        sub(node, "t:DisplayName", folder.name)
    items = list(box.in_folder(folder))
    if full or "TotalCount" in shape.names:
        sub(node, "t:TotalCount", len(items))
    if full or "ChildFolderCount" in shape.names:
        kids = [f for f in box.folders.values() if f.parent_id == folder.id]
        sub(node, "t:ChildFolderCount", len(kids))
    if folder.distinguished and "DistinguishedFolderId" in shape.names:
        sub(node, "t:DistinguishedFolderId", folder.distinguished)
    if folder.tag == "t:Folder" and (full or "UnreadCount" in shape.names):
        unread = sum(1 for i in items if i.text("IsRead") == "false")
        sub(node, "t:UnreadCount", unread)
    return node
