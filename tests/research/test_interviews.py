"""interviews.log_interview directly: the lookup seam and a contact removed meanwhile.

The CLI tests cover the log end to end; these cover what only the application
API shows: which referrals reach the lookup, and that a failed log writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from outreach.core.errors import OutreachError
from outreach.core.items import Person
from outreach.core.model import Contact, Interview, Referral, Source, Status
from outreach.research import interviews
from outreach.research.logform import LogEntry
from outreach.store.db import Store
from storehelp import on_disk  # tests/ is on the path


def _campaign(store: Store, now: datetime) -> Contact:
    ana = Contact(name="Ana Example", email="ana@example.com", status=Status.SCHEDULED)
    known = Contact(name="Bo Example", email="bo@example.com")
    with store.transaction() as state:
        state.contacts[ana.id] = ana
        state.contacts[known.id] = known
        interview = Interview(contact_id=ana.id, start=now - timedelta(hours=1))
        state.interviews[interview.id] = interview
    return ana


def test_only_unknown_referrals_are_looked_up_and_the_entry_fills_the_contact(
    store: Store, now: datetime
) -> None:
    _campaign(store, now)
    asked: list[list[str]] = []

    def lookup(referrals: Sequence[Referral]) -> interviews.Directory:
        asked.append([r.name for r in referrals])
        lee = Person("Lee Example", "lee@example.com", "Data Engineer", "Platform")
        return interviews.Directory({"lee example": lee}, ["Kim Example: 2 directory entries"])

    entry = LogEntry(impressions="Fine.", referrals=[
        Referral("Lee Example"), Referral("Bo Example", "bo@example.com"),
        Referral("Lee Example")])  # fmt: skip
    target = interviews.find_target(store.read(), "ana", now)
    done = interviews.log_interview(store, target, entry, now, lookup)

    assert asked == [["Lee Example"]]  # Bo is a contact already; the repeat is dropped
    assert not done.edited and done.interview.start == now - timedelta(hours=1)
    assert done.added == ["new contact Lee Example <lee@example.com>"]
    assert done.notes == ["Kim Example: 2 directory entries"]
    state = store.read()
    lee = next(c for c in state.contacts.values() if c.name == "Lee Example")
    assert (lee.email, lee.title, lee.source) == ("lee@example.com", "Data Engineer",
                                                  Source.REFERRAL)  # fmt: skip
    assert state.contacts[target.contact.id].status == Status.INTERVIEWED


def test_a_contact_removed_meanwhile_logs_nothing(store: Store, now: datetime) -> None:
    ana = _campaign(store, now)
    target = interviews.find_target(store.read(), "ana", now)
    with store.transaction() as state:
        del state.contacts[ana.id]
    before = on_disk(store)
    with pytest.raises(OutreachError, match="removed meanwhile"):
        interviews.log_interview(store, target, LogEntry(impressions="Fine."), now)
    assert on_disk(store) == before
