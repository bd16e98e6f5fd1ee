"""Tentative holds go on and come off the calendar in bulk, sending nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outreach.mailbox.base import Meeting
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox

START = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


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
    sandbox: Sandbox, backend: EwsMailbox
) -> None:
    backend.account.calendar  # noqa: B018 - the folder lookup happens once per process
    sandbox.controls.reset_request_counts()
    made = backend.create_holds([hold(n) for n in range(5)])
    assert sandbox.controls.request_counts() == {"CreateItem": 1}
    assert [c.tracking_id for c in made] == [f"hold{n}" for n in range(5)]
    assert not any(c.sent for c in made)
    calendar = sandbox.controls.inspect()["calendar"]
    assert sorted(i["id"] for i in calendar) == sorted(c.item_id for c in made)
    item = sandbox.mailbox().items[made[0].item_id]
    assert item.text("LegacyFreeBusyStatus") == "Tentative"
    assert sandbox.controls.inspect()["sentitems"] == []  # no invitation went anywhere

    sandbox.controls.reset_request_counts()
    backend.remove_holds([c.item_id for c in made[:3]] + [made[0].item_id])  # one twice
    assert sandbox.controls.request_counts() == {"DeleteItem": 1}
    left = sandbox.controls.inspect()["calendar"]
    assert sorted(i["id"] for i in left) == sorted(c.item_id for c in made[3:])
