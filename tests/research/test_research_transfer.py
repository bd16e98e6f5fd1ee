"""Export then import into an empty store gives an identical store; a used store is refused."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import research_example as ex
from click.testing import CliRunner, Result

from outreach.cli.main import cli
from outreach.config import loader
from outreach.core.model import Kind, Message, MessageState, Slot, Status
from outreach.store import transfer
from outreach.store.db import Store


def run(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-c", str(config_path), *args])


@pytest.fixture
def full(store: Store) -> Store:
    """A store with every kind of record: contacts, logged interviews, messages, sync, events."""
    state, events = ex.build_state()
    ana = next(c for c in state.contacts.values() if c.email == "ana@example.com")
    ana.tags = ["ask:job-2", "Ünïcode, \"quoted\""]
    ana.paused_from = Status.SCHEDULED
    ana.timezone = "Europe/Berlin"
    ana.internal = True
    ana.attention = ""  # an empty string in an optional field must stay empty, not None
    ana.research_notes = "Line one\nline two, with a comma"
    interview = next(i for i in state.interviews.values() if i.contact_id == ana.id)
    interview.history.append({"impressions": "first draft", "replaced_at": ex.NOW.isoformat()})
    message = Message(
        contact_id=ana.id, kind=Kind.REQUEST, state=MessageState.SENT, sent_at=ex.T0,
        planned_at=ex.T0 - timedelta(hours=1), subject="Learning about data analysis",
        slots=[Slot(ex.T0 + timedelta(days=3), ex.T0 + timedelta(days=3, minutes=30))],
        item_id="AAMkA=", error=None,
    )
    with store.transaction() as fresh:
        fresh.contacts.update(state.contacts)
        fresh.interviews.update(state.interviews)
        fresh.messages[message.id] = message
        fresh.sync.update({"inbox": "H4sIA...", "subscription": {"id": "s1", "watermark": 42}})
        for event in events:
            fresh.record(event)
    with store.transaction() as later:  # a second transaction: the log spans several writes
        from outreach.core.model import Event

        later.record(Event(at=ex.NOW, kind="note", contact_id=ana.id, text="é ✓",
                           data={"nested": {"list": [1, 2.5, None, True]}}))
    return store


def other_config(tmp_path: Path, name: str) -> tuple[Path, Store]:
    path = tmp_path / f"{name}.yaml"
    store_path = tmp_path / name / "store.json"
    path.write_text(loader.render_example({"paths.store": str(store_path)}), encoding="utf-8")
    return path, Store(store_path)


def assert_identical(a: Store, b: Store) -> None:
    left, right = a.read(), b.read()
    assert left.contacts == right.contacts
    assert list(left.contacts) == list(right.contacts)
    assert left.interviews == right.interviews
    assert left.messages == right.messages
    assert left.sync == right.sync
    assert [e.to_dict() for e in a.events()] == [e.to_dict() for e in b.events()]
    assert len(a.events()) > 10


@pytest.mark.parametrize("target", ["export.json", "export-folder", "export.zip"])
def test_export_then_import_into_an_empty_store_is_identical(
    config_file: Path, full: Store, tmp_path: Path, target: str
) -> None:
    out = tmp_path / target
    fmt = "json" if target.endswith(".json") else "csv"
    result = run(config_file, "export", "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    new_config, new_store = other_config(tmp_path, "moved")
    result = run(new_config, "import", str(out))
    assert result.exit_code == 0, (result.output, result.exception)
    assert_identical(full, new_store)


def test_export_to_stdout_is_the_json_document(config_file: Path, full: Store) -> None:
    result = run(config_file, "export")
    document = json.loads(result.output)
    assert document["format"] == "outreach-export" and document["version"] == 1
    assert len(document["contacts"]) == len(full.read().contacts)
    assert len(document["events"]) == len(full.events())


def test_csv_files_are_readable_tables(full: Store) -> None:
    document = transfer.dump(full.read(), full.events(), ex.NOW)
    files = transfer.csv_files(document)
    assert set(files) == {"contacts.csv", "interviews.csv", "messages.csv", "events.csv",
                          "sync.csv", "export.json"}
    header, first = files["contacts.csv"].splitlines()[:2]
    assert header.startswith("name,email,id,title,department")
    assert first.startswith("Ana Example,ana@example.com,")


def test_import_refuses_a_store_that_is_not_empty(
    config_file: Path, full: Store, tmp_path: Path
) -> None:
    out = tmp_path / "export.json"
    assert run(config_file, "export", "--output", str(out)).exit_code == 0
    before = full.path.read_bytes(), full.events_path.read_bytes()
    result = run(config_file, "import", str(out))
    assert result.exit_code == 2, result.output
    assert "is not empty" in result.output
    assert (full.path.read_bytes(), full.events_path.read_bytes()) == before


def test_import_names_what_is_wrong_with_a_bad_export(config_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "outreach-export", "version": 1,
                               "contacts": [{"email": "x@example.com"}]}))
    result = run(config_file, "import", str(bad))
    assert result.exit_code == 2, result.output
    assert "contacts record 1" in result.output
    other = tmp_path / "other.json"
    other.write_text("[1, 2]")
    result = run(config_file, "import", str(other))
    assert "is not an outreach export" in result.output
    assert not Store(tmp_path / "store.json").exists()


def test_ics_export_holds_the_scheduled_interviews(
    config_file: Path, full: Store, tmp_path: Path
) -> None:
    import icalendar

    with full.transaction() as changing:  # one interview still to come, the others held
        first = sorted(changing.interviews.values(), key=lambda i: i.start)[0]
        first.status = "scheduled"
    state = full.read()
    scheduled = [i for i in state.interviews.values() if i.status == "scheduled"]
    assert len(scheduled) == 1 and len(state.interviews) > 1
    out = tmp_path / "interviews.ics"
    result = run(config_file, "export", "--format", "ics", "--output", str(out))
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(scheduled)
    names = {state.contacts[i.contact_id].name for i in scheduled}
    assert {str(e["SUMMARY"]).removeprefix("Informational interview: ") for e in events} == names
    assert run(config_file, "export", "--format", "ics").output.startswith("BEGIN:VCALENDAR")
