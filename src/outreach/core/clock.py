"""Clocks: time is passed in, so tests and the demo travel in time instead of sleeping.

Every clock returns aware UTC datetimes. ``FileClock`` lets another process (a
test, the demo) set the time a running daemon sees.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

#: Environment variable naming a clock file; for rehearsals and end-to-end tests only.
CLOCK_ENV = "OUTREACH_CLOCK_FILE"


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock a test or the demo moves by hand; safe to share between threads."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


class FileClock:
    """Read the time from a file holding one ISO 8601 timestamp (written by another process)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        text = self.path.read_text(encoding="utf-8").strip()
        when = datetime.fromisoformat(text)
        if when.tzinfo is None:
            raise ValueError(f"{self.path}: the time must carry a UTC offset, got {text!r}")
        return when.astimezone(UTC)

    def set(self, when: datetime) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(when.astimezone(UTC).isoformat(), encoding="utf-8")
        os.replace(tmp, self.path)

    def advance(self, delta: timedelta) -> datetime:
        when = self.now() + delta
        self.set(when)
        return when


def from_environment() -> Clock:
    """Return the clock named by $OUTREACH_CLOCK_FILE, else the system clock."""
    path = os.environ.get(CLOCK_ENV)
    return FileClock(Path(path)) if path else SystemClock()
