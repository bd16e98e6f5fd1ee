"""The daemon loop: readiness, watchdog, back-off with a ceiling, reload and stop."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from outreach.campaign import systemd
from outreach.campaign.daemon import Loop
from outreach.core import progress
from outreach.core.errors import MailboxError
from progress_record import Recorded  # tests/ is on the path


class Script:
    """A cycle that fails while the 'server' is down, and a pause that records waits."""

    def __init__(self, outcomes: list[bool], loop_holder: list[Loop]) -> None:
        self.outcomes = outcomes
        self.calls = 0
        self.waits: list[float] = []
        self.holder = loop_holder

    def cycle(self) -> None:
        up = self.outcomes[self.calls]
        self.calls += 1
        if self.calls == len(self.outcomes):
            self.holder[0].stop()
        if not up:
            raise MailboxError("The server mail.example.com did not answer")

    def pause(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return False


def run_script(outcomes: list[bool], **kwargs) -> tuple[Script, list[str], int]:
    holder: list[Loop] = []
    script = Script(outcomes, holder)
    sent: list[str] = []

    def notify(message: str) -> bool:
        sent.append(message)
        return True

    loop = Loop(cycle=script.cycle, poll_seconds=60, notify=notify, pause=script.pause, **kwargs)
    holder.append(loop)
    failures = loop.run()
    return script, sent, failures


def test_backs_off_doubling_to_a_ceiling_and_recovers() -> None:
    shown = Recorded()
    with progress.showing(shown):
        script, sent, failures = run_script(
            [True, False, False, False, False, False, True, True], min_backoff=10, max_backoff=30
        )
    assert script.calls == 8
    assert failures == 0
    # one wait after each cycle but the last: poll, then 10, 20, 30, 30, 30, then poll again
    assert script.waits == [60, 10, 20, 30, 30, 30, 60]
    # each back-off is shown (on a terminal) with its length and the reason
    assert [seconds for seconds, _ in shown.waits] == [10, 20, 30, 30, 30]
    assert shown.waits[0][1].startswith("The server mail.example.com did not answer")
    assert sent[0] == "READY=1" and sent[-1] == "STOPPING=1"
    assert sent.count("WATCHDOG=1") >= 8
    assert any(m.startswith("STATUS=mailbox unreachable") for m in sent)


def test_once_runs_a_single_cycle_and_reports_failure() -> None:
    holder: list[Loop] = []
    script = Script([False], holder)
    loop = Loop(cycle=script.cycle, poll_seconds=60, notify=lambda m: True, pause=script.pause)
    holder.append(loop)
    assert loop.run(once=True) == 1
    assert script.waits == []


def test_reload_happens_between_cycles() -> None:
    reloads: list[int] = []
    holder: list[Loop] = []
    script = Script([True, True, True], holder)

    def cycle() -> None:
        script.cycle()
        if script.calls == 1:
            holder[0].request_reload()

    loop = Loop(
        cycle=cycle,
        poll_seconds=60,
        notify=lambda m: True,
        pause=script.pause,
        reload=lambda: reloads.append(script.calls),
    )
    holder.append(loop)
    loop.run()
    assert reloads == [1]  # reloaded after the first cycle, before the second
    assert script.calls == 3


def test_notify_speaks_the_systemd_datagram_protocol(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert systemd.notify("READY=1")
        assert server.recv(64) == b"READY=1"


def test_notify_is_a_no_op_outside_systemd(monkeypatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd.notify("READY=1") is False


@pytest.mark.parametrize(
    ("usec", "pid_is_mine", "expected"),
    [("20000000", True, 10.0), ("20000000", False, None), (None, True, None)],
)
def test_watchdog_interval_is_half_the_timeout(monkeypatch, usec, pid_is_mine, expected) -> None:
    if usec is None:
        monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    else:
        monkeypatch.setenv("WATCHDOG_USEC", usec)
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() if pid_is_mine else 1))
    assert systemd.watchdog_interval() == expected


def test_notify_never_blocks_on_a_listener_that_stopped_reading(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        results = [systemd.notify("WATCHDOG=1") for _ in range(500)]  # nobody reads
        assert results[0] is True and results[-1] is False
