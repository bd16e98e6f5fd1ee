"""The campaign every end-to-end test plays: Robin Vale's config, store and clock on a sandbox.

One folder holds the config, the store and a clock file; the sandbox runs in the
test process on that clock (``FileClock``) and the commands read the same file
through $OUTREACH_CLOCK_FILE, so moving the clock here moves it for both.
``Campaign`` is what the worlds share; ``InProcess`` drives the CLI inside the
test (tests/guide, the one-off commands), ``daemon.world.World`` the real daemon
and CLI processes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml
from click.testing import CliRunner, Result

from outreach import app
from outreach.cli.main import cli
from outreach.config import loader
from outreach.core import clock
from outreach.core.model import Contact, Kind, Message, MessageState, State
from outreach.mailbox.base import Mailbox
from outreach.sandbox import Sandbox
from outreach.sandbox.graph.ids import to_ews
from outreach.store.db import Store

if TYPE_CHECKING:
    import pytest

ZONE = ZoneInfo("America/New_York")
START = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)  # a Monday morning
AREA = "data engineering"


def config_text(
    url: str, store: Path, protocol: str = "ews", /, **sections: Mapping[str, Any]
) -> str:
    """Return the config of Robin Vale's campaign on the sandbox at ``url``; ``sections``
    add keys to the user, mailbox, time or any other section (``policy={...}``)."""
    document: dict[str, dict[str, Any]] = {
        "user": {"name": "Robin Vale", "email": "robin.vale@example.com", "areas": [AREA]},
        "mailbox": {"backend": "sandbox", "service_endpoint": url, "sandbox_protocol": protocol},
        "time": {"timezone": str(ZONE)},
    }
    for name, keys in sections.items():
        document.setdefault(name, {}).update(keys)
    document["paths"] = {"store": str(store)}  # last: a test may add keys below it
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


class Campaign:
    """A config, a store and a clock file in ``root``, a sandbox on that clock."""

    def __init__(
        self,
        root: Path,
        sandbox: Sandbox,
        shared: clock.FileClock,
        protocol: str = "ews",
        /,
        **sections: Mapping[str, Any],
    ) -> None:
        self.root = root
        self.sandbox = sandbox
        self.controls = sandbox.controls
        self.clock = shared
        self.protocol = protocol  # what outreach speaks to the sandbox: ews or graph
        self.config_path = root / "config.yaml"
        self.store_path = root / "store.json"
        self.configure(**sections)
        self.store = Store(self.store_path)

    def configure(self, /, **sections: Mapping[str, Any]) -> None:
        """Write the config again, with ``sections`` added to the shared one."""
        text = config_text(self.sandbox.url, self.store_path, self.protocol, **sections)
        self.config_path.write_text(text, encoding="utf-8")

    def state(self) -> State:
        return self.store.read()

    def contact(self, email: str, state: State | None = None) -> Contact:
        state = state or self.state()
        return next(c for c in state.contacts.values() if c.email == email)

    def messages(
        self, email: str, kind: Kind | None = None, state: State | None = None
    ) -> list[Message]:
        state = state or self.state()
        contact = self.contact(email, state)
        return [m for m in state.messages_of(contact.id) if kind is None or m.kind == kind]

    def message(self, email: str, kind: Kind, *states: MessageState) -> Message:
        """The latest message of ``kind`` to ``email`` (in one of ``states``, if given)."""
        found = [m for m in self.messages(email, kind) if not states or m.state in states]
        return found[-1]

    def status(self, email: str) -> str:
        return self.contact(email).status.value


class InProcess(Campaign):
    """The user's side run inside the test: the CLI through click's runner, contacts put
    straight into the store, the sandbox's own (EWS) view of its folders."""

    def run(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--config", str(self.config_path), *args], input=input)

    def add(self, name: str, email: str, **fields: Any) -> Contact:
        """A colleague in the store (internal unless ``fields`` say otherwise)."""
        given = {"area": AREA, "internal": True, **fields}
        contact = Contact(name=name, email=email, created_at=START, **given)
        with self.store.transaction() as state:
            state.contacts[contact.id] = contact
        return contact

    def folder(self, name: str) -> list[dict[str, Any]]:
        return self.controls.inspect()[name]

    def ews_id(self, item_id: str) -> str:
        """The sandbox's own (EWS) id of an item the store knows by its protocol's id."""
        return to_ews(item_id) if self.protocol == "graph" else item_id

    def open_mailbox(self) -> Mailbox:
        """The backend the commands use, as configured."""
        return app.open_mailbox(loader.load(self.config_path), self.clock)


@contextmanager
def in_process(
    root: Path, monkeypatch: pytest.MonkeyPatch, protocol: str = "ews", /, **sections: Any
) -> Iterator[InProcess]:
    """An ``InProcess`` world from START on: the clock file in the environment for the
    commands, the sandbox stopped at the end."""
    shared = clock.FileClock(root / "clock")
    shared.set(START)
    monkeypatch.setenv(clock.CLOCK_ENV, str(shared.path))
    with Sandbox(clock=shared.now) as sandbox:
        yield InProcess(root, sandbox, shared, protocol, **sections)
