"""Properties of the reading: what is quoted under an answer never changes how it reads,
and no text makes the reading act on a time the answer's own words do not name."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.core.calendarwords import fold
from outreach.core.model import Slot
from outreach.engine import own_words, read_reply
from outreach.mailbox.classify import html_text
from replycorpus import LANGS, STYLES, WEEKDAYS, answers, dressed, request_lines

from .helpers import TZ

DAYS = [datetime(2026, 11, 30, tzinfo=TZ) + timedelta(days=n) for n in range(12)]
working = st.builds(
    lambda day, hour, half: day.replace(hour=hour, minute=30 * half),
    st.sampled_from([d for d in DAYS if d.weekday() < 5]),
    st.integers(8, 17),
    st.integers(0, 1),
)
proposed = st.lists(working, min_size=2, max_size=3, unique=True).map(sorted)
sent = st.builds(
    lambda day, hour: day.replace(hour=hour) - timedelta(days=7), st.sampled_from(DAYS),
    st.integers(0, 23),
)  # fmt: skip


def slots_of(times: list[datetime]) -> list[Slot]:
    return [Slot(t, t + timedelta(minutes=30)) for t in times]


def text_of(body: object) -> str:
    return html_text(body.content) if body.html else body.content  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    times=proposed,
    quoted_times=st.lists(working, min_size=1, max_size=4),
    style=st.sampled_from(STYLES[1:]),
    when_sent=sent,
    pick=st.integers(0, 10_000),
    greeting=st.booleans(),
)
def test_what_is_quoted_under_an_answer_never_changes_its_reading(
    times: list[datetime],
    quoted_times: list[datetime],
    style: object,
    when_sent: datetime,
    pick: int,
    greeting: bool,
) -> None:
    corpus = answers(times)
    answer = corpus[pick % len(corpus)]
    text = dressed(answer, greeting)
    alone = read_reply(text, slots_of(times))
    body = style.build(text, request_lines(quoted_times), when_sent)  # type: ignore[attr-defined]
    quoted = read_reply(text_of(body), slots_of(times))
    assert (quoted.kind, quoted.slot_index, quoted.confidence) == (
        alone.kind,
        alone.slot_index,
        alone.confidence,
    ), (style, text)


# -- any text at all: an act names its time in the answer's own words ----------------------

FRAGMENTS = [
    *(name for lang in LANGS for name in WEEKDAYS[lang].split()),
    "works", "passt", "me convient", "me va bien", "past", "fine", "gerne", "parfait",
    "not", "nicht", "pas", "no", "niet", "but", "aber", "mais", "pero", "maar",
    "at 10", "2:30 pm", "14:30 Uhr", "14h30", "a las 9", "om 10 uur", "um 15 Uhr",
    "am 3.", "le 4", "el 1", "de 2e", "3.12.", "the 3rd", "December 4", "4 décembre",
    "the second one", "der zweite Termin", "le premier créneau", "la tercera opción",
    "de laatste optie", "option 2", "the last", "phone", "call me", "instead",
    "kein Interesse", "not interested", "swamped", "Sam (sam@example.com)",
    ".", ",", "!", "?", "\n", "\n\n", "> ", "On Mon wrote:",
]  # fmt: skip
free_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=14).map(
    " ".join
)

_PLACE_WORDS = [
    "first erste premier premiere 1er primer primera primero eerste former 1",
    "second zweite deuxieme second seconde segunda segundo tweede 2",
    "third dritte troisieme tercera tercero derde 3",
]
_LAST_WORDS = "last latter letzte dernier derniere ultima ultimo laatste"


def names(own: str, index: int, times: list[datetime]) -> bool:
    """Whether the words name the proposed time at ``index``: its weekday (in any
    language), its day of the month, its hour, or its place in the list."""
    start = times[index]
    words = {str(int(w)) if w.isdigit() else w for w in re.findall(r"[a-z]+|\d+", fold(own))}
    day_names = {fold(lang_days.split()[start.weekday()]) for lang_days in WEEKDAYS.values()}
    day_names |= {n[:3] for n in day_names}
    tokens = day_names | {str(start.day), str(start.hour), str(start.hour % 12 or 12)}
    tokens |= set(_PLACE_WORDS[index].split()) if index < len(_PLACE_WORDS) else set()
    if index == len(times) - 1:
        tokens |= set(_LAST_WORDS.split())
    return bool(words & tokens) or any(t in fold(own) for t in day_names)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    times=proposed,
    noise=free_text,
    quoted=free_text,
    style=st.sampled_from(STYLES),
    when_sent=sent,
    pick=st.one_of(st.none(), st.integers(0, 10_000)),
    before=st.booleans(),
)
def test_no_text_makes_the_reading_act_on_a_time_its_own_words_do_not_name(
    times: list[datetime],
    noise: str,
    quoted: str,
    style: object,
    when_sent: datetime,
    pick: int | None,
    before: bool,
) -> None:
    """Random words, alone or around an answer of the corpus, above a quote full of times."""
    own = noise
    if pick is not None:
        corpus = answers(times)
        answer = corpus[pick % len(corpus)].text
        own = f"{noise} {answer}" if before else f"{answer} {noise}"
    body = style.build(own, [quoted, *request_lines(times)], when_sent)  # type: ignore[attr-defined]
    text = text_of(body)
    reading = read_reply(text, slots_of(times))
    if reading.sure and reading.slot_index is not None:
        assert names(own_words(text), reading.slot_index, times), (text, reading)
        assert names(own, reading.slot_index, times), (own, reading)
