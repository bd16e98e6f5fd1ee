"""The org chart around a person: managers above, peers beside, reports below.

The guide's "Organizational Charts ... to determine appropriate manager(s)
responsible for job function(s)", and "interview all the managers in the chain
of command". ``walk`` builds the chart from a lookup callable (one directory
entry by address, ``Mailbox.person``), so it does no I/O of its own and is
tested with a dict; ``add`` turns chosen members into contacts; ``around`` is
the one place that opens the directory for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outreach.config.settings import Settings
from outreach.core.errors import UserError
from outreach.core.items import Person
from outreach.core.model import Contact, Source, State, new_contact

#: Given an address, return its directory entry (with manager and reports) or None.
Lookup = Callable[[str], Person | None]


@dataclass(frozen=True)
class Member:
    """Someone on the chart and how they relate to its center.

    ``level`` is negative above the center (-1 their manager), positive below it
    (1 a direct report) and 0 for a peer; ``via`` is the address they hang from.
    """

    person: Person
    level: int
    relation: str
    via: str = ""


@dataclass(frozen=True)
class Chart:
    center: Person
    members: tuple[Member, ...]  # managers nearest first, then peers, then reports by depth

    @property
    def manager(self) -> Member | None:
        return next((m for m in self.members if m.level == -1), None)

    def name_of(self, address: str) -> str:
        """The name of whoever on the chart has ``address``, or ""."""
        wanted = address.lower()
        people = [self.center, *(m.person for m in self.members)]
        return next((p.name for p in people if p.email.lower() == wanted and wanted), "")


def _ordinal_up(name: str, level: int) -> str:
    if level == 1:
        return f"manager of {name}"
    return f"{level} levels above {name} in the chain of command"


def walk(
    lookup: Lookup, email: str, up: int = 1, down: int = 1, peers: bool = False
) -> Chart | None:
    """Given a lookup and an address, return the chart ``up`` levels above and ``down`` below.

    Peers are the manager's other direct reports. Every address is looked up at
    most once and nobody appears twice (a directory with a loop still ends).
    Return None when the directory does not know ``email``.
    """
    if up < 0 or down < 0:
        raise ValueError("up and down must not be negative")
    cache: dict[str, Person | None] = {}

    def get(address: str) -> Person | None:
        key = address.strip().lower()
        if key not in cache:
            cache[key] = lookup(key)
        return cache[key]

    center = get(email)
    if center is None:
        return None
    seen = {center.email.lower()}
    members: list[Member] = []
    name = center.name

    chain, below = center, center.email
    for level in range(1, up + 1):
        if not chain.manager or chain.manager.lower() in seen:
            break
        boss = get(chain.manager)
        if boss is None:
            break
        seen.add(boss.email.lower())
        members.append(Member(boss, -level, _ordinal_up(name, level), via=below))
        chain, below = boss, boss.email

    if peers and center.manager:
        boss = get(center.manager)
        for address in boss.reports if boss else ():
            if address.lower() in seen:
                continue
            peer = get(address)
            if peer is not None:
                seen.add(peer.email.lower())
                members.append(
                    Member(peer, 0, f"peer of {name} (both report to {boss.name})", via=boss.email)
                )

    layer = [center]
    for level in range(1, down + 1):
        nxt = []
        for parent in layer:
            for address in parent.reports:
                if address.lower() in seen:
                    continue
                person = get(address)
                if person is None:
                    continue
                seen.add(person.email.lower())
                relation = (
                    f"direct report of {name}"
                    if level == 1
                    else f"in the team of {name}, {level} levels down (reports to {parent.name})"
                )
                members.append(Member(person, level, relation, via=parent.email))
                nxt.append(person)
        layer = nxt
    return Chart(center, tuple(members))


def choose(chart: Chart, names: Sequence[str]) -> list[Member]:
    """Return the members ``names`` point to (a name, its start, or an address).

    Raise UserError naming each one that matches nobody or several.
    """
    chosen: list[Member] = []
    problems = []
    for wanted in names:
        text = wanted.strip().casefold()
        exact = [
            m for m in chart.members
            if text in (m.person.name.casefold(), m.person.email.casefold())
        ]  # fmt: skip
        found = exact or [
            m
            for m in chart.members
            if m.person.name.casefold().startswith(text)
            or any(part.startswith(text) for part in m.person.name.casefold().split())
        ]
        if len(found) == 1:
            if found[0] not in chosen:
                chosen.append(found[0])
        elif not found:
            problems.append(f"--add {wanted!r}: nobody on this chart is called that")
        else:
            listed = ", ".join(m.person.name for m in found)
            problems.append(f"--add {wanted!r}: matches {listed}; be more specific")
    if problems:
        known = ", ".join(m.person.name for m in chart.members) or "nobody"
        raise UserError("Some --add names are not on the chart:", [*problems, f"on it: {known}"])
    return chosen


def view(chart: Chart, known: dict[str, Contact]) -> dict[str, Any]:
    """Return the chart as the prep sheet's ``chart``: {manager, peers, reports} as plain dicts."""

    def person(member: Member) -> dict[str, str]:
        p, contact = member.person, known.get(member.person.email.lower())
        return {"name": p.name, "title": p.title, "department": p.department,
                "office": p.office, "email": p.email,
                "contact_status": contact.status.value if contact else ""}  # fmt: skip

    boss = chart.manager
    return {
        "manager": person(boss) if boss else None,
        "peers": [person(m) for m in chart.members if m.level == 0],
        "reports": [person(m) for m in chart.members if m.level == 1],
    }


def by_email(state: State) -> dict[str, Contact]:
    """Return the contacts by lower-cased address (who on a chart is already a contact)."""
    return {c.email.lower(): c for c in state.contacts.values() if c.email}


def add(
    state: State,
    chart: Chart,
    chosen: Iterable[Member],
    ref: Contact | None,
    now: datetime,
    own: str = "",
) -> list[Contact]:
    """Make the chosen members contacts (source org chart) with a note of their relation.

    Members already contacts, and the user (``own`` address), are left out. The new
    ones take the center's organization and area, and their own manager, so the
    chain of command can be suggested later. Return the contacts added.
    """
    known = by_email(state)
    added = []
    for member in chosen:
        person = member.person
        if person.email.lower() in known or person.email.lower() == own.lower():
            continue
        contact = new_contact(
            now,
            person,
            organization=ref.organization if ref else "",
            area=ref.area if ref else "",
            source=Source.ORG_CHART,
            research_notes=f"From the org chart: {member.relation}.",
            internal=True,
            manager_name=chart.name_of(person.manager),
        )
        state.contacts[contact.id] = contact
        known[contact.email.lower()] = contact
        state.note(
            now,
            "added",
            contact.id,
            f"Added from the org chart: {member.relation}.",
            {"source": Source.ORG_CHART.value, "relation": member.relation,
             "center": chart.center.email},
        )  # fmt: skip
        added.append(contact)
    return added


def remember_manager(contact: Contact, person: Person, manager: Person | None) -> bool:
    """Keep what the directory says of ``contact``'s manager on it; return True if it changed.

    ``status`` suggests the manager after an interview without asking the mailbox.
    """
    address = person.manager.lower()
    name = manager.name if manager is not None else contact.manager_name
    if (contact.manager, contact.manager_name) == (address, name if address else ""):
        return False
    contact.manager, contact.manager_name = address, name if address else ""
    return True


def around(settings: Settings, who: str, up: int, down: int, peers: bool) -> Chart | None:
    """Return the org chart around ``who`` (an address, else a name to look up) from the
    user's directory, or None when the directory does not know them. Raise UserError when a name
    matches several people."""
    from outreach import app

    mailbox = app.open_mailbox(settings)
    try:
        address = who
        if "@" not in who:
            found = mailbox.lookup(who)
            if len(found) > 1:
                raise UserError(f"'{who}' matches {len(found)} people in the directory; be "
                                "more specific:", [f"{p.name} <{p.email}>" for p in found[:10]])
            if not found:
                return None
            address = found[0].email
        return walk(mailbox.person, address, up=up, down=down, peers=peers)
    finally:
        mailbox.close()
