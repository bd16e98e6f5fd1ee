"""Whom to trust over TLS: the system's CAs, or ``mailbox.ca_bundle``; no check where told.

One requests adapter carries the rules for exchangelib (whose adapter class is
process-wide) and for msal (through ``http_session``). ``verify`` is set where the
request is sent because requests lets ``$REQUESTS_CA_BUNDLE`` replace a CA given to
the session. Importing this module imports neither exchangelib nor msal.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
import requests.adapters

from outreach.config.settings import MailboxSettings
from outreach.core.errors import MailboxError

log = logging.getLogger(__name__)

ANY_HOST = "*"
_insecure_hosts: set[str] = set()
_ca_bundle: list[str] = []  # the one private CA file every request is checked against
_warned_unverified: list[bool] = []


class HostVerifyingAdapter(requests.adapters.HTTPAdapter):
    """Verify TLS everywhere (against ``ca_bundle`` if set) except on the hosts trusted without."""

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        host = (urlparse(request.url).hostname or "").lower()
        if host in _insecure_hosts or ANY_HOST in _insecure_hosts:
            kwargs["verify"] = False
        elif _ca_bundle:
            kwargs["verify"] = _ca_bundle[0]
        return super().send(request, **kwargs)


def apply(settings: MailboxSettings) -> None:
    """Given the mailbox settings, make their TLS rules the process's.

    The config opened last decides (exchangelib has one adapter class). ``verify_tls:
    false`` is allowed but warned about once. Raise ``MailboxError`` if ``ca_bundle``
    names no file.
    """
    _insecure_hosts.clear()
    _insecure_hosts.update(h.lower() for h in settings.insecure_hosts)
    if not settings.verify_tls:
        _insecure_hosts.add(ANY_HOST)
        if not _warned_unverified:
            _warned_unverified.append(True)
            log.warning(
                "mailbox.verify_tls is off: no server's TLS certificate is checked, so anyone "
                "on the network can read the password and the mail; prefer mailbox.ca_bundle."
            )
    if _insecure_hosts:
        from urllib3.exceptions import InsecureRequestWarning

        warnings.simplefilter("ignore", InsecureRequestWarning)  # said once above, not per request
    _ca_bundle.clear()
    bundle = settings.ca_bundle
    if bundle:
        if not Path(bundle).is_file():
            raise MailboxError(f"mailbox.ca_bundle names {bundle}, which is not a file.")
        _ca_bundle.append(str(bundle))


def http_session() -> requests.Session:
    """A requests session with the same TLS rules as exchangelib's (for msal)."""
    session = requests.Session()
    adapter = HostVerifyingAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
