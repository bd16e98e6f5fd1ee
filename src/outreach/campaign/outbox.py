"""Perform the engine's PLANNED messages exactly once; reconcile after a crash.

Every message is in the store, with its stable id, before the mailbox is touched;
the id travels into Exchange (an extended property and an X- header), and the
message is marked done after. A crash between "created in Exchange" and
"recorded" leaves a PLANNED message whose item already exists: ``reconcile``
finds it by id and records it instead of creating a second one.

The order of one ``perform``:
  1. take the holds no longer needed (those in ``only``, when it narrows the work) off
     the calendar (one bulk request) and record it;
  2. read the PLANNED messages, record those an earlier perform prepared and made
     before it died (one lookup, only when there are such), and have
     ``prepare.Preparer`` turn the rest into emails
     and meetings (it asks the mailbox once for busy times and MailTips);
  3. record the failures, withdraw the requests to contacts who are away, and record
     each message's slots and subject (a crash after this re-renders the same email
     from the same slots);
  4. create the drafts and the holds in one bulk request each, send what policy
     sends (up to the daily send cap), create the invites;
  5. record where each landed.
One message's failure (a broken template, a refused address) is recorded on that
message and the rest go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from outreach import engine
from outreach.campaign.crashpoint import crash_point
from outreach.config.settings import Settings
from outreach.core import progress
from outreach.core.clock import Clock
from outreach.core.errors import MailboxError
from outreach.core.items import Created, Meeting
from outreach.core.model import Event, Kind, Message, MessageState, State, Status
from outreach.core.observations import DraftDeleted, DraftSent
from outreach.engine import Cancel, StatusChange, agreed, commit
from outreach.engine.actions import EMAIL_KINDS, describe, memo, today_count
from outreach.mailbox.base import Mailbox
from outreach.store.db import Store

if TYPE_CHECKING:
    from outreach.campaign.prepare import Outcome, Prepared, Preparer

#: Drafts and holds go to the mailbox this many at a time, so their progress can be shown:
#: a multiple of the EWS backend's batch of 50, so no request is added.
BULK = 100


@dataclass
class Report:
    """What one ``perform`` did, for the daemon's log and the CLI."""

    drafted: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # tentative holds put on the calendar
    released: list[str] = field(default_factory=list)  # holds taken off again
    away: list[str] = field(default_factory=list)  # requests withdrawn: the contact is away
    waiting: list[str] = field(default_factory=list)  # held by the daily cap: they go tomorrow
    timeless: list[str] = field(default_factory=list)  # no free time to propose: they wait
    conflicts: list[str] = field(default_factory=list)  # invites held back: a meeting is there
    failed: list[tuple[str, str]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # what was recorded, for the log

    def extend(self, other: Report) -> None:
        """Add what another ``perform`` did (a cycle may act more than once)."""
        for part in fields(self):
            getattr(self, part.name).extend(getattr(other, part.name))

    @property
    def empty(self) -> bool:
        return not (
            self.drafted or self.sent or self.invited or self.held or self.released
            or self.away or self.failed
        )  # fmt: skip


class Outbox:
    """Carries the store's PLANNED messages into the mailbox.

    ``preparer`` renders them (and serves ``outreach send``'s preview) with the same
    mailbox and settings, so a preview and the email that goes out agree.
    """

    def __init__(self, store: Store, mailbox: Mailbox, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.mailbox = mailbox
        self.settings = settings
        self.clock = clock

    @cached_property
    def preparer(self) -> Preparer:
        """The renderer (templates, slots): imported when there is something to render."""
        from outreach.campaign.prepare import Preparer

        return Preparer(self.settings, self.mailbox)

    # -- reconciliation -------------------------------------------------------------

    def reconcile(self, snapshot: State | None = None) -> int:
        """Settle the outbox against the mailbox after a start or an error; return how many.

        Holds the outbox lock, like ``perform``: one process at a time. ``snapshot`` is a
        read the caller plans on next (a stale one is harmless: what is settled is
        checked again under the lock), so a cycle decodes the store once.
        """
        with self.store.performing():
            return self._reconcile(snapshot)

    def _reconcile(self, snapshot: State | None = None) -> int:
        """Settle the outbox against the mailbox; the caller holds the outbox lock.

        PLANNED messages that already exist are recorded where they landed. Drafts
        waiting for the user that are gone (or in Deleted Items) are recorded as
        deleted: a draft created and deleted while the daemon was down falls inside
        one sync window, which Exchange never reports. Costs no request when nothing
        is pending or waiting.
        """
        snapshot = snapshot or self.store.read()
        pending = [m.id for m in snapshot.messages.values() if outstanding(m)]
        waiting = [m.id for m in snapshot.messages.values() if _waiting(m)]
        return self._settle(pending, waiting)

    def _settle(self, pending: list[str], waiting: list[str]) -> int:
        """Record where the ``pending`` messages that already exist landed, and the
        ``waiting`` drafts that are gone as deleted; return how many. One lookup (none if
        both are empty)."""
        if not pending and not waiting:
            return 0
        found = self.mailbox.find_tracked(pending + waiting)
        gone = [i for i in waiting if i not in found or found[i].deleted]
        if not gone and not any(i in found for i in pending):
            return 0
        now = self.clock.now().astimezone(self.settings.zone)
        settled = 0
        with self.store.transaction() as state:
            for message_id in pending:
                message, created = state.messages.get(message_id), found.get(message_id)
                if message is not None and created is not None and outstanding(message):
                    _landed(state, message, created, now, self.settings, recovered=True)
                    settled += 1
                    if created.deleted:
                        gone.append(message_id)
            for message_id in gone:
                message = state.messages.get(message_id)
                if message is not None and _waiting(message):
                    deleted = DraftDeleted(
                        at=now,
                        item_id=message.item_id,
                        tracking_id=message.id,
                        internet_message_id=message.internet_message_id,
                    )
                    engine.apply(state, deleted, now, self.settings)
                    settled += 1
        return settled

    # -- performing -------------------------------------------------------------------

    def perform(self, only: Sequence[str] | None = None) -> Report:
        """Carry every PLANNED message (or those in ``only``) into the mailbox.

        Holds the outbox lock, so the daemon and a command never both act on the
        same planned message; whoever comes second finds it already done.
        """
        with self.store.performing():
            return self._perform(only)

    def _perform(self, only: Sequence[str] | None) -> Report:
        report = Report()
        snapshot = self.store.read()
        now = self.clock.now().astimezone(self.settings.zone)
        releasing = [
            m
            for m in snapshot.messages.values()
            if due_for_release(m) and (only is None or m.id in only)
        ]
        if releasing:
            self._release(releasing, now, report)
            snapshot = self.store.read()  # those holds are off the calendar: not busy times
        pending = [
            m
            for m in sorted(snapshot.messages.values(), key=_order)
            if outstanding(m) and (only is None or m.id in only)
        ]
        tried = [m.id for m in pending if m.subject]
        if tried and self._settle(tried, []):
            # prepared by a perform that died (a command killed while the daemon runs on):
            # what it made is recorded, never made twice
            snapshot = self.store.read()
            pending = [m for m in pending if outstanding(snapshot.messages.get(m.id))]
        pending, held = self._within_cap(snapshot, pending, now)
        if held:
            self._hold(snapshot, held, now, report)
        conflicts = self.preparer.calendar_conflicts(snapshot, pending, now)
        if conflicts:
            self._in_the_way(conflicts, now, report)
            pending = [m for m in pending if m.id not in dict(conflicts)]
        if not pending:
            return report
        outcome = self.preparer.prepare(snapshot, pending, now)
        prepared = outcome.prepared

        with self.store.transaction() as state:
            record(state, outcome, now, self.settings, report)
            live = {
                m.id for m in state.messages.values() if outstanding(m)
            }  # re-read under the lock: only these may go out
            # the cap's one count, without the messages this perform carries out
            sends_today = today_count(state, now, self.settings.zone) - len(live)
            report.events += state.events
        prepared = [p for p in prepared if p.message.id in live]
        crash_point("prepared")

        results: list[tuple[str, Created | str]] = []
        waiting: list[str] = []
        drafts = [p for p in prepared if p.email is not None and not p.message.send]
        sends_today += len(drafts)  # planned today: they count against the cap too
        if drafts:
            emails = [p.email for p in drafts]
            results += self._in_bulk(drafts, emails, self.mailbox.create_drafts, "draft")
        holds = [p for p in prepared if p.message.kind == Kind.HOLD]
        if holds:
            meetings = [p.meeting for p in holds]
            results += self._in_bulk(holds, meetings, self.mailbox.create_holds, "hold")
        for item in prepared:
            if item.message.kind == Kind.HOLD:
                continue
            if item.email is not None and item.message.send:
                if sends_today >= self.settings.policy.daily_send_cap:
                    waiting.append(item.message.id)  # stays PLANNED: it goes tomorrow
                    continue
                results.append(self._attempt(item.message.id, self.mailbox.send, item.email))
                sends_today += 1
                crash_point("sent-one")
            elif item.meeting is not None:
                send = item.message.kind == Kind.INVITE and (
                    self.settings.policy.send_invites or item.message.send
                )
                moving = snapshot.messages.get(item.message.moves or "")
                results.append(
                    self._attempt(
                        item.message.id,
                        lambda m, send=send, moving=moving: self._meet(m, send, moving),
                        item.meeting,
                    )
                )
                crash_point("sent-one")
        crash_point("created")

        with self.store.transaction() as state:
            for message_id, outcome in results:
                message = state.messages.get(message_id)
                if message is None:
                    continue
                if isinstance(outcome, Created):
                    _landed(state, message, outcome, now, self.settings)
                    if message.kind == Kind.INVITE:
                        report.invited.append(message_id)
                    elif message.kind == Kind.HOLD:
                        report.held.append(message_id)
                    else:
                        (report.sent if outcome.sent else report.drafted).append(message_id)
                else:
                    _fail(state, message_id, outcome, now, retry=True)
                    report.failed.append((message_id, outcome))
            report.waiting += waiting
            report.events += state.events
        return report

    def _release(self, releasing: list[Message], now: datetime, report: Report) -> None:
        """Take holds that are no longer needed off the calendar (harmless if already gone)."""
        self.mailbox.remove_holds([m.item_id for m in releasing if m.item_id])
        done = [m.id for m in releasing]
        with self.store.transaction() as state:
            for message_id in done:
                message = state.messages.get(message_id)
                if message is None or not due_for_release(message):
                    continue
                message.state, message.release = MessageState.CANCELLED, False
                state.note(
                    now,
                    "released",
                    message.contact_id,
                    f"{describe(message)} taken off the calendar",
                    {"message_id": message.id},
                )
                report.released.append(message_id)
            report.events += state.events

    def _within_cap(
        self, state: State, pending: list[Message], now: datetime
    ) -> tuple[list[Message], list[Message]]:
        """Split ``pending`` into what may go now and the direct sends today's cap holds back
        (they stay PLANNED and go tomorrow), before anything is prepared for them."""
        waiting = [m for m in state.messages.values() if outstanding(m)]
        base = today_count(state, now, self.settings.zone)
        base -= sum(m.kind in EMAIL_KINDS for m in waiting)  # counted below, in order
        room = self.settings.policy.daily_send_cap - base
        room -= sum(m.kind in EMAIL_KINDS and not m.send for m in pending)
        go, held = [], []
        for message in pending:
            if message.kind in EMAIL_KINDS and message.send:
                if room <= 0:
                    held.append(message)
                    continue
                room -= 1
            go.append(message)
        return go, held

    def _in_the_way(self, conflicts: list[tuple[str, str]], now: datetime, report: Report) -> None:
        """Withdraw invites whose time a calendar item is in the way of; flag the contact."""
        with self.store.transaction() as state:
            for message_id, blocking in conflicts:
                message = state.messages.get(message_id)
                if message is None or not outstanding(message):
                    continue
                interview = state.interviews.get(message.interview_id or "")
                if interview is not None:
                    agreed.hold_back(state, interview, blocking, now)
                commit(state, Cancel(message_id, f"{blocking} is in the way"), now)
                report.conflicts.append(message_id)
            report.events += state.events

    def _hold(self, snapshot: State, held: list[Message], now: datetime, report: Report) -> None:
        """Say once a day per message that today's cap holds it back (no write otherwise)."""
        day = now.date().isoformat()
        report.waiting += [m.id for m in held]
        if all(f"cap-held:{m.id}:{day}" in memo(snapshot)["reminded"] for m in held):
            return
        with self.store.transaction() as state:
            said = memo(state)["reminded"]
            cap = self.settings.policy.daily_send_cap
            for message in held:
                key = f"cap-held:{message.id}:{day}"
                if key in said:
                    continue
                said.append(key)
                text = (f"{describe(message)} waits for tomorrow: today's cap ({cap} emails, "
                        "policy.daily_send_cap) is reached")  # fmt: skip
                state.note(now, "held", message.contact_id, text, {"message_id": message.id})
            report.events += state.events

    def _meet(self, meeting: Meeting, send: bool, moving: Message | None) -> Created:
        """Put an interview on the calendar, moving the earlier invite's item when there is one.

        The update goes to the attendees if the policy sends invites or the earlier
        invite went to them (the mailbox knows when the user pressed Send in Outlook); an
        unsent one moves unsent, still waiting for the user's Send. An item that cannot
        be moved (gone, refused) is withdrawn, then invited afresh, so the contact never
        holds two invites.
        """
        if moving is None or not moving.item_id or moving.state not in MOVABLE:
            return self.mailbox.create_meeting(meeting, send=send)
        was_sent = moving.state == MessageState.SENT
        try:
            return self.mailbox.update_meeting(moving.item_id, meeting, send=send or was_sent)
        except MailboxError as problem:
            if problem.transient:
                raise
        try:
            self.mailbox.cancel_meeting(moving.item_id, send=was_sent)
        except MailboxError as problem:
            if problem.transient:
                raise
        crash_point("moved")
        return self.mailbox.create_meeting(meeting, send=send)

    def _attempt(
        self, message_id: str, call: Callable[[Any], Created], arg: Any
    ) -> tuple[str, Created | str]:
        """Run one mailbox call; a refusal becomes that message's failure, not everyone's."""
        try:
            return message_id, call(arg)
        except MailboxError as problem:
            if problem.transient:
                raise
            return message_id, str(problem)

    @staticmethod
    def _in_bulk(
        items: list[Prepared], values: list[Any], create: Callable[[Any], list[Created]], what: str
    ) -> list[tuple[str, Created | str]]:
        """Create many items in few calls; one the server left out is that message's failure.

        The items go in pieces of ``BULK``, each piece counted on the progress shown.
        """
        by_id: dict[str, Created] = {}
        with progress.task(f"Creating {len(items)} {what}s in your mailbox", len(items)) as done:
            for start in range(0, len(values), BULK):
                piece = values[start : start + BULK]
                by_id.update((c.tracking_id, c) for c in create(piece))
                done.advance(len(piece))
        return [
            (p.message.id, by_id.get(p.message.id, f"the server did not create the {what}"))
            for p in items
        ]


# -- recording outcomes -----------------------------------------------------------------


#: States of an earlier invite whose calendar item a new time moves.
MOVABLE = frozenset({MessageState.DRAFTED, MessageState.SENT})


def due_for_release(message: Message) -> bool:
    """A hold on the calendar that the engine no longer needs."""
    return message.release and message.state == MessageState.DRAFTED and bool(message.item_id)


def outstanding(message: Message | None) -> bool:
    """A message the outbox has yet to carry into the mailbox (not one waiting for a time)."""
    return (
        message is not None and message.state == MessageState.PLANNED
        and message.item_id is None and not message.waits
    )  # fmt: skip


def _waiting(message: Message) -> bool:
    """A draft of ours in the user's Drafts folder, waiting to be sent."""
    return (
        message.state == MessageState.DRAFTED
        and message.item_id is not None
        and message.kind not in (Kind.INVITE, Kind.HOLD)
    )


def _order(message: Message) -> tuple[datetime | None, str]:
    return (message.planned_at, message.id)


def _landed(
    state: State,
    message: Message,
    created: Created,
    now: datetime,
    settings: Settings,
    recovered: bool = False,
) -> None:
    """Record where a message landed; a sent email moves on through the engine."""
    contact = state.contacts.get(message.contact_id)
    if contact is not None and (contact.attention or "").startswith(_failure_prefix(message)):
        contact.attention = None  # it went in after all: the old failure is not current
    message.item_id = created.item_id
    message.internet_message_id = created.internet_message_id or message.internet_message_id
    message.conversation_id = created.conversation_id or message.conversation_id
    message.error = None
    note = " (found after a restart)" if recovered else ""
    moved = state.messages.get(message.moves or "")
    if moved is not None and moved.state in MOVABLE:
        # the earlier invite gave its calendar item up (moved, or withdrawn then replaced)
        state.note(
            now,
            "moved",
            moved.contact_id,
            f"{describe(moved)} moved to the new time{note}",
            {"message_id": moved.id, "to": message.id, "item_id": moved.item_id},
        )
        moved.state, moved.item_id = MessageState.CANCELLED, None
    if created.sent and message.kind != Kind.INVITE:
        # exactly what happens when the user presses Send: status and event by the engine
        sent = DraftSent(
            at=now,
            item_id=created.item_id,
            tracking_id=message.id,
            internet_message_id=created.internet_message_id,
            conversation_id=created.conversation_id,
            subject=message.subject,
        )
        engine.apply(state, sent, now, settings)
        return
    if created.sent:
        message.state, message.sent_at, where = MessageState.SENT, now, "sent"
    else:
        message.state, message.drafted_at = MessageState.DRAFTED, now
        where = "on the calendar" if message.kind in (Kind.INVITE, Kind.HOLD) else "in Drafts"
    state.note(
        now,
        "sent" if created.sent else "drafted",
        message.contact_id,
        f"{describe(message)} {where}: {message.subject}{note}",
        {"message_id": message.id, "item_id": created.item_id},
    )


def record(state: State, outcome: Outcome, now: datetime, settings: Settings,
           report: Report) -> None:  # fmt: skip
    """Record what preparing decided, before the mailbox is touched: failures, contacts
    away, each message's slots and subject, and the emails that wait for a free time."""
    for message_id, reason in outcome.failures:
        _fail(state, message_id, reason, now)
        report.failed.append((message_id, reason))
    for message_id, until in outcome.away:
        _withdraw(state, message_id, until, now)
        report.away.append(message_id)
    proposed, seen = False, engine.waits.mark(state, now, settings)  # as the batch saw it
    for item in outcome.prepared:
        stored = state.messages.get(item.message.id)
        if stored is None or not outstanding(stored):
            continue  # changed under us (e.g. `outreach forget`): leave it
        item.fill(stored)
        proposed = proposed or bool(stored.slots and stored.kind in engine.waits.PROPOSING)
    for message_id, reason in outcome.waiting:
        engine.waits.wait(state, message_id, reason, now)
        report.timeless.append(message_id)
    if outcome.waiting or (proposed and engine.waits.waiting(state)):
        # after the fills: the times just proposed, given back later, wake the waiting
        engine.waits.remember(state, now, settings, seen)


def _fail(state: State, message_id: str, reason: str, now: datetime, retry: bool = False) -> None:
    """Record a message's failure; a refused send stays PLANNED to be tried next cycle."""
    message = state.messages.get(message_id)
    if message is None:
        return
    message.error = reason
    if not retry:
        message.state = MessageState.FAILED
    contact = state.contacts.get(message.contact_id)
    if contact is not None:
        contact.attention = f"{_failure_prefix(message)}: {reason}"
        contact.attention_about = f"failed:{message.id}"
    state.note(
        now,
        "failed",
        message.contact_id,
        f"{describe(message)} failed: {reason}",
        {"message_id": message_id},
    )


def retry(state: State, message_ids: Sequence[str], now: datetime, why: str) -> list[str]:
    """Put FAILED messages back in the outbox (PLANNED, same id); return those put back.

    The contact's attention line about the failure goes: it is no longer the current
    state. What fails again says so again.
    """
    done = []
    for message_id in message_ids:
        message = state.messages.get(message_id)
        contact = state.contacts.get(message.contact_id) if message else None
        if message is None or message.state != MessageState.FAILED or contact is None:
            continue
        if contact.attention and contact.attention.startswith(_failure_prefix(message)):
            contact.attention = None
        message.state, message.error = MessageState.PLANNED, None
        state.note(now, "retry", message.contact_id, f"{describe(message)} tried again: {why}",
                   {"message_id": message.id})  # fmt: skip
        done.append(message.id)
    return done


def _failure_prefix(message: Message) -> str:
    return f"{describe(message)} could not be prepared"


def _withdraw(state: State, message_id: str, until: datetime, now: datetime) -> None:
    """MailTips says the contact is away: withdraw the request and pause until they return."""
    message = state.messages[message_id]
    commit(state, Cancel(message_id, "the contact is out of office"), now)
    commit(
        state,
        StatusChange(
            message.contact_id,
            Status.PAUSED,
            f"out of office until {until:%Y-%m-%d} (MailTips); the request waits",
            paused_until=until,
            away=True,
        ),
        now,
    )
