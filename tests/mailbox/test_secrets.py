"""Secrets: read from env / systemd credential, never printed by logging or errors."""

from __future__ import annotations

import base64
import logging
import shlex
import stat
import sys
from pathlib import Path

import pytest

from outreach.config import secrets
from outreach.config.settings import Secret
from outreach.core.errors import UserError


def test_env_secret_is_read_and_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTREACH_TEST_PW", "env-pw-5f1c")
    assert secrets.read_secret(Secret(env="OUTREACH_TEST_PW"), "user@example.com") == "env-pw-5f1c"
    assert "env-pw-5f1c" not in secrets.redact("password is env-pw-5f1c")


def test_missing_env_names_the_variable_not_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTREACH_NOT_SET", raising=False)
    with pytest.raises(UserError, match="OUTREACH_NOT_SET, which is not set"):
        secrets.read_secret(Secret(env="OUTREACH_NOT_SET"))


def test_systemd_credential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ews-password").write_text("cred-pw-77aa\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert secrets.read_secret(Secret(credential="ews-password")) == "cred-pw-77aa"
    with pytest.raises(UserError, match="cannot be read"):
        secrets.read_secret(Secret(credential="absent"))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(UserError, match=r"\$CREDENTIALS_DIRECTORY is not set"):
        secrets.read_secret(Secret(credential="ews-password"))


def test_no_source_configured() -> None:
    with pytest.raises(UserError, match="No source is configured"):
        secrets.read_secret(Secret())


def test_log_records_are_redacted_whatever_the_handler(caplog: pytest.LogCaptureFixture) -> None:
    secrets.protect_logging()
    secrets.register("log-pw-9911", "user@example.com")
    basic = base64.b64encode(b"user@example.com:log-pw-9911").decode()
    log = logging.getLogger("exchangelib.util")
    with caplog.at_level(logging.DEBUG):
        log.debug("Request headers: %s", {"Authorization": f"Basic {basic}"})
        log.debug("login with %s", "log-pw-9911")
        log.debug("token %s", '{"access_token": "eyJ0eXAiOi.abc", "refresh_token": "0.AAA"}')
        try:
            raise RuntimeError("failed for log-pw-9911")
        except RuntimeError:
            log.exception("boom")
    text = caplog.text
    assert "log-pw-9911" not in text
    assert basic not in text
    assert "eyJ0eXAiOi" not in text and "0.AAA" not in text
    assert text.count(secrets.MASK) >= 5


def test_private_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "state" / "token-cache.json"
    secrets.write_private(target, "{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    secrets.write_private(target, '{"a": 1}')
    assert target.read_text() == '{"a": 1}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["token-cache.json"]


def test_a_token_cache_that_cannot_be_written_is_a_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the cache's folder should be")
    with pytest.raises(UserError, match=r"^The sign-in token cache .*token-cache\.json: "
                       r"cannot be created: part of the path is a file"):
        secrets.write_private(blocker / "cache" / "token-cache.json", "{}")
    assert blocker.read_text() == "a file where the cache's folder should be"


def _python(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


def test_command_output_is_the_secret_and_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    secrets.protect_logging()
    # a shell would run the second command; split into words it is only an argument
    command = _python("import sys; print('cmd-token-31f7', sys.argv[1:])") + " '; touch x'"
    value = secrets.read_secret(Secret(command=command), what="access token")
    assert value == "cmd-token-31f7 ['; touch x']"
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").debug("Authorization: Bearer %s", value)
    assert "cmd-token-31f7" not in caplog.text


def test_command_failures_name_the_program_not_the_output() -> None:
    with pytest.raises(UserError) as failed:
        secrets.read_secret(
            Secret(command=_python("print('half-a-token'); raise SystemExit(3)")),
            what="access token",
        )
    assert "exit status 3" in str(failed.value) and "half-a-token" not in str(failed.value)
    with pytest.raises(UserError, match="printed nothing"):
        secrets.read_secret(Secret(command=_python("pass")))
    with pytest.raises(UserError, match="'no-such-tool-4242', which is not installed"):
        secrets.read_secret(Secret(command="no-such-tool-4242 --token"))
    with pytest.raises(UserError, match="cannot be split"):
        secrets.read_secret(Secret(command="az 'unclosed"))
