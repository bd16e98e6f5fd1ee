"""FindItem: restrictions, sort order, indexed paging and calendar views."""

from __future__ import annotations

from ..render import Shape, render_item
from ..restrict import matches, values
from ..xml import Element, local, parse_dt, q, sub
from .base import Context, OperationError, operation, respond


def _sort_key(item, path: Element):  # -> tuple
    found = values(item, path)
    return found[0] if found else ""


@operation("FindItem")
def find_item(ctx: Context, req: Element) -> Element:
    shape = Shape.parse(req.find(q("m:ItemShape")))
    shape.names.discard("UniqueBody")  # FindItem does not return it (as Body)
    restriction = req.find(q("m:Restriction"))

    def answer(ref: Element, msg: Element) -> None:
        box, folder = ctx.folder(ref)
        found = list(box.in_folder(folder))
        try:
            if restriction is not None:
                found = [i for i in found if matches(i, restriction)]
        except ValueError as e:
            raise OperationError("ErrorUnsupportedQueryFilter", str(e)) from None
        order = req.find(q("m:SortOrder"))
        found.sort(key=lambda i: i.created, reverse=True)  # Exchange's default: newest first
        for field in reversed(list(order) if order is not None else []):
            found.sort(
                key=lambda i, f=field: _sort_key(i, f[0]),
                reverse=field.get("Order") == "Descending",
            )
        total = len(found)
        offset, page = 0, found
        view = req.find(q("m:IndexedPageItemView"))
        calendar = req.find(q("m:CalendarView"))
        if calendar is not None:
            start, end = (
                parse_dt(calendar.get("StartDate", "")),
                parse_dt(calendar.get("EndDate", "")),
            )
            page = [
                i
                for i in found
                if (i.when("Start") or start) < end and (i.when("End") or end) > start
            ]
            page.sort(key=lambda i: i.when("Start") or start)
            total = len(page)
        elif view is not None:
            size = int(view.get("MaxEntriesReturned") or total or 1)
            offset = int(view.get("Offset") or 0)
            if view.get("BasePoint") == "End":
                offset = max(total - offset - size, 0)
            page = found[offset : offset + size]
        root = sub(msg, "m:RootFolder")
        if calendar is None:
            root.set("IndexedPagingOffset", str(offset + len(page)))
        root.set("TotalItemsInView", str(total))
        root.set("IncludesLastItemInRange", "true" if offset + len(page) >= total else "false")
        items = sub(root, "t:Items")
        for item in page:
            items.append(render_item(box, item, shape))

    return respond("FindItem", req.find(q("m:ParentFolderIds")), answer)


__all__ = ["find_item", "local"]
