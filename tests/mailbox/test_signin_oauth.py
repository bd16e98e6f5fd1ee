"""OAuth2 against a real local authority: msal itself signs in, exchangelib sends the tokens.

The authority (outreach.sandbox.authority) speaks HTTPS with the test CA, so msal
reaches it through mailbox.ca_bundle; the sandbox takes only the bearer tokens that
authority issued. Each flow runs a small campaign; each failure is one sentence;
no token, code or secret reaches the DEBUG log.
"""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from signin import Pki, leaks, small_campaign

from outreach.config.loader import render_example
from outreach.config.settings import Auth, MailboxSettings, Secret
from outreach.core.errors import MailboxError
from outreach.core.items import OutgoingEmail
from outreach.mailbox.connect import open_account
from outreach.mailbox.ews import EwsMailbox
from outreach.mailbox.oauth import TokenSource
from outreach.sandbox import Sandbox
from outreach.sandbox.authority import DEVICE_GRANT, Authority

ROBIN = "robin.vale@example.com"
DEVICE_APP = "0e1d2c3b-4a59-4687-a5b4-c3d2e1f00001"  # a public client: the device-code app
DAEMON_APP = "0e1d2c3b-4a59-4687-a5b4-c3d2e1f00002"  # a confidential client: app-only
APP_SECRET = "app-s3cret~for.the~tests"
WRONG_SECRET = "not-the-secret"
AUTHORITIES: list[Authority] = []  # the ones this test started, for the log search


@pytest.fixture
def authority(pki: Pki) -> Iterator[Authority]:
    clients = {DEVICE_APP: None, DAEMON_APP: APP_SECRET}
    with Authority(tls_cert=pki.server, clients=clients) as idp:
        AUTHORITIES.append(idp)
        yield idp


@pytest.fixture
def sandbox(pki: Pki, authority: Authority) -> Iterator[Sandbox]:
    """Exchange over HTTPS that takes only the authority's unexpired bearer tokens."""
    with Sandbox(auth=("bearer",), tokens=authority.check, tls_cert=pki.server) as sb:
        yield sb


@pytest.fixture(autouse=True)
def debug_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Each test's whole log at DEBUG, searched at the end for every token, code and secret."""
    with caplog.at_level(logging.DEBUG):
        yield caplog
    issued = [token for idp in AUTHORITIES for token in idp.issued]
    AUTHORITIES.clear()
    assert leaks(caplog.text, [*issued, APP_SECRET, WRONG_SECRET]) == []


def mailbox_settings(
    pki: Pki, sandbox: Sandbox, authority_url: str, backend: str = "ews", **auth: object
) -> MailboxSettings:
    """OAuth2 through the local authority, to the sandbox's EWS face or (graph) its Graph face."""
    face = {"graph_url": sandbox.graph_url} if backend == "graph" else {
        "service_endpoint": sandbox.url}
    return MailboxSettings(
        backend=backend,
        **face,  # type: ignore[arg-type]
        ca_bundle=pki.ca,
        max_wait_seconds=3,
        auth=Auth(type="oauth2", tenant_id="example.com", authority=authority_url, **auth),  # type: ignore[arg-type]
    )


def app_settings(
    pki: Pki,
    sandbox: Sandbox,
    authority: Authority,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
    backend: str = "ews",
) -> MailboxSettings:
    """App-only OAuth2 (client credentials) as the daemon app, its client ``secret`` read
    from the environment as a real setup would."""
    monkeypatch.setenv("OUTREACH_TEST_CLIENT_SECRET", secret)
    return mailbox_settings(
        pki, sandbox, authority.url, backend, client_id=DAEMON_APP, oauth_mode="app",
        secret=Secret(env="OUTREACH_TEST_CLIENT_SECRET"),
    )  # fmt: skip


def sign_in(settings: MailboxSettings, authority: Authority, cache: Path) -> None:
    """`outreach auth login`'s part: the device code, approved by the person in the browser."""
    from outreach.mailbox import tls

    tls.apply(settings)
    shown: list[str] = []

    def show(message: str) -> None:
        shown.append(message)
        authority.approve(ROBIN)  # before msal's first poll, so nobody waits

    who = TokenSource(settings.auth, ROBIN, cache).login(show)
    assert who == ROBIN and "enter the code" in shown[0]


SignedIn = Callable[..., tuple[MailboxSettings, Path]]


@pytest.fixture
def signed_in(pki: Pki, sandbox: Sandbox, authority: Authority, tmp_path: Path) -> SignedIn:
    """Sign in by device code through the authority at ``url`` (Entra by default), as
    `outreach auth login` does; return the settings and the token cache."""

    def sign(url: str = "") -> tuple[MailboxSettings, Path]:
        settings = mailbox_settings(pki, sandbox, url or authority.url, client_id=DEVICE_APP)
        cache = tmp_path / "oauth-token-cache.json"
        sign_in(settings, authority, cache)
        return settings, cache

    return sign


def open_box(settings: MailboxSettings, cache: Path | None = None) -> EwsMailbox:
    connection = open_account(settings, ROBIN, token_cache=cache, retry_wait=0.05)
    return EwsMailbox(connection, tz="Europe/Berlin")


@pytest.mark.parametrize("flavour", ["entra", "adfs"])
def test_a_campaign_over_delegated_oauth_with_a_device_code(
    flavour: str,
    authority: Authority,
    sandbox: Sandbox,
    signed_in: SignedIn,
    debug_log: pytest.LogCaptureFixture,
) -> None:
    settings, cache = signed_in(authority.url if flavour == "entra" else authority.adfs_url)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    box = open_box(settings, cache)
    try:
        small_campaign(box, sandbox)
    finally:
        box.close()
    assert authority.grants == {DEVICE_GRANT: 1}  # the cached token served the whole campaign
    assert "'access_token': '********'" in debug_log.text  # logged, and masked
    assert leaks(debug_log.text, authority.issued) == []


def test_an_expired_access_token_is_refreshed_from_the_cache(
    authority: Authority, signed_in: SignedIn
) -> None:
    authority.access_lifetime = 120  # inside msal's five minutes: as good as expired
    settings, cache = signed_in()
    before = cache.read_text(encoding="utf-8")
    authority.access_lifetime = 3600
    open_box(settings, cache).close()  # a new process: the cache's refresh token is used
    assert authority.grants == {DEVICE_GRANT: 1, "refresh_token": 1}
    assert cache.read_text(encoding="utf-8") != before  # the new tokens were saved
    open_box(settings, cache).close()
    assert authority.grants["refresh_token"] == 1  # the refreshed token is reused from the cache
    TokenSource(settings.auth, ROBIN, cache).access_token(force_refresh=True)  # a refused token
    assert authority.grants["refresh_token"] == 2


def test_a_revoked_refresh_token_says_to_sign_in_again(
    authority: Authority, signed_in: SignedIn, debug_log: pytest.LogCaptureFixture
) -> None:
    authority.access_lifetime = 120
    settings, cache = signed_in()
    authority.revoke(ROBIN)
    with pytest.raises(MailboxError) as failure:
        open_box(settings, cache)
    assert str(failure.value) == (
        f"The sign-in of {ROBIN} is no longer accepted (invalid_grant): "
        "run `outreach auth login` again."
    )
    assert leaks(debug_log.text, authority.issued) == []


def test_a_token_the_server_refuses_is_one_sentence(
    authority: Authority, signed_in: SignedIn
) -> None:
    settings, cache = signed_in()
    later = time.time() + 7200
    authority.clock = lambda: later  # the server's clock says the token has expired
    with pytest.raises(MailboxError) as failure:
        open_box(settings, cache)
    assert str(failure.value) == (
        f"The mailbox server 127.0.0.1 refused the access token of {ROBIN}: run "
        "`outreach auth login` again, or check the app's EWS permission."
    )


def test_a_campaign_over_app_only_oauth(
    pki: Pki,
    authority: Authority,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    debug_log: pytest.LogCaptureFixture,
) -> None:
    box = open_box(app_settings(pki, sandbox, authority, monkeypatch, APP_SECRET))
    try:
        small_campaign(box, sandbox)  # the mailbox comes from the impersonation header
    finally:
        box.close()
    assert authority.grants == {"client_credentials": 1}
    assert leaks(debug_log.text, [*authority.issued, APP_SECRET]) == []


def test_a_wrong_client_secret_is_one_sentence(
    pki: Pki, authority: Authority, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = app_settings(pki, sandbox, authority, monkeypatch, WRONG_SECRET)
    with pytest.raises(MailboxError) as failure:
        open_box(settings)
    assert str(failure.value) == (
        f"The sign-in authority refused the app {DAEMON_APP} (invalid_client): check "
        "mailbox.auth.client_id and the client secret."
    )


def test_an_authority_with_an_unknown_certificate_is_one_sentence(
    pki: Pki, authority: Authority, sandbox: Sandbox, tmp_path: Path
) -> None:
    settings = mailbox_settings(pki, sandbox, authority.url, client_id=DEVICE_APP)
    unrelated = tmp_path / "other-ca.pem"
    import trustme

    trustme.CA().cert_pem.write_to_path(str(unrelated))
    from dataclasses import replace

    with pytest.raises(MailboxError) as failure:
        open_box(replace(settings, ca_bundle=unrelated), tmp_path / "cache.json")
    assert str(failure.value) == (
        "The TLS certificate of the sign-in authority 127.0.0.1 could not be verified; set "
        "mailbox.ca_bundle to your organization's CA file."
    )


def test_auth_login_then_check_from_the_command_line(
    pki: Pki, sandbox: Sandbox, tmp_path: Path
) -> None:
    """The person's own steps: a config, `outreach auth login`, `outreach check`."""
    from outreach.cli.main import cli

    with Authority(tls_cert=pki.server, clients={DEVICE_APP: None}, approve_as=ROBIN) as idp:
        AUTHORITIES.append(idp)
        sandbox.door.tokens = idp.check
        config = tmp_path / "config.yaml"
        config.write_text(
            render_example(
                {
                    "user.email": ROBIN,
                    "paths.store": str(tmp_path / "store.json"),
                    "mailbox.backend": "ews",
                    "mailbox.email": ROBIN,
                    "mailbox.service_endpoint": sandbox.url,
                    "mailbox.ca_bundle": str(pki.ca),
                    "mailbox.auth.type": "oauth2",
                    "mailbox.auth.username": ROBIN,
                    "mailbox.auth.client_id": DEVICE_APP,
                    "mailbox.auth.tenant_id": "example.com",
                    "mailbox.auth.authority": idp.url,
                }
            ),
            encoding="utf-8",
        )
        runner = CliRunner()
        login = runner.invoke(cli, ["--config", str(config), "auth", "login"])
        assert login.exit_code == 0, login.output
        assert f"Signed in as {ROBIN}" in login.output
        check = runner.invoke(cli, ["--config", str(config), "check"])
        assert check.exit_code == 0, check.output
        assert f"Signed in to 127.0.0.1 as {ROBIN}" in check.output
        assert idp.grants == {DEVICE_GRANT: 1}


def test_the_graph_face_takes_the_authoritys_tokens_only(
    pki: Pki, authority: Authority, sandbox: Sandbox, tmp_path: Path
) -> None:
    """The sandbox's Graph face checks bearer tokens through the same door as EWS."""
    import requests

    from outreach.mailbox.oauth import AppTokens

    graph = Auth(type="oauth2", oauth_mode="app", client_id=DAEMON_APP, authority=authority.url)
    from outreach.mailbox import tls

    tls.apply(MailboxSettings(ca_bundle=pki.ca))
    scopes = ["https://graph.microsoft.com/.default"]
    token = AppTokens(graph, APP_SECRET, scopes).access_token()["access_token"]
    settings = mailbox_settings(pki, sandbox, authority.url, client_id=DEVICE_APP)
    sign_in(settings, authority, tmp_path / "cache.json")
    user = TokenSource(settings.auth, ROBIN, tmp_path / "cache.json").access_token()
    folders = f"{sandbox.graph_url}/users/{ROBIN}/mailFolders"
    for bearer, url, status in (
        (token, folders, 200),  # an app token names the mailbox in the path
        (user["access_token"], f"{sandbox.graph_url}/me/mailFolders", 200),
        ("not-a-token-it-issued", folders, 401),
    ):
        answer = requests.get(
            url, headers={"Authorization": f"Bearer {bearer}"}, verify=str(pki.ca), timeout=10
        )
        assert answer.status_code == status, answer.text
    assert "error=\"invalid_token\"" in answer.headers["WWW-Authenticate"]


def test_msal_discovers_the_authority_through_its_instance_discovery(
    pki: Pki, authority: Authority
) -> None:
    """What msal does for an authority it does not know, pointed at this one's endpoint.

    (outreach turns instance discovery off for a configured authority, msal's own
    advice, since msal would ask login.microsoftonline.com about it.)
    """
    from msal.authority import Authority as MsalAuthority

    from outreach.mailbox import tls

    tls.apply(MailboxSettings(ca_bundle=pki.ca))
    found = MsalAuthority(
        authority.url,
        tls.http_session(),
        instance_discovery=f"{authority.base}/common/discovery/instance",
    )
    assert found.token_endpoint == f"{authority.url}/oauth2/v2.0/token"
    assert found.device_authorization_endpoint == f"{authority.url}/oauth2/v2.0/devicecode"
    assert authority.requests["/common/discovery/instance"] == 1


# -- the Graph backend over the same authority --------------------------------------------


def graph_campaign(box: object, sandbox: Sandbox) -> None:
    """Drafts land, one is sent in Outlook, the sync sees it: over Graph, signed in."""
    made = box.create_drafts([_graph_email(1), _graph_email(2)])  # type: ignore[attr-defined]
    assert [c.tracking_id for c in made] == ["req001", "req002"]
    state: dict[str, str] = {}
    for _ in range(5):
        result = box.sync(state)  # type: ignore[attr-defined]
        state = result.state
    sandbox.controls.press_send(subject="(1)", mailbox=ROBIN)
    seen = box.sync(state).observations  # type: ignore[attr-defined]
    assert [o.tracking_id for o in seen] == ["req001"]


def _graph_email(n: int) -> OutgoingEmail:
    return OutgoingEmail(f"req{n:03d}", f"c{n}", ("priya.castellan@example.com",),
                         f"A conversation ({n})", "<p>Hello</p>", "Hello")  # fmt: skip


def test_graph_over_app_only_client_credentials(
    pki: Pki, authority: Authority, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outreach.mailbox.graph import open_graph

    settings = app_settings(pki, sandbox, authority, monkeypatch, APP_SECRET, "graph")
    box = open_graph(settings, ROBIN, sleep=lambda _: None)
    try:
        assert box.me == f"/users/{ROBIN}"  # no user signs in: the mailbox is named
        assert f"signed in as the app {DAEMON_APP}; mailbox {ROBIN}" in box.check()
        graph_campaign(box, sandbox)
    finally:
        box.close()
    assert authority.grants == {"client_credentials": 1}  # one token served it all


def test_graph_over_delegated_sign_in_asks_for_graphs_scopes(
    pki: Pki, authority: Authority, sandbox: Sandbox, tmp_path: Path
) -> None:
    from outreach.mailbox import tls
    from outreach.mailbox.graph import open_graph
    from outreach.mailbox.graph.auth import delegated_scopes

    settings = mailbox_settings(pki, sandbox, authority.url, "graph", client_id=DEVICE_APP)
    cache = tmp_path / "cache.json"
    tls.apply(settings)
    scopes = delegated_scopes(sandbox.graph_url)
    assert f"{sandbox.graph_url.rsplit('/v1.0', 1)[0]}/Mail.Send" in scopes

    def show(message: str) -> None:
        authority.approve(ROBIN)

    assert TokenSource(settings.auth, ROBIN, cache, scopes=scopes).login(show) == ROBIN
    box = open_graph(settings, ROBIN, token_cache=cache, sleep=lambda _: None)
    try:
        assert box.me == "/me"
        assert f"signed in as {ROBIN}; mailbox {ROBIN}" in box.check()
        graph_campaign(box, sandbox)
    finally:
        box.close()
    assert authority.grants == {DEVICE_GRANT: 1}
