"""Mailbox backends: one interface (base.py), Exchange through exchangelib (ews.py),
Microsoft 365 through Microsoft Graph (graph/).

``open_mailbox`` is the one entry: the ``ews`` backend opens the configured
server, the ``graph`` backend the configured Graph URL; the ``sandbox`` backend
opens the same code against the local practice server (the one at
``mailbox.service_endpoint`` or $OUTREACH_SANDBOX_URL when it answers, else one
started in-process that keeps its state in ``mailbox.sandbox_data``), over EWS or
over Graph as ``mailbox.sandbox_protocol`` says.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outreach.mailbox.base import Mailbox
    from outreach.settings import Settings

SANDBOX_PASSWORD = "sandbox"  # noqa: S105 - the practice server's well-known password


class SandboxToken:
    """The practice server's Graph face takes any bearer token; this is the one sent."""

    who = "the sandbox user"

    def token(self) -> str:
        return SANDBOX_PASSWORD

    def refresh(self) -> str:
        return SANDBOX_PASSWORD

    def hint(self) -> str:
        return "the sandbox refused its own token."


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the user's own sandbox
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _any_answer(url: str) -> bool:
    """True when an HTTP server answers at ``url`` at all (an error status counts)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the user's own sandbox
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def open_mailbox(
    settings: Settings,
    *,
    retry_wait: float | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Mailbox:
    """Given the settings, return a connected backend. Raise MailboxError if it cannot be used.

    ``clock`` stamps observations that carry no time of their own (a vanished draft).
    """
    from outreach.mailbox.oauth import cache_path_for

    box = settings.mailbox
    email = box.email or settings.user.email
    tz = settings.time.timezone
    if box.backend == "graph":
        from outreach.mailbox.graph import open_graph

        return open_graph(
            box, email, tz=tz, token_cache=cache_path_for(settings.paths.store), clock=clock
        )
    if box.backend == "sandbox" and box.sandbox_protocol == "graph":
        return _sandbox_graph(settings, email, clock)
    from exchangelib import Credentials

    from outreach.mailbox.connect import open_account
    from outreach.mailbox.ews import EwsMailbox

    if box.backend != "sandbox":
        connection = open_account(
            box, email, token_cache=cache_path_for(settings.paths.store), retry_wait=retry_wait
        )
        return EwsMailbox(connection, tz=tz, clock=clock)
    endpoint = box.service_endpoint
    if not endpoint and os.environ.get("OUTREACH_SANDBOX_URL"):
        base = os.environ["OUTREACH_SANDBOX_URL"].rstrip("/")
        endpoint = base if base.endswith(".asmx") else base + "/EWS/Exchange.asmx"
    server: Any = None
    if not endpoint or not _answers(endpoint):
        server = _start_sandbox(settings, email)
        endpoint = server.url
    credentials = Credentials(box.auth.username or email, SANDBOX_PASSWORD)
    try:
        connection = open_account(
            box, email, endpoint=endpoint, credentials=credentials, retry_wait=retry_wait
        )
    except BaseException:
        if server is not None:
            server.stop()
        raise
    mailbox = EwsMailbox(connection, tz=tz, clock=clock)
    mailbox.owned_server = server
    return mailbox


def _start_sandbox(settings: Settings, email: str) -> Any:
    from outreach.sandbox import Sandbox

    data = settings.mailbox.sandbox_data or Path(settings.paths.store).parent / "sandbox"
    return Sandbox(data_dir=data, user=email).start()


def _sandbox_graph(
    settings: Settings, email: str, clock: Callable[[], datetime] | None
) -> Mailbox:
    """The sandbox over its Graph face: the one at $OUTREACH_SANDBOX_URL, else in-process."""
    from outreach.mailbox.graph import open_graph

    base = os.environ.get("OUTREACH_SANDBOX_URL", "").rstrip("/")
    if base.endswith(".asmx"):
        base = base.rsplit("/EWS/", 1)[0]
    url = f"{base}/v1.0" if base else ""
    server: Any = None
    if not url or not _any_answer(url + "/"):
        server = _start_sandbox(settings, email)
        url = server.graph_url
    box = settings.mailbox
    mailbox = open_graph(
        box, email, tz=settings.time.timezone, graph_url=url, tokens=SandboxToken(), clock=clock
    )
    mailbox.owned_server = server
    return mailbox
