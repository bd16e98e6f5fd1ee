"""`outreach templates`: list, show and preview the email templates (never touches the mailbox)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach import app
from outreach.cli import complete, output
from outreach.core import textsafe
from outreach.core.errors import UserError
from outreach.writing import compose


def _yours(name: str, override: Path | None) -> Path | None:
    """Your copy of template file ``name``, when your folder has one."""
    if override is not None and (override / name).is_file():
        return override / name
    return None


def _origin(name: str, override: Path | None) -> str:
    yours = _yours(name, override)
    return f"yours ({yours})" if yours else "packaged"


@click.group()
def templates() -> None:
    """List, show and preview the email templates.

    Your own folder (paths.templates in the config) overrides the packaged
    templates file by file: copy a file there with `outreach templates show`.
    """


def _override(ctx: click.Context) -> Path | None:
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    return settings.paths.templates


def files_of(name: str) -> list[str]:
    """The template files of email ``name`` (or of the prep sheet)."""
    if name == "prep":
        return [compose.PREP]
    return [f"{name}.{part}.j2" for part in compose.PARTS]


@templates.command("list")
@click.option("--packaged", is_flag=True, help="Ignore the config; list the packaged set only.")
@output.json_option
@output.wide_option
@click.pass_context
def list_(ctx: click.Context, packaged: bool, as_json: bool, wide: bool) -> None:
    """List each email's files and whether yours or the packaged one is used."""
    override = None if packaged else _override(ctx)
    names = [*compose.EMAILS, "prep"]
    if as_json:
        output.print_json({"templates": [
            {"name": name, "sent": name != "prep", "files": [
                {"file": file, "origin": "yours" if _yours(file, override) else "packaged",
                 "path": str(_yours(file, override) or compose.template_path(file))}
                for file in files_of(name)]}
            for name in names]})
        return
    rows = [(name + ("" if name != "prep" else " (never sent)"), file, _origin(file, override))
            for name in names for file in files_of(name)]
    click.echo(output.table(("template", "file", "used"), rows, wide=wide, keep=("file",)))


@templates.command()
@click.argument("name", shell_complete=complete.templates)
@click.option("--packaged", is_flag=True, help="Show the packaged file even if you override it.")
@click.pass_context
def show(ctx: click.Context, name: str, packaged: bool) -> None:
    """Print a template's source: NAME is an email (all three files) or a file name."""
    override = None if packaged else _override(ctx)
    files = files_of(name) if name in (*compose.EMAILS, "prep") else [name]
    for index, file in enumerate(files):
        try:
            path = compose.template_path(file, override)
        except UserError as problem:
            raise UserError(f"templates show: no template {name!r}.",
                            [f"names: {', '.join((*compose.EMAILS, 'prep'))} (or a file such "
                             "as request.txt.j2)", *problem.problems]) from None
        if len(files) > 1:
            click.echo(("\n" if index else "") + f"==> {file} ({_origin(file, override)}) <==")
        click.echo(path.read_text(encoding="utf-8"), nl=False)


@templates.command()
@click.argument("name", shell_complete=complete.templates)
@click.option("--contact", "contact_ref", required=True, help="Contact id, email or name.",
              shell_complete=complete.contacts)
@click.option("--html", "show_html", is_flag=True, help="Print the HTML body too.")
@click.pass_context
def preview(ctx: click.Context, name: str, contact_ref: str, show_html: bool) -> None:
    """Render NAME for a contact from your store, without touching the mailbox.

    Proposed times come from your working hours and holidays only: a preview
    does not read your calendar.
    """
    from outreach.writing import slots

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
    click.echo(f"To: {textsafe.one_line(contact.name)} <{contact.email}>")
    click.echo(f"Subject: {email.subject}\n")
    click.echo(email.text, nl=False)
    if show_html:
        click.echo("\n---- HTML ----")
        click.echo(email.html, nl=False)
    if proposed:
        click.echo("\n(times ignore your calendar: a preview does not read the mailbox)", err=True)
