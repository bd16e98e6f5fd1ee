"""A conservative first reading of a reply, for the user's attention.

The reading only suggests; the user decides. It acts on its own only when the
reply picks exactly one proposed slot without any other signal (then the invite
is drafted for approval). Anything mixed or vague reads as "unsure".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from outreach.core.model import Slot
from outreach.engine.quotes import own_words

#: A reading at least this confident may act (create the invite); below it only informs.
SURE = 0.8


class ReadingKind(StrEnum):
    PICK = "picks-slot"
    OTHER_TIME = "other-time"
    PHONE = "phone"
    DECLINE = "declines"
    REFER = "names-someone"
    LEFT = "left-organization"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Reading:
    """What a reply seems to say; ``slot_index`` is 0-based into the proposed slots."""

    kind: ReadingKind
    slot_index: int | None
    confidence: float
    sentence: str

    @property
    def sure(self) -> bool:
        return self.confidence >= SURE


_LEFT = re.compile(
    r"no longer (with|at|work|employed)"
    r"|(have|has|i've) left (the|this) (company|organi[sz]ation|firm)"
    r"|left the (company|organi[sz]ation|firm)|(have|has) retired|last day (was|at)",
    re.I,
)
_REFER = re.compile(
    r"(better|right|best|correct) person|you (should|could|might want to|may want to) "
    r"(talk|speak|reach out|ask|contact|try)|try (reaching|contacting|asking|talking)"
    r"|(?-i:reach out to [A-Z])|(i've|i have|i'm) (cc'?d|copied|copying|looped)|\bcc'?ing\b"
    r"|(might|may|would) be (able to help|better placed)|refer you|point you (to|towards)"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+",
    re.I,
)
_DECLINE = re.compile(
    r"not interested|no,? thank(s| you)|(have|need|must) to (decline|pass)|i'?ll (have to )?pass"
    r"|(unable|not able|can'?t|cannot) (to )?help|(don'?t|do not) have (the )?time|too busy"
    r"|not (a good|the right) time|please (remove|don'?t contact|do not contact)"
    r"|unsubscribe|(don'?t|do not) (contact|email|write)"
    r"|not available for (this|that|an interview)",
    re.I,
)
_PHONE = re.compile(
    r"\bcall me\b|give (me|you) a (call|ring)|phone call|by phone|over the phone|on the phone"
    r"|\ba (quick |short )?call\b|ring me|\bcall you\b|phone instead|call instead",
    re.I,
)
_OTHER = re.compile(
    r"how about|what about|would .{1,40} work|could we (do|make it|try|move)|can we (do|make it|"
    r"try|move)|another (time|day|date)|other times?|different (time|day|date)|\binstead\b"
    r"|neither|none of|doesn'?t work|don'?t work|won'?t work|not work|reschedule|later date"
    r"|next (week|month)|later (this|next)|after the",
    re.I,
)
_ACCEPT = re.compile(
    r"\bworks?\b|suits?\b|\bfine\b|\bgood\b|\bgreat\b|\bperfect\b|see you|happy to|glad to"
    r"|i can (do|make)|\bok(ay)?\b|\bsure\b|\byes\b|i'?ll be there|let'?s (do|go with|say)"
    r"|count me in|\bbook\b|\bconfirm|delighted|pleasure",
    re.I,
)
_NEGATIVE = re.compile(
    r"\b(not|no|never|neither|nor|cannot|unable|unavailable|busy|conflict|clash)\b|n'?t\b"
    r"|\b(i'm|i am|i'll be|i will be|will be) (out|off|away)\b",
    re.I,
)
_CLAUSE_SPLIT = re.compile(r"[.!?]+(?=\s|$)|[;\n]+|,|\s+but\s+|\s+however\s+|\s+although\s+", re.I)
_CLOCK = re.compile(
    r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])|\b(\d{1,2})[:.](\d{2})\b"
    r"|\bat (\d{1,2})\b(?![:.]?\d| ?(?:am|pm|a\.m|p\.m|st|nd|rd|th|%))",
    re.I,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(
    r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|sday|nesday|rsday|urday)?\b", re.I
)
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_ORDINALS = ["first", "second", "third", "fourth", "fifth"]
_NUMERALS = ["1st", "2nd", "3rd", "4th", "5th"]


def read_reply(text: str, slots: Sequence[Slot]) -> Reading:
    """Given a reply's text and the slots we proposed, return a conservative reading."""
    own = own_words(text)
    if not own:
        return Reading(
            ReadingKind.UNSURE, None, 0.0, "Unsure what the reply means (no text): read it."
        )
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(own) if c and c.strip()]
    picked: dict[int, int] = {}
    refused: set[int] = set()
    unmatched_time = False
    for clause in clauses:
        scores, mentions_time = _score(clause, slots)
        if _NEGATIVE.search(clause):
            refused.update(scores)
            continue
        if mentions_time and not scores:
            unmatched_time = True
        for index, score in scores.items():
            picked[index] = max(picked.get(index, 0), score)
    for index in refused:
        picked.pop(index, None)

    left = bool(_LEFT.search(own))
    refer = bool(_REFER.search(own))
    decline = bool(_DECLINE.search(own))
    phone = bool(_PHONE.search(own))
    other = unmatched_time or bool(_OTHER.search(own))
    accept = bool(_ACCEPT.search(own))

    if picked:
        return _pick(picked, slots, left or refer or decline, phone, other and not refused, accept)
    if left:
        extra = " and names someone else" if refer else ""
        return Reading(ReadingKind.LEFT, None, 0.8, f"Seems to have left the organization{extra}.")
    if refer:
        return Reading(ReadingKind.REFER, None, 0.7, "Names someone else to ask.")
    if decline and not other:
        return Reading(ReadingKind.DECLINE, None, 0.8, "Seems to decline.")
    if phone:
        return Reading(ReadingKind.PHONE, None, 0.8, "Asks for a phone call.")
    if other or refused:
        what = (
            "Says the proposed times do not work"
            if refused or not unmatched_time
            else "Proposes another time"
        )
        if unmatched_time and refused:
            what = "Turns down a proposed time and proposes another"
        return Reading(ReadingKind.OTHER_TIME, None, 0.7, f"{what}.")
    if accept and len(slots) == 1 and not decline:
        return Reading(
            ReadingKind.PICK, 0, 0.85, f"Agrees to the proposed time ({_fmt(slots[0])})."
        )
    if accept and slots:
        return Reading(
            ReadingKind.UNSURE, None, 0.3, "Agrees but does not say which time: read it."
        )
    return Reading(ReadingKind.UNSURE, None, 0.0, "Unsure what the reply means: read it.")


def _pick(
    picked: dict[int, int],
    slots: Sequence[Slot],
    stopper: bool,
    phone: bool,
    other: bool,
    accept: bool,
) -> Reading:
    best = max(picked.values())
    top = sorted(i for i, s in picked.items() if s == best)
    if len(top) > 1:
        names = " and ".join(f"{i + 1} ({_fmt(slots[i])})" for i in top)
        return Reading(ReadingKind.UNSURE, None, 0.3, f"Mentions slots {names}: which one?")
    index = top[0]
    label = f"slot {index + 1} ({_fmt(slots[index])})"
    if stopper or other:
        return Reading(ReadingKind.PICK, index, 0.4, f"Mentions {label} but says more: read it.")
    if phone:
        return Reading(
            ReadingKind.PICK, index, 0.6, f"Seems to pick {label} and asks for a phone call."
        )
    if not accept:
        return Reading(ReadingKind.PICK, index, 0.6, f"Seems to pick {label}: read it.")
    return Reading(ReadingKind.PICK, index, 0.9, f"Picks {label}.")


def _score(clause: str, slots: Sequence[Slot]) -> tuple[dict[int, int], bool]:
    """Score each slot a clause names (weekday 1, date 2, time 2, ordinal 3).

    A clause that names a kind of thing (a weekday, a date, a time) must match the
    slot in each kind it names: "Tuesday at 3pm" does not pick Tuesday at 10:00.
    Return the scores and whether the clause named any day or time at all.
    """
    lower = clause.lower()
    times = _times(lower)
    days = {_weekday_index(m.group(0)) for m in _WEEKDAY.finditer(lower)}
    days.discard(None)
    scores: dict[int, int] = {}
    named = bool(times or days)
    for index, slot in enumerate(slots):
        if _ordinal(lower, index, len(slots)):
            scores[index] = 3
            continue
        start = slot.start
        score = 0
        if days:
            if start.weekday() not in days:
                continue
            score += 1
        if times:
            if start.hour * 60 + start.minute not in times:
                continue
            score += 2
        if _date_named(lower, start.day, start.month):
            score += 2
            named = True
        elif _any_date(lower):
            named = True
            continue
        if score:
            scores[index] = score
    return scores, named


def _times(lower: str) -> set[int]:
    """Return the minutes after midnight a clause may mean (both 10:00 and 22:00 for "10")."""
    found: set[int] = set()
    for m in _CLOCK.finditer(lower):
        if m.group(1):
            hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)[0]
            hour = hour % 12 + (12 if half == "p" else 0)
            found.add(hour * 60 + minute)
        elif m.group(4):
            hour, minute = int(m.group(4)), int(m.group(5))
            found.update(
                {hour * 60 + minute, (hour + 12) * 60 + minute}
                if hour < 12
                else {hour * 60 + minute}
            )
        else:
            hour = int(m.group(6))
            found.update({hour * 60, (hour + 12) * 60} if hour < 12 else {hour * 60})
    return found


def _weekday_index(word: str) -> int | None:
    word = word.lower()[:3]
    for index, name in enumerate(_WEEKDAYS):
        if name.startswith(word):
            return index
    return None


def _month_pattern(month: int) -> str:
    name = _MONTHS[month - 1]
    return f"(?:{name}|{name[:3]}\\.?)"


def _date_named(lower: str, day: int, month: int) -> bool:
    suffix = r"(?:st|nd|rd|th)?"
    month_pat = _month_pattern(month)
    patterns = [
        rf"\b{day}{suffix}\s+(?:of\s+)?{month_pat}\b",
        rf"\b{month_pat}\s+{day}{suffix}\b",
        rf"\bthe {day}(?:st|nd|rd|th)\b",
    ]
    return any(re.search(p, lower) for p in patterns)


_ANY_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\b"
    r"|\b(?:" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\bthe \d{1,2}(?:st|nd|rd|th)\b"
)


def _any_date(lower: str) -> bool:
    return bool(_ANY_DATE.search(lower))


def _ordinal(lower: str, index: int, count: int) -> bool:
    """True if the clause names the slot by its place ("option 2", "the second one")."""
    n = index + 1
    if re.search(rf"\b(?:option|slot|choice|number|no\.?)\s*#?\s*{n}\b|#\s*{n}\b", lower):
        return True
    words = [_ORDINALS[index], _NUMERALS[index]] if index < len(_ORDINALS) else []
    if index == count - 1 and count > 1:
        words += ["last", "latter"]
    if index == 0 and count == 2:
        words.append("former")
    for word in words:
        if re.search(rf"\b(?:the )?{word} (?:one|option|slot|time|suggestion|proposal)\b", lower):
            return True
        bare = rf"\bthe {word}\b(?!\s+(?:of|week|day|thing|time i|few))"
        if not word[0].isdigit() and re.search(bare, lower):
            return True
    return False


def _fmt(slot: Slot) -> str:
    return slot.start.strftime("%a %d %b %H:%M")
