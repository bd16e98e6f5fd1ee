"""What the person asks for by hand (`outreach send | draft | schedule`), under the same rules.

A one-off email gets the same stable id the planner would give it, so the daemon
sees it in its place and never plans a second one; the caps and the stop rules
are the planner's, and a refusal is a UserError that says why.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.config.settings import Settings
from outreach.core.errors import UserError
from outreach.core.model import (
    STOPPED,
    Interview,
    Kind,
    Message,
    MessageState,
    Mode,
    State,
)
from outreach.engine import agreed
from outreach.engine.actions import EMAIL_KINDS, describe, message_id, slot_of, today_count


def plan_one(
    state: State,
    contact_id: str,
    kind: Kind,
    now: datetime,
    settings: Settings,
    send: bool,
    *,
    note: str = "",
    link: str = "",
    attach_resume: bool = False,
) -> Message:
    """Return the request, next follow-up, thank-you or update to ``contact_id``, not recorded.

    An update (``note``, ``link``) goes to someone interviewed; ``attach_resume`` only
    with a thank-you. Raise UserError if the contact may not be written to, a cap is
    reached, or the same email is already in Drafts or was sent.
    """
    if attach_resume and kind != Kind.THANK_YOU:
        raise UserError("The résumé goes with a thank-you only, at the close of the interview; "
                        "never with a request or a follow-up.")  # fmt: skip
    contact = state.contacts[contact_id]
    if contact.do_not_contact:
        raise UserError(f"{contact.name} is marked do-not-contact; nothing was done.")
    if contact.status in STOPPED:
        raise UserError(f"{contact.name} is {contact.status.value}; nothing was done.")
    mine = state.messages_of(contact_id)

    def sent(of: Kind) -> list[Message]:
        return [m for m in mine if m.kind == of and m.state == MessageState.SENT]

    thread_of = interview_id = None
    sequence = 1
    if kind == Kind.FOLLOW_UP:
        requests = sent(Kind.REQUEST)
        if not requests:
            raise UserError(f"No request to {contact.name} was sent yet: there is nothing to "
                            "follow up. Use --kind request.")  # fmt: skip
        thread_of = requests[-1].id
        sequence = len(sent(Kind.FOLLOW_UP)) + 1
    elif kind == Kind.THANK_YOU:
        held = [
            i for i in state.interviews_of(contact_id) if i.start <= now and i.status != "cancelled"
        ]
        if not held:
            raise UserError(f"{contact.name} has no interview that has begun; nothing to thank "
                            "them for yet.")  # fmt: skip
        interview_id = held[-1].id
    elif kind == Kind.UPDATE:
        held = [
            i for i in state.interviews_of(contact_id)
            if i.start <= now and (i.status == "held" or i.logged_at is not None)
        ]  # fmt: skip
        if not held:
            raise UserError(f"{contact.name} has not been interviewed yet: an update reports "
                            "back on their advice after the interview.")  # fmt: skip
        interview_id = held[-1].id
        sequence = len(sent(Kind.UPDATE)) + 1
    place = (contact_id, kind, sequence, interview_id)
    same = [m for m in state.messages.values() if slot_of(m) == place]
    for m in same:
        if m.state == MessageState.PLANNED and m.item_id is None:
            waiting = Message.from_dict(m.to_dict())
            waiting.send = send
            waiting.note, waiting.link = note or waiting.note, link or waiting.link
            waiting.attach_resume = attach_resume or waiting.attach_resume
            if waiting.waits:  # asked for by hand: it goes now if a time is free, and counts
                if send:
                    _check_daily_cap(state, now, settings)
                waiting.waits, waiting.planned_at = "", now
            return waiting  # recorded but not yet in the mailbox: this is the one
        if m.state == MessageState.DRAFTED:
            raise UserError(
                f"The {describe(m)} to {contact.name} is already in your Drafts "
                f"folder ({m.subject!r}): send it from Outlook or delete it first."
            )
        if m.state == MessageState.SENT:
            raise UserError(f"The {describe(m)} to {contact.name} was already sent.")
    _check_caps(state, contact_id, now, settings, send)
    key = interview_id if interview_id is not None else sequence
    if kind == Kind.UPDATE:
        key = f"{interview_id}:{sequence}"
    return Message(
        contact_id=contact_id,
        kind=kind,
        id=message_id(contact_id, kind, key, attempt=len(same)),
        sequence=sequence,
        thread_of=thread_of,
        interview_id=interview_id,
        planned_at=now,
        send=send,
        note=note,
        link=link,
        attach_resume=attach_resume,
    )


def _check_caps(
    state: State, contact_id: str, now: datetime, settings: Settings, send: bool
) -> None:
    policy = settings.policy
    to_contact = sum(
        1
        for m in state.messages.values()
        if m.contact_id == contact_id
        and m.kind in EMAIL_KINDS
        and m.state in (MessageState.PLANNED, MessageState.DRAFTED, MessageState.SENT)
    )
    if to_contact >= policy.per_contact_cap:
        raise UserError(f"The per-contact cap is reached ({policy.per_contact_cap} emails); "
                        "raise policy.per_contact_cap to write again.")  # fmt: skip
    if send:
        _check_daily_cap(state, now, settings)


def _check_daily_cap(state: State, now: datetime, settings: Settings) -> None:
    policy = settings.policy
    counted = today_count(state, now, ZoneInfo(settings.time.timezone))
    if counted >= policy.daily_send_cap:
        raise UserError(f"Today's send cap is reached ({policy.daily_send_cap} emails planned "
                        "or sent today); the email can go tomorrow, or raise "
                        "policy.daily_send_cap.")  # fmt: skip


def agree(
    state: State,
    contact_id: str,
    start: datetime,
    length: timedelta,
    now: datetime,
    settings: Settings,
    mode: Mode = Mode.OFFICE,
    location: str = "",
    force: bool = False,
) -> Interview:
    """Record a time agreed by hand as the contact's interview (superseding one not yet held);
    the planner then drafts the invite, or moves the earlier one's."""
    return agreed.agree(
        state,
        contact_id,
        start,
        int(length.total_seconds() // 60),
        now,
        mode=mode,
        location=location or ("" if mode == Mode.PHONE else settings.scheduling.location),
        why=f"agreed by hand ({mode.value})",
        force=force,
    )
