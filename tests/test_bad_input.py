"""The bad-input suite: what a new user gets wrong, and the one sentence each gets back.

Every case runs the real command in-process (click's runner) against a config
and a store on disk, and checks the same four things: the exit code, no
traceback, a message that names the file, line, option or field, and the
store's bytes unchanged. The cases are tables, one per category; the config
cases are generated from the schema, so a new number key gets its range tested.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from outreach.cli.main import cli
from outreach.config import loader
from outreach.config.schema import SCHEMA, Key, Section
from outreach.core.model import Contact, Event, Interview
from outreach.store.db import Store

NOW = datetime.now(ZoneInfo("Europe/Berlin"))
PAST = (NOW - timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
FUTURE = (NOW + timedelta(days=30)).strftime("%Y-%m-%d %H:%M")


@dataclasses.dataclass(frozen=True)
class Case:
    """One bad input: the command, the files it reads, what must come back."""

    args: tuple[str, ...]
    code: int
    says: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...] = ()
    input: str | None = None


def case(*args: str, code: int = 2, says: str | tuple[str, ...], files: dict[str, bytes | str]
         | None = None, input: str | None = None) -> Case:  # fmt: skip
    written = tuple((name, data.encode() if isinstance(data, str) else data)
                    for name, data in (files or {}).items())  # fmt: skip
    return Case(args, code, (says,) if isinstance(says, str) else says, written, input)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A config and a store holding two contacts, one with an interview that took place."""
    (tmp_path / "config.yaml").write_text(
        loader.render_example({"paths.store": str(tmp_path / "data" / "store.json"),
                               "time.timezone": "Europe/Berlin"}), encoding="utf-8")
    store = Store(tmp_path / "data" / "store.json")
    robin = Contact(name="Robin Roe", email="robin@example.com", created_at=NOW)
    sam = Contact(name="Sam Sample", email="sam@example.com", created_at=NOW)
    with store.transaction() as state:
        for contact in (robin, sam):
            state.contacts[contact.id] = contact
            state.record(Event(at=NOW, kind="added", contact_id=contact.id, text="Added."))
        interview = Interview(contact_id=robin.id, start=NOW - timedelta(days=1))
        state.interviews[interview.id] = interview
    return tmp_path


def snapshot(home: Path) -> dict[str, bytes]:
    data = home / "data"
    return {p.name: p.read_bytes() for p in sorted(data.iterdir())
            if p.is_file() and p.name.startswith("store.") and not p.name.endswith((".lock",
                                                                                     ".who"))}


def run(home: Path, bad: Case) -> Result:
    for name, data in bad.files:
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_bytes(data.replace(b"{home}", str(home).encode()))
    args = [a.replace("{home}", str(home)) for a in bad.args]
    return CliRunner().invoke(cli, ["--config", str(home / "config.yaml"), *args],
                              input=bad.input)


def check(home: Path, bad: Case) -> None:
    before = snapshot(home)
    result = run(home, bad)
    output = result.output
    assert result.exit_code == bad.code, output
    assert isinstance(result.exception, SystemExit) or (bad.code == 0 and
                                                        result.exception is None), output
    assert "Traceback" not in output
    for phrase in bad.says:
        assert phrase.replace("{home}", str(home)) in output, output
    if bad.code:
        assert output.lstrip().startswith("outreach: ") or "outreach: " in output, output
    assert snapshot(home) == before, "the store changed on a rejected input"


# ------------------------------------------------------------------ config, from the schema


def _keys(section: Section = SCHEMA, path: str = "") -> list[tuple[str, Key]]:
    found = []
    for name, spec in section.keys.items():
        sub = f"{path}.{name}" if path else name
        found += _keys(spec, sub) if isinstance(spec, Section) else [(sub, spec)]
    return found


INTS = [(path, key) for path, key in _keys() if key.type == "int"]


def test_every_number_in_the_schema_has_a_range() -> None:
    assert INTS, "the schema has number keys"
    open_ended = [p for p, k in INTS if k.minimum is None or k.maximum is None]
    assert open_ended == []


def config_case(path: str, value: str) -> Case:
    """`check --offline` on the example config with ``path`` set to ``value``."""
    text = loader.render_example({"paths.store": "{home}/data/store.json"})
    section, _, leaf = path.rpartition(".")
    lines = text.splitlines()
    depth, want, inside = 0, section.split(".") if section else [], []
    for number, line in enumerate(lines):
        stripped = line.strip()
        indent = (len(line) - len(line.lstrip())) // 2
        if stripped.startswith("#") or not stripped:
            continue
        key = stripped.split(":")[0]
        if len(inside) > indent:
            inside = inside[:indent]
        if indent == depth and len(inside) == depth and key == leaf and inside == want:
            lines[number] = f"{'  ' * indent}{leaf}: {value}"
            break
        if stripped.endswith(":"):
            inside = [*inside[:indent], key]
            depth = len(inside) if inside == want[: len(inside)] else depth
    else:  # pragma: no cover - the schema and the example agree (test_repo checks)
        raise AssertionError(path)
    return case("--config", "{home}/bad.yaml", "check", "--offline",
                says=("{home}/bad.yaml:", f"At '{path}'"), files={"bad.yaml": "\n".join(lines)})


CONFIG_CASES = {
    f"{path}={value}": config_case(path, value)
    for path, key in INTS
    for value in (str(key.minimum - 1), str(key.maximum + 1), "ten", "1.5", "true")
} | {
    "user.name NUL": config_case("user.name", '"Alex\\0 Example"'),
    "user.name bidi": config_case("user.name", '"Alex \\u202eelpmaxE"'),
    "user.name newline": config_case("user.name", '"Alex\\nBcc: x@example.com"'),
    "user.email bidi": config_case("user.email", '"alex\\u202e@example.com"'),
    "user.email not one": config_case("user.email", "alex.example.com"),
    "time.timezone": config_case("time.timezone", "Mars/Olympus"),
    "time.working_hours.start": config_case("time.working_hours.start", "'25:00'"),
    "time.working_hours.days": config_case("time.working_hours.days", "[mon, funday]"),
    "policy.approval": config_case("policy.approval", "always"),
    "mailbox.backend": config_case("mailbox.backend", "imap"),
    "mailbox.service_endpoint": config_case("mailbox.service_endpoint", "ftp://x"),
    "endpoint port too big": config_case("mailbox.service_endpoint",
                                         "https://mail.example.com:99999/EWS/Exchange.asmx"),
    "endpoint port not a number": config_case("mailbox.service_endpoint",
                                              "https://mail.example.com:ews/EWS/Exchange.asmx"),
    "endpoint port zero": config_case("mailbox.service_endpoint",
                                      "https://mail.example.com:0/EWS/Exchange.asmx"),
    "endpoint no host": config_case("mailbox.service_endpoint", "https://:443/EWS"),
    "daemon.notifications": config_case("daemon.notifications", "push"),
    "scheduling.location list": config_case("scheduling.location", "[a, b]"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_config(home: Path, name: str) -> None:
    check(home, CONFIG_CASES[name])


# ------------------------------------------------------------------ check --offline, beyond

FOLDER = "{home}/mine"


def offline(extra: str, says: str | tuple[str, ...], files: dict[str, bytes | str]) -> Case:
    text = loader.render_example({"paths.store": "{home}/data/store.json"})
    text = text.replace("  templates: null", f"  templates: {FOLDER}")
    text = text.replace("  country: DE", f"  country: {extra}" if extra else "  country: DE")
    return case("--config", "{home}/c2.yaml", "check", "--offline", says=says,
                files={"c2.yaml": text, **files})


TEMPLATE_FAULTS = {
    "syntax": (b"Hello\n{% if %}\n", "line 2"),
    "undefined": (b"Hi\n{{ contact.nickname }}\n", "line 2"),
    "division": (b"{{ 1 // 0 }}\n", "ZeroDivisionError"),
    "type": (b"{{ '%d' % 'x' }}\n", "TypeError"),
    "recursive": (b"{% include 'request.txt.j2' %}\n", "includes itself"),
    "missing include": (b"a\n{% include 'gone.j2' %}\n", "gone.j2 not found"),
    "not utf-8": (b"ok\n\xff\n", "line 2: not UTF-8"),
    "unknown filter": (b"{{ area | shout }}\n", "line 1"),
    "bad macro call": (b"{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2, 3) }}\n",
                       "request.txt.j2"),
    "empty subject": (b"{# nothing #}\n", "empty subject"),
}

def _part(name: str) -> str:
    return "subject" if name == "empty subject" else "txt"


CHECK_CASES = {
    f"template {name}": offline("", ("request.", says), {f"mine/request.{_part(name)}.j2": content})
    for name, (content, says) in TEMPLATE_FAULTS.items()
} | {
    "holiday country": offline("ZZ", "time.country", {"mine/.keep": ""}),
    "holiday lower case": offline("de", "time.country", {"mine/.keep": ""}),
    "holiday subdivision": offline("DE\n  subdivision: XX", "time.subdivision", {"mine/.keep": ""}),
    "templates folder missing": offline("", "paths.templates", {}),
    "templates folder a file": offline("", "paths.templates", {"mine": ""}),
}


@pytest.mark.parametrize("name", sorted(CHECK_CASES))
def test_check_offline(home: Path, name: str) -> None:
    check(home, CHECK_CASES[name])


# ------------------------------------------------------------------ contact files

CSV_CASES = {
    "csv not utf-8": case("contacts", "import", "{home}/p.csv", says="not UTF-8",
                          files={"p.csv": b"name,email\nJ\xfcrgen,j@example.com\n"}),
    "csv empty": case("contacts", "import", "{home}/p.csv", says="is empty",
                      files={"p.csv": b""}),
    "csv no email column": case("contacts", "import", "{home}/p.csv", says="p.csv:1:",
                                files={"p.csv": "name,mail address\nA,a@example.com\n"}),
    "csv unclosed quote": case("contacts", "import", "{home}/p.csv", says="p.csv:2:",
                               files={"p.csv": 'name,email\n"Ann,ann@example.com\n'}),
    "csv missing file": case("contacts", "import", "{home}/nope.csv", says="nope.csv"),
    "csv a folder": case("contacts", "import", "{home}/mine", says="mine",
                         files={"mine/x": ""}),
    "csv unknown format": case("contacts", "import", "{home}/p.xls", says="--format",
                               files={"p.xls": "x"}),
    "vcf no end": case("contacts", "import", "{home}/p.vcf", says="p.vcf:1:",
                       files={"p.vcf": "BEGIN:VCARD\nFN:Ann\nEMAIL:ann@example.com\n"}),
    "vcf outside card": case("contacts", "import", "{home}/p.vcf", says="p.vcf:1:",
                             files={"p.vcf": "FN:Ann\n"}),
    "vcf not a line": case("contacts", "import", "{home}/p.vcf", says="p.vcf:2:",
                           files={"p.vcf": "BEGIN:VCARD\nno colon here\nEND:VCARD\n"}),
    "vcf nested": case("contacts", "import", "{home}/p.vcf", says="p.vcf:2:",
                       files={"p.vcf": "BEGIN:VCARD\nBEGIN:VCARD\nEND:VCARD\n"}),
    "vcf none": case("contacts", "import", "{home}/p.vcf", says="holds no vCard",
                     files={"p.vcf": "\n\n"}),
    "vcf not utf-8": case("contacts", "import", "{home}/p.vcf", says="not UTF-8",
                          files={"p.vcf": b"BEGIN:VCARD\nFN:\xe9\nEND:VCARD\n"}),
}
#: rows a parsable file skips: the file imports what is good, each skip names its line
ROWS = {
    "do_not_contact word": ("Ann,ann@example.com,maybe", "do_not_contact 'maybe'"),
    "do_not_contact number": ("Ann,ann@example.com,2", "do_not_contact '2'"),
    "bad email": ("Ann,ann.example.com,", "is not an email address"),
    "email with space": ("Ann,ann @example.com,", "is not an email address"),
    "email bidi": ("Ann,ann\u202e@example.com,", "is not an email address"),
    "email NUL": ("Ann,ann\x00@example.com,", "is not an email address"),
    "name bidi": ("An\u202en,ann@example.com,", "text-direction"),
    "name NUL": ("An\x00n,ann@example.com,", "NUL"),
    "no name": (",ann@example.com,", "no name"),
    "no email": ("Ann,,", "no email address"),
    "duplicate": ("Robin Again,robin@example.com,", "already in the store"),
    "too many fields": ("Ann,ann@example.com,no,extra", "fields, but the header has"),
}
CSV_CASES |= {
    f"csv row {name}": case("contacts", "import", "{home}/p.csv", code=0,
                            says=("p.csv:2:", says),
                            files={"p.csv": f"name,email,do_not_contact\n{row}\n"})
    for name, (row, says) in ROWS.items()
}


@pytest.mark.parametrize("name", sorted(CSV_CASES))
def test_contact_files(home: Path, name: str) -> None:
    check(home, CSV_CASES[name])


# ------------------------------------------------------------------ the interview log

LOG_CASES = {
    "empty": ({"l.yaml": ""}, "the file is empty"),
    "blank form": ({"l.md": "\n\n"}, "the file is empty"),
    "not utf-8": ({"l.md": b"## Impressions\n\xff\n"}, "l.md, line 2: not UTF-8"),
    "missing": ({}, "there is no such file"),
    "bad yaml": ({"l.yaml": "impressions: [unclosed\n"}, "line 2"),
    "bad json": ({"l.json": '{"impressions": }'}, "line 1"),
    "list not mapping": ({"l.yaml": "- a\n- b\n"}, "expected a mapping"),
    "unknown key": ({"l.yaml": "impresions: good\n"}, "unknown key 'impresions'"),
    "answers a list": ({"l.yaml": "answers: [a, b]\n"}, "answers: expected a mapping"),
    "answer a mapping": ({"l.yaml": "answers:\n  job: {a: 1}\n"}, "answers.job: expected text"),
    "unknown category": ({"l.yaml": "answers:\n  hobbies: x\n"}, "answers.hobbies"),
    "impressions a number": ({"l.yaml": "impressions: 5\n"}, "impressions: expected text"),
    "fit too high": ({"l.yaml": "fit:\n  skills: 7\n"}, "fit.skills"),
    "fit unknown area": ({"l.yaml": "fit:\n  salary: 3\n"}, "fit.salary"),
    "fit a list": ({"l.yaml": "fit: [1, 2]\n"}, "fit: expected a mapping"),
    "fit boolean": ({"l.yaml": "fit:\n  skills: true\n"}, "fit.skills"),
    "referrals a mapping": ({"l.yaml": "referrals: {a: b}\n"}, "referrals: expected a list"),
    "referral bad email": ({"l.yaml": "referrals: ['Kim <kim>']\n"}, "referrals[0]"),
    "referral may word": ({"l.json": '{"referrals": [{"name": "Kim", "may_use_name": "perhaps"}]}'},
                          "referrals[0]: may_use_name"),
    "date bad": ({"l.yaml": "date: next tuesday\n"}, "date:"),
    "date zone": ({"l.yaml": "date: 2026-03-04 10:00 Mars/Olympus\n"}, "unknown time zone"),
    "form heading": ({"l.md": "## Impressions\nok\n## Gossip\nx\n"}, "l.md line 3"),
    "form stray text": ({"l.md": "hello\n## Impressions\nok\n"}, "l.md line 1"),
    "form fit": ({"l.md": "## Fit\n- skills: 9\n"}, "l.md line 2"),
    "form fit shape": ({"l.md": "## Fit\nskills nine\n"}, "l.md line 2"),
    "form referral": ({"l.md": "## Referral names\n- <x@example.com>\n"}, "l.md line 2"),
    "form date": ({"l.md": "Date: someday\n## Impressions\nok\n"}, "l.md line 1"),
}


@pytest.mark.parametrize("name", sorted(LOG_CASES))
def test_log_from(home: Path, name: str) -> None:
    files, says = LOG_CASES[name]
    target = next(iter(files), "absent.md")
    check(home, case("log", "robin", "--from", f"{{home}}/{target}", says=(target, says),
                     files=files))


# ------------------------------------------------------------------ options

OPTION_CASES = {
    "pause until past": case("pause", "robin", "--until", PAST, says="--until"),
    "pause until not a date": case("pause", "robin", "--until", "soon", says="--until"),
    "schedule at past": case("schedule", "sam", "--at", PAST, says="--at"),
    "schedule at not a date": case("schedule", "sam", "--at", "tomorrowish", says="--at"),
    "schedule neither": case("schedule", "sam", says="--slot"),
    "schedule both": case("schedule", "sam", "--slot", "1", "--at", FUTURE, says="--slot"),
    "schedule slot 0": case("schedule", "sam", "--slot", "0", says="--slot"),
    "schedule minutes": case("schedule", "sam", "--at", FUTURE, "--minutes", "-5",
                             says="--minutes"),
    "schedule phone and where": case("schedule", "sam", "--at", FUTURE, "--phone", "--where",
                                     "x", says="--phone"),
    "referred by self": case("contacts", "edit", "robin", "--referred-by", "robin",
                             says="--referred-by"),
    "referred by nobody": case("contacts", "edit", "robin", "--referred-by", "nobody",
                               says="nobody"),
    "add email bad": case("contacts", "add", "--name", "A B", "--email", "ab", says="--email"),
    "add email bidi": case("contacts", "add", "--name", "A B", "--email", "a\u202eb@example.com",
                           says="--email"),
    "add email NUL": case("contacts", "add", "--name", "A B", "--email", "a\x00b@example.com",
                          says="--email"),
    "add name bidi": case("contacts", "add", "--name", "A\u202eB", "--email", "ab@example.com",
                          says="--name"),
    "add name NUL": case("contacts", "add", "--name", "A\x00B", "--email", "ab@example.com",
                         says="--name"),
    "add name newline": case("contacts", "add", "--name", "A\nB", "--email", "ab@example.com",
                             says="--name"),
    "add name empty": case("contacts", "add", "--name", " ", "--email", "ab@example.com",
                           says="--name"),
    "add duplicate": case("contacts", "add", "--name", "R", "--email", "ROBIN@example.com",
                          says="already a contact"),
    "add timezone": case("contacts", "add", "--name", "A B", "--email", "ab@example.com",
                         "--timezone", "Mars/Olympus", says="--timezone"),
    "add source": case("contacts", "add", "--name", "A B", "--email", "ab@example.com",
                       "--source", "friend", says="--source"),
    "edit unknown contact": case("contacts", "edit", "zed", "--title", "x", says="zed"),
    "forget without a terminal": case("forget", "sam", says="--yes"),
    "report table with md": case("report", "--format", "md", "--table", "fit", says="--table"),
    "report unknown table": case("report", "--format", "csv", "--table", "x", says="--table"),
    "report unknown area": case("report", "--area", "knitting", says="knitting"),
    "report format": case("report", "--format", "pdf", says="--format"),
    "prep unknown question": case("prep", "robin", "--ask", "zz-99", says="zz-99"),
    "templates preview name": case("templates", "preview", "hello", "--contact", "robin",
                                   says="NAME"),
    "templates show unknown": case("templates", "show", "nothere.j2",
                                   says=("nothere.j2", "names: request, follow-up-1")),
    "sandbox fault count": case("sandbox", "--url", "http://127.0.0.1:9", "fault", "http500",
                                "--count", "-1", says="--count"),
    "sandbox fault seconds": case("sandbox", "--url", "http://127.0.0.1:9", "fault", "slow",
                                  "--seconds", "-2", says="--seconds"),
    "sandbox fault back-off": case("sandbox", "--url", "http://127.0.0.1:9", "fault",
                                   "server_busy", "--back-off-ms", "-100", says="--back-off-ms"),
    "sandbox port": case("sandbox", "serve", "--port", "70000", says="--port"),
    "log nothing": case("log", "sam", says="Nothing to log"),
    "log fit option": case("log", "robin", "--fit", "skills=9", says="--fit"),
    "log answer option": case("log", "robin", "--answer", "gossip=x", says="--answer"),
    "log referral option": case("log", "robin", "--referral", "<x@example.com>",
                                says="--referral"),
    "log date option": case("log", "robin", "--date", "whenever", "--impressions", "x",
                            says="--date"),
    "export csv to stdout": case("export", "--format", "csv", says="--output"),
    "unknown command": case("sendd", says="sendd"),
    "unknown option": case("status", "--colour", says="--colour"),
    "missing argument": case("show", says="REF"),
}


@pytest.mark.parametrize("name", sorted(OPTION_CASES))
def test_options(home: Path, name: str) -> None:
    check(home, OPTION_CASES[name])


# ------------------------------------------------------------------ paths the user gives

PATH_CASES = {
    "report into a missing folder": case("report", "-o", "{home}/no/such/r.md",
                                         says=("{home}/no/such/r.md", "does not exist")),
    "report onto a folder": case("report", "-o", "{home}/mine", says="it is a folder",
                                 files={"mine/x": ""}),
    "report csv folder onto a file": case("report", "--format", "csv", "-o", "{home}/t",
                                          says="a folder is needed", files={"t": "x"}),
    "report csv into a missing folder": case("report", "--format", "csv", "-o",
                                             "{home}/no/t.zip", says="does not exist"),
    "export into a missing folder": case("export", "-o", "{home}/no/e.json",
                                         says=("export --output", "does not exist")),
    "export onto a folder": case("export", "-o", "{home}/mine", says="it is a folder",
                                 files={"mine/x": ""}),
    "export csv onto a file": case("export", "--format", "csv", "-o", "{home}/e",
                                   says="a folder is needed", files={"e": "x"}),
    "export csv over an export": case("export", "--format", "csv", "-o", "{home}/e",
                                      says="already holds", files={"e/contacts.csv": "x"}),
    "export ics into a missing folder": case("export", "--format", "ics", "-o",
                                             "{home}/no/i.ics", says="does not exist"),
    "contacts export into a missing folder": case("contacts", "export", "-o", "{home}/no/c.csv",
                                                  says="contacts export --output"),
    "contacts export onto a folder": case("contacts", "export", "-o", "{home}/mine",
                                          says="mine", files={"mine/x": ""}),
    "prep into a missing folder": case("prep", "robin", "-o", "{home}/no/p.md",
                                       says="prep --output"),
    "dry run into a missing folder": case("run", "--once", "--dry-run", "--offline",
                                          "--output", "{home}/no/d",
                                          says=("run --output", "does not exist")),
    "import missing": case("import", "{home}/nothing.json", says="there is no such file"),
    "import empty": case("import", "{home}/e.json", says="the file is empty",
                         files={"e.json": ""}),
    "import not json": case("import", "{home}/e.json", says="not valid JSON",
                            files={"e.json": "{nope"}),
    "import not utf-8": case("import", "{home}/e.json", says="not UTF-8",
                             files={"e.json": b'{"a": "\xff"}'}),
    "import not an export": case("import", "{home}/e.json", says="not an outreach export",
                                 files={"e.json": "[]"}),
    "import into a full store": case("import", "{home}/e.json", says="not empty",
                                     files={"e.json": '{"format": "outreach-export", '
                                            '"version": 1}'}),
}


@pytest.mark.parametrize("name", sorted(PATH_CASES))
def test_paths(home: Path, name: str) -> None:
    check(home, PATH_CASES[name])
    assert not list(home.rglob(".*.tmp")), "a half-written file was left behind"


def test_outputs_are_owner_only(home: Path) -> None:
    for args, made in ((("report", "-o", "r.md"), "r.md"), (("export", "-o", "e.json"), "e.json"),
                       (("contacts", "export", "-o", "c.csv"), "c.csv"),
                       (("export", "--format", "csv", "-o", "e"), "e"),
                       (("export", "--format", "ics", "-o", "i.ics"), "i.ics")):
        result = run(home, case(*[a if a in ("report", "export", "contacts", "-o", "--format",
                                            "csv", "ics") else str(home / a) for a in args],
                                says=""))
        assert result.exit_code == 0, result.output
        assert oct((home / made).stat().st_mode & 0o777) in ("0o600", "0o700"), made


def test_ics_export_says_how_many(home: Path) -> None:
    result = run(home, case("export", "--format", "ics", "-o", str(home / "i.ics"), says=""))
    assert "Exported 1 scheduled interview to" in result.output


# ------------------------------------------------------------------ the store itself


def _break(how: str) -> Callable[[Path], None]:
    def doing(home: Path) -> None:
        path = home / "data" / "store.json"
        data = path.read_bytes()
        path.write_bytes({"empty": b"", "cut": data[: len(data) // 2], "list": b"[]",
                          "no meta": b"{}", "blank": b"   \n"}[how])
    return doing


@pytest.mark.parametrize("how", ["empty", "cut", "list", "no meta", "blank"])
@pytest.mark.parametrize("args", [("status",), ("contacts", "add", "--name", "Kim Lee",
                                                "--email", "kim@example.com"),
                                  ("check", "--offline")])
def test_a_broken_store(home: Path, how: str, args: tuple[str, ...]) -> None:
    _break(how)(home)
    check(home, case(*args, code=1, says=(str(home / "data" / "store.json"), "restore")))


def test_a_read_only_disk_for_the_output(home: Path) -> None:
    """-o on a read-only file system: a sentence, nothing left behind (root mounts a tmpfs)."""
    disk = home / "ro"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,ro", "tmpfs", str(disk)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        for args in (("report", "-o", f"{disk}/r.md"), ("export", "-o", f"{disk}/e.json"),
                     ("contacts", "export", "-o", f"{disk}/c.csv"),
                     ("prep", "robin", "-o", f"{disk}/p.md")):
            check(home, case(*args, says=("read-only", str(disk))))
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
    assert os.listdir(disk) == []
