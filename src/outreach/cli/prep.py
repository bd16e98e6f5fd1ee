"""`outreach prep`: the Markdown prep sheet for an interview (for you; never sent)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach import app
from outreach.cli import complete
from outreach.core import files
from outreach.core.errors import OutreachError, UserError
from outreach.research import orgchart
from outreach.writing import compose
from outreach.writing.questions import BY_ID, chosen_from_tags, unknown_ids


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
@click.option("--no-lookup", is_flag=True, help="Leave out the org chart (no directory lookup).")
@click.pass_context
def prep(
    ctx: click.Context,
    contact_ref: str,
    asks: tuple[str, ...],
    output: Path | None,
    no_lookup: bool,
) -> None:
    """Print the prep sheet for CONTACT: details, the org chart around them (from the
    directory), research notes, earlier interviews in the same area and department, and
    the guide's questions by category, yours ticked."""
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
    chart = None
    if not no_lookup and contact.internal is not False:
        try:
            found = orgchart.around(settings, contact.email, up=1, down=1, peers=True)
        except OutreachError as problem:
            click.echo(f"The org chart is left out: {str(problem).splitlines()[0]}", err=True)
        else:
            chart = orgchart.view(found, orgchart.by_email(state)) if found else None
    context = compose.context_from_state(
        settings, state, contact, "prep", now=app.now(settings), chosen=chosen, chart=chart
    )
    sheet = compose.render_prep(context, settings.paths.templates)
    if output is None:
        click.echo(sheet, nl=False)
        return
    files.write(output, sheet, "prep --output")
    click.echo(f"Wrote the prep sheet for {contact.name} to {output}.", err=True)
