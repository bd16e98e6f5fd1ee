"""`outreach templates`: list, show and preview the email templates (never touches the mailbox)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach import app, compose


def _origin(name: str, override: Path | None) -> str:
    if override is not None and (override / name).is_file():
        return f"yours ({override / name})"
    return "packaged"


@click.group()
def templates() -> None:
    """List, show and preview the email templates.

    Your own folder (paths.templates in the config) overrides the packaged
    templates file by file: copy a file there with `outreach templates show`.
    """


def _override(ctx: click.Context) -> Path | None:
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    return settings.paths.templates


@templates.command("list")
@click.option("--packaged", is_flag=True, help="Ignore the config; list the packaged set only.")
@click.pass_context
def list_(ctx: click.Context, packaged: bool) -> None:
    """List each email's files and whether yours or the packaged one is used."""
    override = None if packaged else _override(ctx)
    for name in compose.EMAILS:
        click.echo(name)
        for part in compose.PARTS:
            file = f"{name}.{part}.j2"
            click.echo(f"  {file:<26}{_origin(file, override)}")
    click.echo("prep (the prep sheet; never sent)")
    click.echo(f"  {compose.PREP:<26}{_origin(compose.PREP, override)}")


@templates.command()
@click.argument("name")
@click.option("--packaged", is_flag=True, help="Show the packaged file even if you override it.")
@click.pass_context
def show(ctx: click.Context, name: str, packaged: bool) -> None:
    """Print a template's source: NAME is an email (all three files) or a file name."""
    override = None if packaged else _override(ctx)
    if name in compose.EMAILS:
        files = [f"{name}.{part}.j2" for part in compose.PARTS]
    elif name == "prep":
        files = [compose.PREP]
    else:
        files = [name]
    for index, file in enumerate(files):
        path = compose.template_path(file, override)
        if len(files) > 1:
            click.echo(("\n" if index else "") + f"==> {file} ({_origin(file, override)}) <==")
        click.echo(path.read_text(encoding="utf-8"), nl=False)


@templates.command()
@click.argument("name")
@click.option("--contact", "contact_ref", required=True, help="Contact id, email or name.")
@click.option("--html", "show_html", is_flag=True, help="Print the HTML body too.")
@click.pass_context
def preview(ctx: click.Context, name: str, contact_ref: str, show_html: bool) -> None:
    """Render NAME for a contact from your store, without touching the mailbox.

    Proposed times come from your working hours and holidays only: a preview
    does not read your calendar.
    """
    from outreach import slots

    if name not in (*compose.EMAILS, "prep"):
        raise click.BadParameter(
            f"choose one of {', '.join((*compose.EMAILS, 'prep'))}", param_hint="NAME"
        )
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    state = app.open_store(settings).read()
    contact = app.resolve_contact(state, contact_ref)
    now = app.now(settings)
    proposed = []
    if name in ("request", "follow-up-1", "follow-up-2"):
        try:
            proposed = slots.propose(settings, now, contact_tz=contact.timezone)
        except slots.NoSlots as none:
            click.echo(f"(no times to propose: {none.reason})", err=True)
    context = compose.context_from_state(settings, state, contact, name, now=now, slots=proposed)
    if name == "prep":
        click.echo(compose.render_prep(context, settings.paths.templates), nl=False)
        return
    email = compose.render_email(name, context, settings.paths.templates)
    click.echo(f"To: {contact.name} <{contact.email}>")
    click.echo(f"Subject: {email.subject}\n")
    click.echo(email.text, nl=False)
    if show_html:
        click.echo("\n---- HTML ----")
        click.echo(email.html, nl=False)
    if proposed:
        click.echo("\n(times ignore your calendar: a preview does not read the mailbox)", err=True)
