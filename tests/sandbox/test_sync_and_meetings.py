"""Incremental sync of the four folders, and meetings with attendee responses."""

from __future__ import annotations

from datetime import timedelta

from exchangelib import CalendarItem, Message
from exchangelib.errors import ErrorInvalidSyncStateData

from .conftest import meeting_with, message_to

PRIYA = "priya.castellan@example.com"


def _sync(folder, state):
    changes = list(folder.sync_items(sync_state=state))
    return [(kind, getattr(obj, "subject", None)) for kind, obj in changes], folder.item_sync_state


def test_incremental_sync_of_four_folders(account, sandbox) -> None:
    states = {}
    for name in ("drafts", "sent", "inbox", "calendar"):
        changes, states[name] = _sync(getattr(account, name), None)
        assert changes == []
    d = message_to(account, PRIYA, "Ask Priya", folder=account.drafts, body="x", outreach_id="A-1")
    d.save()
    changes, states["drafts"] = _sync(account.drafts, states["drafts"])
    assert changes == [("create", "Ask Priya")]
    sandbox.controls.edit_draft(d.id, new_subject="Ask Priya (edited)")
    changes, states["drafts"] = _sync(account.drafts, states["drafts"])
    assert changes == [("update", "Ask Priya (edited)")]
    sandbox.controls.press_send(d.id)
    changes, states["drafts"] = _sync(account.drafts, states["drafts"])
    assert [c[0] for c in changes] == ["delete"]
    changes, states["sent"] = _sync(account.sent, states["sent"])
    assert changes == [("create", "Ask Priya (edited)")]
    sandbox.controls.reply(subject="Ask Priya")
    changes, states["inbox"] = _sync(account.inbox, states["inbox"])
    assert changes == [("create", "RE: Ask Priya (edited)")]
    changes, states["inbox"] = _sync(account.inbox, states["inbox"])
    assert changes == []
    CalendarItem(
        account=account,
        folder=account.calendar,
        subject="Block",
        start=sandbox.clock() + timedelta(days=1),
        end=sandbox.clock() + timedelta(days=1, minutes=30),
    ).save()
    changes, states["calendar"] = _sync(account.calendar, states["calendar"])
    assert changes == [("create", "Block")]


def test_sync_paging_and_invalid_state(account, sandbox) -> None:
    for n in range(5):
        Message(account=account, folder=account.drafts, subject=f"d{n}", body="x").save()
    sandbox.controls.reset_request_counts()
    seen = [obj.subject for _, obj in account.drafts.sync_items(max_changes_returned=2)]
    state = account.drafts.item_sync_state
    assert sorted(seen) == [f"d{n}" for n in range(5)]
    assert sandbox.controls.request_counts()["SyncFolderItems"] == 3
    sandbox.controls.invalidate_sync_states()
    try:
        list(account.drafts.sync_items(sync_state=state))
    except ErrorInvalidSyncStateData:
        pass
    else:
        raise AssertionError("expected ErrorInvalidSyncStateData")


def test_meeting_with_attendee_responses(account, sandbox) -> None:
    start = sandbox.clock() + timedelta(days=2)
    item = meeting_with(account, PRIYA, "Informational interview", start, location="Building 5")
    item.save(send_meeting_invitations="SendToAllAndSaveCopy")
    sandbox.controls.respond_to_meeting(item.id, attendee=PRIYA, response="accept")
    fresh = account.calendar.get(id=item.id)
    assert fresh.required_attendees[0].response_type == "Accept"
    assert fresh.changekey != item.changekey
    responses = list(account.inbox.all())
    assert [(r.item_class, r.subject) for r in responses] == [
        ("IPM.Schedule.Meeting.Resp.Pos", "Accepted: Informational interview")
    ]
    assert responses[0].sender.email_address == PRIYA
    for answer, cls in (("decline", "Neg"), ("tentative", "Tent")):
        sandbox.controls.respond_to_meeting(subject="Informational", response=answer)
        assert account.inbox.filter(item_class=f"IPM.Schedule.Meeting.Resp.{cls}").count() == 1
    sandbox.controls.respond_to_meeting(
        subject="Informational",
        response="propose",
        proposed_start=start + timedelta(hours=3),
        proposed_end=start + timedelta(hours=3, minutes=30),
    )
    proposal = account.inbox.get(subject__startswith="New Time Proposed")
    assert proposal.proposed_start == start + timedelta(hours=3)
    sandbox.controls.move_meeting(item.id, start=start + timedelta(days=1))
    assert account.calendar.get(id=item.id).start == start + timedelta(days=1)
    view = list(account.calendar.view(start=start, end=start + timedelta(days=3)))
    assert [v.subject for v in view] == ["Informational interview"]
    sandbox.controls.cancel_meeting(item.id)
    assert account.calendar.all().count() == 0
