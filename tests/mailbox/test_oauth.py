"""Delegated OAuth2's token cache: a damaged cache or no network is a sentence, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach.config.settings import Auth
from outreach.core.errors import MailboxError, UserError
from outreach.mailbox.oauth import TokenSource

AUTH = Auth(
    type="oauth2", client_id="00000000-0000-4000-8000-000000000001", tenant_id="example.com"
)


def test_a_damaged_token_cache_says_what_to_do(tmp_path: Path) -> None:
    cache = tmp_path / "oauth-token-cache.json"
    cache.write_text('{"RefreshToken": {"half-written', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        TokenSource(AUTH, "alex@example.com", cache)
    assert str(cache) in str(caught.value) and "outreach auth login" in str(caught.value)
    assert caught.value.exit_code == 2


def test_no_network_to_microsoft_is_a_mailbox_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a proxy that refuses connections stands in for an offline laptop (no DNS, no route)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    reach = r"Cannot reach the sign-in authority login\.microsoftonline\.com"
    with pytest.raises(MailboxError, match=reach):
        TokenSource(AUTH, "alex@example.com", tmp_path / "oauth-token-cache.json")
