"""The slot finder: free, inside working hours, on different days, across DST and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from outreach.config.settings import Paths, Scheduling, Settings, TimeSettings, User, WorkingHours
from outreach.core.errors import UserError
from outreach.core.model import Slot
from outreach.writing.slots import Interval, NoSlots, find_slots, propose, public_holidays

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOURS = WorkingHours()  # 09:00-17:00, Monday to Friday


def _find(**overrides):
    args = {
        "busy": [],
        "hours": HOURS,
        "tz": "Europe/Berlin",
        "minutes": 30,
        "buffer_minutes": 15,
        "earliest": date(2026, 10, 21),
        "latest": date(2026, 11, 6),
        "holidays": frozenset(),
        "count": 3,
        "now": datetime(2026, 10, 19, 8, 0, tzinfo=BERLIN),
    }
    args.update(overrides)
    return find_slots(**args)


def _assert_sane(slots: list[Slot], tz: ZoneInfo, minutes: int = 30) -> None:
    days = [s.start.astimezone(tz).date() for s in slots]
    assert len(set(days)) == len(days), "one slot per day"
    for slot in slots:
        assert slot.end - slot.start == timedelta(minutes=minutes)
        local_start, local_end = slot.start.astimezone(tz), slot.end.astimezone(tz)
        assert local_start.weekday() < 5
        assert time(9) <= local_start.time() and local_end.time() <= time(17)


def test_three_slots_on_different_days_with_varied_times():
    slots = _find()
    assert len(slots) == 3
    _assert_sane(slots, BERLIN)
    assert [s.start.astimezone(BERLIN).hour for s in slots] == [10, 14, 11]
    assert slots[0].start.date() == date(2026, 10, 21)


def test_deterministic():
    busy = [
        Interval(
            datetime(2026, 10, 21, 9, tzinfo=BERLIN), datetime(2026, 10, 21, 12, tzinfo=BERLIN)
        )
    ]
    assert _find(busy=busy) == _find(busy=list(busy))


def test_never_in_the_past():
    now = datetime(2026, 10, 21, 15, 10, tzinfo=BERLIN)
    slots = _find(earliest=date(2026, 10, 21), now=now)
    assert all(s.start >= now for s in slots)
    assert slots[0].start == datetime(2026, 10, 21, 15, 30, tzinfo=BERLIN)


def test_busy_and_buffer_are_respected():
    day = date(2026, 10, 21)
    busy = [
        Interval(
            datetime(2026, 10, 21, 9, tzinfo=BERLIN), datetime(2026, 10, 21, 10, 30, tzinfo=BERLIN)
        ),
        Interval(
            datetime(2026, 10, 21, 11, 15, tzinfo=BERLIN), datetime(2026, 10, 21, 16, tzinfo=BERLIN)
        ),
    ]
    slots = _find(busy=busy, earliest=day, latest=day, count=1)
    # 10:30 + 15 min buffer -> 11:00 start would end 11:30, within 15 min of 11:15: not free.
    # 16:00 + 15 min -> first grid start 16:30.
    assert slots == [
        Slot(
            datetime(2026, 10, 21, 16, 30, tzinfo=BERLIN), datetime(2026, 10, 21, 17, tzinfo=BERLIN)
        )
    ]


def test_full_calendar_raises_with_reason():
    busy = [Interval(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))]
    with pytest.raises(NoSlots) as caught:
        _find(busy=busy)
    assert "busy" in caught.value.reason
    assert "2026-10-21" in caught.value.reason


def test_fewer_days_than_asked_gives_fewer_slots():
    slots = _find(earliest=date(2026, 10, 22), latest=date(2026, 10, 23), count=3)
    assert len(slots) == 2


def test_weekend_only_window_says_so():
    with pytest.raises(NoSlots, match="No working day"):
        _find(earliest=date(2026, 10, 24), latest=date(2026, 10, 25))


def test_public_holiday_is_skipped():
    # 3 October is German Unity Day; in 2025 it is a Friday.
    german = holidays.country_holidays("DE", subdiv="BE")
    slots = _find(
        earliest=date(2025, 10, 2),
        latest=date(2025, 10, 8),
        holidays=german,
        now=datetime(2025, 9, 30, tzinfo=BERLIN),
    )
    days = [s.start.date() for s in slots]
    assert date(2025, 10, 3) not in days
    assert days == [date(2025, 10, 2), date(2025, 10, 6), date(2025, 10, 7)]


def test_only_holidays_in_window_says_so():
    with pytest.raises(NoSlots, match="public holiday"):
        _find(
            earliest=date(2025, 12, 25),
            latest=date(2025, 12, 26),
            holidays=holidays.country_holidays("DE"),
            now=datetime(2025, 12, 1, tzinfo=BERLIN),
        )


def test_dst_end_in_berlin_keeps_wall_clock_and_length():
    # Clocks go back on Sunday 25 October 2026: 10:00 is 08:00Z before, 09:00Z after.
    slots = _find(earliest=date(2026, 10, 23), latest=date(2026, 10, 27), count=2)
    assert [s.start.astimezone(BERLIN).hour for s in slots] == [10, 14]
    assert slots[0].start.astimezone(UTC).hour == 8  # Friday, CEST
    assert slots[1].start.astimezone(UTC).hour == 13  # Monday, CET
    _assert_sane(slots, BERLIN)


def test_dst_start_in_new_york():
    # Clocks go forward on Sunday 8 March 2026.
    slots = find_slots(
        [], HOURS, "America/New_York", 45, 0, date(2026, 3, 6), date(2026, 3, 10), (), 3,
        datetime(2026, 3, 1, tzinfo=NEW_YORK),
    )  # fmt: skip
    assert [s.start.astimezone(NEW_YORK).hour for s in slots] == [10, 14, 11]
    assert [s.start.astimezone(UTC).hour for s in slots] == [15, 18, 15]
    _assert_sane(slots, NEW_YORK, minutes=45)


def test_contact_in_another_zone_inside_both_working_hours():
    # Berlin user, New York contact. Before 25 October the gap is 6 hours (NY 09:00 =
    # Berlin 15:00); in the week after it is 5 hours (US clocks change on 1 November).
    slots = _find(
        earliest=date(2026, 10, 23),
        latest=date(2026, 10, 27),
        count=2,
        contact_tz="America/New_York",
    )
    assert [s.start.astimezone(BERLIN).time() for s in slots] == [time(15), time(14)]
    for slot in slots:
        local = slot.start.astimezone(NEW_YORK)
        assert time(9) <= local.time() and slot.end.astimezone(NEW_YORK).time() <= time(17)


def test_contact_busy_is_avoided():
    day = date(2026, 10, 21)
    contact_busy = [
        Interval(
            datetime(2026, 10, 21, 9, tzinfo=BERLIN), datetime(2026, 10, 21, 16, tzinfo=BERLIN)
        )
    ]
    slots = _find(earliest=day, latest=day, count=1, contact_busy=contact_busy)
    assert slots[0].start == datetime(2026, 10, 21, 16, 30, tzinfo=BERLIN)


def test_no_overlap_with_contact_hours_says_so():
    with pytest.raises(NoSlots, match="do not overlap"):
        _find(contact_tz="Pacific/Auckland", earliest=date(2026, 10, 21), latest=date(2026, 10, 23))


def test_bad_zone_and_naive_times_are_refused():
    with pytest.raises(UserError, match="Mars/Olympus"):
        _find(tz="Mars/Olympus")
    with pytest.raises(ValueError, match="aware"):
        _find(now=datetime(2026, 10, 19, 8, 0))


def berlin(folder: Path, latest_days: int) -> Settings:
    """Settings of a user in Berlin, with its public holidays, offering 3 times from
    tomorrow to ``latest_days`` ahead."""
    return Settings(
        user=User(name="Sam Sample", email="sam@example.com"),
        paths=Paths(store=folder / "store.json"),
        time=TimeSettings(timezone="Europe/Berlin", country="DE", subdivision="BE"),
        scheduling=Scheduling(earliest_days=1, latest_days=latest_days, slots=3),
    )


def test_propose_reads_settings_and_holidays(tmp_path: Path):
    settings = berlin(tmp_path, latest_days=7)
    # Thursday 2 October 2025; Friday 3 October is a holiday.
    slots = propose(settings, datetime(2025, 10, 2, 9, tzinfo=BERLIN))
    assert [s.start.date() for s in slots] == [
        date(2025, 10, 6),
        date(2025, 10, 7),
        date(2025, 10, 8),
    ]


def test_unknown_country_is_a_user_error():
    with pytest.raises(UserError, match=r"time\.country"):
        public_holidays(TimeSettings(country="XX"))


def _one_by_one(settings: Settings, now: datetime, mine: list[Interval],
                asks: list[tuple[list[Interval] | None, str | None]]) -> list[object]:
    """What a batch must answer: each email searched afresh against everything offered
    before it; when that finds nothing it waits, and says why: every free time offered
    already when there would be one alone, else why there is none."""
    taken: list[Interval] = []
    answers: list[object] = []
    for theirs, zone_name in asks:
        try:
            found = propose(settings, now, mine + taken, theirs, contact_tz=zone_name)
        except NoSlots:
            try:
                propose(settings, now, mine, theirs, contact_tz=zone_name)
            except NoSlots as none:
                answers.append(none.reason)
            else:
                answers.append("full")
        else:
            taken.extend(Interval(s.start, s.end) for s in found)
            answers.append(found)
    return answers


def test_a_batch_never_offers_a_time_twice_and_waits_when_the_window_is_full(tmp_path: Path):
    from outreach.writing.slots import Batch, Full

    settings = berlin(tmp_path, latest_days=9)
    now = datetime(2026, 10, 19, 8, 0, tzinfo=BERLIN)
    mine = [Interval(datetime(2026, 10, 21, 9, tzinfo=BERLIN),
                     datetime(2026, 10, 21, 16, tzinfo=BERLIN))]
    # an internal contact busy late one evening until the next morning (across midnight)
    night = [Interval(datetime(2026, 10, 22, 20, tzinfo=BERLIN),
                      datetime(2026, 10, 23, 11, tzinfo=BERLIN))]
    asks = [(None, None), (night, None), (None, "America/New_York"),
            (None, "Pacific/Kiritimati")] * 15
    batch = Batch(settings, now, mine)
    got: list[object] = []
    for theirs, zone_name in asks:
        try:
            got.append(batch.propose(theirs, zone_name))
        except Full:
            got.append("full")
        except NoSlots as none:
            got.append(none.reason)
    assert got == _one_by_one(settings, now, mine, asks)
    assert "full" in got  # sixty emails fill this window: the rest wait
    offered = [s for answer in got if isinstance(answer, list) for s in answer]
    assert all(not (a.start < b.end and b.start < a.end)
               for n, a in enumerate(offered) for b in offered[n + 1:])  # never offered twice
    assert all(isinstance(g, str) for g in got[3::4])  # no working hour in common: a reason
    spread = [g for g in got[:12:4] if isinstance(g, list)]
    assert len({s.start for answer in spread for s in answer}) == 3 * len(spread)
    for answer in got[1::4]:  # never inside the contact's night-to-morning
        if answer == "full":
            continue
        assert isinstance(answer, list)
        assert all(not (night[0].start < s.end and s.start < night[0].end) for s in answer)
