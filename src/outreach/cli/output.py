"""What the command line prints and how: terminal or not, colour, tables, JSON, progress.

The one place that looks at the terminal. Colour and emphasis only when the
stream is a terminal, NO_COLOR is unset and --no-color was not given; tables fit
the terminal's width by cutting long cells (``--wide`` keeps them whole, and so
does a pipe or a file); progress goes to stderr on a terminal only, never under
systemd. rich is imported inside the functions that draw, so ``outreach --help``
and a command that draws nothing never load it.
"""

from __future__ import annotations

import io
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

from outreach import progress

#: The version of every --json shape: raised when a field is removed or changes
#: meaning; new fields may appear without it (schemas/ in the repository).
JSON_VERSION = 1
#: The gap between table columns.
GAP = 2
#: No column is cut below this width (or its header's).
NARROWEST = 6

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
    colour terminal.
    """
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    cells = [[" ".join(str(v).split()) for v in row] for row in rows]
    titles = [h.upper() for h in headers] if show_header else [""] * len(headers)
    natural = [max([cell_len(t)] + [cell_len(r[i]) for r in cells]) for i, t in enumerate(titles)]
    floors = [
        n if h in keep else min(n, max(NARROWEST, cell_len(t)))
        for h, t, n in zip(headers, titles, natural, strict=True)
    ]
    widths = natural
    if is_terminal() and not wide:
        room = shutil.get_terminal_size().columns - GAP * (len(headers) - 1)
        widths = fit(natural, floors, room)
    painted = colour()
    grid = Table(
        box=None,
        show_header=show_header,
        show_edge=False,
        pad_edge=False,
        padding=(0, GAP, 0, 0),
        header_style="bold" if painted else "",
    )
    for header, title, width in zip(headers, titles, widths, strict=True):
        grid.add_column(title, width=max(width, 1), no_wrap=True, overflow="ellipsis",
                        justify="right" if header in right else "left")
    for row in cells:
        grid.add_row(*row)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=sum(widths) + GAP * len(widths) + 1,
        force_terminal=painted,
        color_system="standard" if painted else None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(grid)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


# -- progress ---------------------------------------------------------------------------


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

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self._bars: Any = None
        self._logging: list[tuple[logging.StreamHandler[Any], Any]] = []

    def _start(self) -> Any:
        if self._bars is None:
            self._bars = _make_bars(self.stream, colour(self.stream))
        if not self._bars.live.is_started:
            self._bars.start()
            self._follow_logging()
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
        bars = self._start()
        until = time.monotonic() + seconds
        clock = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
        bars.add_task(f"Waiting {seconds:.0f} s (until {clock}): {why}", total=seconds,
                      until=until)  # fmt: skip
        bars.refresh()

    def close(self) -> None:
        """Take the bars off the screen and give logging its stream back."""
        if self._bars is not None and self._bars.live.is_started:
            self._bars.stop()
            for task_id in list(self._bars.task_ids):
                self._bars.remove_task(task_id)
        for handler, stream in self._logging:
            handler.setStream(stream)
        self._logging = []

    def _follow_logging(self) -> None:
        """Let log handlers on stderr write above the bars (rich's proxy) while they show."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream \
                    and sys.stderr is not self.stream:  # fmt: skip
                self._logging.append((handler, handler.setStream(sys.stderr)))


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
                return Text(f"{task.completed:.0f}")
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


def display() -> TerminalDisplay | None:
    """Return the terminal display for this command, or None when nobody watches stderr."""
    if under_systemd() or not is_terminal(sys.stderr):
        return None
    return TerminalDisplay()


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
