"""Sign-in at the sandbox's door, as IIS in front of Exchange asks for it.

Schemes: ``basic``; ``ntlm`` and ``negotiate`` (NTLM inside, as Exchange Server
offers it when Kerberos is not possible), checked by pyspnego's own acceptor
against a user file; ``bearer``, checked by a function the test supplies (the
local OpenID authority's). NTLM authenticates the kept-alive connection, not one
request: IIS answers the later requests on that connection without a new
handshake, and so does this door (the state lives on the connection's handler).

Exchange Online's EWS switch-off is played here too: when the organization's
policy blocks EWS, a signed-in request is answered HTTP 403 with
``X-EWS-Policy-Reason`` and no SOAP body.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

SCHEMES = ("basic", "ntlm", "negotiate", "bearer")
#: the header value the sandbox sends; Exchange Online's exact wording is not documented
EWS_POLICY_REASON = "EWS is disabled for this organization by the EWSEnabled setting"

#: pyspnego reads its acceptor's user file from this variable (one process-wide value)
_USER_FILE_VAR = "NTLM_USER_FILE"
_spnego_lock = threading.Lock()


class Answering(Protocol):
    """What the door needs of the HTTP handler (server.py's Handler)."""

    headers: Any

    def answer(self, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None: ...


@dataclass
class ConnectionSignIn:
    """Per kept-alive connection: who it is signed in as, and an NTLM handshake under way."""

    user: str | None = None
    scheme: str = ""
    pending: Any = None  # the pyspnego acceptor between challenge and authenticate


@dataclass
class Door:
    """Who may come in and how.

    passwords: sign-in name (an address, or ``DOMAIN\\user`` for NTLM) -> password;
    None accepts any credentials (Basic) or none at all, the practice default.
    tokens: bearer token -> the address it was issued for ("" for an app token, whose
    mailbox comes from the impersonation header), None if invalid; None accepts any.
    channel_binding: the TLS certificate hash NTLM must be bound to (HTTPS only).
    """

    schemes: tuple[str, ...] = ("basic",)
    passwords: Mapping[str, str] | None = None
    tokens: Callable[[str], str | None] | None = None
    channel_binding: bytes | None = None
    #: completed NTLM handshakes (one per connection when auth is connection-bound)
    handshakes: int = field(default=0, init=False)
    _user_file: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.schemes) - set(SCHEMES)
        if unknown or not self.schemes:
            raise ValueError(f"unknown sign-in schemes {sorted(unknown)}; use some of {SCHEMES}")
        if self.passwords is not None:
            self.passwords = {k.lower(): v for k, v in self.passwords.items()}
        if self.ntlm and not self.passwords:
            raise ValueError("NTLM and Negotiate need passwords to check (a user file)")

    @property
    def ntlm(self) -> bool:
        return "ntlm" in self.schemes or "negotiate" in self.schemes

    @property
    def open(self) -> bool:
        """True when nothing is checked: any request comes in, signed in or not."""
        return (
            self.passwords is None
            and self.tokens is None
            and not self.ntlm
            and "bearer" not in self.schemes
        )

    def close(self) -> None:
        """Remove the user file (written again if the sandbox is started again)."""
        if self._user_file is not None:
            self._user_file.unlink(missing_ok=True)
            self._user_file = None

    def challenges(self) -> list[tuple[str, str]]:
        """The WWW-Authenticate headers of a 401, in the order IIS lists them."""
        offer = {
            "negotiate": "Negotiate",
            "ntlm": "NTLM",
            "bearer": 'Bearer realm="outreach sandbox"',
            "basic": 'Basic realm="outreach sandbox"',
        }
        return [("WWW-Authenticate", offer[s]) for s in SCHEMES_ORDER if s in self.schemes]

    def sign_in(self, handler: Answering, connection: ConnectionSignIn) -> str | None:
        """Given a request, return the signed-in name ("" when anonymous is allowed).

        Answer the request itself (401 with a challenge) and return None if it may not
        come in yet.
        """
        header = handler.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if self.open:
            return _basic(value)[0] if scheme == "basic" else ""
        if not header and connection.user is not None:
            return connection.user  # a connection NTLM signed in: IIS asks nothing more
        if scheme in ("ntlm", "negotiate") and scheme in self.schemes:
            return self._ntlm_step(handler, connection, scheme, value)
        connection.user = None
        if scheme == "basic" and "basic" in self.schemes:
            user, password = _basic(value)
            if self.passwords is None or (
                password and self.passwords.get(user.lower()) == password
            ):
                return user
        elif scheme == "bearer" and "bearer" in self.schemes:
            user = "" if self.tokens is None else self.tokens(value)
            if user is not None:
                return user
        self._refuse(handler)
        return None

    def _refuse(self, handler: Answering, extra: Iterable[tuple[str, str]] = ()) -> None:
        handler.answer(401, [*extra, *self.challenges()], b"")

    def _ntlm_step(
        self, handler: Answering, connection: ConnectionSignIn, scheme: str, value: str
    ) -> str | None:
        import spnego
        from spnego.exceptions import SpnegoError

        try:
            token = base64.b64decode(value, validate=True)
        except ValueError:
            token = b""
        if connection.pending is None or connection.scheme != scheme:
            bindings = None
            if self.channel_binding is not None:
                bindings = spnego.channel_bindings.GssChannelBindings(
                    application_data=b"tls-server-end-point:" + self.channel_binding
                )
            with self._spnego():
                connection.pending = spnego.server(
                    protocol="negotiate" if scheme == "negotiate" else "ntlm",
                    channel_bindings=bindings,
                )
            connection.scheme = scheme
            connection.user = None
        context = connection.pending
        try:
            with self._spnego():
                out = context.step(token)
        except (SpnegoError, ValueError) as refused:
            log.debug("sandbox: %s sign-in refused (%s)", scheme, type(refused).__name__)
            connection.pending = None
            self._refuse(handler)
            return None
        if not context.complete:
            name = "Negotiate" if scheme == "negotiate" else "NTLM"
            encoded = base64.b64encode(out or b"").decode()
            handler.answer(401, [("WWW-Authenticate", f"{name} {encoded}")], b"")
            return None
        connection.pending = None
        connection.user = str(context.client_principal or "")
        self.handshakes += 1
        return connection.user

    def _spnego(self) -> Any:
        """Point pyspnego at this door's user file (written on first use) while it reads it."""
        if self._user_file is None:
            self._user_file = _write_user_file(self.passwords or {})
        return _UserFile(self._user_file)


SCHEMES_ORDER = ("negotiate", "ntlm", "bearer", "basic")


class _UserFile:
    """A context manager: NTLM_USER_FILE names this file while the lock is held."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.previous: str | None = None

    def __enter__(self) -> None:
        _spnego_lock.acquire()
        self.previous = os.environ.get(_USER_FILE_VAR)
        if self.path is not None:
            os.environ[_USER_FILE_VAR] = str(self.path)

    def __exit__(self, *exc: object) -> None:
        if self.previous is None:
            os.environ.pop(_USER_FILE_VAR, None)
        else:
            os.environ[_USER_FILE_VAR] = self.previous
        _spnego_lock.release()


def _basic(value: str) -> tuple[str, str]:
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return user, password


def _write_user_file(passwords: Mapping[str, str]) -> Path:
    """The acceptor's user file (``DOMAIN:user:password`` lines), owner-only."""
    lines = []
    for name, password in passwords.items():
        domain, _, user = name.rpartition("\\")
        lines.append(f"{domain}:{user}:{password}")
    fd, path = tempfile.mkstemp(prefix="outreach-sandbox-ntlm-", suffix=".users")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return Path(path)


def certificate_hash(pem: str) -> bytes:
    """The RFC 5929 ``tls-server-end-point`` hash of a PEM file's first certificate."""
    import ssl

    start = pem.index("-----BEGIN CERTIFICATE-----")
    end = pem.index("-----END CERTIFICATE-----", start) + len("-----END CERTIFICATE-----")
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem[start:end])).digest()


def refuse_ews_by_policy(handler: Answering, reason: str) -> None:
    """Exchange Online's answer when EWS is switched off for the organization."""
    body = b"EWS is not allowed for this organization."
    handler.answer(
        403, [("X-EWS-Policy-Reason", reason), ("Content-Type", "text/plain")], body
    )
