"""Delta over Graph: pages, deletions, the controls seen through it, 410, and $batch."""

from __future__ import annotations

import pytest

from .conftest import graph_client
from .test_graph_messages import draft_body

FOLDERS = ("drafts", "sentitems", "inbox", "deleteditems")


def delta_all(graph, url: str) -> tuple[list[dict], str]:
    """Follow nextLinks to the deltaLink; (every entry, the deltaLink)."""
    entries: list[dict] = []
    page = graph.get(url)
    assert page.status_code == 200, page.text
    body = page.json()
    entries += body["value"]
    while "@odata.nextLink" in body:
        assert "@odata.deltaLink" not in body
        body = graph.get(body["@odata.nextLink"]).json()
        entries += body["value"]
    return entries, body["@odata.deltaLink"]


def test_pages_follow_maxpagesize_then_a_quiet_delta_is_empty(sandbox) -> None:
    with graph_client(sandbox, Prefer="odata.maxpagesize=2") as graph:
        for n in range(5):
            graph.post("/me/messages", json=draft_body(f"D-{n}"))
        first = graph.get("/me/mailFolders/drafts/messages/delta")
        assert len(first.json()["value"]) == 2 and "@odata.nextLink" in first.json()
        assert first.headers["Preference-Applied"] == "odata.maxpagesize=2"
        entries, link = delta_all(graph, "/me/mailFolders/drafts/messages/delta")
        assert len({e["id"] for e in entries}) == 5
        quiet = graph.get(link).json()
        assert quiet["value"] == [] and "@odata.deltaLink" in quiet


def test_the_controls_are_seen_through_delta(graph, sandbox) -> None:
    graph.post("/me/messages", json=draft_body())
    links = {}
    for name in FOLDERS:
        links[name] = delta_all(graph, f"/me/mailFolders/{name}/messages/delta")[1]
    draft_id = graph.get("/me/mailFolders/drafts/messages").json()["value"][0]["id"]
    sandbox.controls.edit_draft(subject="Informational", new_subject="Edited in Outlook")
    edited, links["drafts"] = delta_all(graph, links["drafts"])
    assert [(e["id"], e["subject"]) for e in edited] == [(draft_id, "Edited in Outlook")]

    sandbox.controls.press_send(subject="Edited")
    gone, links["drafts"] = delta_all(graph, links["drafts"])
    assert gone == [{"id": draft_id, "@removed": {"reason": "deleted"}}]
    sent, links["sentitems"] = delta_all(graph, links["sentitems"])
    assert [e["subject"] for e in sent] == ["Edited in Outlook"] and sent[0]["id"] != draft_id

    sandbox.controls.reply(subject="Edited", body="Yes")
    arrived, links["inbox"] = delta_all(graph, links["inbox"])
    assert [e["subject"] for e in arrived] == ["RE: Edited in Outlook"]
    assert arrived[0]["isRead"] is False


def test_delete_draft_control_shows_in_drafts_and_deleted_items(graph, sandbox) -> None:
    graph.post("/me/messages", json=draft_body())
    _, drafts = delta_all(graph, "/me/mailFolders/drafts/messages/delta")
    _, trash = delta_all(graph, "/me/mailFolders/deleteditems/messages/delta")
    sandbox.controls.delete_draft(subject="Informational")
    assert "@removed" in delta_all(graph, drafts)[0][0]
    assert delta_all(graph, trash)[0][0]["subject"] == "Informational interview"


@pytest.mark.parametrize("how", ["unknown", "invalidated", "other folder"])
def test_a_token_the_server_does_not_know_is_410(graph, sandbox, how) -> None:
    _, link = delta_all(graph, "/me/mailFolders/drafts/messages/delta")
    if how == "unknown":
        link = link.split("$deltatoken=")[0] + "$deltatoken=AQBnotatoken"
    elif how == "invalidated":
        sandbox.controls.invalidate_sync_states()
    else:
        link = link.replace("/drafts/", "/inbox/")
    r = graph.get(link)
    assert r.status_code == 410
    assert r.json()["error"]["code"] == "syncStateNotFound"


def test_invalidating_sync_states_breaks_ews_and_graph_alike(graph, account, sandbox) -> None:
    from exchangelib.errors import ErrorInvalidSyncStateData

    list(account.drafts.sync_items())
    state = account.drafts.item_sync_state
    _, link = delta_all(graph, "/me/mailFolders/drafts/messages/delta")
    sandbox.controls.invalidate_sync_states()
    assert graph.get(link).status_code == 410
    account.drafts.item_sync_state = state
    with pytest.raises(ErrorInvalidSyncStateData):
        list(account.drafts.sync_items())


def test_all_deltas_of_a_cycle_are_one_http_request(graph, sandbox) -> None:
    graph.post("/me/messages", json=draft_body())
    requests = [
        {"id": name, "method": "GET", "url": f"/me/mailFolders/{name}/messages/delta"}
        for name in FOLDERS
    ]
    requests.append(
        {
            "id": "calendar",
            "method": "GET",
            "url": "/me/calendarView/delta?startDateTime=2026-03-01T00:00:00Z"
            "&endDateTime=2026-04-01T00:00:00Z",
        }
    )
    first = graph.post("/$batch", json={"requests": requests}).json()["responses"]
    assert [r["status"] for r in first] == [200] * 5
    assert len(first[0]["body"]["value"]) == 1
    links = {r["id"]: r["body"]["@odata.deltaLink"] for r in first}
    sandbox.controls.reset_request_counts()
    quiet = graph.post(
        "/$batch",
        json={"requests": [{"id": k, "method": "GET", "url": v} for k, v in links.items()]},
    ).json()["responses"]
    assert all(r["body"]["value"] == [] for r in quiet)
    assert sandbox.controls.request_counts() == {"POST /$batch": 1}
    assert sandbox.controls.request_counts("batched") == {
        "GET /mailFolders/{id}/messages/delta": 4,
        "GET /calendarView/delta": 1,
    }


def test_batch_limits_and_depends_on(graph) -> None:
    many = [{"id": str(n), "method": "GET", "url": "/me"} for n in range(21)]
    too_many = graph.post("/$batch", json={"requests": many})
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "BadRequest"
    answer = graph.post(
        "/$batch",
        json={
            "requests": [
                {"id": "1", "method": "GET", "url": "/me/messages/AAMkAnothere"},
                {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]},
                {
                    "id": "3",
                    "method": "POST",
                    "url": "/me/messages",
                    "body": draft_body(),
                    "headers": {"Content-Type": "application/json"},
                },
                {"id": "4", "method": "GET", "url": "/me/mailFolders/drafts", "dependsOn": ["3"]},
            ]
        },
    ).json()["responses"]
    assert [(r["id"], r["status"]) for r in answer] == [
        ("1", 404),
        ("2", 424),
        ("3", 201),
        ("4", 200),
    ]
    assert answer[3]["body"]["totalItemCount"] == 1


def test_delta_tokens_survive_a_restart_of_a_saved_sandbox(clock, tmp_path) -> None:
    from outreach.sandbox import Sandbox

    with Sandbox(clock=clock, data_dir=tmp_path) as sb, graph_client(sb) as graph:
        graph.post("/me/messages", json=draft_body())
        _, link = delta_all(graph, "/me/mailFolders/drafts/messages/delta")
        token = link.split("$deltatoken=")[1]
    with Sandbox(clock=clock, data_dir=tmp_path) as sb, graph_client(sb) as graph:
        sb.controls.edit_draft(subject="Informational", new_subject="Later")
        changed, _ = delta_all(graph, f"/me/mailFolders/drafts/messages/delta?$deltatoken={token}")
    assert [e["subject"] for e in changed] == ["Later"]


def test_immutable_ids_stay_across_a_move_but_not_across_a_send(sandbox) -> None:
    with graph_client(sandbox, Prefer='IdType="ImmutableId"') as graph:
        kept = graph.post("/me/messages", json=draft_body("I-1")).json()
        sent = graph.post("/me/messages", json=draft_body("I-2", subject="To send")).json()
        _, drafts = delta_all(graph, "/me/mailFolders/drafts/messages/delta")
        _, trash = delta_all(graph, "/me/mailFolders/deleteditems/messages/delta")
        sandbox.controls.delete_draft(subject="Informational")  # Outlook moves it to the trash
        moved = graph.get(f"/me/messages/{kept['id']}")
        assert moved.headers["Preference-Applied"] == 'IdType="ImmutableId"'
        assert moved.json()["id"] == kept["id"]
        assert (
            moved.json()["parentFolderId"] == graph.get("/me/mailFolders/deleteditems").json()["id"]
        )
        assert delta_all(graph, drafts)[0] == [
            {"id": kept["id"], "@removed": {"reason": "deleted"}}
        ]
        assert [e["id"] for e in delta_all(graph, trash)[0]] == [kept["id"]]
        graph.post(f"/me/messages/{sent['id']}/send")
        copy = graph.get("/me/mailFolders/sentitems/messages").json()["value"][0]
        assert copy["id"] != sent["id"]  # the documented exception: a sent copy is new
    with graph_client(sandbox) as plain:  # without the preference, a move changes the id
        assert (
            plain.get("/me/mailFolders/deleteditems/messages").json()["value"][0]["id"]
            != (kept["id"])
        )
