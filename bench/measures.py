"""What the benchmarks share: their whole-number options and the table of measures they print."""

from __future__ import annotations

import argparse


def options(doc: str, **defaults: int) -> argparse.Namespace:
    """Parse the command line: one ``--NAME N`` per default (``contacts=10_000``); the
    benchmark's docstring's first line is the help."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args()


def print_rows(rows: list[tuple[str, str, str]]) -> None:
    """Print (measure, value, notes) rows aligned under a header."""
    width = max(len(label) for label, _, _ in rows)
    room = max(len("value"), *(len(value) for _, value, _ in rows))
    print(f"{'measure':<{width}}  {'value':>{room}}  notes")
    for label, value, note in rows:
        print(f"{label:<{width}}  {value:>{room}}  {note}")
