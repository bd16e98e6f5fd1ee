"""Answers read as a person would, through the real daemon on both backends.

A slice of the corpus (tests/replycorpus.py): every kind of answer, every language and
the ways of quoting the issue names (Outlook text in eight languages, Outlook HTML, Gmail
in four languages, Apple Mail, unquoted, and a few more) at least once. The whole cross
product runs through the pure reading (tests/engine/test_reading_corpus.py) and
bench/reading_bench.py runs every answer through the daemon.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from replycorpus import KINDS, LANGS

from .readingrun import START, run, slice_of
from .world import World

STYLES = [
    "unquoted", "outlook-en", "outlook-de", "outlook-fr", "outlook-es", "outlook-nl",
    "outlook-it", "outlook-pt", "outlook-sv", "outlook-html-en", "gmail-en",
    "gmail-de-wrapped50", "gmail-fr", "gmail-es", "apple-en", "outlook-de-norule",
    "gmail-html-en", "outlook-desktop-html-fr", "quoted-inline",
]  # fmt: skip


@pytest.mark.parametrize("protocol", ["ews", "graph"])
def test_every_kind_of_answer_under_every_quote_is_read_right(
    tmp_path: Path, protocol: str
) -> None:
    world = World(tmp_path, start=START, protocol=protocol)
    try:
        results = run(world, slice_of(KINDS, LANGS, STYLES))
    finally:
        world.close()
    wrong = [f"{r.case}: {r.verdict}: {r.detail}" for r in results if r.verdict != "right"]
    assert not wrong, "\n".join(wrong)
    assert len(results) == len(STYLES)
    assert {r.case.kind for r in results} == set(KINDS)
    assert {r.case.style for r in results} == set(STYLES)
