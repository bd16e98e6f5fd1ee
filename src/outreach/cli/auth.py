"""`outreach auth login`: sign in once for delegated OAuth2 (Entra ID or AD FS) with a device code.

The refresh token lands in MSAL's cache, kept owner-only beside the store (or in
the keyring when ``mailbox.auth.secret.keyring`` names a service); the daemon
then refreshes access tokens without asking again. msal is imported only here.
"""

from __future__ import annotations

import click

from outreach import app
from outreach.core.errors import UserError


@click.group()
def auth() -> None:
    """Sign in for delegated OAuth2 (Microsoft 365, or AD FS on premises)."""


@auth.command()
@click.pass_context
def login(ctx: click.Context) -> None:
    """Sign in with a device code (open the link on any device, type the code)."""
    from outreach.config import secrets
    from outreach.mailbox import tls
    from outreach.mailbox.oauth import TokenSource, cache_path_for

    settings = app.load_settings((ctx.find_object(dict) or {}).get("config_path"))
    mailbox = settings.mailbox
    if mailbox.auth.type != "oauth2" or mailbox.auth.oauth_mode != "delegated":
        raise UserError(
            "`outreach auth login` is for delegated OAuth2: set mailbox.auth.type: oauth2 "
            "and mailbox.auth.oauth_mode: delegated."
        )
    username = mailbox.auth.username or mailbox.email or settings.user.email
    secrets.protect_logging()
    tls.apply(mailbox)  # the authority is reached with the mailbox's TLS rules (ca_bundle)
    scopes = None  # EWS's
    if mailbox.backend == "graph":
        from outreach.mailbox.graph.auth import delegated_scopes

        scopes = delegated_scopes(mailbox.graph_url)
    tokens = TokenSource(
        mailbox.auth, username, cache_path_for(settings.paths.store), scopes=scopes
    )
    who = tokens.login(lambda text: click.echo(text, err=True))
    click.echo(f"Signed in as {who}; the token cache is in {tokens.where()}.")
