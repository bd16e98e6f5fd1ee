"""A world for end-to-end tests: a sandbox, a config, a clock file and the REAL daemon process.

The sandbox runs in the test process on a ``FileClock``; the daemon (``python -m
outreach run``) reads the same file through $OUTREACH_CLOCK_FILE, so moving the
clock here moves it for both. The test waits on the store (read-only) with a
bounded poll, never with sleeps of fixed length. The config, the store and what
they hold are the campaign every end-to-end test shares (tests/worlds.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from outreach.core.clock import CLOCK_ENV, FileClock
from outreach.core.model import Kind, Message, MessageState
from outreach.demo import next_monday
from outreach.sandbox import Sandbox
from worlds import ZONE, Campaign

T = TypeVar("T")

#: What the daemon's campaign adds to the shared config (tests/worlds.py).
SECTIONS: dict[str, dict[str, Any]] = {
    "user": {"phone": "+1 555 0100", "title": "Analyst", "department": "Operations",
             "organization": "Example Corp"},
    "mailbox": {"max_wait_seconds": 2},
    "time": {"country": "US"},
    "scheduling": {"interview_minutes": 30, "slots": 3},
}
#: The policy unless a test says otherwise (``World(tmp_path, approval="send")``).
POLICY: dict[str, Any] = {
    "approval": "drafts",
    "send_invites": True,
    "follow_up_after_days": 5,
    "max_follow_ups": 2,
    "daily_send_cap": 10,
    "per_contact_cap": 5,
}


def _sections(
    poll: int = 1, scheduling: dict[str, Any] | None = None, **policy: Any
) -> dict[str, dict[str, Any]]:
    return {**SECTIONS, "scheduling": {**SECTIONS["scheduling"], **(scheduling or {})},
            "policy": {**POLICY, **policy}, "daemon": {"poll_seconds": poll}}


class World(Campaign):
    """Sandbox + config + clock file + daemon processes, all under one folder."""

    def __init__(
        self, folder: Path, start: datetime | None = None, protocol: str = "ews",
        scheduling: dict[str, Any] | None = None, **policy: Any,
    ) -> None:  # fmt: skip
        """``scheduling`` adds to the config's scheduling section (``latest_days: 2``)."""
        self.scheduling = dict(scheduling or {})
        shared = FileClock(folder / "clock")
        shared.set(start or next_monday(datetime.now(ZONE)))
        sandbox = Sandbox(data_dir=None, clock=shared.now).start()
        super().__init__(folder, sandbox, shared, protocol,
                         **_sections(scheduling=self.scheduling, **policy))
        self.daemons: list[subprocess.Popen[bytes]] = []
        self.sockets: dict[int, socket.socket] = {}
        self.notes: dict[int, list[str]] = {}
        self.logs: list[Path] = []

    def write_config(self, **policy: Any) -> None:
        """Write the config again with this policy (and ``poll`` seconds for the daemon)."""
        self.configure(**_sections(scheduling=self.scheduling, **policy))

    def own_template(self, name: str, text: str) -> Path:
        """Write the user's own template ``name`` into ``paths.templates`` (pointed at the
        world's templates folder the first time); return its file."""
        folder = self.root / "templates"
        if not folder.exists():
            folder.mkdir()
            config = self.config_path.read_text(encoding="utf-8")
            self.config_path.write_text(config + f"  templates: {folder}\n", encoding="utf-8")
        written = folder / name
        written.write_text(text, encoding="utf-8")
        return written

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env[CLOCK_ENV] = str(self.clock.path)
        env.pop("NOTIFY_SOCKET", None)
        env.pop("OUTREACH_CRASH_AT", None)
        env.update(extra)
        return env

    # -- the person at the command line ------------------------------------------------

    def cli(
        self, *args: str, check: bool = True, timeout: float = 60, **env: str
    ) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "outreach", "--config", str(self.config_path), *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"outreach {' '.join(args)}: {done.stderr}{done.stdout}"
        return done

    def add(self, name: str, email: str, **fields: str) -> None:
        args = ["contacts", "add", "--name", name, "--email", email, "--area", "data engineering"]
        for key, value in fields.items():
            args += [f"--{key.replace('_', '-')}", value]
        self.cli(*args)

    def requested(self, name: str, email: str, hours: float = 1, **fields: str) -> None:
        """``requests_sent`` for one contact, added with ``fields`` (``office=...``)."""
        self.requests_sent((name, email), hours=hours, **fields)

    def requests_sent(self, *people: tuple[str, str], hours: float = 1, **fields: str) -> None:
        """Add each (name, email), draft their requests, press Send on each, ``hours`` later
        run again: the requests are out and their times stand on the calendar as holds."""
        for name, email in people:
            self.add(name, email, **fields)
        self.cli("run", "--once")
        for _, email in people:
            self.controls.press_send(self.message(email, Kind.REQUEST).item_id)
        self.advance(hours=hours)
        self.cli("run", "--once")

    def picks(self, email: str, slot: int, words: str, item_id: str = "") -> Message:
        """``email`` answers the request (or ``item_id``) naming its proposed time ``slot``
        (from 0) the way a person writes it ("{}" in ``words`` becomes "Tuesday at 10:30
        AM"); return the request."""
        request = self.message(email, Kind.REQUEST)
        local = request.slots[slot].start.astimezone(ZONE)
        said = words.format(f"{local:%A} at {local:%-I:%M %p}")
        self.controls.reply(item_id or request.item_id, sender=email, body=said)
        return request

    # -- the daemon ----------------------------------------------------------------------

    def start(self, *args: str, ready: bool = True, **env: str) -> subprocess.Popen[bytes]:
        """Start ``outreach run ARGS`` with a systemd notify socket; wait for READY=1."""
        log = self.root / f"daemon-{len(self.logs)}.log"
        self.logs.append(log)
        name = f"outreach-test-{os.getpid()}-{id(self)}-{len(self.logs)}"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind("\0" + name)
        sock.setblocking(False)
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "outreach", "--config", str(self.config_path), "run", *args],
                env=self.env(NOTIFY_SOCKET="@" + name, **env),
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        self.daemons.append(process)
        self.sockets[process.pid] = sock
        self.notes[process.pid] = []
        if ready:
            self.wait("READY=1 from the daemon", lambda: "READY=1" in self.notified(process))
        return process

    def notified(self, process: subprocess.Popen[bytes]) -> list[str]:
        """Everything the daemon has told systemd so far (READY=1, WATCHDOG=1, STATUS=…)."""
        sock, notes = self.sockets[process.pid], self.notes[process.pid]
        while True:
            try:
                notes.append(sock.recv(4096).decode())
            except BlockingIOError:
                return notes

    def log(self, index: int = -1) -> str:
        return self.logs[index].read_text(encoding="utf-8", errors="replace")

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 60) -> int:
        """SIGTERM, then wait (the step under way finishes first, slow on a busy machine);
        return the exit code."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    def close(self) -> None:
        for process in self.daemons:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        self.sandbox.stop()
        for sock in self.sockets.values():
            sock.close()

    # -- waiting and looking -------------------------------------------------------------

    def wait(self, what: str, probe: Callable[[], T], timeout: float = 20) -> T:
        """Poll ``probe`` until it returns something truthy; fail naming ``what``."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = probe()
            except (KeyError, IndexError, StopIteration, FileNotFoundError) as missing:
                last = f"{type(missing).__name__}: {missing}"
            else:
                if last:
                    return last
            for process in self.daemons:
                self.notified(process)  # drain: a full socket would block the daemon's notify
                code = process.poll()
                if code is not None and code != 0 and code != -signal.SIGKILL and code != 137:
                    raise AssertionError(
                        f"the daemon died ({code}) while waiting for {what}:\n{self.log()}"
                    )
            time.sleep(0.05)
        tail = "\n".join(self.log().splitlines()[-30:]) if self.logs else ""
        raise AssertionError(
            f"timed out after {timeout:.0f} s waiting for {what} "
            f"(last: {last!r})\ndaemon log tail:\n{tail}"
        )

    def settled(self, what: str = "the daemon to see its own drafts") -> None:
        """Wait until the daemon's sync has indexed every draft it created.

        The daemon re-syncs right after creating drafts; a draft deleted before that
        re-sync is created and gone within one sync window, which Exchange never
        reports (see the report: the start-up reconcile covers the crash case).
        """

        def indexed() -> bool:
            state = self.state()
            key = "graph:index:drafts" if self.protocol == "graph" else "index:drafts"
            index = json.loads(state.sync.get("mailbox", {}).get(key) or "{}")
            drafted = [
                m.item_id
                for m in state.messages.values()
                if m.state == MessageState.DRAFTED and m.kind not in (Kind.INVITE, Kind.HOLD)
            ]
            return all(item_id in index for item_id in drafted)

        self.wait(what, indexed)

    def folder(self, name: str) -> list[dict[str, Any]]:
        """A folder's items, their ids spelled as the daemon's protocol spells them."""
        return self.everything()[name]

    def everything(self) -> dict[str, list[dict[str, Any]]]:
        folders = self.controls.inspect()
        if self.protocol == "graph":  # Graph's ids are the EWS ids in URL-safe base64
            for rows in folders.values():
                for row in rows:
                    row["id"] = row["id"].replace("+", "-").replace("/", "_")
        return folders

    def addressed_to(self, name: str, email: str) -> list[dict[str, Any]]:
        return [i for i in self.folder(name) if email in (i.get("to") or [])]

    def travel(self, when: datetime) -> None:
        self.clock.set(when)

    def advance(self, **delta: float) -> datetime:
        return self.clock.advance(timedelta(**delta))
