"""State's grouped records: one contact's messages without scanning everyone's."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta

from outreach.core.model import Kind, Message, Records, State

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _message(contact_id: str, n: int) -> Message:
    return Message(contact_id=contact_id, kind=Kind.REQUEST, id=f"{contact_id}-{n}",
                   planned_at=T0 + timedelta(minutes=n))


def _scanned(state: State, contact_id: str) -> list[str]:
    return sorted(m.id for m in state.messages.values() if m.contact_id == contact_id)


def test_groups_follow_every_way_a_dict_changes() -> None:
    state = State(messages={m.id: m for m in (_message("a", 1), _message("b", 2))})
    assert isinstance(state.messages, Records)
    state.messages["a-3"] = _message("a", 3)
    state.messages.update({"b-4": _message("b", 4)})
    state.messages.setdefault("c-5", _message("c", 5))
    moved = _message("c", 1)
    moved.id = "a-1"
    state.messages["a-1"] = moved  # the same id, now someone else's
    del state.messages["b-2"]
    assert state.messages.pop("missing", None) is None
    state.messages.pop("c-5")
    for contact in ("a", "b", "c"):
        assert sorted(m.id for m in state.messages_of(contact)) == _scanned(state, contact)
    assert [m.id for m in state.messages_of("a")] == ["a-3"]
    assert [m.id for m in state.messages_of("c")] == ["a-1"]
    state.messages.clear()
    assert state.messages_of("a") == []


def test_assigning_a_plain_dict_keeps_the_groups() -> None:
    state = State()
    state.messages = {"x-1": _message("x", 1)}
    assert isinstance(state.messages, Records)
    assert [m.id for m in state.messages_of("x")] == ["x-1"]


def test_copies_keep_their_own_groups() -> None:
    state = State(messages={"a-1": _message("a", 1)})
    for twin in (copy.deepcopy(state), pickle.loads(pickle.dumps(state))):
        twin.messages["a-2"] = _message("a", 2)
        assert [m.id for m in twin.messages_of("a")] == ["a-1", "a-2"]
        assert twin.messages_of("a")[0] is not state.messages["a-1"]
    assert [m.id for m in state.messages_of("a")] == ["a-1"]
    assert state.messages == {"a-1": state.messages["a-1"]}
