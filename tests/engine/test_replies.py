"""The reading of replies: a table of realistic answers, tricky ones included."""

from __future__ import annotations

import pytest

from outreach.engine import ReadingKind, own_words, read_reply

from .helpers import at, slot

# Tue 1 Dec 10:00, Thu 3 Dec 14:30, Fri 4 Dec 09:00 (London)
SLOTS = [slot(at(12, 1, 10)), slot(at(12, 3, 14, 30)), slot(at(12, 4, 9))]

PICK, OTHER, PHONE = ReadingKind.PICK, ReadingKind.OTHER_TIME, ReadingKind.PHONE
DECLINE, REFER, LEFT, UNSURE = (
    ReadingKind.DECLINE,
    ReadingKind.REFER,
    ReadingKind.LEFT,
    ReadingKind.UNSURE,
)

TABLE = [
    # (reply, kind, slot index, sure enough to act)
    ("Tuesday works for me.", PICK, 0, True),
    ("Thursday at 2:30 is fine, see you then.", PICK, 1, True),
    ("Great, see you on the 3rd at 2.30pm.", PICK, 1, True),
    ("The second option works best.", PICK, 1, True),
    ("Let's do Friday 4 December.", PICK, 2, True),
    ("Not Tuesday, but Thursday works.", PICK, 1, True),
    ("I'm out on Tuesday. Friday is perfect though!", PICK, 2, True),
    ("Friday works, but could we do it by phone?", PICK, 2, False),
    ("Tuesday.", PICK, 0, False),
    ("Neither works, sorry.", OTHER, None, False),
    ("None of these times work for me, I'm travelling.", OTHER, None, False),
    ("Thursday at 4pm would be better.", OTHER, None, False),
    ("How about Monday the 7th?", OTHER, None, False),
    ("Too busy this week, could we do next week instead?", OTHER, None, False),
    ("Can you just give me a call instead? 555 0100.", PHONE, None, True),
    ("Happy to chat over the phone whenever suits.", PHONE, None, True),
    ("Sorry, I'm not interested.", DECLINE, None, True),
    ("I'm afraid I'll have to pass on this one.", DECLINE, None, True),
    ("I'm not the right person, you should talk to Sam.", REFER, None, False),
    ("I've copied Lee, who runs that team.", REFER, None, False),
    ("Try lee@example.com, she knows more.", REFER, None, False),
    ("I'm no longer with the company.", LEFT, None, True),
    ("I have left the organization; please contact dana@example.com.", LEFT, None, True),
    ("Sounds good!", UNSURE, None, False),
    ("Tuesday or Thursday both work.", UNSURE, None, False),
    ("Let me check and come back to you.", UNSURE, None, False),
    ("", UNSURE, None, False),
]


TABLE += [
    # the same reading in German, French, Spanish and Dutch, tricky ones included
    ("Donnerstag um 14:30 Uhr passt mir.", PICK, 1, True),
    ("Am 4. bin ich dabei.", PICK, 2, True),
    ("Der 3.12. passt, am 1. kann ich nicht.", PICK, 1, True),
    ("Am Donnerstag kann ich leider nicht.", OTHER, None, False),
    ("Jeudi, ce n'est pas possible pour moi.", OTHER, None, False),
    ("Le premier créneau me convient parfaitement.", PICK, 0, True),
    ("La première semaine de décembre est chargée.", UNSURE, None, False),
    ("El jueves no me va.", OTHER, None, False),
    ("¡Sin problema! El viernes a las 9 me va bien.", PICK, 2, True),
    ("Donderdag past me niet, vrijdag wel prima.", PICK, 2, True),
    ("De laatste optie komt mij het beste uit.", PICK, 2, True),
    ("No problem, Thursday works.", PICK, 1, True),
    ("Thursday I want to keep free, sorry.", PICK, 1, False),
    ("Can we do Thursday at 4pm instead?", OTHER, None, False),
    ("I'm swamped this quarter and can't take this on.", DECLINE, None, True),
    ("I'm not in a position to take on anything new right now.", DECLINE, None, True),
    ("Keine Zeit am Dienstag, aber Donnerstag passt.", PICK, 1, True),
    ("Ich habe keine Zeit, sorry.", DECLINE, None, True),
    ("Je suis débordé en ce moment, désolé.", DECLINE, None, True),
    ("Lo siento, estoy desbordada y no puedo asumirlo.", DECLINE, None, True),
    ("Ik heb er helaas geen tijd voor.", DECLINE, None, True),
    ("Neem contact op met sam@example.com, die weet er meer van.", REFER, None, False),
    ("Können wir stattdessen telefonieren?", PHONE, None, True),
    ("Ich bin nicht mehr bei der Firma tätig.", LEFT, None, True),
    # a time that would have suited, turned down after all: never an invitation
    ("Thursday would have been perfect, but it's no longer possible.", OTHER, None, False),
    ("Donnerstag wäre gut gewesen, aber jetzt geht es leider nicht mehr.", OTHER, None, False),
    ("Jeudi aurait été parfait, mais ce n'est plus possible.", OTHER, None, False),
    ("El jueves habría sido perfecto, pero ya no puedo.", OTHER, None, False),
    ("Donderdag was goed geweest, maar nu lukt het niet meer.", OTHER, None, False),
]


@pytest.mark.parametrize(("text", "kind", "index", "sure"), TABLE)
def test_reading_table(text: str, kind: ReadingKind, index: int | None, sure: bool) -> None:
    reading = read_reply(text, SLOTS)
    assert (reading.kind, reading.slot_index, reading.sure) == (kind, index, sure), reading
    assert reading.sentence


QUOTED = [
    "Friday works for me.\n\nOn Mon, 30 Nov 2026 at 09:00, Robin <robin@example.com> wrote:\n"
    "> Would Tuesday 1 December at 10:00 suit you?",
    "Friday works for me.\n\nOn Mon, 30 Nov 2026 at 09:00, Robin Example\n<robin@example.com>"
    " wrote:\nTuesday works? Not interested?",
    "Friday works for me.\n-----Original Message-----\nFrom: Robin\nTuesday 1 December 10:00",
    "Friday works for me.\r\n\r\nFrom: Robin Example <robin@example.com>\r\nSent: Monday\r\n"
    "Subject: a conversation\r\n\r\nTuesday or Thursday?",
    "Friday works for me.\n________________________________\nFrom: Robin\nTuesday?",
]


@pytest.mark.parametrize("text", QUOTED)
def test_quoted_original_is_ignored(text: str) -> None:
    reading = read_reply(text, SLOTS)
    assert (reading.kind, reading.slot_index, reading.sure) == (PICK, 2, True), reading


def test_own_words_keeps_own_words_only() -> None:
    text = "Yes, happy to.\n> quoted line\n\n-- \nDana\nSent from my phone"
    assert own_words(text) == "Yes, happy to."


def test_single_proposed_slot_plain_yes_picks_it() -> None:
    reading = read_reply("Sounds good, see you then.", SLOTS[:1])
    assert (reading.kind, reading.slot_index, reading.sure) == (PICK, 0, True)


def test_no_slots_proposed_never_picks() -> None:
    reading = read_reply("Tuesday works for me.", [])
    assert reading.kind != PICK
    assert not reading.sure


def test_two_slots_same_weekday_need_the_time() -> None:
    slots = [slot(at(12, 1, 10)), slot(at(12, 1, 15))]
    assert read_reply("Tuesday works.", slots).kind == UNSURE
    reading = read_reply("Tuesday at 3pm works.", slots)
    assert (reading.kind, reading.slot_index, reading.sure) == (PICK, 1, True)
