"""Sign-in as real servers ask for it: NTLM and Negotiate, HTTPS with a private CA, EWS off.

Every test runs exchangelib's own HTTP stack against the sandbox; the sandbox checks
NTLM with pyspnego's acceptor and serves TLS with a certificate from a test CA.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from signin import Pki, leaks, small_campaign

from outreach.errors import MailboxError
from outreach.mailbox.connect import open_account
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox
from outreach.settings import Auth, MailboxSettings, Secret

ROBIN = "robin.vale@example.com"
PASSWORD = "Corr3ct-Horse-Battery"  # the test user's password
ACCOUNTS = {ROBIN: PASSWORD, "EXAMPLE\\robin": PASSWORD}


def settings(url: str, kind: str = "ntlm", user: str = "EXAMPLE\\robin", **more: object) -> (
    MailboxSettings
):
    return MailboxSettings(
        backend="ews",
        service_endpoint=url,
        max_wait_seconds=3,
        auth=Auth(type=kind, username=user, secret=Secret(env="OUTREACH_TEST_PASSWORD")),
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OUTREACH_TEST_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The whole test's log at DEBUG, client and server side (pyspnego's included)."""
    with caplog.at_level(logging.DEBUG):
        yield caplog


def open_box(box_settings: MailboxSettings) -> EwsMailbox:
    return EwsMailbox(open_account(box_settings, ROBIN, retry_wait=0.05), tz="Europe/Berlin")


@pytest.mark.parametrize(
    ("scheme", "user"), [("ntlm", "EXAMPLE\\robin"), ("negotiate", ROBIN)]
)
def test_a_campaign_over_ntlm_signs_in_once_per_connection(
    scheme: str, user: str, debug_log: pytest.LogCaptureFixture
) -> None:
    with Sandbox(passwords=ACCOUNTS, auth=(scheme,)) as sandbox:
        box = open_box(settings(sandbox.url, user=user))
        try:
            small_campaign(box, sandbox)
            assert box.check().startswith(f"Signed in to 127.0.0.1 as {user}")
        finally:
            box.close()
        requests = sum(sandbox.controls.request_counts().values())
        # IIS authenticates the kept-alive connection: one handshake, many requests
        assert sandbox.door.handshakes == 1 and requests > 10
    logged = debug_log.text
    assert "NTLM step" in logged or "SPNEGO step" in logged  # pyspnego did log its steps
    assert leaks(logged, [PASSWORD]) == []


def test_a_wrong_ntlm_password_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, debug_log: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OUTREACH_TEST_PASSWORD", "Wr0ng-Horse")
    with Sandbox(passwords=ACCOUNTS, auth=("negotiate", "ntlm")) as sandbox:
        with pytest.raises(MailboxError) as failure:
            open_box(settings(sandbox.url))
        assert sandbox.door.handshakes == 0
    assert str(failure.value) == (
        "The mailbox server 127.0.0.1 rejected the sign-in of EXAMPLE\\robin: "
        "wrong username or password."
    )
    assert leaks(debug_log.text, ["Wr0ng-Horse", PASSWORD]) == []


def test_basic_is_refused_where_only_ntlm_is_offered() -> None:
    with Sandbox(passwords=ACCOUNTS, auth=("ntlm",)) as sandbox, pytest.raises(
        MailboxError, match="rejected the sign-in of EXAMPLE"
    ):
        open_box(settings(sandbox.url, kind="basic"))


# -- TLS -------------------------------------------------------------------------


@pytest.fixture
def system_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """$REQUESTS_CA_BUNDLE set, as on many machines: it must not replace mailbox.ca_bundle."""
    for candidate in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"):
        if Path(candidate).is_file():
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", candidate)
            return
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())


def test_a_campaign_over_https_with_a_private_ca_and_ntlm(
    pki: Pki, system_ca_bundle: None, debug_log: pytest.LogCaptureFixture
) -> None:
    with Sandbox(passwords=ACCOUNTS, auth=("ntlm",), tls_cert=pki.server) as sandbox:
        assert sandbox.url.startswith("https://127.0.0.1:")
        box = open_box(settings(sandbox.url, ca_bundle=pki.ca))
        try:
            small_campaign(box, sandbox)  # NTLM over TLS carries the channel binding too
        finally:
            box.close()
        assert sandbox.door.handshakes == 1
    assert leaks(debug_log.text, [PASSWORD]) == []


def test_a_certificate_from_an_unknown_ca_is_one_sentence(pki: Pki, system_ca_bundle: None) -> None:
    with Sandbox(tls_cert=pki.server) as sandbox, pytest.raises(MailboxError) as failure:
        open_box(settings(sandbox.url, kind="basic"))
    assert str(failure.value) == (
        "The TLS certificate of 127.0.0.1 is not signed by a certificate authority this "
        "machine trusts; set mailbox.ca_bundle to your organization's CA file."
    )


def test_a_certificate_for_another_name_names_the_host(pki: Pki) -> None:
    with Sandbox(tls_cert=pki.other_name) as sandbox, pytest.raises(MailboxError) as failure:
        open_box(settings(sandbox.url, kind="basic", ca_bundle=pki.ca))
    assert str(failure.value) == (
        "The TLS certificate of 127.0.0.1 was issued for another name than 127.0.0.1; "
        "use the name the certificate is for in mailbox.service_endpoint or server."
    )


def test_verify_tls_off_works_and_warns_once(pki: Pki, caplog: pytest.LogCaptureFixture) -> None:
    from outreach.mailbox import connect

    connect._warned_unverified.clear()  # a fresh process
    with Sandbox(tls_cert=pki.other_name) as sandbox:
        for _ in range(2):
            with caplog.at_level(logging.WARNING, logger="outreach"):
                open_box(settings(sandbox.url, kind="basic", verify_tls=False)).close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "mailbox.verify_tls is off: no server's TLS certificate is checked, so anyone on the "
        "network can read the password and the mail; prefer mailbox.ca_bundle."
    ]
    with Sandbox(tls_cert=pki.other_name) as sandbox, pytest.raises(MailboxError):
        open_box(settings(sandbox.url, kind="basic", ca_bundle=pki.ca))  # checked again


def test_a_missing_ca_bundle_is_named(tmp_path: Path) -> None:
    with Sandbox() as sandbox, pytest.raises(MailboxError) as failure:
        open_box(settings(sandbox.url, kind="basic", ca_bundle=tmp_path / "corp-ca.pem"))
    assert str(failure.value) == (
        f"mailbox.ca_bundle names {tmp_path / 'corp-ca.pem'}, which is not a file."
    )


# -- Exchange Online's EWS switch-off ---------------------------------------------


def test_ews_switched_off_says_to_use_graph(debug_log: pytest.LogCaptureFixture) -> None:
    with Sandbox() as sandbox:
        sandbox.controls.disable_ews()
        with pytest.raises(MailboxError) as failure:
            open_box(settings(sandbox.url, kind="basic"))
        assert str(failure.value) == (
            "EWS is turned off for this organization on 127.0.0.1 (Exchange Online's "
            "X-EWS-Policy-Reason): set mailbox.backend: graph, or ask the administrator to "
            "allow this app to use EWS."
        )
        assert not failure.value.transient  # waiting does not help
        sandbox.controls.enable_ews()
        open_box(settings(sandbox.url, kind="basic")).close()
    assert leaks(debug_log.text, [PASSWORD]) == []


def test_ews_switched_off_mid_campaign_is_the_same_sentence() -> None:
    with Sandbox() as sandbox:
        box = open_box(settings(sandbox.url, kind="basic"))
        try:
            sandbox.controls.disable_ews()
            with pytest.raises(MailboxError, match=r"set mailbox\.backend: graph"):
                box.sync({})
        finally:
            box.close()


def test_the_cli_switches_ews_off_and_on() -> None:
    from outreach.cli.sandbox import sandbox as sandbox_cli

    with Sandbox() as sandbox:
        base = sandbox.base_url
        runner = CliRunner()
        off = runner.invoke(sandbox_cli, ["--url", base, "disable-ews", "--reason", "Policy"])
        assert off.exit_code == 0, off.output
        assert sandbox.controls.ews_policy_reason == "Policy"
        on = runner.invoke(sandbox_cli, ["--url", base, "enable-ews"])
        assert on.exit_code == 0 and sandbox.controls.ews_policy_reason == ""
