"""Mailbox backends: one interface (base.py), Exchange through exchangelib (ews.py),
Microsoft 365 through Microsoft Graph (graph/).

``open_mailbox`` is the one entry: the ``ews`` backend opens the configured
server, the ``graph`` backend the configured Graph URL; the ``sandbox`` backend
opens the same code (over EWS, or over Graph when ``mailbox.sandbox_protocol``
says so) against the local practice server (the one at
``mailbox.service_endpoint`` or $OUTREACH_SANDBOX_URL when it answers, else one
started in-process that keeps its state in ``mailbox.sandbox_data``). The store's
own practice server (started here, or served from that folder by ``outreach
sandbox serve``) knows the store's contacts as colleagues, so a new user can
rehearse on their own people.
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
    from outreach.config.settings import Settings
    from outreach.mailbox.base import Mailbox

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


def sandbox_folder(settings: Settings) -> Path:
    """Return the folder of the store's own practice server (``mailbox.sandbox_data``)."""
    return settings.mailbox.sandbox_data or Path(settings.paths.store).parent / "sandbox"


def practice_people(settings: Settings) -> list[dict[str, str]]:
    """Return the store's contacts as colleagues of the practice server (a rehearsal on them)."""
    from outreach.store.db import Store

    zone = settings.time.timezone
    return [
        {"name": c.name, "email": c.email, "title": c.title, "department": c.department,
         "office": c.office, "phone": c.phone, "company": c.organization,
         "timezone": c.timezone or zone}
        for c in Store(settings.paths.store).read().contacts.values()
    ]  # fmt: skip


def _welcome(endpoint: str, people: list[dict[str, str]]) -> None:
    """Tell a practice server that is already running about the store's contacts."""
    import json

    base = endpoint.rsplit("/EWS/", 1)[0]
    body = json.dumps({"action": "welcome", "args": {"people": people}}).encode()
    request = urllib.request.Request(  # noqa: S310 - the user's own sandbox
        base + "/sandbox/control", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass
    except (urllib.error.URLError, OSError, ValueError):
        pass  # an older practice server: it keeps its own directory


def open_mailbox(
    settings: Settings,
    *,
    retry_wait: float | None = None,
    clock: Callable[[], datetime] | None = None,
    resuming: bool = False,
) -> Mailbox:
    """Given the settings, return a connected backend. Raise MailboxError if it cannot be used.

    ``clock`` stamps observations that carry no time of their own (a vanished draft);
    ``resuming``: the campaign has synced this mailbox before (``connect.open_account``).
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
    from exchangelib import Credentials

    from outreach.mailbox.connect import open_account
    from outreach.mailbox.ews import EwsMailbox

    if box.backend != "sandbox":
        connection = open_account(
            box, email, token_cache=cache_path_for(settings.paths.store), retry_wait=retry_wait,
            resuming=resuming,
        )
        return EwsMailbox(connection, tz=tz, clock=clock)
    endpoint, server = _practice_server(settings, email)
    if box.sandbox_protocol == "graph":
        from outreach.mailbox.graph import open_graph

        url = server.graph_url if server is not None else endpoint.rsplit("/EWS/", 1)[0] + "/v1.0"
        mailbox: Any = open_graph(
            box, email, tz=tz, graph_url=url, tokens=SandboxToken(), clock=clock
        )
        mailbox.owned_server = server
        return mailbox
    credentials = Credentials(box.auth.username or email, SANDBOX_PASSWORD)
    try:
        connection = open_account(
            box, email, endpoint=endpoint, credentials=credentials, retry_wait=retry_wait,
            resuming=resuming,
        )
    except BaseException:
        if server is not None:
            server.stop()
        raise
    mailbox = EwsMailbox(connection, tz=tz, clock=clock)
    mailbox.owned_server = server
    return mailbox


def _practice_server(settings: Settings, email: str) -> tuple[str, Any]:
    """The practice server's EWS endpoint, and the server if this process started it.

    The sandbox package (a server and both faces) is imported only when one is looked
    for or started: a configured endpoint that answers needs none of it.
    """
    box = settings.mailbox
    endpoint = box.service_endpoint
    if not endpoint and os.environ.get("OUTREACH_SANDBOX_URL"):
        base = os.environ["OUTREACH_SANDBOX_URL"].rstrip("/")
        endpoint = base if base.endswith(".asmx") else base + "/EWS/Exchange.asmx"
    data = sandbox_folder(settings)
    if not endpoint:  # the store's own practice server: it knows the store's contacts
        from outreach import sandbox

        endpoint = sandbox.served_from(data)
        if endpoint:
            _welcome(endpoint, practice_people(settings))
    if endpoint and _answers(endpoint):
        return endpoint, None
    from outreach import sandbox
    from outreach.sandbox.directory import Person

    people = [Person.from_dict(p) for p in practice_people(settings)]
    server = sandbox.Sandbox(data_dir=data, user=email, people=people).start()
    return server.url, server
