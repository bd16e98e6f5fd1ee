"""When a contact's attention line stops being true.

Every rule that sets a line (``actions.flag``) names its cause in
``Contact.attention_about``: a kind and what it is about, e.g. ``tentative:<interview
id>``. ``settled`` checks that cause against the state and says why the line no longer
stands; the planner then clears it (with an event), and `outreach status` never shows
it in the meantime. A line without a cause (an old store's) stays until replaced.

The rules, the line each sets, and what clears it:

- ``reply:<at>`` (a reply came): you wrote to them after it, or the interview is booked
  (accepted) or behind you, or they are do-not-contact.
- ``bounce:<address>`` (mail bounced): the contact's address changed.
- ``tentative:<interview>``: the invite is accepted or declined, the interview moved,
  cancelled or over.
- ``declined:<interview>`` and ``cancelled:<interview>`` and ``invite-deleted:<interview>``
  (ask for another time): another time is agreed, or the contact is stopped or done.
- ``new-time:<interview>:<start>`` (they propose another time): the interview is at
  that time now, or it is no longer coming (moved by you, cancelled, over).
- ``away:<interview>:<until>`` (out of office at the interview): the interview is not
  in the absence any more (moved, cancelled, over).
- ``held-back:<interview>`` (an agreed time overlaps something): booked anyway
  (``--force``), another time agreed, or that interview no longer coming.
- ``unconfirmed:<interview>`` (a time passed, never accepted): it is logged, or another
  time agreed, or it is cancelled.
- ``log:<interview>`` (log the interview): it is logged.
- ``cap:<message>:<status>`` (the per-contact cap held an email back): the cap no longer
  holds it (raised), or the contact moved on from that status.
- ``failed:<message>`` (an email or invite could not be prepared): it landed, was
  withdrawn, or is being tried again, or the contact may no longer be written to.
- ``no-email`` (a referral without an address): the contact has an address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from outreach.core.model import (
    STOPPED,
    Contact,
    Interview,
    MessageState,
    State,
    Status,
)
from outreach.engine.actions import EMAIL_KINDS
from outreach.engine.agreed import end_of, pending

Rule = Callable[[State, Contact, str, datetime], str | None]

#: Statuses after the interview was booked.
BOOKED = frozenset({Status.SCHEDULED, Status.INTERVIEWED, Status.THANKED, Status.DONE})


def settled(state: State, contact: Contact, now: datetime) -> str | None:
    """Return why the contact's attention line no longer stands, or None while it does."""
    if not contact.attention or not contact.attention_about:
        return None
    kind, _, arg = contact.attention_about.partition(":")
    rule = RULES.get(kind)
    return rule(state, contact, arg, now) if rule is not None else None


def _coming(interview: Interview, now: datetime) -> bool:
    return (
        interview.status in ("proposed", "scheduled")
        and interview.superseded_by is None
        and end_of(interview) > now
    )


def _reply(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    if contact.status in BOOKED:
        return "the interview is booked"
    if contact.do_not_contact:
        return "they are do-not-contact"
    at = datetime.fromisoformat(arg)
    for message in state.messages_of(contact.id):
        if message.kind in EMAIL_KINDS and message.sent_at is not None and message.sent_at > at:
            return "you wrote back"
    return None


def _bounce(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    if contact.email.strip().lower() != arg.strip().lower():
        return "the address changed"
    return None


def _another_time(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    if any(i.id != arg for i in pending(state, contact.id, now)):
        return "another time is agreed"
    if contact.do_not_contact or contact.status in STOPPED or contact.status == Status.DONE:
        return f"the contact is {'do-not-contact' if contact.do_not_contact else contact.status}"
    return None


def _while_coming(resolved: Callable[[Interview, str], str | None]) -> Rule:
    """A rule about one interview still to come (``<interview>:<detail>``): the line
    goes when that interview is not coming any more, or when ``resolved`` says why."""

    def rule(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
        interview_id, _, detail = arg.partition(":")
        interview = state.interviews.get(interview_id)
        if interview is None or not _coming(interview, now):
            return "that interview is no longer coming"
        return resolved(interview, detail)

    return rule


def _at(detail: str) -> datetime | None:
    return datetime.fromisoformat(detail) if detail else None


def _accepted(interview: Interview, _detail: str) -> str | None:
    return "the invite is accepted" if interview.status == "scheduled" else None


def _moved_to(interview: Interview, detail: str) -> str | None:
    asked = _at(detail)
    return "the interview is at the time they proposed" if interview.start == asked else None


def _after(interview: Interview, detail: str) -> str | None:
    until = _at(detail)
    if until is not None and interview.start >= until:
        return "the interview is after their absence now"
    return None


def _booked(interview: Interview, _detail: str) -> str | None:
    return "the time is booked" if not interview.conflict else None


def _unconfirmed(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    interview = state.interviews.get(arg)
    if interview is None or interview.status == "cancelled":
        return "that interview is off"
    if interview.logged_at is not None:
        return "the interview is logged"
    if interview.superseded_by is not None or pending(state, contact.id, now):
        return "another time is agreed"
    return None


def _log(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    interview = state.interviews.get(arg)
    if interview is None or interview.logged_at is not None:
        return "the interview is logged"
    return None


def _cap(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    message_id, _, status = arg.partition(":")
    if message_id in state.messages:
        return "the email was planned after all"
    if status and contact.status.value != status:
        return "the contact moved on"
    return None


def _failed(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    message = state.messages.get(arg)
    if message is None:
        return "the message is gone"
    if not contact.reachable:
        return "the contact may not be written to"
    if message.state == MessageState.FAILED or (
        message.state == MessageState.PLANNED and message.error
    ):
        return None
    if message.state == MessageState.PLANNED:
        return "it is being tried again"
    return "it is in the mailbox" if message.item_id else f"it is {message.state.value}"


def _no_email(state: State, contact: Contact, arg: str, now: datetime) -> str | None:
    return "the contact has an address" if contact.email else None


RULES: dict[str, Rule] = {
    "reply": _reply,
    "bounce": _bounce,
    "tentative": _while_coming(_accepted),
    "declined": _another_time,
    "cancelled": _another_time,
    "invite-deleted": _another_time,
    "new-time": _while_coming(_moved_to),
    "away": _while_coming(_after),
    "held-back": _while_coming(_booked),
    "unconfirmed": _unconfirmed,
    "log": _log,
    "cap": _cap,
    "failed": _failed,
    "no-email": _no_email,
}
