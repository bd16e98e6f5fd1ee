"""Rendering the emails and the prep sheet: content from the guide, strictness, overrides."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from outreach.config.settings import Paths, Settings, TimeSettings, User
from outreach.core.errors import TemplateError
from outreach.core.model import Contact, Interview, Kind, Message, Mode, Referral, Slot
from outreach.writing import compose

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 27, 16, 0, tzinfo=BERLIN)


def _settings(tmp_path: Path, **user: str) -> Settings:
    fields = {"name": "Sam Sample", "email": "sam@example.com"} | user
    return Settings(
        user=User(**fields),  # type: ignore[arg-type]
        paths=Paths(store=tmp_path / "store.json"),
        time=TimeSettings(timezone="Europe/Berlin"),
    )


def _full(tmp_path: Path):
    settings = _settings(
        tmp_path, phone="+49 30 555 0100", title="Analyst", department="Finance",
        organization="Example Corp",
    )  # fmt: skip
    referrer = Contact(name="Rita Referrer", email="rita@example.com", title="Manager")
    contact = Contact(
        name="Alex Example", email="alex@example.com", title="Lead Engineer",
        department="Platform", organization="Example Corp", office="Building 2, room 301",
        mailing_address="1 Example Way", phone="+1 212 555 0100", area="platform engineering",
        research_notes="Runs the platform team.", timezone="America/New_York",
        internal=True, referred_by=referrer.id, may_use_referrer_name=True,
    )  # fmt: skip
    interview = Interview(
        contact_id=contact.id, start=datetime(2026, 10, 27, 15, tzinfo=BERLIN),
        location="Building 2, room 301", impressions="Friendly team.",
        advice="Join the platform guild. Then read the runbooks.",
        referrals=[Referral(name="Pat Person", email="pat@example.com")],
    )  # fmt: skip
    slots = [
        Slot(
            datetime(2026, 10, 29, 15, tzinfo=BERLIN), datetime(2026, 10, 29, 15, 30, tzinfo=BERLIN)
        ),
        Slot(
            datetime(2026, 10, 30, 16, tzinfo=BERLIN), datetime(2026, 10, 30, 16, 30, tzinfo=BERLIN)
        ),
    ]
    thread = Message(contact_id=contact.id, kind=Kind.REQUEST, subject="RE: Re: Coffee?")
    return settings, contact, referrer, interview, slots, thread


def _context_full(tmp_path: Path, kind: str) -> dict:
    settings, contact, referrer, interview, slots, thread = _full(tmp_path)
    if kind == "report-back":
        return compose.build_context(
            settings, referrer, now=NOW, interview=interview, referred=contact
        )
    return compose.build_context(
        settings, contact, now=NOW, slots=slots, interview=interview, referrer=referrer,
        thread=thread, follow_up=1,
    )  # fmt: skip


def _context_bare(tmp_path: Path) -> dict:
    contact = Contact(name="Alex Example", email="alex@example.com")
    return compose.build_context(_settings(tmp_path), contact, now=NOW)


@pytest.mark.parametrize("kind", compose.EMAILS)
def test_every_email_renders_full_and_bare(tmp_path: Path, kind: str):
    for context in (_context_full(tmp_path, kind), _context_bare(tmp_path)):
        email = compose.render_email(kind, context)
        assert email.subject and "\n" not in email.subject
        assert "Dear " in email.text and "Sam Sample" in email.text
        doc = lxml.html.document_fromstring(email.html)
        assert doc.find(".//body") is not None
        assert "Dear " in doc.text_content()


def test_request_follows_the_arranging_script(tmp_path: Path):
    email = compose.render_email("request", _context_full(tmp_path, "request"))
    text = " ".join(email.text.split())
    assert "Rita Referrer suggested" in text
    assert "learning more about the area of platform engineering" in text
    assert "not looking for a job change" in text
    assert "informed educational and career decisions" in text
    assert "come to your office (Building 2, room 301)" in text
    assert "phone call" in text
    assert "30 minutes" in text
    # times in the contact's zone, and it says which
    assert "Thursday 29 October 2026, 10:00–10:30 EDT" in text
    assert "Friday 30 October 2026, 11:00–11:30 EDT" in text
    assert "your time zone (America/New_York)" in text
    assert (
        email.subject
        == "Request for a 30-minute informational interview about platform engineering"
    )


def test_times_in_users_zone_when_contacts_is_unknown(tmp_path: Path):
    settings, contact, _, _, slots, _ = _full(tmp_path)
    contact.timezone = None
    text = compose.render_email(
        "request", compose.build_context(settings, contact, now=NOW, slots=slots)
    ).text
    assert "Thursday 29 October 2026, 15:00–15:30 CET" in text
    assert "my time zone (Europe/Berlin)" in text


def test_referrer_not_named_without_permission(tmp_path: Path):
    settings, contact, referrer, *_ = _full(tmp_path)
    contact.may_use_referrer_name = False
    context = compose.build_context(settings, contact, now=NOW, referrer=referrer)
    assert "Rita" not in compose.render_email("request", context).text
    assert "(you may not mention this name)" in compose.render_prep(context)


def test_follow_up_is_in_the_same_thread(tmp_path: Path):
    email = compose.render_email(
        compose.template_name(Kind.FOLLOW_UP, 2), _context_full(tmp_path, "x")
    )
    assert email.subject == "Re: Coffee?"
    assert "one last time" in email.text


def test_thank_you_mentions_notes_and_referrals(tmp_path: Path):
    email = compose.render_email(Kind.THANK_YOU, _context_full(tmp_path, "thank-you"))
    assert email.subject == "Thank you for your time today"
    assert "Join the platform guild." in email.text and "runbooks" not in email.text
    assert "speak with Pat Person" in email.text


def test_report_back_names_the_referred_person(tmp_path: Path):
    email = compose.render_email("report-back", _context_full(tmp_path, "report-back"))
    assert email.subject == "Thank you for putting me in touch with Alex Example"
    assert email.text.startswith("Dear Rita Referrer,")


def test_invite_body_has_purpose_length_place(tmp_path: Path):
    settings, contact, _, interview, _, _ = _full(tmp_path)
    interview.mode = Mode.PHONE
    email = compose.render_email(
        "invite", compose.build_context(settings, contact, now=NOW, interview=interview)
    )
    assert "Purpose: an informational interview" in email.text
    assert "Length: 30 minutes" in email.text
    assert "Place: by phone (+1 212 555 0100)" in email.text
    assert "When: Tuesday 27 October 2026, 10:00 EDT" in email.text


def test_contact_data_is_escaped_in_html(tmp_path: Path):
    contact = Contact(name='<script>alert("x")</script> & Co', email="a@example.com", area="<b>")
    email = compose.render_email(
        "request", compose.build_context(_settings(tmp_path), contact, now=NOW)
    )
    assert "<script>" not in email.html and "<b>" not in email.html
    assert "&lt;script&gt;" in email.html and "&amp; Co" in email.html
    assert '<script>alert("x")</script> & Co' in email.text  # plain text stays plain
    assert email.subject == "Request for a 30-minute informational interview about <b>"


def test_control_characters_are_dropped(tmp_path: Path):
    contact = Contact(name="Al\x00ex\x0b Example", email="a@example.com")
    email = compose.render_email(
        "request", compose.build_context(_settings(tmp_path), contact, now=NOW)
    )
    assert "Dear Alex Example," in email.text
    assert "\x00" not in email.html and "\x0b" not in email.html


def test_prep_sheet_marks_chosen_questions(tmp_path: Path):
    settings, contact, referrer, interview, _, _ = _full(tmp_path)
    before = datetime(2026, 10, 1, 10, tzinfo=BERLIN)
    notes = "Long hours,\nbut rewarding."
    earlier = [(referrer, Interview(contact_id=referrer.id, start=before, impressions=notes))]
    sheet = compose.render_prep(
        compose.build_context(
            settings,
            contact,
            now=NOW,
            interview=interview,
            referrer=referrer,
            earlier=earlier,
            chosen={"job-1"},
        )
    )
    assert sheet.startswith("# Prep sheet: Alex Example")
    assert "- [x] Could you briefly describe a typical day's activities? `job-1`" in sheet
    assert "- [ ] How did you get into your position? `qualifications-1`" in sheet
    assert "Runs the platform team." in sheet
    assert "Rita Referrer (Manager): Long hours, but rewarding." in sheet
    for title in ("Qualifications", "Training and work experience", "Job specifications",
                  "Work environment", "Referrals"):  # fmt: skip
        assert f"### {title}" in sheet
    bare = compose.render_prep(_context_bare(tmp_path))
    assert "Not scheduled yet" in bare and "None yet." in bare


def test_override_wins_file_by_file(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "request.subject.j2").write_text("Hello from {{ user.name }}\n\nsecond line\n")
    email = compose.render_email("request", _context_bare(tmp_path), templates=folder)
    assert email.subject == "Hello from Sam Sample second line"
    assert "not looking for a job change" in email.text  # the packaged body still serves


def test_undefined_variable_names_file_line_and_variable(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "request.txt.j2").write_text("Dear {{ contact.name }},\n\n{{ contact.nickname }}\n")
    with pytest.raises(TemplateError) as caught:
        compose.render_email("request", _context_bare(tmp_path), templates=folder)
    message = str(caught.value)
    assert str(folder / "request.txt.j2") in message
    assert "line 3" in message and "nickname" in message


def test_syntax_error_names_file_and_line(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thank-you.html.j2").write_text("<p>\n{% if %}\n</p>\n")
    with pytest.raises(TemplateError, match=r"thank-you\.html\.j2, line 2: syntax error"):
        compose.render_email("thank-you", _context_bare(tmp_path), templates=folder)


def test_unknown_email_and_empty_subject(tmp_path: Path):
    with pytest.raises(TemplateError, match="No email called 'nope'"):
        compose.render_email("nope", _context_bare(tmp_path))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "invite.subject.j2").write_text("  \n")
    with pytest.raises(TemplateError, match="empty subject"):
        compose.render_email("invite", _context_bare(tmp_path), templates=folder)


def test_every_email_has_its_three_packaged_files():
    folder = compose.packaged_templates()
    for name in compose.EMAILS:
        for part in compose.PARTS:
            assert (folder / f"{name}.{part}.j2").is_file()
    assert (folder / compose.PREP).is_file()


def test_cli_preview_and_prep_use_the_store(tmp_path: Path):
    from click.testing import CliRunner

    from outreach.cli.main import cli

    config = str(tmp_path / "config.yaml")
    run = CliRunner().invoke

    def ok(*args: str) -> str:
        result = run(cli, ["-c", config, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    ok("init", "--name", "Sam Sample", "--email", "sam@example.com", "--timezone", "Europe/Berlin",
       "--store", str(tmp_path / "store.json"))  # fmt: skip
    ok("contacts", "add", "--name", "Alex <Example>", "--email", "alex@example.com",
       "--area", "platform engineering", "--tags", "ask:job-1")  # fmt: skip
    text = ok("templates", "preview", "request", "--contact", "alex", "--html")
    assert "Subject: Request for a 30-minute informational interview about platform" in text
    assert "Dear Alex <Example>," in text and "Dear Alex &lt;Example&gt;," in text
    out = tmp_path / "prep.md"
    ok("prep", "alex", "--ask", "referrals-2", "--output", str(out))
    sheet = out.read_text()
    assert sheet.count("- [x]") == 2 and "`job-1`" in sheet
    assert "request.txt.j2" in ok("templates", "list")
    assert ok("templates", "show", "invite.subject.j2").startswith("Informational interview:")
    bad = run(cli, ["-c", config, "prep", "alex", "--ask", "job-99"])
    assert bad.exit_code != 0


def test_a_name_with_a_line_break_never_makes_a_header_of_its_own(tmp_path: Path):
    """A store written before names were checked: preview still shows one To: line."""
    from click.testing import CliRunner

    from outreach.cli.main import cli
    from outreach.store.db import Store

    config = str(tmp_path / "config.yaml")

    def ok(*args: str) -> str:
        result = CliRunner().invoke(cli, ["-c", config, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    ok("init", "--name", "Sam Sample", "--email", "sam@example.com", "--timezone", "Europe/Berlin",
       "--store", str(tmp_path / "store.json"))  # fmt: skip
    ok("contacts", "add", "--name", "Alex Example", "--email", "alex@example.com")
    with Store(tmp_path / "store.json").transaction() as state:
        [alex] = state.contacts.values()
        alex.name = "Alex\nBcc: eve@example.com"
    text = ok("templates", "preview", "request", "--contact", "alex")
    assert not [line for line in text.splitlines() if line.startswith("Bcc:")]
    assert "To: Alex Bcc: eve@example.com <alex@example.com>" in text
