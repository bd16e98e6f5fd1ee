"""A throttled Exchange server: the wait is reported to the progress display, with why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from outreach.core import progress
from outreach.sandbox import Sandbox
from progress_record import Recorded  # tests/ is on the path


def busy(sandbox: Sandbox, face: Any, count: int) -> float:
    """Make the server throttle the next ``count`` syncs; return the wait each asks for."""
    for _ in range(count):
        if face.graph:  # 429 with Retry-After
            sandbox.controls.inject_fault("throttle", operation="POST /$batch", retry_after=1)
        else:  # a SOAP ErrorServerBusy with BackOffMilliseconds
            sandbox.controls.inject_fault("server_busy", operation="SyncFolderItems",
                                          back_off_ms=40)  # fmt: skip
    return 1.0 if face.graph else 0.04


def test_a_server_busy_wait_is_shown_with_its_length_and_reason(
    sandbox: Sandbox, face: Any, connect: Callable[..., Any]
) -> None:
    backend = connect()
    wait = busy(sandbox, face, 2)
    shown = Recorded()
    with progress.showing(shown):
        backend.sync({})
    assert [round(seconds, 2) for seconds, _ in shown.waits] == [wait, wait]
    assert all("throttling" in why for _, why in shown.waits)
    busy(sandbox, face, 1)
    backend.sync({})  # outside the block: nobody is told
    assert len(shown.waits) == 2
