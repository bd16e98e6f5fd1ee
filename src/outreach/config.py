"""The config file: one schema, loading with file:line errors, and the example it generates.

The schema below is the single source of truth: every key has a type, a
description and an example. ``load`` walks the YAML *node* tree (``yaml.compose``
keeps each node's line), so every problem names its file, line and key path, and
all problems are reported together in one ``UserError`` (exit 2).
``config.example.yaml`` is generated from the same schema (``python -m
outreach.config > config.example.yaml``) and a test keeps the two in step.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from outreach.errors import UserError
from outreach.settings import (
    Auth,
    Daemon,
    MailboxSettings,
    Paths,
    Policy,
    Scheduling,
    Secret,
    SelfAssessment,
    Settings,
    TimeSettings,
    User,
    WorkingHours,
)

APP_NAME = "outreach"
ENV_VAR = "OUTREACH_CONFIG"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")

#: Keys that would hold a secret in plain text; the loader refuses them.
SECRET_KEYS = frozenset({"password", "passwd", "pass", "client_secret", "token", "api_key"})
WHERE_SECRETS_GO = (
    "a secret never goes in the config file; put it in an environment variable, "
    "a systemd credential or the keyring, and name where it is under "
    "'mailbox.auth.secret' (env: VARIABLE, credential: FILE or keyring: SERVICE)"
)


@dataclass(frozen=True)
class Key:
    """One leaf key: its type, what it means, an example value for the sample file."""

    type: str  # str | email | int | bool | strings | time | days | path | url | timezone
    description: str
    example: Any
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    nullable: bool = False
    required: bool = False


@dataclass(frozen=True)
class Section:
    """A mapping of keys, built into the settings dataclass ``cls``."""

    description: str
    cls: type
    keys: dict[str, Key | Section]
    required: bool = False


SCHEMA = Section(
    "outreach configuration",
    Settings,
    {
        "user": Section(
            "Who you are: the requests are written in your name.",
            User,
            {
                "name": Key("str", "Your full name, as it appears in the signature.",
                            "Alex Example", required=True),
                "email": Key("email", "Your work email address.", "alex@example.com",
                             required=True),
                "phone": Key("str", "Your phone number, offered when a call suits better.",
                             "+1 555 0100"),
                "title": Key("str", "Your job title.", "Analyst"),
                "department": Key("str", "Your department.", "Finance"),
                "organization": Key("str", "Your organization.", "Example Corp"),
                "areas": Key("strings", "The fields or job functions you want to learn about.",
                             ["data engineering", "product management"]),
                "self_assessment": Section(
                    "Your self-assessment, the guide's prerequisite: the interview log "
                    "scores each interview's fit against it.",
                    SelfAssessment,
                    {
                        "interests": Key("strings", "What you enjoy and want more of.",
                                         ["analysis", "teaching"]),
                        "skills": Key("strings", "What you are good at.",
                                      ["SQL", "writing"]),
                        "values": Key("strings", "What matters to you in work.",
                                      ["autonomy", "learning"]),
                        "working_style": Key("strings", "How you like to work.",
                                             ["small teams", "deep focus"]),
                    },
                ),
            },
            required=True,
        ),
        "mailbox": Section(
            "Your Exchange mailbox.",
            MailboxSettings,
            {
                "backend": Key("str", "'ews' for a real Exchange server, 'sandbox' for the "
                               "local practice server.", "sandbox", choices=("ews", "sandbox")),
                "email": Key("email", "The mailbox's primary address; empty means user.email.",
                             "", nullable=True),
                "service_endpoint": Key("url", "The EWS URL; set this, or server, or "
                                        "autodiscover.", None, nullable=True),
                "server": Key("str", "The Exchange host name, when the EWS URL is the usual "
                              "one.", None, nullable=True),
                "autodiscover": Key("bool", "Find the server from your email address.", False),
                "auth": Section(
                    "How to sign in. The secret itself is never in this file.",
                    Auth,
                    {
                        "type": Key("str", "basic, ntlm or oauth2.", "ntlm",
                                    choices=("basic", "ntlm", "oauth2")),
                        "username": Key("str", "The sign-in name (often DOMAIN\\user or "
                                        "the email address).", "alex@example.com"),
                        "secret": Section(
                            "Where the password (or OAuth2 client secret) comes from: "
                            "set exactly one.",
                            Secret,
                            {
                                "env": Key("str", "An environment variable holding it.",
                                           "OUTREACH_PASSWORD", nullable=True),
                                "credential": Key("str", "A systemd credential name (a file "
                                                  "under $CREDENTIALS_DIRECTORY).", None,
                                                  nullable=True),
                                "keyring": Key("str", "A service name in the system keyring "
                                               "(the username is the key).", None,
                                               nullable=True),
                            },
                        ),
                        "oauth_mode": Key("str", "OAuth2 only: 'delegated' (device code "
                                          "sign-in) or 'app' (client credentials).",
                                          "delegated", choices=("delegated", "app")),
                        "tenant_id": Key("str", "OAuth2 only: the Azure AD tenant id.", ""),
                        "client_id": Key("str", "OAuth2 only: the app registration's "
                                         "client id.", ""),
                    },
                ),
                "verify_tls": Key("bool", "Check the server's TLS certificate.", True),
                "insecure_hosts": Key("strings", "Hosts whose certificate is not checked "
                                      "(a test server only).", []),
                "max_wait_seconds": Key("int", "The longest wait when the server throttles.",
                                        300, minimum=0),
                "sandbox_data": Key("path", "Sandbox only: its state folder (empty: a "
                                    "default under the data folder).", None, nullable=True),
            },
        ),
        "time": Section(
            "Your time zone and working hours: proposed times fall inside them.",
            TimeSettings,
            {
                "timezone": Key("timezone", "Your IANA time zone.", "Europe/Berlin"),
                "working_hours": Section(
                    "When interviews may be proposed.",
                    WorkingHours,
                    {
                        "start": Key("time", "Start of the working day (HH:MM).", "09:00"),
                        "end": Key("time", "End of the working day (HH:MM).", "17:00"),
                        "days": Key("days", "Working days.", ["mon", "tue", "wed", "thu",
                                                              "fri"]),
                    },
                ),
                "country": Key("str", "ISO 3166 country code for public holidays (none: no "
                               "holidays).", "DE", nullable=True),
                "subdivision": Key("str", "State or province code for regional holidays.",
                                   None, nullable=True),
            },
        ),
        "scheduling": Section(
            "How interview times are proposed.",
            Scheduling,
            {
                "interview_minutes": Key("int", "Length of an interview; the guide: don't "
                                         "stay longer than scheduled.", 30, minimum=5),
                "slots": Key("int", "How many specific times a request proposes.", 3,
                             minimum=1),
                "earliest_days": Key("int", "First day proposed, in days from today.", 2,
                                     minimum=0),
                "latest_days": Key("int", "Last day proposed, in days from today.", 14,
                                   minimum=1),
                "buffer_minutes": Key("int", "Free time kept around each interview.", 15,
                                      minimum=0),
                "location": Key("str", "Where you offer to meet; the guide: their office.",
                                "your office"),
                "reminder_minutes": Key("int", "Calendar reminder before an interview.", 15,
                                        minimum=0),
                "hold_slots": Key("bool", "Put tentative holds on your calendar for proposed "
                                  "times.", True),
            },
        ),
        "policy": Section(
            "What is sent, when, and how much.",
            Policy,
            {
                "approval": Key("str", "'drafts': you approve each email by pressing Send "
                                "in Outlook; 'send': sent automatically.", "drafts",
                                choices=("drafts", "send")),
                "follow_up_after_days": Key("int", "Business days without an answer before "
                                            "a follow-up.", 5, minimum=1),
                "max_follow_ups": Key("int", "Follow-ups before a contact is marked no "
                                      "response.", 2, minimum=0),
                "thank_you_delay_minutes": Key("int", "Minutes after an interview before "
                                               "the thank-you; the guide: immediately.", 0,
                                               minimum=0),
                "daily_send_cap": Key("int", "Most emails sent automatically per day.", 10,
                                      minimum=0),
                "per_contact_cap": Key("int", "Most emails to one contact, all kinds "
                                       "together.", 4, minimum=1),
                "report_back": Key("bool", "Tell a referrer how the referred interview "
                                   "went.", True),
                "out_of_office_default_days": Key("int", "Pause after an out-of-office "
                                                  "reply that gives no return date.", 7,
                                                  minimum=1),
                "send_invites": Key("bool", "Send calendar invites without approval.", False),
            },
        ),
        "daemon": Section(
            "The background service.",
            Daemon,
            {
                "poll_seconds": Key("int", "Seconds between checks of the mailbox.", 300,
                                    minimum=1),
                "notifications": Key("str", "pull, streaming or poll.", "pull",
                                     choices=("pull", "streaming", "poll")),
                "watchdog_seconds": Key("int", "systemd watchdog interval.", 600, minimum=0),
            },
        ),
        "paths": Section(
            "Where outreach keeps its files; relative paths are relative to this file.",
            Paths,
            {
                "store": Key("path", "The store (empty: store.json in the user data folder, "
                             "e.g. ~/.local/share/outreach).", None, nullable=True),
                "templates": Key("path", "A folder whose files override the built-in email "
                                 "templates.", None, nullable=True),
            },
        ),
    },
    required=True,
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


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
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
            self.problem(node, path, f"expected a mapping of keys, got {_describe(node)}")
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
            self.problem(node, path, f"expected {bad}, got {_describe(node)}")
            return False, None


def _expected(key: Key) -> str:
    if key.choices:
        return "one of " + ", ".join(key.choices)
    return {
        "str": "a text",
        "email": "an email address like name@example.com",
        "int": "an integer" + (f" ≥ {key.minimum}" if key.minimum is not None else ""),
        "bool": "true or false",
        "strings": "a list of texts",
        "time": "a time of day as HH:MM",
        "days": "a list of days (mon, tue, wed, thu, fri, sat, sun)",
        "path": "a file or folder path",
        "url": "an https:// URL",
        "timezone": "an IANA time zone like Europe/Berlin",
    }[key.type]


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
    if key.type == "int":
        value = _constructor.construct_object(node)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(expected)
        if key.minimum is not None and value < key.minimum:
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
    sources = [name for name in ("env", "credential", "keyring") if getattr(secret, name)]
    if len(sources) > 1:
        problem("mailbox.auth.secret", f"set only one of env, credential, keyring (got "
                f"{', '.join(sources)})")
    if box.backend == "ews":
        if not (box.service_endpoint or box.server or box.autodiscover):
            problem("mailbox", "the ews backend needs service_endpoint, server or "
                    "autodiscover: true")
        if box.auth.type in ("basic", "ntlm") and not sources:
            problem("mailbox.auth.secret", f"{box.auth.type} sign-in needs a password: set "
                    "env, credential or keyring")
        if box.auth.type == "oauth2":
            for name in ("tenant_id", "client_id"):
                if not getattr(box.auth, name):
                    problem(f"mailbox.auth.{name}", "oauth2 sign-in needs this key")
            if box.auth.oauth_mode == "app" and not sources:
                problem("mailbox.auth.secret", "oauth2 'app' mode needs the client secret: "
                        "set env, credential or keyring")
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


# --- the example file ---------------------------------------------------------------------


def _yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return dumped.removesuffix("\n...\n").strip()


def _default_of(section: Section, key: str) -> Any:
    for f in dataclasses.fields(section.cls):
        if f.name == key and f.default is not dataclasses.MISSING:
            default = f.default
            if isinstance(default, time):
                return default.strftime("%H:%M")
            if key == "days":
                return [DAYS[d] for d in default]
            return list(default) if isinstance(default, tuple) else default
    return dataclasses.MISSING


def render_example(values: dict[str, Any] | None = None) -> str:
    """Return the commented sample config; ``values`` ("user.name": ...) override examples."""
    values = values or {}
    lines = [
        "# outreach configuration.",
        "#",
        "# Every key is described above its line; remove a key to get its default.",
        "# Found by --config, then $OUTREACH_CONFIG, then ~/.config/outreach/config.yaml.",
        "# Secrets never go here: name an environment variable, a systemd credential",
        "# or a keyring entry under mailbox.auth.secret.",
    ]

    def comment(text: str, indent: str) -> None:
        for row in textwrap.wrap(text, 88 - len(indent)):
            lines.append(f"{indent}# {row}")

    def walk(section: Section, path: str, depth: int) -> None:
        indent = "  " * depth
        for key, spec in section.keys.items():
            sub = f"{path}.{key}" if path else key
            if isinstance(spec, Section):
                lines.append("")
                comment(spec.description, indent)
                lines.append(f"{indent}{key}:")
                walk(spec, sub, depth + 1)
                continue
            text = spec.description
            default = _default_of(section, key)
            if default not in (dataclasses.MISSING, "", [], None) and not spec.required:
                text += f" Default: {_yaml_value(default)}."
            comment(text, indent)
            value = values.get(sub, spec.example)
            lines.append(f"{indent}{key}: {_yaml_value(value)}")

    walk(SCHEMA, "", 0)
    return "\n".join(lines) + "\n"


def schema_paths(section: Section = SCHEMA, path: str = "") -> list[str]:
    """Return every leaf key path of the schema, e.g. 'policy.daily_send_cap'."""
    paths: list[str] = []
    for key, spec in section.keys.items():
        sub = f"{path}.{key}" if path else key
        paths.extend(schema_paths(spec, sub) if isinstance(spec, Section) else [sub])
    return paths


if __name__ == "__main__":
    sys.stdout.write(render_example())
