"""The prep sheet: the org chart around the contact and earlier interviews in their department."""

from __future__ import annotations

from datetime import timedelta

from outreach.core.model import Interview, Status
from worlds import START, InProcess


def test_prep_sheet_shows_the_org_chart_and_the_same_department(world: InProcess) -> None:
    priya = world.add("Priya Castellan", "priya.castellan@example.com",
                      department="Data Platform")  # fmt: skip
    kenji = world.add("Kenji Halvorsen", "kenji.halvorsen@example.com", area="other",
                      department="Data Platform", title="Data Engineer",
                      status=Status.INTERVIEWED)  # fmt: skip
    lena = world.add("Lena Marchetti", "lena.marchetti@example.com", department="Design",
                     status=Status.INTERVIEWED)  # fmt: skip
    with world.store.transaction() as state:
        for who, said in ((kenji, "Pairing every day."), (lena, "Design critiques.")):
            interview = Interview(contact_id=who.id, start=START - timedelta(days=2),
                                  status="held", impressions=said, advice="Read the runbooks.",
                                  logged_at=START - timedelta(days=2))  # fmt: skip
            state.interviews[interview.id] = interview
    result = world.run("prep", "priya")
    assert result.exit_code == 0, result.output
    sheet = result.output
    org = sheet.split("## Around them in the organization")[1].split("##")[0]
    assert ("- **Manager:** Marcus Oyelaran, Head of Data Platform (Data Platform), "
            "Building 5, room 520") in org  # fmt: skip
    assert ("- **Peer:** Kenji Halvorsen, Data Engineer (Data Platform), Building 5, room 514 — "
            "your contact, interviewed") in org  # fmt: skip
    assert "- **Direct report:** Sam Okafor, Junior Data Engineer" in org
    department = sheet.split("## Earlier interviews in the same department")[1].split("##")[0]
    assert "Kenji Halvorsen (Data Engineer): Pairing every day. Advice: Read the runbooks." in (
        department
    )
    assert "Lena" not in department
    assert priya.id  # the sheet is about Priya, who has no interview yet

    offline = world.run("prep", "priya", "--no-lookup")
    assert offline.exit_code == 0
    assert "Not known from the directory." in offline.output


def test_prep_for_someone_outside_the_directory_says_so(world: InProcess) -> None:
    world.add("Jordan Reyes", "jordan.reyes@partner.example.net")
    result = world.run("prep", "jordan")
    assert result.exit_code == 0, result.output
    assert "Not known from the directory." in result.output
    assert "None yet." in result.output.split("same department")[1]
