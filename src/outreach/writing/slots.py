"""Find concrete interview times to propose: free, in working hours, on different days.

Pure: the busy times and the clock come in as arguments. Candidates sit on a
half-hour grid of the user's local wall clock, so daylight-saving changes move
them with the clock as a person would expect; lengths and buffers are measured
in real (UTC) time. When the contact's time zone is known the slot must also
fall inside the same working hours on the contact's own clock.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.config.settings import Settings, TimeSettings, WorkingHours
from outreach.core.errors import OutreachError, UserError
from outreach.core.model import Slot

#: Minutes between candidate start times.
GRID_MINUTES = 30

#: Preferred times of day, used in turn so the proposals vary (morning, afternoon...).
PREFERRED = (time(10, 0), time(14, 0), time(11, 0), time(15, 0))


class NoSlots(OutreachError):
    """No time fits; ``reason`` says why in a sentence the user can act on."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Interval:
    """Anything with a start and an end (``mailbox.base.Busy`` and ``Slot`` fit too)."""

    start: datetime
    end: datetime


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``. Raise UserError if it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as problem:
        raise UserError(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Berlin."
        ) from problem


def public_holidays(time_settings: TimeSettings) -> Container[date]:
    """Given the user's time settings, return their public holidays (empty without a country).

    Raise UserError naming the country or subdivision when the holidays package
    does not know it.
    """
    if not time_settings.country:
        return frozenset()
    try:
        return _country_holidays(time_settings.country, time_settings.subdivision)
    except NotImplementedError as problem:
        if time_settings.subdivision and time_settings.country.upper() in _countries():
            raise UserError(
                f"time.subdivision: {time_settings.country} has no subdivision "
                f"{time_settings.subdivision!r}; use one of "
                f"{', '.join(_countries()[time_settings.country.upper()]) or 'none'}."
            ) from problem
        raise UserError(
            f"time.country: no public holidays known for {time_settings.country!r}; use an "
            "ISO 3166 code such as DE (in capitals)."
        ) from problem


@lru_cache(maxsize=8)
def _country_holidays(country: str, subdivision: str | None) -> Container[date]:
    """One holiday calendar per country, kept: a batch of emails asks once per email."""
    import holidays  # local: only needed when a country is configured

    return holidays.country_holidays(country, subdiv=subdivision)


def _countries() -> dict[str, list[str]]:
    """Return the holiday countries the holidays package knows, with their subdivisions."""
    import holidays

    return {code: list(subdivisions) for code, subdivisions in
            holidays.list_supported_countries().items()}


def _as_day(value: date | datetime, tz: ZoneInfo) -> date:
    if isinstance(value, datetime):
        return value.astimezone(tz).date()
    return value


def _local(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """Return ``day at`` on the wall clock of ``tz``, or None if that time does not exist."""
    moment = datetime.combine(day, at, tzinfo=tz)
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None  # skipped by a daylight-saving jump
    return moment


def _overlaps(start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in busy)


Spans = dict[date, list[tuple[datetime, datetime]]]


def _by_day(spans: list[tuple[datetime, datetime]], tz: ZoneInfo) -> Spans:
    """File each busy span under every day of ``tz``'s calendar it touches.

    A candidate lies inside one working day, so it is checked against that day's
    spans only, not against every time taken in a batch of a thousand emails.
    """
    days: Spans = {}
    for start, end in spans:
        day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
        while day <= last:
            days.setdefault(day, []).append((start, end))
            day += timedelta(days=1)
    return days


def _within_hours(start: datetime, end: datetime, hours: WorkingHours, tz: ZoneInfo) -> bool:
    """True if [start, end) lies inside working hours on one working day of ``tz``'s clock."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.weekday() not in hours.days or local_start.date() != local_end.date():
        return False
    return hours.start <= local_start.time() and local_end.time() <= hours.end


def _normalize(busy: Iterable[Interval] | None, pad: timedelta) -> list[tuple[datetime, datetime]]:
    spans = []
    for item in busy or ():
        if item.start.tzinfo is None or item.end.tzinfo is None:
            raise ValueError("busy times must be time-zone aware")
        spans.append((item.start - pad, item.end + pad))
    return spans


def find_slots(
    busy: Iterable[Interval],
    hours: WorkingHours,
    tz: str,
    minutes: int,
    buffer_minutes: int,
    earliest: date | datetime,
    latest: date | datetime,
    holidays: Container[date],
    count: int,
    now: datetime,
    contact_busy: Iterable[Interval] | None = None,
    contact_tz: str | None = None,
    full: set[date] | None = None,
    filed: Spans | None = None,
) -> list[Slot]:
    """Given busy times, working hours and a window, return up to ``count`` free slots.

    Slots are ``minutes`` long, at least ``buffer_minutes`` away from anything
    busy (the user's and, when given, the contact's), inside working hours in
    ``tz`` (and in ``contact_tz`` when known), not on a holiday or weekend,
    never starting before ``now``, between the days ``earliest`` and ``latest``
    (inclusive, on the user's calendar), at most one per day. Same input, same
    answer. Fewer than ``count`` come back when fewer days have room.
    ``full``: days known to have no room (skipped), and where days found without any
    are added; only for searches whose busy times only grow, as in one batch.
    ``filed``: more busy times, already padded and filed by day (``file_by_day``), so
    a batch does not file everything it offered again for every email.
    Raise NoSlots with the reason when none fit.
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    if minutes <= 0 or count <= 0:
        raise ValueError("minutes and count must be positive")
    user_tz = zone(tz)
    other_tz = zone(contact_tz) if contact_tz else None
    first, last = _as_day(earliest, user_tz), _as_day(latest, user_tz)
    length, pad = timedelta(minutes=minutes), timedelta(minutes=max(buffer_minutes, 0))
    blocked = _by_day(_normalize(busy, pad) + _normalize(contact_busy, pad), user_tz)
    if first > last:
        raise NoSlots(f"The window is empty: it starts {first} but ends {last}.")

    tally = {"working_days": 0, "holidays": 0, "candidates": 0, "past": 0, "busy": 0, "contact": 0}
    found: list[Slot] = []
    day = first
    while day <= last and len(found) < count:
        if day.weekday() not in hours.days:
            day += timedelta(days=1)
            continue
        if day in holidays:
            tally["holidays"] += 1
            day += timedelta(days=1)
            continue
        tally["working_days"] += 1
        if full is not None and day in full:
            day += timedelta(days=1)
            continue
        spans = blocked.get(day, []) + (filed.get(day, []) if filed else [])
        free = _free_on(day, hours, user_tz, other_tz, length, spans, now, tally)
        if not free and full is not None:
            full.add(day)
        if free:
            target = PREFERRED[len(found) % len(PREFERRED)]
            best = min(free, key=lambda s: (_distance(s, target, user_tz), s))
            found.append(
                Slot(start=best.astimezone(user_tz), end=(best + length).astimezone(user_tz))
            )
        day += timedelta(days=1)
    if not found:
        raise NoSlots(_reason(first, last, tally, other_tz))
    return found


def _free_on(
    day: date,
    hours: WorkingHours,
    tz: ZoneInfo,
    other_tz: ZoneInfo | None,
    length: timedelta,
    blocked: list[tuple[datetime, datetime]],
    now: datetime,
    tally: dict[str, int],
) -> list[datetime]:
    """Return the free candidate starts (UTC) on one working day of the user."""
    free = []
    step = timedelta(minutes=GRID_MINUTES)
    wall = datetime.combine(day, hours.start)
    while wall.time() >= hours.start and wall.date() == day:
        local = _local(day, wall.time(), tz)
        wall += step
        if local is None:
            continue
        start = local.astimezone(UTC)
        end = start + length
        if not _within_hours(start, end, hours, tz):
            continue
        tally["candidates"] += 1
        if start < now:
            tally["past"] += 1
        elif _overlaps(start, end, blocked):
            tally["busy"] += 1
        elif other_tz is not None and not _within_hours(start, end, hours, other_tz):
            tally["contact"] += 1
        else:
            free.append(start)
    return free


def _distance(start: datetime, target: time, tz: ZoneInfo) -> int:
    local = start.astimezone(tz)
    return abs((local.hour * 60 + local.minute) - (target.hour * 60 + target.minute))


def _reason(first: date, last: date, tally: dict[str, int], other_tz: ZoneInfo | None) -> str:
    window = f"between {first.isoformat()} and {last.isoformat()}"
    if tally["working_days"] == 0:
        extra = f" ({tally['holidays']} public holiday(s))" if tally["holidays"] else ""
        return f"No working day {window}{extra}; widen the window or check working_hours.days."
    if tally["candidates"] == 0:
        return f"The interview does not fit inside working hours on any day {window}."
    if (
        tally["contact"]
        and not tally["busy"]
        and tally["contact"] + tally["past"] == tally["candidates"]
    ):
        return (
            f"Your working hours and the contact's ({other_tz}) do not overlap {window}; "
            "propose a time by hand."
        )
    if tally["past"] == tally["candidates"]:
        return f"Every working hour {window} is already in the past."
    return (
        f"No free time {window}: {tally['busy']} of {tally['candidates']} possible times are "
        "busy (buffer included)"
        + (
            f", {tally['contact']} outside the contact's hours ({other_tz})"
            if tally["contact"]
            else ""
        )
        + "; widen the window or free some time."
    )


def propose(
    settings: Settings,
    now: datetime,
    busy: Iterable[Interval] = (),
    contact_busy: Iterable[Interval] | None = None,
    contact_tz: str | None = None,
    full: set[date] | None = None,
    filed: Spans | None = None,
) -> list[Slot]:
    """Find slots from the user's settings: the window counted in days from ``now``'s date.

    Raise NoSlots when none fit, UserError for an unknown zone or country.
    """
    ts, sched = settings.time, settings.scheduling
    today = now.astimezone(zone(ts.timezone)).date()
    return find_slots(
        busy,
        ts.working_hours,
        ts.timezone,
        sched.interview_minutes,
        sched.buffer_minutes,
        today + timedelta(days=sched.earliest_days),
        today + timedelta(days=sched.latest_days),
        public_holidays(ts),
        sched.slots,
        now,
        contact_busy=contact_busy,
        contact_tz=contact_tz,
        full=full,
        filed=filed,
    )


def file_by_day(busy: Iterable[Interval], settings: Settings, into: Spans | None = None) -> Spans:
    """File busy times, padded by the buffer, under the user's days (``find_slots``'s
    ``filed``); ``into`` adds them to spans filed before."""
    pad = timedelta(minutes=max(settings.scheduling.buffer_minutes, 0))
    spans = into if into is not None else {}
    for day, found in _by_day(_normalize(busy, pad), zone(settings.time.timezone)).items():
        spans.setdefault(day, []).extend(found)
    return spans


class Full(NoSlots):
    """Free times there are, but every one is proposed to another contact or agreed."""


class Batch:
    """Slots for emails drafted together: never a time already offered to someone else.

    ``offered`` are the times out with contacts who may still pick them (and those
    agreed); each email's times join them, so the next one gets others. When none is
    left the email waits (``Full``) rather than offering a time twice. Once a contact
    time zone has no room for a contact whose calendar is not known, it stays so for
    the rest of the batch (more offered times only block more), so a batch of a
    thousand emails searches a full window once per zone; so does a day, so each email
    looks only at the days that may still have room.
    """

    def __init__(
        self, settings: Settings, now: datetime, mine: list[Interval],
        offered: list[Interval] | None = None,
    ) -> None:  # fmt: skip
        self.settings, self.now, self.mine = settings, now, list(mine)
        self.taken: list[Interval] = list(offered or ())
        self._filed = file_by_day(self.mine + self.taken, settings)  # grows with each email
        self._none: dict[str | None, NoSlots] = {}  # zones with no room left
        self._full: dict[str | None, set[date]] = {}  # days with no room, by contact zone

    def propose(self, theirs: list[Interval] | None, contact_tz: str | None) -> list[Slot]:
        """Return the slots for one email, and remember them as taken.

        Raise ``Full`` when every free time is offered already, NoSlots when none is free.
        """
        if theirs is None and contact_tz in self._none:
            raise self._none[contact_tz]
        full = self._full.setdefault(contact_tz, set())
        try:
            found = propose(self.settings, self.now, (), theirs, contact_tz=contact_tz,
                            full=full if theirs is None else set(full), filed=self._filed)
        except NoSlots:
            problem = self._why(theirs, contact_tz)
            if theirs is None:
                self._none[contact_tz] = problem
            raise problem from None
        offered = [Interval(s.start, s.end) for s in found]
        self.taken.extend(offered)
        file_by_day(offered, self.settings, into=self._filed)
        return found

    def _why(self, theirs: list[Interval] | None, contact_tz: str | None) -> NoSlots:
        """Tell a window full of offered times from one with no free time at all (asked
        afresh, so the reason counts every day, not only those that may have had room)."""
        try:
            propose(self.settings, self.now, self.mine, theirs, contact_tz=contact_tz)
        except NoSlots as alone:
            return alone  # no free time even with nothing offered: say why as for one email
        today = self.now.astimezone(zone(self.settings.time.timezone)).date()
        last = today + timedelta(days=self.settings.scheduling.latest_days)
        return Full(f"every free time until {last.isoformat()} (scheduling.latest_days) is "
                    "proposed to another contact or agreed")  # fmt: skip
