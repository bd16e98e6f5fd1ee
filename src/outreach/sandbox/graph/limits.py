"""Exchange Online's Outlook limits for Graph, when a test turns them on: at most
`concurrent` requests in flight and `per_ten_minutes` requests per mailbox in ten minutes
(of the sandbox clock); past either the answer is 429 with Retry-After, as Outlook's
throttling answers. Requests inside a $batch count one by one, as Outlook counts them.
Off by default (`Controls.limit_graph` turns them on; Microsoft's numbers are 4 and 10000).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=10)


@dataclass
class Limits:
    concurrent: int | None = None
    per_ten_minutes: int | None = None
    _in_flight: dict[str, int] = field(default_factory=dict)
    _recent: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def admit(self, mailbox: str, now: datetime, *, counted: bool = True) -> Iterator[int | None]:
        """Yield None if the request may run, else the Retry-After seconds to answer 429."""
        with self._lock:
            wait = self._refusal(mailbox, now) if counted else None
            if wait is None:
                self._in_flight[mailbox] = self._in_flight.get(mailbox, 0) + 1
                self._recent.setdefault(mailbox, deque()).append(now)
        try:
            yield wait
        finally:
            if wait is None:
                with self._lock:
                    self._in_flight[mailbox] -= 1

    def _refusal(self, mailbox: str, now: datetime) -> int | None:
        if self.concurrent is not None and self._in_flight.get(mailbox, 0) >= self.concurrent:
            return 1
        recent = self._recent.setdefault(mailbox, deque())
        while recent and now - recent[0] >= WINDOW:
            recent.popleft()
        if self.per_ten_minutes is not None and len(recent) >= self.per_ten_minutes:
            return max(1, math.ceil((recent[0] + WINDOW - now).total_seconds()))
        return None
