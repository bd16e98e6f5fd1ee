"""`outreach status`: the funnel and what needs your attention."""

from __future__ import annotations

import json

import click

from outreach import app, overview


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show how many contacts are at each stage, and what needs your attention."""
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    state = app.open_store(settings).read()
    funnel = overview.funnel(state)
    items = overview.attention(state, app.now(settings), own=settings.user.email,
                               keep_in_touch_weeks=settings.policy.keep_in_touch_weeks)
    if as_json:
        click.echo(json.dumps({
            "contacts": len(state.contacts),
            "funnel": {s.value: n for s, n in funnel},
            "attention": [{"contact_id": i.contact_id, "name": i.name, "text": i.text}
                          for i in items],
        }, indent=2, ensure_ascii=False))
        return
    click.echo(f"Funnel ({len(state.contacts)} contacts)")
    for stage, count in funnel:
        if count or stage in overview.JOURNEY[:10]:
            click.echo(f"  {stage.value.replace('_', ' '):<14}{count:>5}")
    if not items:
        click.echo("\nNothing needs your attention.")
        return
    click.echo("\nNeeds your attention")
    width = max(len(i.name) for i in items)
    for item in items:
        click.echo(f"  {item.name:<{width}}  {item.text}")
