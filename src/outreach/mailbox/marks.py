"""What a sync keeps between cycles so nothing is reported twice: marks and indexes.

Both backends keep, per folder, the newest incoming or sent message already reported
(its time and the ids at that time: a *mark*) and, for Drafts and the Calendar, the
tracked items seen there (an *index*, JSON). A folder synced again from scratch (a
first sync, or a sync state the server refused) reports only what is past its mark.
A first sync (a baseline) still reports what is about our own messages: it keeps the
message ids of our sent copies it found (``ours``) for Inbox to recognize answers.
Pure: state dicts in, state dicts out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any


def load(state: Mapping[str, str], key: str) -> dict[str, Any]:
    """The JSON value under ``key`` (an empty dict when absent)."""
    return json.loads(state.get(key) or "{}")


def is_new(
    state: Mapping[str, str], key: str, when: datetime | None, item_id: str, inclusive: bool = False
) -> bool:
    """True unless the message is at or before the mark under ``key`` (and was counted there).

    ``inclusive`` counts every message at the mark's time as reported (a mark whose ids
    come from another protocol, which names items differently).
    """
    mark = load(state, key)
    if not mark or when is None:
        return True
    at = datetime.fromisoformat(mark["at"])
    if inclusive or mark.get("inclusive"):
        return when > at
    return when > at or (when == at and item_id not in mark["ids"])


def advance(state: dict[str, str], key: str, when: datetime | None, item_id: str) -> None:
    """Move the mark under ``key`` to a newly reported message (ids kept for equal times)."""
    if when is None:
        return
    mark = load(state, key)
    at = datetime.fromisoformat(mark["at"]) if mark else None
    if at is None or when > at:
        mark = {"at": when.isoformat(), "ids": [item_id]}
    elif when == at and item_id not in mark["ids"]:
        mark["ids"].append(item_id)
    else:
        return
    state[key] = json.dumps(mark)


def remember_ours(state: dict[str, str], key: str, message_id: str | None) -> None:
    """Keep, under ``key``, the message id of a sent copy of ours that a baseline found."""
    if message_id:
        ours = json.loads(state.get(key) or "[]")
        if message_id not in ours:
            state[key] = json.dumps([*ours, message_id])


def answers_ours(
    state: Mapping[str, str], key: str, in_reply_to: str | None, references: tuple[str, ...]
) -> bool:
    """True when a message answers one of the sent copies kept under ``key``."""
    answered = {in_reply_to, *references} - {None, ""}
    return not answered.isdisjoint(json.loads(state.get(key) or "[]"))
