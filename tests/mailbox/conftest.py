"""Fixtures: a sandbox over real HTTP and a backend connected to it, once per protocol.

The contract tests take ``backend`` or ``connect`` and run twice: on the EWS backend
(exchangelib) and on the Graph backend (httpx), each talking to the same sandbox
mailbox over its own protocol face. ``face`` says which, and counts that face's
HTTP requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from exchangelib import Credentials
from signin import Pki, make_pki

from outreach.config.settings import MailboxSettings
from outreach.core.items import OutgoingEmail
from outreach.mailbox import SandboxToken
from outreach.mailbox.connect import open_account
from outreach.mailbox.ews import EwsMailbox
from outreach.mailbox.graph import open_graph
from outreach.sandbox import Sandbox

SETTINGS = MailboxSettings(backend="sandbox", max_wait_seconds=3)
PROTOCOLS = ("ews", "graph")


@dataclass
class Face:
    """The protocol a test runs on, and the sandbox's view of its requests."""

    protocol: str
    sandbox: Sandbox
    waits: list[float]

    @property
    def graph(self) -> bool:
        return self.protocol == "graph"

    def requests(self) -> dict[str, int]:
        """HTTP requests on this face since the last reset, per operation or route."""
        return self.sandbox.controls.request_counts(self.protocol)

    def reset(self) -> None:
        self.sandbox.controls.reset_request_counts()

    def warm(self, backend: Any) -> None:
        """Look folders up once, as a running process has (EWS only; Graph names them)."""
        if not self.graph:
            backend.account.drafts  # noqa: B018
            backend.account.calendar  # noqa: B018


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture(params=PROTOCOLS)
def face(request: pytest.FixtureRequest, sandbox: Sandbox) -> Face:
    return Face(request.param, sandbox, [])


def connect_ews(sandbox: Sandbox, settings: MailboxSettings, password: str) -> EwsMailbox:
    connection = open_account(
        settings,
        sandbox.user,
        endpoint=sandbox.url,
        credentials=Credentials(sandbox.user, password),
        retry_wait=0.05,
    )
    return EwsMailbox(connection, tz="Europe/Berlin", sleep=lambda _: None)


def connect_graph(
    sandbox: Sandbox, settings: MailboxSettings, sleep: Callable[[float], None]
) -> Any:
    return open_graph(
        settings,
        sandbox.user,
        tz="Europe/Berlin",
        graph_url=sandbox.graph_url,
        tokens=SandboxToken(),
        sleep=sleep,
    )


@pytest.fixture
def closing(sandbox: Sandbox) -> Iterator[Callable[[Any], Any]]:
    """Hand a backend through this to have it closed when the test ends (before the
    sandbox stops)."""
    opened: list[Any] = []

    def keep(box: Any) -> Any:
        opened.append(box)
        return box

    yield keep
    for box in opened:
        box.close()


@pytest.fixture
def ews_connect(sandbox: Sandbox, closing: Callable[[Any], Any]) -> Callable[..., EwsMailbox]:
    """Open EWS backends alone, for what only EWS shows (its sign-in, its SOAP faults)."""

    def make(settings: MailboxSettings = SETTINGS, password: str = "pw-for-tests") -> EwsMailbox:
        return closing(connect_ews(sandbox, settings, password))

    return make


@pytest.fixture
def connect(
    face: Face, ews_connect: Callable[..., EwsMailbox], closing: Callable[[Any], Any]
) -> Callable[..., Any]:
    """Open a (fresh) backend on the sandbox, as a restarted process would."""

    def make(settings: MailboxSettings = SETTINGS, password: str = "pw-for-tests") -> Any:
        if face.graph:
            return closing(connect_graph(face.sandbox, settings, face.waits.append))
        return ews_connect(settings, password)

    return make


@pytest.fixture
def backend(connect: Callable[..., Any]) -> Any:
    return connect()


@pytest.fixture
def ews_backend(ews_connect: Callable[..., EwsMailbox]) -> EwsMailbox:
    return ews_connect()


@pytest.fixture
def email() -> Callable[..., OutgoingEmail]:
    """A factory of request emails numbered n (subject ends in "(n)")."""
    return make_email


@pytest.fixture
def settings_small_wait() -> MailboxSettings:
    return SETTINGS


def make_email(n: int, to: str = "priya.castellan@example.com") -> OutgoingEmail:
    return OutgoingEmail(
        tracking_id=f"msg{n:03d}",
        contact_id=f"contact{n:03d}",
        to=(to,),
        subject=f"A 20-minute conversation about data platforms ({n})",
        html=f"<p>Hello,</p><p>Could we talk for 20 minutes? ({n})</p>",
        text=f"Hello,\n\nCould we talk for 20 minutes? ({n})",
    )


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A test certificate authority (trustme) and server certificates it signed."""
    return make_pki(tmp_path_factory.mktemp("pki"))
