"""The funnel and the attention list behind `outreach status` (pure: state and clock in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.config.settings import Settings
from outreach.core.model import Contact, Interview, Kind, MessageState, State, Status
from outreach.engine import attention as causes
from outreach.engine import waits
from outreach.engine.actions import LIVE, describe, today_count
from outreach.engine.agreed import pending

#: Update messages that count as having kept a contact informed.
_UPDATED = frozenset({MessageState.PLANNED, MessageState.DRAFTED, MessageState.SENT})

#: Statuses in the order of the journey, side exits last.
JOURNEY = tuple(Status)


@dataclass(frozen=True)
class Attention:
    """One thing for the user to look at."""

    contact_id: str | None
    name: str
    text: str


def funnel(state: State) -> list[tuple[Status, int]]:
    """Return (status, how many contacts) for every status, in journey order."""
    counts = dict.fromkeys(JOURNEY, 0)
    for contact in state.contacts.values():
        counts[contact.status] += 1
    return list(counts.items())


def attention(
    state: State,
    now: datetime,
    soon: timedelta = timedelta(days=7),
    *,
    own: str = "",
    keep_in_touch_weeks: int = 0,
) -> list[Attention]:
    """Return what needs the user: flagged contacts, pauses ending, drafts, failures, logs due,
    the next manager in the chain of command, and interviewees to keep informed.

    ``own`` is the user's address (never suggested as a contact); ``keep_in_touch_weeks``
    0 turns the keep-in-touch reminder off.
    """
    items: list[Attention] = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.name.lower()):
        if contact.attention and causes.settled(state, contact, now) is None:
            items.append(Attention(contact.id, contact.name, contact.attention))
        if contact.status is Status.PAUSED and contact.paused_until is not None:
            until = contact.paused_until
            if until <= now:
                items.append(Attention(contact.id, contact.name,
                                       f"was due back on {until:%Y-%m-%d}; the pause is over"))
            elif until <= now + soon:
                items.append(Attention(contact.id, contact.name,
                                       f"comes back on {until:%Y-%m-%d}"))
    for message in state.messages.values():
        contact = state.contacts.get(message.contact_id)
        name = contact.name if contact else message.contact_id
        if message.state is MessageState.DRAFTED and message.kind is not Kind.HOLD:
            line = _draft_line(state, message.kind, message.interview_id, contact, now)
            if line:
                items.append(Attention(message.contact_id, name, line))
        elif message.state is MessageState.FAILED and not (
            contact and message.error and message.error in (contact.attention or "")
        ):  # said once: the contact's own attention line already names this failure
            items.append(Attention(message.contact_id, name,
                                   f"the {message.kind.value} could not be created: "
                                   f"{message.error or 'unknown error'}"))
    items += chain_of_command(state, own)
    if keep_in_touch_weeks > 0:
        items += keep_in_touch(state, now, keep_in_touch_weeks)
    for interview in state.interviews.values():
        if interview.status == "scheduled" and interview.logged_at is None and \
                interview.start + timedelta(minutes=interview.minutes) <= now:
            contact = state.contacts.get(interview.contact_id)
            if contact is not None and contact.attention_about == f"log:{interview.id}":
                continue  # the contact's own line says it already
            items.append(Attention(interview.contact_id,
                                   contact.name if contact else interview.contact_id,
                                   f"the interview of {interview.start:%Y-%m-%d} is not "
                                   "logged yet"))
    return items


def _draft_line(state: State, kind: Kind, interview_id: str | None, contact: Contact | None,
                now: datetime) -> str:  # fmt: skip
    """What to say of a draft of ours: send it, or (never contradicting the rest) delete it
    when it must not go, or nothing for an invite whose time is no longer coming."""
    if contact is not None and not contact.reachable:
        why = "do-not-contact" if contact.do_not_contact else contact.status.value
        return f"the {kind.value} draft is still in Drafts: delete it (they are {why})"
    if contact is not None and contact.attention_about.startswith("bounce:") and \
            causes.settled(state, contact, now) is None:
        return f"the {kind.value} draft is still in Drafts: correct the address before it goes"
    if kind is Kind.INVITE and contact is not None and \
            interview_id not in {i.id for i in pending(state, contact.id, now)}:
        return ""  # its time passed or moved: the contact's own line says what to do
    return f"the {kind.value} draft waits for your Send in Outlook"


def _logged(state: State, contact: Contact) -> list[Interview]:
    return [i for i in state.interviews_of(contact.id) if i.logged_at is not None
            and i.status != "cancelled"]


def chain_of_command(state: State, own: str = "") -> list[Attention]:
    """Suggest each interviewee's manager as the next contact when they are not one yet.

    The guide: interview the person in the job and their direct supervisor ("if
    comfortable, all the managers in the chain of command"). The manager is the one
    the directory gave when the contact was added or logged (``Contact.manager``).
    """
    emails = {c.email.lower() for c in state.contacts.values()}
    items = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.name.lower()):
        boss = contact.manager.lower()
        if not boss or boss in emails or boss == own.lower() or not _logged(state, contact):
            continue
        who = f"{contact.manager_name} <{boss}>" if contact.manager_name else boss
        items.append(Attention(contact.id, contact.name,
                               f"interviewed: their manager {who} is not a contact yet; the "
                               "guide suggests the direct supervisor next (`outreach contacts "
                               f"orgchart {contact.email} --up 1 --down 0 --add-all`)"))
    return items


def keep_in_touch(state: State, now: datetime, weeks: int) -> list[Attention]:
    """Remind of interviewees not updated ``weeks`` after their latest logged interview.

    The guide: "Follow-up with your contacts on any referrals given or advice
    offered". An update planned, drafted or sent since the interview counts.
    """
    items = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.name.lower()):
        logged = _logged(state, contact)
        if not logged or not contact.reachable:
            continue
        last = logged[-1]
        if last.start + timedelta(weeks=weeks) > now:
            continue
        updated = any(m.kind is Kind.UPDATE and m.state in _UPDATED and m.planned_at is not None
                      and m.planned_at >= last.start for m in state.messages_of(contact.id))
        if updated:
            continue
        advice = " ".join(last.advice.split())
        advice = advice if len(advice) <= 200 else advice[:199] + "…"
        said = f" They advised: {advice}" if advice else ""
        items.append(Attention(contact.id, contact.name,
                               f"{weeks} weeks since your interview of {last.start:%Y-%m-%d}: "
                               "tell them what came of their advice and referrals "
                               f"(`outreach update {contact.email}`).{said}"))
    return items


def waiting_for_tomorrow(state: State, now: datetime, settings: Settings) -> int:
    """Return how many requests today's cap holds back (the planner's own count of the day):
    contacts waiting for their first email beyond what is left of the cap. None while
    emails wait for a free time: the full window holds the fresh requests back first."""
    if waits.waiting(state):
        return 0
    room = settings.policy.daily_send_cap - today_count(state, now, settings.zone)
    return max(0, len(_fresh(state)) - max(room, 0))


def _fresh(state: State) -> list[Contact]:
    """Contacts waiting for their first request, none planned yet."""
    return [
        c
        for c in state.contacts.values()
        if c.reachable
        and c.status in (Status.NEW, Status.DRAFTED)
        and not any(m.kind is Kind.REQUEST and m.state in LIVE for m in state.messages_of(c.id))
    ]


@dataclass(frozen=True)
class TimeWait:
    """Emails waiting for a free time to propose, and what would let them go."""

    emails: list[Attention]  # one per waiting email: its contact and why it waits
    fresh: int  # requests not planned yet: they would only join the waiting
    reason: str  # why, in a sentence (the latest email's)
    change: str  # what would make room now, naming the settings

    @property
    def count(self) -> int:
        return len(self.emails) + self.fresh


def waiting_for_time(state: State, settings: Settings) -> TimeWait | None:
    """Return the emails that wait for a free time to propose (``engine.waits``), or None."""
    asleep = waits.waiting(state)
    if not asleep:
        return None
    emails = []
    for message in asleep:
        contact = state.contacts.get(message.contact_id)
        name = contact.name if contact else message.contact_id
        emails.append(Attention(message.contact_id, name, f"{describe(message)}: {message.waits}"))
    sched = settings.scheduling
    change = (f"a longer scheduling.latest_days (now {sched.latest_days}) or fewer "
              f"scheduling.slots (now {sched.slots}) makes room now")  # fmt: skip
    return TimeWait(emails, len(_fresh(state)), asleep[-1].waits, change)
