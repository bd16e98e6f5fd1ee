"""The names of weekdays and months in the languages outreach reads, accents folded.

English, German, French, Spanish, Dutch, Italian and Portuguese: the reply reader
(engine) and the out-of-office reader (mailbox) look words up here, after
``fold``, so "März", "décembre" and "miércoles" match plainly.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents ("Mittwoch, 3. März" -> "mittwoch, 3. marz")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _table(rows: tuple[str, ...], start: int) -> dict[str, int]:
    table: dict[str, int] = {}
    for number, names in enumerate(rows, start=start):
        for name in names.split():
            table[name] = number
    return table


#: month names and abbreviations -> 1..12
MONTHS = _table(
    (
        "january jan januar janv janvier enero ene januari gennaio gen janeiro",
        "february feb februar fevr fevrier febrero februari febbraio fevereiro fev",
        "march mar marz maerz mars marzo maart mrt marco",
        "april apr avr avril abril abr aprile",
        "may mai mayo mei maggio mag maio",
        "june jun juni juin junio giugno giu junho",
        "july jul juli juil juillet julio luglio lug julho",
        "august aug aout agosto augustus ago",
        "september sep sept septembre septiembre setiembre settembre setembro",
        "october oct oktober okt octobre octubre ottobre ott outubro",
        "november nov novembre noviembre novembro",
        "december dec dezember dez decembre diciembre dic dicembre dezembro",
    ),
    start=1,
)
#: month abbreviations that are also everyday words ("mar", "may", "set", "out", ...)
WEAK_MONTHS = {"mar", "may", "mag", "ago", "set", "out", "dec", "gen", "ene"}

#: weekday names and abbreviations -> 0 (Monday) .. 6
WEEKDAYS = _table(
    (
        "monday mon montag mo lundi lunes maandag lunedi segunda segunda-feira",
        "tuesday tue tues dienstag di mardi martes dinsdag martedi terca terca-feira",
        "wednesday wed mittwoch mi mercredi miercoles woensdag mercoledi quarta quarta-feira",
        "thursday thu thur thurs donnerstag do jeudi jueves donderdag giovedi quinta quinta-feira",
        "friday fri freitag fr vendredi viernes vrijdag venerdi sexta sexta-feira",
        "saturday sat samstag sonnabend sa samedi sabado zaterdag",
        "sunday sun sonntag so dimanche domingo zondag domenica",
    ),
    start=0,
)
#: abbreviations that collide with ordinary words ("so", "do", "di", "sat", "sun", ...)
WEAK_WEEKDAYS = {"mo", "di", "mi", "do", "fr", "sa", "so", "mon", "sun", "sat", "wed"}
#: weekday names a reader can trust on their own (no abbreviation that is also a word)
FULL_WEEKDAYS = {
    name: day
    for name, day in WEEKDAYS.items()
    if name not in WEAK_WEEKDAYS and name not in {"segunda", "quinta", "sexta", "quarta"}
}
