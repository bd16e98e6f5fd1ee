"""Fuzzing the loaders of what users hand in: CSV, vCard, the log form and data, the config.

Whatever the input, each loader either returns its result or raises UserError
(a sentence); any other exception would reach the user as a traceback.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.config import loader
from outreach.config.settings import Settings
from outreach.core.errors import UserError
from outreach.research import logform
from outreach.store import importers

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
TZ = ZoneInfo("Europe/Berlin")
SOURCE = Path("/fuzz/input")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: text that looks like what people paste: letters, punctuation, controls, bidi, newlines
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
cells = st.one_of(texts, st.sampled_from(["", "yes", "no", "maybe", "a@example.com", "x@y",
                                          "=1+1", "co-worker", "\u202e", "\x00", "a\nb"]))
columns = st.sampled_from([*importers.COLUMNS, "first_name", "last_name", "E-mail", "Full Name",
                           "unknown", ""])


def _accepts(load: object) -> None:
    """Call ``load``; only a UserError may come out."""
    try:
        load()  # type: ignore[operator]
    except UserError as problem:
        assert str(problem).strip()


@FUZZ
@given(texts)
def test_csv_text_never_crashes(text: str) -> None:
    _accepts(lambda: importers.build(importers.parse_csv(text, SOURCE), SOURCE, {}, NOW))


@FUZZ
@given(st.lists(columns, min_size=1, max_size=8),
       st.lists(st.lists(cells, max_size=9), max_size=8))
def test_csv_tables_never_crash(header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    def load() -> None:
        result = importers.build(importers.parse_csv(out.getvalue(), SOURCE), SOURCE, {}, NOW)
        for contact in result.contacts:
            assert importers.valid_email(contact.email) and contact.name.strip()
    _accepts(load)


vcard_lines = st.one_of(
    st.sampled_from(["BEGIN:VCARD", "END:VCARD", "VERSION:3.0", "FN:Ann Example",
                     "EMAIL;TYPE=INTERNET,PREF:ann@example.com", "N:Example;Ann;;;",
                     "ORG:Example Corp;Finance", "NOTE;ENCODING=QUOTED-PRINTABLE:a=3Db=",
                     "X-OUTREACH-DO-NOT-CONTACT:maybe", "TEL:+1 555", " folded", "=",
                     "ADR;TYPE=WORK:;;Street 1;Town;;;", "CATEGORIES:a,b\\,c", ""]),
    texts.map(lambda t: "FN:" + t), texts.map(lambda t: "EMAIL:" + t), texts,
)


@FUZZ
@given(st.lists(vcard_lines, max_size=25), st.sampled_from(["\r\n", "\n", "\r"]))
def test_vcard_never_crashes(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    _accepts(lambda: importers.build(importers.parse_vcard(text, SOURCE), SOURCE, {}, NOW))


form_lines = st.one_of(
    st.sampled_from(["# Interview with Ann", "Date: 2026-03-04 10:00 Europe/Berlin",
                     "Date: 2026-03-04T10:00+01:00", "Date: someday", "Date: 2026-13-40 25:00",
                     "Date: 2026-03-04 10:00 Mars/Olympus", "## Impressions", "## Fit",
                     "## Referral names", "## Advice", "## Gossip", "- skills: 4 - fine",
                     "- skills: 9", "- values:", "- Kim <kim@example.com> - may use name: yes",
                     "- Kim <kim> - may use name: perhaps", "<!--", "-->", "-", "*"]),
    texts,
)


@FUZZ
@given(st.lists(form_lines, max_size=30))
def test_log_form_never_crashes(lines: list[str]) -> None:
    _accepts(lambda: logform.parse("\n".join(lines), TZ, "form"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=True) | texts,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["date", "impressions", "answers", "fit", "advice",
                                       "referrals", "skills", "job", "name", "email",
                                       "may_use_name", "score", "note", "x"]), inner,
                      max_size=5),
    max_leaves=15,
)


@FUZZ
@given(json_values)
def test_log_data_never_crashes(data: object) -> None:
    _accepts(lambda: logform.parse_data(data, TZ, "data.yaml"))


EXAMPLE = loader.render_example({"paths.store": "/fuzz/store.json"}).splitlines()


@FUZZ
@given(st.integers(0, len(EXAMPLE) - 1), texts)
def test_config_with_any_line_changed_never_crashes(number: int, line: str) -> None:
    lines = list(EXAMPLE)
    lines[number] = line
    def load() -> None:
        assert isinstance(loader.loads("\n".join(lines), SOURCE / "c.yaml"), Settings)
    _accepts(load)


@FUZZ
@given(st.integers(0, len(EXAMPLE) - 1), json_values)
def test_config_with_any_value_changed_never_crashes(number: int, value: object) -> None:
    import yaml

    lines = list(EXAMPLE)
    key, sep, _ = lines[number].partition(":")
    if not sep or key.strip().startswith("#"):
        return
    dumped = yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()
    lines[number] = f"{key}: {dumped}"
    _accepts(lambda: loader.loads("\n".join(lines), SOURCE / "c.yaml"))


@FUZZ
@given(texts)
def test_config_text_never_crashes(text: str) -> None:
    _accepts(lambda: loader.loads(text, SOURCE / "c.yaml"))
