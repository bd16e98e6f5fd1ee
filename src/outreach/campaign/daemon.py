"""The daemon's thin loop: wait for changes, run a cycle, back off when the server is down.

What a cycle does (observe, record, plan, act) lives in ``service``; this module
only owns timing, signals and systemd's readiness and watchdog. The watchdog is
petted from the loop itself, between steps, so a wedged loop is restarted by
systemd; its timeout must exceed the longest request (throttling waits included).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

from outreach.campaign import systemd
from outreach.core import progress
from outreach.core.errors import MailboxError, StoreError

log = logging.getLogger(__name__)


@dataclass
class Loop:
    """Run ``cycle`` every ``poll_seconds`` until stopped.

    ``cycle`` returns nothing and raises ``MailboxError`` when the server cannot be
    reached (or ``StoreError`` while the store is busy); the loop then waits
    ``backoff`` seconds, doubling up to ``max_backoff``, and recovers by itself.
    ``reload`` is called between cycles after SIGHUP.
    """

    cycle: Callable[[], None]
    poll_seconds: float
    reload: Callable[[], None] = lambda: None
    min_backoff: float = 5.0
    max_backoff: float = 900.0
    notify: Callable[[str], bool] = systemd.notify
    #: waits up to n seconds and returns True when woken early; tests pass their own
    pause: Callable[[float], bool] | None = None
    _wake: threading.Event = field(default_factory=threading.Event)
    _stopping: bool = False
    _reload_requested: bool = False

    def stop(self) -> None:
        """Finish the current step, then leave the loop."""
        self._stopping = True
        self._wake.set()

    def request_reload(self) -> None:
        self._reload_requested = True
        self._wake.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop after the current step; SIGHUP reloads the config."""

        def on_stop(signum: int, frame: FrameType | None) -> None:
            log.info("stopping after the current step (signal %s)", signal.Signals(signum).name)
            self.stop()

        def on_hup(signum: int, frame: FrameType | None) -> None:
            log.info("reloading the configuration")
            self.request_reload()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)

    def run(self, once: bool = False) -> int:
        """Loop until stopped; return the number of cycles that failed in a row at the end."""
        self.notify("READY=1")
        failures = 0
        while not self._stopping:
            if self._reload_requested:
                self._reload_requested = False
                self.notify("RELOADING=1")
                self.reload()
                self.notify("READY=1")
            try:
                self.cycle()
            except (MailboxError, StoreError) as problem:
                failures += 1
                delay = min(self.min_backoff * 2 ** (failures - 1), self.max_backoff)
                if once:
                    log.warning("%s; nothing more was done: run it again later", problem)
                else:
                    log.warning("%s; trying again in %.0f s", problem, delay)
                    progress.waiting(delay, f"{problem}; trying again then")
                self.notify(f"STATUS=mailbox unreachable, retrying in {delay:.0f} s")
            else:
                if failures:
                    log.info("the mailbox answers again")
                failures = 0
                self.notify("STATUS=watching the mailbox")
            self.notify("WATCHDOG=1")
            if once:
                break
            self._sleep(delay if failures else self.poll_seconds)
        self.notify("STOPPING=1")
        return failures

    def _sleep(self, seconds: float) -> None:
        """Wait, petting the watchdog in between, until time passes or a signal arrives."""
        step = systemd.watchdog_interval() or seconds
        remaining = seconds
        while remaining > 0 and not self._stopping and not self._reload_requested:
            chunk = min(step, remaining)
            if (self.pause or self._wake.wait)(chunk):
                self._wake.clear()
                break
            remaining -= chunk
            self.notify("WATCHDOG=1")
