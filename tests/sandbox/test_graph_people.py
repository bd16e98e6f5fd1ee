"""The user, the directory, mailbox settings, mail tips and free/busy over Graph."""

from __future__ import annotations

from .conftest import graph_client

PRIYA = "priya.castellan@example.com"
MARCUS = "marcus.oyelaran@example.com"
DANA = "dana.whitlock@example.com"


def test_me_and_mailbox_settings(graph) -> None:
    me = graph.get("/me").json()
    assert (me["mail"], me["displayName"], me["jobTitle"]) == (
        "robin.vale@example.com",
        "Robin Vale",
        "Analyst",
    )
    settings = graph.get("/me/mailboxSettings").json()
    assert settings["timeZone"] == "Eastern Standard Time"
    assert settings["workingHours"]["startTime"] == "09:00:00.0000000"
    assert settings["automaticRepliesSetting"]["status"] == "disabled"
    part = graph.get("/me/mailboxSettings/workingHours").json()
    assert part["endTime"] == "17:00:00.0000000"
    assert graph.get("/me/mailboxSettings/timeZone").json()["value"] == "Eastern Standard Time"
    away = graph.get(f"/users/{MARCUS}/mailboxSettings/automaticRepliesSetting").json()
    assert away["status"] == "alwaysEnabled" and away["internalReplyMessage"].startswith("I am")


def test_search_needs_consistency_level_eventual(graph, sandbox) -> None:
    refused = graph.get("/users", params={"$search": '"displayName:Priya"'})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "Request_UnsupportedQuery"
    with graph_client(sandbox, ConsistencyLevel="eventual") as eventual:
        hits = eventual.get(
            "/users", params={"$search": '"displayName:pri"', "$count": "true"}
        ).json()
    assert [u["mail"] for u in hits["value"]] == [PRIYA] and hits["@odata.count"] == 1


def test_manager_and_direct_reports(graph) -> None:
    boss = graph.get(f"/users/{PRIYA}/manager").json()
    assert boss["@odata.type"] == "#microsoft.graph.user" and boss["mail"] == MARCUS
    top = graph.get("/users/morgan.achebe@example.com/manager")  # the top of the chart
    assert top.status_code == 404 and top.json()["error"]["code"] == "Request_ResourceNotFound"
    reports = graph.get(f"/users/{DANA}/directReports").json()["value"]
    assert len(reports) == 3 and "robin.vale@example.com" in {r["mail"] for r in reports}
    by_id = graph.get(f"/users/{boss['id']}").json()
    assert by_id["displayName"] == "Marcus Oyelaran"


def test_mail_tips_automatic_replies_scope_and_invalid_recipients(graph) -> None:
    r = graph.post(
        "/me/getMailTips",
        json={
            "EmailAddresses": [MARCUS, PRIYA, "nobody@example.com", "someone@elsewhere.test"],
            "MailTipsOptions": "automaticReplies, recipientScope",
        },
    )
    assert r.status_code == 200
    tips = {t["emailAddress"]["address"]: t for t in r.json()["value"]}
    assert tips[MARCUS]["automaticReplies"]["message"].startswith("I am away")
    assert tips[PRIYA]["automaticReplies"]["message"] == ""
    assert tips[PRIYA]["recipientScope"] == "internal"
    assert tips["someone@elsewhere.test"]["recipientScope"] == "external"
    assert "error" in tips["nobody@example.com"]


def test_schedule_in_the_zone_asked_for(sandbox) -> None:
    with graph_client(sandbox, Prefer='outlook.timezone="Eastern Standard Time"') as graph:
        r = graph.post(
            "/me/calendar/getSchedule",
            json={
                "schedules": [PRIYA, "nobody@example.com"],
                "startTime": {
                    "dateTime": "2026-03-03T09:00:00",
                    "timeZone": "Eastern Standard Time",
                },
                "endTime": {"dateTime": "2026-03-03T14:00:00", "timeZone": "Eastern Standard Time"},
                "availabilityViewInterval": 60,
            },
        )
    assert r.status_code == 200
    priya, nobody = r.json()["value"]
    assert priya["availabilityView"] == "01120"  # Tuesday: tentative 10-11:30, lunch 12-13
    lunch = next(i for i in priya["scheduleItems"] if i["subject"] == "Lunch")
    assert lunch["start"] == {
        "dateTime": "2026-03-03T12:00:00.0000000",
        "timeZone": "Eastern Standard Time",
    }
    assert lunch["status"] == "busy"
    assert priya["workingHours"]["daysOfWeek"][0] == "monday"
    assert nobody["error"]["responseCode"] == "ErrorMailRecipientNotFound"
    assert r.headers["Preference-Applied"] == 'outlook.timezone="Eastern Standard Time"'


def test_free_busy_includes_what_the_graph_face_booked(graph) -> None:
    graph.post(
        "/me/events",
        json={
            "subject": "Busy",
            "start": {"dateTime": "2026-03-03T15:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-03T16:00:00", "timeZone": "UTC"},
        },
    )
    r = graph.post(
        "/me/calendar/getSchedule",
        json={
            "schedules": ["robin.vale@example.com"],
            "startTime": {"dateTime": "2026-03-03T14:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-03-03T17:00:00", "timeZone": "UTC"},
            "availabilityViewInterval": 60,
        },
    ).json()
    assert r["value"][0]["availabilityView"] == "020"


def test_a_colleagues_out_of_office_set_by_the_control_shows_in_mail_tips(graph, sandbox) -> None:
    sandbox.controls.set_out_of_office(PRIYA, "Back on Monday.")
    tips = graph.post(
        "/me/getMailTips", json={"EmailAddresses": [PRIYA], "MailTipsOptions": "automaticReplies"}
    ).json()["value"]
    assert tips[0]["automaticReplies"]["message"] == "Back on Monday."
    sandbox.controls.set_out_of_office(PRIYA, None)
    tips = graph.post(
        "/me/getMailTips", json={"EmailAddresses": [PRIYA], "MailTipsOptions": "automaticReplies"}
    ).json()["value"]
    assert tips[0]["automaticReplies"]["message"] == ""
