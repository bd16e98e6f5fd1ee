"""Measure the Graph backend against the sandbox's Graph face, beside the EWS backend.

(a) HTTP requests in a quiet cycle (goal on Graph: 1, the batched deltas);
(b) HTTP requests to draft 200 requests with their tentative holds (goal: 30 or fewer),
    and the quiet cycle after them;
(c) ``outreach --help`` wall time beside ``python -c pass`` (median of runs): the CLI
    imports neither httpx nor msal nor exchangelib, so the backend costs nothing there;
(d) HTTP requests of the sync that reads 20 replies, each picking a proposed time above
    a quote of the request (Outlook, Gmail, Apple Mail ... in several languages), with the
    reply's own words asked for (UniqueBody / uniqueBody, as shipped) and without them:
    the count must not grow; beside it, how many replies were read as the pick they are,
    and the whole cycle's requests (which grow with the invitations the picks draft).
    On EWS the replies' bodies (and UniqueBody) come from one GetItem after Inbox's
    SyncFolderItems page, which, as FindItem, returns no bodies: GetEvents,
    SyncFolderItems, GetItem.

    python bench/graph_bench.py [--drafts 200] [--runs 7] [--replies 20]

Requests are counted per HTTP request the sandbox answered; the requests carried
inside Graph's $batch requests are shown beside them. Everything lives in a
temporary folder; nothing is written into the repository.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_bench import ROOM, add_contacts
from measures import options, print_rows

from daemon.world import ZONE, World
from outreach import app
from outreach.campaign.service import Service
from outreach.config import loader
from outreach.core.model import Kind, MessageState, Status
from outreach.mailbox import observe
from outreach.mailbox.graph import observe as graph_observe


def counted(world: World, action, face: str) -> tuple[int, int, Counter[str]]:
    """(HTTP requests, requests inside batches, per operation) that ``action`` caused."""
    world.controls.reset_request_counts()
    action()
    http = Counter(world.controls.request_counts(face))
    inside = sum(world.controls.request_counts("batched").values())
    return sum(http.values()), inside, http


def bench_protocol(folder: Path, protocol: str, drafts: int) -> list[tuple[str, str, str]]:
    world = World(folder, protocol=protocol, daily_send_cap=drafts * 2, per_contact_cap=10,
                  scheduling=ROOM)
    try:
        settings = loader.load(world.config_path)
        svc = Service(settings, world.store, app.open_mailbox(settings), world.clock)
        svc.cycle()  # the baseline
        svc.cycle()
        quiet, _, quiet_ops = counted(world, svc.cycle, protocol)
        add_contacts(world, drafts)
        began = time.perf_counter()
        total, inside, ops = counted(world, svc.cycle, protocol)
        took = time.perf_counter() - began
        state = world.state()
        drafted = sum(
            m.state == MessageState.DRAFTED and m.kind == Kind.REQUEST
            for m in state.messages.values()
        )
        holds = sum(bool(m.item_id) and m.kind == Kind.HOLD for m in state.messages.values())
        again, _, _ = counted(world, svc.cycle, protocol)
        svc.mailbox.close()
    finally:
        world.close()
    detail = ", ".join(f"{op} {n}" for op, n in ops.most_common(4))
    batched = f"; {inside} inside $batch" if protocol == "graph" else ""
    return [
        (f"{protocol}: (a) requests in a quiet cycle", str(quiet), ", ".join(quiet_ops)),
        (
            f"{protocol}: (b) requests to draft {drafts} with holds",
            str(total),
            f"{drafted} drafted, {holds} holds in {took:.1f} s{batched}; {detail}",
        ),
        (f"{protocol}:     the quiet cycle after them", str(again), ""),
    ]


#: how the replies of (d) quote the request, in turn
QUOTES = [
    ("outlook", "de"), ("outlook-html", "fr"), ("gmail", "es"), ("apple", "nl"),
    ("outlook-original", "en"), ("gmail-html", "it"), ("outlook", "sv"), ("thunderbird", "fr"),
]  # fmt: skip


@contextmanager
def without_own_words() -> Iterator[None]:
    """Both backends as they were before asking for a reply's own words."""
    ews, graph = observe.DETAIL["inbox"], graph_observe.SELECT["inbox"]
    observe.DETAIL["inbox"] = tuple(f for f in ews if f != "unique_body")
    graph_observe.SELECT["inbox"] = tuple(f for f in graph if f != "uniqueBody")
    try:
        yield
    finally:
        observe.DETAIL["inbox"], graph_observe.SELECT["inbox"] = ews, graph


def bench_replies(folder: Path, protocol: str, replies: int) -> tuple[Counter[str], int, int]:
    """(HTTP requests of the sync that reads the replies, per operation; requests of the
    whole cycle, which also drafts the invitations and syncs past them; replies read as
    their pick)."""
    world = World(folder, protocol=protocol, daily_send_cap=replies * 2, per_contact_cap=10)
    try:
        settings = loader.load(world.config_path)
        svc = Service(settings, world.store, app.open_mailbox(settings), world.clock)
        svc.cycle()
        add_contacts(world, replies)
        svc.cycle()
        for email in (c.email for c in world.state().contacts.values()):
            world.controls.press_send(world.message(email, Kind.REQUEST).item_id)
        svc.cycle()
        world.advance(minutes=10)
        for n, contact in enumerate(world.state().contacts.values()):
            slot = world.message(contact.email, Kind.REQUEST).slots[1].start.astimezone(ZONE)
            client, language = QUOTES[n % len(QUOTES)]
            world.controls.reply(
                world.addressed_to("sentitems", contact.email)[0]["id"],
                sender=contact.email,
                body=f"{slot:%A} at {slot:%-I:%M %p} works for me.",
                quoting=client,
                language=language,
            )
        calls: list[Counter[str]] = []  # per sync call of the cycle; the first reads the replies
        sync = svc.mailbox.sync

        def counted_sync(state: dict[str, str]) -> object:
            before = Counter(world.controls.request_counts(protocol))
            try:
                return sync(state)
            finally:
                calls.append(Counter(world.controls.request_counts(protocol)) - before)

        svc.mailbox.sync = counted_sync
        total, _, _ = counted(world, svc.cycle, protocol)
        reading = calls[0]
        picked = sum(c.status == Status.SCHEDULING for c in world.state().contacts.values())
        svc.mailbox.close()
    finally:
        world.close()
    return reading, total, picked


def bench_reading(folder: Path, replies: int) -> list[tuple[str, str, str]]:
    rows = []
    for protocol in ("graph", "ews"):
        with without_own_words():
            before, before_total, before_read = bench_replies(
                folder / f"{protocol}-0", protocol, replies
            )
        after, total, read = bench_replies(folder / f"{protocol}-1", protocol, replies)
        runs = (
            (f"{protocol}: (d) sync reading {replies} replies, own words", after, total, read),
            (f"{protocol}:     the same without them", before, before_total, before_read),
        )
        for label, ops, whole, right in runs:
            detail = ", ".join(f"{op} {n}" for op, n in ops.most_common())
            rows.append(
                (
                    label,
                    str(sum(ops.values())),
                    f"{detail}; {right}/{replies} read as their pick; whole cycle {whole}"
                    " (with the invitations it drafts)",
                )
            )
    return rows


def wall(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def bench_help(runs: int) -> list[tuple[str, str, str]]:
    floor = wall([sys.executable, "-c", "pass"], runs)
    cli = wall([sys.executable, "-m", "outreach", "--help"], runs)
    return [
        ("(c) python -c pass", f"{floor * 1000:.0f} ms", f"median of {runs}"),
        ("    outreach --help", f"{cli * 1000:.0f} ms", f"{cli / floor:.1f}× the floor"),
    ]


def main() -> None:
    args = options(__doc__, drafts=200, runs=7, replies=20)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        for protocol in ("graph", "ews"):
            folder = Path(tmp) / protocol
            folder.mkdir()
            rows += bench_protocol(folder, protocol, args.drafts)
        for sub in ("graph-0", "graph-1", "ews-0", "ews-1"):
            (Path(tmp) / "reading" / sub).mkdir(parents=True)
        rows += bench_reading(Path(tmp) / "reading", args.replies)
    rows += bench_help(args.runs)
    print_rows(rows)


if __name__ == "__main__":
    main()
