"""Where a reply's own words end: the quoted original, its header block and signatures cut off.

The fallback for a body that still carries the conversation (a server that returns
the whole body, a message outside any conversation). The mail clients people use
mark the quote in a few ways, each written here as data per language: Outlook's
header block ("From:/Sent:", "Von:/Gesendet:", "De :/Envoyé :", ...), with or
without the line of underscores Outlook draws (and an HTML reply's ``<hr>``
becomes), the "On … wrote:" line of Gmail, Apple Mail and Thunderbird (on one line
or wrapped over three), "-----Original Message-----" in any language, ``>``
quoting, and mobile signatures ("Sent from my iPhone", "Von meinem iPhone
gesendet", ...). Everything from the first mark on is dropped; ``>`` lines above it
are skipped (an answer written between quoted lines keeps its own lines).
"""

from __future__ import annotations

import re

#: Outlook's header labels, by language: (from, sent/date, to/cc, subject)
_OUTLOOK_LABELS = {
    "en": ("From", "Sent|Date", "To|Cc", "Subject"),
    "de": ("Von", "Gesendet|Datum", "An|Cc", "Betreff"),
    "fr": ("De", "Envoyé|Date", "À|A|Cc", "Objet"),
    "es": ("De", "Enviado(?: el)?|Fecha", "Para|CC", "Asunto"),
    "nl": ("Van", "Verzonden|Datum", "Aan|CC", "Onderwerp"),
    "it": ("Da", "Inviato|Data", "A|Cc", "Oggetto"),
    "pt": ("De", "Enviad[oa](?: em)?|Data", "Para|Cc", "Assunto"),
    "sv": ("Från", "Skickat|Datum", "Till|Kopia", "Ämne"),
    "da": ("Fra", "Sendt|Dato", "Til|Cc", "Emne"),
    "no": ("Fra", "Sendt|Dato", "Til|Kopi", "Emne"),
    "pl": ("Od", "Wysłano|Wysłane|Data", "Do|DW", "Temat"),
}


def _labels(position: int | None = None) -> str:
    chosen = (
        [labels[position] for labels in _OUTLOOK_LABELS.values()]
        if position is not None
        else ["|".join(labels) for labels in _OUTLOOK_LABELS.values()]
    )
    return "|".join(sorted({part for c in chosen for part in c.split("|")}, key=len, reverse=True))


def _header_line(labels: str) -> re.Pattern[str]:
    """A line of an Outlook header block: ``From: …``, ``*Von:*``, ``De :`` (a non-breaking
    space before the colon, as French Outlook writes it)."""
    return re.compile(rf"^\s*[*>]*\s*\*?(?:{labels})\*?\s*:", re.I)


_BLOCK_START = _header_line("|".join([_labels(0), _labels(1)]))
_BLOCK_LINE = _header_line(_labels())
#: how many lines the rest of a header block may take (a long To: line wraps)
_BLOCK_REACH = 4

#: "On … wrote:" as the clients write it: how the line opens, and how it closes
_INTRO_OPEN = re.compile(
    r"^\s*>*\s*(?:on|am|le|el|op|il(?: giorno)?|em|den|w dniu|d\.|"
    r"(?:mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|lun|mar|mer|jeu|ven|sam|dim|"
    r"mié|jue|vie|sáb|dom|ma|wo|vr|za|zo|gio|sab|seg|ter|qua|qui|sex|mån|tis|ons|tor|fre|"
    r"lör|sön|man|tir|lør|søn|pon|wt|śr|czw|pt|sob|niedz|ndz)\.?,?\s|\d)",
    re.I,
)
_INTRO_CLOSE = re.compile(
    r"(?:\bwrote|\bschrieb\b.*|\ba écrit|\bescribió|\bschreef\b.*|\bgeschreven|\bha scritto"
    r"|\bescreveu|\bskrev\b.*|\bnapisał(?:\(a\)|a)?|\bpisze|написал(?:\(а\))?)\s*:\s*$",
    re.I,
)
#: an intro longer than this is a paragraph that happens to end in "wrote:", not an intro
_INTRO_MAX = 320
_INTRO_LINES = 3

#: "-----Original Message-----", "-----Ursprüngliche Nachricht-----", "--- Forwarded ---"
_SEPARATOR = re.compile(r"^\s*-{3,}\s*[^-\n]{3,60}?\s*-{3,}\s*$")
#: the line of underscores Outlook draws above the header block (an HTML <hr> in text)
_RULE = re.compile(r"^\s*_{8,}\s*$")
#: "-- " and "--": the signature separator
_SIGNATURE = re.compile(r"^--\s*$")
#: the line a phone's mail app adds under every message, in the languages above
_MOBILE = re.compile(
    r"^\s*(?:sent from (?:my )?|sent with |get outlook for |"
    r"von meinem .{1,40} gesendet|gesendet von (?:meinem )?|outlook für .{1,20} beziehen|"
    r"envoyé (?:de|depuis) (?:mon )?|obtenir outlook pour |"
    r"enviado (?:desde|de) (?:mi )?|obtener outlook para |"
    r"verzonden (?:vanaf|met|van) (?:mijn )?|verstuurd (?:vanaf|met|van) (?:mijn )?|"
    r"outlook voor .{1,20} downloaden|"
    r"inviato da (?:il mio )?|scarica outlook per |"
    r"enviado (?:do|a partir do|pelo) (?:meu )?|obter o outlook para |"
    r"skickat från (?:min )?|hämta outlook för |"
    r"sendt fra (?:min )?|hent outlook til |få outlook for |"
    r"wysłane z (?:mojego )?|pobierz outlook dla )[^\n]{0,60}$",
    re.I,
)


def own_words(text: str) -> str:
    """Given a reply's text, return its own words: nothing from the first quote mark on."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    end = quote_start(lines)
    kept = [line for line in lines[:end] if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def quote_start(lines: list[str]) -> int:
    """Index of the first line that belongs to the quote (``len(lines)`` when none does)."""
    for index, line in enumerate(lines):
        if (
            _RULE.match(line)
            or _SEPARATOR.match(line)
            or _SIGNATURE.match(line)
            or _MOBILE.match(line)
            or _header_block(lines, index)
        ):
            return index
        start = _intro_start(lines, index)
        if start is not None:
            return start
    return len(lines)


def _header_block(lines: list[str], index: int) -> bool:
    """True when an Outlook header block starts here: a From/Sent line and another below."""
    if not _BLOCK_START.match(lines[index]):
        return False
    below = lines[index + 1 : index + 1 + _BLOCK_REACH]
    return any(_BLOCK_LINE.match(line) for line in below)


def _intro_start(lines: list[str], index: int) -> int | None:
    """Where an "On … wrote:" intro ending on this line begins (it may be wrapped), or None."""
    if not lines[index].rstrip().endswith(":"):
        return None
    for back in range(_INTRO_LINES):
        start = index - back
        if start < 0 or not lines[start].strip():
            break
        joined = " ".join(part.strip() for part in lines[start : index + 1])
        if len(joined) > _INTRO_MAX:
            break
        if _INTRO_CLOSE.search(joined) and _INTRO_OPEN.match(joined):
            return start
    return None
