"""Quote cutting: an answer above the request, quoted as each mail client quotes it,
reads as the answer alone (tests/replycorpus.py holds the clients' ways)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from outreach.engine import own_words
from outreach.mailbox.classify import html_text
from replycorpus import STYLES, Body, Style, request_lines

TZ = ZoneInfo("Europe/Berlin")
SENT = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
SLOTS = [datetime(2026, 12, 1, 10, tzinfo=TZ), datetime(2026, 12, 3, 14, 30, tzinfo=TZ)]

ANSWERS = [
    "Thursday works for me.",
    "Donnerstag passt mir gut.\n\nViele Grüße\nKim",
    "Le deuxième créneau me convient.\n\nCordialement,\nKim Example\nResponsable données",
    "Hola Robin,\n\nel jueves a las 14:30 me va bien.\n\nUn saludo,\nKim",
    "Geen van die tijden past, sorry.\nWat dacht je van maandag om 11 uur?\n\nGroet,\nKim",
]


def text_of(body: Body) -> str:
    return html_text(body.content) if body.html else body.content


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.name)
@pytest.mark.parametrize("answer", ANSWERS, ids=range(len(ANSWERS)))
def test_each_client_quote_is_cut_off(style: Style, answer: str) -> None:
    body = style.build(answer, request_lines(SLOTS), SENT)
    assert words(own_words(text_of(body))) == words(answer)


def test_html_text_marks_blockquotes_and_rules() -> None:
    text = html_text(
        "<div>Yes.</div><hr><div>From: x</div><blockquote><div>a</div>b<br>c</blockquote>d"
    )
    lines = [line for line in text.splitlines() if line]
    assert lines == ["Yes.", "_" * 32, "From: x", "> a", "> b", "> c", "d"]


@pytest.mark.parametrize(
    "text",
    [
        "Thursday works.\n\nFrom: my side, Thursday is best.",  # one header-like line is no block
        "Thursday works. On second thought, as my colleague wrote:\nFriday is better.",
        "Am Donnerstag geht es.\nDe: nada.",
    ],
)
def test_answer_lines_that_look_like_marks_are_kept(text: str) -> None:
    assert own_words(text) == text
