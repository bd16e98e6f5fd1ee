"""The one-off commands' own rules (campaign.Session), on a real store without a mailbox."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from outreach.campaign.session import Session
from outreach.core import clock
from outreach.core.model import Kind, Message, MessageState, Status
from outreach.store.db import Store

from .helpers import at, person, settings, slot


def test_schedule_slot_counts_the_times_the_contact_saw(tmp_path: Path) -> None:
    """A follow-up deleted in Drafts never reached the contact: --slot N is the request's."""
    config = settings()
    config = replace(config, paths=replace(config.paths, store=tmp_path / "store.json"))
    store = Store(config.paths.store)
    seen = [slot(at(12, 8, 10)), slot(at(12, 9, 14))]
    unseen = [slot(at(12, 15, 11)), slot(at(12, 16, 15))]
    with store.transaction() as state:
        ada = person("Ada", status=Status.CONTACTED)
        state.contacts[ada.id] = ada
        for message in (
            Message(contact_id=ada.id, kind=Kind.REQUEST, id="req", slots=seen,
                    state=MessageState.SENT, planned_at=at(12, 1), sent_at=at(12, 1, 10)),
            Message(contact_id=ada.id, kind=Kind.FOLLOW_UP, id="fu1", slots=unseen,
                    state=MessageState.DELETED, planned_at=at(12, 4)),
        ):  # fmt: skip
            state.messages[message.id] = message
    session = Session(config, store, clock.ManualClock(at(12, 5)))
    interview = session.schedule("ada", slot=2, dry_run=True)
    assert interview.start == seen[1].start
