"""What the person asks for by hand, and the daemon's wiring.

``Runner`` builds the service from the config and rebuilds it on reload;
``Session`` serves the one-off commands (send, draft, schedule) through the
same outbox as the daemon, so they are recorded before the mailbox is touched
and never duplicated. Nothing here prints.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from outreach import app, engine
from outreach.campaign import outbox
from outreach.campaign.outbox import Outbox, Report
from outreach.campaign.service import SYNC_KEY, Service
from outreach.config.settings import Settings
from outreach.core import clock
from outreach.core.errors import OutreachError, UserError
from outreach.core.items import OutgoingEmail
from outreach.core.model import Event, Interview, Kind, Message, MessageState, Mode, State, Status
from outreach.engine import agreed
from outreach.mailbox.base import Mailbox
from outreach.store.db import Store

log = logging.getLogger(__name__)


class Runner:
    """The daemon's service, built from the config and rebuilt on SIGHUP."""

    def __init__(self, config_path: str | Path | None, time: clock.Clock | None = None) -> None:
        self.config_path = config_path
        self.clock = time or clock.from_environment()
        self.settings = app.load_settings(config_path)
        self.store = app.open_store(self.settings)
        self._service: Service | None = None

    def cycle(self) -> None:
        """Run one cycle, connecting first if needed (a failed connect is retried by the loop)."""
        if self._service is None:
            resuming = bool(self.store.glance().sync.get(SYNC_KEY))
            mailbox = app.open_mailbox(self.settings, self.clock, resuming=resuming)
            self._service = Service(self.settings, self.store, mailbox, self.clock)
        self._service.cycle()

    def reload(self) -> None:
        """Re-read the config; a broken file is reported and the old settings kept."""
        try:
            settings = app.load_settings(self.config_path)
        except UserError as problem:
            log.error("the new configuration is not used: %s", problem)
            return
        self.close()
        self.settings = settings
        self.store = app.open_store(settings)

    def close(self) -> None:
        if self._service is not None:
            self._service.mailbox.close()
            self._service = None


class Session:
    """A mailbox connection for one command; use as a context manager."""

    def __init__(self, settings: Settings, store: Store, time: clock.Clock | None = None) -> None:
        self.settings = settings
        self.store = store
        self.clock = time or clock.from_environment()
        self.mailbox: Mailbox | None = None

    def __enter__(self) -> Session:
        self.mailbox = app.open_mailbox(self.settings, self.clock)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.mailbox is not None:
            self.mailbox.close()

    @property
    def outbox(self) -> Outbox:
        assert self.mailbox is not None, "use Session as a context manager"
        return Outbox(self.store, self.mailbox, self.settings, self.clock)

    def prepare_one(
        self, contact_id: str, kind: Kind, send: bool, **extra: Any
    ) -> tuple[Message, OutgoingEmail]:
        """Return the message `send`/`draft`/`update` would create and the email it renders to.

        ``extra`` is an update's ``note`` and ``link``, or a thank-you's ``attach_resume``.
        Raise UserError when the contact may not be written to, a cap is reached, or
        the same email already waits in Drafts.
        """
        state = self.store.read()
        now = self.clock.now().astimezone(self.settings.zone)
        message = engine.plan_one(state, contact_id, kind, now, self.settings, send=send, **extra)
        email = self.outbox.preparer.preview(state, message, now)
        return message, email

    def commit_one(self, message: Message) -> Report:
        """Record the prepared message, then carry it into the mailbox."""
        now = self.clock.now().astimezone(self.settings.zone)
        with self.store.transaction() as state:
            stored = state.messages.get(message.id)
            if stored is not None and stored.state != MessageState.PLANNED:
                raise UserError(f"That email was already {stored.state.value}; nothing was done.")
            engine.commit(state, message, now)
            contact = state.contacts[message.contact_id]
            if message.kind == Kind.REQUEST and contact.status == Status.NEW:
                reason = "request asked for by hand"
                engine.commit(state, engine.StatusChange(contact.id, Status.DRAFTED, reason), now)
        return self.outbox.perform(only=[message.id])

    def retry(self, contact_id: str | None) -> tuple[list[str], Report]:
        """Put the contact's failed messages (everyone's if None) back in the outbox and carry
        them into the mailbox now; return their ids and what happened."""
        now = self.clock.now().astimezone(self.settings.zone)
        with self.store.transaction() as state:
            mine = state.messages_of(contact_id) if contact_id else list(state.messages.values())
            failed = [m.id for m in mine if m.state == MessageState.FAILED]
            done = outbox.retry(state, failed, now, "asked for by hand (outreach retry)")
        if not done:
            return done, Report()
        return done, self.outbox.perform(only=done)

    def schedule(
        self,
        contact_id: str,
        *,
        slot: int | None = None,
        start: datetime | None = None,
        minutes: int | None = None,
        where: str | None = None,
        mode: Mode | None = None,
        dry_run: bool = False,
        force: bool = False,
    ) -> Interview:
        """Record the agreed time as the contact's interview and create (or move) the invite.

        The contact's invitation, sent or not and whether or not its time has passed,
        moves to the new time: never a second one. Run again after a crash, it finishes
        what the first run started. Raise UserError naming what is in the way (another
        interview, a meeting, a time proposed to someone else) unless ``force``.
        """
        now = self.clock.now().astimezone(self.settings.zone)
        length = minutes or self.settings.scheduling.interview_minutes
        if not dry_run and self.mailbox is not None:
            self.outbox.reconcile()  # a schedule killed mid-way: record what it made first
        if not force:
            self._refuse_overlap(contact_id, slot, start, length, now)
        try:
            with self.store.transaction() as state:
                contact = state.contacts[contact_id]
                if not contact.reachable:
                    why = _why_not(contact)
                    raise UserError(f"{contact.name} is {why}; nothing was scheduled.")
                if slot is not None:
                    start = _proposed(state, contact_id, slot)
                assert start is not None
                interview = engine.agree(
                    state,
                    contact_id,
                    start,
                    timedelta(minutes=length),
                    now,
                    self.settings,
                    mode=mode or Mode.OFFICE,
                    location=where or ("" if mode == Mode.PHONE else contact.office),
                    force=force,
                )
                if dry_run:
                    raise _DryRun(interview)
                engine.apply_plan(state, now, self.settings)
                work = [m.id for m in state.messages_of(contact_id) if _now(m)]
        except _DryRun as dry:
            return dry.interview
        if work:
            report = self.outbox.perform(only=work)
            if report.failed:
                raise OutreachError(f"The invite could not be created: {report.failed[0][1]}")
        return interview


    def _refuse_overlap(
        self, contact_id: str, slot: int | None, start: datetime | None, minutes: int,
        now: datetime,
    ) -> None:  # fmt: skip
        """Raise UserError if the time overlaps another interview or a busy calendar item
        (the calendar is asked only with a mailbox open)."""
        state = self.store.read()
        if contact_id not in state.contacts:
            return  # the transaction says why
        if slot is not None:
            start = _proposed(state, contact_id, slot)
        assert start is not None
        end = start + timedelta(minutes=minutes)
        user = [self.settings.user.email]
        busy = self.mailbox.busy(user, start, end) if self.mailbox is not None else {}
        spans = [(b.start, b.end, b.subject) for spans in busy.values() for b in spans]
        blocking = agreed.in_the_way(state, contact_id, start, end)
        blocking += agreed.calendar_in_the_way(state, contact_id, start, end, spans)
        if blocking:
            raise UserError(
                f"{start.astimezone(self.settings.zone):%Y-%m-%d %H:%M} overlaps "
                f"{'; '.join(dict.fromkeys(blocking))}. Choose another time, or add --force "
                "to book it anyway."
            )


class _DryRun(Exception):
    """Leave a transaction without writing."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview


def _now(message: Message) -> bool:
    """What `schedule` carries out at once: the contact's invite, and the holds the
    agreement takes off the calendar (so its own times are never left in its way)."""
    invite = message.kind == Kind.INVITE and outbox.outstanding(message)
    return invite or outbox.due_for_release(message)


def _proposed(state: State, contact_id: str, number: int) -> datetime:
    """Return the start of proposed time ``number`` (1-based) in the email the contact saw."""
    slots = engine.proposed_slots(state, contact_id)
    if not slots:
        raise UserError("No times were proposed to this contact; use --at instead of --slot.")
    if not 1 <= number <= len(slots):
        raise UserError(f"--slot must be between 1 and {len(slots)}: that many were proposed.")
    return slots[number - 1].start


def _why_not(contact: Any) -> str:
    return "marked do-not-contact" if contact.do_not_contact else contact.status.value


def pause(
    settings: Settings, ref: str, until: datetime | None, time: clock.Clock | None = None
) -> str:
    """Pause a contact (indefinitely when ``until`` is None); return its name."""
    now = (time or clock.from_environment()).now().astimezone(settings.zone)
    with app.open_store(settings).transaction() as state:
        contact = app.resolve_contact(state, ref)
        if contact.status == Status.PAUSED and contact.paused_until == until:
            return contact.name
        engine.commit(
            state,
            engine.StatusChange(contact.id, Status.PAUSED, "paused by you", paused_until=until),
            now,
        )
        return contact.name


def resume(settings: Settings, ref: str, time: clock.Clock | None = None) -> tuple[str, str]:
    """Resume a paused contact where it stopped; return its name and new status."""
    now = (time or clock.from_environment()).now().astimezone(settings.zone)
    with app.open_store(settings).transaction() as state:
        contact = app.resolve_contact(state, ref)
        if contact.status != Status.PAUSED:
            raise UserError(f"{contact.name} is not paused (status: {contact.status.value}).")
        target = contact.paused_from or Status.NEW
        engine.commit(state, engine.StatusChange(contact.id, target, "resumed by you"), now)
        return contact.name, target.value


def forget(settings: Settings, contact_id: str, time: clock.Clock | None = None) -> dict[str, int]:
    """Remove a contact, their interviews, outbox entries and history; return the counts.

    The history goes first: a crash in between leaves the contact, and forgetting
    again finishes the job.
    """
    now = (time or clock.from_environment()).now().astimezone(settings.zone)
    store = app.open_store(settings)
    events = store.drop_events(contact_id)
    with store.transaction() as state:
        state.contacts.pop(contact_id)
        interviews = [i for i, v in state.interviews.items() if v.contact_id == contact_id]
        messages = [m for m, v in state.messages.items() if v.contact_id == contact_id]
        for key in interviews:
            del state.interviews[key]
        for key in messages:
            del state.messages[key]
        for other in state.contacts.values():
            if other.referred_by == contact_id:
                other.referred_by = None
        state.record(Event(at=now, kind="forgotten", text="a contact was forgotten"))
    return {"interviews": len(interviews), "messages": len(messages), "events": events}
