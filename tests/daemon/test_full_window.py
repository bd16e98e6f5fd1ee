"""A bulk first day on a short window: the requests that find no free time wait, and are
drafted as times come free (a decline, the window moving on), never on a time already
offered to someone else. The sandbox's clock moves with the daemon's (one clock file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest

from outreach.core.model import Kind, Message, MessageState, State
from outreach.engine.agreed import offered

from .world import World

COUNT = 12


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    w = World(tmp_path, protocol=request.param,
              scheduling={"earliest_days": 1, "latest_days": 2}, daily_send_cap=40)
    yield w
    w.close()


def _requests(state: State) -> list[Message]:
    return [m for m in state.messages.values() if m.kind == Kind.REQUEST]


def _drafted(state: State) -> list[Message]:
    return [m for m in _requests(state) if m.state in (MessageState.DRAFTED, MessageState.SENT)]


def _waiting(state: State) -> list[Message]:
    return [m for m in _requests(state) if m.state == MessageState.PLANNED and m.waits]


def _never_offered_twice(state: State, now: object) -> None:
    held = [(cid, s) for cid in state.contacts for s in offered(state, cid, now)]  # type: ignore[arg-type]
    assert held
    for (a, one), (b, other) in combinations(held, 2):
        assert a == b or not (one.start < other.end and other.start < one.end), (a, b, one)


@pytest.mark.parametrize("world", ["ews", "graph"], indirect=True)
def test_a_bulk_first_day_waits_then_drafts_without_reusing_a_time(world: World) -> None:
    w = world
    people = w.root / "people.csv"
    rows = "".join(f"Person {n:02d},person{n:02d}@partner.example.net\n" for n in range(COUNT))
    people.write_text("name,email\n" + rows, encoding="utf-8")
    w.cli("contacts", "import", str(people))
    daemon = w.start()

    def sorted_out() -> State | None:
        state = w.state()
        done = len(_drafted(state)) + len(_waiting(state)) == COUNT
        return state if done and _drafted(state) and _waiting(state) else None

    state = w.wait("the window filled and the rest waiting", sorted_out, timeout=60)
    w.settled()
    _never_offered_twice(state, w.clock.now())
    drafted, waiting = _drafted(state), _waiting(state)
    assert len(w.folder("drafts")) == len(drafted)  # nothing in the mailbox for the waiting
    status = json.loads(w.cli("status", "--json").stdout)["waiting_for_time"]
    assert status["count"] == len(waiting)
    assert "proposed to another contact" in status["reason"]
    assert "scheduling.latest_days" in status["change"]
    assert {e["contact_id"] for e in status["emails"]} == {m.contact_id for m in waiting}
    said = w.cli("status").stdout
    assert f"{len(waiting)} emails wait for a free time to propose" in said

    # by hand too: `draft` and `send` say why instead of offering a time twice
    asleep = state.contacts[waiting[0].contact_id].email
    for args in (("draft", asleep), ("send", asleep, "--yes")):
        refused = w.cli(*args, check=False)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "never offered twice" in refused.stderr and "latest_days" in refused.stderr
    assert len(w.folder("drafts")) == len(drafted) and w.folder("sentitems") == []

    # a contact who got times declines: a waiting request is drafted on those times only
    first = drafted[0]
    freed = {s.start for s in first.slots}
    sent = w.controls.press_send(first.item_id)
    w.advance(minutes=10)
    w.controls.reply(sent, body="Thank you for asking, but I'm not interested.")
    w.advance(minutes=10)

    def took_them() -> list[Message]:
        now = _drafted(w.state())
        return [m for m in now if m.id not in {d.id for d in drafted}]

    newly = w.wait("a waiting request drafted on the freed times", took_them, timeout=60)
    assert {s.start for m in newly for s in m.slots} <= freed
    state = w.state()
    _never_offered_twice(state, w.clock.now())
    assert len(_waiting(state)) == len(waiting) - len(newly)

    # the window moves on a day: more go, still never on a time offered to someone else
    before = len(_waiting(state))
    w.advance(days=1)

    def moved_on() -> State | None:
        state = w.state()
        return state if len(_waiting(state)) < before else None

    state = w.wait("more drafted as the window moves on", moved_on, timeout=60)
    w.settled()
    _never_offered_twice(state, w.clock.now())
    assert w.stop(daemon) == 0
