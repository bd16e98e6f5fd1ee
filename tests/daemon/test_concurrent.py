"""Two processes acting at once (the daemon and a command, or two daemons) send nothing twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from outreach.core.model import Kind

from .world import World

PEOPLE = [
    ("Priya Castellan", "priya.castellan@example.com"),
    ("Dana Whitlock", "dana.whitlock@example.com"),
    ("Lena Marchetti", "lena.marchetti@example.com"),
    ("Tobias Ferreira", "tobias.ferreira@example.com"),
]


def test_two_cycles_at_once_create_each_draft_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    try:
        for name, email in PEOPLE:
            world.add(name, email)
        command = [sys.executable, "-m", "outreach", "--config", str(world.config_path), "run",
                   "--once"]  # fmt: skip
        runs = [
            subprocess.Popen(command, env=world.env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
            for _ in range(3)
        ]
        errors = [run.communicate(timeout=60)[1].decode() for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], errors
        drafts = world.folder("drafts")
        assert sorted(addr for d in drafts for addr in d["to"]) == sorted(e for _, e in PEOPLE)
        requests = [m for m in world.state().messages.values() if m.kind == Kind.REQUEST]
        assert len(requests) == len(PEOPLE)
        assert {m.item_id for m in requests} == {d["id"] for d in drafts}
    finally:
        world.close()
