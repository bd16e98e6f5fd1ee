"""Faults on the Graph face: throttling, outages, a dropped connection, injected errors, auth;
each aimed at one face or both."""

from __future__ import annotations

import httpx
import pytest
from exchangelib.errors import ErrorServerBusy

from outreach.sandbox import Sandbox
from outreach.sandbox.controls import FAULT_KINDS

from .conftest import graph_client
from .test_graph_delta import FOLDERS


def test_throttling_is_429_with_retry_after_seconds(graph, sandbox) -> None:
    sandbox.controls.inject_fault("throttle", face="graph", retry_after=7)
    r = graph.get("/me")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert r.json()["error"]["code"] == "ApplicationThrottled"
    assert graph.get("/me").status_code == 200  # one use


def test_an_outage_is_503_with_retry_after_and_a_server_error_500(graph, sandbox) -> None:
    sandbox.controls.inject_fault("unavailable", retry_after=3)
    sandbox.controls.inject_fault("http500", face="graph")
    first, second = graph.get("/me"), graph.get("/me")
    assert (first.status_code, first.headers["Retry-After"]) == (503, "3")
    assert second.status_code == 500 and "error" in second.json()


def test_a_dropped_connection_answers_nothing(graph, sandbox) -> None:
    sandbox.controls.inject_fault("drop", face="graph")
    with pytest.raises(httpx.TransportError):
        graph.get("/me")
    assert graph.get("/me").status_code == 200


def test_injected_errors_with_status_and_code(graph, sandbox) -> None:
    for status, code in ((401, "InvalidAuthenticationToken"), (403, "ErrorAccessDenied")):
        sandbox.controls.inject_fault("error", face="graph", status=status, code=code)
        r = graph.get("/me/mailFolders/inbox")
        assert (r.status_code, r.json()["error"]["code"]) == (status, code)


def test_a_fault_aimed_at_one_delta_inside_a_batch_fails_only_that_one(graph, sandbox) -> None:
    sandbox.controls.inject_fault(
        "error",
        face="graph",
        operation="GET /mailFolders/{id}/messages/delta",
        status=410,
        code="resyncRequired",
    )
    answer = graph.post(
        "/$batch",
        json={
            "requests": [
                {"id": name, "method": "GET", "url": f"/me/mailFolders/{name}/messages/delta"}
                for name in FOLDERS
            ]
        },
    ).json()["responses"]
    assert [r["status"] for r in answer] == [410, 200, 200, 200]
    assert answer[0]["body"]["error"]["code"] == "resyncRequired"


def test_throttling_inside_a_batch_carries_retry_after(graph, sandbox) -> None:
    sandbox.controls.inject_fault("throttle", operation="GET /", retry_after=2)
    answer = graph.post(
        "/$batch", json={"requests": [{"id": "1", "method": "GET", "url": "/me"}]}
    ).json()["responses"]
    assert answer[0]["status"] == 429 and answer[0]["headers"]["Retry-After"] == "2"


def test_faults_aim_at_one_face(graph, account, sandbox) -> None:
    sandbox.controls.inject_fault("http500", face="ews")
    assert graph.get("/me").status_code == 200  # not for Graph
    sandbox.controls.clear_faults()
    sandbox.controls.inject_fault("throttle")  # a Graph-only kind never hits EWS
    account.root.refresh()
    assert graph.get("/me").status_code == 429
    sandbox.controls.inject_fault("server_busy")  # an EWS-only kind never hits Graph
    assert graph.get("/me").status_code == 200
    with pytest.raises(ErrorServerBusy):
        account.inbox.refresh()
    with pytest.raises(ValueError, match="not played on the graph face"):
        sandbox.controls.inject_fault("server_busy", face="graph")
    assert set(FAULT_KINDS) >= {"throttle", "unavailable", "http500", "drop", "error"}


def test_counts_per_face(graph, account, sandbox) -> None:
    account.root.refresh()
    graph.get("/me/mailFolders/inbox")
    graph.get("/me/mailFolders/drafts")
    assert sandbox.controls.request_counts("graph") == {"GET /mailFolders/{id}": 2}
    assert "GetFolder" in sandbox.controls.request_counts("ews")
    assert sandbox.controls.request_counts()["GET /mailFolders/{id}"] == 2
    assert [x.path for x in sandbox.graph_recorded] == [
        "/me/mailFolders/inbox",
        "/me/mailFolders/drafts",
    ]


def test_a_missing_token_is_401(sandbox) -> None:
    with httpx.Client(base_url=sandbox.graph_url) as anonymous:
        r = anonymous.get("/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "Bearer" in r.headers["WWW-Authenticate"]


def test_the_doors_token_check_signs_in_graph_too(clock) -> None:
    issued = {"good": "robin.vale@example.com", "app": ""}
    with Sandbox(clock=clock, auth=("bearer",), tokens=issued.get) as sb:
        with graph_client(sb, "bad") as bad, graph_client(sb, "good") as good:
            assert bad.get("/me").status_code == 401
            assert good.get("/me").json()["mail"] == "robin.vale@example.com"
        with graph_client(sb, "app") as app:
            assert app.get("/me").status_code == 400  # an app token has no "me"
            assert app.get("/users/robin.vale@example.com").json()["displayName"] == "Robin Vale"


def test_the_cli_aims_a_graph_fault_and_counts_per_face(graph, sandbox) -> None:
    import json

    from click.testing import CliRunner

    from outreach.cli.sandbox import FAULT_KINDS as CLI_KINDS
    from outreach.cli.sandbox import sandbox as group

    assert set(CLI_KINDS) == set(FAULT_KINDS)
    base = ["--url", f"http://127.0.0.1:{sandbox.port}"]
    runner = CliRunner()
    result = runner.invoke(
        group, [*base, "fault", "throttle", "--face", "graph", "--retry-after", "4"]
    )
    assert result.exit_code == 0, result.output
    r = graph.get("/me")
    assert (r.status_code, r.headers["Retry-After"]) == (429, "4")
    result = runner.invoke(
        group,
        [
            *base,
            "fault",
            "error",
            "--face",
            "graph",
            "--status",
            "410",
            "--code",
            "syncStateNotFound",
            "--operation",
            "GET /mailFolders/{id}/messages/delta",
        ],
    )
    assert result.exit_code == 0, result.output
    assert graph.get("/me/mailFolders/inbox/messages/delta").status_code == 410
    counts = json.loads(runner.invoke(group, [*base, "requests", "--face", "graph"]).output)
    assert counts == {"GET /": 1, "GET /mailFolders/{id}/messages/delta": 1}


def test_a_drop_aimed_inside_a_batch_drops_the_batch(graph, sandbox) -> None:
    sandbox.controls.inject_fault("drop", operation="GET /mailFolders/{id}/messages/delta")
    with pytest.raises(httpx.TransportError):
        graph.post(
            "/$batch",
            json={
                "requests": [
                    {"id": "1", "method": "GET", "url": "/me/mailFolders/inbox/messages/delta"}
                ]
            },
        )
    assert graph.get("/me").status_code == 200


def test_graph_goes_on_while_the_organization_turns_ews_off(graph, sandbox) -> None:
    sandbox.controls.disable_ews()
    ews = httpx.post(sandbox.url, content=b"<x/>", auth=("robin.vale@example.com", "pw"))
    assert ews.status_code == 403 and ews.headers["X-EWS-Policy-Reason"]
    assert graph.get("/me/mailFolders/inbox").status_code == 200


def test_outlook_limits_when_turned_on(graph, sandbox, clock) -> None:

    sandbox.controls.limit_graph(per_ten_minutes=3)
    assert [graph.get("/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = graph.get("/me")
    assert refused.headers["Retry-After"] == "600"
    clock.advance(minutes=10)
    assert graph.get("/me").status_code == 200
    inside = graph.post(
        "/$batch",
        json={
            "requests": [  # counted one by one, as Outlook does
                {"id": str(n), "method": "GET", "url": "/me"} for n in range(3)
            ]
        },
    ).json()["responses"]
    assert [r["status"] for r in inside] == [200, 200, 429]


def test_concurrent_requests_past_the_limit_are_refused(clock) -> None:
    from outreach.sandbox.graph.limits import Limits

    limits = Limits(concurrent=2)
    with (
        limits.admit("a@example.com", clock()) as first,
        limits.admit("a@example.com", clock()) as second,
    ):
        with limits.admit("a@example.com", clock()) as third:
            assert (first, second, third) == (None, None, 1)
        with limits.admit("b@example.com", clock()) as elsewhere:  # per mailbox
            assert elsewhere is None
    with limits.admit("a@example.com", clock()) as later:
        assert later is None  # the others finished
