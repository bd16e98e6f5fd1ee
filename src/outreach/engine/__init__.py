"""The pure core: observations -> state, and (state, now, settings) -> actions.

No I/O, no clock, no click, no exchangelib. ``match`` ties an observation to a
contact, ``apply`` records what it means, ``plan`` says what is due, and
``apply_plan`` records those actions and returns the new outbox messages.
"""

from outreach.engine import attention, pauses, waits
from outreach.engine.actions import (
    Action,
    Cancel,
    Flag,
    InterviewChange,
    Release,
    StatusChange,
    commit,
    message_id,
)
from outreach.engine.byhand import agree, plan_one
from outreach.engine.match import match, match_message
from outreach.engine.observe import apply, observation_key, proposed_slots
from outreach.engine.plan import apply_plan, next_due, plan
from outreach.engine.quotes import own_words
from outreach.engine.replies import Reading, ReadingKind, read_reply

__all__ = [
    "Action",
    "Cancel",
    "Flag",
    "InterviewChange",
    "Reading",
    "ReadingKind",
    "Release",
    "StatusChange",
    "agree",
    "apply",
    "apply_plan",
    "attention",
    "commit",
    "match",
    "match_message",
    "message_id",
    "next_due",
    "observation_key",
    "own_words",
    "pauses",
    "plan",
    "plan_one",
    "proposed_slots",
    "read_reply",
    "waits",
]
