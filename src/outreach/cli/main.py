"""The ``outreach`` entry point: a lazy command group and the one error handler.

Commands live in their own modules and are imported only when invoked, so
``outreach --help`` stays fast and never imports exchangelib or icalendar.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from outreach import __version__
from outreach.core.errors import OutreachError

#: command name -> "module:attribute", imported on first use.
COMMANDS: dict[str, str] = {
    "init": "outreach.cli.setup:init",
    "check": "outreach.cli.setup:check",
    "status": "outreach.cli.status:status",
    "contacts": "outreach.cli.contacts:contacts",
    "sandbox": "outreach.cli.sandbox:sandbox",
    "templates": "outreach.cli.templates:templates",
    "prep": "outreach.cli.prep:prep",
    "log": "outreach.cli.research:log",
    "report": "outreach.cli.research:report_command",
    "export": "outreach.cli.research:export",
    "import": "outreach.cli.research:import_command",
    "run": "outreach.cli.campaign:run",
    "send": "outreach.cli.campaign:send",
    "draft": "outreach.cli.campaign:draft",
    "update": "outreach.cli.campaign:update",
    "schedule": "outreach.cli.campaign:schedule",
    "pause": "outreach.cli.campaign:pause",
    "retry": "outreach.cli.campaign:retry",
    "resume": "outreach.cli.campaign:resume",
    "forget": "outreach.cli.campaign:forget",
    "show": "outreach.cli.contacts:show",
    "auth": "outreach.cli.auth:auth",
    "demo": "outreach.cli.demo:demo",
}

#: one-line summaries, so ``--help`` need not import every command module.
SUMMARIES: dict[str, str] = {
    "init": "Write a starter config and an empty store.",
    "check": "Validate the config and reach the mailbox.",
    "status": "Show the funnel and what needs your attention.",
    "contacts": "Add, list, edit, import and export contacts.",
    "sandbox": "Run and drive the local practice Exchange server.",
    "templates": "List, show and preview the email templates.",
    "prep": "Print the prep sheet for an interview (Markdown).",
    "log": "Record an interview: impressions, answers, fit, referrals.",
    "report": "The research file: interviews compared, fit and the funnel.",
    "export": "Export everything as JSON or CSV (to move or leave).",
    "import": "Import an export into an empty store.",
    "run": "Run the daemon: watch the mailbox, draft what is due.",
    "send": "Send one email to a contact now (shown first).",
    "draft": "Put one email to a contact in your Drafts now.",
    "update": "Draft an update to someone you interviewed.",
    "schedule": "Record an agreed time and create the invite.",
    "pause": "Stop outreach to a contact for now.",
    "retry": "Try failed messages again now.",
    "resume": "Let outreach to a paused contact go on.",
    "forget": "Remove a contact and everything about them.",
    "show": "Tell a contact's story from the history.",
    "auth": "Sign in once with OAuth2 (a device code).",
    "demo": "Watch a whole campaign run on the built-in sandbox.",
}


class Failure(click.ClickException):
    """A foreseeable error, shown as one sentence with its exit code (1, or 2 for usage)."""

    def __init__(self, problem: OutreachError) -> None:
        super().__init__(str(problem))
        self.exit_code = problem.exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"outreach: {self.format_message()}", err=True)


class Usage(click.UsageError):
    """A command line click cannot parse, said in the same voice as every other error."""

    def show(self, file: Any = None) -> None:
        hint = f"\nTry '{self.ctx.command_path} --help' for help." if self.ctx else ""
        click.echo(f"outreach: {self.format_message()}{hint}", err=True)


def _usage(problem: click.UsageError) -> Usage:
    return Usage(problem.format_message(), problem.ctx)


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; the one error handler."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except Usage:
            raise
        except click.UsageError as problem:
            raise _usage(problem) from None

    def invoke(self, ctx: click.Context) -> Any:
        from outreach.cli import display  # here, not above: `outreach --help` never needs it

        try:
            with display.progress_shown():
                return super().invoke(ctx)
        except Usage:
            raise
        except click.UsageError as problem:
            raise _usage(problem) from None
        except OutreachError as problem:
            if (ctx.obj or {}).get("debug"):
                raise
            raise Failure(problem) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="outreach")
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="OUTREACH_CONFIG",
    help="Config file (default: $OUTREACH_CONFIG, then ~/.config/outreach/config.yaml).",
)
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv for debug).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--no-color", is_flag=True, help="No colour or emphasis, even on a terminal "
              "(as does $NO_COLOR).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, debug: bool,
        no_color: bool) -> None:
    """Run an informational-interview campaign on your own Exchange mailbox.

    outreach drafts each request into your Outlook Drafts folder, proposing
    specific times from your calendar; you approve by pressing Send. It watches
    for replies, out-of-office notices, bounces and meeting responses, follows
    up where nobody answered, drafts the thank-you when an interview ends and
    keeps the research file that compares what each interview taught.

    Start with `outreach demo` (no setup needed), then `outreach init`.
    """
    from outreach.logs import configure

    configure("text", verbose, prefix="outreach: ")
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["debug"] = debug
    ctx.obj["verbose"] = verbose
    from outreach.cli import output

    output.choices.no_color = no_color


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI (the console script); errors are turned into sentences by the group."""
    try:
        return cli.main(args=argv, prog_name="outreach")
    except KeyboardInterrupt:  # pragma: no cover - click turns most into Abort
        click.echo("Interrupted.", err=True)
        sys.exit(130)
