"""`run --once --dry-run`: everything due now, shown or written as .eml files, nothing written."""

from __future__ import annotations

import email
import stat
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest

from outreach.core.model import Interview, Kind, Message, MessageState, Slot, Status
from storehelp import on_disk  # tests/ is on the path
from worlds import START, InProcess

from .test_oneoff import world  # noqa: F401 - the fixture


@pytest.fixture
def due(world: InProcess) -> Iterator[InProcess]:  # noqa: F811
    """A new contact (a request due), one who agreed a time (an invite due) and one
    whose interview was yesterday (a thank-you due)."""
    with world.store.transaction() as state:
        agreed, held = sorted(state.contacts.values(), key=lambda c: c.email)[:2]
        for contact, status in ((agreed, Status.SCHEDULING), (held, Status.INTERVIEWED)):
            contact.status = status
            sent = Message(contact_id=contact.id, kind=Kind.REQUEST, state=MessageState.SENT,
                           subject="Informational interview?", planned_at=START - timedelta(days=9),
                           sent_at=START - timedelta(days=9),
                           slots=[Slot(START + timedelta(days=2),
                                       START + timedelta(days=2, minutes=30))])
            state.messages[sent.id] = sent
        future = Interview(contact_id=agreed.id, start=START + timedelta(days=2, hours=1),
                           status="proposed")
        past = Interview(contact_id=held.id, start=START - timedelta(days=1), status="held")
        state.interviews.update({future.id: future, past.id: past})
        extra = Message(contact_id=held.id, kind=Kind.REQUEST, state=MessageState.SENT,
                        planned_at=START - timedelta(days=20), sent_at=START - timedelta(days=20))
        state.messages[extra.id] = extra
    world.store.path.chmod(0o600)
    yield world


def _untouched(box: InProcess) -> tuple[tuple[bytes, ...], dict]:
    return on_disk(box.store), box.sandbox.controls.inspect()


def test_the_dry_run_prints_everything_due_and_writes_nothing(due: InProcess) -> None:
    before = _untouched(due)
    result = due.run("run", "--once", "--dry-run")
    assert result.exit_code == 0, result.output
    assert _untouched(due) == before
    assert "To:      priya.castellan@example.com" in result.output  # the request
    assert "To:      lena.marchetti@example.com\nSubject: Thank you" in result.output
    assert "Invite:  dana.whitlock@example.com" in result.output  # the agreed time
    assert "Dry run: 2 emails and 1 invite due now" in result.output
    assert "nothing was written to the mailbox or the store" in result.output
    assert "{{" not in result.output and "}}" not in result.output


def test_the_dry_run_writes_owner_only_eml_files(due: InProcess, tmp_path: Path) -> None:
    before = _untouched(due)
    out = tmp_path / "preview"
    result = due.run("run", "--once", "--dry-run", "--offline", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert _untouched(due) == before
    files = sorted(out.iterdir())
    assert sorted(f.name.split("-", 1)[1] for f in files) == [
        "invite-dana.whitlock_at_example.com.eml",
        "request-priya.castellan_at_example.com.eml",
        "thank-you-lena.marchetti_at_example.com.eml",
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert parsed["From"] == "Robin Vale <robin.vale@example.com>"
        assert parsed["To"].endswith("@example.com")
        assert parsed["Subject"]
        assert parsed["X-Outreach-Tracking"]
    requests = [f for f in files if "-request-" in f.name]
    body = email.message_from_bytes(requests[0].read_bytes(), policy=policy.default)
    text = body.get_body(("plain",)).get_content()
    html = body.get_body(("html",)).get_content()
    assert "data engineering" in text and "<" in html
    assert "offline" in result.output


def test_offline_asks_the_mailbox_nothing(due: InProcess) -> None:
    due.sandbox.controls.reset_request_counts()
    result = due.run("run", "--once", "--dry-run", "--offline")
    assert result.exit_code == 0, result.output
    assert due.sandbox.controls.request_counts() == {}
    online = due.run("run", "--once", "--dry-run")
    assert online.exit_code == 0, online.output
    asked = set(due.sandbox.controls.request_counts())
    read_only = {"GetUserAvailabilityRequest", "GetMailTips", "GetFolder", "GetServerTimeZones",
                 "ResolveNames", "ConvertId"}
    assert {"GetUserAvailabilityRequest", "GetMailTips"} <= asked <= read_only, asked


def test_the_options_only_go_with_dry_run(world: InProcess, tmp_path: Path) -> None:  # noqa: F811
    for extra in (["--offline"], ["--output", str(tmp_path / "x")]):
        result = world.run("run", "--once", *extra)
        assert result.exit_code == 2
        assert "only goes with --dry-run" in result.output
    assert not (tmp_path / "x").exists()
