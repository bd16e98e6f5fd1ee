"""A few Windows time zones, as GetServerTimeZones returns them (exchangelib needs this)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .xml import Element, el, sub

# id -> (display name, IANA zone, std bias min, dst bias min, (month, week, hour) to DST, to STD)
ZONES: dict[str, tuple[str, str, int, int | None, tuple[int, int, int], tuple[int, int, int]]] = {
    "UTC": ("(UTC) Coordinated Universal Time", "UTC", 0, None, (0, 0, 0), (0, 0, 0)),
    "GMT Standard Time": (
        "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
        "Europe/London",
        0,
        -60,
        (3, -1, 1),
        (10, -1, 2),
    ),
    "W. Europe Standard Time": (
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
        "Europe/Berlin",
        -60,
        -120,
        (3, -1, 2),
        (10, -1, 3),
    ),
    "Eastern Standard Time": (
        "(UTC-05:00) Eastern Time (US & Canada)",
        "America/New_York",
        300,
        240,
        (3, 2, 2),
        (11, 1, 2),
    ),
    "Central Standard Time": (
        "(UTC-06:00) Central Time (US & Canada)",
        "America/Chicago",
        360,
        300,
        (3, 2, 2),
        (11, 1, 2),
    ),
    "Pacific Standard Time": (
        "(UTC-08:00) Pacific Time (US & Canada)",
        "America/Los_Angeles",
        480,
        420,
        (3, 2, 2),
        (11, 1, 2),
    ),
}


def duration(minutes: int) -> str:
    """xs:duration for a bias in minutes (negative allowed)."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}PT{h}H{m}M" if m else f"{sign}PT{h}H"


def zone_info(ms_id: str | None) -> ZoneInfo:
    """The IANA zone for a Windows id the sandbox knows (UTC otherwise)."""
    return ZoneInfo(ZONES.get(ms_id or "UTC", ZONES["UTC"])[1])


def definition(ms_id: str) -> Element:
    """t:TimeZoneDefinition with periods and recurring transitions."""
    name, _, std, dst, to_dst, to_std = ZONES[ms_id]
    node = el("t:TimeZoneDefinition", attrs={"Id": ms_id, "Name": name})
    rule = f"trule:Microsoft/Registry/{ms_id}/2006"
    periods = sub(node, "t:Periods")
    sub(
        periods,
        "t:Period",
        attrs={"Bias": duration(std), "Name": "Standard", "Id": f"{rule}-Standard"},
    )
    if dst is not None:
        sub(
            periods,
            "t:Period",
            attrs={"Bias": duration(dst), "Name": "Daylight", "Id": f"{rule}-Daylight"},
        )
    group = sub(sub(node, "t:TransitionsGroups"), "t:TransitionsGroup", attrs={"Id": "0"})
    if dst is None:
        t = sub(group, "t:Transition")
        sub(t, "t:To", f"{rule}-Standard", {"Kind": "Period"})
    else:
        for (month, week, hour), period in ((to_dst, "Daylight"), (to_std, "Standard")):
            t = sub(group, "t:RecurringDayTransition")
            sub(t, "t:To", f"{rule}-{period}", {"Kind": "Period"})
            sub(t, "t:TimeOffset", f"PT{hour}H")
            sub(t, "t:Month", month)
            sub(t, "t:DayOfWeek", "Sunday")
            sub(t, "t:Occurrence", week)
    trans = sub(sub(node, "t:Transitions"), "t:Transition")
    sub(trans, "t:To", "0", {"Kind": "Group"})
    return node
