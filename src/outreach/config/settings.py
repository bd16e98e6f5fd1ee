"""The typed configuration: what every other module reads.

``loader.py`` loads and validates YAML into these objects; nothing else parses
the file. Defaults here are the safe ones (drafts for approval, small caps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SelfAssessment:
    """The guide's prerequisite: interests, skills, values and working style."""

    interests: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    working_style: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    name: str
    email: str
    phone: str = ""
    title: str = ""
    department: str = ""
    organization: str = ""
    areas: tuple[str, ...] = ()  # the fields the user wants to learn about
    organization_domains: tuple[str, ...] = ()  # colleagues' domains besides the user's own
    resume: Path | None = None  # PDF or Word, offered only at the close (the thank-you)
    self_assessment: SelfAssessment = field(default_factory=SelfAssessment)


@dataclass(frozen=True)
class Secret:
    """Where a secret comes from; never the secret itself in the file."""

    env: str | None = None  # environment variable name
    credential: str | None = None  # file name under $CREDENTIALS_DIRECTORY (systemd)
    keyring: str | None = None  # service name in the system keyring (username as key)
    command: str | None = None  # a command whose standard output is the secret (no shell)


@dataclass(frozen=True)
class Auth:
    type: str = "basic"  # basic | ntlm | oauth2 | token (an access token from the secret)
    username: str = ""
    secret: Secret = field(default_factory=Secret)
    oauth_mode: str = "delegated"  # delegated (device code) | app (client credentials)
    tenant_id: str = ""
    client_id: str = ""
    #: the OAuth2 authority; None means Microsoft's, https://login.microsoftonline.com/TENANT
    authority: str | None = None
    #: what the token is for: Exchange Online, or an Exchange Server URL (AD FS)
    resource: str = "https://outlook.office365.com"


@dataclass(frozen=True)
class MailboxSettings:
    backend: str = "sandbox"  # ews | graph | sandbox
    email: str = ""  # the mailbox's primary address (defaults to user.email)
    service_endpoint: str | None = None  # https://mail.example.com/EWS/Exchange.asmx
    server: str | None = None  # host name, when the endpoint is the usual one
    autodiscover: bool = False
    auth: Auth = field(default_factory=Auth)
    verify_tls: bool = True
    ca_bundle: Path | None = None  # a PEM file of the CAs to trust instead of the system's
    insecure_hosts: tuple[str, ...] = ()  # hosts for which TLS verification is off
    max_wait_seconds: int = 300  # ceiling for waiting out throttling
    sandbox_data: Path | None = None  # sandbox state directory
    graph_url: str = "https://graph.microsoft.com/v1.0"  # Microsoft Graph (national clouds)
    sandbox_protocol: str = "ews"  # the protocol the sandbox backend speaks: ews | graph


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0


@dataclass(frozen=True)
class TimeSettings:
    timezone: str = "UTC"  # IANA name
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    country: str | None = None  # ISO 3166 code for public holidays
    subdivision: str | None = None


@dataclass(frozen=True)
class Scheduling:
    interview_minutes: int = 30
    slots: int = 3  # how many times a request proposes
    earliest_days: int = 2  # first proposed day, counted from today
    latest_days: int = 14
    buffer_minutes: int = 15
    location: str = "your office"  # the guide: offer to go to the person's office
    reminder_minutes: int = 15
    hold_slots: bool = True  # tentative holds on the calendar for proposed slots


@dataclass(frozen=True)
class Policy:
    approval: str = "drafts"  # drafts | send
    follow_up_after_days: int = 5  # business days without an answer
    max_follow_ups: int = 2
    thank_you_delay_minutes: int = 0  # the guide: IMMEDIATELY
    daily_send_cap: int = 10
    per_contact_cap: int = 4  # emails to one contact, all kinds together
    report_back: bool = True
    out_of_office_default_days: int = 7  # when an auto-reply gives no return date
    send_invites: bool = False  # invites saved unsent for approval unless true
    keep_in_touch_weeks: int = 6  # remind to update an interviewee this long after; 0 off
    resume_in_thank_you: bool = False  # the guide: the résumé at the close, never before


@dataclass(frozen=True)
class Research:
    min_interviews: int = 3  # the guide: continue until you have gathered enough data


@dataclass(frozen=True)
class Daemon:
    poll_seconds: int = 300
    notifications: str = "pull"  # pull | streaming | poll
    watchdog_seconds: int = 600


@dataclass(frozen=True)
class Paths:
    store: Path
    templates: Path | None = None  # a folder whose files override the packaged templates


@dataclass(frozen=True)
class Settings:
    user: User
    paths: Paths
    mailbox: MailboxSettings = field(default_factory=MailboxSettings)
    time: TimeSettings = field(default_factory=TimeSettings)
    scheduling: Scheduling = field(default_factory=Scheduling)
    policy: Policy = field(default_factory=Policy)
    daemon: Daemon = field(default_factory=Daemon)
    research: Research = field(default_factory=Research)
    source: Path | None = None  # the file these came from, for messages

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone: times in events and messages are told in it."""
        return ZoneInfo(self.time.timezone)
