"""Find the return date in an out-of-office text (English, German, French, Spanish, Dutch,
Italian, Portuguese).

Exchange answers each sender only once per absence, so the date in that one
auto-reply is all the product will ever learn; this module reads it. Pure: the
time the auto-reply arrived is passed in and anchors "Monday" and year-less dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from outreach.core.calendarwords import MONTHS, WEAK_WEEKDAYS, WEEKDAYS, fold

#: words after which the date that follows is the return (or last absent) day
_CUES = re.compile(
    r"\b(?:until|till|til|through|thru|back(?! to you)|return\w*|in the office|"
    r"bis|zuruck|wieder|ab dem|ab|"
    r"jusqu\w*|retour|de retour|"
    r"hasta|regres\w*|de vuelta|volver\w*|vuelvo|"
    r"tot en met|t/m|tot|terug|vanaf|weer|"
    r"fino al\w*|fino a|rientr\w*|di ritorno|ritorn\w*|tornero|torno|dal|a partire da\w*|"
    r"ate|regress\w*|de volta|volto|voltarei|retorn\w*|a partir d\w*)\b"
)
#: days from now that "tomorrow", "the day after tomorrow" and "next week" name, by language
_RELATIVE = re.compile(
    r"\b(?P<two>day after tomorrow|ubermorgen|apres-? ?demain|pasado manana|overmorgen|"
    r"dopodomani|depois de amanha)\b"
    r"|\b(?P<one>tomorrow|(?<!guten )(?<!am )(?<!den )morgen|demain|(?<!la )manana|domani|"
    r"amanha)\b"
    r"|\b(?P<week>next week|(?:nachste|nachsten|kommende|kommenden) woche|semaine prochaine|"
    r"(?:proxima|la proxima) semana|semana que (?:viene|vem)|volgende week|"
    r"prossima settimana|settimana prossima)\b"
)
#: cues after which the named day is still a day away (the person is back the day after)
_INCLUSIVE = re.compile(r"\b(?:through|thru|inclusive|einschlie\w*|inclus\w*|tot en met|t/m)\b")

_MONTH = r"(?P<month>[a-z]{3,10})\.?"
_DAY = r"(?<![\d.])(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|\.|º|°)?"
_YEAR = r"(?:,?\s*(?P<year>(?:19|20)\d\d))?"
_PATTERNS = (
    # 2026-12-04
    re.compile(r"\b(?P<year>20\d\d)-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)\b"),
    # 04.12.2026 / 04.12. / 4/12/2026 / 12/7 / 4-12-2026
    re.compile(
        r"(?<![\d.:/])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[01]?\d)"
        r"(?:(?P=sep)(?P<year>(?:20)?\d\d))?(?![\d:/]|\.\d)"
    ),
    # 3 December (2026), 3rd of December, 4. Dezember, 4 de diciembre
    re.compile(
        _DAY
        + r"\s*(?:of\s+|de\s+)?"
        + _MONTH
        + r"(?:\s+(?:de(?:l)?\s+)?"
        + r"(?P<year>(?:19|20)\d\d))?"
    ),
    # December 3rd(, 2026)
    re.compile(_MONTH + r"\s+" + _DAY + r"\b" + _YEAR),
)
_WEEKDAY = re.compile(r"\b(?P<weekday>[a-z]{2,10})\b")
#: an absence note names its date in the first lines; beyond this comes quoted mail, and
#: date matching is quadratic in the number of dates (a bulk mail can hold thousands)
SCAN_CHARS = 4000


def _english(text: str) -> bool:
    words = set(re.findall(r"[a-z]+", text))
    english = {"the", "i", "will", "be", "am", "until", "back", "office", "and", "to", "my", "you"}
    english |= {"with", "returning", "away", "for", "of", "access", "email", "leave"}
    return len(words & english) >= 2


def _year_for(month: int, day: int, anchor: date) -> date | None:
    """The first such day not long before ``anchor`` (a return date is not in the past)."""
    for year in (anchor.year, anchor.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= anchor - timedelta(days=7):
            return candidate
    return None


def _make(year: int | None, month: int, day: int, anchor: date) -> date | None:
    if year is None:
        return _year_for(month, day, anchor)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_before(text: str, start: int) -> int | None:
    """The weekday named just before a date ("Monday 12/7"), used to settle d/m against m/d."""
    window = text[max(0, start - 14) : start]
    for match in _WEEKDAY.finditer(window):
        word = match.group("weekday")
        if word in WEEKDAYS and word not in WEAK_WEEKDAYS:
            return WEEKDAYS[word]
    return None


def _numeric(match: re.Match[str], text: str, anchor: date) -> date | None:
    a, b = int(match.group("a")), int(match.group("b"))
    year = int(match.group("year")) if match.group("year") else None
    if match.group("sep") == "-" and year is None:
        return None  # "1-4" is a range of days, not a date
    options = [d for d in (_make(year, b, a, anchor), _make(year, a, b, anchor)) if d]
    if match.group("sep") == "." or not _english(text):
        options = options[:1]  # day first everywhere but in English
    weekday = _weekday_before(text, match.start())
    if weekday is not None:
        options = [d for d in options if d.weekday() == weekday] or options
    future = [d for d in options if d >= anchor - timedelta(days=7)]
    return min(future or options, default=None, key=lambda d: abs((d - anchor).days))


def _dates(text: str, anchor: date) -> list[tuple[int, int, date]]:
    """Every date in the text as (start, end, date), left to right, without overlaps."""
    found: list[tuple[int, int, date]] = []
    taken: list[range] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in r or match.end() - 1 in r for r in taken):
                continue
            groups = match.groupdict()
            if "a" in groups:
                value = _numeric(match, text, anchor)
            else:
                month = groups["month"]
                number = int(month) if month.isdigit() else MONTHS.get(month)
                if number is None or not 1 <= number <= 12:
                    continue
                year = int(groups["year"]) if groups.get("year") else None
                value = _make(year, number, int(groups["day"]), anchor)
            if value is not None:
                found.append((match.start(), match.end(), value))
                taken.append(range(match.start(), match.end()))
    return sorted(found)


def _next_weekday(weekday: int, anchor: date) -> date:
    return anchor + timedelta(days=(weekday - anchor.weekday() - 1) % 7 + 1)


def _relative(window: str, anchor: date) -> date | None:
    """The day "tomorrow", "the day after tomorrow" or "next week" (its Monday) names."""
    match = _RELATIVE.search(window)
    if match is None:
        return None
    if match.group("week"):
        return _next_weekday(0, anchor + timedelta(days=1) if anchor.weekday() == 6 else anchor)
    return anchor + timedelta(days=2 if match.group("two") else 1)


def return_date(text: str, received: datetime, tz: tzinfo | None = None) -> datetime | None:
    """Given an auto-reply's text and when it arrived, return when the sender is back.

    The result is the start of that day in ``tz`` (default: the time zone of
    ``received``), or None when the text names no usable date. Dates are looked for
    right after a cue ("back on", "until", "bis zum", "jusqu'au", "hasta el", "tot");
    failing that, the latest date mentioned that is not in the past is taken. Only the
    first ``SCAN_CHARS`` characters are read.
    """
    folded = fold(text[:SCAN_CHARS])
    anchor = received.date()
    zone = tz or received.tzinfo
    dates = [
        d
        for d in _dates(folded, anchor)
        if anchor - timedelta(days=7) <= d[2] <= anchor + timedelta(days=400)
    ]
    chosen: date | None = None
    inclusive = False
    for cue in _CUES.finditer(folded):
        following = [d for d in dates if 0 <= d[0] - cue.end() <= 40]
        if following:
            chosen = following[0][2]
            near = folded[max(0, cue.start() - 20) : following[0][1] + 12]
            inclusive = bool(_INCLUSIVE.search(near))
            break
        window = folded[cue.end() : cue.end() + 25]
        weekday = next(
            (
                WEEKDAYS[w.group("weekday")]
                for w in _WEEKDAY.finditer(window)
                if w.group("weekday") in WEEKDAYS and w.group("weekday") not in WEAK_WEEKDAYS
            ),
            None,
        )
        if weekday is not None:
            chosen = _next_weekday(weekday, anchor)
            inclusive = bool(_INCLUSIVE.search(folded[max(0, cue.start() - 20) : cue.end() + 25]))
            break
        chosen = _relative(window, anchor) or _relative(
            folded[max(0, cue.start() - 15) : cue.start()], anchor
        )
        if chosen is not None:
            break
    if chosen is None and dates:
        future = [d[2] for d in dates if d[2] >= anchor]
        chosen = max(future) if future else None
    if chosen is None:
        return None
    if inclusive:
        chosen += timedelta(days=1)
    return datetime.combine(chosen, time(0, 0), tzinfo=zone)
