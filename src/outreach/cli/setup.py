"""`outreach init` and `outreach check`: write a starter config, validate it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from outreach import app
from outreach.cli import output
from outreach.config import loader
from outreach.core.errors import UserError
from outreach.store.db import Store


def _config_option(ctx: click.Context) -> str | None:
    return (ctx.find_root().obj or {}).get("config_path")


def _local_timezone() -> str:
    """Return the system's IANA time zone name, or UTC if it cannot be told."""
    if os.environ.get("TZ", "").count("/") >= 1:
        return os.environ["TZ"].lstrip(":")
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _ask(value: str | None, option: str, question: str) -> str:
    if value:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"Pass {option}: there is no terminal to ask on.")
    return click.prompt(question)


#: What `init --backend graph` writes: Microsoft 365 through Graph, signed in with the
#: Azure CLI's token (no app registration needed); the comments name the alternatives.
AZ_COMMAND = "az account get-access-token --resource-type ms-graph --query accessToken -o tsv"
STARTERS = {
    "sandbox": {},
    "graph": {
        "mailbox.backend": "graph",
        "mailbox.auth.type": "token",
        "mailbox.auth.secret.env": None,
        "mailbox.auth.secret.command": AZ_COMMAND,
    },
}


@click.command()
@click.option("--name", help="Your full name, as it appears in the signature.")
@click.option("--email", help="Your work email address.")
@click.option("--timezone", help="Your IANA time zone (default: the system's).")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where the store goes (default: the user data folder).")
@click.option("--backend", type=click.Choice(sorted(STARTERS)), default="sandbox",
              show_default=True,
              help="sandbox: practise on the local server; graph: Microsoft 365 through "
                   "Microsoft Graph (signed in with the Azure CLI's token).")
@click.pass_context
def init(ctx: click.Context, name: str | None, email: str | None, timezone: str | None,
         store_path: Path | None, backend: str) -> None:
    """Write a starter config and an empty store; never overwrite either.

    The config goes to --config, $OUTREACH_CONFIG or ~/.config/outreach/config.yaml;
    the store to ~/.local/share/outreach/store.json unless --store says otherwise.
    Asks for your name and email when not given as options.
    """
    path = loader.find_config_path(_config_option(ctx))
    if path.exists():
        click.echo(f"Kept the existing config at {path} (init never overwrites it).")
    else:
        name = _ask(name, "--name", "Your full name")
        email = _ask(email, "--email", "Your work email address")
        store = (store_path or loader.default_store_path()).expanduser().absolute()
        text = loader.render_example({
            "user.name": name, "user.email": email, "user.phone": "", "user.title": "",
            "user.department": "", "user.organization": "", "user.areas": [],
            **{f"user.self_assessment.{k}": [] for k in ("interests", "skills", "values",
                                                         "working_style")},
            "time.timezone": timezone or _local_timezone(), "time.country": None,
            "paths.store": str(store), "mailbox.auth.username": email,
            **STARTERS[backend],
        })
        loader.loads(text, path)  # the answers must make a valid config before it is written
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(path, "x", encoding="utf-8") as out:
                out.write(text)
        except FileExistsError as problem:
            if problem.filename and Path(problem.filename) == path:
                raise UserError(f"{path} appeared meanwhile; it was left as it is.") from None
            raise UserError(f"The config cannot be written to {path}: "
                            f"{problem.filename} is not a folder.") from None
        except OSError as problem:
            raise UserError(f"The config cannot be written to {path}: {problem.strerror}.",
                            ["Pass --config FILE (or set $OUTREACH_CONFIG) to write it "
                             "elsewhere."]) from None
        path.chmod(0o600)
        click.echo(f"Wrote a starter config to {path}: read it and adjust the mailbox section.")
    settings = app.load_settings(path)
    store = app.open_store(settings)
    if store.create():
        click.echo(f"Created an empty store at {store.path}.")
    else:
        store.read()  # say so now if it is broken
        click.echo(f"Kept the existing store at {store.path}.")
    click.echo("Next: `outreach check`, then `outreach contacts add` or `contacts import`.")


@click.command()
@click.option("--offline", is_flag=True, help="Validate the config without reaching the mailbox.")
@output.json_option
@click.pass_context
def check(ctx: click.Context, offline: bool, as_json: bool) -> None:
    """Validate the config and the store and, unless --offline, reach the mailbox."""
    from outreach.writing import preflight

    settings = app.load_settings(_config_option(ctx))
    store: Store = app.open_store(settings)
    contacts = len(store.read().contacts) if store.exists() else None
    found = preflight.problems(settings, app.now(settings))
    if found:
        count = len(found)
        raise UserError(f"{count} problem{'s' if count > 1 else ''} beyond the config's "
                        "syntax:", found)
    mailbox_text = None
    if not offline:
        mailbox = app.open_mailbox(settings)
        try:
            mailbox_text = mailbox.check()
        finally:
            mailbox.close()
    if as_json:
        output.print_json({
            "config": {"path": str(settings.source), "valid": True},
            "store": {"path": str(store.path), "exists": contacts is not None,
                      "contacts": contacts},
            "templates": {"render": True},
            "mailbox": {"checked": not offline, "backend": settings.mailbox.backend,
                        "text": mailbox_text},
        })
        return
    click.echo(f"Config {settings.source} is valid.")
    if contacts is not None:
        click.echo(f"Store {store.path} is readable ({contacts} contacts).")
    else:
        click.echo(f"Store {store.path} does not exist yet; `outreach init` creates it.")
    click.echo("Templates render and holidays are known.")
    if mailbox_text:
        click.echo(mailbox_text)
