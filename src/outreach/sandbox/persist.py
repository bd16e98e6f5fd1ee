"""Save and load the sandbox state as JSON in a directory, atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .directory import Directory
from .mailbox import Clock, Mailbox
from .state import SandboxState

STATE_FILE = "state.json"
FORMAT = 1


def save(state: SandboxState, directory: str | Path) -> Path:
    """Write mailboxes and directory to directory/state.json (temp file, then rename)."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    with state.lock:
        data = {
            "format": FORMAT,
            "default_user": state.default_user,
            "directory": state.directory.to_list(),
            "mailboxes": [box.to_dict() for box in state.mailboxes.values()],
        }
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".state-", suffix=".json")
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, path / STATE_FILE)
    return path


def load(directory: str | Path, clock: Clock) -> SandboxState | None:
    """The state saved in directory, or None if there is none yet."""
    file = Path(directory) / STATE_FILE
    if not file.exists():
        return None
    data = json.loads(file.read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{file}: unknown sandbox state format {data.get('format')!r}")
    state = SandboxState(Directory.from_list(data["directory"]), clock, data["default_user"])
    state.mailboxes = {m["address"]: Mailbox.from_dict(m, clock) for m in data["mailboxes"]}
    return state
