"""Observations -> state changes, one event per change, safe to apply twice."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from outreach.config.settings import Settings
from outreach.core.model import (
    Contact,
    Interview,
    Kind,
    Message,
    MessageState,
    Slot,
    State,
    Status,
)
from outreach.core.observations import (
    AutoReply,
    Bounce,
    DraftDeleted,
    DraftEdited,
    DraftSent,
    Incoming,
    InterviewCancelled,
    InterviewMoved,
    MeetingAccepted,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingResponse,
    MeetingTentative,
    Observation,
    ReplyReceived,
)
from outreach.core.textsafe import one_line
from outreach.engine import agreed
from outreach.engine.actions import (
    StatusChange,
    about,
    commit,
    describe,
    flag,
    remember,
    seen,
    set_status,
    stamp,
)
from outreach.engine.match import match, match_message
from outreach.engine.quotes import own_words
from outreach.engine.replies import ReadingKind, read_reply

#: Before any answer: a reply, bounce or out-of-office may still change these.
WAITING = frozenset({Status.CONTACTED, Status.FOLLOWED_UP})
BEFORE_REPLY = frozenset(
    {
        Status.NEW,
        Status.DRAFTED,
        Status.CONTACTED,
        Status.FOLLOWED_UP,
        Status.PAUSED,
        Status.NO_RESPONSE,
        Status.REJECTED,
        Status.BOUNCED,
    }
)
BEFORE_INTERVIEW = BEFORE_REPLY | {Status.REPLIED, Status.SCHEDULING}


def observation_key(observation: Observation) -> str:
    """Return what identifies one observation across replays of a sync page.

    A message's internet message id stands in for its item id when it has one: EWS
    and Graph name the same item differently, so a campaign moved from one to the
    other still recognizes what it already applied.
    """
    mid = getattr(observation, "internet_message_id", None) or ""
    parts = [
        type(observation).__name__,
        "" if mid else observation.item_id,
        getattr(observation, "tracking_id", None) or "",
        mid,
        observation.at.isoformat(),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def apply(state: State, observation: Observation, now: datetime, settings: Settings) -> None:
    """Record what ``observation`` means for the State (mutating it), one event per change.

    Observations about nobody we know are ignored. Applying the same observation
    again changes nothing: its key is remembered in the engine's memo.
    """
    if isinstance(observation, Incoming) and _from_user(observation.sender, settings):
        return
    contact_id = match(state, observation)
    if contact_id is None:
        return
    key = observation_key(observation)
    if seen(state, key):
        return
    if isinstance(observation, DraftSent):
        _draft_sent(state, observation)
    elif isinstance(observation, DraftEdited):
        _draft_edited(state, observation)
    elif isinstance(observation, DraftDeleted):
        _draft_deleted(state, observation)
    elif isinstance(observation, InterviewMoved | InterviewCancelled):
        _interview_changed(state, observation)
    elif isinstance(observation, MeetingResponse):
        _meeting_response(state, contact_id, observation)
    elif isinstance(observation, AutoReply):
        _auto_reply(state, contact_id, observation, settings)
    elif isinstance(observation, Bounce):
        _bounce(state, contact_id, observation)
    elif isinstance(observation, ReplyReceived):
        _reply(state, contact_id, observation, settings)
    remember(state, key)
    if contact_id in state.contacts:
        state.contacts[contact_id].updated_at = now


def _from_user(sender: str, settings: Settings) -> bool:
    own = {settings.user.email.lower(), settings.mailbox.email.lower()} - {""}
    return sender.strip().lower() in own


def _event(
    state: State, at: datetime, kind: str, contact_id: str, text: str, **data: object
) -> None:
    state.note(at, kind, contact_id, text, dict(data))


def _cancel(state: State, interview: Interview, at: datetime, why: str = "") -> None:
    """Mark ``interview`` cancelled and say so (and ``why``) in its contact's history."""
    interview.status = "cancelled"
    text = f"interview of {stamp(interview.start)} cancelled{why}"
    _event(state, at, "interview", interview.contact_id, text, interview_id=interview.id)


# --- our own drafts -------------------------------------------------------------------


def _draft_sent(state: State, obs: DraftSent) -> None:
    message = match_message(state, obs)
    if message is None or message.state == MessageState.SENT:
        return
    message.state = MessageState.SENT
    message.sent_at = obs.at
    message.item_id = obs.item_id or message.item_id
    message.internet_message_id = obs.internet_message_id or message.internet_message_id
    message.conversation_id = obs.conversation_id or message.conversation_id
    cid = message.contact_id
    if cid not in state.contacts:
        return
    _event(
        state,
        obs.at,
        "sent",
        cid,
        f"{describe(message)} sent {stamp(obs.at)}",
        message_id=message.id,
        internet_message_id=message.internet_message_id,
    )
    contact = state.contacts[cid]
    target = {
        Kind.REQUEST: (
            Status.CONTACTED,
            {Status.NEW, Status.DRAFTED, Status.REJECTED, Status.NO_RESPONSE},
        ),
        Kind.FOLLOW_UP: (
            Status.FOLLOWED_UP,
            {Status.NEW, Status.DRAFTED, Status.CONTACTED, Status.REJECTED, Status.NO_RESPONSE},
        ),
        Kind.THANK_YOU: (Status.THANKED, {Status.INTERVIEWED}),
    }.get(message.kind)
    if target is None:
        return
    status, before = target
    if contact.status == Status.PAUSED and contact.paused_from in before:
        contact.paused_from = status
    elif contact.status in before:
        set_status(state, cid, status, obs.at, f"{describe(message)} sent {stamp(obs.at)}")


def _draft_edited(state: State, obs: DraftEdited) -> None:
    message = match_message(state, obs)
    if message is None or message.contact_id not in state.contacts:
        return
    _event(
        state,
        obs.at,
        "edited",
        message.contact_id,
        f"{describe(message)} draft edited {stamp(obs.at)}",
        message_id=message.id,
    )


def _draft_deleted(state: State, obs: DraftDeleted) -> None:
    message = match_message(state, obs)
    if message is None or message.state not in (MessageState.PLANNED, MessageState.DRAFTED):
        return
    message.state = MessageState.DELETED
    cid = message.contact_id
    if cid not in state.contacts:
        return
    what = f"{describe(message)} draft deleted {stamp(obs.at)}"
    _event(state, obs.at, "deleted", cid, what, message_id=message.id)
    contact = state.contacts[cid]
    if message.kind == Kind.REQUEST and contact.status in (Status.NEW, Status.DRAFTED):
        set_status(state, cid, Status.REJECTED, obs.at, what)
    elif message.kind == Kind.FOLLOW_UP and contact.status in WAITING | {Status.PAUSED}:
        set_status(state, cid, Status.NO_RESPONSE, obs.at, f"{what}: no more follow-ups")
    elif message.kind == Kind.INVITE and message.interview_id in state.interviews:
        interview = state.interviews[message.interview_id]
        if interview.status in ("proposed", "scheduled"):
            _cancel(state, interview, obs.at, ": its invite was deleted")
            flag(
                state,
                cid,
                f"The invite for {stamp(interview.start)} was deleted before it "
                "was sent: schedule again (outreach schedule) if you still want to meet.",
                obs.at,
                about("invite-deleted", interview.id),
            )


# --- mail from people ------------------------------------------------------------------


def _reply(state: State, cid: str, obs: ReplyReceived, settings: Settings) -> None:
    contact = state.contacts[cid]
    _event(
        state,
        obs.at,
        "reply",
        cid,
        f"reply received {stamp(obs.at)}: {obs.subject}".strip(),
        item_id=obs.item_id,
        internet_message_id=obs.internet_message_id,
    )
    slots = proposed_slots(state, cid)
    own = obs.own_text or obs.body_text
    reading = read_reply(own, slots)
    _event(
        state,
        obs.at,
        "reading",
        cid,
        reading.sentence,
        reading=reading.kind.value,
        slot_index=reading.slot_index,
        confidence=reading.confidence,
    )
    note = f"Replied {stamp(obs.at)}: {reading.sentence}{their_words(own)}"
    cause = about("reply", obs.at)
    pick = reading.kind == ReadingKind.PICK and reading.sure and reading.slot_index is not None
    if contact.status in BEFORE_INTERVIEW and not contact.do_not_contact:
        if pick:
            slot = slots[reading.slot_index]  # type: ignore[index]
            interview = _agree(state, contact, slot, settings, obs.at)
            if interview.conflict:
                note += " " + agreed.held_back(interview)
                cause = about("held-back", interview.id)  # goes when that choice is made
            else:
                note += " The invite is planned for your approval."
        elif reading.kind == ReadingKind.DECLINE and reading.sure:
            set_status(state, cid, Status.DECLINED, obs.at, f"reply {stamp(obs.at)} declines")
        elif contact.status != Status.SCHEDULING:
            set_status(state, cid, Status.REPLIED, obs.at, f"reply received {stamp(obs.at)}")
    pending = [
        m
        for m in state.messages_of(cid)
        if m.kind == Kind.FOLLOW_UP and m.state == MessageState.DRAFTED
    ]
    if pending:
        names = ", ".join(describe(m) for m in pending)
        note += f" ({names} still in Drafts: delete it.)"
    flag(state, cid, note, obs.at, cause)


#: How much of a reply the attention line quotes.
QUOTED_CHARACTERS = 120


def their_words(text: str) -> str:
    """The reply's own words for the attention line (' They wrote: "…"'), never the quoted
    request under them; "" when there are none."""
    words = one_line(own_words(text))
    if not words:
        return ""
    if len(words) > QUOTED_CHARACTERS:
        words = words[: QUOTED_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"
    return f' They wrote: "{words}"'


def proposed_slots(state: State, cid: str) -> list[Slot]:
    """Return the times the contact is answering: those of the latest request or
    follow-up that proposed any, sent ones first (a draft may never reach them).

    The reply reader and ``outreach schedule --slot N`` both count from these, so a
    deleted or failed draft's times are never mistaken for the ones sent.
    """
    outreach = [
        m
        for m in state.messages_of(cid)
        if m.kind in (Kind.REQUEST, Kind.FOLLOW_UP)
        and m.slots
        and m.state in (MessageState.SENT, MessageState.DRAFTED)
    ]
    outreach.sort(key=lambda m: (m.sent_at is not None, m.sent_at or m.planned_at or m.drafted_at))
    return list(outreach[-1].slots) if outreach else []


def _agree(
    state: State, contact: Contact, slot: Slot, settings: Settings, at: datetime
) -> Interview:
    """Record the agreed time as a proposed interview; plan then drafts (or moves) the invite."""
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    return agreed.agree(
        state,
        contact.id,
        slot.start,
        minutes or settings.scheduling.interview_minutes,
        at,
        location=settings.scheduling.location,
        why=f"reply {stamp(at)} picks a proposed time",
        picked=True,
    )


def _auto_reply(state: State, cid: str, obs: AutoReply, settings: Settings) -> None:
    contact = state.contacts[cid]
    until = obs.until or obs.at + timedelta(days=settings.policy.out_of_office_default_days)
    said = "" if obs.until else " (no date given)"
    _event(
        state,
        obs.at,
        "auto-reply",
        cid,
        f"auto-reply {stamp(obs.at)}: away until {stamp(until)}{said}",
        until=until.isoformat(),
    )
    if until <= obs.at:
        return
    if contact.status in WAITING:
        commit(
            state,
            StatusChange(
                cid,
                Status.PAUSED,
                f"out of office until {stamp(until)}",
                paused_until=until,
                away=True,
            ),
            obs.at,
        )
    elif contact.status == Status.PAUSED and contact.paused_until and until > contact.paused_until:
        contact.paused_until = until
        _event(state, obs.at, "paused", cid, f"pause extended until {stamp(until)}")
    else:
        for interview in state.interviews_of(cid):
            if interview.status in ("proposed", "scheduled") and obs.at < interview.start < until:
                flag(
                    state,
                    cid,
                    f"Out of office until {stamp(until)}, but the interview is "
                    f"{stamp(interview.start)}: check it still holds.",
                    obs.at,
                    about("away", interview.id, until),
                )


def _bounce(state: State, cid: str, obs: Bounce) -> None:
    contact = state.contacts[cid]
    reason = obs.reason or "no reason given"
    _event(
        state, obs.at, "bounce", cid, f"bounced {stamp(obs.at)}: {reason}", recipient=obs.recipient
    )
    if contact.status in BEFORE_REPLY:
        set_status(state, cid, Status.BOUNCED, obs.at, f"mail bounced: {reason}")
    flag(
        state,
        cid,
        f"Mail to {obs.recipient or contact.email} bounced ({reason}): check the address.",
        obs.at,
        about("bounce", obs.recipient or contact.email),
    )


# --- the calendar ------------------------------------------------------------------------


def _interview_of(state: State, obs: Observation) -> Interview | None:
    message: Message | None = match_message(state, obs)
    if message is None or message.interview_id is None:
        return None
    return state.interviews.get(message.interview_id)


def _meeting_response(state: State, cid: str, obs: MeetingResponse) -> None:
    interview = _interview_of(state, obs)
    contact = state.contacts[cid]
    when = stamp(interview.start) if interview else "the interview"
    subject = interview.id if interview else ""
    if interview is not None and interview.superseded_by is not None:
        # an answer to the invite of a time since replaced: the story, never the new interview
        answer = type(obs).__name__.removeprefix("Meeting").lower()
        text = f"answered ({answer}) the invite for {when}, since moved"
        _event(state, obs.at, "stale-response", cid, text, interview_id=interview.id)
        return
    if isinstance(obs, MeetingAccepted):
        _event(state, obs.at, "accepted", cid, f"accepted the invite for {when}")
        if interview is not None and interview.status == "proposed":
            interview.status = "scheduled"
        if interview is not None and interview.status == "scheduled":
            if contact.status in BEFORE_INTERVIEW:
                set_status(state, cid, Status.SCHEDULED, obs.at, f"invite accepted for {when}")
            contact.attention, contact.attention_about = None, ""
    elif isinstance(obs, MeetingTentative):
        _event(state, obs.at, "tentative", cid, f"tentatively accepted the invite for {when}")
        flag(state, cid, f"Tentatively accepted the invite for {when}: confirm with them.", obs.at,
             about("tentative", subject))
    elif isinstance(obs, MeetingDeclined):
        _event(state, obs.at, "meeting-declined", cid, f"declined the invite for {when}")
        if interview is not None and interview.status in ("proposed", "scheduled"):
            interview.status = "cancelled"
        if contact.status == Status.SCHEDULED:
            set_status(state, cid, Status.SCHEDULING, obs.at, f"invite for {when} declined")
        flag(
            state,
            cid,
            f"Declined the invite for {when}. That is not a no to the interview: "
            "ask for another time (outreach schedule) or read their note.",
            obs.at,
            about("declined", subject),
        )
    elif isinstance(obs, MeetingProposedNewTime):
        proposed = stamp(obs.start) if obs.start else "another time"
        _event(
            state,
            obs.at,
            "new-time",
            cid,
            f"proposes {proposed} instead of {when}",
            start=obs.start.isoformat() if obs.start else None,
        )
        flag(
            state,
            cid,
            f"Proposes {proposed} instead of {when}: accept it in Outlook or "
            "reschedule (outreach schedule).",
            obs.at,
            about("new-time", subject, *([obs.start] if obs.start else [])),
        )


def _interview_changed(state: State, obs: InterviewMoved | InterviewCancelled) -> None:
    interview = _interview_of(state, obs)
    if interview is None or interview.status in ("held", "cancelled"):
        return
    cid = interview.contact_id
    if isinstance(obs, InterviewMoved):
        if obs.start is None or obs.start == interview.start:
            return
        old = interview.start
        interview.start = obs.start
        if obs.end is not None and obs.end > obs.start:
            interview.minutes = int((obs.end - obs.start).total_seconds() // 60)
        _event(
            state,
            obs.at,
            "interview",
            cid,
            f"interview moved from {stamp(old)} to {stamp(obs.start)}",
            interview_id=interview.id,
        )
        return
    _cancel(state, interview, obs.at)
    if cid in state.contacts:
        if state.contacts[cid].status == Status.SCHEDULED:
            set_status(state, cid, Status.SCHEDULING, obs.at, "interview cancelled")
        flag(
            state,
            cid,
            f"The interview of {stamp(interview.start)} was cancelled: "
            "reschedule (outreach schedule) or let it go.",
            obs.at,
            about("cancelled", interview.id),
        )
