"""The colleagues the sandbox knows: who they are, when they are busy, whether they are away."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from .xml import parse_dt

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass
class Busy:
    """One busy block, absolute (UTC)."""

    start: datetime
    end: datetime
    status: str = "Busy"  # Free, Tentative, Busy, OOF, WorkingElsewhere
    subject: str = ""


@dataclass
class Person:
    """A directory entry; `oof` is {'state': 'Enabled'|'Disabled', 'message': str}."""

    name: str
    email: str
    title: str = ""
    department: str = ""
    office: str = ""
    phone: str = ""
    manager: str = ""
    company: str = ""
    timezone: str = "UTC"
    work_start: str = "09:00"
    work_end: str = "17:00"
    busy: list[Busy] = field(default_factory=list)
    weekly: list[dict[str, Any]] = field(default_factory=list)
    oof: dict[str, Any] = field(default_factory=lambda: {"state": "Disabled", "message": ""})
    mailbox: bool = False

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else ""

    @property
    def last_name(self) -> str:
        return self.name.split()[-1] if " " in self.name else ""

    def busy_between(self, start: datetime, end: datetime) -> list[Busy]:
        """Absolute and weekly busy blocks overlapping [start, end), sorted."""
        out = [b for b in self.busy if b.start < end and b.end > start]
        tz = ZoneInfo(self.timezone)
        day = start.astimezone(tz).date() - timedelta(days=1)
        while datetime.combine(day, time(0), tz) < end:
            for rule in self.weekly:
                if DAYS[day.weekday()] not in [d.lower()[:3] for d in rule.get("days", DAYS[:5])]:
                    continue
                b_start = datetime.combine(day, time.fromisoformat(rule["start"]), tz)
                b_end = datetime.combine(day, time.fromisoformat(rule["end"]), tz)
                if b_start < end and b_end > start:
                    out.append(
                        Busy(b_start, b_end, rule.get("status", "Busy"), rule.get("subject", ""))
                    )
            day += timedelta(days=1)
        return sorted(out, key=lambda b: b.start)

    def oof_active(self, now: datetime) -> bool:
        state = str(self.oof.get("state", "Disabled")).lower()
        if state == "enabled":
            return True
        if state == "scheduled":
            start, end = self.oof.get("start"), self.oof.get("end")
            return bool(start and end and parse_dt(str(start)) <= now < parse_dt(str(end)))
        return False

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["busy"] = [
            {
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "status": b.status,
                "subject": b.subject,
            }
            for b in self.busy
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        data = dict(data)
        data["busy"] = [
            Busy(
                parse_dt(str(b["start"])),
                parse_dt(str(b["end"])),
                b.get("status", "Busy"),
                b.get("subject", ""),
            )
            for b in data.get("busy", [])
        ]
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(
                f"directory entry {data.get('email')!r}: unknown keys {sorted(unknown)}"
            )
        return cls(**data)


class Directory:
    """Colleagues by address, with name search for ResolveNames."""

    def __init__(self, people: list[Person]) -> None:
        self.people = {p.email.lower(): p for p in people}

    def welcome(self, people: Iterable[Person]) -> list[Person]:
        """Add the people this directory does not know yet; return them.

        A practice run with the user's own contacts: they become colleagues the
        sandbox knows (free/busy, MailTips), and a known entry is never replaced.
        """
        added = [p for p in people if p.email.lower() not in self.people]
        self.people.update((p.email.lower(), p) for p in added)
        return added

    def get(self, address: str) -> Person | None:
        return self.people.get(address.lower().removeprefix("smtp:"))

    def reports(self, address: str) -> list[Person]:
        """The people whose manager is ``address``, by name (the inverse of ``manager``)."""
        wanted = address.lower().removeprefix("smtp:")
        return sorted(
            (p for p in self.people.values() if p.manager.lower() == wanted), key=lambda p: p.name
        )

    def search(self, text: str) -> list[Person]:
        """Ambiguous-name resolution: prefix of any name part, or the address."""
        needle = text.lower().removeprefix("smtp:").strip()
        hits = []
        for p in self.people.values():
            parts = [*p.name.lower().split(), p.name.lower(), p.email, p.email.split("@")[0]]
            if any(part.startswith(needle) for part in parts):
                hits.append(p)
        return sorted(hits, key=lambda p: p.name)

    def to_list(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.people.values()]

    @classmethod
    def from_list(cls, rows: list[dict[str, Any]]) -> Directory:
        return cls([Person.from_dict(r) for r in rows])

    @classmethod
    def load(cls, path: str | Path | None = None) -> Directory:
        """Load a YAML or JSON file ({'people': [...]}); the shipped example if path is None."""
        if path is None:
            text = resources.files("outreach.sandbox").joinpath("data/directory.yaml").read_text()
        else:
            text = Path(path).read_text()
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
        return cls.from_list(data["people"])
