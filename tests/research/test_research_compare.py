"""The comparison, fit summary and funnel against the hand-computed example."""

from __future__ import annotations

from datetime import datetime

import pytest
import research_example as ex

from outreach.core.model import Interview, Kind, Message, MessageState, State
from outreach.research import researchfile


@pytest.fixture
def built() -> researchfile.ResearchFile:
    state, events = ex.build_state()
    return researchfile.build(state, events, ex.NOW, area=ex.AREA)


def test_terms_fold_plurals_and_keep_adjacent_phrases() -> None:
    assert researchfile.terms("Strong SQL skills; the studies of classes.") == [
        "strong", "strong sql", "sql", "sql skill", "skill", "study", "class",
    ]
    assert researchfile.terms("It is what it is, really.") == []
    assert researchfile.normalize("status") == "status"  # "-us" is no plural
    assert researchfile.normalize("analysis") == "analysis"


def test_agreements_per_category_match_the_hand_computed_ones(built) -> None:
    got = {c.key: [(a.term, list(a.people)) for a in c.agreed] for c in built.categories}
    assert got == ex.AGREED


def test_differences_per_category_match_the_hand_computed_ones(built) -> None:
    got = {c.key: [(d.person, list(d.terms)) for d in c.differed] for c in built.categories}
    assert got == ex.DIFFERED


def test_side_by_side_lists_each_person_who_answered_in_interview_order(built) -> None:
    by_key = {c.key: c for c in built.categories}
    assert [s.person for s in by_key["qualifications"].said] == [
        "Ana Example", "Ben Example", "Cy Example",
    ]
    assert [s.person for s in by_key["environment"].said] == ["Ben Example"]
    assert by_key["referrals"].said == ()
    assert by_key["advice"].said[1].text == "Learn SQL and Python."


def test_fit_scores_per_area(built) -> None:
    got = {a.key: (a.mean, a.spread) for a in built.fit}
    assert got == ex.FIT_SUMMARY
    interests = next(a for a in built.fit if a.key == "interests")
    assert interests.differs
    assert [(s.person, s.score, s.note) for s in interests.scores] == [
        ("Ana Example", 4, "likes puzzles"), ("Ben Example", 5, ""), ("Cy Example", 3, ""),
    ]


def test_funnel_from_the_events(built) -> None:
    funnel = built.funnel
    assert {"contacted": funnel.contacted, "replied": funnel.replied,
            "interviewed": funnel.interviewed, "referrals": funnel.referrals} == ex.FUNNEL
    assert funnel.reply_rate == ex.REPLY_RATE
    assert funnel.median_time_to_reply == ex.MEDIAN_REPLY
    assert funnel.mean_time_to_reply == ex.MEAN_REPLY


def test_area_filter_leaves_out_other_areas_and_no_filter_takes_them_in(built) -> None:
    assert [r.name for r in built.rows] == ["Ana Example", "Ben Example", "Cy Example"]
    state, events = ex.build_state()
    everything = researchfile.build(state, events, ex.NOW)
    assert [r.name for r in everything.rows][-1] == "Zed Example"
    quals = next(c for c in everything.categories if c.key == "qualifications")
    sql = next(a for a in quals.agreed if a.term == "sql")  # Zed said SQL without "skills"
    assert sql.people == ("Ana Example", "Ben Example", "Zed Example")
    assert everything.funnel.contacted == 6
    assert "Design" in everything.areas


def test_rows_carry_the_research_file_fields(built) -> None:
    ana = built.rows[0]
    assert ana.date == ex.STARTS["ana@example.com"]
    assert ana.referrals == ("Gil Example",)
    assert ana.mailing_address == "Ana Street 1, Example Town"
    assert ana.phone == "+49 30 1234567"
    assert ana.logged


def test_outbox_and_status_count_when_events_are_missing() -> None:
    """A contact imported without history still counts; sent requests give the times."""
    state, _ = ex.build_state()
    contacts = list(state.contacts.values())
    ana = next(c for c in contacts if c.email == "ana@example.com")
    state.messages["m1"] = Message(contact_id=ana.id, kind=Kind.REQUEST, id="m1",
                                   state=MessageState.SENT, sent_at=ex.T0)
    funnel = researchfile.funnel(state, [], area=ex.AREA)
    assert (funnel.contacted, funnel.replied, funnel.interviewed) == (5, 4, 3)
    assert funnel.times_to_reply == ()  # no reply event: time unknown, not invented


def test_two_interviews_of_one_person_are_one_voice() -> None:
    state, events = ex.build_state()
    ana = next(c for c in state.contacts.values() if c.email == "ana@example.com")
    again = Interview(contact_id=ana.id, start=datetime(2026, 3, 16, 10, tzinfo=ex.TZ),
                      status="held", answers={"job": "Building dashboards again."})
    state.interviews[again.id] = again
    built = researchfile.build(state, events, ex.NOW, area=ex.AREA)
    job = next(c for c in built.categories if c.key == "job")
    assert [a.term for a in job.agreed] == ["building dashboard"]
    assert job.agreed[0].people == ("Ana Example", "Cy Example")
    assert [s.person for s in job.said] == ["Ana Example", "Cy Example"]
    assert "again" in job.said[0].text


def test_empty_store_gives_an_empty_but_complete_file() -> None:
    built = researchfile.build(State(), [], ex.NOW)
    assert built.rows == ()
    assert [c.key for c in built.categories] == [*researchfile.CATEGORIES, "advice"]
    assert built.funnel.reply_rate is None and built.funnel.median_time_to_reply is None


def test_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        researchfile.build(State(), [], datetime(2026, 1, 1))
