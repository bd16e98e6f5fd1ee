"""Who counts as a colleague (their free/busy is asked): set by hand, else told from the address
and MailTips."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from outreach.campaign.prepare import colleague
from outreach.config.settings import Paths, Settings, User
from outreach.core.model import Contact
from outreach.core.observations import OutOfOffice

SETTINGS = Settings(
    user=User(name="Robin Example", email="robin@example.com",
              organization_domains=("Corp.Example.ORG",)),
    paths=Paths(store=Path("/nonexistent/store.json")),
)  # fmt: skip


def who(email: str, **fields: object) -> Contact:
    return Contact(name="Kim", email=email, **fields)  # type: ignore[arg-type]


def test_own_domain_and_organization_domains_are_colleagues() -> None:
    assert colleague(who("kim@example.com"), SETTINGS)
    assert colleague(who("kim@corp.example.org"), SETTINGS)
    assert not colleague(who("kim@partner.example.net"), SETTINGS)


def test_mailtips_saying_internal_makes_a_colleague() -> None:
    inside = OutOfOffice(email="kim@partner.example.net", external=False)
    outside = replace(inside, external=True)
    assert colleague(who("kim@partner.example.net"), SETTINGS, inside)
    assert not colleague(who("kim@partner.example.net"), SETTINGS, outside)


def test_what_the_user_set_wins() -> None:
    assert not colleague(who("kim@example.com", internal=False), SETTINGS)
    assert colleague(who("kim@partner.example.net", internal=True), SETTINGS)
