"""Every Graph exchange the sandbox answers, for whoever watches (the suite's CSDL check).

A test session appends a callable to WATCHERS; each request and its answer (the requests
inside a $batch one by one, too) is handed to every watcher. A sandbox made with
record=True also keeps them in `Sandbox.graph_recorded`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    request: Any
    status: int
    response: Any
    batched: bool = False


WATCHERS: list[Callable[[Exchange], None]] = []


def note(exchange: Exchange) -> None:
    """Offer an exchange to every watcher."""
    for watch in list(WATCHERS):
        watch(exchange)
