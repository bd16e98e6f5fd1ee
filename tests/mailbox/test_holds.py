"""Tentative holds go on and come off the calendar in bulk, sending nothing (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from outreach.core.items import Meeting
from outreach.sandbox import Sandbox

START = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
ONE_REQUEST = {"ews": ("CreateItem", "DeleteItem"), "graph": ("POST /$batch", "POST /$batch")}


def hold(n: int) -> Meeting:
    start = START + timedelta(days=n)
    return Meeting(
        tracking_id=f"hold{n}",
        contact_id="contact1",
        subject=f"Hold: informational interview with Priya Castellan (proposed) {n}",
        start=start,
        end=start + timedelta(minutes=30),
        location="Building 5, room 512",
        body_html="",
        reminder_minutes=0,
        tentative=True,
    )


def test_holds_are_created_and_removed_in_one_request_each(
    sandbox: Sandbox, face: Any, backend: Any
) -> None:
    create, delete = ONE_REQUEST[face.protocol]
    face.warm(backend)
    face.reset()
    made = backend.create_holds([hold(n) for n in range(5)])
    assert face.requests() == {create: 1}
    assert [c.tracking_id for c in made] == [f"hold{n}" for n in range(5)]
    assert not any(c.sent for c in made)
    calendar = sandbox.controls.inspect()["calendar"]
    stored = {i["id"] for i in calendar}
    assert len(stored) == 5 and all(_ews(c.item_id) in stored for c in made)
    item = sandbox.mailbox().items[_ews(made[0].item_id)]
    assert item.text("LegacyFreeBusyStatus") == "Tentative"
    assert not item.get("RequiredAttendees")
    assert sandbox.controls.inspect()["sentitems"] == []  # no invitation went anywhere

    face.reset()
    backend.remove_holds([c.item_id for c in made[:3]] + [made[0].item_id])  # one twice
    assert face.requests() == {delete: 1}
    left = sandbox.controls.inspect()["calendar"]
    assert sorted(i["id"] for i in left) == sorted(_ews(c.item_id) for c in made[3:])


def _ews(item_id: str) -> str:
    """The sandbox keeps EWS ids; Graph spells the same id URL-safe."""
    return item_id.replace("-", "+").replace("_", "/")
