"""The daemon's world for each test (world.py): opened in the test's folder, closed after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .world import World


@pytest.fixture
def open_world(tmp_path: Path) -> Iterator[Callable[..., World]]:
    """Open ``World(tmp_path, **options)``: its daemons and sandbox stop when the test ends."""
    opened: list[World] = []

    def make(**options: Any) -> World:
        opened.append(World(tmp_path, **options))
        return opened[-1]

    yield make
    for world in opened:
        world.close()


@pytest.fixture
def world(open_world: Callable[..., World], request: pytest.FixtureRequest) -> World:
    """A world from next Monday over EWS, or over the protocol given indirectly
    (``@pytest.mark.parametrize("world", ["ews", "graph"], indirect=True)``)."""
    return open_world(protocol=getattr(request, "param", "ews"))
