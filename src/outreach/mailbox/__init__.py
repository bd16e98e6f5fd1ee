"""Mailbox backends: one interface (base.py), Exchange through exchangelib (ews.py).

``open_mailbox`` is the one entry: the ``ews`` backend opens the configured
server; the ``sandbox`` backend opens the same EWS code against the local
practice server (the one at ``mailbox.service_endpoint`` or $OUTREACH_SANDBOX_URL
when it answers, else one started in-process that keeps its state in
``mailbox.sandbox_data``).
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
    from outreach.mailbox.ews import EwsMailbox
    from outreach.settings import Settings

SANDBOX_PASSWORD = "sandbox"  # noqa: S105 - the practice server's well-known password


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the user's own sandbox
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def open_mailbox(
    settings: Settings,
    *,
    retry_wait: float | None = None,
    clock: Callable[[], datetime] | None = None,
) -> EwsMailbox:
    """Given the settings, return a connected backend. Raise MailboxError if it cannot be used.

    ``clock`` stamps observations that carry no time of their own (a vanished draft).
    """
    from exchangelib import Credentials

    from outreach.mailbox.connect import open_account
    from outreach.mailbox.ews import EwsMailbox
    from outreach.mailbox.oauth import cache_path_for

    box = settings.mailbox
    email = box.email or settings.user.email
    tz = settings.time.timezone
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
        from outreach.sandbox import Sandbox

        data = box.sandbox_data or Path(settings.paths.store).parent / "sandbox"
        server = Sandbox(data_dir=data, user=email).start()
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
