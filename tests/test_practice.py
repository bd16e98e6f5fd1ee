"""A practice run with your own contacts: the starter config, your colleagues, the other side.

A new user runs `init`, imports their own people (colleagues in their own domain
and someone outside it), and `run --once` drafts for every one of them on the
practice server beside the store. The other side is then played with
`outreach sandbox ...`, no environment variable and no server started by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from outreach.cli.main import cli
from outreach.core.model import Status
from outreach.store.db import Store

PEOPLE = """name,email,title,department
Robin Roe,robin.roe@mycorp.example,Data Engineer,Platform
Kim Lee,kim.lee@mycorp.example,Product Manager,Payments
Sam Sample,sam@othercorp.example,Analyst,
"""


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("OUTREACH_SANDBOX_URL", raising=False)
    config = tmp_path / "config.yaml"
    done = outreach(config, "init", "--name", "Alex Example", "--email", "alex@mycorp.example",
                    "--store", str(tmp_path / "data" / "store.json"))
    assert "Wrote a starter config" in done.output
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert "Imported 3 contacts" in outreach(config, "contacts", "import", str(people)).output
    return config


def outreach(config: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def statuses(config: Path) -> dict[str, Status]:
    store = Store(config.parent / "data" / "store.json")
    return {c.name: c.status for c in store.read().contacts.values()}


def test_own_colleagues_get_drafts_and_the_other_side_plays_along(starter: Path) -> None:
    outreach(starter, "run", "--once")
    shown = json.loads(outreach(starter, "sandbox", "inspect").output)
    assert sorted(d["to"][0] for d in shown["drafts"]) == [
        "kim.lee@mycorp.example", "robin.roe@mycorp.example", "sam@othercorp.example"]
    assert set(statuses(starter).values()) == {Status.DRAFTED}
    by_to = {d["to"][0]: d["id"] for d in shown["drafts"]}
    for address in by_to.values():  # the user presses Send on each draft, as in Outlook
        outreach(starter, "sandbox", "send-draft", "--id", address)
    sent = {i["to"][0]: i["id"]
            for i in json.loads(outreach(starter, "sandbox", "inspect").output)["sentitems"]}
    outreach(starter, "sandbox", "reply", "--id", sent["robin.roe@mycorp.example"], "--body",
             "Happy to. Thursday at 10 works.")
    outreach(starter, "sandbox", "auto-reply", "--id", sent["kim.lee@mycorp.example"],
             "--message", "I am out of the office until 2026-12-20.")
    outreach(starter, "sandbox", "bounce", "--id", sent["sam@othercorp.example"])
    outreach(starter, "run", "--once")
    now = statuses(starter)
    # the reply names a time: replied, or already scheduling when that time is in the offer
    assert now.pop("Robin Roe") in (Status.REPLIED, Status.SCHEDULING)
    assert now == {"Kim Lee": Status.PAUSED, "Sam Sample": Status.BOUNCED}


def test_the_controls_say_what_to_do_before_any_practice_mailbox_exists(starter: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(starter), "sandbox", "send-draft",
                                      "--subject", "x"])
    assert result.exit_code == 1
    assert result.output.startswith("outreach: No sandbox answers at http://127.0.0.1:8642")
    assert "outreach run --once" in result.output
