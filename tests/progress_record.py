"""A progress display that keeps what it is told, for tests of what core code reports."""

from __future__ import annotations

from outreach.core import progress


class Recorded:
    """Receives the same calls as the terminal's display and keeps them."""

    def __init__(self) -> None:
        self.waits: list[tuple[float, str]] = []
        self.tasks: list[str] = []

    def begin(self, what: str, total: int | None) -> progress.Task:
        self.tasks.append(what)
        return progress.NOWHERE.begin(what, total)

    def end(self, task: progress.Task) -> None:
        pass

    def waiting(self, seconds: float, why: str) -> None:
        self.waits.append((seconds, why))
