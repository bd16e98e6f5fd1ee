"""Events over Graph: meetings and holds, moving and cancelling, responses and proposals,
the calendar window's delta, and the same calendar over EWS."""

from __future__ import annotations

from datetime import timedelta

from exchangelib import EWSDateTime

from .conftest import graph_client, meeting_with, property_filter
from .test_graph_delta import delta_all

PRIYA = "priya.castellan@example.com"
LENA = "lena.marchetti@example.com"
WINDOW = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z"


def meeting(**more: object) -> dict[str, object]:
    return {
        "subject": "Informational interview",
        "body": {"contentType": "text", "content": "20 minutes about data platforms"},
        "start": {"dateTime": "2026-03-03T10:00:00", "timeZone": "Eastern Standard Time"},
        "end": {"dateTime": "2026-03-03T10:30:00", "timeZone": "Eastern Standard Time"},
        "location": {"displayName": "Teams"},
        "attendees": [{"emailAddress": {"address": PRIYA, "name": "Priya"}, "type": "required"}],
        **more,
    }


def test_a_meeting_has_its_attendees_and_times_in_the_zone_asked_for(graph, sandbox) -> None:
    r = graph.post("/me/events", json=meeting())
    assert r.status_code == 201
    event = r.json()
    assert event["start"] == {"dateTime": "2026-03-03T15:00:00.0000000", "timeZone": "UTC"}
    assert [a["emailAddress"]["address"] for a in event["attendees"]] == [PRIYA]
    assert event["attendees"][0]["status"]["response"] == "none"
    assert event["isOrganizer"] is True and event["showAs"] == "busy"
    assert event["responseStatus"]["response"] == "organizer"
    with graph_client(sandbox, Prefer='outlook.timezone="Pacific Standard Time"') as pacific:
        got = pacific.get(f"/me/events/{event['id']}").json()
    assert got["start"] == {
        "dateTime": "2026-03-03T07:00:00.0000000",
        "timeZone": "Pacific Standard Time",
    }


def test_a_hold_is_tentative_without_attendees(graph, sandbox) -> None:
    hold = graph.post(
        "/me/events", json=meeting(attendees=[], showAs="tentative", subject="Hold: Priya")
    ).json()
    assert hold["showAs"] == "tentative" and hold["attendees"] == []
    [row] = sandbox.controls.inspect()["calendar"]
    assert row["subject"] == "Hold: Priya" and row["attendees"] == []


def test_the_same_transaction_id_makes_one_event(graph, sandbox) -> None:
    first = graph.post("/me/events", json=meeting(transactionId="tx-1")).json()
    again = graph.post("/me/events", json=meeting(transactionId="tx-1")).json()
    assert again["id"] == first["id"] and again["transactionId"] == "tx-1"
    assert len(sandbox.controls.inspect()["calendar"]) == 1


def test_patching_the_time_raises_the_sequence_and_updates_attendees(
    graph, sandbox, account
) -> None:
    event = graph.post("/me/events", json=meeting()).json()
    r = graph.patch(
        f"/me/events/{event['id']}",
        json={
            "start": {"dateTime": "2026-03-04T16:00:00Z", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-04T16:30:00Z", "timeZone": "UTC"},
        },
    )
    assert r.status_code == 200 and r.json()["id"] == event["id"]
    assert r.json()["start"]["dateTime"] == "2026-03-04T16:00:00.0000000"
    item = account.calendar.get(subject="Informational interview")
    assert item.appointment_sequence_number == 1
    assert item.start == EWSDateTime(2026, 3, 4, 16, 0, tzinfo=item.start.tzinfo)


def test_meeting_requests_reach_attendees_with_a_mailbox(graph, sandbox) -> None:
    sandbox.mailbox(LENA)  # Lena signs in once, so she has a mailbox here
    graph.post(
        "/me/events",
        json=meeting(attendees=[{"emailAddress": {"address": LENA}, "type": "required"}]),
    )
    invites = graph.get(f"/users/{LENA}/mailFolders/inbox/messages").json()["value"]
    assert [m["@odata.type"] for m in invites] == ["#microsoft.graph.eventMessageRequest"]
    assert invites[0]["meetingMessageType"] == "meetingRequest"


def test_responses_and_proposals_show_on_the_event_and_in_the_inbox(graph, sandbox) -> None:
    event = graph.post(
        "/me/events",
        json=meeting(
            attendees=[
                {"emailAddress": {"address": PRIYA}, "type": "required"},
                {"emailAddress": {"address": LENA}, "type": "optional"},
            ]
        ),
    ).json()
    start = sandbox.clock() + timedelta(days=2)
    sandbox.controls.respond_to_meeting(
        subject="Informational",
        attendee=PRIYA,
        response="propose",
        proposed_start=start,
        proposed_end=start + timedelta(minutes=30),
    )
    sandbox.controls.respond_to_meeting(subject="Informational", attendee=LENA, response="decline")
    got = graph.get(f"/me/events/{event['id']}").json()
    status = {a["emailAddress"]["address"]: a for a in got["attendees"]}
    assert status[PRIYA]["status"]["response"] == "tentativelyAccepted"
    assert status[PRIYA]["proposedNewTime"]["start"]["dateTime"] == "2026-03-04T14:00:00.0000000"
    assert status[LENA]["status"]["response"] == "declined"
    assert status[LENA]["type"] == "optional"
    inbox = graph.get(
        "/me/mailFolders/inbox/messages", params={"$orderby": "receivedDateTime"}
    ).json()["value"]
    kinds = [(m["@odata.type"], m["meetingMessageType"], m["responseType"]) for m in inbox]
    assert kinds == [
        (
            "#microsoft.graph.eventMessageResponse",
            "meetingTenativelyAccepted",
            "tentativelyAccepted",
        ),
        ("#microsoft.graph.eventMessageResponse", "meetingDeclined", "declined"),
    ]
    assert inbox[0]["proposedNewTime"]["end"]["dateTime"] == "2026-03-04T14:30:00.0000000"
    assert inbox[0]["conversationId"] and inbox[0]["from"]["emailAddress"]["address"] == PRIYA


def test_calendar_delta_sees_outlook_moving_and_cancelling(graph, sandbox) -> None:
    event = graph.post("/me/events", json=meeting()).json()
    hold = graph.post(
        "/me/events", json=meeting(attendees=[], showAs="tentative", subject="Hold")
    ).json()
    first, link = delta_all(graph, f"/me/calendarView/delta?{WINDOW}")
    assert {e["id"] for e in first} == {event["id"], hold["id"]}
    sandbox.controls.move_meeting(
        subject="Informational", start=sandbox.clock() + timedelta(days=3)
    )
    moved, link = delta_all(graph, link)
    assert [e["id"] for e in moved] == [event["id"]]
    assert moved[0]["start"]["dateTime"] == "2026-03-05T14:00:00.0000000"
    sandbox.controls.move_meeting(subject="Informational", start="2026-05-01T14:00:00Z")
    out_of_window, link = delta_all(graph, link)
    assert out_of_window == [{"id": event["id"], "@removed": {"reason": "deleted"}}]
    sandbox.controls.cancel_meeting(subject="Hold")
    cancelled, link = delta_all(graph, link)
    assert cancelled == [{"id": hold["id"], "@removed": {"reason": "deleted"}}]


def test_cancel_and_delete(graph, sandbox) -> None:
    a = graph.post("/me/events", json=meeting(subject="A")).json()
    b = graph.post("/me/events", json=meeting(subject="B")).json()
    r = graph.post(f"/me/events/{a['id']}/cancel", json={"Comment": "Sorry, I must cancel."})
    assert r.status_code == 202
    assert graph.delete(f"/me/events/{b['id']}").status_code == 204
    assert graph.get(f"/me/events/{a['id']}").status_code == 404
    view = graph.get(f"/me/calendarView?{WINDOW}").json()["value"]
    assert view == []
    trash = sandbox.controls.inspect()["deleteditems"]
    assert sorted(r["subject"] for r in trash) == ["B", "Canceled: A"]
    # in Deleted Items they are calendar items, not messages: Graph lists no message there
    assert graph.get("/me/mailFolders/deleteditems/messages").json()["value"] == []
    assert graph.get("/me/mailFolders/deleteditems/messages/delta").json()["value"] == []


def test_a_calendar_item_made_over_ews_is_an_event_over_graph(graph, account) -> None:
    from outreach.mailbox import tracking

    tracking.register()  # the EWS backend's own properties

    start = EWSDateTime(2026, 3, 3, 15, 0, tzinfo=account.default_timezone)
    item = meeting_with(account, PRIYA, "from EWS", start, outreach_tracking="E-9")
    item.save(send_meeting_invitations="SendToAllAndSaveCopy")
    prop = f"String {{{tracking.PROPERTY_SET_ID}}} Name OutreachId"
    found = graph.get("/me/events", params=property_filter(prop, "E-9")).json()["value"]
    assert [e["subject"] for e in found] == ["from EWS"]
    assert found[0]["attendees"][0]["emailAddress"]["address"] == PRIYA
    assert found[0]["iCalUId"]


def test_a_draft_meeting_reaches_nobody_until_it_is_sent(graph, sandbox) -> None:
    sandbox.mailbox(LENA)
    lena = [{"emailAddress": {"address": LENA}, "type": "required"}]
    draft = graph.post("/me/events", json=meeting(attendees=lena, isDraft=True)).json()
    assert draft["isDraft"] is True
    inbox = f"/users/{LENA}/mailFolders/inbox/messages"
    assert graph.get(inbox).json()["value"] == []
    sent = graph.patch(f"/me/events/{draft['id']}", json={"isDraft": False}).json()
    assert sent["isDraft"] is False
    assert [m["meetingMessageType"] for m in graph.get(inbox).json()["value"]] == ["meetingRequest"]


def test_a_response_expands_to_the_event_it_answers(graph, sandbox) -> None:
    event = graph.post("/me/events", json=meeting()).json()
    sandbox.controls.respond_to_meeting(subject="Informational", attendee=PRIYA)
    [answer] = graph.get(
        "/me/mailFolders/inbox/messages",
        params={"$expand": "microsoft.graph.eventMessage/event($select=id)"},
    ).json()["value"]
    assert answer["event"] == {"id": event["id"]}
    [full] = graph.get(
        "/me/mailFolders/inbox/messages", params={"$expand": "microsoft.graph.eventMessage/event"}
    ).json()["value"]
    assert full["event"]["subject"] == "Informational interview"
