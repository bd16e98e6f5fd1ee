"""Enough data? The research file per area: how many interviews, what the latest one added."""

from __future__ import annotations

from datetime import timedelta

from outreach.core.model import Contact, Interview, State
from outreach.research import report, researchfile
from worlds import START, InProcess


def _state() -> State:
    state = State()
    said = [
        ("Ana", "data engineering", "SQL every day; on-call rotation.", 0),
        ("Ben", "data engineering", "SQL and Python; on-call rotation is fair.", 1),
        ("Cy", "data engineering", "SQL again; streaming pipelines and cost budgets.", 2),
        ("Di", "design", "User interviews every week.", 3),
    ]
    for name, area, text, day in said:
        contact = Contact(name=name, email=f"{name.lower()}@example.com", area=area)
        state.contacts[contact.id] = contact
        interview = Interview(contact_id=contact.id, start=START + timedelta(days=day),
                              impressions=text, logged_at=START + timedelta(days=day))  # fmt: skip
        state.interviews[interview.id] = interview
    return state


def test_coverage_counts_per_area_and_lists_only_what_the_latest_added() -> None:
    state = _state()
    found = researchfile.coverage(state, ["Data engineering", "design", "product"], 3)
    engineering, design, product = found
    assert (engineering.interviews, engineering.latest, engineering.enough) == (3, "Cy", True)
    assert engineering.new == ("streaming pipeline", "cost budget")
    assert "sql" not in engineering.new and "on-call rotation" not in engineering.new
    assert (design.interviews, design.new, design.enough) == (1, (), False)
    assert (product.interviews, product.latest, product.latest_date) == (0, "", None)


def test_the_report_says_which_areas_need_more(world: InProcess) -> None:
    state = _state()
    with world.store.transaction() as stored:
        stored.contacts.update(state.contacts)
        stored.interviews.update(state.interviews)
    world.configure(research={"min_interviews": 2})
    world.clock.set(START + timedelta(days=5))
    result = world.run("report")
    assert result.exit_code == 0, result.output
    text = result.output.split("## Enough data?")[1]
    assert "| data engineering | 3 | Cy, 2026-12-02 | streaming pipeline, cost budget |" in text
    assert "| design | 1 | Di, 2026-12-03 | (the first interview) |" in text
    assert ("Fewer than 2 interviews: design (1). Continue until you have gathered enough data "
            "to clarify your options.") in text  # fmt: skip
    as_csv = world.run("report", "--format", "csv", "--table", "coverage").output
    assert "data engineering,3,Cy,2026-12-02T09:00:00-05:00,streaming pipeline; cost budget,yes" \
        in as_csv

    built = researchfile.build(state, [], START + timedelta(days=5), "design", min_interviews=3)
    assert [c.area for c in built.coverage] == ["design"] and built.thin == built.coverage
    assert "design (1)" in report.html(built)
