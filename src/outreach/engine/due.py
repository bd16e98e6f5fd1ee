"""When the rules next have something to do: the instant a quiet cycle may wait for.

Wherever a rule waits for a moment (an interview's end, a follow-up's day, the
end of a pause, a proposed time running out, tomorrow's room under the cap), the
planner asks ``Due.come(when)``: a moment that has not come is remembered, and
the earliest of them is when planning again could change anything. Until then,
and until something is written, planning the same state finds nothing new; a
cycle whose sync brings nothing and whose clock is before that moment stops
after the sync (``State.next_due``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

#: When nothing waits for a moment: only a write (or news from the mailbox) can make
#: something due.
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


class Due:
    """The earliest moment past ``now`` at which a rule's answer changes (NEVER if none);
    ``at`` is None while something waits to be done at once."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.at: datetime | None = NEVER

    def come(self, when: datetime) -> bool:
        """Return True once ``when`` has come; else remember it as a moment to plan again."""
        if when <= self.now:
            return True
        self.later(when)
        return False

    def later(self, when: datetime) -> None:
        """Plan again at ``when`` (or earlier, if something else is due first)."""
        if self.at is not None:
            self.at = min(self.at, when)

    def at_once(self) -> None:
        """Something waits to be done now (the outbox has work): the next cycle carries it
        out and plans again, whatever the moments."""
        self.at = None

    def tomorrow(self, zone: tzinfo) -> None:
        """Plan again when the user's day turns (today's send cap counts afresh)."""
        day = self.now.astimezone(zone).date() + timedelta(days=1)
        self.later(datetime.combine(day, time(0), tzinfo=zone))
