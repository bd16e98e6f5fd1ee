"""A sandbox on a file clock, a config pointing at it and a store, driven through the CLI.

Every test runs twice: the commands speak EWS to the sandbox, then Graph
(``mailbox.sandbox_protocol``), against the same mailbox and directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from outreach import app
from outreach.cli.main import cli
from outreach.config import loader
from outreach.core import clock
from outreach.core.model import Contact, State
from outreach.mailbox.base import Mailbox
from outreach.sandbox import Sandbox
from outreach.sandbox.graph.ids import to_ews
from outreach.store.db import Store

ZONE = ZoneInfo("America/New_York")
START = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)  # a Monday morning

CONFIG = """\
user:
  name: Robin Vale
  email: robin.vale@example.com
  areas: [data engineering]
mailbox:
  backend: sandbox
  service_endpoint: {url}
  sandbox_protocol: {protocol}
time:
  timezone: America/New_York
{extra}
paths:
  store: {store}
"""


class World:
    """The user's side: a config, a store, the CLI; the sandbox's controls for the rest."""

    def __init__(
        self, folder: Path, sandbox: Sandbox, time: clock.FileClock, protocol: str = "ews"
    ) -> None:
        self.folder_path = folder
        self.sandbox = sandbox
        self.clock = time
        self.protocol = protocol
        self.config = folder / "config.yaml"
        self.configure()
        self.store = Store(loader.load(self.config).paths.store)

    def configure(self, extra: str = "") -> None:
        self.config.write_text(
            CONFIG.format(
                url=self.sandbox.url,
                store=self.folder_path / "store.json",
                protocol=self.protocol,
                extra=extra,
            )
        )

    def run(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--config", str(self.config), *args], input=input)

    def add(self, name: str, email: str, **fields: object) -> Contact:
        given = {"area": "data engineering", "internal": True, **fields}
        contact = Contact(name=name, email=email, created_at=START, **given)  # type: ignore[arg-type]
        with self.store.transaction() as state:
            state.contacts[contact.id] = contact
        return contact

    def state(self) -> State:
        return self.store.read()

    def contact(self, email: str) -> Contact:
        return next(c for c in self.state().contacts.values() if c.email == email)

    def folder(self, name: str) -> list[dict]:
        return self.sandbox.controls.inspect()[name]

    def ews_id(self, item_id: str) -> str:
        """The sandbox's own (EWS) id of an item the store knows by its protocol's id."""
        return to_ews(item_id) if self.protocol == "graph" else item_id

    def open_mailbox(self) -> Mailbox:
        """The backend the commands use, as configured."""
        return app.open_mailbox(loader.load(self.config), self.clock)


@pytest.fixture(params=["ews", "graph"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    time = clock.FileClock(tmp_path / "clock")
    time.set(START)
    monkeypatch.setenv(clock.CLOCK_ENV, str(time.path))
    with Sandbox(clock=time.now) as sandbox:
        yield World(tmp_path, sandbox, time, request.param)
