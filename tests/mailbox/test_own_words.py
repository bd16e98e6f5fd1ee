"""A reply's own words, on both backends: asked for in the requests a cycle already makes.

The server computes the part of a reply that does not repeat its conversation (EWS
UniqueBody, Graph uniqueBody); the observation carries it as ``own_text`` beside the
whole body, and a cycle that reads replies costs what it cost before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from test_observe import QUIET, cycle

from outreach.core.items import OutgoingEmail
from outreach.core.observations import ReplyReceived
from outreach.mailbox.classify import html_text
from outreach.sandbox import Sandbox

Email = Callable[..., OutgoingEmail]
#: what a cycle that reads replies costs, per face: the poll and Inbox's page, or one batch
READING = {"ews": {"GetEvents": 1, "SyncFolderItems": 1}, "graph": {"POST /$batch": 1}}


def test_a_cycle_reading_replies_costs_what_it_did(
    email: Email, sandbox: Sandbox, face: Any, backend: Any
) -> None:
    _, state = cycle(backend, {})
    backend.create_drafts([email(n) for n in range(1, 4)])
    for n in range(1, 4):
        sandbox.controls.press_send(subject=f"({n})")
    _, state = cycle(backend, state)
    for n in range(1, 4):
        sandbox.controls.reply(subject=f"({n})", body=f"Thursday works for me. ({n})")
    face.reset()
    result = backend.sync(state)
    assert face.requests() == READING[face.protocol]
    assert not result.more
    replies = [o for o in result.observations if isinstance(o, ReplyReceived)]
    expected = [f"Thursday works for me. ({n})" for n in (1, 2, 3)]
    assert sorted(r.own_text for r in replies) == expected
    face.reset()
    assert backend.sync(result.state).observations == []
    assert face.requests() == QUIET[face.protocol]


REQUEST = (
    "<p>Hello Priya,</p><p>I am exploring data platforms and would value 20 minutes of your"
    " time to hear how your work looks from the inside. Would one of these times suit you?</p>"
    "<ul><li>Tuesday 8 December, 10:00 to 10:30</li><li>Wednesday 9 December, 14:00 to"
    " 14:30</li><li>Thursday 10 December, 09:00 to 09:30</li></ul>"
    "<p>A short phone call would also be fine.</p><p>Best regards,<br>Robin Vale</p>"
)
ANSWER = "Thursday works for me.\n\nPriya"


def request(email: Email, n: int) -> OutgoingEmail:
    return replace(email(n), html=REQUEST, text=html_text(REQUEST))


def answered(
    email: Email, sandbox: Sandbox, backend: Any, replies: list[dict[str, Any]]
) -> list[ReplyReceived]:
    """Send one request per reply, let each be answered as given; the replies observed,
    in the order given."""
    _, state = cycle(backend, {})
    backend.create_drafts([request(email, n) for n in range(1, len(replies) + 1)])
    for n in range(1, len(replies) + 1):
        sandbox.controls.press_send(subject=f"({n})")
    _, state = cycle(backend, state)
    for n, how in enumerate(replies, start=1):
        sandbox.controls.reply(subject=f"({n})", **{"body": ANSWER, **how})
    seen, _ = cycle(backend, state)
    got = {o.subject: o for o in seen if isinstance(o, ReplyReceived)}
    numbers = range(1, len(replies) + 1)
    return [next(o for s, o in got.items() if s.endswith(f"({n})")) for n in numbers]


QUOTES = [
    {"quoting": "outlook", "language": "de"},
    {"quoting": "outlook", "language": "fr"},
    {"quoting": "outlook-original", "language": "de"},
    {"quoting": "outlook-html", "language": "fr"},
    {"quoting": "gmail", "language": "fr"},
    {"quoting": "gmail-html", "language": "de"},
    {"quoting": "apple", "language": "de"},
    {"quoting": "thunderbird", "language": "fr"},
]


def test_the_own_words_of_a_reply_quoting_in_german_or_french_leave_the_quote_out(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    for how, reply in zip(QUOTES, answered(email, sandbox, backend, QUOTES), strict=True):
        assert reply.own_text == ANSWER, how
        assert "Wednesday 9 December" in reply.body_text, how  # the whole body is kept too
        assert reply.body_text.index("Thursday works") < reply.body_text.index("Robin Vale"), how


def test_nothing_repeated_or_no_conversation_gives_the_whole_body(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    pasted = "I'll take\nWednesday 9 December, 14:00 to 14:30\nif that still works."
    unquoted, fresh, pasting = answered(
        email,
        sandbox,
        backend,
        [
            {},
            {"quoting": "outlook", "language": "de", "in_thread": False},
            {"body": pasted},
        ],
    )
    assert unquoted.own_text == ANSWER == unquoted.body_text
    assert fresh.own_text == fresh.body_text and "Betreff: A 20-minute" in fresh.own_text
    assert pasting.own_text == pasted  # a time pasted from the request is no quote
