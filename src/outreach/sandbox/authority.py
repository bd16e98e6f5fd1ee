"""A local OpenID authority that msal signs in against, over HTTPS, as Entra ID or AD FS would.

It serves what msal asks for: the OpenID configuration (``/TENANT/v2.0/...`` as
Entra ID, ``/adfs/...`` as AD FS), instance discovery, the device-code endpoint, and
the token endpoint for the device-code, client-credentials and refresh-token grants.
The test plays the person in the browser (``approve``) and the administrator
(``revoke``); the sandbox asks ``check`` whether a bearer token is one it issued.

with Authority(tls_cert="server.pem", clients={"app-id": "app-secret"}) as idp:
    sandbox = Sandbox(auth=("bearer",), tokens=idp.check, ...)
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import ssl
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlparse

from .server import serve_in_thread, stop_serving

log = logging.getLogger(__name__)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TENANT_ID = "00000000-0000-4000-8000-00000000a11d"


@dataclass
class _Code:
    client_id: str
    scope: str
    user: str | None = None  # set when the person approved it


@dataclass
class _Grant:
    client_id: str
    user: str  # "" for an app token
    scope: str
    expires: float = 0.0


class Authority:
    """The authority: ``start()``/``stop()`` or a context manager; ``url`` is msal's authority.

    clients: client id -> client secret (None for a public client, such as the device-code
    app). access_lifetime: seconds an access token lives (below msal's five minutes, msal
    refreshes it at once). approve_as: approve every device code at once as this person
    (who is quick in the browser), so no poll has to wait. clock: seconds since the epoch.
    """

    def __init__(
        self,
        *,
        tls_cert: str | Path,
        clients: Mapping[str, str | None],
        tenant: str = "example.com",
        host: str = "127.0.0.1",
        port: int = 0,
        access_lifetime: int = 3600,
        approve_as: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(str(tls_cert))
        self.clients = dict(clients)
        self.tenant, self.host, self.port = tenant, host, port
        self.access_lifetime = access_lifetime
        self.approve_as = approve_as
        self.clock = clock
        self.grants: Counter[str] = Counter()  # grant type -> tokens issued
        self.issued: list[str] = []  # every token and code handed out, to look for in logs
        self.requests: Counter[str] = Counter()  # path -> requests msal made
        self._codes: dict[str, _Code] = {}  # device code -> its state
        self._user_codes: dict[str, str] = {}  # user code -> device code
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- the addresses msal is configured with ------------------------------------------
    @property
    def base(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The authority as Entra ID names one: https://HOST/TENANT."""
        return f"{self.base}/{self.tenant}"

    @property
    def adfs_url(self) -> str:
        """The same authority as AD FS names itself: https://HOST/adfs."""
        return f"{self.base}/adfs"

    # -- the test's part ------------------------------------------------------------------
    def approve(self, user: str, user_code: str | None = None) -> None:
        """The person enters the code in the browser and signs in (the newest code if none)."""
        with self._lock:
            if user_code is None:
                user_code = next(reversed(self._user_codes))
            self._codes[self._user_codes[user_code]].user = user.lower()

    def revoke(self, user: str) -> None:
        """The administrator revokes the user's sessions: refresh tokens stop working."""
        with self._lock:
            for token, grant in list(self._refresh.items()):
                if grant.user == user.lower():
                    del self._refresh[token]

    def check(self, token: str) -> str | None:
        """The address an unexpired access token was issued for ("" for an app), else None."""
        with self._lock:
            grant = self._access.get(token)
        if grant is None or grant.expires <= self.clock():
            return None
        return grant.user

    # -- serving ---------------------------------------------------------------------------
    def start(self) -> Authority:
        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self._server.authority = self  # type: ignore[attr-defined]
        self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        serve_in_thread(self._server, "authority")
        return self

    def stop(self) -> None:
        if self._server is not None:
            stop_serving(self._server)
            self._server = None

    def __enter__(self) -> Authority:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- the endpoints -----------------------------------------------------------------------
    def configuration(self, prefix: str) -> dict[str, Any]:
        """The OpenID configuration of ``/TENANT`` or ``/adfs``."""
        root = f"{self.base}/{prefix}"
        oauth = f"{root}/oauth2" if prefix == "adfs" else f"{root}/oauth2/v2.0"
        return {
            "issuer": root if prefix == "adfs" else f"{root}/v2.0",
            "authorization_endpoint": f"{oauth}/authorize",
            "token_endpoint": f"{oauth}/token",
            "device_authorization_endpoint": f"{oauth}/devicecode",
            "response_types_supported": ["code", "id_token", "code id_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
        }

    def instance_discovery(self, authorization_endpoint: str) -> dict[str, Any]:
        """What Entra ID's ``/common/discovery/instance`` answers for a host it knows."""
        tenant = urlparse(authorization_endpoint).path.strip("/").split("/")[0] or self.tenant
        return {
            "tenant_discovery_endpoint": (
                f"{self.base}/{tenant}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [
                {
                    "preferred_network": f"{self.host}:{self.port}",
                    "preferred_cache": f"{self.host}:{self.port}",
                    "aliases": [f"{self.host}:{self.port}"],
                }
            ],
        }

    def device_code(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        client_id = form.get("client_id", "")
        if client_id not in self.clients:
            return 400, _error("unauthorized_client", "AADSTS700016: unknown application.")
        device, user_code = secrets.token_urlsafe(24), secrets.token_hex(4).upper()
        with self._lock:
            quick = self.approve_as.lower() if self.approve_as else None
            self._codes[device] = _Code(client_id, form.get("scope", ""), quick)
            self._user_codes[user_code] = device
            self.issued.append(device)
        verify = f"{self.base}/devicelogin"
        return 200, {
            "device_code": device,
            "user_code": user_code,
            "verification_uri": verify,
            "expires_in": 900,
            "interval": 5,
            "message": (
                f"To sign in, use a web browser to open the page {verify} and enter the code "
                f"{user_code} to authenticate."
            ),
        }

    def token(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        grant_type = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        if client_id not in self.clients:
            return 400, _error("unauthorized_client", "AADSTS700016: unknown application.")
        if grant_type == DEVICE_GRANT:
            with self._lock:
                code = self._codes.get(form.get("device_code", ""))
            if code is None:
                return 400, _error("expired_token", "AADSTS70019: the code has expired.")
            if code.user is None:
                return 400, _error("authorization_pending", "AADSTS70016: not yet approved.")
            with self._lock:
                del self._codes[form["device_code"]]
            return 200, self._issue(grant_type, code.client_id, code.user, code.scope)
        if grant_type == "client_credentials":
            secret = self.clients[client_id]
            if secret is None or form.get("client_secret") != secret:
                return 401, _error("invalid_client", "AADSTS7000215: invalid client secret.")
            return 200, self._issue(grant_type, client_id, "", form.get("scope", ""))
        if grant_type == "refresh_token":
            with self._lock:
                grant = self._refresh.pop(form.get("refresh_token", ""), None)
            if grant is None or grant.client_id != client_id:
                return 400, _error(
                    "invalid_grant",
                    "AADSTS50173: the refresh token was revoked or has expired; "
                    "sign in again.",
                )
            return 200, self._issue(grant_type, client_id, grant.user, form.get("scope", ""))
        return 400, _error("unsupported_grant_type", f"{grant_type!r} is not supported.")

    def _issue(self, grant_type: str, client_id: str, user: str, scope: str) -> dict[str, Any]:
        """Tokens for a grant: access (and, for a person, refresh and id) tokens."""
        access = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self.grants[grant_type] += 1
            self._access[access] = _Grant(client_id, user, scope, now + self.access_lifetime)
            self.issued.append(access)
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(s for s in scope.split() if s not in _OIDC_SCOPES),
            "expires_in": self.access_lifetime,
            "ext_expires_in": self.access_lifetime,
            "access_token": access,
        }
        if user:
            refresh = secrets.token_urlsafe(32)
            with self._lock:
                self._refresh[refresh] = _Grant(client_id, user, scope)
                self.issued.append(refresh)
            oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{user}"))
            answer["refresh_token"] = refresh
            answer["id_token"] = _jwt(
                {
                    "iss": f"{self.url}/v2.0",
                    "aud": client_id,
                    "iat": int(now),
                    "nbf": int(now),
                    "exp": int(now) + self.access_lifetime,
                    "oid": oid,
                    "sub": oid,
                    "tid": TENANT_ID,
                    "preferred_username": user,
                    "name": user.split("@")[0].replace(".", " ").title(),
                }
            )
            self.issued.append(answer["id_token"])
            answer["client_info"] = _b64(json.dumps({"uid": oid, "utid": TENANT_ID}).encode())
        return answer


_OIDC_SCOPES = {"openid", "profile", "offline_access"}


def _error(code: str, description: str) -> dict[str, Any]:
    return {"error": code, "error_description": description, "error_codes": [0]}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(claims: Mapping[str, Any]) -> str:
    """An id token shaped as Entra ID's; unsigned, since msal does not check the signature."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "none"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


class _Handler(BaseHTTPRequestHandler):
    """One request to the authority: JSON out, forms in."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("authority: " + format, *args)

    @property
    def authority(self) -> Authority:
        return self.server.authority  # type: ignore[attr-defined,no-any-return]

    def _json(self, status: int, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.authority.requests[url.path] += 1
        parts = url.path.strip("/").split("/")
        if url.path.endswith("/.well-known/openid-configuration"):
            self._json(200, self.authority.configuration(parts[0]))
        elif url.path == "/common/discovery/instance":
            asked = parse_qs(url.query).get("authorization_endpoint", [""])[0]
            self._json(200, self.authority.instance_discovery(asked))
        else:
            self._json(404, _error("not_found", f"{url.path} is not served here."))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        path = urlparse(self.path).path
        self.authority.requests[path] += 1
        if path.endswith("/devicecode"):
            status, payload = self.authority.device_code(form)
        elif path.endswith("/token"):
            status, payload = self.authority.token(form)
        else:
            status, payload = 404, _error("not_found", f"{path} is not served here.")
        self._json(status, payload)
