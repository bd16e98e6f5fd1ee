"""Sign-in as real servers ask for it: NTLM and Negotiate, HTTPS with a private CA, EWS off.

Every test runs exchangelib's own HTTP stack against the sandbox; the sandbox checks
NTLM with pyspnego's acceptor and serves TLS with a certificate from a test CA.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from signin import Pki, leaks, small_campaign

from outreach.config.settings import Auth, MailboxSettings, Secret
from outreach.core.errors import MailboxError
from outreach.mailbox.connect import open_account, trust
from outreach.mailbox.ews import EwsMailbox
from outreach.sandbox import Sandbox

ROBIN = "robin.vale@example.com"
PASSWORD = "Corr3ct-Horse-Battery"  # the test user's password
WRONG = "Wr0ng-Horse"
ACCOUNTS = {ROBIN: PASSWORD, "EXAMPLE\\robin": PASSWORD}


def settings(
    url: str | None, kind: str = "ntlm", user: str = "EXAMPLE\\robin", **more: object
) -> MailboxSettings:
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


@pytest.fixture(autouse=True)
def debug_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Each test's whole log at DEBUG, client and server side (pyspnego's included), searched
    at the end for the passwords, their Basic form and NTLM messages."""
    with caplog.at_level(logging.DEBUG):
        yield caplog
    secrets = [PASSWORD, WRONG]
    secrets += [base64.b64encode(f"{u}:{p}".encode()).decode() for u in ACCOUNTS for p in secrets]
    assert leaks(caplog.text, secrets) == []


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


def test_a_wrong_ntlm_password_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTREACH_TEST_PASSWORD", WRONG)
    with Sandbox(passwords=ACCOUNTS, auth=("negotiate", "ntlm")) as sandbox:
        with pytest.raises(MailboxError) as failure:
            open_box(settings(sandbox.url))
        assert sandbox.door.handshakes == 0
    assert str(failure.value) == (
        "The mailbox server 127.0.0.1 rejected the sign-in of EXAMPLE\\robin: "
        "wrong username or password."
    )


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


def test_a_campaign_over_https_with_a_private_ca_and_ntlm(pki: Pki, system_ca_bundle: None) -> None:
    with Sandbox(passwords=ACCOUNTS, auth=("ntlm",), tls_cert=pki.server) as sandbox:
        assert sandbox.url.startswith("https://127.0.0.1:")
        box = open_box(settings(sandbox.url, ca_bundle=pki.ca))
        try:
            small_campaign(box, sandbox)  # NTLM over TLS carries the channel binding too
        finally:
            box.close()
        assert sandbox.door.handshakes == 1


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
    from outreach.mailbox import tls

    tls._warned_unverified.clear()  # a fresh process
    with Sandbox(tls_cert=pki.other_name) as sandbox:
        for _ in range(2):
            with caplog.at_level(logging.WARNING, logger="outreach"):
                open_box(settings(sandbox.url, kind="basic", verify_tls=False)).close()
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("outreach")
    ]
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


def test_ews_switched_off_says_to_use_graph() -> None:
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


def test_check_offline_names_a_missing_ca_bundle(tmp_path: Path, pki: Pki) -> None:
    from outreach.cli.main import cli
    from outreach.config.loader import render_example

    config = tmp_path / "config.yaml"
    for bundle, code in ((tmp_path / "corp-ca.pem", 2), (pki.ca, 0)):
        config.write_text(
            render_example(
                {"paths.store": str(tmp_path / "store.json"), "mailbox.ca_bundle": str(bundle)}
            ),
            encoding="utf-8",
        )
        result = CliRunner().invoke(cli, ["--config", str(config), "check", "--offline"])
        assert result.exit_code == code, result.output
    config.write_text(
        render_example(
            {"paths.store": str(tmp_path / "store.json"), "mailbox.ca_bundle": "corp-ca.pem"}
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "check", "--offline"])
    assert result.exit_code == 2
    line = next(
        n for n, text in enumerate(config.read_text().splitlines(), 1) if "ca_bundle:" in text
    )
    assert (
        f"config.yaml:{line}: At 'mailbox.ca_bundle': the file {tmp_path / 'corp-ca.pem'} "
        "does not exist"
    ) in result.output


# -- Autodiscover ------------------------------------------------------------------


@pytest.fixture
def known_autodiscover() -> Iterator[list[tuple[str, object]]]:
    """exchangelib's Autodiscover cache, as DNS would have filled it; emptied afterwards."""
    from exchangelib.autodiscover.cache import autodiscover_cache

    keys: list[tuple[str, object]] = []
    yield keys
    for key in keys:
        del autodiscover_cache[key]


def test_autodiscover_finds_ews_from_the_autodiscover_endpoint(
    pki: Pki, system_ca_bundle: None, known_autodiscover: list[tuple[str, object]]
) -> None:
    from exchangelib import NTLM, Configuration, Credentials, FailFast
    from exchangelib.autodiscover import AutodiscoverProtocol
    from exchangelib.autodiscover.cache import autodiscover_cache

    with Sandbox(passwords=ACCOUNTS, auth=("ntlm",), tls_cert=pki.server) as sandbox:
        box_settings = settings(None, autodiscover=True, ca_bundle=pki.ca)
        trust(box_settings)  # the autodiscover request goes through the same TLS rules
        credentials = Credentials("EXAMPLE\\robin", PASSWORD)
        key = ("example.com", credentials)
        known_autodiscover.append(key)
        autodiscover_cache[key] = AutodiscoverProtocol(
            config=Configuration(
                service_endpoint=sandbox.autodiscover_url,
                credentials=credentials,
                auth_type=NTLM,
                retry_policy=FailFast(),
            )
        )
        box = open_box(box_settings)
        try:
            assert box.connection.endpoint == sandbox.url  # from GetUserSettings' ExternalEwsUrl
            small_campaign(box, sandbox)
        finally:
            box.close()
