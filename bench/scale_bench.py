"""Measure outreach's commands as the campaign grows: 1k, 2.5k and 10k contacts.

Each store is built through the product's own ``contacts import`` (a CSV of
contacts), then given what years of a campaign leave behind: per contact a sent
request proposing three times and its three tentative holds (4 messages) and 10
lines of history. Every command then runs as the user runs it, one process each,
against an in-process sandbox on a fixed clock; the table gives the median wall
time and the peak RSS of each, beside ``python -c "import exchangelib"`` and a
plain TinyDB update of the same file (the floors), and the in-process times of
one planning pass and one contact update.

The journal's effect on a daemon cycle's writes: busy ``run --once`` cycles
(20 new contacts imported before each, so each drafts 20 requests and their
holds) alternate between the product as it is (each commit appends to
store.journal.jsonl) and the same command with every commit folded into
store.json at once (what every commit cost before the journal); the second
table gives each one's wall time, its commits and what the store wrote.

    python bench/scale_bench.py [--sizes 1000,2500,10000] [--repeat 3]

The requests a quiet ``run --once`` makes from a fresh process are counted by the
sandbox, on its EWS face and (with a copy of the same store) on its Graph face, and
``outreach --help`` is timed beside ``python -c pass``.

Goals at 10k: a quiet ``run --once`` ≤ 2× the exchangelib import and ≤ 150 MB peak
RSS; from a fresh process EWS ≤ 2 requests, Graph 1; ``--help`` ≤ 3× ``python -c
pass``; one update
≤ 100 ms in process and ``contacts edit`` ≤ 1.5× plain TinyDB; planning 2.5k →
10k at most 4.5×. Everything lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from outreach import engine
from outreach.config import loader
from outreach.core.clock import CLOCK_ENV, FileClock
from outreach.core.model import Event, Kind, Message, MessageState, Slot, Status
from outreach.sandbox import Sandbox
from outreach.store.db import Store

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=ZONE)  # a Monday

CONFIG = """\
user:
  name: Robin Vale
  email: robin.vale@example.com
  organization: Example Corp
  areas: [data engineering]
mailbox:
  backend: sandbox
  service_endpoint: {url}
  sandbox_protocol: {protocol}
time:
  timezone: America/New_York
scheduling:
  slots: 3
policy:
  daily_send_cap: {cap}
  per_contact_cap: 10
paths:
  store: {store}
"""


@dataclass
class Profile:
    """One campaign folder: config, store, clock and the environment to run commands in."""

    root: Path
    sandbox_url: str
    cap: int = 20
    protocol: str = "ews"

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def store(self) -> Path:
        return self.root / "store.json"

    def write(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        FileClock(self.root / "clock").set(NOW)
        self.config.write_text(
            CONFIG.format(url=self.sandbox_url, store=self.store, cap=self.cap,
                          protocol=self.protocol), encoding="utf-8")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env[CLOCK_ENV] = str(self.root / "clock")
        env.pop("OUTREACH_CRASH_AT", None)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "outreach", "--config", str(self.config), *args]


def write_csv(path: Path, first: int, count: int) -> None:
    """Contacts ``first`` .. ``first + count - 1`` as the CSV `contacts import` reads."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "email", "title", "department", "organization", "office",
                         "area", "research_notes", "tags"])
        for n in range(first, first + count):
            writer.writerow([
                f"Person {n:05d}", f"person{n:05d}@partner.example.net", "Senior Analyst",
                "Data Platform", "Partner Co", f"Building {n % 7}, room {n % 300}",
                "data engineering", "Runs the data guild; wrote the quarterly review.",
                "guild;warm",
            ])


def add_history(store: Store, now: datetime) -> None:
    """Give every contact a sent request with three times, their holds and 10 events."""
    with store.transaction() as state:
        for n, contact in enumerate(sorted(state.contacts.values(), key=lambda c: c.email)):
            sent = now - timedelta(days=1, minutes=n % 600)
            day = (now + timedelta(days=2 + n % 5)).replace(hour=10, minute=0)
            slots = [Slot(day + timedelta(days=k), day + timedelta(days=k, minutes=30))
                     for k in range(3)]
            request = Message(
                contact_id=contact.id, kind=Kind.REQUEST,
                id=engine.message_id(contact.id, Kind.REQUEST, 1), state=MessageState.SENT,
                subject="Informational interview about data engineering?", slots=slots,
                item_id=f"AAMk-sent-{contact.id}",
                internet_message_id=f"<{contact.id}@example.com>",
                conversation_id=f"conv-{contact.id}", planned_at=sent, drafted_at=sent,
                sent_at=sent)
            state.messages[request.id] = request
            for k, slot in enumerate(slots):
                hold = Message(
                    contact_id=contact.id, kind=Kind.HOLD,
                    id=engine.message_id(contact.id, Kind.HOLD, f"{request.id}:{k}"),
                    state=MessageState.DRAFTED, sequence=k + 1, thread_of=request.id,
                    slots=[slot], subject=f"Hold: informational interview with {contact.name}",
                    item_id=f"AAMk-hold-{contact.id}-{k}", planned_at=sent, drafted_at=sent)
                state.messages[hold.id] = hold
            contact.status, contact.status_changed_at = Status.CONTACTED, sent
            for k in range(10):
                state.record(Event(at=sent + timedelta(seconds=k), kind="note",
                                   contact_id=contact.id, text=f"Step {k} of the story so far.",
                                   data={"step": k}))


#: Runs one command from a small process, so its peak RSS is its own (a child forked
#: from this big bench process would be charged this process's memory).
MEASURE = """\
import os, sys, time
began = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(f"{time.perf_counter() - began} {usage.ru_maxrss} {code}")
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run one command; return (wall seconds, peak RSS in MB). Fail loudly if it fails."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as result:
        done = subprocess.run([sys.executable, "-c", MEASURE, result.name, *argv], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        took, rss, code = result.read().split()
    if done.returncode or int(code):
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{done.stderr.decode()[-3000:]}")
    return float(took), int(rss) // 1024


def median(argvs: list[list[str]], env: dict[str, str]) -> tuple[float, int]:
    """Median wall time and the largest peak RSS over several runs."""
    runs = [run(argv, env) for argv in argvs]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


FLOOR = 'python -c "import exchangelib"'
#: what --help cannot go under while it is a click command
CLICK = 'python -c "import click"'

def side_by_side(first: list[list[str]], second: list[list[str]],
                 env: dict[str, str]) -> tuple[tuple[float, int], tuple[float, int]]:
    """Median time and peak RSS of two commands run in turn, so both see the same load."""
    a, b = [], []
    for one, two in zip(first, second, strict=True):
        a.append(run(one, env))
        b.append(run(two, env))
    return ((statistics.median(r[0] for r in a), max(r[1] for r in a)),
            (statistics.median(r[0] for r in b), max(r[1] for r in b)))


TINYDB_UPDATE = """\
import sys
from tinydb import TinyDB
db = TinyDB(sys.argv[1])
table = db.table("contacts")
doc_id = next(iter(table._read_table()))
table.update({"title": sys.argv[2]}, doc_ids=[int(doc_id)])
"""


#: `outreach` with every commit folded into store.json at once: a whole-file write per
#: commit, as before the journal (the peer of the busy cycles).
FOLD_EVERY_COMMIT = """\
import sys
from outreach.store import journal
journal.COMPACT_BYTES, journal.COMPACT_FRACTION = 0, 1 << 60
from outreach.cli.main import main
sys.argv[0] = "outreach"
main()
"""


@dataclass
class Written:
    """What the store wrote during one command: commits, and bytes to its files."""

    commits: int = 0
    written: int = 0

    @staticmethod
    def state(store: Path) -> tuple[int, int, int, int]:
        """(generation, journal records, journal bytes, events bytes) of the store now."""
        raw = json.loads(store.read_bytes())
        journal_file = Store(store).journal_path
        data = journal_file.read_bytes() if journal_file.exists() else b""
        events = Store(store).events_path
        return (raw["meta"]["1"].get("generation", 0), data.count(b"\n"), len(data),
                events.stat().st_size if events.exists() else 0)

    @classmethod
    def between(cls, store: Path, before: tuple[int, int, int, int]) -> Written:
        generation, records, size, events = cls.state(store)
        folds = generation - before[0]
        whole = folds * store.stat().st_size
        if folds:  # each fold took one commit's record (or several) off the journal
            return cls(max(folds, records), whole + size + events - before[3])
        return cls(records - before[1], size - before[2] + events - before[3])


#: a busy cycle's figures: (median wall ms, commits, kB the store wrote)
Busy = dict[str, tuple[float, float, float]]


def busy_cycles(profile: Profile, repeat: int, env: dict[str, str]) -> Busy:
    """Alternate busy `run --once` cycles: journal, then every commit folded into the file.

    Before each cycle 20 new contacts are imported, so every cycle plans, drafts and
    records the same work: 20 requests and their holds (the profile's send cap
    leaves room for all of them).
    """
    normal = profile.command("run", "--once")
    folded = [sys.executable, "-c", FOLD_EVERY_COMMIT, *normal[3:]]
    runs: dict[str, list[tuple[float, Written]]] = {"journal": [], "fold": []}
    first = 100_000
    for _ in range(repeat):
        for name, argv in (("journal", normal), ("fold", folded)):
            batch = profile.root / f"busy-{first}.csv"
            write_csv(batch, first, 20)
            first += 20
            run(profile.command("contacts", "import", str(batch)), env)
            before = Written.state(profile.store)
            took, _ = run(argv, env)
            runs[name].append((took, Written.between(profile.store, before)))
    return {name: (statistics.median(r[0] for r in done) * 1000,
                   statistics.median(r[1].commits for r in done),
                   statistics.median(r[1].written for r in done) / 1000)
            for name, done in runs.items()}


def in_process(profile: Profile, repeat: int) -> tuple[float, float]:
    """(planning ms, one contact update ms) measured inside one process.

    Planning is timed on a fresh read, decoding included (what a quiet cycle pays);
    updates on a store this process has read once (what the daemon pays).
    """
    settings = loader.load(profile.config)
    store = Store(profile.store)
    now = NOW
    plans = []
    for _ in range(repeat):
        state = store.read()
        began = time.perf_counter()
        engine.apply_plan(state, now, settings)
        plans.append((time.perf_counter() - began) * 1000)
        assert not state.events, f"the store is not quiet: {state.events[:3]}"
    updates = []
    target = next(iter(store.read().contacts))
    with store.transaction() as state:  # the first one reads the file: not what is measured
        state.contacts[target].title = "Senior Analyst"
    for n in range(max(repeat, 5)):
        began = time.perf_counter()
        with store.transaction() as state:
            state.contacts[target].title = f"Senior Analyst {n}"
        updates.append((time.perf_counter() - began) * 1000)
    return statistics.median(plans), statistics.median(updates)


def quiet_requests(profile: Profile, controls: Any, env: dict[str, str]) -> str:
    """The requests one quiet `run --once` from a fresh process makes, as the sandbox
    counted them (per operation)."""
    controls.reset_request_counts()
    run(profile.command("run", "--once"), env)
    counts = controls.request_counts(profile.protocol)
    return f"{sum(counts.values())}: " + ", ".join(f"{op} {n}" for op, n in counts.items())


def graph_copy(profile: Profile) -> Profile:
    """The same store, copied beside, with the Graph face as its mailbox (synced twice:
    the first takes over the EWS state, the second sees its own baseline)."""
    graph = Profile(profile.root.with_name(profile.root.name + "-graph"), profile.sandbox_url,
                    profile.cap, "graph")
    graph.write()
    for source in profile.root.iterdir():
        if source.name.startswith("store."):
            shutil.copy2(source, graph.root / source.name)
    for _ in range(2):
        run(graph.command("run", "--once"), graph.env())
    return graph


def bench_size(root: Path, url: str, size: int, repeat: int,
               controls: Any) -> tuple[dict[str, tuple[float, float]], Busy, dict[str, str]]:
    profile = Profile(root / f"c{size}", url, cap=20 * 2 * repeat)  # room for busy_cycles
    profile.write()
    env = profile.env()
    write_csv(profile.root / "contacts.csv", 0, size)
    write_csv(profile.root / "more.csv", size, 1000)
    run(profile.command("contacts", "import", str(profile.root / "contacts.csv")), env)
    add_history(Store(profile.store), NOW)
    for _ in range(2):  # the first cycles subscribe and take the baseline
        run(profile.command("run", "--once"), env)
    out: dict[str, tuple[float, float]] = {}
    out[FLOOR], out["quiet run --once"] = side_by_side(
        [[sys.executable, "-c", "import exchangelib"]] * repeat,
        [profile.command("run", "--once")] * repeat, env)
    requests = {"EWS": quiet_requests(profile, controls, env)}
    graph = graph_copy(profile)
    out["quiet run --once (Graph)"] = median([graph.command("run", "--once")] * repeat,
                                             graph.env())
    requests["Graph"] = quiet_requests(graph, controls, graph.env())
    out["python -c pass"], out["outreach --help"] = side_by_side(
        [[sys.executable, "-c", "pass"]] * repeat * 3,
        [[sys.executable, "-m", "outreach", "--help"]] * repeat * 3, env)
    out[CLICK] = median([[sys.executable, "-c", "import click"]] * repeat * 3, env)
    out["status"] = median([profile.command("status")] * repeat, env)
    out["contacts list --json"] = median([profile.command("contacts", "list", "--json")] * repeat,
                                         env)
    target = "person00001@partner.example.net"
    out["plain TinyDB update"], out["contacts edit (one field)"] = side_by_side(
        [[sys.executable, "-c", TINYDB_UPDATE, str(profile.store), f"Lead {n}"]
         for n in range(repeat)],
        [profile.command("contacts", "edit", target, "--title", f"Lead {n}")
         for n in range(repeat)], env)
    plan_ms, update_ms = in_process(profile, repeat)
    out["planning, in process"] = (plan_ms / 1000, 0)
    out["one update, in process"] = (update_ms / 1000, 0)
    busy = busy_cycles(profile, repeat, env)
    out["import 1,000 more"] = run(
        profile.command("contacts", "import", str(profile.root / "more.csv")), env)
    return out, busy, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2500,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, tuple[float, float]]] = {}
    busy: dict[int, Busy] = {}
    requests: dict[int, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="outreach-scale-") as tmp:
        root = Path(tmp)
        clock = FileClock(root / "sandbox-clock")
        clock.set(NOW)
        sandbox = Sandbox(data_dir=None, clock=clock.now).start()
        try:
            for size in sizes:
                results[size], busy[size], requests[size] = bench_size(
                    root, sandbox.url, size, args.repeat, sandbox.controls)
        finally:
            sandbox.stop()
    names = list(next(iter(results.values())))
    print(f"median of {args.repeat}; wall ms (peak RSS MB)")
    width = max(len(n) for n in names)
    print(f"{'':{width}}" + "".join(f"{f'{s:,} contacts':>22}" for s in sizes))
    for name in names:
        cells = []
        for size in sizes:
            took, rss = results[size][name]
            cells.append(f"{took * 1000:.0f}" + (f" ({rss})" if rss else ""))
        print(f"{name:{width}}" + "".join(f"{c:>22}" for c in cells))
    print()
    print(f"busy run --once (median of {args.repeat} each, alternating): wall ms / commits / "
          "kB the store wrote")
    for name, label in (("journal", "each commit appended (journal)"),
                        ("fold", "each commit rewrites store.json")):
        cells = ["{:.0f} / {:.0f} / {:,.0f}".format(*busy[size][name]) for size in sizes]
        print(f"{label:{width}}" + "".join(f"{c:>22}" for c in cells))
    print()
    print("requests of a quiet run --once from a fresh process (goal: EWS ≤ 2, Graph 1)")
    for size in sizes:
        for face, counted in requests[size].items():
            print(f"  {size:>6,} contacts, {face:<5} {counted}")
    big = results[sizes[-1]]
    print()
    print("goals at the largest size:")
    for size in sizes:
        ratio = results[size]["quiet run --once"][0] / results[size][FLOOR][0]
        print(f"  quiet cycle / exchangelib import at {size:,}: {ratio:.2f} (goal at 10,000: ≤ 2)")
    for size in sizes:
        print(f"  quiet cycle peak RSS at {size:,}: {results[size]['quiet run --once'][1]} MB "
              "(goal at 10,000: ≤ 150)")
    for size in sizes:
        ratio = results[size]["outreach --help"][0] / results[size]["python -c pass"][0]
        click = results[size][CLICK][0] / results[size]["python -c pass"][0]
        print(f"  outreach --help / python -c pass at {size:,}: {ratio:.2f} (goal ≤ 3; "
              f"importing click alone: {click:.2f})")
    print(f"  one update in process: {big['one update, in process'][0] * 1000:.0f} ms "
          "(goal ≤ 100)")
    for size in sizes:
        ratio = (results[size]["contacts edit (one field)"][0]
                 / results[size]["plain TinyDB update"][0])
        print(f"  contacts edit / plain TinyDB at {size:,}: {ratio:.2f} (goal ≤ 1.5)")
    if 2500 in results and sizes[-1] != 2500:
        growth = big["planning, in process"][0] / results[2500]["planning, in process"][0]
        print(f"  planning {sizes[-1]:,} / 2,500: {growth:.2f} (goal ≤ 4.5)")


if __name__ == "__main__":
    main()
