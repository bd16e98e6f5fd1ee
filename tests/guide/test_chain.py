"""The chain of command: after a logged interview, `status` suggests the interviewee's manager."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from outreach.core.model import Contact, Interview, State, Status
from outreach.research.overview import chain_of_command
from worlds import START, InProcess


def _interviewed(state: State, contact: Contact) -> None:
    state.contacts[contact.id] = contact
    interview = Interview(contact_id=contact.id, start=START, status="held",
                          logged_at=START + timedelta(hours=1))  # fmt: skip
    state.interviews[interview.id] = interview


def test_the_manager_is_suggested_only_after_a_logged_interview_and_until_a_contact() -> None:
    state = State()
    priya = Contact(name="Priya Castellan", email="priya@example.com", manager="m@example.com",
                    manager_name="Marcus Oyelaran", status=Status.INTERVIEWED)  # fmt: skip
    state.contacts[priya.id] = priya
    assert chain_of_command(state) == []  # not interviewed yet
    _interviewed(state, priya)
    [item] = chain_of_command(state)
    assert item.contact_id == priya.id
    assert "their manager Marcus Oyelaran <m@example.com> is not a contact yet" in item.text
    assert "`outreach contacts orgchart priya@example.com --up 1 --down 0 --add-all`" in item.text
    assert chain_of_command(state, own="M@example.com") == []  # you are their manager
    marcus = Contact(name="Marcus Oyelaran", email="m@example.com")
    state.contacts[marcus.id] = marcus
    assert chain_of_command(state) == []


def test_after_logging_status_suggests_the_manager_and_orgchart_takes_it(world: InProcess) -> None:
    world.add("Priya Castellan", "priya.castellan@example.com")
    logged = world.run("log", "priya", "--impressions", "Small team, lots of ownership.",
                       "--advice", "Learn dbt.")  # fmt: skip
    assert logged.exit_code == 0, logged.output
    priya = world.contact("priya.castellan@example.com")
    assert priya.manager == "marcus.oyelaran@example.com"  # asked once, when logging
    status = world.run("status")
    assert status.exit_code == 0, status.output
    said = " ".join(status.output.split())
    assert ("interviewed: their manager Marcus Oyelaran <marcus.oyelaran@example.com> is not a "
            "contact yet; the guide suggests the direct supervisor next") in said  # fmt: skip

    took = world.run("contacts", "orgchart", "priya", "--up", "1", "--down", "0", "--add-all")
    assert took.exit_code == 0, took.output
    marcus = world.contact("marcus.oyelaran@example.com")
    assert marcus.research_notes == "From the org chart: manager of Priya Castellan."
    assert "their manager" not in world.run("status").output


def test_status_reaches_no_mailbox_library(world: InProcess) -> None:
    world.add("Priya Castellan", "priya.castellan@example.com",
              manager="marcus.oyelaran@example.com")  # fmt: skip
    assert world.run("log", "priya", "--impressions", "Good.", "--no-lookup").exit_code == 0
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "outreach", "--config", str(world.config_path),
         "status"], capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "their manager marcus.oyelaran@example.com is not a contact yet" in " ".join(
        done.stdout.split()
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert "outreach" in imported and not imported & {"exchangelib", "httpx", "msal"}


def test_a_contact_added_from_the_directory_keeps_its_manager(world: InProcess) -> None:
    added = world.run("contacts", "add", "--lookup", "Kenji", "--area", "data engineering")
    assert added.exit_code == 0, added.output
    kenji = world.contact("kenji.halvorsen@example.com")
    assert kenji.manager == "marcus.oyelaran@example.com" and kenji.title == "Data Engineer"
