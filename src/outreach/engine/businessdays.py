"""Business days: the user's working days minus the public holidays of their country.

Follow-ups wait a number of business days, so a request sent on Friday before a
holiday Monday is not chased a day early. Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from outreach.config.settings import TimeSettings
from outreach.core.errors import UserError

if TYPE_CHECKING:
    import holidays


class BusinessDays:
    """Given the time settings, answer which dates are working days."""

    def __init__(self, time: TimeSettings) -> None:
        self.zone = ZoneInfo(time.timezone)
        self.days = frozenset(time.working_hours.days)
        self.holidays: holidays.HolidayBase | None = None
        if time.country:
            import holidays  # a second's tenth to import: only when a country is set

            try:
                self.holidays = holidays.country_holidays(time.country, subdiv=time.subdivision)
            except NotImplementedError as error:
                raise UserError(
                    "Unknown holiday calendar.",
                    [f"time.country/time.subdivision: {error}"],
                ) from None

    def is_business_day(self, day: date) -> bool:
        """Return True if ``day`` is a working day and not a public holiday."""
        if day.weekday() not in self.days:
            return False
        return self.holidays is None or day not in self.holidays

    def add(self, day: date, n: int) -> date:
        """Return the ``n``-th business day after ``day`` (``day`` itself never counts)."""
        if not self.days:
            return day + timedelta(days=n)
        current = day
        while n > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                n -= 1
        return current

    def after(self, moment: datetime, n: int) -> datetime:
        """Return the same local time of day ``n`` business days after ``moment``."""
        local = moment.astimezone(self.zone)
        day = self.add(local.date(), n)
        return datetime.combine(day, local.time(), tzinfo=self.zone)

    def today(self, now: datetime) -> date:
        """Return the user's local date at ``now``."""
        return now.astimezone(self.zone).date()
