"""Choosing the times of a bulk first day: ``slots.Batch`` beside searching one by one.

A batch of N requests (default 1,000) is given times from one window, never a time
offered to another email. Searching one by one (each email searched afresh against
every time offered before it) is what the batch must answer, and what it answered
before it remembered the days with no room left; both run here on the same input, and
the table gives the wall time of each (median of --repeat), how many emails got times
and how many wait, for a window with room for all (365 days, no buffer) and for the
default two weeks, where most wait.

    python bench/slots_bench.py [--emails 1000] [--repeat 3]

Pure: no mailbox, no store, nothing written.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measures import options, print_rows

from outreach.config.settings import Paths, Scheduling, Settings, TimeSettings, User
from outreach.writing.slots import Batch, Interval, NoSlots, propose

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("America/New_York"))


def settings(latest_days: int, buffer_minutes: int) -> Settings:
    return Settings(
        user=User(name="Robin Vale", email="robin.vale@example.com"),
        paths=Paths(store=Path("/nonexistent/store.json")),
        time=TimeSettings(timezone="America/New_York", country="US"),
        scheduling=Scheduling(latest_days=latest_days, buffer_minutes=buffer_minutes),
    )


def one_by_one(chosen: Settings, emails: int) -> tuple[int, int]:
    """Each email searched afresh against every time offered before it."""
    taken: list[Interval] = []
    got = 0
    for _ in range(emails):
        try:
            found = propose(chosen, NOW, taken)
        except NoSlots:
            continue
        taken += [Interval(s.start, s.end) for s in found]
        got += 1
    return got, emails - got


def batch(chosen: Settings, emails: int) -> tuple[int, int]:
    """The preparer's way: one ``Batch`` for the whole batch."""
    times = Batch(chosen, NOW, [])
    got = 0
    for _ in range(emails):
        try:
            times.propose(None, None)
        except NoSlots:
            continue
        got += 1
    return got, emails - got


def timed(run: Callable[[Settings, int], tuple[int, int]], chosen: Settings, emails: int,
          repeat: int) -> tuple[float, tuple[int, int]]:  # fmt: skip
    took, answer = [], (0, 0)
    for _ in range(repeat):
        began = time.perf_counter()
        answer = run(chosen, emails)
        took.append(time.perf_counter() - began)
    return statistics.median(took), answer


def main() -> None:
    args = options(__doc__ or "", emails=1000, repeat=3)
    rows = []
    for label, chosen in (("365 days, no buffer", settings(365, 0)),
                          ("14 days (default)", settings(14, 15))):  # fmt: skip
        for name, run in (("one by one", one_by_one), ("Batch", batch)):
            took, (got, waiting) = timed(run, chosen, args.emails, args.repeat)
            rows.append((f"{args.emails} emails, {label}: {name}", f"{took:.2f} s",
                         f"{got} with times, {waiting} waiting"))  # fmt: skip
    print_rows(rows)


if __name__ == "__main__":
    main()
