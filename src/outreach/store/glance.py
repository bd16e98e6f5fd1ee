"""A glance at the store: its meta and sync tables, without reading the records.

A quiet cycle needs the mailbox's sync state and when something is next due; at
10,000 contacts parsing the whole file for them cost seconds and hundreds of MB.
The store writes those two small tables first (``{"meta":…,"sync":…,"contacts":…}``,
still one JSON object TinyDB reads as before), so they are parsed from the head
of the file; a file laid out otherwise (older, or written by hand) is read whole.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

_FIRST_READ = 1 << 16


@dataclass
class Glance:
    """The store's meta and sync tables as of one version of the file."""

    meta: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] = field(default_factory=dict)  # key -> value, as State.sync

    @property
    def due(self) -> datetime | None:
        """When planning could next find something, as the last write that planned left it
        (None when the last write did not plan)."""
        text = self.meta.get("due")
        return datetime.fromisoformat(text) if isinstance(text, str) else None


def read_head(path: Path) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return the stored meta and sync tables of the file at ``path``, parsed from its
    head; None if the file does not start with them (or cannot be parsed so)."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")()
    head = ""
    size = _FIRST_READ
    try:
        with open(path, "rb") as file:
            while True:
                chunk = file.read(size)
                head += text.decode(chunk, final=not chunk)
                found = _parse(decoder, head)
                if found is not _SHORT:
                    return found  # type: ignore[return-value]
                if not chunk:
                    return None
                size = len(head)  # read as much again: linear overall
    except (OSError, ValueError):
        return None


_SHORT: Any = object()


def _parse(decoder: json.JSONDecoder, text: str) -> Any:
    """The (meta, sync) at the head of ``text``; None if it has another layout; _SHORT if
    it may only be cut short."""
    tables: list[Any] = []
    at = 0
    for opening in ('{"meta":', ',"sync":'):
        if not text.startswith(opening, at):
            return _SHORT if len(text) - at < len(opening) else None
        try:
            table, at = decoder.raw_decode(text, at + len(opening))
        except json.JSONDecodeError:
            return _SHORT  # cut short, or broken: the whole file tells which
        if not isinstance(table, dict):
            return None
        tables.append(table)
    return tables[0], tables[1]


def sync_values(sync: dict[str, Any]) -> dict[str, Any]:
    """The sync table as stored (doc id -> {"key", "value"}) as State.sync holds it."""
    return {doc["key"]: doc["value"] for doc in sync.values()
            if isinstance(doc, dict) and "key" in doc}
