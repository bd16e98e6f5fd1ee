"""What only the Graph backend shows: token sign-in, HTTP statuses as sentences, batches.

The actions are the contract both backends pass (test_backend.py, test_observe.py);
here the sandbox's Graph face refuses tokens, throttles, drops connections and
forgets delta tokens, and each failure must be one sentence with no token in it.
"""

from __future__ import annotations

import logging
import shlex
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from syncs import cycle

from outreach.config.settings import Auth, MailboxSettings, Secret
from outreach.core.errors import MailboxError
from outreach.core.items import OutgoingEmail
from outreach.core.observations import ReplyReceived
from outreach.mailbox import SandboxToken
from outreach.mailbox.graph import open_graph
from outreach.sandbox import Sandbox

Email = Callable[..., OutgoingEmail]


@pytest.fixture
def graph(sandbox: Sandbox) -> Iterator[Any]:
    waits: list[float] = []
    box = open_graph(
        MailboxSettings(max_wait_seconds=3),
        sandbox.user,
        graph_url=sandbox.graph_url,
        tokens=SandboxToken(),
        sleep=waits.append,
    )
    box.waits = waits
    yield box
    box.close()


def token_command(tmp_path: Path, *tokens: str) -> str:
    """A secret command that prints the next of ``tokens`` each time it runs (and counts)."""
    script = tmp_path / "token.py"
    script.write_text(
        "import pathlib, sys\n"
        f"runs = pathlib.Path({str(tmp_path / 'runs')!r})\n"
        "n = len(runs.read_text()) if runs.exists() else 0\n"
        "runs.write_text('x' * (n + 1))\n"
        f"tokens = {list(tokens)!r}\n"
        "print(tokens[min(n, len(tokens) - 1)])\n"
    )
    return shlex.join([sys.executable, str(script)])


def token_settings(command: str, max_wait: int = 3) -> MailboxSettings:
    return MailboxSettings(
        backend="graph",
        max_wait_seconds=max_wait,
        auth=Auth(type="token", secret=Secret(command=command)),
    )


def runs(tmp_path: Path) -> int:
    counter = tmp_path / "runs"
    return len(counter.read_text()) if counter.exists() else 0


def test_a_refused_token_is_read_again_once_then_one_sentence_never_logged(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.door.tokens = lambda token: None  # every token is refused
    secret = "eyJ0eXAiOiJKV1Qi.refused-token-8d2f.sig"
    box = open_graph(
        token_settings(token_command(tmp_path, secret)),
        sandbox.user,
        graph_url=sandbox.graph_url,
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(MailboxError) as failure:
        box.check()
    box.close()
    assert str(failure.value) == (
        f"Microsoft Graph at 127.0.0.1 rejected the sign-in of {sandbox.user}: the access "
        "token from mailbox.auth.secret is wrong or has expired; get a new one (e.g. az "
        "account get-access-token --resource-type ms-graph)."
    )
    assert not failure.value.transient
    assert runs(tmp_path) == 2  # read, refused, read again, refused: then the sentence
    assert "127.0.0.1" in caplog.text  # the exchange was logged (httpx), the token was not
    assert secret not in caplog.text and "refused-token-8d2f" not in caplog.text


def test_an_expired_token_is_replaced_by_reading_the_secret_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.door.tokens = lambda token: sandbox.user if token == "fresh-token" else None
    box = open_graph(
        token_settings(token_command(tmp_path, "expired-token", "fresh-token")),
        sandbox.user,
        graph_url=sandbox.graph_url,
    )
    try:
        assert "mailbox robin.vale@example.com" in box.check()
        box.check()
    finally:
        box.close()
    assert runs(tmp_path) == 2  # once more after the 401, then the fresh one is kept


def test_unreachable_server_is_one_transient_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends
    box = open_graph(
        MailboxSettings(), "robin.vale@example.com",
        graph_url=f"http://127.0.0.1:{port}/v1.0", tokens=SandboxToken(),
    )  # fmt: skip
    with pytest.raises(MailboxError) as failure:
        box.sync({})
    box.close()
    assert str(failure.value) == (
        "Cannot reach the mailbox server 127.0.0.1: check the address and the network."
    )
    assert failure.value.transient


def test_a_missing_permission_names_it_and_consent(sandbox: Sandbox, graph: Any) -> None:
    sandbox.controls.inject_fault(
        "error", operation="POST /getMailTips", status=403, code="ErrorAccessDenied"
    )
    with pytest.raises(MailboxError) as failure:
        graph.mail_tips(["priya.castellan@example.com"])
    assert str(failure.value) == (
        "Microsoft Graph at 127.0.0.1 refused the sandbox user access to the mailbox "
        f"{sandbox.user} (ErrorAccessDenied): the app needs the permission Mail.Read, and an "
        "administrator may have to consent to it."
    )
    assert not failure.value.transient


def test_throttling_beyond_the_ceiling_is_one_sentence_without_waiting(
    email: Email, sandbox: Sandbox
) -> None:
    waits: list[float] = []
    box = open_graph(
        MailboxSettings(max_wait_seconds=1), sandbox.user,
        graph_url=sandbox.graph_url, tokens=SandboxToken(), sleep=waits.append,
    )  # fmt: skip
    sandbox.controls.inject_fault("throttle", operation="POST /$batch", retry_after=5)
    with pytest.raises(MailboxError, match="kept asking to slow down") as failure:
        box.create_drafts([email(1)])
    box.close()
    assert failure.value.transient and waits == []
    assert sandbox.controls.inspect()["drafts"] == []


def test_a_request_throttled_inside_a_batch_is_sent_again_alone(
    email: Email, sandbox: Sandbox, graph: Any
) -> None:
    sandbox.controls.inject_fault("throttle", operation="POST /messages", retry_after=2)
    sandbox.controls.reset_request_counts()
    made = graph.create_drafts([email(n) for n in range(1, 4)])
    assert [c.tracking_id for c in made] == ["msg001", "msg002", "msg003"]
    assert graph.waits == [2.0]
    assert sandbox.controls.request_counts("graph") == {"POST /$batch": 2}
    assert sandbox.controls.request_counts("batched")["POST /messages"] == 4  # 3, then 1 again
    assert len(sandbox.controls.inspect()["drafts"]) == 3  # nothing drafted twice


def test_connection_failures_are_transient_refusals_are_not(
    sandbox: Sandbox, graph: Any
) -> None:
    sandbox.controls.inject_fault("error", operation="GET /users", status=400, code="BadRequest")
    sandbox.controls.inject_fault("error", operation="GET /users", status=400, code="BadRequest")
    with pytest.raises(MailboxError) as refused:
        graph.lookup("Priya")
    assert refused.value.transient is False
    assert str(refused.value).startswith("The mailbox server 127.0.0.1 refused the request")
    sandbox.controls.inject_fault("drop", operation="GET /users")
    with pytest.raises(MailboxError) as down:
        graph.lookup("Priya")
    assert down.value.transient is True


def test_a_forgotten_delta_token_restarts_that_folder_only_reporting_nothing_twice(
    email: Email, sandbox: Sandbox, graph: Any
) -> None:
    _, state = cycle(graph, {})
    graph.create_drafts([email(1)])
    sandbox.controls.press_send(subject="(1)")
    sandbox.controls.reply(subject="(1)", body="Gladly.")
    seen, state = cycle(graph, state)
    assert sorted(type(o).__name__ for o in seen) == ["DraftSent", "ReplyReceived"]
    sandbox.controls.inject_fault(
        "error", operation="GET /mailFolders/{id}/messages/delta", status=410,
        code="syncStateNotFound",
    )  # fmt: skip
    sandbox.controls.reply(subject="(1)", body="And one more thing.")
    sandbox.controls.reset_request_counts()
    seen, state = cycle(graph, state)
    assert [o.body_text for o in seen if isinstance(o, ReplyReceived)] == ["And one more thing."]
    assert len(seen) == 1
    assert sandbox.controls.request_counts("graph")["POST /$batch"] >= 2  # the restart
    again, _ = cycle(graph, state)
    assert again == []
