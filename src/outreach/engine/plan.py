"""What is due now: the contact's journey as rules over (state, now, settings).

``plan`` is pure and returns the actions; ``apply_plan`` records the same actions
into the State and returns the new outbox messages. Both run the same planner,
which commits each action to the state it works on as it goes, so later rules see
earlier ones (a resumed contact is not followed up in the same breath). Each rule
that waits for a moment tells ``Due`` (engine/due.py), so ``apply_plan`` also
leaves in ``State.next_due`` when planning could next find something.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.config.settings import Settings
from outreach.core.model import (
    STOPPED,
    Contact,
    Interview,
    Kind,
    Message,
    MessageState,
    State,
    Status,
)
from outreach.engine import agreed, attention, pauses, waits
from outreach.engine.actions import (
    EMAIL_KINDS,
    LIVE,
    Action,
    Cancel,
    Clear,
    Flag,
    InterviewChange,
    StatusChange,
    commit,
    describe,
    memo,
    message_id,
    reminded,
    slot_of,
    stamp,
    today_count,
)
from outreach.engine.businessdays import BusinessDays
from outreach.engine.due import Due
from outreach.engine.holds import holds

#: A thank-you or report-back is not drafted for an interview that ended longer ago.
LATE = timedelta(days=14)
#: Statuses in which an interview that took place makes the contact "interviewed".
_BEFORE_INTERVIEWED = frozenset(
    {
        Status.CONTACTED,
        Status.FOLLOWED_UP,
        Status.PAUSED,
        Status.NO_RESPONSE,
        Status.REPLIED,
        Status.SCHEDULING,
        Status.SCHEDULED,
    }
)


def plan(state: State, now: datetime, settings: Settings) -> list[Action]:
    """Given the state and the time, return the actions due, in a stable order.

    Does not touch ``state``. New outbox entries are ``Message`` records in state
    PLANNED with stable ids; the other actions are ``StatusChange``, ``Flag``,
    ``InterviewChange`` and ``Cancel``.
    """
    return _Planner(copy.deepcopy(state), now, settings).run()


def apply_plan(state: State, now: datetime, settings: Settings) -> list[Message]:
    """Record the due actions into ``state`` (one event each); return the new messages.

    The outbox then performs every message in state PLANNED, these included.
    ``state.next_due`` becomes the moment before which planning finds nothing more
    (``due.NEVER`` when nothing waits for a moment); it stays None while the outbox
    has work, which the next cycle carries out before it plans again.
    """
    planner = _Planner(state, now, settings)
    actions = planner.run()
    state.next_due = planner.due.at
    return [a for a in actions if isinstance(a, Message)]


def next_due(state: State, now: datetime, settings: Settings) -> datetime | None:
    """Given a state planned at ``now``, return when planning could next find something
    (``due.NEVER`` when nothing waits for a moment; None while the outbox has work).
    Does not touch ``state``."""
    planner = _Planner(copy.deepcopy(state), now, settings)
    planner.run()
    return planner.due.at


class _Planner:
    def __init__(self, state: State, now: datetime, settings: Settings) -> None:
        if now.tzinfo is None:
            raise ValueError("plan needs a time-zone aware now")
        self.state = state
        self.now = now
        self.settings = settings
        self.policy = settings.policy
        self.days = BusinessDays(settings.time)
        self.zone = ZoneInfo(settings.time.timezone)
        self.actions: list[Action] = []
        self.room = 0
        self.woken = False  # emails waiting for a free time were tried again this plan
        self.due = Due(now)

    def run(self) -> list[Action]:
        self._interviews()  # first: an interview that ended makes its pending invite stale
        self._sweep()
        self.room = self.policy.daily_send_cap - self._sent_today()  # withdrawn ones free room
        self._resume()
        self._invites()
        self._thank_yous()
        self._report_backs()
        self._follow_ups()
        self._wake()  # after the rules that give times back (a lapse), before fresh requests
        self._requests()
        for action in holds(self.state, self.now, self.settings, self.due.later):
            self._emit(action)
        self._done()
        self._settle()
        self._outbox()
        return self.actions

    def _emit(self, action: Action) -> None:
        commit(self.state, action, self.now)
        self.actions.append(action)

    def _status(self, contact: Contact, status: Status, reason: str) -> None:
        if contact.status != status:
            self._emit(StatusChange(contact.id, status, reason))

    def _remind(self, contact: Contact, key: str, text: str, about: str = "") -> None:
        if not reminded(self.state, key):
            self._emit(Flag(contact.id, text, key, about))

    # --- counting ---------------------------------------------------------------------

    def _sent_today(self) -> int:
        """Emails that count against today's cap (``actions.counts_today``)."""
        return today_count(self.state, self.now, self.zone)

    def _to_contact(self, contact_id: str) -> int:
        return sum(
            1
            for m in self.state.messages.of(contact_id)
            if m.kind in EMAIL_KINDS
            and m.state in (MessageState.PLANNED, MessageState.DRAFTED, MessageState.SENT)
        )

    # --- building messages ------------------------------------------------------------

    def _message(
        self,
        contact: Contact,
        kind: Kind,
        sequence: int = 1,
        interview_id: str | None = None,
        thread_of: str | None = None,
    ) -> Message | None:
        """Return the message to plan, or None if its place is taken (or capped)."""
        if contact.do_not_contact or contact.status in STOPPED or not contact.email:
            return None
        place = (contact.id, kind, sequence, interview_id)
        same = [m for m in self.state.messages.of(contact.id) if slot_of(m) == place]
        if any(m.state in LIVE for m in same):
            return None
        key = interview_id if interview_id is not None else sequence
        message = Message(
            contact_id=contact.id,
            kind=kind,
            id=message_id(contact.id, kind, key, attempt=len(same)),
            sequence=sequence,
            interview_id=interview_id,
            thread_of=thread_of,
            planned_at=self.now,
            send=self.policy.send_invites
            if kind == Kind.INVITE
            else self.policy.approval == "send",
        )
        if message.id in self.state.messages:  # never overwrite, whatever happened
            return None
        if kind in EMAIL_KINDS:
            if self._to_contact(contact.id) >= self.policy.per_contact_cap:
                self._remind(
                    contact,
                    f"cap:{message.id}",
                    f"The per-contact cap ({self.policy.per_contact_cap} emails) is reached: "
                    f"{describe(message)} not drafted. Write by hand if it should go.",
                    about=f"cap:{message.id}:{contact.status.value}",
                )
                return None
            if self.room <= 0:
                self.due.tomorrow(self.zone)  # today's cap is reached: room again tomorrow
                return None
            self.room -= 1
        return message

    # --- the rules --------------------------------------------------------------------

    def _sweep(self) -> None:
        """Withdraw PLANNED messages whose reason went away before the outbox acted."""
        for message in sorted(self.state.messages.values(), key=lambda m: m.id):
            if message.state != MessageState.PLANNED:
                continue
            reason = self._stale(message)
            if reason:
                self._emit(Cancel(message.id, reason))

    def _stale(self, message: Message) -> str | None:
        contact = self.state.contacts.get(message.contact_id)
        if contact is None:
            return "the contact was forgotten"
        if contact.do_not_contact:
            return "do not contact"
        if contact.status in STOPPED:
            return f"the contact is {contact.status.value}"
        if message.kind == Kind.REQUEST and contact.status not in (Status.NEW, Status.DRAFTED):
            return f"the contact is {contact.status.value}"
        if message.kind == Kind.FOLLOW_UP and contact.status not in (
            Status.CONTACTED,
            Status.FOLLOWED_UP,
        ):
            return f"the contact is {contact.status.value}"
        if message.kind == Kind.INVITE:
            interview = self.state.interviews.get(message.interview_id or "")
            if interview is None or interview.status not in ("proposed", "scheduled"):
                return "the interview is off"
            if interview.conflict:
                return f"{interview.conflict} is in the way"
            if self.due.come(interview.start):
                return "its time has come before the invite went out"
        return None

    def _resume(self) -> None:
        for contact in self._contacts():
            ask = pauses.ask_at(contact)
            if ask is not None:  # the cycle asks MailTips first; if it could not, soon again
                self.due.later(ask if ask > self.now else self.now + pauses.ASK_AGAIN)
            if contact.status != Status.PAUSED or contact.paused_until is None:
                continue
            if not self.due.come(contact.paused_until):
                continue
            target = pauses.resume_target(self.state, contact)
            self._status(
                contact, target, f"back after the pause until {stamp(contact.paused_until)}"
            )

    def _interviews(self) -> None:
        for interview in self._interview_list():
            contact = self.state.contacts.get(interview.contact_id)
            if contact is None:
                continue
            end = interview.start + timedelta(minutes=interview.minutes)
            if not self.due.come(end):
                continue
            took_place = interview.status == "scheduled" or (
                interview.status == "proposed" and interview.logged_at is not None
            )
            if took_place:
                self._emit(
                    InterviewChange(
                        interview.id, "held", f"interview of {stamp(interview.start)} ended"
                    )
                )
                if contact.status in _BEFORE_INTERVIEWED:
                    self._status(
                        contact, Status.INTERVIEWED, f"interview of {stamp(interview.start)} ended"
                    )
            elif interview.status == "proposed":
                self._remind(
                    contact,
                    f"unconfirmed:{interview.id}",
                    f"The interview of {stamp(interview.start)} was never accepted: if it took "
                    "place, log it (outreach log); if not, reschedule or forget it.",
                )
            if interview.status == "held" and interview.logged_at is None:
                self._remind(
                    contact,
                    f"log:{interview.id}",
                    f"Log the interview of {stamp(interview.start)} while it is fresh: "
                    "impressions, advice, referrals (outreach log).",
                )

    def _invites(self) -> None:
        for interview in self._interview_list():
            if interview.status not in ("proposed", "scheduled") or self.due.come(interview.start):
                continue
            contact = self.state.contacts.get(interview.contact_id)
            if contact is None or interview.conflict:
                continue  # something is in the way: the user chooses first
            message = self._message(contact, Kind.INVITE, interview_id=interview.id)
            if message is not None:
                moved = agreed.moved_invite(self.state, contact.id)
                message.moves = moved.id if moved is not None else None
                self._emit(message)

    def _held_recently(self) -> list[tuple[Interview, Contact]]:
        """Interviews held whose thank-you delay has passed, not too long ago."""
        due = []
        for interview in self._interview_list():
            if interview.status != "held":
                continue
            end = interview.start + timedelta(minutes=interview.minutes)
            if not self.due.come(end + timedelta(minutes=self.policy.thank_you_delay_minutes)):
                continue
            if self.now - end > LATE:
                continue
            contact = self.state.contacts.get(interview.contact_id)
            if contact is not None:
                due.append((interview, contact))
        return due

    def _thank_yous(self) -> None:
        for interview, contact in self._held_recently():
            message = self._message(contact, Kind.THANK_YOU, interview_id=interview.id)
            if message is not None:
                self._emit(message)

    def _report_backs(self) -> None:
        if not self.policy.report_back:
            return
        for interview, contact in self._held_recently():
            referrer = self.state.contacts.get(contact.referred_by or "")
            if referrer is None:
                continue
            message = self._message(referrer, Kind.REPORT_BACK, interview_id=interview.id)
            if message is not None:
                self._emit(message)

    def _follow_ups(self) -> None:
        due: list[tuple[datetime, str, Contact, int, Message]] = []
        for contact in self._contacts():
            if contact.status not in (Status.CONTACTED, Status.FOLLOWED_UP):
                continue
            if contact.do_not_contact:
                continue
            mine = self.state.messages_of(contact.id)
            requests = [m for m in mine if m.kind == Kind.REQUEST and m.state == MessageState.SENT]
            if not requests:
                continue
            request = requests[-1]
            ups = [m for m in mine if m.kind == Kind.FOLLOW_UP and m.state in LIVE]
            if any(m.state != MessageState.SENT for m in ups):
                continue  # a follow-up waits in Drafts (or was deleted): the user's move
            sent = [request, *ups]
            last = max(m.sent_at for m in sent if m.sent_at is not None)
            base = max(last, contact.status_changed_at or last)
            when = self.days.after(base, self.policy.follow_up_after_days)
            if not self.due.come(when):
                continue
            due.append((when, contact.id, contact, len(ups), request))
        for _when, _id, contact, count, request in sorted(due, key=lambda d: (d[0], d[1])):
            if count >= self.policy.max_follow_ups:
                last = "the request" if count == 0 else f"follow-up {count}"
                self._status(
                    contact,
                    Status.NO_RESPONSE,
                    f"no answer {self.policy.follow_up_after_days} business days after {last}",
                )
                continue
            message = self._message(
                contact, Kind.FOLLOW_UP, sequence=count + 1, thread_of=request.id
            )
            if message is not None:
                self._emit(message)

    def _wake(self) -> None:
        """Try the emails waiting for a free time again when one may have come free."""
        action = waits.wake(self.state, self.now, self.settings, self.room)
        if action is not None:
            self.room -= len(action.message_ids)
            self.woken = True
            self._emit(action)
        if waits.waiting(self.state):
            self.due.tomorrow(self.zone)  # the window moves on a day (and the cap counts afresh)

    def _requests(self) -> None:
        if self.woken or waits.waiting(self.state):
            return  # the woken go first; while some wait, a fresh request would only join them
        waiting = [
            c
            for c in self._contacts()
            if c.status in (Status.NEW, Status.DRAFTED) and not self._live(c, Kind.REQUEST)
        ]
        waiting.sort(key=_request_order)
        for number, contact in enumerate(waiting):
            if self.room <= 0:
                self.due.tomorrow(self.zone)
                self._held_for_tomorrow(len(waiting) - number)
                break
            message = self._message(contact, Kind.REQUEST)
            if message is None:
                continue
            self._emit(message)
            self._status(contact, Status.DRAFTED, "request planned")

    def _held_for_tomorrow(self, count: int) -> None:
        """Say once a day (in the log and the history) that the cap holds requests back."""
        key = f"cap-day:{self.now.astimezone(self.zone).date().isoformat()}"
        if reminded(self.state, key):
            return
        memo(self.state)["reminded"].append(key)
        cap = self.policy.daily_send_cap
        self.state.note(
            self.now,
            "held",
            None,
            f"{count} request{'' if count == 1 else 's'} wait for tomorrow: today's cap "
            f"({cap} email{'' if cap == 1 else 's'}, policy.daily_send_cap) is reached",
            {"waiting": count},
        )

    def _done(self) -> None:
        for contact in self._contacts():
            if contact.status != Status.THANKED:
                continue
            interviews = [
                i for i in self.state.interviews_of(contact.id) if i.status != "cancelled"
            ]
            if interviews and all(i.status == "held" and i.logged_at for i in interviews):
                self._status(contact, Status.DONE, "thanked and logged")

    def _settle(self) -> None:
        """Take away the attention lines whose cause is resolved (``engine.attention``)."""
        for contact in self._contacts():
            reason = attention.settled(self.state, contact, self.now)
            if reason is not None:
                self._emit(Clear(contact.id, reason))

    def _outbox(self) -> None:
        """Messages the outbox has to carry into the mailbox (or holds to take off the
        calendar) are due at once: the next cycle performs them. Emails waiting for a
        free time are not: they wait for a time given back, or for tomorrow (``_wake``)."""
        for message in self.state.messages.values():
            if (message.state == MessageState.PLANNED and not message.waits) or (
                message.release and message.state == MessageState.DRAFTED
            ):
                self.due.at_once()
                return

    # --- helpers ----------------------------------------------------------------------

    def _contacts(self) -> list[Contact]:
        return sorted(self.state.contacts.values(), key=lambda c: c.id)

    def _interview_list(self) -> list[Interview]:
        return sorted(self.state.interviews.values(), key=lambda i: (i.start, i.id))

    def _live(self, contact: Contact, kind: Kind) -> bool:
        return any(
            m.kind == kind and m.state in LIVE for m in self.state.messages.of(contact.id)
        )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _request_order(contact: Contact) -> tuple[bool, datetime, str, str]:
    """Referrals first, then oldest first; ties by name and id for a stable order."""
    referral = contact.referred_by is not None
    return (not referral, contact.created_at or _EPOCH, contact.name, contact.id)
