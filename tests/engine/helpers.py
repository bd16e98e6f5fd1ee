"""A small world for engine tests: settings, contacts, and a stand-in for the outbox's bookkeeping.

The outbox itself is not under test here; ``World.draft`` only does what the outbox
records after creating drafts (PLANNED -> DRAFTED), so the rules can be driven by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach.config.settings import Paths, Policy, Settings, TimeSettings, User
from outreach.core import model
from outreach.core.model import Contact, Kind, Message, MessageState, Slot, State, Status
from outreach.core.observations import DraftSent, Observation, ReplyReceived
from outreach.engine import apply, apply_plan, plan

TZ = ZoneInfo("Europe/London")


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def settings(country: str | None = "GB", **policy: object) -> Settings:
    return Settings(
        user=User(name="Robin Example", email="robin@example.com"),
        paths=Paths(store=Path("/nonexistent/outreach.json")),
        time=TimeSettings(timezone="Europe/London", country=country, subdivision=None),
        policy=replace(Policy(), **policy),  # type: ignore[arg-type]
    )


def person(name: str, created: datetime | None = None, **fields: object) -> Contact:
    return Contact(
        name=name,
        email=f"{name.lower()}@example.com",
        id=name.lower(),
        created_at=created or at(11, 1),
        **fields,  # type: ignore[arg-type]
    )


def slot(start: datetime, minutes: int = 30) -> Slot:
    return Slot(start=start, end=start + timedelta(minutes=minutes))


class World:
    """A state, settings, and the moves of the user and the outbox."""

    def __init__(self, *contacts: Contact, **policy: object) -> None:
        self.state = State(contacts={c.id: c for c in contacts})
        self.settings = settings(**policy)

    def plan(self, now: datetime) -> list[Message]:
        return apply_plan(self.state, now, self.settings)

    def pure_plan(self, now: datetime) -> list:
        return plan(self.state, now, self.settings)

    def observe(self, observation: Observation, now: datetime | None = None) -> None:
        apply(self.state, observation, now or observation.at, self.settings)

    def draft(self, now: datetime, slots: list[Slot] | None = None) -> list[Message]:
        """Do what the outbox records after creating every PLANNED draft."""
        done = []
        for message in self.state.messages.values():
            if message.state == MessageState.PLANNED:
                message.state = MessageState.DRAFTED
                message.drafted_at = now
                message.item_id = f"item-{message.id}"
                if slots and message.kind in (Kind.REQUEST, Kind.FOLLOW_UP):
                    message.slots = list(slots)
                done.append(message)
        return done

    def send(self, message: Message, when: datetime) -> None:
        """The user presses Send in Outlook; the sync reports it."""
        self.observe(
            DraftSent(
                at=when,
                item_id=f"sent-{message.id}",
                tracking_id=message.id,
                internet_message_id=f"<{message.id}@example.com>",
                conversation_id=f"conv-{message.contact_id}",
            )
        )

    def reply(self, contact_id: str, when: datetime, text: str, **fields: object) -> None:
        contact = self.state.contacts[contact_id]
        self.observe(
            ReplyReceived(
                at=when,
                item_id=f"in-{contact_id}-{when.isoformat()}",
                sender=contact.email,
                subject="Re: a conversation about your work",
                body_text=text,
                internet_message_id=f"<reply-{contact_id}-{when.timestamp()}@example.com>",
                **fields,  # type: ignore[arg-type]
            )
        )

    def status(self, contact_id: str) -> Status:
        return self.state.contacts[contact_id].status

    def of(self, contact_id: str, kind: Kind) -> list[Message]:
        return [m for m in self.state.messages_of(contact_id) if m.kind == kind]


def capped_interview(per_contact_cap: int = 1) -> World:
    """Ann, interviewed on 1 December at 10:00, already sent as many emails as the cap allows."""
    world = World(person("Ann", status=Status.SCHEDULED), per_contact_cap=per_contact_cap)
    world.state.messages["old"] = Message(
        contact_id="ann", kind=Kind.REQUEST, id="old", state=MessageState.SENT, sent_at=at(11, 1)
    )
    world.state.interviews["i1"] = model.Interview(
        contact_id="ann", start=at(12, 1, 10), id="i1", status="scheduled", invite_id="inv"
    )
    return world
