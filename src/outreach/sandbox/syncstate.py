"""What both protocol faces' change tracking shares: the snapshot a sync state names, the diff.

A sync state (EWS) or delta token (Graph) names a server-side snapshot {item id: change key}
of what the client has seen; the next request diffs the current items against it, so paging
and restarts stay exact. Snapshots live in Mailbox.snapshots, so forgetting them (the
`invalidate_sync_states` control) breaks both faces' tokens alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .mailbox import Item, Mailbox

MAX_SNAPSHOTS = 500


def save(box: Mailbox, token: str, folder_id: str, seen: dict[str, str], **extra: Any) -> str:
    """Keep a snapshot under `token` (the oldest are forgotten, as Exchange's cache does)."""
    box.snapshots[token] = {"folder": folder_id, "items": seen, **extra}
    for old in list(box.snapshots)[:-MAX_SNAPSHOTS]:
        del box.snapshots[old]
    return token


def changes(
    current: Mapping[str, Item], seen: Mapping[str, str], ignore: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(Create|Update|Delete, item id) for each difference, oldest change first."""
    skip = set(ignore)
    out: list[tuple[str, str]] = []
    for item in sorted(current.values(), key=lambda i: i.modified):
        if item.id in skip:
            continue
        if item.id not in seen:
            out.append(("Create", item.id))
        elif seen[item.id] != item.change_key:
            out.append(("Update", item.id))
    out += [("Delete", iid) for iid in seen if iid not in current]
    return out
