"""One builder of a contact from a directory entry, for --lookup, referrals and the org chart."""

from __future__ import annotations

from datetime import UTC, datetime

from outreach.core.items import Person
from outreach.core.model import Source, Status, new_contact

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_a_directory_entry_fills_the_contact_on_one_line_and_given_fields_win() -> None:
    person = Person(name="Priya\nCastellan", email="priya.castellan@example.com",
                    title="Senior\tData Engineer", department="Data Platform",
                    office="Building 5,\r\nroom 512", phone="+1 555 0142",
                    manager="marcus.oyelaran@example.com")  # fmt: skip

    contact = new_contact(NOW, person, department="Platform", source=Source.ORG_CHART)

    assert (contact.name, contact.title, contact.office) == (
        "Priya Castellan", "Senior Data Engineer", "Building 5, room 512")
    assert contact.email == "priya.castellan@example.com"
    assert contact.phone == "+1 555 0142"
    assert contact.manager == "marcus.oyelaran@example.com"
    assert contact.department == "Platform"  # the caller's field wins over the directory's
    assert contact.source == Source.ORG_CHART
    assert contact.status == Status.NEW
    assert contact.created_at == contact.updated_at == contact.status_changed_at == NOW


def test_without_a_directory_entry_only_the_given_fields_count() -> None:
    contact = new_contact(NOW, name="Dana Whitlock", email="dana.whitlock@example.com")

    assert (contact.name, contact.email, contact.title, contact.manager) == (
        "Dana Whitlock", "dana.whitlock@example.com", "", "")
    assert contact.created_at == NOW
