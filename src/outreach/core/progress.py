"""How far long work got: core code reports, the command line decides whether anyone sees it.

Like logging, the reporting side needs no reference to the screen: an import, a
first sync or a cycle drafting hundreds of emails calls ``task`` and advances it,
a wait for a throttled server calls ``waiting``. By default nothing is shown
(pipes, files, the daemon under systemd, tests); the CLI installs a terminal
display with ``showing`` for the length of one command. Nothing here imports
click or rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class Task(Protocol):
    """One piece of long work under way."""

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more units as done."""


class Display(Protocol):
    """Where progress goes: a terminal display, or nowhere."""

    def begin(self, what: str, total: int | None) -> Task:
        """Start showing ``what`` (of ``total`` units, None when not known)."""

    def end(self, task: Task) -> None:
        """Stop showing ``task``: it is done or abandoned."""

    def waiting(self, seconds: float, why: str) -> None:
        """Show that outreach now waits ``seconds`` because ``why`` (a server's throttling)."""


class _Unseen:
    """Progress nobody watches: every call does nothing."""

    def advance(self, amount: int = 1) -> None:
        pass

    def begin(self, what: str, total: int | None) -> Task:
        return self

    def end(self, task: Task) -> None:
        pass

    def waiting(self, seconds: float, why: str) -> None:
        pass


NOWHERE: Display = _Unseen()
_display: Display = NOWHERE


@contextmanager
def showing(display: Display) -> Iterator[Display]:
    """Send progress to ``display`` inside the block (the CLI's terminal display)."""
    global _display
    previous, _display = _display, display
    try:
        yield display
    finally:
        _display = previous


@contextmanager
def task(what: str, total: int | None = None) -> Iterator[Task]:
    """Report one piece of long work: ``with task("Importing contacts", 900) as t: t.advance()``."""
    display = _display
    started = display.begin(what, total)
    try:
        yield started
    finally:
        display.end(started)


def counted(items: Iterable[T], what: str) -> Iterator[T]:
    """Yield ``items``, showing how many are done: ``for row in counted(rows, "Importing")``."""
    with task(what, len(items) if isinstance(items, Sized) else None) as done:
        for item in items:
            yield item
            done.advance()


def waiting(seconds: float, why: str) -> None:
    """Say that a wait of ``seconds`` begins now, and why (the sleep itself is the caller's)."""
    _display.waiting(seconds, why)
