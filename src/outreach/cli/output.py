"""What the command line prints and how: terminal or not, colour, tables, JSON, progress.

The one place that looks at the terminal. Colour and emphasis only when the
stream is a terminal, NO_COLOR is unset and --no-color was not given; tables fit
the terminal's width by cutting long cells (``--wide`` keeps them whole, and so
does a pipe or a file); progress goes to stderr on a terminal only, never under
systemd. rich is imported inside the functions that draw: tables take only its
measure of text in terminal cells, the progress display the rest, so
``outreach --help`` never loads it and ``outreach status`` only rich.cells.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import click

from outreach.core import progress

#: The version of every --json shape: raised when a field is removed or changes
#: meaning; new fields may appear without it (schemas/ in the repository).
JSON_VERSION = 1
#: The gap between table columns.
GAP = 2
#: No column is cut below this width (or its header's).
NARROWEST = 6
#: Shorter waits (a server's back-off in milliseconds) are not worth drawing.
SHORTEST_WAIT = 1.0

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Choices:
    """The global --no-color, as given for this command."""

    no_color: bool = False


choices = Choices()


def is_terminal(stream: IO[Any] | None = None) -> bool:
    """True when ``stream`` (stdout by default) is a terminal a person reads."""
    stream = sys.stdout if stream is None else stream
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def colour(stream: IO[Any] | None = None) -> bool:
    """True when ``stream`` may carry colour: a terminal, no NO_COLOR, no --no-color."""
    return not choices.no_color and not os.environ.get("NO_COLOR") and is_terminal(stream)


def under_systemd() -> bool:
    """True when systemd runs us (the journal keeps stderr: log lines only, no drawing)."""
    return bool(os.environ.get("JOURNAL_STREAM") or os.environ.get("INVOCATION_ID"))


def emphasis(text: str, **style: Any) -> str:
    """Return ``text`` styled (bold by default) on a colour terminal, else as it is."""
    return click.style(text, **(style or {"bold": True})) if colour() else text


def prose(text: str, indent: str = "  ") -> str:
    """Return free text indented; on a terminal its lines are also wrapped to the width."""
    lines = text.splitlines() or [""]
    if not is_terminal():
        return "\n".join(indent + line for line in lines)
    width = shutil.get_terminal_size().columns - 1
    return "\n".join(click.wrap_text(line, width, initial_indent=indent,
                                     subsequent_indent=indent) or indent.rstrip()
                     for line in lines)  # fmt: skip


# -- JSON -------------------------------------------------------------------------------


def print_json(document: dict[str, Any]) -> None:
    """Print one --json document: ``version`` first, then the command's own fields."""
    click.echo(json.dumps({"version": JSON_VERSION, **document}, indent=2, ensure_ascii=False))


def json_option(function: F) -> F:
    """The --json flag of every command that shows something."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON for scripts (shapes in schemas/)."
    )(function)


def wide_option(function: F) -> F:
    """The --wide flag of every command that prints a table."""
    return click.option(
        "--wide", is_flag=True, help="Show long cells whole instead of fitting the terminal."
    )(function)


# -- tables -----------------------------------------------------------------------------


def fit(natural: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Return column widths that fit ``room``, cutting the widest cuttable column first.

    ``floors`` is how narrow each column may become (its natural width: never cut).
    When even the floors do not fit, the floors are returned.
    """
    widths = list(natural)
    over = sum(widths) - room
    while over > 0:
        cuttable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        others = [w for i, w in enumerate(widths) if i != widest and i in cuttable]
        target = max(max(others, default=floors[widest]), floors[widest], widths[widest] - over)
        step = max(widths[widest] - target, 1)
        widths[widest] -= step
        over -= step
    return widths


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    wide: bool = False,
    keep: Sequence[str] = (),
    right: Sequence[str] = (),
    show_header: bool = True,
) -> str:
    """Return rows as one aligned table for stdout; columns named in ``keep`` are never cut.

    Columns named in ``right`` (counts) are aligned right.
    On a terminal the table fits its width (cells cut with '…') unless ``wide``;
    for a pipe or a file every cell is whole. Headers are upper case, bold on a
    colour terminal. Widths are counted in terminal cells (rich's measure), so
    wide characters line up.
    """
    from rich.cells import cell_len

    cells = [[" ".join(str(v).split()) for v in row] for row in rows]
    titles = [h.upper() for h in headers]
    natural = [max([cell_len(t) if show_header else 0] + [cell_len(r[i]) for r in cells])
               for i, t in enumerate(titles)]  # fmt: skip
    floors = [
        n if h in keep else min(n, max(NARROWEST, cell_len(t)))
        for h, t, n in zip(headers, titles, natural, strict=True)
    ]
    widths = natural
    if is_terminal() and not wide:
        room = shutil.get_terminal_size().columns - GAP * (len(headers) - 1)
        widths = fit(natural, floors, room)
    aligned = [header in right for header in headers]
    lines = [_row(r, widths, aligned) for r in cells]
    if show_header:
        lines.insert(0, emphasis(_row(titles, widths, aligned)))
    return "\n".join(line.rstrip() for line in lines)


def _row(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    """One table line: each cell cut with '…' or padded to its column's width (in cells)."""
    from rich.cells import cell_len, set_cell_size

    out = []
    for text, width, to_right in zip(cells, widths, right, strict=True):
        if cell_len(text) > width:
            text = set_cell_size(text, width - 1) + "…"
        padding = " " * (width - cell_len(text))
        out.append(padding + text if to_right else text + padding)
    return (" " * GAP).join(out)


# -- progress ---------------------------------------------------------------------------


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
