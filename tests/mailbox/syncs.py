"""What the backend tests share about syncing: read the mailbox until it is caught up."""

from __future__ import annotations

from typing import Any

from outreach.core.observations import Observation


def cycle(box: Any, state: dict[str, str]) -> tuple[list[Observation], dict[str, str]]:
    """Sync until caught up, as the daemon does; return everything seen and the new state."""
    seen: list[Observation] = []
    for _ in range(20):
        result = box.sync(state)
        seen += result.observations
        state = result.state
        if not result.more:
            return seen, state
    raise AssertionError("sync never caught up")
