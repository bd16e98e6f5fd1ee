"""The Mailbox contract, on both backends: each action against the sandbox over real HTTP.

Every test runs on EWS (exchangelib) and on Graph (httpx), through the ``face``
fixture; what only one protocol can show (its request names, its sign-in) is said
per face, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from outreach.core.errors import MailboxError
from outreach.core.items import Meeting, OutgoingEmail
from outreach.mailbox.classify import hold_until
from outreach.sandbox import Sandbox

Email = Callable[..., OutgoingEmail]
BERLIN = ZoneInfo("Europe/Berlin")
#: what bulk drafting and reconciliation cost, per face (never a request per item)
DRAFTS = {"ews": {"CreateItem": 1, "GetItem": 1}, "graph": {"POST /$batch": 1}}
MOVE = {
    "ews": {"GetItem": 1, "UpdateItem": 1},
    "graph": {"GET /events/{id}": 1, "PATCH /events/{id}": 1},
}


def ews_id(item_id: str) -> str:
    """The sandbox keeps EWS ids; Graph spells the same id URL-safe."""
    return item_id.replace("-", "+").replace("_", "/")


def interview(tracking_id: str = "inv1", **changes: Any) -> Meeting:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
    values: dict[str, Any] = {
        "tracking_id": tracking_id,
        "contact_id": "c1",
        "subject": "Informational interview",
        "start": start,
        "end": start + timedelta(minutes=30),
        "location": "Building 5, room 512",
        "body_html": "<p>Thank you for your time.</p>",
        "attendees": ("priya.castellan@example.com",),
        "reminder_minutes": 15,
    }
    return Meeting(**{**values, **changes})


def test_bulk_drafts_land_in_drafts_with_tracking(
    email: Email, sandbox: Sandbox, face: Any, backend: Any
) -> None:
    face.warm(backend)
    face.reset()
    made = backend.create_drafts([email(n) for n in range(1, 6)])
    assert face.requests() == DRAFTS[face.protocol]
    assert [c.tracking_id for c in made] == [f"msg{n:03d}" for n in range(1, 6)]
    assert all(c.internet_message_id and c.conversation_id and not c.sent for c in made)
    drafts = sandbox.controls.inspect()["drafts"]
    assert sorted(d["id"] for d in drafts) == sorted(ews_id(c.item_id) for c in made)
    item = sandbox.mailbox().items[ews_id(made[0].item_id)]
    props = " ".join(item.fields["ExtendedProperty"])
    assert "OutreachId" in props and "msg001" in props and "contact001" in props
    assert "X-Outreach-Id" in props  # the header travels as an InternetHeaders property
    face.reset()
    found = backend.find_tracked([c.tracking_id for c in made] + ["never-made"])
    assert set(found) == {c.tracking_id for c in made}
    assert found["msg003"].item_id == made[2].item_id
    counts = face.requests()  # in bulk: never a request per item
    if face.graph:
        assert counts == {"POST /$batch": 1}
    else:
        assert counts["FindItem"] == 2 and counts.get("GetItem", 0) <= 1


def test_reconciling_tells_deleted_sent_and_gone_drafts_apart(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    backend.create_drafts([email(n) for n in range(41, 45)])
    sandbox.controls.delete_draft(subject="(41)")  # to Deleted Items
    sandbox.controls.delete_draft(subject="(42)", hard=True)  # gone
    sandbox.controls.press_send(subject="(43)")
    found = backend.find_tracked(["msg041", "msg042", "msg043", "msg044"])
    assert set(found) == {"msg041", "msg043", "msg044"}
    assert found["msg041"].deleted and not found["msg041"].sent
    assert found["msg043"].sent and not found["msg043"].deleted
    assert not (found["msg044"].sent or found["msg044"].deleted)


def test_many_drafts_go_twenty_to_a_batch(email: Email, face: Any, backend: Any) -> None:
    face.warm(backend)
    face.reset()
    made = backend.create_drafts([email(n) for n in range(1, 46)])
    assert len(made) == 45
    assert sum(face.requests().values()) <= (3 if face.graph else 2)


def test_direct_send_keeps_tracking_in_sent_items(
    email: Email, sandbox: Sandbox, backend: Any
) -> None:
    created = backend.send(email(7))
    assert created.sent and created.item_id
    sent = sandbox.controls.inspect()["sentitems"]
    assert [s["id"] for s in sent] == [ews_id(created.item_id)]
    assert backend.find_tracked(["msg007"])["msg007"].sent


def test_a_draft_from_one_backend_is_found_by_the_other(
    email: Email, sandbox: Sandbox, face: Any, connect: Callable[..., Any]
) -> None:
    from conftest import connect_ews, connect_graph, SETTINGS  # noqa: I001 - the other face

    mine = connect()
    other = (
        connect_ews(sandbox, SETTINGS, "pw")
        if face.graph
        else connect_graph(sandbox, SETTINGS, lambda _: None)
    )
    try:
        made = other.create_drafts([email(31)])[0]
        found = mine.find_tracked(["msg031"])
        assert ews_id(found["msg031"].item_id) == ews_id(made.item_id)
        assert found["msg031"].internet_message_id == made.internet_message_id
    finally:
        other.close()


def invitations(sandbox: Sandbox, email: str) -> list[dict[str, Any]]:
    inbox = sandbox.controls.inspect(email)["inbox"]
    return [i for i in inbox if i["item_class"] == "IPM.Schedule.Meeting.Request"]


def test_meetings_unsent_sent_hold_and_cancel(sandbox: Sandbox, backend: Any) -> None:
    sandbox.mailbox("priya.castellan@example.com")  # a colleague: an invitation reaches her
    unsent = backend.create_meeting(interview(), send=False)
    assert not unsent.sent
    assert invitations(sandbox, "priya.castellan@example.com") == []  # waits for approval
    hold = backend.create_meeting(
        interview("hold1", subject="Hold: interview", location="", body_html="",
                  attendees=(), tentative=True),
        send=False,
    )  # fmt: skip
    calendar = {c["id"]: c for c in sandbox.controls.inspect()["calendar"]}
    assert calendar[ews_id(unsent.item_id)]["attendees"][0][0] == "priya.castellan@example.com"
    stored = sandbox.mailbox().items[ews_id(unsent.item_id)]
    assert stored.text("MeetingRequestWasSent") in (None, "false")
    assert stored.text("ReminderMinutesBeforeStart") == "15"
    assert sandbox.controls.inspect()["sentitems"] == []  # nobody was invited yet
    assert sandbox.mailbox().items[ews_id(hold.item_id)].text("LegacyFreeBusyStatus") == (
        "Tentative"
    )
    assert set(backend.find_tracked(["inv1", "hold1"])) == {"inv1", "hold1"}
    backend.cancel_meeting(hold.item_id, send=False)
    backend.cancel_meeting(hold.item_id, send=False)  # twice is harmless
    assert ews_id(hold.item_id) not in {c["id"] for c in sandbox.controls.inspect()["calendar"]}
    sent = backend.create_meeting(interview(), send=True)
    assert sent.sent
    assert sandbox.mailbox().items[ews_id(sent.item_id)].text("MeetingRequestWasSent") == "true"
    assert len(invitations(sandbox, "priya.castellan@example.com")) == 1


def test_update_meeting_moves_the_same_item_and_tells_whoever_was_invited(
    sandbox: Sandbox, face: Any, backend: Any
) -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
    first = Meeting(
        tracking_id="inv1",
        contact_id="c1",
        subject="Informational interview",
        start=start,
        end=start + timedelta(minutes=30),
        location="Building 5, room 512",
        body_html="<p>Tuesday.</p>",
        attendees=("priya.castellan@example.com",),
    )
    sandbox.mailbox("priya.castellan@example.com")  # a colleague: the update reaches her Inbox
    sent = backend.create_meeting(first, send=True)
    later = start + timedelta(days=2, hours=4)
    moved = replace(first, tracking_id="inv2", start=later, end=later + timedelta(minutes=45),
                    body_html="<p>Thursday.</p>")  # fmt: skip
    sandbox.controls.reset_request_counts()
    created = backend.update_meeting(sent.item_id, moved, send=True)
    assert face.requests() == MOVE[face.protocol]
    assert (created.item_id, created.tracking_id, created.sent) == (sent.item_id, "inv2", True)
    [row] = sandbox.controls.inspect()["calendar"]
    assert (row["id"], row["sequence"]) == (ews_id(sent.item_id), "1")
    item = sandbox.mailbox().items[ews_id(sent.item_id)]
    assert (item.when("Start"), item.when("End")) == (later, later + timedelta(minutes=45))
    assert set(backend.find_tracked(["inv1", "inv2"])) == {"inv2"}  # the move is findable
    assert backend.find_tracked(["inv2"])["inv2"].sent
    requests = [
        i
        for i in sandbox.controls.inspect("priya.castellan@example.com")["inbox"]
        if i["item_class"] == "IPM.Schedule.Meeting.Request"
    ]
    assert len(requests) == 2 and requests[-1]["start"] == row["start"]  # invite, update

    # invited once, always told: never left holding a time that is no longer the one
    back = backend.update_meeting(sent.item_id, first, send=False)
    assert back.sent and sandbox.controls.inspect()["calendar"][0]["sequence"] == "2"
    assert len(invitations(sandbox, "priya.castellan@example.com")) == 3

    # an invitation never sent moves unsent, and goes once the user presses Send
    unsent = backend.create_meeting(replace(first, tracking_id="inv3"), send=False)
    quiet = backend.update_meeting(unsent.item_id, moved, send=False)
    assert not quiet.sent and len(invitations(sandbox, "priya.castellan@example.com")) == 3
    sandbox.controls.send_meeting(unsent.item_id)
    assert len(invitations(sandbox, "priya.castellan@example.com")) == 4
    told = backend.update_meeting(unsent.item_id, replace(moved, tracking_id="inv4"), send=False)
    assert told.sent and len(invitations(sandbox, "priya.castellan@example.com")) == 5
    assert sandbox.controls.inspect()["sentitems"][-1]["item_class"] == (
        "IPM.Schedule.Meeting.Request"
    )  # Outlook's Send leaves a copy in Sent Items
    if face.graph:  # Graph's DELETE keeps it in Deleted Items: gone is cancelled there
        sandbox.controls.cancel_meeting(ews_id(sent.item_id))
    else:
        backend.cancel_meeting(sent.item_id, send=False)
    with pytest.raises(MailboxError, match="no longer in the calendar") as gone:
        backend.update_meeting(sent.item_id, first, send=True)
    assert not gone.value.transient


def test_mail_tips_hold_the_draft_for_an_absent_colleague(backend: Any) -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN)  # a Wednesday
    tips = backend.mail_tips(
        ["marcus.oyelaran@example.com", "priya.castellan@example.com", "someone@example.org"]
    )
    assert tips["marcus.oyelaran@example.com"].away
    assert not tips["priya.castellan@example.com"].away
    assert tips["someone@example.org"].external
    held = hold_until(tips["marcus.oyelaran@example.com"], now, default_days=7)
    assert held is not None and held > now
    assert hold_until(tips["priya.castellan@example.com"], now, default_days=7) is None


def test_free_busy_and_directory(backend: Any) -> None:
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN)
    busy = backend.busy(["dana.whitlock@example.com"], monday, monday + timedelta(days=5))
    spans = busy["dana.whitlock@example.com"]
    assert spans and all(s.start.tzinfo is not None and s.end > s.start for s in spans)
    people = backend.lookup("Priya")
    assert [p.email for p in people] == ["priya.castellan@example.com"]
    assert people[0].title == "Senior Data Engineer"
    assert backend.lookup("Nobody Atall") == []


def test_directory_person_by_address_with_manager_and_reports(face: Any, backend: Any) -> None:
    """The org chart's one call: an entry by address, its manager and direct reports."""
    face.reset()
    priya = backend.person("Priya.Castellan@example.com")
    assert priya is not None and priya.name == "Priya Castellan"
    assert priya.title == "Senior Data Engineer" and priya.department == "Data Platform"
    assert priya.office == "Building 5, room 512"
    assert priya.manager == "marcus.oyelaran@example.com"
    assert priya.reports == ("sam.okafor@example.com",)
    assert sum(face.requests().values()) == 1  # one ResolveNames, or one $batch
    marcus = backend.person(priya.manager)
    assert marcus is not None and marcus.manager == "morgan.achebe@example.com"
    assert set(marcus.reports) == {"priya.castellan@example.com", "kenji.halvorsen@example.com"}
    morgan = backend.person(marcus.manager)
    assert morgan is not None and morgan.manager == ""  # the top of the chart
    assert backend.person("nobody.atall@example.com") is None


def test_org_chart_three_levels_deep_on_the_backend(backend: Any) -> None:
    from outreach.research import orgchart

    chart = orgchart.walk(backend.person, "morgan.achebe@example.com", down=3)
    assert chart is not None
    by_level = {m.person.email: m.level for m in chart.members}
    assert by_level["dana.whitlock@example.com"] == 1
    assert by_level["priya.castellan@example.com"] == 2
    assert by_level["sam.okafor@example.com"] == 3


def test_check_names_the_server_and_mailbox(sandbox: Sandbox, face: Any, backend: Any) -> None:
    text = backend.check()
    assert "127.0.0.1" in text and text.endswith(".")
    if face.graph:
        assert text.startswith("Microsoft Graph at 127.0.0.1")
        assert sandbox.user in text and "tenant" in text
