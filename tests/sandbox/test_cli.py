"""The `outreach sandbox` control commands against a running sandbox."""

from __future__ import annotations

import json

from click.testing import CliRunner
from exchangelib import Mailbox, Message

from outreach.cli.sandbox import sandbox as group


def test_cli_controls(account, sandbox) -> None:
    Message(
        account=account,
        folder=account.drafts,
        subject="Ask Lena",
        body="x",
        to_recipients=[Mailbox(email_address="lena.marchetti@example.com")],
    ).save()
    base = ["--url", f"http://127.0.0.1:{sandbox.port}"]
    runner = CliRunner()
    result = runner.invoke(group, [*base, "send-draft", "--subject", "Ask Lena"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(group, [*base, "reply", "--subject", "Ask Lena"]).exit_code == 0
    shown = json.loads(runner.invoke(group, [*base, "inspect"]).output)
    assert [r["subject"] for r in shown["inbox"]] == ["RE: Ask Lena"]
    assert (
        runner.invoke(group, [*base, "fault", "server_busy", "--operation", "FindItem"]).exit_code
        == 0
    )
    assert runner.invoke(group, [*base, "fault", "clear"]).exit_code == 0
    counts = json.loads(runner.invoke(group, [*base, "requests", "--reset"]).output)
    assert counts["CreateItem"] == 1
    bad = runner.invoke(group, [*base, "bounce", "--subject", "no such thing"])
    assert bad.exit_code == 1 and "no item" in bad.output
