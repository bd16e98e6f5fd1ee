"""One cycle of the campaign: observe the mailbox, record, plan, act.

The daemon calls ``Service.cycle`` in its loop and ``outreach run --once`` calls it
once. A quiet cycle makes one mailbox request (the subscription's poll) and no
store write; work costs one write to record observations and plans, and the
outbox's writes around the mailbox calls.

A quiet cycle does not plan either. The last planning left in the store when
something is next due (``State.next_due``); while the clock is before it, the
config and templates are as they were, and the sync brings nothing, the cycle
stops after the sync, having read only the head of the store (``Store.glance``:
its sync state and that moment), never the contacts, messages or events. That
moment is kept only by a write that planned with nothing left for the outbox,
after the sync had seen the outbox's own items: so it also says that there is
nothing to reconcile, and a fresh ``run --once`` asks the mailbox one thing.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime

from outreach import engine
from outreach.campaign.crashpoint import crash_point
from outreach.campaign.outbox import Outbox, Report, due_for_release, outstanding, retry
from outreach.config.settings import Settings
from outreach.core import progress
from outreach.core.clock import Clock
from outreach.core.errors import MailboxError
from outreach.core.model import Event, Message, MessageState, State
from outreach.engine.due import NEVER
from outreach.mailbox.base import Mailbox, SyncResult
from outreach.mailbox.classify import hold_until
from outreach.store.db import Store
from outreach.store.glance import Glance

log = logging.getLogger(__name__)

#: Key in State.sync for the mailbox's own sync states.
SYNC_KEY = "mailbox"
#: At most this many sync pages in one cycle; the rest wait for the next.
MAX_PAGES = 20
#: How often the cycle looks for contacts paused for an out-of-office to ask MailTips about.
ASK_EVERY = engine.pauses.ASK_AGAIN
#: Rounds of acting in one cycle: the drafts, then the holds their times call for.
ROUNDS = 3


@dataclass
class CycleReport:
    observed: int = 0
    events: list[Event] = field(default_factory=list)
    outbox: Report = field(default_factory=Report)


class Service:
    """Ties the store, the engine, the outbox and the mailbox together for one profile."""

    def __init__(self, settings: Settings, store: Store, mailbox: Mailbox, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.mailbox = mailbox
        self.clock = clock
        self.outbox = Outbox(store, mailbox, settings, clock)
        self._reconciled = False
        self._next_ask: datetime | None = None  # when to look for paused contacts again
        self._setup: str | None = None  # the config and templates last seen (setup_mark)
        #: the mailbox's sync state a quiet poll started from, and the one it left (kept
        #: here, not written: polling again from the stored one finds the same nothing)
        self._polled: tuple[dict[str, str], dict[str, str]] | None = None

    def cycle(self) -> CycleReport:
        """Run one cycle. Raise MailboxError when the mailbox cannot be reached."""
        report = CycleReport()
        try:
            glance = self.store.glance()
            first = self._poll_if_quiet(glance, report)
            if first is not None and not first.observations and not first.more:
                log.info("nothing new in the mailbox and nothing due before %s",
                         _when(glance.due))
                return report
            snapshot = None
            if not self._reconciled:
                if glance.due is None:  # the last write did not leave the outbox settled
                    snapshot = self.store.read()
                    if self.outbox.reconcile(snapshot):
                        snapshot = None  # it recorded something: read again
                self._reconciled = True
            retried = self._retry_after_changes(snapshot)
            back = self._ask_whos_back(None if retried else snapshot)
            if retried or back:
                snapshot = None  # they recorded something: read again
            report.events += retried + back
            events, state = self._observe_and_plan(report, snapshot, first)
            report.events += events
            acted = False
            for _ in range(ROUNDS):
                if not any(_due(m) for m in state.messages.values()):
                    break
                crash_point("planned")
                done = self.outbox.perform()
                report.outbox.extend(done)
                report.events += done.events
                crash_point("recorded")
                if done.empty:
                    break
                acted = True
                # plan what the new items call for (the holds for the times just proposed)
                events, state = self._plan()
                report.events += events
            if acted:
                # Move the sync states past our own writes, once after every round (a draft
                # created and deleted within one sync window would never be reported).
                events, state = self._observe_and_plan(report)
                report.events += events
        except MailboxError:
            self._reconciled = False  # after any error, reconcile before acting again
            raise
        if report.events:
            names = {c.id: c.name for c in self.store.read().contacts.values()}
            for event in report.events:
                log.info("%s", _line(event, names))
        else:
            log.info("nothing new in the mailbox and nothing due")
        return report

    def _poll_if_quiet(self, glance: Glance, report: CycleReport) -> SyncResult | None:
        """Sync from the glance alone while nothing is due; return that first page (None
        if something is due, or the config or the templates changed: then plan)."""
        now = self.clock.now().astimezone(self.settings.zone)
        if glance.due is None or now >= glance.due:
            return None
        memo = glance.sync.get(engine.actions.MEMO) or {}
        if memo.get("setup") != self._mark():
            return None
        stored = glance.sync.get(SYNC_KEY) or {}
        page = self.mailbox.sync(self._newest(stored))
        report.observed += len(page.observations)
        self._polled = (stored, page.state)
        return page

    def _newest(self, stored: dict[str, str]) -> dict[str, str]:
        """The sync state to go on from: the one a quiet poll left, if the store's is still
        the one it started from."""
        if self._polled is not None and self._polled[0] == stored:
            return dict(self._polled[1])
        return dict(stored)

    def _mark(self) -> str:
        """The config and templates as they are now (``setup_mark``)."""
        return setup_mark(self.settings)

    def _retry_after_changes(self, snapshot: State | None = None) -> list[Event]:
        """Try failed messages again once the config or the templates changed (a fixed
        template, a corrected address); costs a store write only when they did."""
        mark = self._mark()
        if self._setup == mark:
            return []
        self._setup = mark
        if engine.actions.memo(snapshot or self.store.read()).get("setup") == mark:
            return []
        now = self.clock.now().astimezone(self.settings.zone)
        with self.store.transaction() as state:
            engine.actions.memo(state)["setup"] = mark
            failed = [m.id for m in state.messages.values() if m.state == MessageState.FAILED]
            retry(state, failed, now, "the config or the templates changed")
        return list(state.events)

    def _ask_whos_back(self, snapshot: State | None = None) -> list[Event]:
        """Ask MailTips (one request, at most daily each) about contacts paused for an
        out-of-office; record who is back early. Costs nothing when nobody is due."""
        now = self.clock.now().astimezone(self.settings.zone)
        if self._next_ask is not None and now < self._next_ask:
            return []  # looked within the hour: a quiet cycle reads the store once
        self._next_ask = now + ASK_EVERY
        due = engine.pauses.to_ask(snapshot or self.store.read(), now)
        if not due:
            return []
        try:
            tips = {k.lower(): v for k, v in self.mailbox.mail_tips([c.email for c in due]).items()}
        except MailboxError as problem:
            if problem.transient:
                raise
            log.warning("MailTips unavailable (%s); paused contacts are asked again later", problem)
            return []
        days = self.settings.policy.out_of_office_default_days
        with self.store.transaction() as state:
            for contact in due:
                tip = tips.get(contact.email.lower())
                if tip is not None and not tip.failed and not tip.invalid:
                    engine.pauses.heard(state, contact.id, hold_until(tip, now, days), now)
        return list(state.events)

    def _plan(self) -> tuple[list[Event], State]:
        """Plan on what the outbox just recorded, without a sync; return the events and
        the state. Keeps no due moment: the sync past the outbox's own items is to come."""
        now = self.clock.now().astimezone(self.settings.zone)
        with self.store.transaction() as state:
            engine.apply_plan(state, now, self.settings)
            state.next_due = None
        return list(state.events), state

    def _observe_and_plan(
        self, report: CycleReport, snapshot: State | None = None, first: SyncResult | None = None
    ) -> tuple[list[Event], State]:
        """Sync the mailbox, apply what changed and plan; return the events and the state.

        ``snapshot``: a read of the store to start from (else one is made); ``first``: the
        first sync page, already fetched (by a quiet poll that found news).
        """
        snapshot = snapshot or self.store.read()
        stored = snapshot.sync.get(SYNC_KEY, {})
        sync_state = self._newest(stored)
        observations = []
        with ExitStack() as shown:
            reading = None
            for _ in range(MAX_PAGES):
                if first is None:
                    page = self.mailbox.sync(sync_state)
                    report.observed += len(page.observations)
                else:
                    page, first = first, None  # counted where it was fetched
                observations += page.observations
                sync_state = page.state
                if not page.more:
                    break
                if reading is None:  # a first sync, or much news: say so past one page
                    reading = shown.enter_context(progress.task("Reading the mailbox (pages)"))
                reading.advance()
        now = self.clock.now().astimezone(self.settings.zone)
        changed = sync_state != stored
        if not observations and not changed:
            # Plan on the snapshot itself (a private copy, so no deep copy at 10,000
            # contacts); if the rules record nothing and the moment something is next due
            # is the one stored, the cycle is quiet: no write.
            engine.apply_plan(snapshot, now, self.settings)
            if not snapshot.events and snapshot.next_due == self.store.glance().due:
                return [], snapshot
        with self.store.transaction() as state:
            for observation in observations:
                local = replace(observation, at=observation.at.astimezone(now.tzinfo))
                engine.apply(state, local, now, self.settings)
            state.sync[SYNC_KEY] = sync_state
            engine.apply_plan(state, now, self.settings)
        return list(state.events), state


def setup_mark(settings: Settings) -> str:
    """Return a digest of the settings and the user's templates: what a failure may depend on."""
    digest = hashlib.sha256(repr(settings).encode())
    folder = settings.paths.templates
    if folder is not None and folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _due(message: Message) -> bool:
    """True for what the outbox has to carry into the mailbox (or take out of it)."""
    return outstanding(message) or due_for_release(message)


def _when(moment: datetime | None) -> str:
    """When something is next due, for the log."""
    return "anything changes" if moment in (None, NEVER) else f"{moment:%Y-%m-%d %H:%M}"


def _line(event: Event, names: dict[str, str]) -> str:
    """One log line per event: "Robin Example: follow-up 1 in Drafts: …"."""
    if event.contact_id is None:
        return event.text
    return f"{names.get(event.contact_id, event.contact_id)}: {event.text}"
