"""The person's commands: send, draft, schedule, pause, resume, forget — against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from outreach.core.model import Kind, MessageState, Status
from storehelp import on_disk  # tests/ is on the path
from worlds import ZONE, InProcess, in_process

#: The colleagues every test starts with (not yet told internal or external).
COLLEAGUES = [
    ("Priya Castellan", "priya.castellan@example.com"),
    ("Dana Whitlock", "dana.whitlock@example.com"),
    ("Lena Marchetti", "lena.marchetti@example.com"),
]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcess]:
    with in_process(tmp_path, monkeypatch, policy={"daily_send_cap": 5}) as shared:
        for name, email in COLLEAGUES:
            shared.add(name, email, internal=None)
        yield shared


def test_send_dry_run_shows_the_email_and_creates_nothing(world: InProcess) -> None:
    before = on_disk(world.store)
    result = world.run("send", "priya", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "To:      priya.castellan@example.com" in result.output
    assert "informational interview" in result.output.lower()
    assert "(dry run; nothing was created or sent)" in result.output
    assert world.folder("drafts") == [] and world.folder("sentitems") == []
    assert on_disk(world.store) == before


def test_send_asks_then_sends_once_and_refuses_a_second_time(world: InProcess) -> None:
    declined = world.run("send", "priya", input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert world.folder("sentitems") == []

    sent = world.run("send", "priya", input="y\n")
    assert sent.exit_code == 0, sent.output
    assert "Sent; a copy is in Sent Items." in sent.output
    sent_items = world.folder("sentitems")
    assert [i["to"] for i in sent_items] == [["priya.castellan@example.com"]]
    priya = world.contact("priya.castellan@example.com")
    assert priya.status == Status.CONTACTED
    (message,) = world.store.read().messages_of(priya.id)
    assert message.state == MessageState.SENT and len(message.slots) == 3

    again = world.run("send", "priya", "--yes")
    assert again.exit_code == 2
    assert "already sent" in again.output
    assert len(world.folder("sentitems")) == 1


def test_draft_lands_in_drafts_and_send_then_refuses_to_duplicate_it(world: InProcess) -> None:
    result = world.run("draft", "dana")
    assert result.exit_code == 0, result.output
    assert "Saved in Drafts." in result.output
    assert [i["to"] for i in world.folder("drafts")] == [["dana.whitlock@example.com"]]
    assert world.contact("dana.whitlock@example.com").status == Status.DRAFTED

    duplicate = world.run("send", "dana", "--yes")
    assert duplicate.exit_code == 2
    assert "already in your Drafts folder" in duplicate.output
    assert world.folder("sentitems") == []
    helped = " ".join(world.run("send", "--help").output.split())
    assert "that draft is sent instead" not in helped  # the help says what happens
    assert "send that draft from Outlook or delete it" in helped


def test_do_not_contact_and_the_daily_cap_are_honoured(world: InProcess) -> None:
    with world.store.transaction() as state:
        lena = next(c for c in state.contacts.values() if c.email.startswith("lena"))
        lena.do_not_contact = True
    refused = world.run("send", "lena", "--yes")
    assert refused.exit_code == 2 and "do-not-contact" in refused.output

    world.configure(policy={"daily_send_cap": 1})
    assert world.run("send", "priya", "--yes").exit_code == 0
    over = world.run("send", "dana", "--yes")
    assert over.exit_code == 2 and "send cap" in over.output
    assert len(world.folder("sentitems")) == 1


def test_schedule_creates_the_invite_from_a_proposed_slot(world: InProcess) -> None:
    assert world.run("schedule", "priya", "--slot", "1").exit_code == 2  # nothing proposed yet
    assert world.run("send", "priya", "--yes").exit_code == 0
    priya = world.contact("priya.castellan@example.com")
    request = world.store.read().messages_of(priya.id)[0]

    dry = world.run("schedule", "priya", "--slot", "2", "--dry-run")
    assert dry.exit_code == 0 and dry.output.startswith("Would schedule")
    assert world.folder("calendar") == []

    result = world.run("schedule", "priya", "--slot", "2", "--where", "Building 5, room 512")
    assert result.exit_code == 0, result.output
    (meeting,) = world.folder("calendar")
    assert "Priya Castellan" in meeting["subject"]
    state = world.store.read()
    (interview,) = state.interviews_of(priya.id)
    assert interview.start == request.slots[1].start
    assert interview.location == "Building 5, room 512"
    invite = [m for m in state.messages_of(priya.id) if m.kind == Kind.INVITE]
    assert [m.state for m in invite] == [MessageState.DRAFTED]
    assert state.contacts[priya.id].status == Status.SCHEDULING


def test_schedule_needs_exactly_one_time(world: InProcess) -> None:
    neither = world.run("schedule", "priya")
    assert neither.exit_code == 2 and "exactly one of --slot N or --at TIME" in neither.output
    bad = world.run("schedule", "priya", "--at", "next tuesday")
    assert bad.exit_code == 2 and "2026-12-03 14:30" in bad.output


def test_pause_resume_and_forget(world: InProcess) -> None:
    assert world.run("draft", "dana").exit_code == 0
    dana_id = world.contact("dana.whitlock@example.com").id
    assert world.store.events(dana_id)  # her story so far
    paused = world.run("pause", "dana")
    assert paused.exit_code == 0 and "Paused Dana Whitlock." in paused.output
    assert world.contact("dana.whitlock@example.com").status == Status.PAUSED
    resumed = world.run("resume", "dana")
    assert resumed.exit_code == 0 and "(drafted)" in resumed.output
    not_paused = world.run("resume", "dana")
    assert not_paused.exit_code == 2 and "is not paused" in not_paused.output

    forgot = world.run("forget", "dana", "--yes")
    assert forgot.exit_code == 0 and "1 outbox entry" in forgot.output
    state = world.store.read()
    assert all(c.email != "dana.whitlock@example.com" for c in state.contacts.values())
    assert state.messages == {}
    assert world.store.events(dana_id) == []
    assert world.store.events()[-1].text == "a contact was forgotten"
    assert world.contact("priya.castellan@example.com")  # the others are untouched


def test_contacts_add_fills_a_contact_from_the_directory(world: InProcess) -> None:
    added = world.run("contacts", "add", "--lookup", "Tobias Ferreira", "--area", "payments")
    assert added.exit_code == 0, added.output
    tobias = world.contact("tobias.ferreira@example.com")
    assert (tobias.name, tobias.title, tobias.department) == (
        "Tobias Ferreira", "Product Manager", "Payments"
    )
    assert tobias.source.value == "directory" and tobias.area == "payments"

    nobody = world.run("contacts", "add", "--lookup", "Nobody Atall")
    assert nobody.exit_code == 2 and "Nobody called 'Nobody Atall'" in nobody.output
    bare = world.run("contacts", "add", "--title", "Analyst")
    assert bare.exit_code == 2 and "--name and --email are required" in bare.output


def test_three_one_off_drafts_in_a_row_propose_nine_distinct_times(world: InProcess) -> None:
    for name in ("priya", "dana", "lena"):
        assert world.run("draft", name).exit_code == 0
    state = world.store.read()
    times = [s.start for m in state.messages.values() for s in m.slots]
    assert len(times) == 9 and len(set(times)) == 9
    spans = sorted((s.start, s.end) for m in state.messages.values() for s in m.slots)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))


def test_schedule_names_what_is_in_the_way_and_books_only_with_force(world: InProcess) -> None:
    from outreach.sandbox.directory import Busy

    assert world.run("send", "priya", "--yes").exit_code == 0
    assert world.run("send", "dana", "--yes").exit_code == 0
    robin = world.sandbox.state.directory.get("robin.vale@example.com")
    meeting = datetime(2026, 12, 7, 10, 0, tzinfo=ZONE)
    robin.busy.append(Busy(meeting, meeting + timedelta(hours=1), subject="Budget review"))

    refused = world.run("schedule", "priya", "--at", "2026-12-07 10:30")
    assert refused.exit_code == 2
    assert "overlaps 'Budget review' on your calendar at 2026-12-07 10:00" in refused.output
    assert "--force" in refused.output and world.folder("calendar") == []

    assert world.run("schedule", "priya", "--at", "2026-12-08 11:00").exit_code == 0
    clash = world.run("schedule", "dana", "--at", "2026-12-08 11:15")
    assert clash.exit_code == 2
    assert "the interview with Priya Castellan at 2026-12-08 11:00" in clash.output
    assert len(world.folder("calendar")) == 1

    forced = world.run("schedule", "dana", "--at", "2026-12-08 11:15", "--force")
    assert forced.exit_code == 0, forced.output
    assert len(world.folder("calendar")) == 2
    state = world.store.read()
    [dana] = state.interviews_of(world.contact("dana.whitlock@example.com").id)
    assert dana.forced and not dana.conflict
