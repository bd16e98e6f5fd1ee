"""The progress display of one command: long work and waits shown on stderr while they last.

Drawn by rich on a colour terminal (bars that vanish when the work is done),
else as one plain line redrawn with carriage returns (NO_COLOR, --no-color);
nothing at all for a pipe, a file or the daemon under systemd. Core code
reports through ``core.progress``; ``progress_shown`` installs this display for
the length of one command. rich is imported only when the first bar is drawn.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import IO, Any

from outreach.cli.output import colour, is_terminal, under_systemd
from outreach.core import progress

#: Shorter waits (a server's back-off in milliseconds) are not worth drawing.
SHORTEST_WAIT = 1.0


def _wait_text(seconds: float, why: str) -> str:
    """How a wait reads on either display: how long, until when (local time), why."""
    clock = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
    return f"Waiting {seconds:.0f} s (until {clock}): {why}"


class _Shown:
    """A task on the terminal display."""

    def __init__(self, bars: Any, task_id: Any) -> None:
        self.bars = bars
        self.id = task_id

    def advance(self, amount: int = 1) -> None:
        self.bars.advance(self.id, amount)


class TerminalDisplay:
    """Progress bars and throttling countdowns on stderr, drawn by rich while work runs.

    The bars vanish when the work is done, so what stays on the screen is the
    command's result. Log lines written meanwhile go above the bars.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._bars: Any = None
        self._logging: list[tuple[logging.StreamHandler[Any], Any]] = []

    def _start(self) -> Any:
        if self._bars is None:
            self._bars = _make_bars(self.stream, colour(self.stream))
        if not self._bars.live.is_started:
            self._bars.start()  # rich now proxies sys.stderr: log lines go above the bars
            if sys.stderr is not self.stream:
                self._logging = _follow_logging(self.stream, sys.stderr)
        return self._bars

    def begin(self, what: str, total: int | None) -> progress.Task:
        bars = self._start()
        shown = _Shown(bars, bars.add_task(what, total=total))
        bars.refresh()
        return shown

    def end(self, task: progress.Task) -> None:
        if self._bars is None or not isinstance(task, _Shown):
            return
        self._bars.remove_task(task.id)
        if not any(not t.fields.get("until") for t in self._bars.tasks):
            self.close()

    def waiting(self, seconds: float, why: str) -> None:
        if seconds < SHORTEST_WAIT:
            return
        bars = self._start()
        bars.add_task(_wait_text(seconds, why), total=seconds, until=time.monotonic() + seconds)
        bars.refresh()

    def close(self) -> None:
        """Take the bars off the screen and give logging its stream back."""
        if self._bars is not None and self._bars.live.is_started:
            self._bars.stop()
            for task_id in list(self._bars.task_ids):
                self._bars.remove_task(task_id)
        _give_back(self._logging)
        self._logging = []


def _make_bars(stream: IO[str], painted: bool) -> Any:
    """Build the rich Progress: what, a bar, how far (or how long to wait), time so far."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class HowFar(ProgressColumn):
        def render(self, task: Any) -> Text:
            until = task.fields.get("until")
            if until:
                return Text(f"{max(until - time.monotonic(), 0):.0f} s left")
            if task.total is None:
                return Text(f"{task.completed:.0f}" if task.completed else "")
            return Text(f"{task.completed:.0f}/{task.total:.0f}")

    class Bars(Progress):
        def get_renderables(self) -> Any:
            now = time.monotonic()
            for each in list(self.tasks):
                until = each.fields.get("until")
                if until and until <= now:
                    self.remove_task(each.id)
                elif until:
                    self.update(each.id, completed=(each.total or 0) - (until - now))
            yield from super().get_renderables()

    console = Console(
        file=stream,
        force_terminal=True,
        color_system="standard" if painted else None,
        no_color=not painted,
        highlight=False,
        markup=False,
        emoji=False,
    )
    return Bars(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        HowFar(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
    )


class PlainDisplay:
    """Progress without a single escape sequence (NO_COLOR, --no-color): one line on stderr,
    redrawn with carriage returns, showing the latest work or wait."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._tasks: list[_Counted] = []
        self._waits: list[tuple[float, str]] = []
        self._drawn = 0
        self._last = 0.0
        self._logging: list[tuple[logging.StreamHandler[Any], Any]] = []

    def begin(self, what: str, total: int | None) -> progress.Task:
        if not self._tasks and not self._waits:
            self._logging = _follow_logging(self.stream, _Clearing(self))
        counted = _Counted(self, what, total)
        self._tasks.append(counted)
        self.draw(force=True)
        return counted

    def end(self, task: progress.Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)  # type: ignore[arg-type]
        self.draw(force=True)

    def waiting(self, seconds: float, why: str) -> None:
        if seconds < SHORTEST_WAIT:
            return
        self._waits.append((time.monotonic() + seconds, _wait_text(seconds, why)))
        self.draw(force=True)

    def line(self) -> str:
        """The text to show now: a wait under way, else the latest task."""
        now = time.monotonic()
        self._waits = [(until, text) for until, text in self._waits if until > now]
        if self._waits:
            return self._waits[-1][1]
        return self._tasks[-1].text() if self._tasks else ""

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        text = self.line()[: shutil.get_terminal_size().columns - 1]
        if not text and not self._drawn:
            return
        self.stream.write("\r" + text.ljust(self._drawn) + ("" if text else "\r"))
        self.stream.flush()
        self._drawn = len(text)

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0

    def close(self) -> None:
        self._tasks, self._waits = [], []
        self.clear()
        _give_back(self._logging)
        self._logging = []


class _Counted:
    """A task of the plain display."""

    def __init__(self, shown: PlainDisplay, what: str, total: int | None) -> None:
        self.shown, self.what, self.total, self.done = shown, what, total, 0

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        self.shown.draw()

    def text(self) -> str:
        if self.total is None:
            return f"{self.what}: {self.done}" if self.done else f"{self.what} ..."
        return f"{self.what}: {self.done}/{self.total}"


class _Clearing:
    """A stream for log handlers: clears the progress line, writes, draws it again."""

    def __init__(self, shown: PlainDisplay) -> None:
        self.shown = shown

    def write(self, text: str) -> int:
        self.shown.clear()
        written = self.shown.stream.write(text)
        self.shown.draw(force=True)
        return written

    def flush(self) -> None:
        self.shown.stream.flush()


def _follow_logging(
    stream: IO[str], above: Any
) -> list[tuple[logging.StreamHandler[Any], Any]]:
    """Point log handlers that write to ``stream`` at ``above``; return what to give back."""
    moved = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
            moved.append((handler, handler.setStream(above)))
    return moved


def _give_back(moved: list[tuple[logging.StreamHandler[Any], Any]]) -> None:
    for handler, stream in moved:
        handler.setStream(stream)


class CommandDisplay:
    """The terminal display of one command: drawn by rich in colour, else plainly.

    Chosen at the first progress reported, after --no-color has been read.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._chosen: TerminalDisplay | PlainDisplay | None = None

    def _display(self) -> TerminalDisplay | PlainDisplay:
        if self._chosen is None:
            painted = colour(self.stream)
            self._chosen = TerminalDisplay(self.stream) if painted else PlainDisplay(self.stream)
        return self._chosen

    def begin(self, what: str, total: int | None) -> progress.Task:
        return self._display().begin(what, total)

    def end(self, task: progress.Task) -> None:
        self._display().end(task)

    def waiting(self, seconds: float, why: str) -> None:
        self._display().waiting(seconds, why)

    def close(self) -> None:
        if self._chosen is not None:
            self._chosen.close()


def display() -> CommandDisplay | None:
    """Return the terminal display for this command, or None when nobody watches stderr."""
    if under_systemd() or not is_terminal(sys.stderr):
        return None
    return CommandDisplay(sys.stderr)


@contextmanager
def progress_shown() -> Iterator[None]:
    """Show core progress on stderr for the length of one command, when it is a terminal."""
    shown = display()
    guard: AbstractContextManager[Any] = progress.showing(shown) if shown else nullcontext()
    try:
        with guard:
            yield
    finally:
        if shown is not None:
            shown.close()
