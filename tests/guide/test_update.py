"""Keeping contacts informed: `outreach update` and the keep-in-touch reminder in `status`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.core.model import Contact, Interview, Kind, MessageState, Referral, Status
from worlds import START, InProcess


def _interviewed(world: InProcess, advice: str = "Take the data modelling course.") -> Contact:
    priya = world.add("Priya Castellan", "priya.castellan@example.com",
                      status=Status.THANKED)  # fmt: skip
    tobias = world.add("Tobias Ferreira", "tobias.ferreira@example.com",
                       status=Status.INTERVIEWED, referred_by=priya.id)  # fmt: skip
    with world.store.transaction() as state:
        interview = Interview(
            contact_id=priya.id, start=START - timedelta(days=3), status="held", advice=advice,
            logged_at=START - timedelta(days=3, hours=-1),
            referrals=[Referral("Tobias Ferreira", tobias.email, True, contact_id=tobias.id)],
        )
        state.interviews[interview.id] = interview
    return priya


def _found_by_tracking(world: InProcess, tracking_id: str) -> bool:
    backend = world.open_mailbox()
    try:
        return tracking_id in backend.find_tracked([tracking_id])
    finally:
        backend.close()


def test_update_drafts_what_came_of_the_advice_tracked_in_drafts(world: InProcess) -> None:
    priya = _interviewed(world)
    dry = world.run("update", "priya", "--note", "I enrolled in the course.",
                    "--link", "https://example.com/pipelines", "--dry-run")  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert world.folder("drafts") == []
    text = dry.output
    assert "Subject: An update since we spoke about data engineering" in text
    assert "You suggested: Take the data modelling course." in text
    assert "I enrolled in the course." in text
    assert "- I met Tobias Ferreira, as you suggested." in text
    assert "which may interest you: https://example.com/pipelines" in text
    assert "{{" not in text and "(dry run; nothing was created or sent)" in text

    done = world.run("update", "priya", "--note", "I enrolled in the course.")
    assert done.exit_code == 0, done.output
    assert "Saved in Drafts." in done.output
    [draft] = world.folder("drafts")
    assert draft["to"] == ["priya.castellan@example.com"]
    assert draft["subject"] == "An update since we spoke about data engineering"
    [message] = [m for m in world.state().messages_of(priya.id) if m.kind is Kind.UPDATE]
    assert message.state is MessageState.DRAFTED and message.note == "I enrolled in the course."
    assert _found_by_tracking(world, message.id)

    again = world.run("update", "priya")
    assert again.exit_code == 2 and "already in your Drafts folder" in again.output
    assert len(world.folder("drafts")) == 1


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"status": Status.DECLINED}, "is declined"),
        ({"status": Status.BOUNCED}, "is bounced"),
        ({"do_not_contact": True}, "do-not-contact"),
    ],
)
def test_update_never_goes_to_someone_stopped(world: InProcess, change: dict, said: str) -> None:
    priya = _interviewed(world)
    with world.store.transaction() as state:
        for key, value in change.items():
            setattr(state.contacts[priya.id], key, value)
    result = world.run("update", "priya", "--note", "x")
    assert result.exit_code == 2 and said in result.output
    assert world.folder("drafts") == []


def test_update_needs_an_interview_and_a_real_link(world: InProcess) -> None:
    world.add("Dana Whitlock", "dana.whitlock@example.com")
    early = world.run("update", "dana")
    assert early.exit_code == 2 and "has not been interviewed yet" in early.output
    _interviewed(world)
    bad = world.run("update", "priya", "--link", "not a link")
    assert bad.exit_code == 2 and "is not a web address" in bad.output
    assert world.folder("drafts") == []


def test_update_is_capped_like_every_email(world: InProcess) -> None:
    priya = _interviewed(world)
    world.configure(policy={"per_contact_cap": 1})
    from outreach.core.model import Message

    with world.store.transaction() as state:
        sent = Message(contact_id=priya.id, kind=Kind.THANK_YOU, state=MessageState.SENT,
                       sent_at=START, planned_at=START)  # fmt: skip
        state.messages[sent.id] = sent
    result = world.run("update", "priya")
    assert result.exit_code == 2 and "per-contact cap" in result.output
    assert world.folder("drafts") == []


def test_keep_in_touch_reminder_after_the_configured_weeks(world: InProcess) -> None:
    priya = _interviewed(world, advice="Shadow the on-call rotation for a week.")
    world.configure(policy={"keep_in_touch_weeks": 2})
    assert "weeks since your interview" not in world.run("status").output
    world.clock.set(START + timedelta(days=11))  # two weeks after the interview
    said = " ".join(world.run("status").output.split())
    assert (f"2 weeks since your interview of {START - timedelta(days=3):%Y-%m-%d}: tell them "
            "what came of their advice and referrals (`outreach update "
            "priya.castellan@example.com`). They advised: Shadow the on-call rotation for a "
            "week.") in said  # fmt: skip
    assert world.run("update", "priya", "--note", "I did.").exit_code == 0
    assert "weeks since your interview" not in world.run("status").output
    [message] = [m for m in world.state().messages_of(priya.id) if m.kind is Kind.UPDATE]
    assert message.state is MessageState.DRAFTED

    world.configure(policy={"keep_in_touch_weeks": 0})
    with world.store.transaction() as state:
        del state.messages[message.id]
    assert "weeks since your interview" not in world.run("status").output
