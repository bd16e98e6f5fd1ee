"""Measure the daemon against the sandbox's request counter.

(a) EWS requests in a quiet cycle (goal: 1);
(b) EWS requests to draft 1,000 requests with their 3,000 tentative holds (goal:
    ≤ 150; the CreateItem batching floor is 80), and the cycle after (goal: 1);
(c) seconds from a reply landing in the sandbox to the contact's status changing,
    with the real daemon process running (poll 1 s), median over a few runs;
(d) the time of a quiet cycle with 10,000 contacts in the store, each with a sent
    request, its three holds and 10 lines of history (as bench/scale_bench.py).

    python bench/daemon_bench.py [--drafts 1000] [--contacts 10000] [--replies 5]

Everything lives in a temporary folder; nothing is written into the repository.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measures import options, print_rows
from scale_bench import add_history

from daemon.world import ZONE, World
from outreach import app
from outreach.campaign.service import Service
from outreach.config import loader
from outreach.core.model import Contact, Kind, MessageState, Source, Status

#: A window with room for a thousand requests' three times each: a time is never
#: offered twice, so on the default two weeks most of them would wait.
ROOM = {"latest_days": 365, "buffer_minutes": 0}


def add_contacts(world: World, count: int, status: Status = Status.NEW) -> None:
    """Put ``count`` contacts straight into the store (the CLI would take minutes for 10,000)."""
    now = world.clock.now()
    with world.store.transaction() as state:
        for n in range(count):
            contact = Contact(
                name=f"Person {n:05d}",
                email=f"person{n:05d}@partner.example.net",
                source=Source.DIRECTORY,
                area="data engineering",
                internal=False,
                status=status,
                created_at=now - timedelta(minutes=count - n),
                updated_at=now,
            )
            state.contacts[contact.id] = contact


def service(world: World) -> Service:
    settings = loader.load(world.config_path)
    return Service(settings, world.store, app.open_mailbox(settings), world.clock)


def requests_of(world: World, action) -> tuple[int, Counter[str]]:
    world.controls.reset_request_counts()
    action()
    counts = Counter(world.controls.request_counts())
    return sum(counts.values()), counts


def bench_quiet_and_drafts(folder: Path, drafts: int) -> list[tuple[str, str, str]]:
    world = World(folder, daily_send_cap=max(drafts * 2, 10), per_contact_cap=10,
                  scheduling=ROOM)
    try:
        svc = service(world)
        svc.cycle()  # the first cycle: subscribe and take the baseline
        svc.cycle()
        quiet, quiet_ops = requests_of(world, svc.cycle)
        add_contacts(world, drafts)
        began = time.perf_counter()
        total, ops = requests_of(world, svc.cycle)
        took = time.perf_counter() - began
        after = world.state().messages.values()
        drafted = sum(m.state == MessageState.DRAFTED and m.kind == Kind.REQUEST for m in after)
        held = sum(m.state == MessageState.DRAFTED and m.kind == Kind.HOLD for m in after)
        again, _ = requests_of(world, svc.cycle)
        svc.mailbox.close()
    finally:
        world.close()
    detail = ", ".join(f"{op} {n}" for op, n in ops.most_common())
    return [
        ("(a) requests in a quiet cycle", str(quiet), ", ".join(quiet_ops) + " (goal: 1)"),
        (
            f"(b) requests to draft {drafts} requests",
            str(total),
            f"{drafted} drafted and {held} holds in {took:.1f} s (goal ≤ 150); {detail}",
        ),
        ("    the quiet cycle after them", str(again), "goal: 1"),
    ]


def bench_reply_latency(folder: Path, runs: int) -> list[tuple[str, str, str]]:
    world = World(folder, poll=1)
    try:
        emails = [f"person{n:05d}@partner.example.net" for n in range(runs)]
        add_contacts(world, runs)
        daemon = world.start()
        world.wait(
            "the requests drafted",
            lambda: all(any(m.item_id for m in world.messages(e, Kind.REQUEST)) for e in emails),
            timeout=60,
        )
        world.settled()
        for email in emails:
            world.controls.press_send(world.message(email, Kind.REQUEST).item_id)
        world.wait(
            "all contacted",
            lambda: all(world.status(e) == "contacted" for e in emails),
            timeout=60,
        )
        times = []
        for email in emails:
            world.advance(minutes=10)
            slot = world.message(email, Kind.REQUEST).slots[0].start.astimezone(ZONE)
            sent = world.addressed_to("sentitems", email)[0]["id"]
            began = time.perf_counter()
            world.controls.reply(
                sent, sender=email, body=f"{slot:%A} at {slot:%-I:%M %p} works for me."
            )
            world.wait(f"{email} to change", lambda e=email: world.status(e) != "contacted")
            times.append(time.perf_counter() - began)
        world.stop(daemon)
    finally:
        world.close()
    return [
        (
            "(c) reply landed -> status changed",
            f"{statistics.median(times):.2f} s",
            f"median of {runs} (min {min(times):.2f}, max {max(times):.2f}); poll 1 s",
        )
    ]


def bench_large_store(folder: Path, contacts: int) -> list[tuple[str, str, str]]:
    world = World(folder)
    try:
        add_contacts(world, contacts)
        add_history(world.store, world.clock.now())
        svc = service(world)
        svc.cycle()
        svc.cycle()
        times = []
        for _ in range(5):
            began = time.perf_counter()
            count, _ = requests_of(world, svc.cycle)
            times.append(time.perf_counter() - began)
        size = world.store_path.stat().st_size
        messages = len(world.state().messages)
        svc.mailbox.close()
    finally:
        world.close()
    return [
        (
            f"(d) quiet cycle, {contacts:,} contacts",
            f"{statistics.median(times) * 1000:.0f} ms",
            f"median of 5; {count} request(s); store {size / 1e6:.1f} MB, "
            f"{messages:,} messages",
        )
    ]


def main() -> None:
    args = options(__doc__, drafts=1000, contacts=10_000, replies=5)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        root = Path(tmp)
        for name, run in (
            ("drafts", lambda p: bench_quiet_and_drafts(p, args.drafts)),
            ("reply", lambda p: bench_reply_latency(p, args.replies)),
            ("large", lambda p: bench_large_store(p, args.contacts)),
        ):
            folder = root / name
            folder.mkdir()
            rows += run(folder)
    print_rows(rows)


if __name__ == "__main__":
    main()
