"""Every --json output, parsed and checked against its schema in schemas/."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from referencing import Registry, Resource

from outreach import app
from outreach.cli.main import cli
from outreach.config.settings import Settings
from outreach.core.model import (
    Contact,
    Event,
    Interview,
    Kind,
    Message,
    MessageState,
    Mode,
    Slot,
    Source,
    Status,
)
from outreach.store.db import Store

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def registry() -> Registry:
    resources = [Resource.from_contents(json.loads(p.read_text())) for p in SCHEMAS.glob("*.json")]
    return Registry().with_resources((r.contents["$id"], r) for r in resources)


def valid(name: str, text: str) -> dict[str, Any]:
    """Parse ``text`` and check it against schemas/``name``; return the document."""
    document = json.loads(text)
    schema = json.loads((SCHEMAS / name).read_text())
    validator = jsonschema.Draft202012Validator(
        schema, registry=registry(), format_checker=jsonschema.FormatChecker()
    )
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(document)]  # fmt: skip
    assert not errors, errors
    return document


def run(config_file: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config_file), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


@pytest.fixture
def campaign(store: Store, settings: Settings) -> dict[str, str]:
    """A small campaign in a real store: every kind of record the --json outputs carry."""
    now = app.now(settings)
    robin = Contact(name="Robin Roe", email="robin@example.com", source=Source.CO_WORKER,
                    area="data engineering", tags=["warm"], status=Status.SCHEDULED,
                    created_at=now, updated_at=now, status_changed_at=now,
                    attention="asked to move the interview")  # fmt: skip
    sam = Contact(name="Sam Sample", email="sam@example.com", referred_by=robin.id,
                  status=Status.PAUSED, paused_until=now + timedelta(days=2),
                  paused_from=Status.CONTACTED, timezone="America/New_York")  # fmt: skip
    start = now - timedelta(days=1)
    with store.transaction() as state:
        state.contacts[robin.id] = robin
        state.contacts[sam.id] = sam
        state.messages["m1"] = Message(
            id="m1", contact_id=robin.id, kind=Kind.REQUEST, state=MessageState.SENT,
            subject="Twenty minutes of your advice?", planned_at=now, sent_at=now,
            slots=[Slot(start=start, end=start + timedelta(minutes=30))])  # fmt: skip
        state.messages["m2"] = Message(id="m2", contact_id=sam.id, kind=Kind.FOLLOW_UP,
                                       state=MessageState.FAILED, error="mailbox full")
        state.interviews["i1"] = Interview(id="i1", contact_id=robin.id, start=start,
                                           mode=Mode.PHONE, invite_id="m1")  # fmt: skip
        state.record(Event(at=now, kind="added", contact_id=robin.id, text="Added by hand."))
    return {"robin": robin.id, "sam": sam.id}


def test_status_and_contacts(config_file: Path, campaign: dict[str, str]) -> None:
    status = valid("status.json", run(config_file, "status", "--json"))
    assert status["version"] == 1 and status["contacts"] == 2
    assert status["funnel"]["scheduled"] == 1
    listed = valid("contacts-list.json", run(config_file, "contacts", "list", "--json"))
    assert [c["name"] for c in listed["contacts"]] == ["Robin Roe", "Sam Sample"]
    for command in (("show",), ("contacts", "show")):
        shown = valid("contacts-show.json", run(config_file, *command, "robin", "--json"))
        assert shown["contact"]["id"] == campaign["robin"]
        assert [m["id"] for m in shown["messages"]] == ["m1"]
        assert shown["interviews"][0]["mode"] == "phone"
        assert shown["events"][0]["text"] == "Added by hand."


def test_templates_list(config_file: Path, settings: Settings, tmp_path: Path) -> None:
    listed = valid("templates-list.json", run(config_file, "templates", "list", "--json"))
    names = [t["name"] for t in listed["templates"]]
    assert names[0] == "request" and names[-1] == "prep"
    assert {f["origin"] for t in listed["templates"] for f in t["files"]} == {"packaged"}


def test_report(config_file: Path, campaign: dict[str, str]) -> None:
    run(config_file, "log", "robin", "--no-lookup", "--impressions", "Friendly and direct.",
        "--answer", "qualifications=SQL and patience", "--fit", "skills=4 - close",
        "--referral", "Kim Kay <kim@example.com> - may use name: yes")  # fmt: skip
    report = valid("report.json", run(config_file, "report", "--format", "json"))
    assert [r["name"] for r in report["interviews"]] == ["Robin Roe"]
    assert report["interviews"][0]["referrals"] == ["Kim Kay"]
    assert report["fit"][[f["key"] for f in report["fit"]].index("skills")]["mean"] == 4


def test_check_offline_and_online(config_file: Path) -> None:
    offline = valid("check.json", run(config_file, "check", "--offline", "--json"))
    assert offline["mailbox"] == {"checked": False, "backend": "sandbox", "text": None}
    assert offline["store"]["exists"] is False
    online = valid("check.json", run(config_file, "check", "--json"))
    assert online["mailbox"]["checked"] and "Signed in" in online["mailbox"]["text"]


def test_forget(config_file: Path, campaign: dict[str, str]) -> None:
    forgot = valid("forget.json", run(config_file, "forget", "sam", "--yes", "--json"))
    assert (forgot["messages"], forgot["interviews"]) == (1, 0)


def test_the_schemas_name_the_model_s_values() -> None:
    """The enums in records.json are the model's, so a new status cannot go undocumented."""
    defs = json.loads((SCHEMAS / "records.json").read_text())["$defs"]
    assert defs["status"]["enum"] == [s.value for s in Status]
    assert defs["source"]["enum"] == [s.value for s in Source]
    assert defs["message"]["properties"]["kind"]["enum"] == [k.value for k in Kind]
    assert defs["message"]["properties"]["state"]["enum"] == [s.value for s in MessageState]
    assert set(defs["contact"]["properties"]) == set(Contact(name="", email="").to_dict())
