"""Messages over Graph on the same mailbox as EWS: drafts, tracking, send, move, attachments,
and what arrives (replies, automatic replies, bounces)."""

from __future__ import annotations

import base64

from outreach.mailbox.tracking import PROPERTY_SET_ID

from .conftest import graph_client, message_to, property_filter

PRIYA = "priya.castellan@example.com"
TRACK = f"String {{{PROPERTY_SET_ID}}} Name OutreachId"
CLASS = "String 0x001A"


def draft_body(outreach_id: str = "A-1", **more: object) -> dict[str, object]:
    return {
        "subject": "Informational interview",
        "body": {"contentType": "text", "content": "Hello Priya,\nhave you got 20 minutes?"},
        "toRecipients": [{"emailAddress": {"address": PRIYA, "name": "Priya Castellan"}}],
        "internetMessageHeaders": [{"name": "X-Outreach-Id", "value": outreach_id}],
        "singleValueExtendedProperties": [{"id": TRACK, "value": outreach_id}],
        **more,
    }


def tracked(outreach_id: str) -> str:
    return (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{TRACK}' and ep/value eq '{outreach_id}')"
    )


def test_a_draft_made_over_graph_is_in_drafts_with_its_tracking(graph, sandbox) -> None:
    r = graph.post("/me/messages", json=draft_body())
    assert r.status_code == 201
    draft = r.json()
    assert draft["isDraft"] is True and draft["subject"] == "Informational interview"
    assert draft["toRecipients"][0]["emailAddress"]["address"] == PRIYA
    assert draft["internetMessageId"].endswith("@example.com>")
    drafts = graph.get("/me/mailFolders/drafts").json()
    assert draft["parentFolderId"] == drafts["id"] and drafts["totalItemCount"] == 1

    got = graph.get(
        f"/me/messages/{draft['id']}",
        params={
            "$select": "subject,internetMessageHeaders",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{TRACK}' or id eq '{CLASS}')",
        },
    ).json()
    assert set(got) >= {"subject", "internetMessageHeaders", "singleValueExtendedProperties"}
    assert "body" not in got  # $select
    assert got["internetMessageHeaders"] == [{"name": "X-Outreach-Id", "value": "A-1"}]
    props = {p["id"]: p["value"] for p in got["singleValueExtendedProperties"]}
    assert props == {TRACK: "A-1", CLASS: "IPM.Note"}


def test_graph_finds_by_the_extended_property_in_any_spelling(graph) -> None:
    for n in (1, 2, 3):
        graph.post("/me/messages", json=draft_body(f"A-{n}"))
    shouted = tracked("A-2").replace(PROPERTY_SET_ID, PROPERTY_SET_ID.upper())
    hits = graph.get("/me/mailFolders/drafts/messages", params={"$filter": shouted}).json()
    assert [m["subject"] for m in hits["value"]] == ["Informational interview"]
    none = graph.get("/me/mailFolders/sentitems/messages", params={"$filter": tracked("A-2")})
    assert none.json()["value"] == []


def test_a_draft_made_over_ews_is_seen_over_graph_and_the_reverse(graph, account) -> None:
    # EWS -> Graph: the test's OutreachActionId property, found by Graph's id for it
    message_to(account, PRIYA, "from EWS", folder=account.drafts, outreach_id="E-1").save()
    prop = "String {c11ff724-aa03-4555-9952-8fa248a11c3e} Name OutreachActionId"
    seen = graph.get("/me/mailFolders/drafts/messages", params=property_filter(prop, "E-1"))
    seen = seen.json()["value"]
    assert [m["subject"] for m in seen] == ["from EWS"]
    # Graph -> EWS: the same id, in EWS's spelling, and the property by exchangelib's filter
    graph_draft = graph.post(
        "/me/messages",
        json={
            "subject": "from Graph",
            "singleValueExtendedProperties": [{"id": prop, "value": "G-1"}],
        },
    ).json()
    found = list(account.drafts.filter(outreach_id="G-1"))
    assert [m.subject for m in found] == ["from Graph"]
    assert found[0].id.replace("+", "-").replace("/", "_") == graph_draft["id"]
    ews_side = account.drafts.get(subject="from EWS")
    assert ews_side.id.replace("+", "-").replace("/", "_") == seen[0]["id"]


def test_patch_edits_the_draft_and_ews_sees_it(graph, account) -> None:
    draft = graph.post("/me/messages", json=draft_body()).json()
    r = graph.patch(f"/me/messages/{draft['id']}", json={"subject": "Twenty minutes?"})
    assert r.status_code == 200 and r.json()["subject"] == "Twenty minutes?"
    assert r.json()["changeKey"] != draft["changeKey"] and r.json()["id"] == draft["id"]
    assert [m.subject for m in account.drafts.all()] == ["Twenty minutes?"]


def test_send_moves_the_draft_to_sent_items_under_a_new_id_without_headers(graph) -> None:
    draft = graph.post("/me/messages", json=draft_body()).json()
    assert graph.post(f"/me/messages/{draft['id']}/send").status_code == 202
    assert graph.get(f"/me/messages/{draft['id']}").status_code == 404
    sent = graph.get(
        "/me/mailFolders/sentitems/messages",
        params={"$filter": tracked("A-1"), "$select": "subject,internetMessageHeaders,isDraft"},
    ).json()["value"]
    assert len(sent) == 1 and sent[0]["id"] != draft["id"]
    assert sent[0]["isDraft"] is False
    assert sent[0]["internetMessageHeaders"] == []  # as Exchange Online: none on the copy
    full = graph.get(f"/me/messages/{sent[0]['id']}").json()
    assert full["internetMessageId"] == draft["internetMessageId"]
    assert full["conversationId"] == draft["conversationId"]


def test_send_mail_with_and_without_a_copy(graph, sandbox) -> None:
    for save in (True, False):
        r = graph.post(
            "/me/sendMail",
            json={
                "message": draft_body(f"S-{save}", subject=f"saved {save}"),
                "saveToSentItems": save,
            },
        )
        assert r.status_code == 202
    sent = graph.get("/me/mailFolders/sentitems/messages").json()["value"]
    assert [m["subject"] for m in sent] == ["saved True"]
    assert graph.get("/me/mailFolders/drafts/messages").json()["value"] == []


def test_move_and_delete(graph) -> None:
    a = graph.post("/me/messages", json=draft_body("M-1")).json()
    moved = graph.post(f"/me/messages/{a['id']}/move", json={"destinationId": "deleteditems"})
    assert moved.status_code == 201 and moved.json()["id"] != a["id"]
    trash = graph.get("/me/mailFolders/deleteditems").json()["id"]
    assert moved.json()["parentFolderId"] == trash
    b = graph.post("/me/messages", json=draft_body("M-2")).json()
    assert graph.delete(f"/me/messages/{b['id']}").status_code == 204
    assert graph.get("/me/mailFolders/deleteditems").json()["totalItemCount"] == 2
    gone = graph.get(f"/me/messages/{b['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ErrorItemNotFound"
    assert "request-id" in gone.json()["error"]["innerError"]


def test_attachments_inline_on_create_listed_and_fetched(graph) -> None:
    content = base64.b64encode(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").decode()
    draft = graph.post(
        "/me/messages",
        json=draft_body(
            attachments=[
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": "invite.ics",
                    "contentType": "text/calendar",
                    "contentBytes": content,
                }
            ]
        ),
    ).json()
    assert draft["hasAttachments"] is True
    listed = graph.get(f"/me/messages/{draft['id']}/attachments").json()["value"]
    assert [(a["name"], a["size"]) for a in listed] == [("invite.ics", 32)]
    one = graph.get(f"/me/messages/{draft['id']}/attachments/{listed[0]['id']}").json()
    assert one["contentBytes"] == content
    added = graph.post(
        f"/me/messages/{draft['id']}/attachments",
        json={
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": "cv.txt",
            "contentBytes": base64.b64encode(b"cv").decode(),
        },
    )
    assert added.status_code == 201
    assert len(graph.get(f"/me/messages/{draft['id']}/attachments").json()["value"]) == 2


def test_lists_page_with_top_and_next_link(graph) -> None:
    for n in range(5):
        graph.post("/me/messages", json=draft_body(f"P-{n}", subject=f"n{n}"))
    first = graph.get("/me/mailFolders/drafts/messages", params={"$top": 2, "$select": "subject"})
    page = first.json()
    subjects = [m["subject"] for m in page["value"]]
    while "@odata.nextLink" in page:
        page = graph.get(page["@odata.nextLink"]).json()
        subjects += [m["subject"] for m in page["value"]]
    assert sorted(subjects) == [f"n{n}" for n in range(5)]


def test_body_is_html_unless_text_is_preferred(graph, sandbox) -> None:
    draft = graph.post("/me/messages", json=draft_body()).json()
    assert draft["body"]["contentType"] == "html" and "<br>" in draft["body"]["content"]
    with graph_client(sandbox, Prefer='outlook.body-content-type="text"') as text:
        got = text.get(f"/me/messages/{draft['id']}")
    assert got.json()["body"] == {
        "contentType": "text",
        "content": "Hello Priya,\nhave you got 20 minutes?",
    }
    assert got.headers["Preference-Applied"] == 'outlook.body-content-type="text"'


def test_replies_auto_replies_and_bounces_arrive_as_graph_shows_them(graph, sandbox) -> None:
    draft = graph.post("/me/messages", json=draft_body()).json()
    graph.post(f"/me/messages/{draft['id']}/send")
    sandbox.controls.reply(subject="Informational interview", body="Sure, Tuesday?")
    sandbox.controls.auto_reply(subject="Informational interview")
    sandbox.controls.bounce(subject="Informational interview")
    inbox = graph.get(
        "/me/mailFolders/inbox/messages",
        params={
            "$select": "subject,internetMessageHeaders,conversationId,from",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{CLASS}')",
            "$orderby": "receivedDateTime",
        },
    ).json()["value"]
    classes = [m["singleValueExtendedProperties"][0]["value"] for m in inbox]
    assert classes == ["IPM.Note", "IPM.Note.Rules.OofTemplate.Microsoft", "REPORT.IPM.Note.NDR"]
    reply = inbox[0]
    headers = {h["name"]: h["value"] for h in reply["internetMessageHeaders"]}
    assert headers["In-Reply-To"] == draft["internetMessageId"]
    assert draft["internetMessageId"] in headers["References"]
    assert reply["conversationId"] == draft["conversationId"]
    auto = {h["name"]: h["value"] for h in inbox[1]["internetMessageHeaders"]}
    assert auto["Auto-Submitted"] == "auto-replied"
    by_class = graph.get(
        "/me/messages", params=property_filter(CLASS, "REPORT.IPM.Note.NDR")
    ).json()["value"]
    assert [m["subject"] for m in by_class] == ["Undeliverable: Informational interview"]


def test_a_bad_header_name_is_refused_and_nothing_is_stored(graph) -> None:
    body = draft_body()
    body["internetMessageHeaders"] = [{"name": "Reply-To", "value": "x@example.com"}]
    r = graph.post("/me/messages", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InvalidInternetMessageHeader"
    assert graph.get("/me/mailFolders/drafts").json()["totalItemCount"] == 0


def test_users_path_names_the_same_mailbox(graph, sandbox) -> None:
    graph.post(f"/users/{sandbox.user}/messages", json=draft_body())
    me = graph.get("/me").json()
    by_id = graph.get(f"/users/{me['id']}/mailFolders/drafts/messages").json()["value"]
    assert len(by_id) == 1
    assert graph.get("/users/nobody@example.com/messages").status_code == 404


def test_search_on_messages_is_refused_not_ignored(graph) -> None:
    graph.post("/me/messages", json=draft_body())
    r = graph.get("/me/messages", params={"$search": '"interview"'})
    assert r.status_code == 400 and "$filter" in r.json()["error"]["message"]
