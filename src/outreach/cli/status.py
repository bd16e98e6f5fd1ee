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
    timeless = overview.waiting_for_time(state, settings)
    if as_json:
        output.print_json({
            "contacts": len(state.contacts),
            "waiting_for_tomorrow": waiting,
            "waiting_for_time": None if timeless is None else {
                "count": timeless.count,
                "reason": timeless.reason,
                "change": timeless.change,
                "settings": ["scheduling.latest_days", "scheduling.slots"],
                "emails": [{"contact_id": e.contact_id, "name": e.name, "text": e.text}
                           for e in timeless.emails],
                "not_planned": timeless.fresh,
            },
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
    if timeless is not None:
        n = timeless.count
        click.echo(f"\n{n} email{' waits' if n == 1 else 's wait'} for a free time to propose: "
                   f"{timeless.reason}. A time proposed to someone is never offered to "
                   "another: they are drafted as times come free (a decline, a lapse, the "
                   f"window moving on); {timeless.change}.")
    if not items:
        click.echo("\nNothing needs your attention.")
        return
    click.echo("\n" + output.emphasis("Needs your attention"))
    click.echo(output.table(("contact", "what"), [(i.name, i.text) for i in items], wide=wide))
