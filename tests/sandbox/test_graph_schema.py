"""The CSDL check itself: it catches what a wrong Graph body gets wrong."""

from __future__ import annotations

import pytest

import graphschema

pytestmark = pytest.mark.skipif(not graphschema.CSDL.exists(), reason="Graph CSDL not found")


def test_a_wrong_property_and_a_wrong_type_are_caught() -> None:
    s = graphschema.schema()
    problems = s.check({"subject": 7, "sujbect": "typo", "isDraft": "yes"}, "message")
    assert "$.subject: 7 is not an Edm.String" in problems
    assert "$.sujbect: message has no property sujbect" in problems
    assert "$.isDraft: 'yes' is not an Edm.Boolean" in problems


def test_base_types_derived_types_enums_and_nested_types_are_followed() -> None:
    s = graphschema.schema()
    response = {
        "@odata.type": "#microsoft.graph.eventMessageResponse",
        "id": "AAMk",  # entity
        "changeKey": "CQ",  # outlookItem
        "subject": "Accepted: Chat",  # message
        "meetingMessageType": "meetingTenativelyAccepted",  # eventMessage, as the enum spells it
        "responseType": "tentativelyAccepted",
        "proposedNewTime": {
            "start": {"dateTime": "2026-03-03T15:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-03T15:30:00.0000000", "timeZone": "UTC"},
        },
        "singleValueExtendedProperties": [{"id": "String 0x001A", "value": "IPM.Note"}],
    }
    assert s.check(response, "message") == []
    assert s.check({**response, "meetingMessageType": "meetingTentativelyAccepted"}, "message")
    assert s.check({"@odata.type": "#microsoft.graph.event", "id": "x"}, "message") == [
        "$: @odata.type #microsoft.graph.event does not derive from message"
    ]
    wrong = {"proposedNewTime": {"start": {"dateTime": 5}}}
    assert s.check({**response, **wrong}, "message") == [
        "$.proposedNewTime.start.dateTime: 5 is not an Edm.String"
    ]
    assert s.check({"toRecipients": {"emailAddress": {}}}, "message") == [
        "$.toRecipients: expected an array of recipient, got dict"
    ]
    assert s.check({"receivedDateTime": "2026-03-02T14:00:00"}, "message") == [
        "$.receivedDateTime: '2026-03-02T14:00:00' is not an Edm.DateTimeOffset"
    ]
    assert s.check({"recipientScope": "internal, external"}, "mailTips") == []  # flags


def test_requests_may_not_set_the_key_and_annotations_must_be_graphs() -> None:
    s = graphschema.schema()
    assert s.check({"id": "mine", "subject": "s"}, "message", request=True) == [
        "$.id: id is read-only on message and cannot be set"
    ]
    assert s.check({"@odata.bogus": 1}, "message") == [
        "$.@odata.bogus: Graph writes no annotation @odata.bogus"
    ]
    assert s.check_action({"destinationId": "drafts"}, "move", "message") == []
    assert s.check_action({"destination": "drafts"}, "move", "message")


def test_exchanges_are_checked_by_route() -> None:
    ok = {"value": [{"id": "x", "@removed": {"reason": "deleted"}}], "@odata.deltaLink": "l"}
    path = "/me/mailFolders/drafts/messages/delta"
    assert graphschema.check_exchange("GET", path, None, 200, ok) == []
    bad = {"value": [{"id": "x", "@removed": {"reason": "gone"}}]}
    assert graphschema.check_exchange("GET", path, None, 200, bad)
    assert graphschema.check_exchange("GET", "/me/nowhere", None, 200, {})  # unmapped route
    assert graphschema.check_exchange("GET", "/me/nowhere", None, 404, {"error": {}})


def test_query_options_must_name_properties_of_the_type() -> None:
    shape = graphschema.shape_of("GET", "/me/mailFolders/inbox/messages")
    assert shape is not None
    fine = {
        "$select": "subject,internetMessageHeaders",
        "$orderby": "receivedDateTime desc",
        "$expand": "singleValueExtendedProperties($filter=id eq 'String 0x001A' or id eq 'x'),"
        "microsoft.graph.eventMessage/event($select=id)",
    }
    assert graphschema.check_query(fine, shape) == []
    assert graphschema.check_query({"$select": "subject,recievedDateTime"}, shape) == [
        "$select: message has no property recievedDateTime"
    ]
    assert graphschema.check_query({"$expand": "microsoft.graph.event/attendees"}, shape)
