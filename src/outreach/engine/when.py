"""The days, dates, clock times and places in a list that a clause of a reply names.

English, German, French, Spanish and Dutch: "Thursday", "am 3.", "le 3", "el 3",
"de 3e", "3.12.", "the 3rd of December", "14:30 Uhr", "14h30", "a las 2", "om 2 uur",
"2:30 pm", "der zweite Termin", "le premier créneau", "la segunda opción", "de
laatste optie". Each thing is taken out of the clause once found, so "3.12." is a
date and never 3:12, and the "2" of "option 2" is a place and never a day.
Pure: text in, sets out; which proposed time they fit is decided in ``replies``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from outreach.core.calendarwords import FULL_WEEKDAYS, MONTHS, WEAK_MONTHS, fold

#: a place given by "last": resolved against the number of proposed times
LAST = -1


@dataclass
class When:
    """What a clause names; ``dates`` hold (day, month or None); ``times`` minutes after
    midnight (both 10:00 and 22:00 for a bare "10"); ``places`` 0-based or ``LAST``."""

    weekdays: set[int] = field(default_factory=set)
    dates: set[tuple[int, int | None]] = field(default_factory=set)
    times: set[int] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    places: set[int] = field(default_factory=set)

    @property
    def named(self) -> bool:
        """True when the clause names any day or time (a place in the list is not one)."""
        return bool(self.weekdays or self.dates or self.times or self.months)


_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_STRONG_MONTHS = "|".join(sorted(set(MONTHS) - WEAK_MONTHS, key=len, reverse=True))
_SUFFIX = r"(?:st|nd|rd|th|er|e|de|ste|\.|º|°)?"

# -- places in the proposed list ---------------------------------------------------------

_NUMBERED = re.compile(
    r"\b(?:option|slot|choice|number|no\.?|nr\.?|n°|numero|vorschlag|termin|moglichkeit|"
    r"creneau|proposition|opcion|propuesta|optie|voorstel|tijdstip)\s*#?\s*(\d)\b(?![.:]\d)"
    r"|#\s*(\d)\b"
)
_ORDINALS = {  # (words, numerals): a numeral counts only before a noun ("the 2nd option")
    0: (r"first|erste[rnms]?|premier|premiere|primer[oa]?|eerste", r"1st|1er|1re|1e"),
    1: (r"second|zweite[rnms]?|deuxieme|seconde?|segund[oa]|tweede", r"2nd|2e|2eme"),
    2: (r"third|dritte[rnms]?|troisieme|tercer[oa]?|derde", r"3rd|3e|3eme"),
    3: (r"fourth|vierte[rnms]?|quatrieme|cuart[oa]|vierde", r"4th|4e|4eme"),
    4: (r"fifth|funfte[rnms]?|cinquieme|quint[oa]|vijfde", r"5th|5e|5eme"),
    LAST: (r"last|latter|letzte[rnms]?|dernier|derniere|ultim[oa]|laatste", r"(?!)"),
}
#: an ordinal word counts after an article ("the", "der", "le", "la", "de") ...
_ARTICLE = r"(?:the|der|die|das|den|dem|le|la|el|lo|de|het)\s+"
#: ... and when no word after it makes it something else ("the first week", "la primera vez")
_NOT_A_PLACE = (
    r"(?!\s+(?:of|week|weeks|day|days|thing|things|time i|few|half|quarter|place|"
    r"woche|wochen|tag|tage|mal|halfte|quartal|stelle|linie|"
    r"semaine|semaines|jour|jours|fois|moitie|trimestre|temps|lieu|abord|"
    r"semana|semanas|dia|dias|vez|mitad|lugar|"
    r"weken|dag|dagen|keer|helft|kwartaal|plaats|plek)\b)"
)
#: ... or before a word for a proposed time ("zweiter Vorschlag", "2nd option")
_PLACE_NOUN = (
    r"(?:one|option|slot|time|suggestion|proposal|choice|termin|vorschlag|zeitpunkt|"
    r"zeitfenster|moglichkeit|creneau|proposition|horaire|choix|opcion|propuesta|hora|"
    r"fecha|horario|optie|voorstel|tijdstip|moment|tijd|datum)(?:s|en|e|n)?\b"
)
_PLACES = [
    (
        place,
        re.compile(
            rf"\b{_ARTICLE}(?:{words})\b{_NOT_A_PLACE}|\b(?:{words}|{numerals})\s+{_PLACE_NOUN}"
        ),
    )
    for place, (words, numerals) in _ORDINALS.items()
]
_FORMER = re.compile(rf"\bthe former\b{_NOT_A_PLACE}")

# -- dates -------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(
    r"(?<![\d.:/])(?P<a>0?[1-9]|[12]\d|3[01])(?P<sep>[./])(?P<b>0?[1-9]|1[0-2])"
    r"(?:(?P=sep)(?P<y>(?:20)?\d\d))?"
    r"(?P<dot>\.)?(?![\d:])"
)
_NAMED_DATE = re.compile(
    rf"\b(?P<day>[0-3]?\d){_SUFFIX}\s*(?:of\s+|de\s+)?(?P<month>{_MONTH_NAMES})\b\.?"
    rf"|\b(?P<month2>{_MONTH_NAMES})\.?\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\b(?![:.]\d)"
)
#: a day of the month alone: "the 3rd", "am 3.", "le 3", "le 1er", "el 3", "el día 3", "de 3e"
_DAY_ALONE = re.compile(
    r"\bthe\s+(?P<en>[0-3]?\d)(?:st|nd|rd|th)\b"
    r"|\b(?:am|den|der|zum|ab dem|bis zum)\s+(?P<de>[0-3]?\d)\.(?!\d)"
    r"|\ble\s+(?P<fr>[0-3]?\d|1er)(?!\s*(?:h\b|heures?|e\b|eme|[:.,]?\d|%))"
    r"|\bel\s+(?:dia\s+)?(?P<es>[0-3]?\d)(?!\s*(?:h\b|horas?|[:.,]?\d|%|º|°))"
    r"|\b(?:op\s+)?de\s+(?P<nl>[0-3]?\d)(?:e|ste|de)\b"
)
_MONTH_ALONE = re.compile(rf"\b(?P<month>{_STRONG_MONTHS})\b")

# -- clock times -------------------------------------------------------------------------

_TWELVE = re.compile(r"\b(?P<h>1[0-2]|0?\d)(?:[:.](?P<m>[0-5]\d))?\s*(?P<half>[ap])\.?\s?m\b\.?")
_FRENCH = re.compile(r"\b(?P<h>[01]?\d|2[0-3])\s*h\s*(?P<m>[0-5]\d)?\b")
_DIGITAL = re.compile(r"\b(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)\b(?:\s*(?:uhr|uur|h)\b)?")
_HOUR_WORD = re.compile(r"\b(?P<h>[01]?\d|2[0-3])\s*(?:uhr|uur)\b")
_AT_HOUR = re.compile(
    r"\b(?:at|um|gegen|a las|a la|om|a|vers)\s+(?P<h>[01]?\d|2[0-3])\b"
    r"(?!\s*(?:[:.]?\d|%|-|(?:st|nd|rd|th|e|er|de|ste)\b|min|hour|stund|heure|hora|uur))"
)

# -- weekdays ----------------------------------------------------------------------------

_WEEKDAY = re.compile(
    r"\b(?P<name>"
    + "|".join(sorted(FULL_WEEKDAYS, key=len, reverse=True))
    + r"|mon(?=\.?,?\s+\d)|wed)\b"
)


def when(clause: str) -> When:
    """Given one clause of a reply, return the days, dates, times and places it names."""
    text = fold(clause)
    found = When()
    text = _take(_WEEKDAY, text, lambda m: found.weekdays.add(_weekday(m.group("name"))))
    text = _take(_NUMBERED, text, lambda m: found.places.add(int(m.group(1) or m.group(2)) - 1))
    for place, pattern in _PLACES:
        text = _take(pattern, text, lambda m, p=place: found.places.add(p))
    text = _take(_FORMER, text, lambda m: found.places.add(0))
    text = _take(_NAMED_DATE, text, lambda m: found.dates.add(_named_date(m)))
    text = _take(_NUMERIC_DATE, text, lambda m: found.dates.update(_numeric_date(m)))
    text = _take(_DAY_ALONE, text, lambda m: found.dates.add((_day_alone(m), None)))
    text = _take(_MONTH_ALONE, text, lambda m: found.months.add(MONTHS[m.group("month")]))
    text = _take(_TWELVE, text, lambda m: found.times.add(_twelve(m)))
    for pattern in (_FRENCH, _DIGITAL, _HOUR_WORD, _AT_HOUR):
        text = _take(pattern, text, lambda m: found.times.update(_either_half(m)))
    return found


def _take(pattern: re.Pattern[str], text: str, record: object) -> str:
    """Record every match and blank it out, so later patterns never read it again."""

    def blank(match: re.Match[str]) -> str:
        record(match)  # type: ignore[operator]
        return " " * len(match.group(0))

    return pattern.sub(blank, text)


def _named_date(match: re.Match[str]) -> tuple[int, int | None]:
    day = match.group("day") or match.group("day2")
    month = match.group("month") or match.group("month2")
    return int(day), MONTHS[month]


def _numeric_date(match: re.Match[str]) -> set[tuple[int, int | None]]:
    """Day first ("3.12.", "03/12"); with a slash also month first, as in the US ("12/3")."""
    a, b = int(match.group("a")), int(match.group("b"))
    options: set[tuple[int, int | None]] = {(a, b)}
    if match.group("sep") == "/" and 1 <= a <= 12 and 1 <= b <= 31:
        options.add((b, a))
    return options


def _day_alone(match: re.Match[str]) -> int:
    value = next(v for v in match.groups() if v)
    return 1 if value == "1er" else int(value)


def _twelve(match: re.Match[str]) -> int:
    hour = int(match.group("h")) % 12 + (12 if match.group("half") == "p" else 0)
    return hour * 60 + int(match.group("m") or 0)


def _either_half(match: re.Match[str]) -> set[int]:
    """A 24-hour reading, and the afternoon one too for an hour below 12 ("at 2")."""
    hour, minute = int(match.group("h")), int(match.groupdict().get("m") or 0)
    return {hour * 60 + minute, (hour + 12) * 60 + minute} if hour < 12 else {hour * 60 + minute}


def _weekday(name: str) -> int:
    return FULL_WEEKDAYS.get(name, 0 if name == "mon" else 2)
