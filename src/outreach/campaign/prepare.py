"""Turn PLANNED messages into what the mailbox is asked to create: emails and meetings.

The outbox decides when and whether a message goes out; this module decides what
it looks like. For a batch it asks the mailbox once for MailTips (is a contact
away, or not a valid recipient?) and once for busy times, chooses the slots each
email proposes (softly spreading the batch over different hours while there is
room), renders the templates, and builds the interview invite or the tentative
hold. Nothing is created here and nothing is recorded: the results are values
the outbox records and then performs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.config.settings import Settings
from outreach.core import progress
from outreach.core.errors import MailboxError, OutreachError
from outreach.core.items import Meeting, OutgoingEmail
from outreach.core.model import Contact, Interview, Kind, Message, Mode, State
from outreach.core.observations import OutOfOffice
from outreach.engine import agreed
from outreach.engine.actions import describe
from outreach.mailbox.base import Mailbox
from outreach.mailbox.classify import hold_until
from outreach.writing import compose, resume, slots
from outreach.writing.compose import RenderedEmail

log = logging.getLogger(__name__)

#: Messages that propose times and so need the calendar.
NEEDS_SLOTS = frozenset({Kind.REQUEST, Kind.FOLLOW_UP})

#: Busy times by lower-cased email address.
Busy = dict[str, list[slots.Interval]]


@dataclass
class Outcome:
    """What preparing decided for a batch of PLANNED messages.

    ``failures`` pairs a message id with why it cannot go (a contact that may not be
    written to, an invalid recipient, a broken template); ``away`` pairs a request's id
    with when MailTips says its contact is back; ``waiting`` pairs an email that finds
    no free time to propose (every one offered to others, or none free) with why.
    """

    prepared: list[Prepared]
    failures: list[tuple[str, str]]
    away: list[tuple[str, datetime]]
    waiting: list[tuple[str, str]]


@dataclass
class Prepared:
    """A private copy of a message with its slots and subject decided, and what it becomes."""

    message: Message
    email: OutgoingEmail | None = None
    meeting: Meeting | None = None

    def fill(self, stored: Message) -> None:
        """Copy what preparing decided onto ``stored``, so a retry renders the same email."""
        stored.slots, stored.subject = self.message.slots, self.message.subject


class Preparer:
    """Renders messages for one mailbox and its settings; asks the mailbox, creates nothing."""

    def __init__(self, settings: Settings, mailbox: Mailbox | None) -> None:
        """``mailbox`` None: offline (a rehearsal), so no MailTips and no busy times."""
        self.settings = settings
        self.mailbox = mailbox

    def prepare(self, state: State, pending: list[Message], now: datetime) -> Outcome:
        """Given PLANNED messages in order, return what becomes of each.

        Raise MailboxError only when the mailbox cannot be reached.
        """
        failures: list[tuple[str, str]] = []
        away: list[tuple[str, datetime]] = []
        waiting: list[tuple[str, str]] = []
        prepared: list[Prepared] = []
        tips = self._mail_tips(state, [m for m in pending if m.kind == Kind.REQUEST])
        busy = self._busy(state, [m for m in pending if _needs_slots(m)], now, tips)
        batch = self._times(state, pending, now, busy)
        days_away = self.settings.policy.out_of_office_default_days
        for message in progress.counted(pending, "Writing the emails"):
            contact = state.contacts.get(message.contact_id)
            if contact is None or not contact.reachable:
                failures.append((message.id, "the contact may not be written to"))
                continue
            tip = tips.get(contact.email.lower())
            if tip is not None and tip.invalid:
                failures.append((message.id, f"{contact.email} is not a valid recipient"))
                continue
            until = hold_until(tip, now, days_away) if tip is not None else None
            if until is not None:
                away.append((message.id, until))
                continue
            try:
                item = self._render(state, message, contact, now, busy, batch)
            except slots.NoSlots as problem:
                waiting.append((message.id, problem.reason))  # never a time offered twice
                continue
            except OutreachError as problem:
                failures.append((message.id, str(problem)))
                continue
            prepared.append(item)
        return Outcome(prepared, failures, away, waiting)

    def _times(
        self, state: State, pending: list[Message], now: datetime, busy: Busy
    ) -> slots.Batch:
        """The slot finder for these messages: the user's busy times, and the times out
        with other contacts or agreed, which no one else is offered."""
        offered = _offered(state, pending, now)
        return slots.Batch(self.settings, now, busy.get(self.settings.user.email.lower(), []),
                           offered)  # fmt: skip

    def calendar_conflicts(
        self, state: State, pending: list[Message], now: datetime
    ) -> list[tuple[str, str]]:
        """Pair each new invite whose time overlaps a busy calendar item (not one of ours)
        with what is in the way: one free/busy request for all of them, none if no invite."""
        invites = []
        for message in pending:
            interview = state.interviews.get(message.interview_id or "")
            if message.kind == Kind.INVITE and interview is not None and not interview.forced:
                invites.append((message, interview))
        if not invites or self.mailbox is None:
            return []
        first = min(i.start for _, i in invites)
        last = max(agreed.end_of(i) for _, i in invites)
        answer = self.mailbox.busy([self.settings.user.email], first, last)
        spans = [(b.start, b.end, b.subject) for found in answer.values() for b in found]
        out = []
        for message, interview in invites:
            blocking = agreed.calendar_in_the_way(
                state, interview.contact_id, interview.start, agreed.end_of(interview), spans
            )
            if blocking:
                out.append((message.id, "; ".join(blocking)))
        return out

    def preview(self, state: State, message: Message, now: datetime) -> OutgoingEmail:
        """Render ``message`` as it would go out, filling its slots and subject in place.

        Asks the mailbox for busy times when the email proposes slots; creates nothing.
        Raise OutreachError (NoSlots, TemplateError) when it cannot be rendered.
        """
        contact = state.contacts[message.contact_id]
        busy = self._busy(state, [message] if _needs_slots(message) else [], now)
        try:
            item = self._render(state, message, contact, now, busy,
                                self._times(state, [message], now, busy))
        except slots.NoSlots as none:
            raise OutreachError(
                f"No time to propose to {contact.name}: {none.reason}. Nothing was done; a "
                "time proposed to someone else is never offered twice. It can go when a time "
                "comes free (a decline, a lapse, the window moving on), or now with a longer "
                "scheduling.latest_days or fewer scheduling.slots."
            ) from None
        if item.email is None:
            raise OutreachError(f"{describe(message)} is not an email")
        item.fill(message)
        return item.email

    def _render(
        self,
        state: State,
        message: Message,
        contact: Contact,
        now: datetime,
        busy: Busy,
        batch: slots.Batch,
    ) -> Prepared:
        """Decide slots and subject on a copy of ``message``; ``batch`` remembers its slots."""
        message = Message.from_dict(message.to_dict())  # a private copy to fill in
        settings = self.settings
        if message.kind == Kind.HOLD:
            return Prepared(message, meeting=self._hold(message, contact))
        if _needs_slots(message):
            # requests drafted in one go offer different hours while there is room
            message.slots = batch.propose(busy.get(contact.email.lower()), contact.timezone)
        interview = state.interviews.get(message.interview_id or "")
        name = compose.template_name(message.kind, message.sequence)
        if message.kind == Kind.REPORT_BACK and interview is not None:
            # to the referrer, about the interview of the person they pointed to
            referred = state.contacts.get(interview.contact_id)
            context = compose.build_context(
                settings, contact, now=now, interview=interview, referred=referred
            )
        else:
            context = compose.context_from_state(
                settings,
                state,
                contact,
                name,
                now=now,
                slots=message.slots,
                interview_id=message.interview_id,
                message=message,
            )
        rendered = compose.render_email(name, context, settings.paths.templates)
        message.subject = rendered.subject
        if message.kind == Kind.INVITE:
            if interview is None:
                raise OutreachError("the invite has no interview to put on the calendar")
            return Prepared(message, meeting=self._meeting(message, contact, interview, rendered))
        thread = state.messages.get(message.thread_of or "")
        attached = (resume.attachment(settings),) if resume.wanted(message, settings) else ()
        email = OutgoingEmail(
            tracking_id=message.id,
            contact_id=contact.id,
            to=(contact.email,),
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            in_reply_to=thread.internet_message_id if thread else None,
            attachments=attached,
        )
        return Prepared(message, email=email)

    def _meeting(
        self, message: Message, contact: Contact, interview: Interview, rendered: RenderedEmail
    ) -> Meeting:
        """The interview as a meeting; Exchange itself sends external attendees an iCalendar."""
        location = interview.location or (
            contact.office if interview.mode == Mode.OFFICE and contact.office else ""
        )
        return Meeting(
            tracking_id=message.id,
            contact_id=contact.id,
            subject=rendered.subject,
            start=interview.start,
            end=interview.start + timedelta(minutes=interview.minutes),
            location=location or self.settings.scheduling.location,
            body_html=rendered.html,
            attendees=(contact.email,),
            reminder_minutes=self.settings.scheduling.reminder_minutes,
        )

    def _hold(self, message: Message, contact: Contact) -> Meeting:
        """A tentative, attendee-less item keeping one proposed time free."""
        slot = message.slots[0]
        message.subject = f"Hold: informational interview with {contact.name} (proposed)"
        return Meeting(
            tracking_id=message.id,
            contact_id=contact.id,
            subject=message.subject,
            start=slot.start,
            end=slot.end,
            location=contact.office or self.settings.scheduling.location,
            body_html="",
            reminder_minutes=0,
            tentative=True,
        )

    def _mail_tips(self, state: State, requests: list[Message]) -> dict[str, OutOfOffice]:
        """One MailTips request for the requests' contacts; without them if it is refused."""
        emails = sorted(
            {state.contacts[m.contact_id].email for m in requests if m.contact_id in state.contacts}
        )
        if not emails or self.mailbox is None:
            return {}
        try:
            tips = self.mailbox.mail_tips(emails)
        except MailboxError as problem:
            if problem.transient:
                raise
            log.warning("MailTips unavailable (%s); drafting without them", problem)
            return {}
        return {k.lower(): v for k, v in tips.items()}

    def _busy(
        self,
        state: State,
        needing: list[Message],
        now: datetime,
        tips: dict[str, OutOfOffice] | None = None,
    ) -> Busy:
        """One free/busy request for the user and the colleagues among the contacts that
        need slots, so the times proposed avoid their meetings too."""
        if not needing or self.mailbox is None:
            return {}
        emails = {self.settings.user.email}
        for message in needing:
            contact = state.contacts.get(message.contact_id)
            tip = (tips or {}).get(contact.email.lower()) if contact is not None else None
            if contact is not None and colleague(contact, self.settings, tip):
                emails.add(contact.email)
        local = now.astimezone(self.settings.zone)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=self.settings.scheduling.latest_days + 2)
        answer = self.mailbox.busy(sorted(emails), start, end)
        return {
            email.lower(): [slots.Interval(b.start, b.end) for b in spans]
            for email, spans in answer.items()
        }


def colleague(contact: Contact, settings: Settings, tip: OutOfOffice | None = None) -> bool:
    """True if the contact works in the user's organization: as set on the contact, else an
    address in the user's own domain or ``user.organization_domains``, else MailTips
    saying the recipient is internal."""
    if contact.internal is not None:
        return contact.internal
    domain = contact.email.rpartition("@")[2].strip().lower()
    own = {settings.user.email.rpartition("@")[2].lower()}
    own |= {d.strip().lower().lstrip("@") for d in settings.user.organization_domains}
    if domain and domain in own:
        return True
    return tip is not None and not tip.external and not tip.invalid


def _offered(state: State, pending: list[Message], now: datetime) -> list[slots.Interval]:
    """The times out with contacts who may still pick them, and those agreed: never offered
    to anyone else (only looked up when some of ``pending`` need times)."""
    if not any(_needs_slots(m) for m in pending):
        return []
    return [slots.Interval(s.start, s.end) for s in agreed.open_times(state, now)]


def _needs_slots(message: Message) -> bool:
    """An email that proposes times and has none chosen yet."""
    return message.kind in NEEDS_SLOTS and not message.slots
