"""Graph's dateTimeTimeZone in the zone a client prefers (`Prefer: outlook.timezone`)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..timezones import ZONES


def zone(name: str | None) -> ZoneInfo:
    """A Windows zone name (as Outlook spells them) or an IANA name; UTC if unknown."""
    if not name:
        return ZoneInfo("UTC")
    if name in ZONES:
        return ZoneInfo(ZONES[name].iana)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def known(name: str) -> bool:
    return name in ZONES or zone(name).key != "UTC" or name.upper() == "UTC"


def dtz(value: datetime, tz_name: str | None) -> dict[str, str]:
    """{"dateTime": local time with seven fraction digits, "timeZone": name} as Graph writes."""
    local = value.astimezone(zone(tz_name)).replace(tzinfo=None)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": tz_name or "UTC"}


def parse_dtz(data: object) -> datetime:
    """The instant a dateTimeTimeZone names; ValueError if it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("dateTime"), str):
        raise ValueError("a dateTimeTimeZone needs dateTime and timeZone")
    return parse_local(data["dateTime"], data.get("timeZone"))


def parse_local(text: str, tz_name: str | None) -> datetime:
    """ISO 8601 text, read in tz_name when it carries no offset."""
    text = text.strip().replace("Z", "+00:00")
    if "." in text:  # Graph writes seven fraction digits; Python reads at most six
        head, _, tail = text.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        rest = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{rest}"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return value.astimezone(UTC)


def iso(value: datetime) -> str:
    """Edm.DateTimeOffset as Graph writes it: UTC with a Z."""
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
