"""The `outreach sandbox` control commands against a running sandbox."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

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
    quoted = [*base, "reply", "--subject", "Ask Lena", "--body", "Ja, gern.", "--quoting"]
    assert runner.invoke(group, [*quoted, "outlook", "--language", "de"]).exit_code == 0
    [german] = [i for i in account.inbox.all().only("text_body", "body") if "gern" in i.body]
    assert german.body.startswith("Ja, gern.") and "\nVon: " in german.body
    unknown = runner.invoke(group, [*quoted, "outlook", "--language", "tlh"])
    assert unknown.exit_code == 1 and "not 'tlh'" in unknown.output
    assert (
        runner.invoke(group, [*base, "fault", "server_busy", "--operation", "FindItem"]).exit_code
        == 0
    )
    assert runner.invoke(group, [*base, "fault", "clear"]).exit_code == 0
    counts = json.loads(runner.invoke(group, [*base, "requests", "--reset"]).output)
    assert counts["CreateItem"] == 1
    bad = runner.invoke(group, [*base, "bounce", "--subject", "no such thing"])
    assert bad.exit_code == 1 and "no item" in bad.output


def test_serve_prints_the_endpoint_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    served = subprocess.Popen(
        [sys.executable, "-m", "outreach", "sandbox", "serve", "--port", "0",
         "--data", str(tmp_path / "practice")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert served.stdout is not None
        first = served.stdout.readline()
        assert first.startswith("EWS endpoint: http://127.0.0.1:"), first
        url = first.split(": ", 1)[1].strip()
        base = url.rsplit("/EWS/", 1)[0]
        shown = CliRunner().invoke(group, ["--url", base, "inspect"])
        assert shown.exit_code == 0 and "inbox" in json.loads(shown.output), shown.output
        served.send_signal(signal.SIGINT)
        _, errors = served.communicate(timeout=30)
        assert served.returncode == 0 and "Traceback" not in errors, errors
        assert (tmp_path / "practice").is_dir()
    finally:
        if served.poll() is None:
            served.kill()
            served.wait()
