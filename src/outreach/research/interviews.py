"""Recording an interview: which one is logged, what the referrals become, what is recorded.

``outreach log`` (and the demo) work in two steps, because the person writes
the log between them: ``find_target`` says which contact and interview a log
is about (and what an edit starts from), then ``log_interview`` stores the
entry in one transaction. Referrals become contacts, found in the directory
when a lookup is given; the contact moves to interviewed. Nothing here prints,
prompts or exits: the CLI does that with the ``LogResult``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from outreach import app
from outreach.config.settings import Settings
from outreach.core import textsafe
from outreach.core.errors import OutreachError, UserError
from outreach.core.model import (
    Contact,
    Event,
    Interview,
    Referral,
    Source,
    State,
    Status,
    journey,
    new_contact,
)
from outreach.engine.actions import set_status
from outreach.research import logform, orgchart
from outreach.research.logform import LogEntry
from outreach.store.db import Store

if TYPE_CHECKING:
    from outreach.core.items import Person

#: Statuses a logged interview moves a contact out of (to interviewed).
BEFORE_INTERVIEW = journey(Status.NEW, Status.SCHEDULED)


@dataclass(frozen=True)
class Target:
    """The contact and interview a log is about, as read before the person writes it."""

    contact: Contact
    interview: Interview | None  # None: the log creates a new interview
    start: datetime  # the date a log without one gets

    @property
    def logged(self) -> Interview | None:
        """The interview if it was logged before: an edit starts from what it holds."""
        if self.interview is not None and self.interview.logged_at is not None:
            return self.interview
        return None

    def earlier_entry(self) -> LogEntry:
        """Return the earlier log as an entry to change, or an empty one for a first log."""
        return logform.from_interview(self.logged) if self.logged else LogEntry()


@dataclass(frozen=True)
class Directory:
    """What a directory lookup found for some referrals, and what it could not settle."""

    people: dict[str, Person] = field(default_factory=dict)  # referral_key -> entry
    notes: list[str] = field(default_factory=list)


#: Given referrals not yet known as contacts, return their directory entries.
Lookup = Callable[[Sequence[Referral]], Directory]
#: Given an interviewee's address, return their directory entry and their manager's.
Chain = Callable[[str], "tuple[Person | None, Person | None]"]


@dataclass(frozen=True)
class LogResult:
    """What logging did, for the caller to tell the person."""

    contact: Contact
    interview: Interview
    edited: bool  # an earlier log was replaced (and kept in the interview's history)
    added: list[str]  # one line per referral that became a new contact
    notes: list[str]  # what the directory lookup could not do; never a failure


def pick_interview(state: State, contact: Contact, now: datetime) -> Interview | None:
    """Return the interview to log: the latest held/begun one, else the next scheduled one.

    Logging usually happens right after the meeting, so the one that began
    last is meant; before it began, the log is written ahead for the next one.
    """
    mine = [i for i in state.interviews_of(contact.id) if i.status != "cancelled"]
    begun = [i for i in mine if i.start <= now]
    if begun:
        return begun[-1]
    return mine[0] if mine else None


def find_target(state: State, ref: str, now: datetime, new: bool = False) -> Target:
    """Given a contact reference, return what a log of it is about.

    ``new`` logs another interview rather than the current one. Raise UserError
    if ``ref`` matches no contact or several.
    """
    contact = app.resolve_contact(state, ref)
    current = None if new else pick_interview(state, contact, now)
    start = current.start if current else now.replace(second=0, microsecond=0)
    return Target(contact, current, start)


def referral_key(referral: Referral) -> str:
    """Return what identifies a referral: the email, else the name (case folded)."""
    return referral.email.casefold() or referral.name.casefold()


def dedupe(referrals: Sequence[Referral]) -> list[Referral]:
    """Return the referrals without repeats, first mention kept (a form and options may overlap)."""
    seen, result = set(), []
    for referral in referrals:
        key = referral_key(referral)
        if key not in seen:
            seen.add(key)
            result.append(referral)
    return result


def directory_lookup(settings: Settings) -> Lookup:
    """Return a lookup in the configured mailbox's directory.

    It never fails the log: a backend that cannot be opened or stops answering
    becomes a note, and a name with several entries is left for the person.
    """

    def lookup(referrals: Sequence[Referral]) -> Directory:
        if not referrals:
            return Directory()
        try:
            mailbox = app.open_mailbox(settings)
        except OutreachError as error:
            return Directory(notes=[f"directory lookup skipped: {_first_line(error)}"])
        found: dict[str, Person] = {}
        notes: list[str] = []
        try:
            for referral in referrals:
                people = mailbox.lookup(referral.email or referral.name)
                if referral.email:
                    wanted = referral.email.casefold()
                    people = [p for p in people if p.email.casefold() == wanted]
                if len(people) == 1:
                    found[referral_key(referral)] = people[0]
                elif len(people) > 1:
                    notes.append(f"{referral.name}: {len(people)} directory entries; none chosen")
        except OutreachError as error:
            notes.append(f"directory lookup stopped: {_first_line(error)}")
        finally:
            mailbox.close()
        return Directory(found, notes)

    return lookup


def chain_lookup(settings: Settings) -> Chain:
    """Return a lookup of a person and their manager in the configured directory.

    Logging asks it once per interviewee whose manager is not known yet, so
    ``status`` can suggest the manager without reaching the mailbox. A failure
    means nothing is known: it never fails the log.
    """

    def chain(email: str) -> tuple[Person | None, Person | None]:
        try:
            mailbox = app.open_mailbox(settings)
        except OutreachError:
            return None, None
        try:
            person = mailbox.person(email)
            boss = mailbox.person(person.manager) if person and person.manager else None
            return person, boss
        except OutreachError:
            return None, None
        finally:
            mailbox.close()

    return chain


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0]


def add_referrals(
    state: State,
    referrer: Contact,
    interview: Interview,
    people: dict[str, Person],
    now: datetime,
) -> list[str]:
    """Turn the interview's referrals into contacts; return one line per new contact.

    A referral already a contact (by link, email, or the same name referred by
    the same person) is linked, not added twice. New ones take what the
    directory entry in ``people`` knows and the referrer's organization and area.
    """
    said = []
    by_email = {c.email.casefold(): c for c in state.contacts.values() if c.email}
    for referral in interview.referrals:
        existing = state.contacts.get(referral.contact_id or "")
        if existing is None and referral.email:
            existing = by_email.get(referral.email.casefold())
        if existing is None and not referral.email:
            existing = next(
                (
                    c
                    for c in state.contacts.values()
                    if c.referred_by == referrer.id
                    and c.name.casefold() == referral.name.casefold()
                ),
                None,
            )
        if existing is not None:
            referral.contact_id = existing.id
            if existing.referred_by == referrer.id:
                existing.may_use_referrer_name = referral.may_use_name
            continue
        person = people.get(referral_key(referral))
        contact = new_contact(
            now,
            person,
            name=textsafe.one_line(referral.name),  # from a form: names stay one line
            email=referral.email or (person.email if person else ""),
            organization=referrer.organization,
            source=Source.REFERRAL,
            referred_by=referrer.id,
            may_use_referrer_name=referral.may_use_name,
            area=referrer.area,
        )
        if not contact.email:
            contact.attention = "No email address yet: add one with `outreach contacts edit`."
            contact.attention_about = "no-email"
        state.contacts[contact.id] = contact
        referral.contact_id = contact.id
        state.record(
            Event(
                at=now,
                kind="contact-added",
                contact_id=contact.id,
                text=f"Added as a referral from {referrer.name}"
                + (" (may use their name)" if referral.may_use_name else ""),
                data={
                    "source": "referral",
                    "referred_by": referrer.id,
                    "interview_id": interview.id,
                },
            )
        )
        said.append(f"new contact {contact.name} <{contact.email or 'no email yet'}>")
    return said


def log_interview(
    store: Store,
    target: Target,
    entry: LogEntry,
    now: datetime,
    lookup: Lookup | None = None,
    chain: Chain | None = None,
    force: bool = False,
) -> LogResult:
    """Store ``entry`` as the log of ``target``'s interview in one transaction.

    Referrals are deduplicated; those not yet contacts are looked up first
    (outside the lock, it may be slow) when ``lookup`` is given, then become
    contacts. With ``chain``, an interviewee whose manager is not known yet is
    looked up too (their manager is kept on the contact for ``status``). The
    contact moves to interviewed unless it is already past that.
    Raise OutreachError if the contact was removed meanwhile, UserError if the
    interview has not begun yet (unless ``force``); nothing is written then.
    """
    start = entry.start or (target.interview.start if target.interview else target.start)
    if start > now and not force:
        raise UserError(
            f"The interview with {target.contact.name} is on {start:%Y-%m-%d %H:%M}, which "
            "has not come yet: log it once it took place (or add --force if the date is right)."
        )
    entry = dataclasses.replace(entry, referrals=dedupe(entry.referrals))
    directory = Directory()
    if lookup is not None:
        known = {c.email.casefold() for c in store.read().contacts.values() if c.email}
        unknown = [
            r for r in entry.referrals if not r.contact_id and r.email.casefold() not in known
        ]
        directory = lookup(unknown)
    person = boss = None
    if chain is not None and not target.contact.manager and target.contact.internal is not False:
        person, boss = chain(target.contact.email)

    with store.transaction() as state:
        contact = state.contacts.get(target.contact.id)
        if contact is None:
            raise OutreachError(f"{target.contact.name} was removed meanwhile; nothing was logged.")
        old = state.interviews.get(target.interview.id) if target.interview else None
        if old is None:
            old = Interview(contact_id=contact.id, start=entry.start or target.start)
        edited = old.logged_at is not None
        interview = logform.apply(old, entry, now)
        state.interviews[interview.id] = interview
        added = add_referrals(state, contact, interview, directory.people, now)
        if person is not None:
            orgchart.remember_manager(contact, person, boss)
        state.record(
            Event(
                at=now,
                kind="interview-logged",
                contact_id=contact.id,
                text=(
                    f"Interview of {interview.start:%Y-%m-%d} "
                    + ("log edited (the earlier version is kept)" if edited else "logged")
                ),
                data={"interview_id": interview.id, "edit": edited},
            )
        )
        _mark_interviewed(state, contact, now)
    return LogResult(contact, interview, edited, added, directory.notes)


def _mark_interviewed(state: State, contact: Contact, now: datetime) -> None:
    """Move a contact still before its interview to interviewed, with a status event."""
    if contact.status in BEFORE_INTERVIEW:
        set_status(state, contact.id, Status.INTERVIEWED, now, "interview logged")
