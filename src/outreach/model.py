"""Plain data: contacts, interviews, outbox messages, events and their states.

Everything here is a frozen-free dataclass with ``to_dict``/``from_dict`` so the
store can persist it as JSON and the engine can reason about it without I/O.
Datetimes are always time-zone aware; they are stored as ISO 8601 strings.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Self, TypeVar


class Status(StrEnum):
    """Where a contact stands on the journey of DESIGN.md."""

    NEW = "new"
    DRAFTED = "drafted"
    CONTACTED = "contacted"
    FOLLOWED_UP = "followed_up"
    REPLIED = "replied"
    SCHEDULING = "scheduling"
    SCHEDULED = "scheduled"
    INTERVIEWED = "interviewed"
    THANKED = "thanked"
    DONE = "done"
    # side exits
    REJECTED = "rejected"  # the user deleted the request draft
    DECLINED = "declined"
    BOUNCED = "bounced"
    PAUSED = "paused"  # out of office until paused_until, or paused by the user
    NO_RESPONSE = "no_response"


#: Statuses after which nothing more is ever sent to the contact.
STOPPED = frozenset({Status.REJECTED, Status.DECLINED, Status.BOUNCED, Status.NO_RESPONSE})


class Source(StrEnum):
    """Where the contact came from, after the guide's "Forming Contacts"."""

    CO_WORKER = "co-worker"
    SUPERVISOR = "supervisor"
    FORMER_SUPERVISOR = "former-supervisor"
    ASSOCIATION = "association"
    TRAINING_SPECIALIST = "training-specialist"
    DIRECTORY = "directory"
    EMPLOYEE_COMMUNICATIONS = "employee-communications"
    ORG_CHART = "org-chart"
    REFERRAL = "referral"
    OTHER = "other"


class Mode(StrEnum):
    """How an interview is held: the guide prefers their office, phone as a fallback."""

    OFFICE = "office"
    PHONE = "phone"
    VIDEO = "video"


class Kind(StrEnum):
    """What an outbox message is for."""

    REQUEST = "request"
    FOLLOW_UP = "follow-up"
    THANK_YOU = "thank-you"
    REPORT_BACK = "report-back"
    INVITE = "invite"
    HOLD = "hold"  # a tentative hold on the user's own calendar for a proposed slot


class MessageState(StrEnum):
    """The outbox life of one action: recorded before Exchange is touched."""

    PLANNED = "planned"  # recorded, not yet in the mailbox
    DRAFTED = "drafted"  # a draft (or unsent meeting) exists in the mailbox
    SENT = "sent"
    DELETED = "deleted"  # the user threw the draft away
    CANCELLED = "cancelled"  # withdrawn by the product (e.g. holds released)
    FAILED = "failed"


_R = TypeVar("_R")


def new_id() -> str:
    """Return a short random id, stable once stored."""
    return uuid.uuid4().hex[:12]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: every timestamp must be time-zone aware")
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


class Record:
    """Mixin: JSON-friendly round trip for the dataclasses below."""

    _datetimes: tuple[str, ...] = ()
    _enums: dict[str, type[StrEnum]] = {}  # noqa: RUF012 - class-level schema, never mutated
    _nested: dict[str, type] = {}  # noqa: RUF012 - field -> Record type of its list items

    def to_dict(self) -> dict[str, Any]:
        return _encode(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in names:
                continue  # a newer store's field: ignore rather than fail
            if value is not None and key in cls._datetimes:
                value = datetime.fromisoformat(value)
            elif value is not None and key in cls._enums:
                value = cls._enums[key](value)
            elif value is not None and key in cls._nested:
                item_type = cls._nested[key]
                value = [item_type.from_dict(v) for v in value]  # type: ignore[attr-defined]
            kwargs[key] = value
        return cls(**kwargs)


@dataclass
class Contact(Record):
    """A person to learn from, with the fields the guide's research file asks for."""

    name: str
    email: str
    id: str = field(default_factory=new_id)
    title: str = ""
    department: str = ""
    organization: str = ""
    office: str = ""
    mailing_address: str = ""
    phone: str = ""
    source: Source = Source.OTHER
    referred_by: str | None = None  # contact id of the referrer
    may_use_referrer_name: bool = False
    area: str = ""  # the area of interest the user wants to learn about from them
    research_notes: str = ""
    tags: list[str] = field(default_factory=list)
    timezone: str | None = None  # IANA name, when known
    internal: bool | None = None  # same organization (free/busy, invites); None = unknown
    do_not_contact: bool = False
    status: Status = Status.NEW
    status_changed_at: datetime | None = None
    paused_until: datetime | None = None
    paused_from: Status | None = None  # the status to resume to when the pause ends
    attention: str | None = None  # what the user should look at, in a sentence
    created_at: datetime | None = None
    updated_at: datetime | None = None

    _datetimes = ("status_changed_at", "paused_until", "created_at", "updated_at")
    _enums = {"source": Source, "status": Status, "paused_from": Status}  # noqa: RUF012

    @property
    def reachable(self) -> bool:
        """True unless the contact must never be written to again."""
        return not self.do_not_contact and self.status not in STOPPED


@dataclass
class Referral(Record):
    """A name given at the close of an interview, and whether the giver's name may be used."""

    name: str
    email: str = ""
    may_use_name: bool = False
    contact_id: str | None = None  # set once the referral became a contact


@dataclass
class Fit(Record):
    """A 1–5 score with a note, for one part of the user's self-assessment."""

    score: int
    note: str = ""


@dataclass
class Interview(Record):
    """One informational interview: when, where, and what the research file keeps of it."""

    contact_id: str
    start: datetime
    id: str = field(default_factory=new_id)
    minutes: int = 30
    mode: Mode = Mode.OFFICE
    location: str = ""
    status: str = "scheduled"  # proposed | scheduled | held | cancelled
    invite_id: str | None = None  # the outbox message of the calendar invite
    superseded_by: str | None = None  # cancelled because this later agreed time replaced it
    conflict: str = ""  # what is in the way of this time: its invite waits for the user
    forced: bool = False  # booked although something was in the way (schedule --force)
    impressions: str = ""
    answers: dict[str, str] = field(default_factory=dict)  # question category -> notes
    fit: dict[str, Fit] = field(default_factory=dict)  # interests|skills|values|working_style
    advice: str = ""
    referrals: list[Referral] = field(default_factory=list)
    comparison_notes: str = ""
    logged_at: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions of the log

    _datetimes = ("start", "logged_at")
    _enums = {"mode": Mode}  # noqa: RUF012
    _nested = {"referrals": Referral}  # noqa: RUF012

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        interview = super().from_dict(data)
        interview.fit = {k: Fit.from_dict(v) for k, v in (data.get("fit") or {}).items()}
        return interview


@dataclass
class Slot(Record):
    """A concrete proposed time."""

    start: datetime
    end: datetime

    _datetimes = ("start", "end")


@dataclass
class Message(Record):
    """An outbox entry: one action on the mailbox, recorded before the mailbox is touched.

    ``id`` is the tracking id carried into Exchange as an extended property, so the
    item can be found again after a crash, a Send in Outlook or an edit.
    """

    contact_id: str
    kind: Kind
    id: str = field(default_factory=new_id)
    state: MessageState = MessageState.PLANNED
    send: bool = False  # send directly instead of leaving a draft for approval
    sequence: int = 1  # 1 for the request, n for follow-up n, ...
    subject: str = ""
    thread_of: str | None = None  # outbox id of the message this one continues
    slots: list[Slot] = field(default_factory=list)
    interview_id: str | None = None
    item_id: str | None = None  # Exchange ItemId, once created
    internet_message_id: str | None = None
    conversation_id: str | None = None
    planned_at: datetime | None = None
    drafted_at: datetime | None = None
    sent_at: datetime | None = None
    error: str | None = None
    release: bool = False  # in the mailbox, but to be taken back out (a hold no longer needed)
    moves: str | None = None  # an invite: the earlier invite whose calendar item it moves

    _datetimes = ("planned_at", "drafted_at", "sent_at")
    _enums = {"kind": Kind, "state": MessageState}  # noqa: RUF012
    _nested = {"slots": Slot}  # noqa: RUF012


@dataclass
class Event(Record):
    """One line of a contact's story in the append-only log."""

    at: datetime
    kind: str  # e.g. "status", "reply", "draft-sent", "note"
    contact_id: str | None = None
    text: str = ""  # a sentence for `outreach show`
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)

    _datetimes = ("at",)


class Records(dict[str, _R]):
    """Records by id that also keeps them grouped by ``contact_id``, as they change.

    Rules ask for one contact's messages or interviews thousands of times per plan;
    scanning every record each time made planning grow with the square of the
    campaign. The groups are kept by the dict's own mutators (a record's
    ``contact_id`` never changes once stored), so callers keep using a plain dict.
    """

    def __init__(self, items: Any = (), /) -> None:
        super().__init__()
        self._groups: dict[str | None, dict[str, _R]] = {}
        self.update(items)

    def of(self, contact_id: str) -> list[_R]:
        """Return the contact's records, in the order they were added."""
        return list(self._groups.get(contact_id, {}).values())

    def _drop(self, key: str) -> None:
        old = super().get(key)
        if old is not None:
            group = self._groups.get(old.contact_id)
            if group is not None:
                group.pop(key, None)
                if not group:
                    del self._groups[old.contact_id]

    def __setitem__(self, key: str, value: _R) -> None:
        self._drop(key)
        super().__setitem__(key, value)
        self._groups.setdefault(value.contact_id, {})[key] = value

    def __delitem__(self, key: str) -> None:
        self._drop(key)
        super().__delitem__(key)

    _MISSING = object()

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        if key in self:
            self._drop(key)
            return super().pop(key)
        if default is Records._MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, Any]:
        key, value = super().popitem()
        super().__setitem__(key, value)
        del self[key]
        return key, value

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, other: Any = (), /, **more: Any) -> None:
        pairs = other.items() if hasattr(other, "items") else other
        for key, value in pairs:
            self[key] = value
        for key, value in more.items():
            self[key] = value

    def __ior__(self, other: Any) -> Records:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        super().clear()
        self._groups.clear()

    def copy(self) -> Records[_R]:
        return Records(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Records[_R]:
        out: Records[_R] = Records()
        memo[id(self)] = out
        for key, value in self.items():
            out[key] = copy.deepcopy(value, memo)
        return out

    def __reduce__(self) -> Any:
        return (Records, (dict(self),))


#: State fields kept as ``Records`` (grouped by contact), whatever is assigned to them.
_GROUPED = ("interviews", "messages")


@dataclass
class State:
    """Everything the engine reasons about, as read from the store in one go.

    ``events`` holds only the events added during this transaction; the full log
    is read separately (it is large and append-only, and the rules never need it).
    ``interviews`` and ``messages`` are ``Records``: dicts that also group by contact.
    """

    contacts: dict[str, Contact] = field(default_factory=dict)
    interviews: Records[Interview] = field(default_factory=Records)
    messages: Records[Message] = field(default_factory=Records)
    sync: dict[str, Any] = field(default_factory=dict)  # backend sync states, subscription
    events: list[Event] = field(default_factory=list)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _GROUPED and not isinstance(value, Records):
            value = Records(value)
        super().__setattr__(name, value)

    def record(self, event: Event) -> None:
        """Append an event to the log (written with the rest of the transaction)."""
        self.events.append(event)

    def note(
        self,
        at: datetime,
        kind: str,
        contact_id: str | None,
        text: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Record an event from its parts: the one way rules and the outbox tell the story."""
        self.record(Event(at=at, kind=kind, contact_id=contact_id, text=text, data=data or {}))

    def messages_of(self, contact_id: str) -> list[Message]:
        """Return a contact's outbox messages, oldest first."""
        mine = self.messages.of(contact_id)
        return sorted(mine, key=lambda m: (m.planned_at is None, m.planned_at, m.sequence))

    def interviews_of(self, contact_id: str) -> list[Interview]:
        """Return a contact's interviews, earliest first."""
        return sorted(self.interviews.of(contact_id), key=lambda i: i.start)
