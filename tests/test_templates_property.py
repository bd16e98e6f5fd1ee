"""Hostile data in every field: the emails stay well-formed, escaped, one-line subjects."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.config.settings import Paths, Settings, TimeSettings, User
from outreach.core.model import Contact, Interview, Mode, Referral, Slot
from outreach.writing import compose

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 27, 9, 0, tzinfo=BERLIN)
VOID = {"meta", "br"}
ALLOWED = {"html", "head", "meta", "body", "p", "br", "ul", "li", "a", "b"}

# Printable unicode plus the characters that break careless templates.
nasty = st.one_of(
    st.text(
        alphabet=st.one_of(
            st.characters(blacklist_categories=("Cs", "Cc")),
            st.sampled_from(list("<>&\"'\n\r\t{}%#`*_[]")),
        ),
        max_size=30,
    ),
    st.sampled_from(
        [
            "",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "</p></body></html>",
            "{{ user.email }}",
            'O\'Brien & "Sons"',
            "Ünïcödé 名前 🙂",
            "line one\nline two\r\nline three",
            "&amp; &lt;",
        ]
    ),
)
optional_zone = st.sampled_from([None, "America/New_York", "Asia/Kolkata", "Not/AZone"])


class _Checker(HTMLParser):
    """Collect problems: unknown tags, unbalanced nesting, script-ish attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.problems.append(f"unexpected <{tag}>")
        for name, value in attrs:
            if name not in {"style", "charset", "href"}:
                self.problems.append(f"unexpected attribute {name}")
            if name == "href" and not (value or "").startswith("mailto:"):
                self.problems.append(f"href {value!r}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")


def _check_html(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.problems, checker.problems
    assert not checker.stack, f"unclosed {checker.stack}"
    lxml.html.document_fromstring(html)


def _expected(value: str) -> str:
    return compose.oneline(compose._UNPRINTABLE.sub("", value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=nasty,
    other=nasty,
    email=nasty,
    zone=optional_zone,
    allowed=st.booleans(),
    mode=st.sampled_from(list(Mode)),
    with_interview=st.booleans(),
)
def test_every_email_survives_hostile_fields(
    name, other, email, zone, allowed, mode, with_interview
):
    user = User(
        name=name or "x", email=email, phone=other, title=other, department=name,
        organization=other, areas=(other,),
    )  # fmt: skip
    config = Settings(
        user=user, paths=Paths(store=Path("unused.json")), time=TimeSettings("Europe/Berlin")
    )
    referrer = Contact(name=other, email=email, title=name)
    contact = Contact(
        name=name, email=email, title=other, department=other, organization=name, office=other,
        mailing_address=other, phone=other, area=other, research_notes=other, timezone=zone,
        may_use_referrer_name=allowed, referred_by=referrer.id,
    )  # fmt: skip
    interview = Interview(
        contact_id=contact.id, start=datetime(2026, 10, 27, 15, tzinfo=BERLIN), mode=mode,
        location=other, impressions=name, advice=other,
        referrals=[Referral(name=name), Referral(other)],
    )  # fmt: skip
    slots = [
        Slot(
            datetime(2026, 10, 29, 15, tzinfo=BERLIN), datetime(2026, 10, 29, 15, 30, tzinfo=BERLIN)
        )
    ]
    for kind in compose.EMAILS:
        if kind == "report-back":
            context = compose.build_context(
                config,
                referrer,
                now=NOW,
                interview=interview if with_interview else None,
                referred=contact,
            )
        else:
            context = compose.build_context(
                config, contact, now=NOW, slots=slots, referrer=referrer,
                interview=interview if with_interview else None,
            )  # fmt: skip
        email = compose.render_email(kind, context)
        assert email.subject and email.subject == email.subject.strip()
        assert not any(c in email.subject for c in "\r\n\t\x0b\x0c")
        _check_html(email.html)
        recipient = referrer if kind == "report-back" else contact
        first = lxml.html.document_fromstring(email.html).find(".//p")
        assert first is not None
        assert first.text_content() == f"Dear {_expected(recipient.name)},"
        assert email.text.startswith(f"Dear {_expected(recipient.name)},")


@settings(max_examples=40, deadline=None)
@given(name=nasty, notes=nasty)
def test_prep_sheet_survives_hostile_fields(name, notes):
    config = Settings(user=User(name="Sam", email="sam@example.com"), paths=Paths(store=Path("x")))
    contact = Contact(name=name, email="a@example.com", research_notes=notes, title=notes)
    sheet = compose.render_prep(compose.build_context(config, contact, now=NOW, chosen={"job-2"}))
    assert sheet.splitlines()[0].rstrip() == f"# Prep sheet: {_expected(name)}".rstrip()
    assert "- [x] What are the key tasks" in sheet
