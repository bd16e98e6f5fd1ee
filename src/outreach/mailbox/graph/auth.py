"""Access tokens for Microsoft Graph: an access token from the secret, or MSAL.

- ``auth.type: token``: the secret reference holds the token (an environment
  variable, a file, the keyring, or a command such as ``az account
  get-access-token``); it is read again once when the server refuses it.
- ``auth.type: oauth2``, ``oauth_mode: delegated``: the device-code sign-in of
  ``outreach auth login`` and its MSAL cache (mailbox/oauth.py), Graph scopes.
- ``oauth_mode: app``: client credentials (the client secret from the secret
  reference), the mailbox addressed as ``/users/{address}``.

msal is imported only for the oauth2 kinds.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from outreach.config import secrets
from outreach.config.settings import Auth
from outreach.core.errors import MailboxError

#: What delegated sign-in asks for (MSAL adds offline_access, openid and profile itself).
DELEGATED = (
    "Mail.ReadWrite",
    "Mail.Send",
    "Calendars.ReadWrite",
    "MailboxSettings.Read",
    "User.ReadBasic.All",
    "People.Read",
)


def resource_of(graph_url: str) -> str:
    """The Graph resource a token is for: scheme and host of ``graph_url``."""
    parsed = urlparse(graph_url)
    return f"{parsed.scheme}://{parsed.netloc}"


def delegated_scopes(graph_url: str) -> list[str]:
    """The delegated scopes, named for this cloud's Graph host."""
    resource = resource_of(graph_url)
    return [f"{resource}/{scope}" for scope in DELEGATED]


def tenant_of(token: str) -> str | None:
    """The tenant id (``tid``) a JWT access token names, or None (opaque token)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    return str(claims["tid"]) if isinstance(claims, dict) and claims.get("tid") else None


class _Held:
    """A token kept until the server refuses it; ``_fetch(fresh)`` gets one."""

    who = ""
    _value: str | None = None

    def _fetch(self, fresh: bool) -> str:
        raise NotImplementedError

    def token(self) -> str:
        if self._value is None:
            self._value = self._fetch(False)
        return self._value

    def refresh(self) -> str:
        self._value = self._fetch(True)
        return self._value


class SecretToken(_Held):
    """An access token another tool issued, read from the secret reference."""

    def __init__(self, auth: Auth, who: str) -> None:
        self.auth = auth
        self.who = who

    def _fetch(self, fresh: bool) -> str:
        return secrets.read_secret(self.auth.secret, self.who, "access token")

    def hint(self) -> str:
        return (
            "the access token from mailbox.auth.secret is wrong or has expired; get a new one "
            "(e.g. az account get-access-token --resource-type ms-graph)."
        )


class DelegatedTokens(_Held):
    """Tokens of the user who signed in with ``outreach auth login`` (the MSAL cache)."""

    def __init__(self, auth: Auth, who: str, cache_path: Path | None, graph_url: str) -> None:
        from outreach.mailbox.oauth import TokenSource

        self.who = who
        self.source = TokenSource(auth, who, cache_path, scopes=delegated_scopes(graph_url))

    def _fetch(self, fresh: bool) -> str:
        return str(self.source.access_token(force_refresh=fresh)["access_token"])

    def hint(self) -> str:
        return "the sign-in is no longer valid; run `outreach auth login` again."


class AppTokens(_Held):
    """App-only tokens by client credentials (no user signs in), for Graph's resource."""

    def __init__(self, auth: Auth, who: str, graph_url: str) -> None:
        from outreach.mailbox import oauth

        self.who = f"the app {auth.client_id}"
        self.mailbox = who
        secret = secrets.read_secret(auth.secret, auth.client_id, "OAuth client secret")
        scopes = [f"{resource_of(graph_url)}/.default"]
        self.source = oauth.AppTokens(auth, secret, scopes=scopes)

    def _fetch(self, fresh: bool) -> str:
        return str(self.source.access_token()["access_token"])

    def hint(self) -> str:
        return (
            "check mailbox.auth.client_id, tenant_id and the client secret, and that the app "
            "has the application permissions Mail.ReadWrite, Mail.Send and Calendars.ReadWrite."
        )


def tokens_for(auth: Auth, who: str, cache_path: Path | None, graph_url: str) -> Any:
    """The token provider the config asks for."""
    if auth.type == "token":
        return SecretToken(auth, who)
    if auth.type != "oauth2":
        raise MailboxError(
            f"Microsoft Graph cannot sign in with mailbox.auth.type {auth.type!r}: use oauth2 "
            "or token."
        )
    if auth.oauth_mode == "app":
        return AppTokens(auth, who, graph_url)
    return DelegatedTokens(auth, who, cache_path, graph_url)
