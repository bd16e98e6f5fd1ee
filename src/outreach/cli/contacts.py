"""`outreach contacts ...`: add, list, show, edit, remove, import and export contacts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from outreach import app
from outreach.cli import complete, output
from outreach.config.settings import Settings
from outreach.core import files, textsafe
from outreach.core.errors import UserError
from outreach.core.model import (
    Contact,
    Event,
    MessageState,
    Source,
    State,
    Status,
    directory_fields,
    new_contact,
)
from outreach.store import importers
from outreach.store.db import Store

SOURCES = [s.value for s in Source]
STATUSES = [s.value for s in Status]


def _open(ctx: click.Context) -> tuple[Settings, Store]:
    settings = app.load_settings((ctx.find_root().obj or {}).get("config_path"))
    return settings, app.open_store(settings)


def _fields(**options: Any) -> dict[str, Any]:
    """Map the CLI options given (not None) to Contact field values."""
    names = {"address": "mailing_address", "notes": "research_notes"}
    for option, value in options.items():
        if isinstance(value, str) and option not in ("notes", "address"):
            try:
                textsafe.checked(value, f"--{option.replace('_', '-')}")
            except ValueError as problem:
                raise UserError(str(problem)) from None
    fields = {names.get(k, k): v for k, v in options.items() if v is not None}
    if "source" in fields:
        fields["source"] = Source(fields["source"])
    if "status" in fields:
        fields["status"] = Status(fields["status"])
    if "tags" in fields:
        fields["tags"] = [t.strip() for t in fields["tags"].split(",") if t.strip()]
    if "email" in fields:
        fields["email"] = fields["email"].strip()
        if not importers.valid_email(fields["email"]):
            raise UserError(f"--email: '{fields['email']}' is not an email address.")
    if "name" in fields and not fields["name"].strip():
        raise UserError("--name must not be empty.")
    for option in ("name", "email"):
        why = textsafe.problem(fields.get(option, ""))
        if why is not None:
            raise UserError(f"--{option}: it holds {why}; type the {option} as one plain line.")
    if fields.get("timezone"):
        fields["timezone"] = fields["timezone"].strip()
        try:
            ZoneInfo(fields["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(f"--timezone: '{fields['timezone']}' is not an IANA time zone "
                            "(like Europe/Berlin).") from None
    return fields


def _refuse_duplicate(state: State, email: str, but: str | None = None) -> None:
    for other in state.contacts.values():
        if other.email.lower() == email.lower() and other.id != but:
            raise UserError(f"{email} is already a contact: {other.name} ({other.id}). "
                            f"Change it with `outreach contacts edit {other.id}`.")


def contact_options(edit: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options for every contact field, shared by add and edit."""
    specs: list[tuple[str, dict[str, Any]]] = [
        ("--name", {"help": "Full name." + ("" if edit else " Required unless --lookup.")}),
        ("--email", {"help": "Email address." + ("" if edit else " Required unless --lookup.")}),
        ("--title", {"help": "Job title."}),
        ("--department", {}),
        ("--organization", {}),
        ("--office", {"help": "Office or room, for meeting there."}),
        ("--address", {"help": "Mailing address."}),
        ("--phone", {}),
        ("--source", {"type": click.Choice(SOURCES), "help": "Where the contact came from."}),
        ("--referred-by", {"help": "The referrer: id, email or name.",
                           "shell_complete": complete.contacts}),
        ("--area", {"help": "The area of interest to learn about from them."}),
        ("--notes", {"help": "Research notes on their job function."}),
        ("--tags", {"help": "Comma-separated tags (replace the old ones)."}),
        ("--timezone", {"help": "Their IANA time zone, if not yours."}),
    ]
    if edit:
        specs.append(("--status", {"type": click.Choice(STATUSES),
                                   "help": "Set the status by hand."}))

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        function = click.option("--do-not-contact/--may-contact", "do_not_contact",
                                default=None, help="Never write to them again.")(function)
        function = click.option("--internal/--external", "internal", default=None,
                                help="A colleague in your organization (their free/busy is "
                                     "used), or not; by default told from the address, the "
                                     "directory and MailTips.")(function)
        for flag, kwargs in reversed(specs):
            function = click.option(flag, **kwargs)(function)
        return function

    return decorate


@click.group()
def contacts() -> None:
    """Add, list, edit, import and export contacts."""


@contacts.command()
@contact_options(edit=False)
@click.option("--lookup", metavar="NAME",
              help="Fill the contact from the organization's directory (name, email, title, "
                   "department, office, phone); options given win.")
@click.pass_context
def add(ctx: click.Context, referred_by: str | None, lookup: str | None, **options: Any) -> None:
    """Add one contact; an email already in the store is refused.

    With --lookup "Name", the details come from the Exchange directory:
    `outreach contacts add --lookup "Priya Castellan" --area "data engineering"`.
    """
    settings, store = _open(ctx)
    now = app.now(settings)
    manager = ""
    if lookup:
        found = directory_fields(app.lookup_person(settings, lookup))
        manager = found.pop("manager")  # not an option: kept for the chain of command
        options.update({k: v for k, v in found.items() if v and options.get(k) is None})
        if options.get("source") is None:
            options["source"] = "directory"
        if options.get("internal") is None:
            options["internal"] = True  # found in the organization's directory
    missing = [f"--{key}" for key in ("name", "email") if not options.get(key)]
    if missing:
        raise UserError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                        "required (or --lookup NAME to fill them from the directory).")
    fields = _fields(**options)
    if manager:
        fields["manager"] = manager
    with store.transaction() as state:
        _refuse_duplicate(state, fields["email"])
        if referred_by:
            fields["referred_by"] = app.resolve_contact(state, referred_by).id
        contact = new_contact(now, **fields)
        state.contacts[contact.id] = contact
        state.record(Event(at=now, kind="added", contact_id=contact.id,
                           text=f"Added {contact.name} by hand."))
    click.echo(f"Added {contact.name} <{contact.email}> as {contact.id}.")


@contacts.command(name="list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only these statuses (repeatable).")
@click.option("--area", help="Only contacts whose area contains this text.")
@click.option("--source", type=click.Choice(SOURCES), help="Only contacts from this source.")
@output.json_option
@output.wide_option
@click.pass_context
def list_(ctx: click.Context, statuses: tuple[str, ...], area: str | None,
          source: str | None, as_json: bool, wide: bool) -> None:
    """List contacts, filtered by status, area or source."""
    _, store = _open(ctx)
    found = sorted(store.read().contacts.values(), key=lambda c: (c.name.lower(), c.id))
    if statuses:
        found = [c for c in found if c.status.value in statuses]
    if area:
        found = [c for c in found if area.lower() in c.area.lower()]
    if source:
        found = [c for c in found if c.source.value == source]
    if as_json:
        output.print_json({"contacts": [c.to_dict() for c in found]})
        return
    if not found:
        click.echo("No contacts" + (" match." if statuses or area or source else
                                    " yet: `outreach contacts add` or `contacts import`."))
        return
    rows = [(c.id, c.name, c.email, c.status.value + (" !" if c.attention else ""), c.area,
             c.source.value) for c in found]
    click.echo(output.table(("id", "name", "email", "status", "area", "source"), rows,
                            wide=wide, keep=("id", "status")))


@contacts.command()
@click.argument("ref", shell_complete=complete.contacts)
@output.json_option
@output.wide_option
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool, wide: bool) -> None:
    """Show one contact (id, email or name prefix) with its story."""
    settings, store = _open(ctx)
    state = store.read()
    contact = app.resolve_contact(state, ref)
    events = store.events(contact.id)
    if as_json:
        output.print_json({
            "contact": contact.to_dict(),
            "interviews": [i.to_dict() for i in state.interviews_of(contact.id)],
            "messages": [m.to_dict() for m in state.messages_of(contact.id)],
            "events": [e.to_dict() for e in events],
        })
        return
    referrer = state.contacts.get(contact.referred_by or "")
    rows = [("id", contact.id), ("email", contact.email), ("status", contact.status.value),
            ("title", contact.title), ("department", contact.department),
            ("organization", contact.organization), ("office", contact.office),
            ("address", contact.mailing_address), ("phone", contact.phone),
            ("source", contact.source.value),
            ("referred by", referrer.name if referrer else contact.referred_by or ""),
            ("area", contact.area), ("tags", ", ".join(contact.tags)),
            ("time zone", contact.timezone or ""),
            ("colleague", {True: "yes", False: "no", None: ""}[contact.internal]),
            ("do not contact", "yes" if contact.do_not_contact else ""),
            ("paused until", _when(contact.paused_until, settings)),
            ("attention", contact.attention or "")]
    click.echo(output.emphasis(contact.name))
    click.echo(output.table(("field", "value"), [(f"{k}:", v) for k, v in rows if v],
                            wide=wide, keep=("field",), show_header=False))
    if contact.research_notes:
        click.echo("\n" + output.emphasis("Research notes:"))
        click.echo(output.prose(contact.research_notes))
    if events:
        click.echo("\n" + output.emphasis("Story"))
        story = [(_when(event.at, settings), event.text or event.kind) for event in events]
        click.echo(output.table(("when", "what"), story, wide=wide, keep=("when",)))


def _when(moment: Any, settings: Settings) -> str:
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(settings.time.timezone)).strftime("%Y-%m-%d %H:%M")


@contacts.command()
@click.argument("ref", shell_complete=complete.contacts)
@contact_options(edit=True)
@click.pass_context
def edit(ctx: click.Context, ref: str, referred_by: str | None, **options: Any) -> None:
    """Change the given fields of one contact; the others stay as they are."""
    settings, store = _open(ctx)
    now = app.now(settings)
    fields = _fields(**options)
    with store.transaction() as state:
        contact = app.resolve_contact(state, ref)
        if referred_by is not None:
            fields["referred_by"] = app.resolve_contact(state, referred_by).id if referred_by \
                else None
            if fields["referred_by"] == contact.id:
                raise UserError(f"--referred-by: {contact.name} cannot be their own referrer.")
        if "email" in fields:
            _refuse_duplicate(state, fields["email"], but=contact.id)
        old = contact.to_dict()
        for name, value in fields.items():
            setattr(contact, name, value)
        changes = {k: [old[k], v] for k, v in contact.to_dict().items() if old[k] != v}
        if not changes:
            click.echo(f"Nothing to change for {contact.name}.")
            return
        contact.updated_at = now
        if "status" in changes:
            contact.status_changed_at = now
        state.record(Event(at=now, kind="edited", contact_id=contact.id,
                           text=f"Edited by hand: {', '.join(changes)}.",
                           data={"changes": changes}))
    click.echo(f"Changed {', '.join(changes)} of {contact.name}.")


@contacts.command()
@click.argument("ref", shell_complete=complete.contacts)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def remove(ctx: click.Context, ref: str, yes: bool) -> None:
    """Remove a contact, or keep it as do-not-contact if it has a history.

    A contact with nothing in the mailbox yet (no interview, no draft or sent
    email) is deleted with its planned messages. One with a history is kept for
    the research file and marked do-not-contact, its planned messages cancelled,
    so nothing more is ever sent to it.
    """
    settings, store = _open(ctx)
    contact = app.resolve_contact(store.read(), ref)
    if not yes:
        click.confirm(f"Remove {contact.name} <{contact.email}>?", abort=True)
    now = app.now(settings)
    with store.transaction() as state:
        contact = app.resolve_contact(state, contact.id)
        messages = state.messages_of(contact.id)
        quiet = {MessageState.PLANNED, MessageState.CANCELLED, MessageState.FAILED}
        history = state.interviews_of(contact.id) or [m for m in messages if m.state not in quiet]
        for message in messages:
            if message.state is MessageState.PLANNED:
                if history:
                    message.state = MessageState.CANCELLED
                else:
                    del state.messages[message.id]
        if history:
            contact.do_not_contact = True
            contact.updated_at = now
            state.record(Event(at=now, kind="removed", contact_id=contact.id,
                               text="Marked do-not-contact on removal (kept for its history)."))
            outcome = (f"Kept {contact.name} for the research file and marked do-not-contact; "
                       "nothing more will be sent.")
        else:
            del state.contacts[contact.id]
            state.record(Event(at=now, kind="removed", contact_id=contact.id,
                               text=f"Removed {contact.name}.", data=contact.to_dict()))
            outcome = f"Removed {contact.name}."
    click.echo(outcome)


@contacts.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(importers.FORMATS),
              help="csv or vcf (default: from the file name).")
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@click.pass_context
def import_(ctx: click.Context, file: Path, fmt: str | None, dry_run: bool) -> None:
    """Import contacts from a CSV or vCard file, reporting rows skipped and why.

    CSV needs a header with email and name (or first/last name) columns; the
    other known columns are those `contacts export` writes.
    """
    settings, store = _open(ctx)
    now = app.now(settings)
    fmt = importers.detect_format(file, fmt)
    with store.transaction() as state:
        result = importers.read_file(file, fmt, app.ids_by_email(state), now)
        if not dry_run:
            for contact in result.contacts:
                state.contacts[contact.id] = contact
                state.record(Event(at=now, kind="added", contact_id=contact.id,
                                   text=f"Imported from {file.name}."))
    count = len(result.contacts)
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {count} contact{'' if count == 1 else 's'} from {file}"
               + (" (dry run; nothing was written)." if dry_run else "."))
    for note in result.notes:
        click.echo(f"  note: {note}")
    if result.skipped:
        click.echo(f"Skipped {len(result.skipped)} row{'' if len(result.skipped) == 1 else 's'}:")
        for skipped in result.skipped:
            click.echo(f"  {file.name}:{skipped.line}: {skipped.reason}")


@contacts.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "vcf", "json"]), default="csv",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export every contact as CSV, vCard or JSON."""
    _, store = _open(ctx)
    state = store.read()
    found = sorted(state.contacts.values(), key=lambda c: (c.name.lower(), c.id))
    emails = app.emails_by_id(state)
    if fmt == "csv":
        text = importers.write_csv(found, emails)
    elif fmt == "vcf":
        text = importers.write_vcard(found, emails)
    else:
        text = json.dumps([c.to_dict() for c in found], indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    files.write(output, text, "contacts export --output")
    click.echo(f"Wrote {len(found)} contacts to {output}.", err=True)


@contacts.command()
@click.argument("ref", shell_complete=complete.contacts)
@click.option("--up", type=click.IntRange(0, 20), default=1, show_default=True,
              help="Levels of managers above.")
@click.option("--down", type=click.IntRange(0, 20), default=1, show_default=True,
              help="Levels of reports below.")
@click.option("--peers", is_flag=True, help="Also those who share their manager.")
@click.option("--add", "adds", multiple=True, metavar="NAME",
              help="Make this person on the chart a contact (repeatable).")
@click.option("--add-all", is_flag=True, help="Make everyone on the chart a contact.")
@output.json_option
@output.wide_option
@click.pass_context
def orgchart(ctx: click.Context, ref: str, up: int, down: int, peers: bool,
             adds: tuple[str, ...], add_all: bool, as_json: bool, wide: bool) -> None:
    """Show the people around REF from the directory: managers, peers, reports.

    REF is a contact (id, email or name) or anyone in the directory. Each person
    shows their title, department and office, and whether they are a contact
    already, at what stage. --add NAME (or --add-all) makes them contacts with
    source org-chart and a note of how they relate to REF: the guide's "interview
    all the managers in the chain of command" is `orgchart REF --up 3 --add-all`.
    """
    from outreach.research import orgchart as chart_of

    if adds and add_all:
        raise click.UsageError("Use --add NAME or --add-all, not both.")
    settings, store = _open(ctx)
    state = store.read()
    contact = _maybe_contact(state, ref)
    chart = chart_of.around(settings, contact.email if contact else ref, up, down, peers)
    if chart is None:
        who = f"{contact.name} <{contact.email}>" if contact else ref
        click.echo(f"The directory does not know {who}: there is no org chart to show.")
        return
    chosen = list(chart.members) if add_all else chart_of.choose(chart, adds) if adds else []
    now = app.now(settings)
    with store.transaction() as state:
        center = state.contacts.get(contact.id) if contact else None
        manager = chart.manager
        if center is not None:
            chart_of.remember_manager(center, chart.center, manager.person if manager else None)
        added = chart_of.add(state, chart, chosen, center, now, own=settings.user.email)
        known = chart_of.by_email(state)
    if as_json:
        output.print_json(_chart_json(chart, known, added))
        return
    click.echo(f"Org chart around {_person_line(chart.center, known)}")
    if not chart.members:
        click.echo("The directory lists no manager, peer or report for them.")
    else:
        you = settings.user.email.lower()
        rows = [(_where(m.level), m.person.name, m.person.title, m.person.department,
                 m.person.office, "you" if m.person.email.lower() == you
                 else _stage(known.get(m.person.email.lower())))
                for m in chart.members]
        click.echo(output.table(("where", "name", "title", "department", "office", "contact"),
                                rows, wide=wide, keep=("where", "contact")))
    for new in added:
        click.echo(f"Added {new.name} <{new.email}> as {new.id} ({new.research_notes})")
    if not chosen and any(m.person.email.lower() not in {*known, settings.user.email.lower()}
                          for m in chart.members):
        click.echo("Make them contacts with --add NAME or --add-all.")


def _maybe_contact(state: State, ref: str) -> Contact | None:
    """The contact REF names, or None when it names nobody (then it is a directory name)."""
    try:
        return app.resolve_contact(state, ref)
    except UserError:
        if "@" in ref or not any(c.name.lower().startswith(ref.lower().strip())
                                 for c in state.contacts.values()):
            return None
        raise  # several contacts match: say which


def _where(level: int) -> str:
    return "peer" if level == 0 else f"{'up' if level < 0 else 'down'} {abs(level)}"


def _stage(contact: Contact | None) -> str:
    return f"{contact.status.value} ({contact.id})" if contact else "—"


def _person_line(person: Any, known: dict[str, Contact]) -> str:
    parts = [p for p in (person.title, person.department, person.office) if p]
    contact = known.get(person.email.lower())
    line = f"{person.name} <{person.email}>" + (f", {', '.join(parts)}" if parts else "")
    return line + (f" (contact: {_stage(contact)})" if contact else "")


def _chart_json(chart: Any, known: dict[str, Contact], added: list[Contact]) -> dict[str, Any]:
    def person(p: Any) -> dict[str, Any]:
        contact = known.get(p.email.lower())
        return {"name": p.name, "email": p.email, "title": p.title, "department": p.department,
                "office": p.office, "phone": p.phone, "manager": p.manager,
                "reports": list(p.reports),
                "contact": {"id": contact.id, "status": contact.status.value} if contact
                else None}

    return {"center": person(chart.center),
            "members": [{"level": m.level, "relation": m.relation, "via": m.via,
                         **person(m.person)} for m in chart.members],
            "added": [c.id for c in added]}
