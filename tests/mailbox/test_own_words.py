"""A reply's own words, on both backends: asked for in the requests a cycle already makes.

The server computes the part of a reply that does not repeat its conversation (EWS
UniqueBody, Graph uniqueBody); the observation carries it as ``own_text`` beside the
whole body, and a cycle that reads replies costs what it cost before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from test_observe import QUIET, cycle

from outreach.core.items import OutgoingEmail
from outreach.core.observations import ReplyReceived
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
