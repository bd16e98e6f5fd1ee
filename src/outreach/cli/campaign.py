"""`outreach run | send | draft | schedule | pause | resume | forget`: the campaign itself."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from outreach import app
from outreach.campaign import session as campaign
from outreach.cli import complete, output
from outreach.core.errors import OutreachError, UserError
from outreach.core.model import Kind, Mode

KINDS = {"request": Kind.REQUEST, "follow-up": Kind.FOLLOW_UP, "thank-you": Kind.THANK_YOU}


def _config(ctx: click.Context) -> str | None:
    return (ctx.find_root().obj or {}).get("config_path")


@click.command()
@click.option("--once", is_flag=True, help="Run one cycle and exit (for cron and tests).")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One line per event on stderr; json for machines.",
)
@click.option("--dry-run", is_flag=True,
              help="Show every email and invite due now; write nothing anywhere.")
@click.option("--offline", is_flag=True,
              help="With --dry-run: ask the mailbox nothing (no free/busy, no MailTips).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="With --dry-run: write one .eml file per email into this folder.")
@click.pass_context
def run(ctx: click.Context, once: bool, log_format: str, dry_run: bool, offline: bool,
        output: Path | None) -> None:
    """Watch the mailbox and keep every contact's outreach moving.

    Each cycle notices what you sent, edited or deleted in Outlook, replies,
    out-of-office notices, bounces and meeting responses; then drafts what is
    due (requests, follow-ups, invites, thank-yous, report-backs) into your
    mailbox for approval. Runs until stopped (SIGTERM finishes the current step;
    SIGHUP reloads the config). Under systemd it reports readiness and pets the
    watchdog.

    With --dry-run it plans and renders everything due now, prints it (or writes
    it to --output) and stops: nothing is written to the mailbox or the store.
    """
    if (offline or output is not None) and not dry_run:
        option = "--offline" if offline else "--output"
        raise click.UsageError(f"{option} only goes with --dry-run.")
    if dry_run:
        _rehearse(ctx, offline, output)
        return
    from outreach.campaign.daemon import Loop
    from outreach.logs import configure

    configure(log_format, 1 + (ctx.find_root().obj or {}).get("verbose", 0))
    runner = campaign.Runner(_config(ctx))

    def reload() -> None:
        runner.reload()
        loop.poll_seconds = runner.settings.daemon.poll_seconds

    loop = Loop(
        cycle=runner.cycle,
        poll_seconds=runner.settings.daemon.poll_seconds,
        reload=reload,
        # back off no slower than the poll at first (a short poll means a rehearsal)
        min_backoff=min(5.0, runner.settings.daemon.poll_seconds),
    )
    loop.install_signal_handlers()
    try:
        failures = loop.run(once=once)
    finally:
        runner.close()
    if not once:
        runner.store.compact_if_possible()  # a clean stop leaves the store one plain file
    if failures:
        ctx.exit(1)


def _rehearse(ctx: click.Context, offline: bool, output: Path | None) -> None:
    """`run --dry-run`: what one cycle would create now, shown and not written."""
    from outreach.campaign import dryrun

    settings = app.load_settings(_config(ctx))
    store = app.open_store(settings)
    now = app.now(settings)
    mailbox = None if offline else app.open_mailbox(settings)
    try:
        rehearsal = dryrun.rehearse(settings, store, mailbox, now)
    finally:
        if mailbox is not None:
            mailbox.close()
    items = rehearsal.prepared
    if output is not None:
        written = dryrun.write_files(items, output, settings, now)
        click.echo(f"Wrote {len(written)} message file{'' if len(written) == 1 else 's'} "
                   f"into {output}.")
    else:
        lines: list[str] = []
        for item in items:
            lines += [*dryrun.describe_item(item), "", "-" * 72]
        if lines:
            click.echo("\n".join(lines))
    for message_id, reason in rehearsal.failures:
        click.echo(f"Not ready: {rehearsal.name(message_id)}: {reason}")
    for message_id, until in rehearsal.away:
        click.echo(f"Would wait: {rehearsal.name(message_id)}: away until {until:%Y-%m-%d}")
    for message_id, reason in rehearsal.waiting:
        click.echo(f"Would wait for a free time: {rehearsal.name(message_id)}: {reason}")
    emails = sum(1 for item in items if item.email is not None)
    click.echo(f"Dry run: {emails} email{'' if emails == 1 else 's'} and "
               f"{len(items) - emails} invite{'' if len(items) - emails == 1 else 's'} due now"
               + (" (offline: no free/busy, no MailTips)" if offline else "")
               + "; nothing was written to the mailbox or the store.")


def _one_off(
    ctx: click.Context,
    ref: str,
    kind: Kind,
    send: bool,
    dry_run: bool,
    yes: bool,
    **extra: Any,
) -> None:
    """Shared body of `send`, `draft` and `update`: show the email, then create or send it once."""
    settings = app.load_settings(_config(ctx))
    store = app.open_store(settings)
    contact = app.resolve_contact(store.read(), ref)
    with campaign.Session(settings, store) as session:
        message, email = session.prepare_one(contact.id, kind, send=send, **extra)
        click.echo(f"To:      {', '.join(email.to)}")
        click.echo(f"Subject: {email.subject}")
        for attached in email.attachments:
            click.echo(f"Attached: {attached.filename}")
        click.echo("")
        click.echo(email.text.rstrip())
        click.echo("")
        if dry_run:
            click.echo("(dry run; nothing was created or sent)")
            return
        verb = "Send this email now" if send else "Save this draft in your Drafts folder"
        if not yes and not _confirm(f"{verb}?"):
            raise click.Abort()
        report = session.commit_one(message)
    if report.failed:
        raise OutreachError(report.failed[0][1])
    click.echo("Sent; a copy is in Sent Items." if send else "Saved in Drafts.")


KIND_OPTION = click.option(
    "--kind",
    type=click.Choice(sorted(KINDS)),
    default="request",
    show_default=True,
    help="Which email.",
)
RESUME_OPTION = click.option(
    "--attach-resume",
    is_flag=True,
    help="Attach user.resume (thank-you only: the résumé comes at the close, never before).",
)


def _resume_kind(kind: str, attach_resume: bool) -> None:
    if attach_resume and kind != "thank-you":
        raise click.UsageError(
            "--attach-resume goes with --kind thank-you only: the guide offers the résumé at "
            "the close of the interview, never with a request or a follow-up."
        )


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@KIND_OPTION
@RESUME_OPTION
@click.option("--dry-run", is_flag=True, help="Show the email, send nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def send(
    ctx: click.Context, contact: str, kind: str, attach_resume: bool, dry_run: bool, yes: bool
) -> None:
    """Render one email to CONTACT and send it now, after showing it to you.

    Honours the daily and per-contact caps and never writes to someone who
    declined, bounced or is marked do-not-contact. If the same email already
    waits in Drafts, nothing is sent: send that draft from Outlook or delete it.
    """
    _resume_kind(kind, attach_resume)
    _one_off(ctx, contact, KINDS[kind], send=True, dry_run=dry_run, yes=yes,
             attach_resume=attach_resume)  # fmt: skip


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@KIND_OPTION
@RESUME_OPTION
@click.option("--dry-run", is_flag=True, help="Show the email, create nothing.")
@click.pass_context
def draft(ctx: click.Context, contact: str, kind: str, attach_resume: bool, dry_run: bool) -> None:
    """Create the draft to CONTACT now, in your Drafts folder, for you to send from Outlook."""
    _resume_kind(kind, attach_resume)
    _one_off(ctx, contact, KINDS[kind], send=False, dry_run=dry_run, yes=True,
             attach_resume=attach_resume)  # fmt: skip


def _link(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise click.BadParameter(f"'{value}' is not a web address (https://...)")
    return value


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@click.option("--note", default="", help="What you did with their advice or referral.")
@click.option("--link", callback=_link, metavar="URL",
              help="Something you found that may interest them.")
@click.option("--dry-run", is_flag=True, help="Show the email, create nothing.")
@click.pass_context
def update(ctx: click.Context, contact: str, note: str, link: str, dry_run: bool) -> None:
    """Draft a short update to CONTACT, someone you interviewed: what came of their advice.

    The guide: "Follow-up with your contacts on any referrals given or advice
    offered ... reporting back on results is part of the process." The draft
    names the advice you logged, what came of the referrals they gave, your
    --note and --link. Like every email it is tracked and capped, and never goes
    to someone who declined, bounced or is marked do-not-contact.
    """
    _one_off(ctx, contact, Kind.UPDATE, send=False, dry_run=dry_run, yes=True,
             note=note.strip(), link=link)  # fmt: skip


def _confirm(question: str) -> bool:
    """Ask ``question``; with nobody to answer (no terminal, no input) say to pass --yes."""
    try:
        return click.confirm(question, default=False)
    except click.Abort:
        if sys.stdin.isatty():
            raise
        raise UserError(f"{question} No answer came (there is no terminal to ask on): pass "
                        "--yes to go ahead.") from None


def _parse_at(text: str, zone: str, option: str, now: datetime, force: bool) -> datetime:
    """Return the moment ``option`` gives; a moment in the past needs --force."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not a date and time; write it like 2026-12-03 14:30", param_hint=option
        ) from None
    when = when if when.tzinfo else when.replace(tzinfo=ZoneInfo(zone))
    if when < now and not force:
        raise click.BadParameter(
            f"{when:%Y-%m-%d %H:%M} is in the past (now {now:%Y-%m-%d %H:%M}); pass --force "
            "if you mean it", param_hint=option)
    return when


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@click.option("--slot", type=click.IntRange(1, 9), help="The proposed time number N they chose.")
@click.option("--at", "at_text", help="The agreed time, e.g. 2026-12-03 14:30 (your zone).")
@click.option("--minutes", type=click.IntRange(5, 480), help="Length (default from config).")
@click.option("--where", help="The place (default: their office).")
@click.option("--phone", is_flag=True, help="A phone call instead of a meeting in person.")
@click.option("--dry-run", is_flag=True, help="Say what would be scheduled; change nothing.")
@click.option("--force", is_flag=True, help="Book it even if something else is at that time, "
              "or at an --at time in the past.")
@click.pass_context
def schedule(
    ctx: click.Context,
    contact: str,
    slot: int | None,
    at_text: str | None,
    minutes: int | None,
    where: str | None,
    phone: bool,
    dry_run: bool,
    force: bool,
) -> None:
    """Record the time CONTACT agreed to and create the interview invite.

    The invite is saved unsent on your calendar for approval unless
    policy.send_invites is true. A new time moves the contact's one invite,
    even once its time has passed (an update goes to them if the invite was
    sent; an unsent one stays unsent). The times proposed to CONTACT are never
    in the way; a time that overlaps another interview, a meeting or a time
    proposed to someone else is refused, naming it, unless --force.
    """
    if (slot is None) == (at_text is None):
        raise click.UsageError("Give exactly one of --slot N or --at TIME.")
    if phone and where:
        raise click.UsageError("--phone and --where exclude each other.")
    settings = app.load_settings(_config(ctx))
    store = app.open_store(settings)
    target = app.resolve_contact(store.read(), contact)
    start = (_parse_at(at_text, settings.time.timezone, "--at", app.now(settings), force)
             if at_text else None)  # fmt: skip
    with campaign.Session(settings, store) as session:
        interview = session.schedule(
            target.id,
            slot=slot,
            start=start,
            minutes=minutes,
            where=where,
            mode=Mode.PHONE if phone else None,
            dry_run=dry_run,
            force=force,
        )
    local = interview.start.astimezone(ZoneInfo(settings.time.timezone))
    end = local + timedelta(minutes=interview.minutes)
    what = "Would schedule" if dry_run else "Scheduled"
    click.echo(
        f"{what} {target.name}: {local:%a %d %b %Y %H:%M}–{end:%H:%M} "
        f"({settings.time.timezone}), {interview.location or interview.mode.value}."
    )


@click.command()
@click.argument("contact", required=False, shell_complete=complete.contacts)
@click.option("--all", "everyone", is_flag=True, help="Every failed message, of every contact.")
@click.pass_context
def retry(ctx: click.Context, contact: str | None, everyone: bool) -> None:
    """Try CONTACT's failed messages again now (or --all): after fixing a template, an
    address or the config. The daemon also tries them again when those change."""
    if (contact is None) == (not everyone):
        raise click.UsageError("Give a CONTACT or --all.")
    settings = app.load_settings(_config(ctx))
    store = app.open_store(settings)
    target = app.resolve_contact(store.read(), contact) if contact else None
    with campaign.Session(settings, store) as session:
        done, report = session.retry(target.id if target else None)
    if not done:
        click.echo("Nothing had failed" + (f" for {target.name}." if target else "."))
        return
    landed = len(report.drafted) + len(report.sent) + len(report.invited) + len(report.held)
    click.echo(f"Tried {len(done)} again: {landed} now in the mailbox"
               + (f", {len(report.waiting)} wait for tomorrow" if report.waiting else "")
               + (f", {len(report.away)} wait: out of office" if report.away else "") + ".")
    for _message_id, reason in report.failed:
        click.echo(f"  still failing: {reason}")
    if report.failed:
        ctx.exit(1)


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@click.option("--until", "until_text", help="Resume by itself then (e.g. 2026-12-10).")
@click.option("--force", is_flag=True, help="Accept an --until date in the past.")
@click.pass_context
def pause(ctx: click.Context, contact: str, until_text: str | None, force: bool) -> None:
    """Stop all outreach to CONTACT until `outreach resume` (or --until)."""
    settings = app.load_settings(_config(ctx))
    until = (_parse_at(until_text, settings.time.timezone, "--until", app.now(settings), force)
             if until_text else None)  # fmt: skip
    name = campaign.pause(settings, contact, until)
    click.echo(f"Paused {name}" + (f" until {until:%Y-%m-%d %H:%M}." if until else "."))


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@click.pass_context
def resume(ctx: click.Context, contact: str) -> None:
    """Let outreach to a paused CONTACT go on where it stopped."""
    settings = app.load_settings(_config(ctx))
    name, status = campaign.resume(settings, contact)
    click.echo(f"Resumed {name} ({status}).")


@click.command()
@click.argument("contact", shell_complete=complete.contacts)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@output.json_option
@click.pass_context
def forget(ctx: click.Context, contact: str, yes: bool, as_json: bool) -> None:
    """Remove CONTACT with their interviews, outbox entries and history.

    Drafts and meetings already in your mailbox stay there for you to delete.
    The history keeps one line saying a contact was forgotten, without details.
    """
    settings = app.load_settings(_config(ctx))
    store = app.open_store(settings)
    target = app.resolve_contact(store.read(), contact)
    if not yes and not _confirm(f"Forget {target.name} <{target.email}>?"):
        raise click.Abort()
    removed = campaign.forget(settings, target.id)
    if as_json:
        output.print_json(removed)
    else:
        click.echo(
            f"Forgot {target.name}: {removed['interviews']} interview(s), "
            f"{removed['messages']} outbox entr{'y' if removed['messages'] == 1 else 'ies'}."
        )

