"""The org chart around a contact: walked from a directory, shown, and turned into contacts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from outreach.core.errors import UserError
from outreach.core.items import Person
from outreach.core.model import Contact, Source, State, Status
from outreach.research import orgchart
from storehelp import on_disk  # tests/ is on the path
from worlds import InProcess


def _directory(*people: Person) -> dict[str, Person]:
    return {p.email: p for p in people}


BOSS = Person("Ann Top", "ann@example.com", reports=("bo@example.com", "cy@example.com"))
MID = Person("Bo Mid", "bo@example.com", manager="ann@example.com", reports=("di@example.com",))
PEER = Person("Cy Side", "cy@example.com", manager="ann@example.com")
LOW = Person("Di Low", "di@example.com", manager="bo@example.com", reports=("ed@example.com",))
LOWEST = Person("Ed Least", "ed@example.com", manager="di@example.com")
PEOPLE = _directory(BOSS, MID, PEER, LOW, LOWEST)


def test_walk_is_a_function_of_the_lookup_and_asks_each_address_once() -> None:
    asked: list[str] = []

    def lookup(address: str) -> Person | None:
        asked.append(address)
        return PEOPLE.get(address)

    chart = orgchart.walk(lookup, "DI@example.com", up=3, down=3, peers=True)
    assert chart is not None and chart.center is LOW
    assert [(m.person.name, m.level) for m in chart.members] == [
        ("Bo Mid", -1), ("Ann Top", -2), ("Ed Least", 1),
    ]  # fmt: skip  # Di's manager Bo has no other report: no peers
    assert chart.members[1].relation == "2 levels above Di Low in the chain of command"
    assert len(asked) == len(set(asked))
    assert orgchart.walk(lookup, "nobody@example.com") is None


def test_peers_and_reports_two_levels_down() -> None:
    chart = orgchart.walk(PEOPLE.get, "bo@example.com", up=0, down=2, peers=True)
    assert chart is not None
    assert [(m.person.name, m.level, m.relation) for m in chart.members] == [
        ("Cy Side", 0, "peer of Bo Mid (both report to Ann Top)"),
        ("Di Low", 1, "direct report of Bo Mid"),
        ("Ed Least", 2, "in the team of Bo Mid, 2 levels down (reports to Di Low)"),
    ]


def test_a_directory_with_a_loop_still_ends() -> None:
    a = Person("A", "a@example.com", manager="b@example.com", reports=("b@example.com",))
    b = Person("B", "b@example.com", manager="a@example.com", reports=("a@example.com",))
    chart = orgchart.walk(_directory(a, b).get, "a@example.com", up=5, down=5, peers=True)
    assert chart is not None and [m.person.name for m in chart.members] == ["B"]


def test_choose_names_each_problem() -> None:
    chart = orgchart.walk(PEOPLE.get, "ann@example.com", down=2)
    assert chart is not None
    assert [m.person.name for m in orgchart.choose(chart, ["di", "Bo Mid"])] == ["Di Low", "Bo Mid"]
    with pytest.raises(UserError) as bad:
        orgchart.choose(chart, ["zed"])
    assert "--add 'zed': nobody on this chart is called that" in bad.value.problems


def test_add_notes_the_relation_and_never_adds_the_user_or_a_contact_twice() -> None:
    state = State()
    ref = Contact(name="Di Low", email="di@example.com", organization="Example Corp", area="x")
    known = Contact(name="Ed Least", email="ed@example.com")
    state.contacts.update({ref.id: ref, known.id: known})
    chart = orgchart.walk(PEOPLE.get, "di@example.com", up=2, down=1)
    assert chart is not None
    now = datetime(2026, 12, 1, tzinfo=UTC)
    added = orgchart.add(state, chart, chart.members, ref, now, own="ann@example.com")
    assert [c.name for c in added] == ["Bo Mid"]
    bo = added[0]
    assert bo.source is Source.ORG_CHART and bo.research_notes == (
        "From the org chart: manager of Di Low."
    )
    assert (bo.manager, bo.manager_name) == ("ann@example.com", "Ann Top")
    assert bo.organization == "Example Corp" and bo.area == "x" and bo.internal
    assert [e.text for e in state.events] == ["Added from the org chart: manager of Di Low."]


# -- against the sandbox -------------------------------------------------------------------


def test_orgchart_three_levels_deep_shows_who_is_a_contact(world: InProcess) -> None:
    world.add("Priya Castellan", "priya.castellan@example.com")
    kenji = world.add("Kenji Halvorsen", "kenji.halvorsen@example.com")
    result = world.run("contacts", "orgchart", "morgan.achebe@example.com", "--down", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Org chart around Morgan Achebe <morgan.achebe@example.com>, "
                               "Chief Operating Officer, Executive Office")  # fmt: skip
    rows = {line.split("  ")[0].strip(): line for line in lines[2:] if line.startswith("down")}
    assert "down 3" in rows and "Sam Okafor" in rows["down 3"]
    kenji_row = next(line for line in lines if "Kenji Halvorsen" in line)
    assert "down 2" in kenji_row and f"new ({kenji.id})" in kenji_row
    robin_row = next(line for line in lines if "Robin Vale" in line)
    assert robin_row.rstrip().endswith("you")

    data = json.loads(world.run("contacts", "orgchart", "priya", "--up", "2", "--peers",
                                "--json").output)  # fmt: skip
    assert [(m["name"], m["level"]) for m in data["members"]] == [
        ("Marcus Oyelaran", -1), ("Morgan Achebe", -2), ("Kenji Halvorsen", 0),
        ("Sam Okafor", 1),
    ]  # fmt: skip
    assert data["members"][2]["contact"] == {"id": kenji.id, "status": "new"}
    assert data["members"][0]["office"] == "Building 5, room 520"
    # the directory's word on Priya's manager is kept for the chain of command
    priya = world.contact("priya.castellan@example.com")
    assert (priya.manager, priya.manager_name) == ("marcus.oyelaran@example.com",
                                                   "Marcus Oyelaran")  # fmt: skip


def test_orgchart_add_creates_contacts_with_their_relation(world: InProcess) -> None:
    world.add("Priya Castellan", "priya.castellan@example.com", organization="Example Corp")
    result = world.run("contacts", "orgchart", "priya", "--up", "2", "--add", "Morgan",
                       "--add", "sam")  # fmt: skip
    assert result.exit_code == 0, result.output
    morgan = world.contact("morgan.achebe@example.com")
    sam = world.contact("sam.okafor@example.com")
    assert morgan.source is Source.ORG_CHART and sam.source is Source.ORG_CHART
    assert morgan.research_notes == (
        "From the org chart: 2 levels above Priya Castellan in the chain of command."
    )
    assert sam.research_notes == "From the org chart: direct report of Priya Castellan."
    assert morgan.title == "Chief Operating Officer" and morgan.organization == "Example Corp"
    assert morgan.status is Status.NEW
    assert "marcus.oyelaran@example.com" not in {c.email for c in world.state().contacts.values()}
    again = world.run("contacts", "orgchart", "priya", "--up", "2", "--add-all")
    assert again.exit_code == 0, again.output
    emails = sorted(c.email for c in world.state().contacts.values())
    assert emails == sorted(["priya.castellan@example.com", "morgan.achebe@example.com",
                             "sam.okafor@example.com", "marcus.oyelaran@example.com"])  # fmt: skip

    dana = world.run("contacts", "orgchart", "dana.whitlock@example.com", "--down", "1",
                     "--add-all")  # fmt: skip
    assert dana.exit_code == 0, dana.output
    emails = {c.email for c in world.state().contacts.values()}
    assert "lena.marchetti@example.com" in emails and "robin.vale@example.com" not in emails


def test_orgchart_of_someone_the_directory_does_not_know_is_a_sentence(world: InProcess) -> None:
    world.add("Jordan Reyes", "jordan.reyes@partner.example.net")
    before = on_disk(world.store)
    result = world.run("contacts", "orgchart", "jordan")
    assert result.exit_code == 0, result.output
    assert result.output == ("The directory does not know Jordan Reyes "
                             "<jordan.reyes@partner.example.net>: there is no org chart to "
                             "show.\n")  # fmt: skip
    assert on_disk(world.store) == before
    both = world.run("contacts", "orgchart", "jordan", "--add", "x", "--add-all")
    assert both.exit_code == 2 and "not both" in both.output


def test_orgchart_json_follows_its_schema(world: InProcess) -> None:
    from test_json_output import valid  # tests/ is on the path (rootdir-relative imports)

    world.add("Priya Castellan", "priya.castellan@example.com")
    result = world.run("contacts", "orgchart", "priya", "--up", "2", "--peers", "--json",
                       "--add", "kenji")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = valid("contacts-orgchart.json", result.output)
    assert data["version"] == 1 and len(data["added"]) == 1
