"""Pauses for an out-of-office end when the person is back, not only on the announced date.

While a contact is paused because they are away (MailTips before drafting, or an
automatic reply), the daemon asks MailTips about them again at most once a day;
``to_ask`` says whom, and ``heard`` records the answer: the automatic reply is off,
so the contact resumes now. A real reply ends the pause through the reply rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outreach.core.model import Contact, Kind, State, Status
from outreach.engine.actions import LIVE, StatusChange, commit, stamp

#: How often MailTips is asked about a contact paused for an out-of-office.
CHECK_EVERY = timedelta(days=1)
#: How soon it is asked again when it could not answer (or was asked within the hour).
ASK_AGAIN = timedelta(hours=1)
_NEVER_ASKED = datetime(1970, 1, 1, tzinfo=UTC)


def resume_target(state: State, contact: Contact) -> Status:
    """Return the status a paused contact goes back to: where it stopped, or NEW if the
    request it was waiting with was withdrawn."""
    target = contact.paused_from or Status.CONTACTED
    if target in (Status.NEW, Status.DRAFTED) and not any(
        m.kind == Kind.REQUEST and m.state in LIVE for m in state.messages_of(contact.id)
    ):
        return Status.NEW
    return Status.CONTACTED if target == Status.PAUSED else target


def ask_at(contact: Contact) -> datetime | None:
    """When MailTips is next to be asked about ``contact``; None if it is not paused for
    an out-of-office (a contact never asked about is due at once)."""
    if contact.status != Status.PAUSED or not contact.away or not contact.reachable:
        return None
    last = contact.away_checked or contact.status_changed_at
    return _NEVER_ASKED if last is None else last + CHECK_EVERY


def to_ask(state: State, now: datetime) -> list[Contact]:
    """Return the contacts paused for an out-of-office whose MailTips are a day old or more."""
    due = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.id):
        when = ask_at(contact)
        if when is not None and when <= now:
            due.append(contact)
    return due


def heard(state: State, contact_id: str, until: datetime | None, now: datetime) -> None:
    """Record what MailTips said of a paused contact: away ``until`` (the pause follows the
    new date), or back (None), which resumes them now."""
    contact = state.contacts.get(contact_id)
    if contact is None or contact.status != Status.PAUSED or not contact.away:
        return
    contact.away_checked = now
    if until is not None:
        if until != contact.paused_until:
            contact.paused_until = until
            state.note(now, "paused", contact_id, f"still away (MailTips): until {stamp(until)}")
        return
    until = f" (expected {stamp(contact.paused_until)})" if contact.paused_until else ""
    reason = f"back early: the automatic reply is off{until}"
    commit(state, StatusChange(contact.id, resume_target(state, contact), reason), now)
