"""CSV and vCard: round trips, skipped rows with line numbers, malformed files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import vobject

from outreach.core.errors import UserError
from outreach.core.model import Contact, Source
from outreach.store import importers

FIELDS = ("name", "email", "title", "department", "organization", "office",
          "mailing_address", "phone", "source", "area", "research_notes", "tags",
          "do_not_contact")


def tricky() -> list[Contact]:
    referrer = Contact(name="Zoë Ünïcode-Ñame", email="zoe@example.com", title='Head of "Data"',
                       department="R&D; Analytics", organization="Example, Inc.",
                       office="Bldg 2, Room 3", mailing_address="1 Main St\nSpringfield, 12345",
                       phone="+1 555 0100", source=Source.CO_WORKER, area="data, engineering",
                       research_notes='Line one, with "quotes";\nline two\\ with backslash',
                       tags=["warm", "r&d"], do_not_contact=False)
    referred = Contact(name="Sam Sample", email="Sam.Sample@example.com", source=Source.REFERRAL,
                       referred_by=referrer.id, do_not_contact=True, tags=["日本語"])
    return [referrer, referred]


def same(a: Contact, b: Contact) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in FIELDS)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("fmt", ["csv", "vcf"])
def test_round_trip(fmt: str, tmp_path: Path, now: datetime) -> None:
    originals = tricky()
    emails = {c.id: c.email for c in originals}
    writer = importers.write_csv if fmt == "csv" else importers.write_vcard
    path = write(tmp_path, f"out.{fmt}", writer(originals, emails))
    result = importers.read_file(path, importers.detect_format(path), {}, now)
    assert result.skipped == [] and result.notes == []
    assert len(result.contacts) == 2
    for original, imported in zip(originals, result.contacts, strict=True):
        assert same(original, imported), (original, imported)
        assert imported.created_at == now
    assert result.contacts[1].referred_by == result.contacts[0].id  # by email, within the file


def test_vcard_lines_are_folded_at_75_octets() -> None:
    text = importers.write_vcard(tricky(), {})
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    long = Contact(name="A", email="a@example.com", research_notes="é" * 200)
    folded = importers.write_vcard([long], {})
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    row = importers.parse_vcard(folded, Path("x.vcf"))[0][1]
    assert row["research_notes"] == "é" * 200


def test_our_vcards_read_in_another_parser() -> None:
    cards = list(vobject.readComponents(importers.write_vcard(tricky(), {})))
    first = cards[0]
    assert first.fn.value == "Zoë Ünïcode-Ñame"
    assert first.email.value == "zoe@example.com"
    assert first.org.value == ["Example, Inc.", "R&D; Analytics"]
    assert first.note.value == 'Line one, with "quotes";\nline two\\ with backslash'
    assert first.categories.value == ["warm", "r&d"]


def test_another_parsers_vcards_import(tmp_path: Path, now: datetime) -> None:
    card = vobject.vCard()
    card.add("fn").value = "Robin Roe, Jr."
    card.add("n").value = vobject.vcard.Name(family="Roe", given="Robin")
    card.add("email").value = "robin@example.com"
    card.add("title").value = "Editor; chief"
    card.add("note").value = "Met at the\nassociation dinner, 2025"
    card.add("org").value = ["Example Corp", "Newsroom"]
    path = write(tmp_path, "in.vcf", card.serialize())
    contact = importers.read_file(path, "vcf", {}, now).contacts[0]
    assert (contact.name, contact.email, contact.title) == ("Robin Roe, Jr.",
                                                            "robin@example.com", "Editor; chief")
    assert contact.research_notes == "Met at the\nassociation dinner, 2025"
    assert (contact.organization, contact.department) == ("Example Corp", "Newsroom")


def test_outlook_vcard_21_quoted_printable_imports_decoded(tmp_path: Path,
                                                          now: datetime) -> None:
    # Outlook's "Save as vCard" writes 2.1: QUOTED-PRINTABLE values, soft line breaks ("="
    # at the end, the next line not indented) and bare parameters (PREF, INTERNET).
    path = write(tmp_path, "outlook.vcf", (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=utf-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
        "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:J=C3=BCrgen M=C3=BCller\r\n"
        "ORG;CHARSET=utf-8:Example Corp;Finance\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:Met at the offsite.=0D=0AAsk about the =\r\n"
        "data team: call at 10:00.\r\n"
        "EMAIL;PREF;INTERNET:juergen.mueller@example.com\r\n"
        "ADR;WORK;ENCODING=QUOTED-PRINTABLE:;;Hauptstra=C3=9Fe 1;Berlin;;10115;Germany\r\n"
        "END:VCARD\r\n"
    ))
    contact = importers.read_file(path, "vcf", {}, now).contacts[0]
    assert (contact.name, contact.email) == ("Jürgen Müller", "juergen.mueller@example.com")
    assert contact.research_notes == "Met at the offsite.\nAsk about the data team: call at 10:00."
    assert contact.mailing_address == "Hauptstraße 1, Berlin, 10115, Germany"
    assert contact.department == "Finance"


def test_csv_skips_bad_rows_with_line_and_reason(tmp_path: Path, now: datetime) -> None:
    path = write(tmp_path, "c.csv", (
        "Full Name,E-mail,Notes,Source\r\n"
        '"Roe, Robin",robin@example.com,"two\r\nlines",co-worker\r\n'   # lines 2-3
        "Bad Address,not-an-email,,\r\n"                                # 4
        ",nobody@example.com,,\r\n"                                     # 5
        "Robin Again,ROBIN@example.com,,\r\n"                           # 6
        "Kept Person,kept@example.com,,\r\n"                            # 7
        "Known Person,Known@Example.com,,\r\n"                          # 8
        "Odd Source,odd@example.com,,planet\r\n"                        # 9
        "Too,many@example.com,fields,other,here\r\n"                    # 10
        "\r\n"
        "No Email,,,\r\n"                                               # 12
    ))
    result = importers.read_file(path, "csv", {"known@example.com": "c1"}, now)
    assert [c.email for c in result.contacts] == ["robin@example.com", "kept@example.com"]
    assert result.contacts[0].research_notes == "two\nlines"
    assert [(s.line, s.reason) for s in result.skipped] == [
        (4, "Bad Address: 'not-an-email' is not an email address"),
        (5, "no name"),
        (6, "ROBIN@example.com already appears on line 2"),
        (8, "Known@Example.com is already in the store"),
        (9, "Odd Source: unknown source 'planet' (expected one of co-worker, supervisor, "
            "former-supervisor, association, training-specialist, directory, "
            "employee-communications, org-chart, referral, other)"),
        (10, "5 fields, but the header has 4 (a comma outside quotes?)"),
        (12, "No Email: no email address"),
    ]


def test_csv_first_and_last_name_columns_and_bom(tmp_path: Path, now: datetime) -> None:
    path = write(tmp_path, "c.csv", "\ufeffFirst Name,Last Name,Email Address,Company\n"
                                    "Robin,Roe,robin@example.com,Example Corp\n")
    contact = importers.read_file(path, "csv", {}, now).contacts[0]
    assert (contact.name, contact.organization) == ("Robin Roe", "Example Corp")


def test_unknown_referrer_is_a_note_not_a_skip(tmp_path: Path, now: datetime) -> None:
    path = write(tmp_path, "c.csv", "name,email,referred_by\nA B,ab@example.com,x@example.com\n")
    result = importers.read_file(path, "csv", {}, now)
    assert len(result.contacts) == 1 and result.contacts[0].referred_by is None
    assert result.notes == ["line 2: A B's referrer 'x@example.com' is not a contact; "
                            "referred_by left empty"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", 'name,email\n"Robin,robin@example.com\n', "c.csv:2: not valid CSV"),
        ("c.csv", "who,where\nRobin,robin@example.com\n",
         "c.csv:1: the header needs an email column and a name column"),
        ("c.csv", "", "c.csv is empty"),
        ("c.csv", b"name,email\nJos\xe9,j@example.com\n", "c.csv is not UTF-8 text"),
        ("c.vcf", "BEGIN:VCARD\nFN:A\nEMAIL:a@example.com\n", "c.vcf:1: the card that begins "
         "here has no END:VCARD"),
        ("c.vcf", "FN:A\n", "c.vcf:1: FN outside BEGIN:VCARD/END:VCARD"),
        ("c.vcf", "BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nEND:VCARD\n", "c.vcf:3: a card begins"),
        ("c.vcf", "BEGIN:VCARD\nFN A\nEND:VCARD\n", "c.vcf:2: not a vCard line"),
        ("c.vcf", "\n\n", "c.vcf holds no vCard"),
    ],
)
def test_malformed_files_import_nothing(name: str, content: str | bytes, message: str,
                                        tmp_path: Path, now: datetime) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(UserError) as caught:
        importers.read_file(path, importers.detect_format(path), {}, now)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_format_from_name_or_option() -> None:
    assert importers.detect_format(Path("a.VCF")) == "vcf"
    assert importers.detect_format(Path("a.csv")) == "csv"
    assert importers.detect_format(Path("a.dat"), "vcf") == "vcf"
    with pytest.raises(UserError, match="pass --format"):
        importers.detect_format(Path("a.dat"))
