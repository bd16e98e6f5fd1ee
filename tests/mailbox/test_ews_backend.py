"""What only the EWS backend shows: its sign-in and its failures as sentences.

The actions themselves are the contract both backends pass (test_backend.py).
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from exchangelib import Credentials

from conftest import connect_ews
from outreach.config.settings import MailboxSettings
from outreach.core.errors import MailboxError
from outreach.core.items import OutgoingEmail
from outreach.mailbox.connect import open_account
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox

Email = Callable[..., OutgoingEmail]
BERLIN = ZoneInfo("Europe/Berlin")


# -- failures ------------------------------------------------------------------------


@pytest.fixture
def rejecting_url() -> Iterator[str]:
    """A sandbox that checks passwords: the right one is not the one the test has."""
    with Sandbox(passwords={"robin.vale@example.com": "the-right-one"}) as sandbox:
        yield sandbox.url


def test_wrong_password_is_one_sentence_and_never_logged(
    rejecting_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "Tr0ub4dor&3-wrong"
    monkeypatch.setenv("OUTREACH_TEST_MAILBOX_PW", secret)
    settings = MailboxSettings(
        backend="ews",
        service_endpoint=rejecting_url,
        max_wait_seconds=600,
        auth=MailboxSettings().auth.__class__(
            type="basic",
            username="robin.vale@example.com",
            secret=MailboxSettings().auth.secret.__class__(env="OUTREACH_TEST_MAILBOX_PW"),
        ),
    )
    started = datetime.now(UTC)
    with caplog.at_level(logging.DEBUG), pytest.raises(MailboxError) as failure:
        open_account(settings, "robin.vale@example.com")
    assert (datetime.now(UTC) - started).total_seconds() < 10  # not retried as throttling
    assert str(failure.value) == (
        "The mailbox server 127.0.0.1 rejected the sign-in of robin.vale@example.com: "
        "wrong username or password."
    )
    basic = base64.b64encode(f"robin.vale@example.com:{secret}".encode()).decode()
    logged = caplog.text
    assert "Authorization" in logged or "401" in logged  # exchangelib did log the exchange
    assert secret not in logged and basic not in logged
    assert secret not in str(failure.value)


def test_unreachable_server_is_one_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends
    with pytest.raises(MailboxError) as failure:
        open_account(
            MailboxSettings(max_wait_seconds=3),
            "robin.vale@example.com",
            endpoint=f"http://127.0.0.1:{port}/EWS/Exchange.asmx",
            credentials=Credentials("robin.vale@example.com", "x"),
        )
    assert str(failure.value) == (
        "Cannot reach the mailbox server 127.0.0.1: check the address and the network."
    )


def test_missing_permission_is_one_sentence(sandbox: Sandbox) -> None:
    sandbox.controls.inject_fault("error", operation="GetFolder", code="ErrorAccessDenied")
    with pytest.raises(MailboxError) as failure:
        open_account(
            MailboxSettings(max_wait_seconds=3),
            sandbox.user,
            endpoint=sandbox.url,
            credentials=Credentials("assistant@example.com", "x"),
        )
    assert str(failure.value) == (
        f"assistant@example.com signed in to 127.0.0.1 but may not open the mailbox "
        f"{sandbox.user} (ErrorAccessDenied); ask the Exchange administrator for access "
        "(or impersonation rights)."
    )


def test_throttling_beyond_the_ceiling_is_one_sentence(email: Email, sandbox: Sandbox) -> None:
    backend = connect_ews(sandbox, MailboxSettings(max_wait_seconds=1), "pw")
    sandbox.controls.inject_fault("server_busy", count=1, back_off_ms=5000, operation="CreateItem")
    with pytest.raises(MailboxError, match="kept asking to slow down"):
        backend.create_drafts([email(1)])


def test_connection_failures_are_transient_refusals_are_not(
    sandbox: Sandbox, ews_backend: EwsMailbox
) -> None:
    backend = ews_backend
    """The loop retries a connection that failed; a refused request fails that message only."""
    sandbox.controls.inject_fault("error", code="ErrorAccessDenied", operation="ResolveNames")
    with pytest.raises(MailboxError) as refused:
        backend.lookup("Priya")
    assert refused.value.transient is False
    sandbox.controls.inject_fault("drop", operation="ResolveNames")
    with pytest.raises(MailboxError) as down:
        backend.lookup("Priya")
    assert down.value.transient is True
    assert str(down.value).startswith("Cannot reach the mailbox server 127.0.0.1")
