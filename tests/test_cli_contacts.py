"""The first commands through click's runner and as real processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from outreach.cli.main import cli
from outreach.config.settings import Settings
from outreach.core.model import Interview, Kind, Message, MessageState, Status
from outreach.store import importers
from outreach.store.db import Store
from storehelp import on_disk  # tests/ is on the path

ROOT = Path(__file__).resolve().parent.parent


def run(config_file: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_file), *args], input=input)


def ok(config_file: Path, *args: str, input: str | None = None) -> str:
    result = run(config_file, *args, input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def outreach(*args: str, env: dict[str, str] | None = None,
             stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "outreach", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})}, stdin=stdin)


def add(config_file: Path, name: str, email: str, *extra: str) -> str:
    out = ok(config_file, "contacts", "add", "--name", name, "--email", email, *extra)
    return out.split(" as ")[1].rstrip(".\n")


def test_add_list_show_edit(config_file: Path, store: Store) -> None:
    robin = add(config_file, "Robin Roe", "robin@example.com", "--source", "co-worker",
                "--area", "data engineering", "--tags", "warm, team")
    add(config_file, "Sam Sample", "sam@example.com", "--referred-by", "robin",
        "--source", "referral")
    listed = json.loads(ok(config_file, "contacts", "list", "--json"))["contacts"]
    assert [c["name"] for c in listed] == ["Robin Roe", "Sam Sample"]
    assert listed[1]["referred_by"] == robin
    assert [c["name"] for c in json.loads(
        ok(config_file, "contacts", "list", "--area", "DATA", "--json"))["contacts"]] == [
        "Robin Roe"]
    assert "Sam Sample" in ok(config_file, "contacts", "list", "--source", "referral")
    assert "No contacts match." in ok(config_file, "contacts", "list", "--status", "done")
    table = ok(config_file, "contacts", "list")
    assert table.splitlines()[0].split() == ["ID", "NAME", "EMAIL", "STATUS", "AREA", "SOURCE"]

    assert "Changed title of Robin Roe." in ok(config_file, "contacts", "edit",
                                               "robin@example.com", "--title", "Editor")
    shown = json.loads(ok(config_file, "contacts", "show", robin, "--json"))
    assert shown["contact"]["title"] == "Editor"
    assert shown["contact"]["tags"] == ["warm", "team"]  # untouched by the edit
    assert [e["kind"] for e in shown["events"]] == ["added", "edited"]
    assert shown["events"][1]["data"]["changes"]["title"] == ["", "Editor"]
    human = ok(config_file, "contacts", "show", "Robin")
    assert "Editor" in human and "Edited by hand: title." in human


def test_duplicates_and_bad_input_are_refused(config_file: Path, store: Store) -> None:
    add(config_file, "Robin Roe", "robin@example.com")
    result = run(config_file, "contacts", "add", "--name", "R", "--email", "ROBIN@example.com")
    assert result.exit_code == 2, result.output
    assert "ROBIN@example.com is already a contact: Robin Roe" in result.output
    result = run(config_file, "contacts", "add", "--name", "R", "--email", "nope")
    assert "'nope' is not an email address" in result.output
    result = run(config_file, "contacts", "add", "--name", "R", "--email", "r@example.com",
                 "--source", "friend")
    assert result.exit_code == 2  # click's own check of the choice
    assert len(store.read().contacts) == 1


def test_an_unknown_time_zone_is_refused_before_the_store(config_file: Path,
                                                          store: Store) -> None:
    robin = add(config_file, "Robin Roe", "robin@example.com", "--timezone", "Asia/Tokyo")
    before = on_disk(store)
    result = run(config_file, "contacts", "edit", robin, "--timezone", "Mars/Olympus")
    assert result.exit_code == 2, result.output
    assert "--timezone: 'Mars/Olympus' is not an IANA time zone" in result.output
    result = run(config_file, "contacts", "add", "--name", "Sam", "--email", "sam@example.com",
                 "--timezone", "../etc/passwd")
    assert result.exit_code == 2, result.output
    assert on_disk(store) == before
    assert store.read().contacts[robin].timezone == "Asia/Tokyo"


def test_ambiguous_reference_lists_the_candidates(config_file: Path) -> None:
    add(config_file, "Robin Roe", "robin@example.com")
    add(config_file, "Robin Rowe", "rrowe@example.com")
    result = run(config_file, "contacts", "show", "rob")
    assert result.exit_code == 2, result.output
    assert "'rob' matches 2 contacts" in result.output
    assert "Robin Rowe <rrowe@example.com>" in result.output
    assert "Robin Rowe" in ok(config_file, "contacts", "show", "rrowe")


def test_remove_asks_and_keeps_contacts_with_history(config_file: Path, store: Store,
                                                     settings: Settings) -> None:
    robin = add(config_file, "Robin Roe", "robin@example.com")
    sam = add(config_file, "Sam Sample", "sam@example.com")
    result = run(config_file, "contacts", "remove", "sam", input="n\n")
    assert result.exit_code == 1 and sam in store.read().contacts
    with store.transaction() as state:
        state.messages["m1"] = Message(id="m1", contact_id=robin, kind=Kind.REQUEST,
                                       state=MessageState.SENT)
        state.messages["m2"] = Message(id="m2", contact_id=robin, kind=Kind.FOLLOW_UP)
        state.messages["m3"] = Message(id="m3", contact_id=sam, kind=Kind.REQUEST)
    assert "Removed Sam Sample." in ok(config_file, "contacts", "remove", "sam", input="y\n")
    assert "marked do-not-contact" in ok(config_file, "contacts", "remove", "robin", "--yes")
    state = store.read()
    assert sam not in state.contacts and "m3" not in state.messages
    assert state.contacts[robin].do_not_contact
    assert state.messages["m2"].state is MessageState.CANCELLED
    assert [e.kind for e in store.events(sam)] == ["added", "removed"]


def test_import_reports_and_dry_run_writes_nothing(config_file: Path, store: Store,
                                                   tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("name,email\nRobin Roe,robin@example.com\nNo Mail,bad\n",
                        encoding="utf-8")
    out = ok(config_file, "contacts", "import", str(csv_file), "--dry-run")
    assert "Would import 1 contact from" in out and "(dry run; nothing was written)" in out
    assert "people.csv:3: No Mail: 'bad' is not an email address" in out
    assert not store.exists()
    out = ok(config_file, "contacts", "import", str(csv_file))
    assert "Imported 1 contact from" in out
    assert [c.name for c in store.read().contacts.values()] == ["Robin Roe"]
    before = on_disk(store)
    broken = tmp_path / "broken.csv"
    broken.write_text('name,email\n"Sam,sam@example.com\n', encoding="utf-8")
    result = run(config_file, "contacts", "import", str(broken))
    assert result.exit_code == 2, result.output
    assert on_disk(store) == before


@pytest.mark.parametrize("fmt", ["csv", "vcf"])
def test_export_then_import_elsewhere(fmt: str, config_file: Path, tmp_path: Path) -> None:
    add(config_file, "Zoë Roe, Jr.", "zoe@example.com", "--notes", 'said "hi",\nthen left',
        "--tags", "a,b")
    out = tmp_path / f"out.{fmt}"
    ok(config_file, "contacts", "export", "--format", fmt, "--output", str(out))
    other = tmp_path / "other.yaml"
    other.write_text(config_file.read_text().replace(str(tmp_path / "store.json"),
                                                     str(tmp_path / "other.json")))
    ok(other, "contacts", "import", str(out))
    contact = next(iter(Store(tmp_path / "other.json").read().contacts.values()))
    assert (contact.name, contact.research_notes, contact.tags) == (
        "Zoë Roe, Jr.", 'said "hi",\nthen left', ["a", "b"])
    as_json = json.loads(ok(config_file, "contacts", "export", "--format", "json"))
    assert as_json[0]["email"] == "zoe@example.com"


def test_status_shows_funnel_and_attention(config_file: Path, store: Store,
                                           settings: Settings) -> None:
    robin = add(config_file, "Robin Roe", "robin@example.com")
    sam = add(config_file, "Sam Sample", "sam@example.com")
    add(config_file, "Kim Kay", "kim@example.com")
    from outreach import app

    now = app.now(settings)
    with store.transaction() as state:
        state.contacts[robin].status = Status.PAUSED
        state.contacts[robin].paused_until = now + timedelta(days=2)
        state.contacts[sam].status = Status.SCHEDULED
        state.contacts[sam].attention = "asked to move the interview"
        state.messages["m"] = Message(id="m", contact_id=robin, kind=Kind.REQUEST,
                                      state=MessageState.DRAFTED)
        state.interviews["i"] = Interview(id="i", contact_id=sam, start=now - timedelta(days=1))
    data = json.loads(ok(config_file, "status", "--json"))
    assert data["contacts"] == 3
    assert list(data["funnel"])[:3] == ["new", "drafted", "contacted"]
    assert (data["funnel"]["new"], data["funnel"]["paused"], data["funnel"]["scheduled"]) == (
        1, 1, 1)
    texts = {(a["name"], a["text"].split(" ")[0]) for a in data["attention"]}
    assert ("Sam Sample", "asked") in texts
    assert ("Robin Roe", "comes") in texts
    assert any("draft waits for your Send" in a["text"] for a in data["attention"])
    assert any("is not logged yet" in a["text"] for a in data["attention"])
    human = ok(config_file, "status")
    assert "Funnel (3 contacts)" in human and "Needs your attention" in human


def test_init_writes_config_and_store_and_never_overwrites(tmp_path: Path) -> None:
    config_path = tmp_path / "conf" / "config.yaml"
    store_path = tmp_path / "data" / "store.json"
    args = ["--config", str(config_path), "init", "--name", "Alex Example", "--email",
            "alex@example.com", "--store", str(store_path), "--timezone", "Europe/Paris"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    assert store_path.exists()
    text = config_path.read_text()
    assert "name: Alex Example" in text and "timezone: Europe/Paris" in text
    second = CliRunner().invoke(cli, [*args[:3], "--name", "Other", "--email", "o@example.com"])
    assert second.exit_code == 0
    assert "Kept the existing config" in second.output
    assert "Kept the existing store" in second.output
    assert config_path.read_text() == text


def test_check_offline(config_file: Path, settings: Settings) -> None:
    out = ok(config_file, "check", "--offline")
    assert f"Config {config_file} is valid." in out
    assert "does not exist yet" in out
    settings.paths.store.write_text("[]")
    result = run(config_file, "check", "--offline")
    assert result.exit_code != 0 and "cannot be used" in result.output


def test_real_process_flow(tmp_path: Path, _isolated_home: Path) -> None:
    version = outreach("--version")
    assert version.returncode == 0 and "outreach" in version.stdout
    asked = outreach("init")
    assert asked.returncode == 2 and "Pass --name" in asked.stderr
    assert outreach("init", "--name", "Alex Example", "--email", "alex@example.com").returncode == 0
    assert (_isolated_home / ".config/outreach/config.yaml").exists()
    assert (_isolated_home / ".local/share/outreach/store.json").exists()
    people = tmp_path / "people.csv"
    people.write_text("name,email,source\nRobin Roe,robin@example.com,co-worker\n")
    done = outreach("contacts", "import", str(people))
    assert done.returncode == 0 and "Imported 1 contact" in done.stdout
    status = outreach("status")
    assert status.returncode == 0 and "Funnel (1 contacts)" in status.stdout
    offline = outreach("check", "--offline")
    assert offline.returncode == 0, offline.stderr
    online = outreach("check")  # the sandbox backend of the starter config
    assert online.returncode == 0 and "mailbox alex@example.com" in online.stdout, online.stderr


def test_real_process_bad_config_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("user:\n  name: A\n  email: a@example.com\npolicy:\n  daily_send_cap: ten\n")
    done = outreach("--config", str(bad), "status")
    assert done.returncode == 2
    expected = "expected an integer from 0 to 10000, got 'ten'"
    assert f"{bad}:5: At 'policy.daily_send_cap': {expected}" in done.stderr
    assert "Traceback" not in done.stderr


def test_broken_store_exits_1_without_traceback(config_file: Path, settings: Settings) -> None:
    settings.paths.store.write_text("{not json")
    done = outreach("--config", str(config_file), "contacts", "list")
    assert done.returncode == 1
    assert "cannot be used" in done.stderr and "Traceback" not in done.stderr
    assert settings.paths.store.read_text() == "{not json"


@pytest.mark.parametrize("module", ["outreach.cli.main", "outreach.cli.contacts",
                                    "outreach.cli.status", "outreach.cli.setup"])
def test_cli_imports_no_mailbox_library_nor_icalendar(module: str) -> None:
    """`outreach --help` and `status` stay quick: neither backend's libraries load."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert module in imported  # the probe works
    heavy = ("exchangelib", "icalendar", "rich", "httpx", "msal")
    assert not {m for m in imported if m.split(".")[0] in heavy}


def test_help_imports_no_command_and_no_rich() -> None:
    """`outreach --help` stays fast: no command module, no drawing library (bench/cli_bench.py)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "outreach", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Commands:" in done.stdout, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "outreach.cli.main" in imported  # the probe works
    heavy = ("rich", "exchangelib", "jinja2", "httpx", "msal")
    assert not {m for m in imported if m.split(".")[0] in heavy}
    assert not {m for m in imported if m.startswith("outreach.cli.") and m != "outreach.cli.main"}


def test_init_says_when_the_config_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be\n")
    target = blocker / "outreach" / "config.yaml"
    result = CliRunner().invoke(cli, ["--config", str(target), "init", "--name", "Robin Roe",
                                      "--email", "robin@example.com"])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"The config cannot be written to {target}" in result.output
    assert "Traceback" not in result.output


def test_one_line_fields_are_refused_naming_the_option(config_file: Path, store: Store) -> None:
    add(config_file, "Zed Example", "zed@example.com")
    before = on_disk(store)
    for option, value, why in [
        ("--name", "Ann\nBcc: eve@example.com", "a line break"),
        ("--title", "Lead\x1b[31m", "a control character (U+001B)"),
        ("--department", "Ops\u202e", "a text-direction control character"),
    ]:
        args = ["--name", "Ann", "--email", "ann@example.com", option, value]
        result = run(config_file, "contacts", "add", *args)
        assert result.exit_code == 2, result.output
        assert f"{option} must be one line of text, but it holds {why}." in result.output
    assert on_disk(store) == before


def test_internal_or_external_can_be_set_and_csv_carries_it(
    config_file: Path, store: Store, tmp_path: Path
) -> None:
    add(config_file, "Ann Example", "ann@partner.example.net", "--internal")
    add(config_file, "Bob Example", "bob@example.com", "--external")
    people = {c.email: c for c in store.read().contacts.values()}
    assert people["ann@partner.example.net"].internal is True
    assert people["bob@example.com"].internal is False
    ok(config_file, "contacts", "edit", "bob", "--internal")
    assert "colleague:  yes" in ok(config_file, "contacts", "show", "bob")

    exported = ok(config_file, "contacts", "export")
    assert exported.splitlines()[0].endswith(",internal")
    sheet = tmp_path / "people.csv"
    sheet.write_text("name,email,internal,title\n"
                     "Cy,cy@example.org,yes,\"Head\nBcc: eve@example.com\"\n"
                     "Di,di@example.org,no,=HYPERLINK(\"x\")\n"
                     "Ed,ed@example.org,perhaps,\n", encoding="utf-8")  # fmt: skip
    imported = ok(config_file, "contacts", "import", str(sheet))
    assert "internal must be yes or no, not 'perhaps'" in imported
    people = {c.email: c for c in store.read().contacts.values()}
    assert (people["cy@example.org"].internal, people["cy@example.org"].title) == (
        True, "Head Bcc: eve@example.com")  # fmt: skip
    assert people["di@example.org"].internal is False
    out = ok(config_file, "contacts", "export")
    assert "'=HYPERLINK" in out  # a spreadsheet shows it, never runs it
    again = tmp_path / "again.csv"
    again.write_text(out, encoding="utf-8")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    back = importers.read_file(again, "csv", {}, now).contacts
    assert next(c.title for c in back if c.email == "di@example.org") == '=HYPERLINK("x")'
