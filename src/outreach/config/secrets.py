"""Secrets from where the config points (env, systemd credential, keyring, a command), kept
out of logs.

The config only names a source; the value is read when the mailbox is opened and
registered with a redactor that every log record passes through, so neither our
code nor exchangelib's debug output (request headers included) can print it.
Error messages name the source, never the value.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shlex
import subprocess
import threading
from pathlib import Path

from outreach.config.settings import Secret
from outreach.core import files
from outreach.core.errors import UserError

MASK = "********"

_known: set[str] = set()
_lock = threading.Lock()
#: values that are secret whatever they are: auth headers, token fields, and NTLM messages
#: (pyspnego logs each handshake step at DEBUG; an NTLMv2 response can be cracked offline)
_PATTERNS = re.compile(
    r"(?P<key>(?:authorization|www-authenticate)['\"]?\s*[:=]\s*['\"]?"
    r"(?:basic|bearer|ntlm|negotiate)\s+)[^'\"\s,}]+"
    r"|(?P<field>(?:access_token|refresh_token|id_token|client_secret|password|device_code)"
    r"['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}&]+"
    r"|(?P<step>step (?:input|output): )\S+"
    r"|(?P<ntlm>)TlRMTVNT[A-Za-z0-9+/=]*",
    re.IGNORECASE,
)


def register(value: str, username: str = "") -> None:
    """Treat ``value`` (and the Basic-auth form of ``username:value``) as secret from now on."""
    if not value:
        return
    with _lock:
        _known.add(value)
        if username:
            _known.add(base64.b64encode(f"{username}:{value}".encode()).decode())


def redact(text: str) -> str:
    """Return ``text`` with every registered secret and auth header value masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return _PATTERNS.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    return (match.group("key") or match.group("field") or match.group("step") or "") + MASK


class RedactingFilter(logging.Filter):
    """A logging filter that formats each record once and masks secrets in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_installed = False


def protect_logging() -> None:
    """Mask secrets in every log record from now on, whichever handler prints it.

    A record factory is used rather than a handler filter so that handlers added
    later (``logging.basicConfig`` in the CLI, pytest's capture) are covered too.
    """
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()
    masker = RedactingFilter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        masker.filter(record)
        return record

    logging.setLogRecordFactory(factory)


def _from_keyring(service: str, username: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError as missing:
        raise UserError(
            "The config reads a secret from the keyring, but the keyring package is not "
            "installed (pip install 'outreach[keyring]')."
        ) from missing
    try:
        return keyring.get_password(service, username)
    except KeyringError as problem:
        raise UserError(
            f"The system keyring could not be read for service {service!r} "
            f"({type(problem).__name__})."
        ) from None


#: How long a secret command may take (a sign-in helper that prompts would hang the daemon).
COMMAND_SECONDS = 60


def _from_command(command: str, what: str) -> str:
    """Run ``command`` (split like a shell would, but without one) and return its output.

    The output is never logged nor put in a message; a failure names the program only.
    """
    try:
        argv = shlex.split(command)
    except ValueError as bad:
        raise UserError(
            f"mailbox.auth.secret.command cannot be split into words ({bad})."
        ) from None
    if not argv:
        raise UserError("mailbox.auth.secret.command is empty.")
    program = argv[0]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=COMMAND_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise UserError(
            f"The {what} is read from the command {program!r}, which is not installed "
            "or not on PATH."
        ) from None
    except subprocess.TimeoutExpired:
        raise UserError(
            f"The command {program!r} that gives the {what} did not finish within "
            f"{COMMAND_SECONDS} seconds."
        ) from None
    except OSError as problem:
        raise UserError(
            f"The command {program!r} that gives the {what} cannot be run ({problem.strerror})."
        ) from None
    value = done.stdout.strip()
    if done.returncode != 0:
        raise UserError(
            f"The command {program!r} that gives the {what} failed (exit status "
            f"{done.returncode}); run it yourself to see why."
        )
    if not value:
        raise UserError(f"The command {program!r} that gives the {what} printed nothing.")
    return value


def read_secret(source: Secret, username: str = "", what: str = "password") -> str:
    """Given where a secret lives, return it (and register it for redaction).

    Raise ``UserError`` naming the source, never the value, if it is not there.
    """
    value: str | None = None
    if source.env:
        value = os.environ.get(source.env)
        if not value:
            raise UserError(
                f"The {what} is read from the environment variable {source.env}, which is not set."
            )
    elif source.credential:
        directory = os.environ.get("CREDENTIALS_DIRECTORY")
        if not directory:
            raise UserError(
                f"The {what} is read from the systemd credential {source.credential!r}, "
                "but $CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit)."
            )
        path = Path(directory) / source.credential
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as problem:
            raise UserError(
                f"The systemd credential {path} cannot be read ({problem.strerror})."
            ) from None
    elif source.keyring:
        value = _from_keyring(source.keyring, username)
        if not value:
            raise UserError(
                f"The keyring holds no {what} for service {source.keyring!r} and user {username!r}."
            )
    elif source.command:
        value = _from_command(source.command, what)
    else:
        raise UserError(
            f"No source is configured for the {what}: "
            "set mailbox.auth.secret.env, .credential, .keyring or .command."
        )
    register(value, username)
    return value


def store_in_keyring(service: str, username: str, value: str) -> None:
    """Save a secret (e.g. an OAuth token cache) in the keyring; ``UserError`` if unavailable."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError as missing:
        raise UserError(
            "The keyring package is not installed (pip install 'outreach[keyring]')."
        ) from missing
    try:
        keyring.set_password(service, username, value)
    except KeyringError as problem:
        raise UserError(
            f"The system keyring could not be written ({type(problem).__name__})."
        ) from None


def read_from_keyring(service: str, username: str) -> str | None:
    """The keyring's value for service and user, or None (``UserError`` if unavailable)."""
    return _from_keyring(service, username)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600), replacing it atomically.

    Raise UserError naming the file when its folder cannot be made or the disk refuses.
    """
    what = "The sign-in token cache"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as failure:
        raise files.problem(what, path, failure, "created") from None
    files.write(path, text, option=what)
