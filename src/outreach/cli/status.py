"""`outreach status`: the funnel and what needs your attention."""

from __future__ import annotations

import click

from outreach import app
from outreach.cli import output
from outreach.research import overview


@click.command()
@output.json_option
@output.wide_option
@click.pass_context
def status(ctx: click.Context, as_json: bool, wide: bool) -> None:
    """Show how many contacts are at each stage, and what needs your attention."""
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    state = app.open_store(settings).read()
    funnel = overview.funnel(state)
    items = overview.attention(state, app.now(settings), own=settings.user.email,
                               keep_in_touch_weeks=settings.policy.keep_in_touch_weeks)
    waiting = overview.waiting_for_tomorrow(state, app.now(settings), settings)
    if as_json:
        output.print_json({
            "contacts": len(state.contacts),
            "waiting_for_tomorrow": waiting,
            "funnel": {s.value: n for s, n in funnel},
            "attention": [{"contact_id": i.contact_id, "name": i.name, "text": i.text}
                          for i in items],
        })
        return
    click.echo(output.emphasis(f"Funnel ({len(state.contacts)} contacts)"))
    rows = [(stage.value.replace("_", " "), str(count)) for stage, count in funnel
            if count or stage in overview.JOURNEY[:10]]
    click.echo(output.table(("stage", "contacts"), rows, wide=wide, keep=("stage", "contacts"),
                            right=("contacts",)))
    if waiting:
        click.echo(f"\n{waiting} request{'' if waiting == 1 else 's'} wait for a later day "
                   f"(policy.daily_send_cap: {settings.policy.daily_send_cap} a day).")
    if not items:
        click.echo("\nNothing needs your attention.")
        return
    click.echo("\n" + output.emphasis("Needs your attention"))
    click.echo(output.table(("contact", "what"), [(i.name, i.text) for i in items], wide=wide))
