"""``outreach log``, ``report``, ``export`` and ``import``: the research file and moving data.

Parse, call, print. The rules live in interviews, logform, research, report and transfer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from outreach import app
from outreach.cli import complete
from outreach.config.settings import Settings
from outreach.core import files, progress
from outreach.core.errors import OutreachError, UserError
from outreach.research import interviews, logform, report, researchfile
from outreach.research.logform import LogEntry
from outreach.store import transfer

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _settings(ctx: click.Context) -> Settings:
    return app.load_settings((ctx.obj or {}).get("config_path"))


# ---------------------------------------------------------------- log


def _options_entry(
    tz: ZoneInfo,
    *,
    date: str | None,
    impressions: str | None,
    answers: tuple[str, ...],
    fits: tuple[str, ...],
    advice: str | None,
    notes: str | None,
    referrals: tuple[str, ...],
) -> LogEntry:
    """Return what the command-line options say. Raise UserError naming each bad option."""
    entry = LogEntry(
        impressions=impressions or "", advice=advice or "", comparison_notes=notes or ""
    )
    problems = []
    if date:
        try:
            entry.start = logform.parse_date(date, tz)
        except ValueError as error:
            problems.append(f"--date: {error}")
    for item in answers:
        key, sep, text = item.partition("=")
        if not sep or key.strip() not in researchfile.CATEGORIES:
            problems.append(
                f"--answer {item!r}: expected CATEGORY=TEXT with CATEGORY one of "
                f"{', '.join(researchfile.CATEGORIES)}"
            )
        else:
            entry.answers[key.strip()] = text.strip()
    for item in fits:
        area, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError("expected AREA=SCORE or AREA='SCORE - note'")
            key, fit = logform.parse_fit(area, value)
            entry.fit[key] = fit
        except ValueError as error:
            problems.append(f"--fit {item!r}: {error}")
    for item in referrals:
        try:
            entry.referrals.append(logform.parse_referral(item))
        except ValueError as error:
            problems.append(f"--referral {item!r}: {error}")
    if problems:
        raise UserError("Some options are not right:", problems)
    return entry


def _read_from(path: str, tz: ZoneInfo) -> LogEntry:
    """Read --from FILE: YAML or JSON by extension (.yaml, .yml, .json), else the form."""
    import yaml

    source = Path(path)
    where = "log --from " + ("stdin" if path == "-" else path)
    text = sys.stdin.read() if path == "-" else files.read_text(source, "log --from")
    if not text.strip():
        raise UserError(f"{where}: the file is empty; nothing was logged.")
    if source.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise UserError(f"{where}, line {error.lineno}: not valid JSON ({error.msg}); "
                            "nothing was logged.") from None
        return logform.parse_data(data, tz, path)
    if source.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark else ""
            problem = getattr(error, "problem", None) or error
            raise UserError(f"{where}{line}: not valid YAML/JSON ({problem}); nothing was "
                            "logged.") from None
        return logform.parse_data(data, tz, path)
    return logform.parse(text, tz, path)


def _edit(form: str, tz: ZoneInfo) -> LogEntry:
    """Open $EDITOR on the form; return what was saved. Keep the text if it does not parse."""
    edited = click.edit(form, extension=".md", require_save=True)
    if edited is None:
        raise OutreachError("The form was not saved; nothing was logged.")
    try:
        return logform.parse(edited, tz, "the form")
    except UserError as error:
        fd, kept = tempfile.mkstemp(prefix="outreach-log-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(edited)
        error.problems.append(f"your text is kept in {kept}; fix it and run with --from {kept}")
        raise


def _ask(
    question: str,
    parse: Callable[[str], T],
    default: str = "",
    show_default: bool = False,
    blank: bool = False,
) -> T | None:
    """Ask until ``parse`` takes the answer, saying why not in between; a blank answer is
    None when ``blank`` allows it (skip, or done)."""
    while True:
        value = click.prompt(question, default=default, show_default=show_default)
        if blank and not value.strip():
            return None
        try:
            return parse(value)
        except ValueError as error:
            click.echo(f"  {error}", err=True)


def _prompt(base: LogEntry, start: datetime, tz: ZoneInfo) -> LogEntry:
    """Ask for each part of the log in the terminal, offering what is there as the default."""
    entry = dataclasses.replace(base, answers=dict(base.answers), fit=dict(base.fit))
    entry.start = _ask("Date", lambda text: logform.parse_date(text, tz),
                       default=f"{start:%Y-%m-%d %H:%M}", show_default=True)  # fmt: skip
    entry.impressions = click.prompt(
        "Impressions", default=base.impressions or "", show_default=False
    )
    for key, title in researchfile.CATEGORIES.items():
        click.echo(f"{title}: {logform.QUESTIONS[key]}")
        entry.answers[key] = click.prompt(
            f"  {title}", default=base.answers.get(key, ""), show_default=False
        )
    entry.answers = {k: v for k, v in entry.answers.items() if v.strip()}
    entry.advice = click.prompt("Advice given", default=base.advice or "", show_default=False)
    for key, title in researchfile.FIT_AREAS.items():
        old = base.fit.get(key)
        fit = _ask(
            f"Fit: {title.lower()} (1-5 - note, blank to skip)",
            lambda value, key=key: logform.parse_fit(key, value)[1],
            default=f"{old.score} - {old.note}".rstrip(" -") if old else "",
            show_default=bool(old),
            blank=True,
        )
        if fit is None:
            entry.fit.pop(key, None)
        else:
            entry.fit[key] = fit
    entry.referrals = list(base.referrals)
    for referral in entry.referrals:
        click.echo(f"Referral: {logform.referral_text(referral)}")
    question = "Another referral (Name <email> - may use name: yes), blank when done"
    while (another := _ask(question, logform.parse_referral, blank=True)) is not None:
        entry.referrals.append(another)
    return entry


def _repeatable(flag: str, name: str, metavar: str, text: str) -> Callable[[F], F]:
    """An option of ``log`` given once per item (an answer, a fit, a referral)."""
    return click.option(flag, name, multiple=True, metavar=metavar, help=f"{text} Repeatable.")


@click.command("log")
@click.argument("contact_ref", metavar="CONTACT", shell_complete=complete.contacts)
@click.option("--date", help="When it took place (default: the scheduled interview).")
@click.option("--impressions", help="Your impressions of the interview.")
@_repeatable("--answer", "answers", "CATEGORY=TEXT",
             "Notes for a question category: " + ", ".join(researchfile.CATEGORIES) + ".")
@_repeatable("--fit", "fits", "AREA=SCORE[ - NOTE]",
             "Fit 1-5 for interests, skills, values or working_style.")
@click.option("--advice", help="Advice they gave.")
@click.option("--notes", help="Similarities or differences with other interviews.")
@_repeatable("--referral", "referrals", "'NAME <EMAIL> - may use name: yes'",
             "A person they suggested (email optional).")
@click.option(
    "--from",
    "from_file",
    metavar="FILE",
    help="Read the log from the Markdown form, or YAML/JSON (.yaml, .yml, .json); - for stdin.",
)
@click.option("--editor", is_flag=True, help="Write the log in $EDITOR on a prefilled form.")
@click.option(
    "--prompt", "ask", is_flag=True, help="Ask for each part (the default on a terminal)."
)
@click.option("--new", "new", is_flag=True, help="Log another interview rather than edit the last.")
@click.option("--force", is_flag=True, help="Log an interview dated in the future anyway.")
@click.option(
    "--no-lookup",
    is_flag=True,
    help="Do not look referrals (or the interviewee's manager) up in the directory.",
)
@click.pass_context
def log(
    ctx: click.Context,
    contact_ref: str,
    from_file: str | None,
    editor: bool,
    ask: bool,
    new: bool,
    force: bool,
    no_lookup: bool,
    **parts: Any,
) -> None:
    """Record an interview: impressions, answers, fit, advice and referrals.

    --from and --editor give the whole log; options then change single parts
    (and alone they change parts of an earlier log). Editing keeps the earlier
    version in the interview's history. Referrals become contacts.
    """
    settings = _settings(ctx)
    tz = ZoneInfo(settings.time.timezone)
    store = app.open_store(settings)
    now = app.now(settings)
    target = interviews.find_target(store.read(), contact_ref, now, new)

    given = _options_entry(tz, **parts)  # --date, --impressions, --answer, ... --referral
    scripted = any(parts.values())
    if sum([bool(from_file), editor, ask]) > 1:
        raise UserError("Use one of --from, --editor and --prompt.")
    if from_file:
        base = _read_from(from_file, tz)
    elif editor:
        form = logform.render(
            target.contact,
            target.logged,
            given.start or target.start,
            settings.user.self_assessment,
        )
        base = _edit(form, tz)
    elif ask or (not scripted and sys.stdin.isatty()):
        base = _prompt(target.earlier_entry(), given.start or target.start, tz)
    elif scripted:
        base = target.earlier_entry()
    else:
        raise UserError(
            "Nothing to log: give options (--impressions, --answer, --fit, ...), "
            "--from FILE, --editor or --prompt."
        )
    lookup = None if no_lookup else interviews.directory_lookup(settings)
    chain = None if no_lookup else interviews.chain_lookup(settings)
    done = interviews.log_interview(
        store, target, logform.merge(base, given), now, lookup, chain, force=force
    )
    verb = "Updated" if done.edited else "Logged"
    click.echo(
        f"{verb} the interview with {done.contact.name} of {done.interview.start:%Y-%m-%d %H:%M}."
    )
    for line in done.added + done.notes:
        click.echo(f"  {line}")


# ---------------------------------------------------------------- report


def _output_option(text: str) -> Callable[[F], F]:
    """``--output``/``-o`` of report and export: a file, or for csv a folder or a .zip."""
    return click.option("--output", "-o", type=click.Path(), help=text)


@click.command("report")
@click.option("--area", help="Only contacts of this area of interest.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(report.FORMATS),
    help="md, html, csv or json (default: from --output's extension, else md).",
)
@_output_option("Write here, not stdout. csv: a folder or a .zip holds every table, one per file.")
@click.option(
    "--table",
    type=click.Choice(list(report.CSV_TABLES)),
    help="csv to stdout or a .csv file: which table (default: interviews).",
)
@click.pass_context
def report_command(
    ctx: click.Context, area: str | None, fmt: str | None, output: str | None, table: str | None
) -> None:
    """Print the research file: each interview, the comparison, fit and the funnel.

    As csv, each table is a plain CSV a spreadsheet or pandas opens: all of them
    with --output FOLDER or FILE.zip, one (--table) on stdout or in a .csv file.
    """
    settings = _settings(ctx)
    store = app.open_store(settings)
    with progress.task("Reading the store for the report"):
        state = store.read()
        events = store.events()
    if area and not any(
        c.area.strip().casefold() == area.strip().casefold() for c in state.contacts.values()
    ):
        areas = sorted({c.area for c in state.contacts.values() if c.area})
        raise UserError(
            f"No contact has the area {area!r}.", [f"areas: {', '.join(areas) or 'none'}"]
        )
    target = Path(output) if output else None
    if fmt is None:
        suffix = target.suffix.lower().lstrip(".") if target else ""
        fmt = {"htm": "html", "markdown": "md", "zip": "csv"}.get(suffix, suffix)
        fmt = fmt if fmt in report.FORMATS else "md"
    if table and fmt != "csv":
        raise UserError(f"report --table: only with --format csv (this report is {fmt}).")
    with progress.task("Comparing the interviews"):
        built = researchfile.build(state, events, app.now(settings), area,
                               wanted=settings.user.areas,
                               min_interviews=settings.research.min_interviews)  # fmt: skip
    whole = target is not None and fmt == "csv" and target.suffix.lower() != ".csv"
    if whole and target is not None:
        tables = report.csv_files(built)
        if target.suffix.lower() == ".zip":
            transfer.write_zip(target, tables, "report --output")
        else:
            transfer.write_folder(target, tables, "report --output")
        click.echo(f"Wrote {len(tables)} tables to {target} ({len(built.rows)} interviews).",
                   err=True)
        return
    text = report.csv_files(built)[f"{table or 'interviews'}.csv"] if fmt == "csv" else (
        report.render(built, fmt))
    if target is not None:
        files.write(target, text, "report --output")
        click.echo(f"Wrote {target} ({len(built.rows)} interviews).", err=True)
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------- export / import


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "ics"]),
    default="json",
    show_default=True,
    help="ics: only your scheduled interviews, as one calendar file to import elsewhere.",
)
@_output_option("json, ics: a file (default stdout). csv: a folder, or a .zip file.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None) -> None:
    """Export everything: contacts, interviews, messages, events and sync state."""
    settings = _settings(ctx)
    store = app.open_store(settings)
    if fmt == "ics":
        from outreach.writing import invites

        state = store.read()
        pairs = [(i, state.contacts[i.contact_id]) for i in state.interviews.values()
                 if i.contact_id in state.contacts]  # fmt: skip
        calendar = invites.export(pairs, settings.user, tz=settings.time.timezone,
                                  stamp=app.now(settings))  # fmt: skip
        data = invites.to_bytes(calendar)
        count = len(calendar.walk("VEVENT"))
        if output is None:
            click.echo(data.decode(), nl=False)
        else:
            files.write(Path(output), data, "export --output")
        noun = "interview" if count == 1 else "interviews"
        click.echo(f"Exported {count} scheduled {noun}" + (f" to {output}." if output else "."),
                   err=True)
        return
    store.compact_if_possible()  # so store.json alone is as complete as the export
    with progress.task("Reading the store for the export"):
        document = transfer.dump(store.read(), store.events(), app.now(settings))
    if output is None:
        if fmt == "csv":
            raise UserError("A CSV export is several files: give --output FOLDER or FILE.zip.")
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    with progress.task(f"Writing the export to {output}"):
        transfer.write(document, Path(output), fmt)
    counts = ", ".join(f"{len(document[n])} {n}" for n in transfer.TABLES)
    click.echo(f"Exported {counts} to {output}.", err=True)


@click.command("import")
@click.argument("path", type=click.Path())
@click.pass_context
def import_command(ctx: click.Context, path: str) -> None:
    """Import an export (JSON file, CSV folder or .zip) into an empty store."""
    settings = _settings(ctx)
    store = app.open_store(settings)
    loaded = transfer.read_path(Path(path), "import")
    with store.transaction() as state:
        if not transfer.is_empty(state, store.events()):
            raise UserError(
                f"The store {store.path} is not empty; import only goes into an empty store.",
                [
                    "point --config (paths.store) at a new store, "
                    "or export this one and start afresh"
                ],
            )
        state.contacts.update(loaded.state.contacts)
        state.interviews.update(loaded.state.interviews)
        state.messages.update(loaded.state.messages)
        state.sync.update(loaded.state.sync)
        for event in loaded.events:
            state.record(event)
    click.echo(
        f"Imported {len(loaded.state.contacts)} contacts, {len(loaded.state.interviews)} "
        f"interviews, {len(loaded.state.messages)} messages and {len(loaded.events)} events.",
        err=True,
    )
