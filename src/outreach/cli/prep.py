"""`outreach prep`: the Markdown prep sheet for an interview (for you; never sent)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach import app, compose
from outreach.cli import complete
from outreach.errors import UserError
from outreach.questions import BY_ID, chosen_from_tags, unknown_ids


@click.command()
@click.argument("contact_ref", metavar="CONTACT", shell_complete=complete.contacts)
@click.option(
    "--ask",
    "asks",
    multiple=True,
    help="Mark a question you mean to ask, by id (e.g. job-2); repeat. "
    "Tags 'ask:<id>' on the contact count too.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.pass_context
def prep(ctx: click.Context, contact_ref: str, asks: tuple[str, ...], output: Path | None) -> None:
    """Print the prep sheet for CONTACT: details, research notes, earlier interviews in
    the same area and the guide's questions by category, yours ticked."""
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    state = app.open_store(settings).read()
    contact = app.resolve_contact(state, contact_ref)
    chosen = set(asks) | chosen_from_tags(contact.tags)
    unknown = unknown_ids(sorted(chosen))
    if unknown:
        raise UserError(
            "Unknown question id(s): " + ", ".join(unknown),
            [f"known ids: {', '.join(BY_ID)}"],
        )
    context = compose.context_from_state(
        settings, state, contact, "prep", now=app.now(settings), chosen=chosen
    )
    sheet = compose.render_prep(context, settings.paths.templates)
    if output is None:
        click.echo(sheet, nl=False)
        return
    try:
        output.write_text(sheet, encoding="utf-8")
    except OSError as problem:
        raise UserError(f"Cannot write {output}: {problem.strerror}.") from None
    click.echo(f"Wrote the prep sheet for {contact.name} to {output}.", err=True)
