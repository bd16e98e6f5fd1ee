"""OAuth2 through MSAL: delegated sign-in (device code) and app-only (client credentials).

The delegated cache holds a refresh token, so it is a secret: it lives in a file
readable by the owner only (beside the store) or, when ``mailbox.auth.secret.keyring``
names a service, in the system keyring. The authority is Microsoft's unless
``mailbox.auth.authority`` names another (AD FS, a national cloud, the tests' own);
msal reaches it with the same TLS rules as the mailbox (``mailbox.ca_bundle``).
``msal`` is imported here only, when a sign-in needs it, so the other commands start
without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from outreach.config import secrets
from outreach.config.settings import Auth
from outreach.core.errors import MailboxError, UserError
from outreach.mailbox import tls

MICROSOFT = "https://login.microsoftonline.com"
CACHE_NAME = "oauth-token-cache.json"


def authority_of(auth: Auth) -> str:
    """The authority msal signs in at: the configured one, else Microsoft's for the tenant."""
    return (auth.authority or f"{MICROSOFT}/{auth.tenant_id or 'organizations'}").rstrip("/")


def scopes_of(auth: Auth, app: bool) -> list[str]:
    """What the token is asked for: EWS as the user, or everything the app was granted."""
    resource = auth.resource.rstrip("/")
    return [f"{resource}/.default"] if app else [f"{resource}/EWS.AccessAsUser.All"]


@contextmanager
def _reaching(authority: str) -> Iterator[None]:
    """Turn MSAL's failures (offline, proxy, TLS, not an OpenID authority) into sentences."""
    import requests

    host = urlparse(authority).hostname or authority
    try:
        yield
    except requests.exceptions.SSLError:
        raise MailboxError(
            f"The TLS certificate of the sign-in authority {host} could not be verified; set "
            "mailbox.ca_bundle to your organization's CA file."
        ) from None
    except requests.exceptions.RequestException as failure:
        raise MailboxError(
            f"Cannot reach the sign-in authority {host}: check the network "
            f"({type(failure).__name__})."
        ) from None
    except ValueError as failure:  # msal: no OpenID configuration, or an unknown authority
        raise MailboxError(
            f"The sign-in authority {authority} did not answer as an OpenID authority "
            f"({str(failure)[:120]}); check mailbox.auth.authority."
        ) from None


def _msal() -> Any:
    import msal

    return msal


def _application(auth: Auth, cls_name: str, **kwargs: Any) -> Any:
    """An msal application for the configured authority, over the mailbox's TLS rules."""
    msal = _msal()
    secrets.protect_logging()  # msal logs its requests and answers at DEBUG
    authority = authority_of(auth)
    with _reaching(authority):
        return getattr(msal, cls_name)(
            auth.client_id,
            authority=authority,
            http_client=tls.http_session(),
            # a configured authority is known to its user; msal would otherwise ask
            # login.microsoftonline.com about it (instance discovery)
            instance_discovery=None if auth.authority is None else False,
            **kwargs,
        )


def for_exchangelib(result: dict[str, Any]) -> dict[str, Any]:
    """The token in the shape exchangelib's OAuth2 session wants, its secrets registered."""
    for key in ("access_token", "refresh_token", "id_token"):
        if result.get(key):
            secrets.register(result[key])
    return {
        "access_token": result["access_token"],
        "token_type": "Bearer",
        "expires_in": int(result.get("expires_in", 3600)),
    }


class AppTokens:
    """App-only access tokens (client credentials); msal keeps them in memory until expiry."""

    def __init__(self, auth: Auth, client_secret: str, scopes: list[str] | None = None) -> None:
        """``scopes``: what to ask for (default: ``auth.resource``/.default)."""
        if not auth.client_id:
            raise UserError("App-only OAuth2 needs mailbox.auth.client_id (the app registration).")
        self.auth = auth
        self.scopes = scopes or scopes_of(auth, app=True)
        self.app = _application(
            auth, "ConfidentialClientApplication", client_credential=client_secret
        )

    def access_token(self) -> dict[str, Any]:
        """Return a valid app token for exchangelib; ``MailboxError`` if the authority refuses."""
        with _reaching(authority_of(self.auth)):
            result = self.app.acquire_token_for_client(scopes=self.scopes)
        if "access_token" not in result:
            raise MailboxError(
                f"The sign-in authority refused the app {self.auth.client_id} "
                f"({result.get('error', 'no token')}): check mailbox.auth.client_id and the "
                "client secret."
            )
        return for_exchangelib(result)


class TokenSource:
    """Access tokens for one user from a persisted MSAL cache; saves the cache when it changes."""

    def __init__(
        self,
        auth: Auth,
        username: str,
        cache_path: Path | None,
        scopes: list[str] | None = None,
    ) -> None:
        """``scopes``: what to ask for (default: EWS as the user, at ``auth.resource``)."""
        if not auth.client_id:
            raise UserError("Delegated OAuth2 needs mailbox.auth.client_id (the app registration).")
        msal = _msal()
        self.auth = auth
        self.username = username
        self.cache_path = cache_path
        self.cache = msal.SerializableTokenCache()
        stored = self._load()
        if stored:
            try:
                self.cache.deserialize(stored)
            except ValueError:
                raise UserError(
                    f"The sign-in token cache in {self.where()} is damaged; delete it and "
                    "run `outreach auth login` again."
                ) from None
        self.scopes = scopes or scopes_of(auth, app=False)
        self.app = _application(auth, "PublicClientApplication", token_cache=self.cache)

    def where(self) -> str:
        """Where the cache is kept, for messages."""
        keyring = self.auth.secret.keyring
        return f"the keyring ({keyring})" if keyring else str(self.cache_path)

    def _load(self) -> str | None:
        if self.auth.secret.keyring:
            return secrets.read_from_keyring(self.auth.secret.keyring, self.username)
        if self.cache_path and self.cache_path.exists():
            try:
                return self.cache_path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as failure:
                raise UserError(
                    f"The sign-in token cache {self.cache_path} cannot be read "
                    f"({type(failure).__name__})."
                ) from None
        return None

    def save(self) -> None:
        """Persist the cache if MSAL changed it (new access or refresh token)."""
        if not self.cache.has_state_changed:
            return
        data = self.cache.serialize()
        if self.auth.secret.keyring:
            secrets.store_in_keyring(self.auth.secret.keyring, self.username, data)
        elif self.cache_path:
            secrets.write_private(self.cache_path, data)
        self.cache.has_state_changed = False

    def _remember(self, result: dict[str, Any]) -> dict[str, Any]:
        token = for_exchangelib(result)  # registers every token with the redactor first
        self.save()
        return token

    def access_token(self, force_refresh: bool = False) -> dict[str, Any]:
        """Return a valid token for exchangelib, refreshed silently; ``MailboxError`` if none.

        An expired access token is refreshed from the cached refresh token; a refresh
        token the authority no longer accepts (revoked, expired) asks for a new sign-in.
        ``force_refresh`` skips a cached access token the server has just refused.
        """
        accounts = self.app.get_accounts(username=self.username) or self.app.get_accounts()
        if not accounts:
            raise MailboxError(
                f"No valid sign-in for {self.username}: run `outreach auth login` once."
            )
        with _reaching(authority_of(self.auth)):
            result = self.app.acquire_token_silent_with_error(
                self.scopes, account=accounts[0], force_refresh=force_refresh
            )
        if not result or "access_token" not in result:
            self.save()  # msal drops a refused refresh token from the cache
            reason = (result or {}).get("error", "no token in the cache")
            raise MailboxError(
                f"The sign-in of {self.username} is no longer accepted ({reason}): "
                "run `outreach auth login` again."
            )
        return self._remember(result)

    def login(self, show: Callable[[str], None]) -> str:
        """Run the device-code flow; ``show`` prints the instruction. Return the signed-in user."""
        with _reaching(authority_of(self.auth)):
            flow = self.app.initiate_device_flow(scopes=self.scopes)
        if "user_code" not in flow:
            raise MailboxError(
                f"Sign-in at {authority_of(self.auth)} could not start: "
                f"{flow.get('error_description', 'unknown error')}"
            )
        secrets.register(flow.get("device_code", ""))
        show(flow["message"])
        with _reaching(authority_of(self.auth)):
            result = self.app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            raise MailboxError(
                f"Sign-in at {authority_of(self.auth)} failed: "
                f"{result.get('error_description', 'unknown error')}"
            )
        self._remember(result)
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or self.username)


def cache_path_for(store: Path) -> Path:
    """The token cache file beside the store (owner-only permissions)."""
    return store.parent / CACHE_NAME
