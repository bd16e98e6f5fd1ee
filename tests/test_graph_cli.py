"""Microsoft 365 from the command line: the Graph starter config and `check` over Graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli.main import cli
from outreach.config import loader
from outreach.core.errors import UserError
from outreach.sandbox import Sandbox


def test_init_backend_graph_writes_a_microsoft_365_starter(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    done = CliRunner().invoke(cli, [
        "--config", str(path), "init", "--backend", "graph", "--name", "Alex Example",
        "--email", "alex@example.com", "--store", str(tmp_path / "store.json"),
        "--timezone", "Europe/Berlin",
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    settings = loader.load(path)
    box = settings.mailbox
    assert (box.backend, box.auth.type, box.graph_url) == (
        "graph", "token", "https://graph.microsoft.com/v1.0"
    )
    assert box.auth.secret.command == (
        "az account get-access-token --resource-type ms-graph --query accessToken -o tsv"
    )
    assert box.auth.secret.env is None


def test_check_over_graph_needs_only_backend_url_and_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's smallest config: any Graph server, any token it accepts."""
    with Sandbox(tokens=lambda token: "robin.vale@example.com" if token == "t0k" else None) as sb:
        monkeypatch.setenv("OUTREACH_TEST_GRAPH_TOKEN", "t0k")
        path = tmp_path / "config.yaml"
        path.write_text(
            "user:\n  name: Robin Vale\n  email: robin.vale@example.com\n"
            f"mailbox:\n  backend: graph\n  graph_url: {sb.graph_url}\n"
            "  auth:\n    type: token\n    secret:\n      env: OUTREACH_TEST_GRAPH_TOKEN\n"
            f"paths:\n  store: {tmp_path / 'store.json'}\n",
            encoding="utf-8",
        )
        done = CliRunner().invoke(cli, ["--config", str(path), "check"])
        assert done.exit_code == 0, done.output
        assert (
            "Microsoft Graph at 127.0.0.1: signed in as robin.vale@example.com; mailbox "
            "robin.vale@example.com; tenant not named by the token." in done.output
        )
        monkeypatch.setenv("OUTREACH_TEST_GRAPH_TOKEN", "bad-t0k-93c1")
        refused = CliRunner().invoke(cli, ["--config", str(path), "check"])
        assert refused.exit_code == 1
        assert "rejected the sign-in of robin.vale@example.com" in refused.output
        assert "Traceback" not in refused.output and "bad-t0k-93c1" not in refused.output


def test_a_graph_config_that_cannot_sign_in_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "user:\n  name: Robin Vale\n  email: robin.vale@example.com\n"
        "mailbox:\n  backend: graph\n  auth:\n    type: ntlm\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as bad:
        loader.load(path)
    assert "At 'mailbox.auth.type': Microsoft Graph signs in with oauth2" in str(bad.value)
