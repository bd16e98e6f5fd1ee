"""Plain data: contacts, interviews, outbox messages, events and their states.

Everything here is a frozen-free dataclass with ``to_dict``/``from_dict`` so the
store can persist it as JSON and the engine can reason about it without I/O.
Datetimes are always time-zone aware; they are stored as ISO 8601 strings.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Self, TypeVar

from outreach.core import textsafe
from outreach.core.items import Person


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
#: The journey's road from a new contact to done, in order (the side exits are off it).
JOURNEY = (
    Status.NEW,
    Status.DRAFTED,
    Status.CONTACTED,
    Status.FOLLOWED_UP,
    Status.REPLIED,
    Status.SCHEDULING,
    Status.SCHEDULED,
    Status.INTERVIEWED,
    Status.THANKED,
    Status.DONE,
)


def journey(first: Status, last: Status) -> frozenset[Status]:
    """Return the statuses on the journey from ``first`` to ``last``, both included."""
    return frozenset(JOURNEY[JOURNEY.index(first) : JOURNEY.index(last) + 1])


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
    UPDATE = "update"  # keeping an interviewee informed: what came of their advice
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
    if isinstance(value, Record):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


_PLAIN = (str, int, float, bool, type(None))


def _fresh(value: Any) -> Any:
    """Return a private copy of a JSON value (records never share lists with the store)."""
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


class Record:
    """Mixin: JSON-friendly round trip for the dataclasses below.

    Both directions run once per record per store transaction (50,000 records at
    10,000 contacts), so each class works out its field names and converters once
    instead of asking ``dataclasses`` for every record.
    """

    _datetimes: tuple[str, ...] = ()
    _enums: dict[str, type[StrEnum]] = {}  # noqa: RUF012 - class-level schema, never mutated
    _nested: dict[str, type] = {}  # noqa: RUF012 - field -> Record type of its list items
    _mapped: dict[str, type] = {}  # noqa: RUF012 - field -> Record type of its dict values

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in _names(type(self)):
            value = getattr(self, name)
            if isinstance(value, StrEnum):
                out[name] = value.value
            elif isinstance(value, _PLAIN):
                out[name] = value
            elif isinstance(value, Record):
                out[name] = value.to_dict()
            else:
                out[name] = _encode(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names, convert, containers = _decoding(cls)
        if data.keys() <= names:
            kwargs = dict(data)
        else:
            kwargs = {k: v for k, v in data.items() if k in names}  # a newer store's: ignored
        for key, step in convert:
            value = kwargs.get(key)
            if value is not None:
                kwargs[key] = step(value)
        for key in containers:
            value = kwargs.get(key)
            if value is not None:
                kwargs[key] = _fresh(value)
        return cls(**kwargs)


_NAMES: dict[type, tuple[str, ...]] = {}
_Decoding = tuple[frozenset[str], tuple[tuple[str, Any], ...], tuple[str, ...]]
_DECODING: dict[type, _Decoding] = {}


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return names


def _decoding(cls: Any) -> _Decoding:
    """Return a record class's field names, the converter of each typed field, and the
    fields holding lists or dicts (copied, so no record shares one with the store)."""
    found = _DECODING.get(cls)
    if found is None:
        convert: dict[str, Any] = dict.fromkeys(cls._datetimes, datetime.fromisoformat)
        for key, enum in cls._enums.items():
            convert[key] = {member.value: member for member in enum}.__getitem__
        for key, item in cls._nested.items():
            convert[key] = lambda v, item=item: [item.from_dict(x) for x in v]
        for key, item in cls._mapped.items():
            convert[key] = lambda v, item=item: {k: item.from_dict(x) for k, x in v.items()}
        containers = tuple(
            f.name for f in dataclasses.fields(cls)
            if f.default_factory in (list, dict) and f.name not in convert
        )
        found = _DECODING[cls] = (frozenset(_names(cls)), tuple(convert.items()), containers)
    return found


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
    manager: str = ""  # their manager's address, when the directory said (chain of command)
    manager_name: str = ""
    do_not_contact: bool = False
    status: Status = Status.NEW
    status_changed_at: datetime | None = None
    paused_until: datetime | None = None
    paused_from: Status | None = None  # the status to resume to when the pause ends
    away: bool = False  # paused for an out-of-office (not by the user): MailTips may end it
    away_checked: datetime | None = None  # when MailTips was last asked during that pause
    attention: str | None = None  # what the user should look at, in a sentence
    attention_about: str = ""  # its cause, to tell when it is resolved (engine.attention)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    _datetimes = ("status_changed_at", "paused_until", "away_checked", "created_at", "updated_at")
    _enums = {"source": Source, "status": Status, "paused_from": Status}  # noqa: RUF012

    @property
    def reachable(self) -> bool:
        """True unless the contact must never be written to again."""
        return not self.do_not_contact and self.status not in STOPPED


def directory_fields(person: Person) -> dict[str, str]:
    """Return what a contact takes from a directory entry: name, email, title, department,
    office, phone (each one line: a directory may hold anything) and the manager's address
    (for the chain of command after the interview)."""
    line = textsafe.one_line
    return {
        "name": line(person.name),
        "email": line(person.email),
        "title": line(person.title),
        "department": line(person.department),
        "office": line(person.office),
        "phone": line(person.phone),
        "manager": person.manager,
    }


def new_contact(now: datetime, person: Person | None = None, **fields: Any) -> Contact:
    """Return a contact added ``now``: filled from the directory entry ``person`` when there
    is one (``contacts add --lookup``, a referral, ``orgchart --add``), ``fields`` winning."""
    known = directory_fields(person) if person is not None else {}
    return Contact(**{**known, **fields, "created_at": now, "updated_at": now,
                      "status_changed_at": now})  # fmt: skip


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
    _mapped = {"fit": Fit}  # noqa: RUF012


@dataclass
class Slot(Record):
    """A concrete proposed time."""

    start: datetime
    end: datetime

    _datetimes = ("start", "end")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Two times; decoded directly, as every request holds three of them."""
        return cls(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]))


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
    note: str = ""  # an update: what the user did with the advice, in their words
    link: str = ""  # an update: something found that may interest the contact
    attach_resume: bool = False  # a thank-you asked for by hand with the résumé attached
    waits: str = ""  # PLANNED but no free time to propose: why (engine.waits), not carried yet

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


_UNREAD: Any = object()  # the value of a table entry not decoded yet
_MISSING: Any = object()


class Table(dict[str, _R]):
    """Records by id; those read from the store are decoded only when first looked at.

    A command that changes one contact should not pay for decoding 50,000 records:
    ``Table.lazy`` holds the stored documents and decodes each on first access, and
    the store re-encodes only the ones that were (``unread`` says which were not).
    Every way of reading a value goes through ``__getitem__``; the rest is a dict.
    """

    def __init__(self, items: Any = (), /) -> None:
        super().__init__()
        self._docs: Mapping[str, Any] = {}
        self._decode: Callable[[str, Any], _R] | None = None
        self.touched: set[str] = set()  # keys decoded or set: the only ones that can differ
        self.update(items)

    @classmethod
    def lazy(cls, docs: Mapping[str, Any], decode: Callable[[str, Any], _R]) -> Self:
        """A table over stored ``docs`` (id -> document); ``decode(id, doc)`` makes a record.

        Keep it pristine and hand out ``fork()``s: forking costs a dict copy.
        """
        table = cls()
        table._docs, table._decode = docs, decode
        for key, doc in docs.items():
            table._added(key, doc)
        dict.update(table, dict.fromkeys(docs, _UNREAD))
        return table

    def fork(self) -> Self:
        """A table over the same stored documents, none of them decoded yet."""
        twin = type(self)()
        twin._docs, twin._decode = self._docs, self._decode
        self._fork_into(twin)
        dict.update(twin, dict.fromkeys(self, _UNREAD))
        return twin

    def _fork_into(self, twin: Self) -> None:
        """Hook: copy what a subclass keeps beside the values."""

    def _added(self, key: str, value: Any) -> None:
        """Hook: a value (or a stored document) is now under ``key``."""

    def _removed(self, key: str) -> None:
        """Hook: ``key`` is about to go."""

    def __getitem__(self, key: str) -> _R:
        value = dict.__getitem__(self, key)
        if value is _UNREAD:
            assert self._decode is not None
            value = self._decode(key, self._docs[key])
            dict.__setitem__(self, key, value)
            self.touched.add(key)
        return value

    def __setitem__(self, key: str, value: _R) -> None:
        if key in self:
            self._removed(key)
        dict.__setitem__(self, key, value)
        self._added(key, value)
        self.touched.add(key)

    def __delitem__(self, key: str) -> None:
        if key in self:
            self._removed(key)
        dict.__delitem__(self, key)
        self.touched.discard(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - decodes on access

    def values(self) -> list[_R]:  # type: ignore[override]
        return [self[key] for key in self]

    def items(self) -> list[tuple[str, _R]]:  # type: ignore[override]
        return [(key, self[key]) for key in self]

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, _R]:
        if not self:
            raise KeyError("popitem(): the table is empty")
        key = next(reversed(self))
        return key, self.pop(key)

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

    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]
        self.update(other)
        return self

    def clear(self) -> None:
        for key in list(self):
            del self[key]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping) or len(self) != len(other):
            return False
        return all(key in other and self[key] == other[key] for key in self)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"

    def copy(self) -> Self:
        return type(self)(self.items())

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        out = type(self)()
        memo[id(self)] = out
        for key, value in self.items():
            out[key] = copy.deepcopy(value, memo)
        return out

    def __reduce__(self) -> Any:
        return (type(self), (dict(self.items()),))


class Records(Table[_R]):
    """A table that also keeps its records grouped by ``contact_id``, as they change.

    Rules ask for one contact's messages or interviews thousands of times per plan;
    scanning every record each time made planning grow with the square of the
    campaign. The groups are kept by the mutators (a record's ``contact_id`` never
    changes once stored), so callers keep using a plain dict. A fork shares its
    groups with the original until it changes one.
    """

    def __init__(self, items: Any = (), /) -> None:
        self._groups: dict[str | None, dict[str, None]] = {}
        self._mine: set[str | None] = set()  # groups this table may change in place
        self._owner: dict[str, str | None] = {}
        super().__init__(items)

    def of(self, contact_id: str) -> list[_R]:
        """Return the contact's records, in the order they were added."""
        return [self[key] for key in self._groups.get(contact_id, ())]

    def _fork_into(self, twin: Records[_R]) -> None:  # type: ignore[override]
        twin._groups, twin._owner = dict(self._groups), dict(self._owner)

    def _group(self, owner: str | None) -> dict[str, None]:
        group = self._groups.get(owner)
        if group is None or owner not in self._mine:
            group = self._groups[owner] = dict(group or {})
            self._mine.add(owner)
        return group

    def _added(self, key: str, value: Any) -> None:
        owner = value.get("contact_id") if isinstance(value, dict) else value.contact_id
        self._owner[key] = owner
        self._group(owner)[key] = None

    def _removed(self, key: str) -> None:
        owner = self._owner.pop(key, None)
        if owner in self._groups:
            group = self._group(owner)
            group.pop(key, None)
            if not group:
                del self._groups[owner]


#: State fields kept as tables (grouped by contact or not), whatever is assigned to them.
_TABLES: dict[str, type[Table[Any]]] = {
    "contacts": Table, "interviews": Records, "messages": Records,
}


@dataclass
class State:
    """Everything the engine reasons about, as read from the store in one go.

    ``events`` holds only the events added during this transaction; the full log
    is read separately (it is large and append-only, and the rules never need it).
    The three tables are dicts; ``interviews`` and ``messages`` also group by contact.
    """

    contacts: Table[Contact] = field(default_factory=Table)
    interviews: Records[Interview] = field(default_factory=Records)
    messages: Records[Message] = field(default_factory=Records)
    sync: dict[str, Any] = field(default_factory=dict)  # backend sync states, subscription
    events: list[Event] = field(default_factory=list)
    #: When planning could next find something, as ``engine.apply_plan`` just found on
    #: this very state (None: not planned in this transaction). The store keeps
    #: it with the write that set it; any other write drops it, since what it changed may
    #: be due sooner. Never read back into a State: see ``Store.glance``.
    next_due: datetime | None = field(default=None, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        kind = _TABLES.get(name)
        if kind is not None and not isinstance(value, kind):
            value = kind(value)
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
