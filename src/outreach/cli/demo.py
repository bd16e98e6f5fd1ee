"""`outreach demo`: the scripted tour on the built-in sandbox."""

from __future__ import annotations

import time

import click


@click.command()
@click.option("--backend", type=click.Choice(["ews", "graph"]), default="ews", show_default=True,
              help="The protocol the tour speaks to the sandbox: Exchange Web Services or "
                   "Microsoft Graph (the way to Microsoft 365).")
def demo(backend: str) -> None:
    """Watch a whole campaign run on the built-in sandbox, in under a minute.

    Needs no configuration and touches no real mailbox: it starts the local
    practice Exchange server and a throw-away store, adds a few example
    colleagues, runs the daemon and plays the other side (you pressing Send in
    Outlook, a reply, an acceptance, an out-of-office, a bounce, silence), with
    the clock jumping ahead. Nothing is left behind.
    """
    from outreach.demo import run_tour

    began = time.monotonic()
    run_tour(click.echo, protocol=backend)
    click.echo(f"\nDone in {time.monotonic() - began:.1f} s; the sandbox and store are gone.")
    click.echo("Next: `outreach init` to set up your own campaign.")
