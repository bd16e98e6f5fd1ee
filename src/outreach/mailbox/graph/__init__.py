"""The Microsoft Graph backend (Microsoft 365): httpx for HTTP, msal for sign-in.

``open_graph`` is its one entry (``mailbox.open_mailbox`` calls it): the client
(client.py) on a token provider (auth.py), the Mailbox (backend.py) and its
observer (observe.py), request bodies and answers in Graph's shapes (shapes.py).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from outreach.config.settings import MailboxSettings


def open_graph(
    box: MailboxSettings,
    email: str,
    *,
    tz: str = "UTC",
    graph_url: str | None = None,
    tokens: Any = None,
    token_cache: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] | None = None,
) -> Any:
    """Given the mailbox settings, return a GraphMailbox (not yet contacted).

    ``graph_url`` and ``tokens`` override the config (the sandbox passes its own).
    """
    from outreach.mailbox import tls
    from outreach.mailbox.graph.auth import AppTokens, tokens_for
    from outreach.mailbox.graph.backend import GraphMailbox
    from outreach.mailbox.graph.client import GraphClient

    url = (graph_url or box.graph_url).rstrip("/")
    tls.apply(box)  # msal reaches the authority with the same rules
    if tokens is None:
        tokens = tokens_for(box.auth, box.auth.username or email, token_cache, url)
    user = f"/users/{email}" if isinstance(tokens, AppTokens) else "/me"
    host = (urlparse(url).hostname or "").lower()
    verify: bool | ssl.SSLContext = True
    if not box.verify_tls or host in {h.lower() for h in box.insecure_hosts}:
        verify = False
    elif box.ca_bundle:  # the company CA alone, as for EWS; $SSL_CERT_FILE does not replace it
        verify = ssl.create_default_context(cafile=str(box.ca_bundle))
    client = GraphClient(
        url,
        tokens,
        user=user,
        mailbox=email,
        max_wait=box.max_wait_seconds,
        sleep=sleep,
        verify=verify,
    )
    return GraphMailbox(
        client, email=email, tz=tz, tenant=box.auth.tenant_id, sleep=sleep, clock=clock
    )
