"""The config file: finding it, and loading it against the schema with file:line errors.

The schema (every key's type, description and example) lives in
``configschema``; its names are re-exported here so callers need only this
module. ``load`` walks the YAML *node* tree (``yaml.compose`` keeps each node's
line), so every problem names its file, line and key path, and all problems are
reported together in one ``UserError`` (exit 2). ``python -m outreach.config.loader >
config.example.yaml`` writes the example generated from the schema.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import sys
import urllib.parse
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from outreach.config.schema import DAYS, SCHEMA, Key, Section, render_example, schema_paths
from outreach.config.settings import Settings
from outreach.core import textsafe
from outreach.core.errors import UserError

__all__ = [
    "APP_NAME",
    "DAYS",
    "EMAIL_RE",
    "ENV_VAR",
    "SCHEMA",
    "SECRET_KEYS",
    "WHERE_SECRETS_GO",
    "Key",
    "Section",
    "default_config_path",
    "default_store_path",
    "find_config_path",
    "load",
    "loads",
    "render_example",
    "schema_paths",
]

APP_NAME = "outreach"
ENV_VAR = "OUTREACH_CONFIG"
EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")

#: Keys that would hold a secret in plain text; the loader refuses them.
SECRET_KEYS = frozenset({"password", "passwd", "pass", "client_secret", "token", "api_key"})
WHERE_SECRETS_GO = (
    "a secret never goes in the config file; put it in an environment variable, "
    "a systemd credential, the keyring or a command's output, and name where it is under "
    "'mailbox.auth.secret' (env: VARIABLE, credential: FILE, keyring: SERVICE or "
    "command: COMMAND)"
)


# --- finding the file -------------------------------------------------------------------


def default_config_path() -> Path:
    """Return the XDG config location, e.g. ~/.config/outreach/config.yaml."""
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.yaml"


def default_store_path() -> Path:
    """Return the XDG data location of the store, e.g. ~/.local/share/outreach/store.json."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME) / "store.json"


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Given --config (or None), return the config path: --config, $OUTREACH_CONFIG, XDG."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return default_config_path()


# --- loading ------------------------------------------------------------------------------

_constructor = yaml.constructor.SafeConstructor()
_NULL = "tag:yaml.org,2002:null"


def _describe(node: yaml.Node, path: str = "") -> str:
    """Name what a node holds; a scalar under ``secret`` is not echoed (it may be the password)."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    if "secret" in path.split("."):
        return "a text (not shown)"
    return repr(node.value)


class _Walker:
    """Walks the node tree against the schema, collecting every problem."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.problems: list[str] = []
        self.lines: dict[str, int] = {}

    def problem(self, node: yaml.Node | int, path: str, message: str) -> None:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        where = f"At '{path}': " if path else ""
        self.problems.append(f"{self.source}:{line}: {where}{message}")

    def section(self, node: yaml.Node, section: Section, path: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping of keys, got {_describe(node, path)}")
            return {}
        values: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            self.lines[sub] = key_node.start_mark.line + 1
            if key in seen:
                self.problem(key_node, sub, "this key appears twice")
                continue
            seen.add(key)
            if key.lower() in SECRET_KEYS:
                self.problem(key_node, sub, WHERE_SECRETS_GO)
                continue
            spec = section.keys.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, list(section.keys), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else (
                    f"; expected one of {', '.join(section.keys)}")
                self.problem(key_node, sub, f"unknown key{hint}")
                continue
            if isinstance(spec, Section):
                if value_node.tag == _NULL:
                    values[key] = {}
                else:
                    values[key] = self.section(value_node, spec, sub)
            else:
                ok, value = self.leaf(value_node, spec, sub)
                if ok:
                    values[key] = value
        for key, spec in section.keys.items():
            if spec.required and key not in seen:
                sub = f"{path}.{key}" if path else key
                self.problem(node, sub, "this key is required but missing")
        return values

    def leaf(self, node: yaml.Node, key: Key, path: str) -> tuple[bool, Any]:
        """Return (ok, converted value) for one leaf, recording a problem if not ok."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            if key.nullable:
                return True, None
            if key.type == "strings":
                return True, ()
            self.problem(node, path, f"expected {_expected(key)}, got nothing")
            return False, None
        try:
            return True, _convert(node, key, self.source)
        except ValueError as bad:
            self.problem(node, path, f"expected {bad}, got {_describe(node, path)}")
            return False, None
        except yaml.YAMLError:  # a tag no safe constructor knows, e.g. "!secret 5"
            self.problem(node, path, f"expected {_expected(key)}, got a value tagged {node.tag}")
            return False, None


def _expected(key: Key) -> str:
    if key.choices:
        return "one of " + ", ".join(key.choices)
    return {
        "str": "a text",
        "email": "an email address like name@example.com",
        "int": _int_range(key),
        "bool": "true or false",
        "strings": "a list of texts",
        "time": "a time of day as HH:MM",
        "days": "a list of days (mon, tue, wed, thu, fri, sat, sun)",
        "path": "a file or folder path",
        "url": "an https:// URL",
        "timezone": "an IANA time zone like Europe/Berlin",
    }[key.type]


def _int_range(key: Key) -> str:
    if key.minimum is not None and key.maximum is not None:
        return f"an integer from {key.minimum} to {key.maximum}"
    if key.minimum is not None:
        return f"an integer ≥ {key.minimum}"
    return "an integer"


def _convert(node: yaml.Node, key: Key, source: Path) -> Any:
    """Given a YAML node, return its value as ``key.type``. Raise ValueError(expected)."""
    expected = _expected(key)
    if key.type == "strings" or key.type == "days":
        if not isinstance(node, yaml.SequenceNode):
            raise ValueError(expected)
        items = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or item.tag == _NULL:
                raise ValueError(expected)
            items.append(str(item.value))
        if key.type == "days":
            if any(d.lower()[:3] not in DAYS for d in items):
                raise ValueError(expected)
            return tuple(DAYS.index(d.lower()[:3]) for d in items)
        return tuple(items)
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError(expected)
    raw = str(node.value)
    why = textsafe.problem(raw)
    if why is not None:
        raise ValueError(f"{expected} on one line (this one holds {why})")
    if key.type == "int":
        value = _constructor.construct_object(node)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(expected)
        if key.minimum is not None and value < key.minimum:
            raise ValueError(expected)
        if key.maximum is not None and value > key.maximum:
            raise ValueError(expected)
        return value
    if key.type == "bool":
        value = _constructor.construct_object(node)
        if not isinstance(value, bool):
            raise ValueError(expected)
        return value
    if key.type == "time":
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(expected)
        return time(int(match[1]), int(match[2]))
    if key.type == "path":
        if not raw.strip():
            raise ValueError(expected)
        path = Path(raw).expanduser()
        return path if path.is_absolute() else (source.parent / path).resolve()
    if key.type == "url":
        if not re.fullmatch(r"https?://\S+", raw.strip()):
            raise ValueError(expected)
        try:
            parts = urllib.parse.urlsplit(raw.strip())
            port = parts.port  # ValueError for a port that is no number or above 65535
        except ValueError:
            raise ValueError(f"{expected} with a port from 1 to 65535") from None
        if not parts.hostname or port == 0:
            raise ValueError(f"{expected} with a host name (and a port from 1 to 65535)")
        return raw.strip()
    if key.type == "timezone":
        try:
            ZoneInfo(raw.strip())
        except (ZoneInfoNotFoundError, ValueError) as missing:
            raise ValueError(expected) from missing
        return raw.strip()
    if key.type == "email":
        if raw and not EMAIL_RE.match(raw.strip()):
            raise ValueError(expected)
        return raw.strip()
    if key.choices and raw not in key.choices:
        raise ValueError(expected)
    return raw


def _build(section: Section, values: dict[str, Any]) -> Any:
    kwargs = {}
    for key, value in values.items():
        spec = section.keys.get(key)
        kwargs[key] = _build(spec, value) if isinstance(spec, Section) else value
    return section.cls(**kwargs)


def _cross_checks(settings: Settings, walker: _Walker, root: yaml.Node) -> None:
    """Rules that span keys: each problem names the key it is about."""

    def at(path: str) -> int:
        while path and path not in walker.lines:
            path = path.rpartition(".")[0]
        return walker.lines.get(path, root.start_mark.line + 1)

    def problem(path: str, message: str) -> None:
        walker.problem(at(path), path, message)

    box = settings.mailbox
    secret = box.auth.secret
    sources = [
        name for name in ("env", "credential", "keyring", "command") if getattr(secret, name)
    ]
    if len(sources) > 1:
        problem("mailbox.auth.secret", f"set only one of env, credential, keyring, command "
                f"(got {', '.join(sources)})")
    if box.auth.type == "token" and box.backend == "ews":
        problem("mailbox.auth.type", "token sign-in is for the graph backend; EWS signs in "
                "with basic, ntlm or oauth2")
    if box.backend == "graph":
        if box.auth.type in ("basic", "ntlm"):
            problem("mailbox.auth.type", "Microsoft Graph signs in with oauth2 (an app "
                    "registration) or token (an access token from the secret)")
        if box.auth.type == "token" and not sources:
            problem("mailbox.auth.secret", "token sign-in reads the access token from the "
                    "secret: set env, credential, keyring or command")
    if box.backend in ("ews", "graph") and box.auth.type == "oauth2":
        for name in ("tenant_id", "client_id"):
            if not getattr(box.auth, name):
                problem(f"mailbox.auth.{name}", "oauth2 sign-in needs this key")
        if box.auth.oauth_mode == "app" and not sources:
            problem("mailbox.auth.secret", "oauth2 'app' mode needs the client secret: "
                    "set env, credential, keyring or command")
    if box.ca_bundle is not None and not box.ca_bundle.is_file():
        problem("mailbox.ca_bundle", f"the file {box.ca_bundle} does not exist")
    if box.backend == "ews":
        if not (box.service_endpoint or box.server or box.autodiscover):
            problem("mailbox", "the ews backend needs service_endpoint, server or "
                    "autodiscover: true")
        if box.auth.type in ("basic", "ntlm") and not sources:
            problem("mailbox.auth.secret", f"{box.auth.type} sign-in needs a password: set "
                    "env, credential, keyring or command")
    hours = settings.time.working_hours
    if hours.start >= hours.end:
        problem("time.working_hours.end", "the working day must end after it starts")
    if not hours.days:
        problem("time.working_hours.days", "at least one working day is needed")
    if settings.scheduling.earliest_days > settings.scheduling.latest_days:
        problem("scheduling.latest_days", "must not be before scheduling.earliest_days")


def load(path: str | os.PathLike[str] | None = None) -> Settings:
    """Given a config path (None: find it), return the validated Settings.

    Raise UserError (exit 2) listing every problem as "file:line: At 'key': ...".
    """
    source = find_config_path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"No config file at {source}.",
            ["Run `outreach init` to write one, or pass --config FILE "
             f"(or set ${ENV_VAR})."],
        ) from None
    except (OSError, UnicodeDecodeError) as failure:
        raise UserError(f"The config file {source} cannot be read: {failure}.") from None
    return loads(text, source)


def loads(text: str, source: Path) -> Settings:
    """Given the YAML text of ``source``, return its Settings or raise UserError."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as bad:
        mark = bad.problem_mark or bad.context_mark
        line = mark.line + 1 if mark else 1
        raise UserError(f"The config file {source} is not valid YAML.",
                        [f"{source}:{line}: {bad.problem or bad}"]) from None
    except yaml.YAMLError as bad:
        raise UserError(f"The config file {source} is not valid YAML: {bad}") from None
    if root is None:
        raise UserError(f"The config file {source} is empty.",
                        ["Run `outreach init` to write a starter config."])
    walker = _Walker(source)
    values = walker.section(root, SCHEMA, "")
    settings = None
    if not walker.problems:
        values.setdefault("paths", {})
        if values["paths"].get("store") is None:
            values["paths"]["store"] = default_store_path()
        values["source"] = source
        settings = _build(SCHEMA, values)
        if not settings.mailbox.email:
            settings = dataclasses.replace(
                settings, mailbox=dataclasses.replace(settings.mailbox,
                                                      email=settings.user.email))
        _cross_checks(settings, walker, root)
    if walker.problems or settings is None:
        count = len(walker.problems)
        raise UserError(f"The config file {source} has {count} problem"
                        f"{'s' if count > 1 else ''}:", walker.problems)
    return settings


if __name__ == "__main__":
    sys.stdout.write(render_example())
