"""A sandbox on a file clock, a config pointing at it and a store, driven through the CLI.

Every test runs twice: the commands speak EWS to the sandbox, then Graph
(``mailbox.sandbox_protocol``), against the same mailbox and directory. The world
is the one the end-to-end tests share (tests/worlds.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from worlds import InProcess, in_process


@pytest.fixture(params=["ews", "graph"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InProcess]:
    with in_process(tmp_path, monkeypatch, request.param) as shared:
        yield shared
