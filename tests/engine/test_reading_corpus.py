"""The corpus (tests/replycorpus.py) through the pure reading: every kind of answer, in
five languages, under every way of quoting, is read as a person would read it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from outreach.core.model import Slot
from outreach.engine import read_reply
from outreach.mailbox.classify import html_text
from replycorpus import STYLES, Answer, answers, dressed, judge, outcome, request_lines

from .helpers import TZ

SENT = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
TIMES = [
    datetime(2026, 12, 1, 10, 0, tzinfo=TZ),
    datetime(2026, 12, 3, 14, 30, tzinfo=TZ),
    datetime(2026, 12, 4, 9, 0, tzinfo=TZ),
]
SLOTS = [Slot(t, t + timedelta(minutes=30)) for t in TIMES]
ANSWERS = answers(TIMES)


def verdicts(answer: Answer) -> Counter[str]:
    """How the answer is read under each way of quoting (a greeting above every other one);
    anything not right is counted under the style's name too, to show where."""
    seen: Counter[str] = Counter()
    for number, style in enumerate(STYLES):
        body = style.build(dressed(answer, greeting=number % 2 == 0), request_lines(TIMES), SENT)
        reading = read_reply(html_text(body.content) if body.html else body.content, SLOTS)
        verdict = judge(answer, outcome(reading))
        seen[verdict] += 1
        if verdict != "right":
            seen[f"{verdict} under {style.name}: {reading.sentence}"] += 1
    return seen


def test_the_corpus_is_large_enough() -> None:
    kinds = {a.kind for a in ANSWERS}
    assert len(kinds) >= 12, kinds
    assert {a.lang for a in ANSWERS} == {"en", "de", "fr", "es", "nl"}
    assert len(STYLES) >= 15


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.lang}-{a.kind}-{a.variant}")
def test_every_answer_is_read_right_under_every_quote(answer: Answer) -> None:
    seen = verdicts(answer)
    assert seen["right"] == len(STYLES), seen
