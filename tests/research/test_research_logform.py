"""The Markdown form and the data file: round trips, history, and errors naming lines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import research_example as ex

from outreach.config.settings import SelfAssessment
from outreach.core.errors import UserError
from outreach.core.model import Contact, Fit, Interview, Referral
from outreach.research import logform

CONTACT = Contact(name="Ana Example", email="ana@example.com")


def logged() -> Interview:
    interview = Interview(contact_id=CONTACT.id, start=ex.STARTS["ana@example.com"])
    return logform.apply(interview, ex.entry_for("ana@example.com"), ex.NOW)


def test_form_round_trip_keeps_every_field() -> None:
    interview = logged()
    text = logform.render(CONTACT, interview, interview.start)
    assert "Date: 2026-03-09 10:00 Europe/Berlin" in text
    entry = logform.parse(text, ex.TZ)
    assert entry == logform.from_interview(interview)


def test_blank_form_parses_to_nothing_but_the_date() -> None:
    start = datetime(2026, 3, 9, 10, tzinfo=ex.TZ)
    text = logform.render(CONTACT, None, start, SelfAssessment(skills=("writing", "SQL")))
    assert "<!-- your skills: writing, SQL -->" in text
    entry = logform.parse(text, ex.TZ)
    assert entry == logform.LogEntry(start=start)


def test_malformed_form_names_each_bad_line() -> None:
    text = logform.render(CONTACT, logged(), ex.NOW).splitlines()
    text[2] = "Date: next tuesday"
    fit_at = text.index("- skills: 3")
    text[fit_at] = "- skills: 7 - too good"
    text.insert(fit_at + 1, "- charm: 4")
    text.append("- Gil Example <not-an-address> - may use name: yes")
    text.append("## Gossip")
    with pytest.raises(UserError) as caught:
        logform.parse("\n".join(text), ex.TZ, source="/tmp/log.md")
    problems = caught.value.problems
    assert problems[0].startswith("/tmp/log.md line 3: 'next tuesday' is not a date")
    assert problems[1] == f"/tmp/log.md line {fit_at + 1}: skills: score '7' should be 1 to 5"
    assert problems[2].startswith(f"/tmp/log.md line {fit_at + 2}: unknown fit area 'charm'")
    assert "'not-an-address' is not an email address" in problems[3]
    assert "unknown heading '## Gossip'" in problems[4]
    assert len(problems) == 5


def test_dates_take_a_zone_name_an_offset_or_the_default() -> None:
    assert logform.parse_date("2026-03-09 10:00", ex.TZ).utcoffset() == timedelta(hours=1)
    assert logform.parse_date("2026-03-09 10:00 UTC", ex.TZ).utcoffset() == timedelta(0)
    moment = logform.parse_date("2026-07-09 10:00 America/New_York", ex.TZ)
    assert moment.utcoffset() == timedelta(hours=-4)
    assert logform.parse_date("2026-03-09T10:00-05:00", ex.TZ).utcoffset() == timedelta(hours=-5)
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
        logform.parse_date("2026-03-09 10:00 Mars/Base", ex.TZ)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Gil Example <gil@example.com> - may use name: yes",
            Referral("Gil Example", "gil@example.com", True),
        ),
        ("- Hal Example", Referral("Hal Example")),
        ("Ivy Example (may use my name: no)", Referral("Ivy Example")),
        ("Jo Example <jo@example.com>", Referral("Jo Example", "jo@example.com")),
    ],
)
def test_referral_lines(line: str, expected: Referral) -> None:
    assert logform.parse_referral(line) == expected


def test_data_file_accepts_short_and_long_forms() -> None:
    data = {
        "date": "2026-03-10 14:00",
        "impressions": "Busy.",
        "answers": {"training": "On-the-job training."},
        "environment": "Quiet.",
        "fit": {"interests": 5, "skills": "2 - need more SQL", "working style": {"score": 3}},
        "referrals": ["Hal Example", {"name": "Gil Example", "email": "gil@example.com",
                                      "may_use_name": True}],
    }
    entry = logform.parse_data(data, ex.TZ, "ben.yaml")
    assert entry.start == datetime(2026, 3, 10, 14, tzinfo=ex.TZ)
    assert entry.answers == {"training": "On-the-job training.", "environment": "Quiet."}
    assert entry.fit == {"interests": Fit(5), "skills": Fit(2, "need more SQL"),
                         "working_style": Fit(3)}
    assert entry.referrals == [Referral("Hal Example"),
                               Referral("Gil Example", "gil@example.com", True)]


def test_data_file_errors_name_the_keys() -> None:
    with pytest.raises(UserError) as caught:
        logform.parse_data({"mood": "x", "answers": {"hobbies": "x"}, "fit": {"skills": 0}},
                           ex.TZ, "ben.yaml")
    assert caught.value.problems == [
        "ben.yaml: unknown key 'mood'",
        "ben.yaml: answers.hobbies: unknown category "
        "(qualifications, training, job, environment, referrals)",
        "ben.yaml: fit.skills: skills: score 0 should be 1 to 5",
    ]
    with pytest.raises(UserError, match="expected a mapping"):
        logform.parse_data(["a list"], ex.TZ, "ben.yaml")


def test_editing_keeps_the_previous_version_in_history() -> None:
    first = logged()
    assert first.history == [] and first.status == "held" and first.logged_at == ex.NOW
    first.referrals[0].contact_id = "c-gil"
    later = ex.NOW + timedelta(days=1)
    entry = logform.from_interview(first)
    entry.impressions = "On reflection: very precise."
    entry.referrals = [Referral("Gil Example", "gil@example.com", True)]
    second = logform.apply(first, entry, later)
    assert second.impressions == "On reflection: very precise."
    assert second.referrals[0].contact_id == "c-gil"  # link kept across the edit
    assert len(second.history) == 1
    old = second.history[0]
    assert old["impressions"] == ex.IMPRESSIONS["ana@example.com"]
    assert old["replaced_at"] == later.isoformat()
    assert old["logged_at"] == ex.NOW.isoformat()
    third = logform.apply(second, entry, later + timedelta(hours=1))
    assert [h["replaced_at"] for h in third.history] == [
        later.isoformat(), (later + timedelta(hours=1)).isoformat()]
    assert Interview.from_dict(third.to_dict()) == third
