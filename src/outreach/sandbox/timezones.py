"""A few Windows time zones, as GetServerTimeZones returns them (exchangelib needs this)."""

from __future__ import annotations

from typing import NamedTuple
from zoneinfo import ZoneInfo

from .xml import Element, el, sub

Rule = tuple[tuple[int, int, int], tuple[int, int, int]]


class Zone(NamedTuple):
    """A Windows time zone: display name, IANA zone, standard bias (minutes behind UTC) and
    its daylight-saving rule, the (month, week, hour) of the change to daylight time and
    back (week -1: the last); daylight time is an hour ahead."""

    name: str
    iana: str
    bias: int
    rule: Rule | None = None


#: the United States' rule: the second Sunday in March to the first Sunday in November
US: Rule = ((3, 2, 2), (11, 1, 2))

ZONES: dict[str, Zone] = {
    "UTC": Zone("(UTC) Coordinated Universal Time", "UTC", 0),
    "GMT Standard Time": Zone(
        "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
        "Europe/London",
        0,
        ((3, -1, 1), (10, -1, 2)),
    ),
    "W. Europe Standard Time": Zone(
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
        "Europe/Berlin",
        -60,
        ((3, -1, 2), (10, -1, 3)),
    ),
    "Eastern Standard Time": Zone(
        "(UTC-05:00) Eastern Time (US & Canada)", "America/New_York", 300, US
    ),
    "Central Standard Time": Zone(
        "(UTC-06:00) Central Time (US & Canada)", "America/Chicago", 360, US
    ),
    "Pacific Standard Time": Zone(
        "(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles", 480, US
    ),
}


def duration(minutes: int) -> str:
    """xs:duration for a bias in minutes (negative allowed)."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}PT{h}H{m}M" if m else f"{sign}PT{h}H"


def zone_info(ms_id: str | None) -> ZoneInfo:
    """The IANA zone for a Windows id the sandbox knows (UTC otherwise)."""
    return ZoneInfo(ZONES.get(ms_id or "UTC", ZONES["UTC"]).iana)


def definition(ms_id: str) -> Element:
    """t:TimeZoneDefinition with periods and recurring transitions."""
    name, _, std, daylight = ZONES[ms_id]
    node = el("t:TimeZoneDefinition", attrs={"Id": ms_id, "Name": name})
    rule = f"trule:Microsoft/Registry/{ms_id}/2006"
    periods = sub(node, "t:Periods")
    sub(
        periods,
        "t:Period",
        attrs={"Bias": duration(std), "Name": "Standard", "Id": f"{rule}-Standard"},
    )
    if daylight is not None:
        sub(
            periods,
            "t:Period",
            attrs={"Bias": duration(std - 60), "Name": "Daylight", "Id": f"{rule}-Daylight"},
        )
    group = sub(sub(node, "t:TransitionsGroups"), "t:TransitionsGroup", attrs={"Id": "0"})
    if daylight is None:
        t = sub(group, "t:Transition")
        sub(t, "t:To", f"{rule}-Standard", {"Kind": "Period"})
    else:
        for (month, week, hour), period in zip(daylight, ("Daylight", "Standard"), strict=True):
            t = sub(group, "t:RecurringDayTransition")
            sub(t, "t:To", f"{rule}-{period}", {"Kind": "Period"})
            sub(t, "t:TimeOffset", f"PT{hour}H")
            sub(t, "t:Month", month)
            sub(t, "t:DayOfWeek", "Sunday")
            sub(t, "t:Occurrence", week)
    trans = sub(sub(node, "t:Transitions"), "t:Transition")
    sub(trans, "t:To", "0", {"Kind": "Group"})
    return node
