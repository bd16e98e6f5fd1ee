"""One-line fields, log quoting, CSV cells and Markdown text (outreach.core.textsafe)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.core import textsafe


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Ann\nBcc: eve@example.com", "a line break"),
        ("Ann\r", "a line break"),
        ("Ann\u2028", "a line break"),
        ("Ann\x00", "a NUL byte"),
        ("Ann\u202eexe.txt", "a text-direction control character"),
        ("Ann\x1b[31m", "a control character (U+001B)"),
    ],
)
def test_problem_names_what_breaks_a_line(text: str, why: str) -> None:
    assert textsafe.problem(text) == why
    with pytest.raises(
        ValueError, match=re.escape(f"--name must be one line of text, but it holds {why}.")
    ):
        textsafe.checked(text, "--name")


def test_plain_text_passes_unchanged() -> None:
    assert textsafe.problem("Zoë O'Neil-Ng (she/her)") is None
    assert textsafe.checked("  Zoë  ", "--name") == "Zoë"


@given(st.text())
def test_one_line_is_always_one_line(text: str) -> None:
    cleaned = textsafe.one_line(text)
    assert textsafe.problem(cleaned) is None
    assert "\t" not in cleaned and cleaned == cleaned.strip()


def test_one_line_keeps_the_words_visible() -> None:
    assert textsafe.one_line("Ann\nBcc: eve@example.com") == "Ann Bcc: eve@example.com"


@given(st.text())
def test_a_log_line_stays_one_line(text: str) -> None:
    quoted = textsafe.for_log(text)
    assert textsafe.problem(quoted) is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_start_a_formula(start: str) -> None:
    assert textsafe.csv_cell(f'{start}HYPERLINK("x")').startswith("'")
    assert textsafe.csv_cell("Ann") == "Ann"


def test_markdown_shows_html_and_markup_as_text() -> None:
    shown = textsafe.markdown(
        "<img src=x onerror=alert(1)> **bold** & [link](x)\n- item\n1. one\n# h"
    )
    assert "<img" not in shown and "&lt;img" in shown
    assert "\\*\\*bold\\*\\*" in shown and "&amp;" in shown and "\\[link\\](x)" in shown
    assert "\n\\- item" in shown and "\n1\\. one" in shown and "\n\\# h" in shown


def test_the_log_writes_one_line_per_record_whatever_it_quotes() -> None:
    import io
    import logging

    from outreach.logs import LineFormatter

    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(LineFormatter("INFO %(message)s"))
    log = logging.getLogger("outreach.test-one-line")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("%s: reply received", "Ann\nINFO Bob: request sent\x1b[2J")
    finally:
        log.removeHandler(handler)
    assert sink.getvalue() == "INFO Ann\\nINFO Bob: request sent\\x1b[2J: reply received\n"
