"""Fixtures: a sandbox over real HTTP and the EWS backend connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from exchangelib import Credentials
from signin import Pki, make_pki

from outreach.mailbox.base import OutgoingEmail
from outreach.mailbox.connect import open_account
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox
from outreach.settings import MailboxSettings

SETTINGS = MailboxSettings(backend="sandbox", max_wait_seconds=3)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def connect(sandbox: Sandbox) -> Iterator[Callable[..., EwsMailbox]]:
    """Open a (fresh) backend on the sandbox, as a restarted process would."""
    opened: list[EwsMailbox] = []

    def make(settings: MailboxSettings = SETTINGS, password: str = "pw-for-tests") -> EwsMailbox:
        connection = open_account(
            settings,
            sandbox.user,
            endpoint=sandbox.url,
            credentials=Credentials(sandbox.user, password),
            retry_wait=0.05,
        )
        box = EwsMailbox(connection, tz="Europe/Berlin", sleep=lambda _: None)
        opened.append(box)
        return box

    yield make
    for box in opened:
        box.close()


@pytest.fixture
def backend(connect: Callable[..., EwsMailbox]) -> EwsMailbox:
    return connect()


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
