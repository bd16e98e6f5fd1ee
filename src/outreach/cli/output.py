"""What the command line prints and how: terminal or not, colour, tables, JSON.

The one place that looks at the terminal. Colour and emphasis only when the
stream is a terminal, NO_COLOR is unset and --no-color was not given; tables fit
the terminal's width by cutting long cells (``--wide`` keeps them whole, and so
does a pipe or a file); progress goes to stderr on a terminal only, never under
systemd (display.py draws it). rich is imported inside the functions that draw:
tables take only its measure of text in terminal cells, so ``outreach --help``
never loads it and ``outreach status`` only rich.cells.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import click

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
