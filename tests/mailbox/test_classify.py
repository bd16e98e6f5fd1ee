"""Classification of realistic incoming messages, as a table."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from outreach.core.observations import (
    AutoReply,
    Bounce,
    MeetingAccepted,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
    ReplyReceived,
)
from outreach.mailbox.classify import RawMessage, classify, failed_recipient
from outreach.mailbox.returndate import return_date

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
RECEIVED = datetime(2026, 11, 27, 10, 5, tzinfo=BERLIN)  # a Friday
OWN = ("user@example.com",)


def msg(**fields) -> RawMessage:
    fields.setdefault("item_id", "AAMkAGI2-item")
    fields.setdefault("received", RECEIVED)
    fields.setdefault("sender", "riley.moss@example.com")
    return RawMessage(**fields)


def case(kind: type, name: str, until: datetime | None = None, **fields: Any) -> Any:
    """One row of the table: the message (``fields``), what it must be classified as and,
    for an out-of-office, the return date read from it."""
    return pytest.param(msg(**fields), kind, until, id=name)


CASES = [
    case(ReplyReceived, "plain-reply-with-suppress-header-is-not-automatic",
         subject="RE: A 20-minute conversation about data engineering?",
         body_text="Happy to talk. Tuesday at 10 works for me.",
         headers={"x-auto-response-suppress": "All", "in-reply-to": "<a@example.com>"}),
    case(AutoReply, "exchange-oof-class-english", until=datetime(2026, 12, 3, tzinfo=BERLIN),
         subject="Automatic reply: A 20-minute conversation",
         item_class="IPM.Note.Rules.OofTemplate.Microsoft",
         body_text="Thank you for your message. I am out of the office and will be back on "
                   "3 December. For urgent matters contact the service desk."),
    case(AutoReply, "german-subject-bis-zum", until=datetime(2026, 12, 4, tzinfo=BERLIN),
         subject="Automatische Antwort: Gespräch",
         body_text="Vielen Dank für Ihre Nachricht. Ich bin bis zum 04.12.2026 nicht im Büro."),
    case(AutoReply, "french-subject-inclusive", until=datetime(2026, 12, 8, tzinfo=BERLIN),
         subject="Réponse automatique : Entretien",
         body_text="Je suis absente jusqu'au 7 décembre inclus."),
    case(AutoReply, "spanish-subject", until=datetime(2026, 12, 4, tzinfo=BERLIN),
         subject="Respuesta automática: Conversación",
         body_text="Estaré fuera de la oficina hasta el 4 de diciembre de 2026."),
    case(AutoReply, "dutch-tot-en-met", until=datetime(2026, 12, 5, tzinfo=BERLIN),
         subject="Automatisch antwoord: Gesprek",
         body_text="Ik ben afwezig tot en met 4 december. Vanaf maandag ben ik weer bereikbaar."),
    case(AutoReply, "rfc3834-us-date-settled-by-weekday",
         until=datetime(2026, 12, 7, tzinfo=BERLIN),
         subject="Out of office",
         headers={"auto-submitted": "auto-replied"},
         body_text="I'm away, returning Monday 12/7. Limited access to email."),
    case(AutoReply, "precedence-without-date",
         subject="Re: conversation",
         headers={"precedence": "auto_reply"},
         body_text="I am travelling with limited access to email."),
    case(ReplyReceived, "auto-submitted-no-is-a-person",
         subject="Re: conversation",
         headers={"auto-submitted": "no"},
         body_text="Sure, let's meet."),
    case(Bounce, "exchange-ndr",
         subject="Undeliverable: A 20-minute conversation",
         item_class="REPORT.IPM.Note.NDR",
         sender="postmaster@example.com",
         body_text="Your message to former.colleague@example.com couldn't be delivered.\n"
                   "former.colleague wasn't found at example.com.\n"
                   "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'"),
    case(Bounce, "exim-bounce-header",
         subject="Mail delivery failed: returning message to sender",
         sender="MAILER-DAEMON@mx.example.org",
         headers={"x-failed-recipients": "gone@example.org"},
         body_text="A message that you sent could not be delivered."),
    case(MeetingAccepted, "meeting-accepted",
         subject="Accepted: Informational interview",
         item_class="IPM.Schedule.Meeting.Resp.Pos",
         tracking_id="m1"),
    case(MeetingTentative, "meeting-tentative",
         subject="Tentative: Informational interview",
         item_class="IPM.Schedule.Meeting.Resp.Tent"),
    case(MeetingDeclined, "meeting-declined",
         subject="Declined: Informational interview", item_class="IPM.Schedule.Meeting.Resp.Neg"),
    case(MeetingProposedNewTime, "meeting-new-time",
         subject="New Time Proposed: Informational interview",
         item_class="IPM.Schedule.Meeting.Resp.Tent",
         proposed_start=datetime(2026, 12, 2, 14, tzinfo=BERLIN),
         proposed_end=datetime(2026, 12, 2, 14, 30, tzinfo=BERLIN)),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "kind", "until"), CASES)
def test_classify_table(raw: RawMessage, kind: type, until: datetime | None) -> None:
    seen = classify(raw, own=OWN)
    assert type(seen) is kind
    assert seen.item_id == raw.item_id
    assert seen.sender == raw.sender.lower()
    if isinstance(seen, AutoReply):
        assert seen.until == until


def test_bounce_names_the_failed_recipient_and_reason() -> None:
    seen = classify(CASES[9].values[0], own=OWN)
    assert isinstance(seen, Bounce)
    assert seen.recipient == "former.colleague@example.com"
    assert "5.1.1" in seen.reason
    exim = classify(CASES[10].values[0], own=OWN)
    assert exim.recipient == "gone@example.org"


def test_own_words_are_the_servers_unique_part_else_the_whole_body() -> None:
    body = "Thursday works.\n\nDe : Robin Vale\nEnvoyé : lundi 30 novembre 2026\n\nHello"
    unique = classify(msg(body_text=body, own_text="Thursday works.\r\n"), own=OWN)
    assert isinstance(unique, ReplyReceived)
    assert (unique.own_text, unique.body_text) == ("Thursday works.", body)
    for given in ("", " \r\n"):  # no unique part, or an empty one: the whole body
        assert classify(msg(body_text=body, own_text=given), own=OWN).own_text == body


def test_an_out_of_office_reads_its_return_date_from_its_own_words() -> None:
    """A date in the quoted request is not the return date of an auto-reply that quotes it."""
    quoted = "I am out of the office.\n\nFrom: Robin Vale\nCould we talk on 17 December?"
    seen = classify(
        msg(subject="Automatic reply: hello", body_text=quoted, own_text=quoted.split("\n\n")[0]),
        own=OWN,
    )
    assert isinstance(seen, AutoReply) and seen.until is None


def test_failed_recipient_falls_back_to_report_recipients_but_never_self() -> None:
    report = msg(
        item_class="REPORT.IPM.Note.NDR",
        sender="postmaster@example.com",
        body_text="Delivery has failed.",
        recipients=("user@example.com", "x@example.net"),
    )
    assert failed_recipient(report, OWN) == "x@example.net"


def test_meeting_response_keeps_tracking_and_times() -> None:
    seen = classify(CASES[14].values[0])
    assert isinstance(seen, MeetingProposedNewTime)
    assert seen.start == datetime(2026, 12, 2, 14, tzinfo=BERLIN)
    assert classify(CASES[11].values[0]).tracking_id == "m1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will be back on 3 December.", (2026, 12, 3)),
        ("I'll be back in the office on Monday, December 7th.", (2026, 12, 7)),
        ("Out of office from 30 November to 4 December 2026.", (2026, 12, 4)),
        ("I am on leave until 2026-12-09 and will reply then.", (2026, 12, 9)),
        ("Back Jan 5, 2027. Happy holidays!", (2027, 1, 5)),
        ("Ab dem 7. Dezember bin ich wieder erreichbar.", (2026, 12, 7)),
        ("Ich bin bis 4. Dezember im Urlaub.", (2026, 12, 4)),
        ("Ich bin ab Montag wieder im Büro.", (2026, 11, 30)),
        ("De retour le lundi 7 décembre.", (2026, 12, 7)),
        ("Je serai de retour le 04/12/2026.", (2026, 12, 4)),
        ("Regresaré el 3 de diciembre.", (2026, 12, 3)),
        ("Ik ben terug op 3 december.", (2026, 12, 3)),
        ("I am out of the office through Friday.", (2026, 12, 5)),  # back the day after
        ("Returning 03/12 (UK date).", (2026, 12, 3)),
        ("Out today, back tomorrow.", (2026, 11, 28)),
        ("I am travelling and will be back next week.", (2026, 11, 30)),
        ("Ich bin morgen wieder im Büro.", (2026, 11, 28)),
        ("Guten Morgen! Ich bin bis Montag unterwegs.", (2026, 11, 30)),
        ("Je serai de retour demain.", (2026, 11, 28)),
        ("Estaré de vuelta la próxima semana.", (2026, 11, 30)),
        ("Vuelvo el lunes por la mañana.", (2026, 11, 30)),
        ("Ik ben volgende week terug.", (2026, 11, 30)),
        ("Sono fuori ufficio fino al 4 dicembre.", (2026, 12, 4)),
        ("Rientrerò lunedì 7 dicembre.", (2026, 12, 7)),
        ("Sono in ferie, torno la prossima settimana.", (2026, 11, 30)),
        ("Sarò assente fino a venerdì 4 dicembre incluso.", (2026, 12, 5)),
        ("Estarei ausente até 4 de dezembro.", (2026, 12, 4)),
        ("Estou de férias até segunda-feira.", (2026, 11, 30)),
        ("Volto amanhã.", (2026, 11, 28)),
    ],
)
def test_return_date_languages(text: str, expected: tuple[int, int, int]) -> None:
    assert return_date(text, RECEIVED) == datetime(*expected, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "text",
    [
        "I am out of the office with limited access to email.",
        "Call me on +49 30 1234-5678 at 9.30 if urgent.",
        "I'll get back to you as soon as possible.",
        "I will get back to you tomorrow if it is urgent.",
    ],
)
def test_return_date_absent(text: str) -> None:
    assert return_date(text, RECEIVED) is None


def test_return_date_year_rolls_over_and_time_zone_is_given() -> None:
    december = datetime(2026, 12, 20, 9, tzinfo=NEW_YORK)
    assert return_date("Back on 4 January.", december) == datetime(2027, 1, 4, tzinfo=NEW_YORK)
    assert return_date("Back on 4 January.", december, BERLIN) == datetime(
        2027, 1, 4, tzinfo=BERLIN
    )


def test_a_huge_bulk_mail_full_of_dates_is_classified_quickly() -> None:
    # Precedence: bulk makes a newsletter an auto-reply; its return date must not cost
    # minutes (date matching is quadratic) while the daemon's cycle waits.
    table = "".join(f"Event on {d % 28 + 1}.{d % 12 + 1}. in room {d}\n" for d in range(12000))
    raw = msg(
        sender="digest@example.org",
        subject="Weekly events",
        headers={"precedence": "bulk"},
        body_text="I am away until 3 December.\n\n" + table,
    )
    started = time.monotonic()
    seen = classify(raw, own=OWN)
    assert time.monotonic() - started < 2
    assert isinstance(seen, AutoReply) and seen.until == datetime(2026, 12, 3, tzinfo=BERLIN)
