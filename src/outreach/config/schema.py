"""The config schema: every key's type, description and example, and what it generates.

The single source of truth for the config file: ``loader.load`` validates
against ``SCHEMA``; ``render_example`` writes the commented sample
(``python -m outreach.config.loader > config.example.yaml``) and ``schema_paths`` lists
every key, so a test keeps the example and the schema in step. Declarations
only: no file access, no validation of a user's values.
"""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass
from datetime import time
from typing import Any

import yaml

from outreach.config.settings import (
    Auth,
    Daemon,
    MailboxSettings,
    Paths,
    Policy,
    Research,
    Scheduling,
    Secret,
    SelfAssessment,
    Settings,
    TimeSettings,
    User,
    WorkingHours,
)

#: The day names the schema's ``days`` type accepts, Monday first (index = weekday()).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Key:
    """One leaf key: its type, what it means, an example value for the sample file."""

    type: str  # str | email | int | bool | strings | time | days | path | url | timezone
    description: str
    example: Any
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
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
                "organization_domains": Key(
                    "strings", "Email domains of your colleagues besides your own address's "
                    "(their free/busy is asked so the times proposed suit them too).",
                    ["corp.example.com"]),
                "resume": Key("path", "Your résumé (PDF or Word, under 5 MB), offered only "
                              "at the close: attached to a thank-you, never to a request or "
                              "a follow-up (the guide: don't fall into the trap of being "
                              "interviewed).", None, nullable=True),
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
                "backend": Key("str", "'ews' for an Exchange server through Exchange Web "
                               "Services, 'graph' for Microsoft 365 through Microsoft Graph, "
                               "'sandbox' for the local practice server.", "sandbox",
                               choices=("ews", "graph", "sandbox")),
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
                        "type": Key("str", "basic, ntlm or oauth2 (EWS); oauth2 or token "
                                    "(Graph: an access token read from the secret, e.g. one "
                                    "another tool issues).", "ntlm",
                                    choices=("basic", "ntlm", "oauth2", "token")),
                        "username": Key("str", "The sign-in name (often DOMAIN\\user or "
                                        "the email address).", "alex@example.com"),
                        "secret": Section(
                            "Where the password (or OAuth2 client secret, or access "
                            "token) comes from: set exactly one.",
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
                                "command": Key("str", "A command whose output is the secret, "
                                               "run without a shell (e.g. az account "
                                               "get-access-token --resource-type ms-graph "
                                               "--query accessToken -o tsv).", None,
                                               nullable=True),
                            },
                        ),
                        "oauth_mode": Key("str", "OAuth2 only: 'delegated' (device code "
                                          "sign-in) or 'app' (client credentials).",
                                          "delegated", choices=("delegated", "app")),
                        "tenant_id": Key("str", "OAuth2 only: the Azure AD tenant id.", ""),
                        "client_id": Key("str", "OAuth2 only: the app registration's "
                                         "client id.", ""),
                        "authority": Key("url", "OAuth2 only: the sign-in authority; empty "
                                         "means Microsoft's (https://login.microsoftonline.com/"
                                         "TENANT); for AD FS, https://adfs.example.com/adfs.",
                                         None, nullable=True),
                        "resource": Key("url", "OAuth2 only: what the token is for: Exchange "
                                        "Online, or your Exchange Server's URL (AD FS).",
                                        "https://outlook.office365.com"),
                    },
                ),
                "verify_tls": Key("bool", "Check the server's TLS certificate (off: warned "
                                  "at start-up; prefer ca_bundle).", True),
                "ca_bundle": Key("path", "A PEM file of the certificate authorities to trust "
                                 "instead of the system's (a private company CA).", None,
                                 nullable=True),
                "insecure_hosts": Key("strings", "Hosts whose certificate is not checked "
                                      "(a test server only).", []),
                "max_wait_seconds": Key("int", "The longest wait when the server throttles.",
                                        300, minimum=0, maximum=3600),
                "sandbox_data": Key("path", "Sandbox only: its state folder (empty: a "
                                    "default under the data folder).", None, nullable=True),
                "graph_url": Key("url", "Graph only: the Microsoft Graph address (another one "
                                 "for a national cloud).", "https://graph.microsoft.com/v1.0"),
                "sandbox_protocol": Key("str", "Sandbox only: practise over 'ews' or over "
                                        "'graph' (the way Microsoft 365 is reached).", "ews",
                                        choices=("ews", "graph")),
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
                                         "stay longer than scheduled.", 30, minimum=5, maximum=480),
                "slots": Key("int", "How many specific times a request proposes.", 3,
                             minimum=1, maximum=9),
                "earliest_days": Key("int", "First day proposed, in days from today.", 2,
                                     minimum=0, maximum=365),
                "latest_days": Key("int", "Last day proposed, in days from today.", 14,
                                   minimum=1, maximum=365),
                "buffer_minutes": Key("int", "Free time kept around each interview.", 15,
                                      minimum=0, maximum=240),
                "location": Key("str", "Where you offer to meet; the guide: their office.",
                                "your office"),
                "reminder_minutes": Key("int", "Calendar reminder before an interview.", 15,
                                        minimum=0, maximum=10080),
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
                                            "a follow-up.", 5, minimum=1, maximum=90),
                "max_follow_ups": Key("int", "Follow-ups before a contact is marked no "
                                      "response.", 2, minimum=0, maximum=5),
                "thank_you_delay_minutes": Key("int", "Minutes after an interview before "
                                               "the thank-you; the guide: immediately.", 0,
                                               minimum=0, maximum=10080),
                # up to Exchange Online's 10,000 recipients a day (a bulk first day)
                "daily_send_cap": Key("int", "Most emails sent automatically per day.", 10,
                                      minimum=0, maximum=10_000),
                "per_contact_cap": Key("int", "Most emails to one contact, all kinds "
                                       "together.", 4, minimum=1, maximum=20),
                "report_back": Key("bool", "Tell a referrer how the referred interview "
                                   "went.", True),
                "out_of_office_default_days": Key("int", "Pause after an out-of-office "
                                                  "reply that gives no return date.", 7,
                                                  minimum=1, maximum=90),
                "send_invites": Key("bool", "Send calendar invites without approval.", False),
                "keep_in_touch_weeks": Key("int", "Weeks after an interview before `status` "
                                           "reminds you to tell the person what came of their "
                                           "advice (`outreach update`); 0 turns it off.", 6,
                                           minimum=0, maximum=520),
                "resume_in_thank_you": Key("bool", "Attach user.resume to every thank-you "
                                           "(`draft --kind thank-you --attach-resume` does it "
                                           "once).", False),
            },
        ),
        "daemon": Section(
            "The background service.",
            Daemon,
            {
                "poll_seconds": Key("int", "Seconds between checks of the mailbox.", 300,
                                    minimum=1, maximum=86400),
                "notifications": Key("str", "pull, streaming or poll.", "pull",
                                     choices=("pull", "streaming", "poll")),
                "watchdog_seconds": Key("int", "systemd watchdog interval.", 600, minimum=0,
                                        maximum=86400),
            },
        ),
        "research": Section(
            "The research file (`outreach report`).",
            Research,
            {
                "min_interviews": Key("int", "Interviews per area before the report stops "
                                      "saying it needs more; the guide: continue until you "
                                      "have gathered enough data.", 3, minimum=1,
                                      maximum=100),
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
