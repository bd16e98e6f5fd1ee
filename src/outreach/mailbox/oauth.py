"""Delegated OAuth2 through MSAL: the token cache that ``outreach auth login`` fills.

The cache holds a refresh token, so it is a secret: it lives in a file readable by
the owner only (beside the store) or, when ``mailbox.auth.secret.keyring`` names a
service, in the system keyring. ``msal`` is an optional extra, imported here only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from outreach import secrets
from outreach.errors import MailboxError, UserError
from outreach.settings import Auth

EWS_SCOPES = ["https://outlook.office365.com/EWS.AccessAsUser.All"]
CACHE_NAME = "oauth-token-cache.json"


@contextmanager
def _reaching_microsoft() -> Iterator[None]:
    """Turn a network failure of MSAL (offline, proxy, DNS) into one sentence."""
    import requests

    try:
        yield
    except requests.exceptions.RequestException as failure:
        raise MailboxError(
            "Cannot reach Microsoft sign-in (login.microsoftonline.com): check the network "
            f"({type(failure).__name__})."
        ) from None


def _msal() -> Any:
    try:
        import msal
    except ImportError as missing:
        raise UserError(
            "Delegated OAuth2 needs the msal package: pip install 'outreach[oauth]'."
        ) from missing
    return msal


class TokenSource:
    """Access tokens for one user from a persisted MSAL cache; saves the cache when it changes."""

    def __init__(
        self,
        auth: Auth,
        username: str,
        cache_path: Path | None,
        scopes: list[str] | None = None,
    ) -> None:
        if not auth.client_id:
            raise UserError("Delegated OAuth2 needs mailbox.auth.client_id (the app registration).")
        msal = _msal()
        self.auth = auth
        self.username = username
        self.cache_path = cache_path
        self.scopes = scopes or EWS_SCOPES
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
        authority = authority_of(auth)
        with _reaching_microsoft():
            self.app = msal.PublicClientApplication(
                auth.client_id, authority=authority, token_cache=self.cache
            )

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
        for key in ("access_token", "refresh_token", "id_token"):
            if result.get(key):
                secrets.register(result[key])
        self.save()
        return result

    def access_token(self, force_refresh: bool = False) -> dict[str, Any]:
        """Return a valid token, refreshed silently; ``MailboxError`` if none.

        ``force_refresh`` skips a cached access token the server has just refused."""
        accounts = self.app.get_accounts(username=self.username) or self.app.get_accounts()
        with _reaching_microsoft():
            result = (
                self.app.acquire_token_silent(
                    self.scopes, account=accounts[0], force_refresh=force_refresh
                )
                if accounts
                else None
            )
        if not result or "access_token" not in result:
            raise MailboxError(
                f"No valid sign-in for {self.username}: run `outreach auth login` once."
            )
        self._remember(result)
        return {
            "access_token": result["access_token"],
            "token_type": "Bearer",
            "expires_in": result.get("expires_in", 3600),
        }

    def login(self, show: Callable[[str], None]) -> str:
        """Run the device-code flow; ``show`` prints the instruction. Return the signed-in user."""
        with _reaching_microsoft():
            flow = self.app.initiate_device_flow(scopes=self.scopes)
        if "user_code" not in flow:
            raise MailboxError(
                "Microsoft sign-in could not start: "
                f"{flow.get('error_description', 'unknown error')}"
            )
        show(flow["message"])
        with _reaching_microsoft():
            result = self.app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            raise MailboxError(
                f"Microsoft sign-in failed: {result.get('error_description', 'unknown error')}"
            )
        self._remember(result)
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or self.username)


def authority_of(auth: Auth) -> str:
    """The sign-in authority: the configured one, else Microsoft's for the tenant."""
    if auth.authority:
        return auth.authority.rstrip("/")
    return f"https://login.microsoftonline.com/{auth.tenant_id or 'organizations'}"


def cache_path_for(store: Path) -> Path:
    """The token cache file beside the store (owner-only permissions)."""
    return store.parent / CACHE_NAME
