"""A conservative first reading of a reply, for the user's attention.

The reading only suggests; the user decides. It acts on its own only when the
reply picks exactly one proposed slot without any other signal (then the invite
is drafted for approval), or plainly declines. Anything mixed or vague reads as
"unsure". It reads English, German, French, Spanish and Dutch (``phrases`` for
what the words say, ``when`` for the days and times they name), and only the
reply's own words: the quoted request under them is cut off first (``quotes``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from outreach.core.calendarwords import fold
from outreach.core.model import Slot
from outreach.engine import phrases
from outreach.engine.quotes import own_words
from outreach.engine.when import LAST, When, when

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


#: "reach out to Sam" names someone; "reach out to me" does not (read before folding)
_REACH_OUT = re.compile(r"reach out to [A-Z]")


def read_reply(text: str, slots: Sequence[Slot]) -> Reading:
    """Given a reply's text and the slots we proposed, return a conservative reading."""
    own = own_words(text)
    if not own:
        return Reading(
            ReadingKind.UNSURE, None, 0.0, "Unsure what the reply means (no text): read it."
        )
    folded = phrases.NO_PROBLEM.sub(" fine ", fold(own))
    clauses = [
        phrases.NO_PROBLEM.sub(" fine ", fold(c.strip()))
        for c in phrases.CLAUSES.split(own)
        if c and c.strip()
    ]
    picked: dict[int, int] = {}
    refused: set[int] = set()
    unmatched_time = False
    timeless: list[str] = []  # clauses naming no time: a "no" there is a no to the request
    #: the times the clause before named: a "no" right after turns them down ("Jeudi, ce
    #: n'est pas possible"; "Thursday would have been perfect, but it no longer works")
    before: dict[int, int] = {}
    for clause in clauses:
        found = when(clause)
        scores = _score(found, slots)
        negative = bool(phrases.NEGATIVE.search(clause))
        if not found.named and not found.places:
            timeless.append(clause)
            if negative:
                refused.update(before)
            before = {}
            continue
        before = dict(scores)
        if negative:
            refused.update(scores)
            continue
        if (found.named or found.places) and not scores and not _same_month(found, slots):
            unmatched_time = True
        for index, score in scores.items():
            picked[index] = max(picked.get(index, 0), score)
    for index in refused:
        picked.pop(index, None)

    left = bool(phrases.LEFT.search(folded))
    refer = bool(phrases.REFER.search(folded) or _REACH_OUT.search(own))
    decline = bool(phrases.DECLINE.search(" ".join(timeless)))
    phone = bool(phrases.PHONE.search(folded))
    other = unmatched_time or bool(phrases.OTHER.search(folded))
    accept = bool(phrases.ACCEPT.search(folded))

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


def _score(found: When, slots: Sequence[Slot]) -> dict[int, int]:
    """Score each slot a clause names (weekday 1, date 2, time 2, place in the list 3).

    A clause that names a kind of thing (a weekday, a date, a time, a place) must match
    the slot in each kind it names: "Tuesday at 3pm" does not pick Tuesday at 10:00,
    and "the second, on Thursday" picks nothing when the second is a Tuesday.
    """
    scores: dict[int, int] = {}
    places = {len(slots) - 1 if p == LAST and len(slots) > 1 else p for p in found.places}
    if len(places) > 1 or (found.places and not found.named and not places - {LAST}):
        return {}
    for index, slot in enumerate(slots):
        start = slot.start
        score = 0
        if places:
            if index not in places:
                continue
            score += 3
        if found.weekdays:
            if start.weekday() not in found.weekdays:
                continue
            score += 1
        if found.times:
            if start.hour * 60 + start.minute not in found.times:
                continue
            score += 2
        if found.dates:
            if not any(d == start.day and m in (None, start.month) for d, m in found.dates):
                continue
            score += 2
        if found.months and start.month not in found.months:
            continue
        if score:
            scores[index] = score
    return scores


def _same_month(found: When, slots: Sequence[Slot]) -> bool:
    """True when a clause names only a month, and it is the month of a proposed time."""
    only_month = found.months and not (found.weekdays or found.dates or found.times)
    return bool(only_month and any(s.start.month in found.months for s in slots))


def _fmt(slot: Slot) -> str:
    return slot.start.strftime("%a %d %b %H:%M")
