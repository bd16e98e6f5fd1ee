"""Opening an exchangelib Account: credentials, auth, TLS, retry policy, errors as sentences.

exchangelib's traps, and what this module does about them:
- retries are off by default, and under FaultTolerance a 401 looks like throttling
  and is retried for up to ``max_wait``: so the first request (the version probe and
  one folder lookup) runs under FailFast, and only then is FaultTolerance switched on;
- network errors are not retried at all: they surface as one sentence here and the
  daemon's own loop tries again later;
- TLS verification is global in exchangelib (one adapter class): tls.py's adapter
  relaxes it only for the hosts the config names in ``insecure_hosts``, and checks
  against ``ca_bundle`` where the request is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests.adapters
from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    NTLM,
    OAUTH2,
    Account,
    Configuration,
    Credentials,
    FailFast,
    FaultTolerance,
    Identity,
    OAuth2AuthorizationCodeCredentials,
    OAuth2Credentials,
)
from exchangelib import errors as ews_errors
from exchangelib.protocol import BaseProtocol

from outreach.config import secrets
from outreach.config.settings import MailboxSettings
from outreach.core import progress
from outreach.core.errors import MailboxError, OutreachError
from outreach.mailbox import tls

log = logging.getLogger(__name__)

AUTH_TYPES = {"basic": BASIC, "ntlm": NTLM, "oauth2": OAUTH2}


def trust(settings: MailboxSettings) -> None:
    """Apply the config's TLS rules to every request exchangelib and msal make."""
    BaseProtocol.HTTP_ADAPTER_CLS = tls.HostVerifyingAdapter
    tls.apply(settings)


@dataclass(frozen=True)
class Connection:
    """An opened account and what was used to open it (for messages)."""

    account: Account
    endpoint: str
    username: str
    email: str
    oauth: bool = False  # signed in with a token: a 401 means the token, not a password


class MsalCredentials(OAuth2AuthorizationCodeCredentials):
    """OAuth2 whose access tokens come from msal: the user's cache, or the app's secret.

    exchangelib calls ``refresh`` when a token expires; msal then uses the cached
    refresh token (or the client secret), so nobody is asked again while it is valid.
    ``identity`` (app-only) makes exchangelib impersonate the mailbox.
    """

    def __init__(self, tokens: Any, **kwargs: Any) -> None:
        self._tokens = tokens
        super().__init__(access_token=tokens.access_token(), **kwargs)

    def refresh(self, session: Any) -> None:
        self.access_token = self._tokens.access_token()


class Patient(FaultTolerance):
    """exchangelib's waiting out of a throttled server, saying how long and why as it begins."""

    def back_off(self, seconds: float | None) -> None:
        super().back_off(seconds)  # raises when the wait would exceed max_wait
        wait = self.DEFAULT_BACKOFF if seconds is None else seconds
        progress.waiting(wait, "Exchange is busy and asked outreach to slow down (throttling)")


def host_of(endpoint: str) -> str:
    return (urlparse(endpoint).hostname or endpoint).lower()


def endpoint_of(settings: MailboxSettings) -> str | None:
    if settings.service_endpoint:
        return settings.service_endpoint
    if settings.server:
        return f"https://{settings.server}/EWS/Exchange.asmx"
    return None


def credentials_of(settings: MailboxSettings, email: str, token_cache: Path | None) -> Any:
    """Build exchangelib credentials from the config and the secret store."""
    auth = settings.auth
    username = auth.username or email
    if auth.type in ("basic", "ntlm"):
        password = secrets.read_secret(auth.secret, username, "mailbox password")
        return Credentials(username, password)
    if auth.type != "oauth2":
        raise MailboxError(f"Unknown mailbox.auth.type {auth.type!r}: use basic, ntlm or oauth2.")
    from outreach.mailbox.oauth import AppTokens, TokenSource

    if auth.oauth_mode == "app":
        client_secret = secrets.read_secret(auth.secret, auth.client_id, "OAuth client secret")
        return MsalCredentials(
            AppTokens(auth, client_secret),
            client_id=auth.client_id,
            tenant_id=auth.tenant_id,
            identity=Identity(primary_smtp_address=email),
        )
    tokens = TokenSource(auth, username, token_cache)
    return MsalCredentials(tokens, client_id=auth.client_id, tenant_id=auth.tenant_id)


def open_account(
    settings: MailboxSettings,
    email: str,
    *,
    endpoint: str | None = None,
    credentials: Any = None,
    token_cache: Path | None = None,
    retry_wait: float | None = None,
    resuming: bool = False,
) -> Connection:
    """Given the mailbox settings, return an opened account, checked once without retries.

    ``endpoint`` and ``credentials`` override the config (the sandbox passes its
    own); ``retry_wait`` shortens exchangelib's default back-off (tests).
    ``resuming``: the campaign has synced this mailbox before, so the account-level
    check (a GetFolder) is left to the sync's own first request, which fails with the
    same sentence. Raise ``MailboxError`` with one sentence if the server cannot be used.
    """
    secrets.protect_logging()
    trust(settings)
    if credentials is None:
        credentials = credentials_of(settings, email, token_cache)
    endpoint = endpoint or endpoint_of(settings)
    username = str(getattr(credentials, "username", None) or settings.auth.username or email)
    auth_type = AUTH_TYPES.get(settings.auth.type, BASIC)
    app_only = isinstance(credentials, OAuth2Credentials) or bool(
        getattr(credentials, "identity", None)
    )
    oauth = isinstance(credentials, OAuth2AuthorizationCodeCredentials | OAuth2Credentials)
    access = IMPERSONATION if app_only else DELEGATE
    where = endpoint or "autodiscover"
    with translate(host_of(where), username, email, oauth=oauth):
        if endpoint:
            config = Configuration(
                service_endpoint=endpoint,
                credentials=credentials,
                auth_type=auth_type,
                retry_policy=FailFast(),
            )
            account = Account(email, config=config, autodiscover=False, access_type=access)
        elif settings.autodiscover:
            config = Configuration(
                credentials=credentials, auth_type=auth_type, retry_policy=FailFast()
            )
            account = Account(email, config=config, autodiscover=True, access_type=access)
            endpoint = account.protocol.service_endpoint
        else:
            raise MailboxError(
                "No mailbox endpoint: set mailbox.service_endpoint or mailbox.server, "
                "or turn on mailbox.autodiscover."
            )
        protocol = account.protocol
        protocol.config.retry_policy = FailFast()  # a cached protocol may carry another policy
        if retry_wait is not None:
            protocol.RETRY_WAIT = retry_wait
        account.version  # noqa: B018 - the version probe, the first request, fails fast
        if not resuming:
            account.root  # noqa: B018 - an account-level request: permission to open the mailbox
        protocol.config.retry_policy = Patient(max_wait=settings.max_wait_seconds)
    return Connection(account, endpoint or where, username, email, oauth)


#: response codes that mean "these credentials may not open this mailbox"
PERMISSION_ERRORS = (
    ews_errors.ErrorAccessDenied,
    ews_errors.ErrorImpersonateUserDenied,
    ews_errors.ErrorImpersonationDenied,
    ews_errors.ErrorImpersonationFailed,
    ews_errors.ErrorNonExistentMailbox,
)


def sentence(
    error: BaseException, host: str, username: str, email: str, oauth: bool = False
) -> str:
    """Turn an exchangelib or network error into one sentence (secrets masked)."""
    name = type(error).__name__
    text = secrets.redact(str(error))
    if isinstance(error, ews_errors.UnauthorizedError) or (
        "401" in text and "Unauthorized" in text
    ):
        if oauth:
            return (
                f"The mailbox server {host} refused the access token of {username}: run "
                "`outreach auth login` again, or check the app's EWS permission."
            )
        return (
            f"The mailbox server {host} rejected the sign-in of {username}: "
            "wrong username or password."
        )
    if isinstance(error, PERMISSION_ERRORS):
        return (
            f"{username} signed in to {host} but may not open the mailbox {email} ({name}); "
            "ask the Exchange administrator for access (or impersonation rights)."
        )
    if isinstance(error, ews_errors.RateLimitError):
        return (
            f"The mailbox server {host} kept asking to slow down for longer than "
            "mailbox.max_wait_seconds allows; try again later."
        )
    if "x-ews-policy-reason" in text.lower():
        return (
            f"EWS is turned off for this organization on {host} (Exchange Online's "
            "X-EWS-Policy-Reason): set mailbox.backend: graph, or ask the administrator "
            "to allow this app to use EWS."
        )
    if isinstance(error, ews_errors.AutoDiscoverError):
        return f"Autodiscover found no Exchange server for {email}; set mailbox.service_endpoint."
    if "mismatch" in text and ("certificate" in text or "CERTIFICATE" in text):
        return (
            f"The TLS certificate of {host} was issued for another name than {host}; "
            "use the name the certificate is for in mailbox.service_endpoint or server."
        )
    if isinstance(error, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            f"The TLS certificate of {host} is not signed by a certificate authority this "
            "machine trusts; set mailbox.ca_bundle to your organization's CA file."
        )
    if unreachable(error):
        return f"Cannot reach the mailbox server {host}: check the address and the network."
    if isinstance(error, ews_errors.ResponseMessageError):
        return f"The mailbox server {host} refused the request ({name}: {text[:160]})."
    return f"The mailbox server {host} failed ({name}: {text[:160]})."


def unreachable(error: BaseException) -> bool:
    """True when the connection failed (worth retrying later), not the request."""
    text = secrets.redact(str(error))
    return isinstance(error, ews_errors.ErrorTimeoutExpired | ews_errors.ErrorServerBusy) or any(
        word in text
        for word in (
            "Connection refused",
            "Max retries exceeded",
            "Name or service not known",
            "timed out",
            "Failed to establish",
            "RemoteDisconnected",
        )
    )


@contextmanager
def translate(
    host: str, username: str = "", email: str = "", *, oauth: bool = False
) -> Iterator[None]:
    """Re-raise any exchangelib or network failure as ``MailboxError`` with one sentence."""
    try:
        yield
    except OutreachError:
        raise
    except (ews_errors.EWSError, requests.exceptions.RequestException, OSError) as error:
        log.debug("mailbox error: %s", secrets.redact(repr(error)))
        transient = unreachable(error) or isinstance(error, ews_errors.RateLimitError)
        message = sentence(error, host, username, email, oauth)
        raise MailboxError(message, transient=transient) from None
