"""Measure the Graph backend against the sandbox's Graph face, beside the EWS backend.

(a) HTTP requests in a quiet cycle (goal on Graph: 1, the batched deltas);
(b) HTTP requests to draft 200 requests with their tentative holds (goal: 30 or fewer),
    and the quiet cycle after them;
(c) ``outreach --help`` wall time beside ``python -c pass`` (median of runs): the CLI
    imports neither httpx nor msal nor exchangelib, so the backend costs nothing there.

    python bench/graph_bench.py [--drafts 200] [--runs 7]

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_bench import add_contacts
from measures import options, print_rows

from daemon.world import World
from outreach import app
from outreach.campaign.service import Service
from outreach.config import loader
from outreach.core.model import Kind, MessageState


def counted(world: World, action, face: str) -> tuple[int, int, Counter[str]]:
    """(HTTP requests, requests inside batches, per operation) that ``action`` caused."""
    world.controls.reset_request_counts()
    action()
    http = Counter(world.controls.request_counts(face))
    inside = sum(world.controls.request_counts("batched").values())
    return sum(http.values()), inside, http


def bench_protocol(folder: Path, protocol: str, drafts: int) -> list[tuple[str, str, str]]:
    world = World(folder, protocol=protocol, daily_send_cap=drafts * 2, per_contact_cap=10)
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
    args = options(__doc__, drafts=200, runs=7)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        for protocol in ("graph", "ews"):
            folder = Path(tmp) / protocol
            folder.mkdir()
            rows += bench_protocol(folder, protocol, args.drafts)
    rows += bench_help(args.runs)
    print_rows(rows)


if __name__ == "__main__":
    main()
