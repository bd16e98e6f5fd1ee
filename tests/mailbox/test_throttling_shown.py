"""A throttled Exchange server: the wait is reported to the progress display, with why."""

from __future__ import annotations

from collections.abc import Callable

from outreach import progress
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox
from progress_record import Recorded  # tests/ is on the path


def test_a_server_busy_wait_is_shown_with_its_length_and_reason(
    sandbox: Sandbox, connect: Callable[..., EwsMailbox]
) -> None:
    backend = connect()
    sandbox.controls.inject_fault("server_busy", count=2, operation="SyncFolderItems",
                                  back_off_ms=40)  # fmt: skip
    shown = Recorded()
    with progress.showing(shown):
        backend.sync({})
    assert [round(seconds, 2) for seconds, _ in shown.waits] == [0.04, 0.04]
    assert all("throttling" in why for _, why in shown.waits)
    sandbox.controls.inject_fault("server_busy", count=1, operation="SyncFolderItems",
                                  back_off_ms=40)  # fmt: skip
    backend.sync({})  # outside the block: nobody is told
    assert len(shown.waits) == 2
