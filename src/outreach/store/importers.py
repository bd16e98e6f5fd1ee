"""CSV and vCard in and out: rows become contacts, with a report of what was skipped.

Reading is all or nothing at the file level: a file that cannot be parsed
(bad encoding, an unclosed quote, a card without END) raises UserError naming
the line, and nothing is imported. A parsable file imports every good row and
reports each skipped one (missing name, bad email, duplicate, unknown source)
with its line number. Nothing here touches the store: the caller decides.
"""

from __future__ import annotations

import csv
import io
import quopri
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from outreach.core import progress, textsafe
from outreach.core.errors import UserError
from outreach.core.model import Contact, Source, new_contact

EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")
FORMATS = ("csv", "vcf")

#: The CSV columns written by export and understood by import.
COLUMNS = ("name", "email", "title", "department", "organization", "office",
           "mailing_address", "phone", "source", "referred_by", "area", "research_notes",
           "tags", "do_not_contact", "internal")

#: Other spellings of those columns seen in address-book exports.
ALIASES = {
    "e_mail": "email", "email_address": "email", "e_mail_address": "email", "mail": "email",
    "full_name": "name", "display_name": "name", "job_title": "title", "company": "organization",
    "organisation": "organization", "notes": "research_notes", "note": "research_notes",
    "area_of_interest": "area", "address": "mailing_address", "telephone": "phone",
    "phone_number": "phone", "business_phone": "phone", "categories": "tags",
    "first_name": "first_name", "given_name": "first_name", "last_name": "last_name",
    "surname": "last_name", "family_name": "last_name",
}
TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"0", "false", "no", "n"}
#: Columns that reach headers, log lines and tables: kept to one line on the way in.
ONE_LINE = ("title", "department", "organization", "office", "phone", "area")


@dataclass
class Skipped:
    line: int
    reason: str


@dataclass
class ImportResult:
    """The contacts ready to add, and the rows left out with the reason."""

    source: Path
    contacts: list[Contact] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # imported, but worth a word


def detect_format(path: Path, explicit: str | None = None) -> str:
    """Return 'csv' or 'vcf' from --format or the extension. Raise UserError if neither."""
    if explicit:
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("vcf", "vcard"):
        return "vcf"
    if suffix in ("csv", "txt"):
        return "csv"
    raise UserError(f"Cannot tell the format of {path} from its name; pass --format csv "
                    "or --format vcf.")


def valid_email(email: str) -> bool:
    """True for an address like name@example.com with no control or text-direction character."""
    return bool(EMAIL_RE.match(email)) and textsafe.problem(email) is None


def read_file(path: Path, fmt: str, existing: dict[str, str], now: datetime) -> ImportResult:
    """Given a file, its format and the store's emails (lowercase email -> contact id), parse it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"No file {path}.") from None
    except UnicodeDecodeError as bad:
        raise UserError(f"{path} is not UTF-8 text ({bad.reason} at byte {bad.start}); "
                        "nothing was imported. Save it as UTF-8 and try again.") from None
    except OSError as failure:
        raise UserError(f"{path} cannot be read: {failure}.") from None
    rows = parse_csv(text, path) if fmt == "csv" else parse_vcard(text, path)
    return build(rows, path, existing, now)


# --- rows to contacts ---------------------------------------------------------------------

Row = tuple[int, dict[str, str]]  # (first line, column -> value)


def build(rows: Iterable[Row], source: Path, existing: dict[str, str],
          now: datetime) -> ImportResult:
    """Turn rows into contacts, skipping the bad ones with the reason and line."""
    result = ImportResult(source)
    seen: dict[str, int] = {}
    known = dict(existing)
    pending_referrers: list[tuple[int, Contact, str]] = []
    for line, row in progress.counted(rows, "Reading contacts"):
        if "_error" in row:
            result.skipped.append(Skipped(line, row["_error"]))
            continue
        name = row.get("name", "").strip() or " ".join(
            p for p in (row.get("first_name", "").strip(), row.get("last_name", "").strip()) if p)
        email = row.get("email", "").strip()
        if not name:
            result.skipped.append(Skipped(line, "no name"))
            continue
        why = textsafe.problem(name)
        if why is not None:
            result.skipped.append(Skipped(line, f"name {name!r} holds {why}"))
            continue
        if not email:
            result.skipped.append(Skipped(line, f"{name}: no email address"))
            continue
        if not valid_email(email):
            result.skipped.append(Skipped(line, f"{name}: {email!r} is not an email address"))
            continue
        flag = row.get("do_not_contact", "").strip().lower()
        if flag and flag not in TRUE | FALSE:
            result.skipped.append(Skipped(line, f"{name}: do_not_contact {flag!r} should be "
                                          "yes or no (or empty)"))
            continue
        key = email.lower()
        if key in existing:
            result.skipped.append(Skipped(line, f"{email} is already in the store"))
            continue
        if key in seen:
            result.skipped.append(Skipped(line, f"{email} already appears on line {seen[key]}"))
            continue
        source_text = row.get("source", "").strip().lower().replace(" ", "-").replace("_", "-")
        try:
            source_value = Source(source_text) if source_text else Source.OTHER
        except ValueError:
            choices = ", ".join(s.value for s in Source)
            result.skipped.append(Skipped(line, f"{name}: unknown source '{row['source']}' "
                                          f"(expected one of {choices})"))
            continue
        internal_text = row.get("internal", "").strip().lower()
        if internal_text and internal_text not in TRUE | FALSE:
            result.skipped.append(Skipped(line, f"{name}: internal must be yes or no, not "
                                          f"'{row['internal']}'"))
            continue
        text = {k: textsafe.one_line(_unquote(row.get(k, ""))) for k in ONE_LINE}
        contact = new_contact(
            now,
            name=textsafe.one_line(name), email=email, title=text["title"],
            department=text["department"], organization=text["organization"],
            office=text["office"],
            mailing_address=textsafe.lines(_unquote(row.get("mailing_address", ""))),
            phone=text["phone"], source=source_value, area=text["area"],
            research_notes=textsafe.lines(_unquote(row.get("research_notes", ""))),
            tags=[textsafe.one_line(t) for t in re.split(r"[;,]", row.get("tags", ""))
                  if textsafe.one_line(t)],
            do_not_contact=row.get("do_not_contact", "").strip().lower() in TRUE,
            internal=(internal_text in TRUE) if internal_text else None,
        )
        seen[key] = line
        known[key] = contact.id
        if row.get("referred_by", "").strip():
            pending_referrers.append((line, contact, row["referred_by"].strip()))
        result.contacts.append(contact)
    ids = set(known.values())
    for line, contact, referrer in pending_referrers:
        if referrer in ids:
            contact.referred_by = referrer
        elif referrer.lower() in known:
            contact.referred_by = known[referrer.lower()]
        else:
            result.notes.append(f"line {line}: {contact.name}'s referrer '{referrer}' is not a "
                                "contact; referred_by left empty")
    return result


# --- CSV ----------------------------------------------------------------------------------


def _column(header: str) -> str:
    key = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return ALIASES.get(key, key)


def parse_csv(text: str, source: Path) -> list[Row]:
    """Return (line, row) pairs. Raise UserError if the file itself is malformed."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    line = 1
    try:
        header = next(reader, None)
        if header is None:
            raise UserError(f"{source} is empty; nothing was imported.")
        columns = [_column(h) for h in header]
        if "email" not in columns or not ({"name", "first_name", "last_name"} & set(columns)):
            raise UserError(
                f"{source}:1: the header needs an email column and a name column "
                f"(found: {', '.join(header)}); nothing was imported.",
                [f"Known columns: {', '.join(COLUMNS)}."])
        while True:
            line = reader.line_num + 1
            values = next(reader, None)
            if values is None:
                break
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                rows.append((line, {"_error": f"{len(values)} fields, but the header has "
                                              f"{len(columns)} (a comma outside quotes?)"}))
                continue
            rows.append((line, dict(zip(columns, values, strict=False))))
    except csv.Error as bad:
        raise UserError(f"{source}:{line}: not valid CSV in the row that starts here ({bad}); "
                        "nothing was imported.") from None
    return rows


def _unquote(value: str) -> str:
    """Undo ``textsafe.csv_cell``: a ' before what a spreadsheet would run was ours."""
    if value.startswith("'") and value[1:2] and value[1:2] in "=+-@\t\r":
        return value[1:]
    return value


def write_csv(contacts: Iterable[Contact], emails: dict[str, str]) -> str:
    """Return CSV text of the contacts; referred_by is written as the referrer's email."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for contact in contacts:
        values = contact.to_dict()
        values["tags"] = "; ".join(contact.tags)
        values["do_not_contact"] = "yes" if contact.do_not_contact else ""
        values["internal"] = {True: "yes", False: "no", None: ""}[contact.internal]
        values["referred_by"] = emails.get(contact.referred_by or "", contact.referred_by or "")
        writer.writerow([textsafe.csv_cell(str(values[c] or "")) for c in COLUMNS])
    return out.getvalue()


# --- vCard --------------------------------------------------------------------------------


def _quoted_printable(params: dict[str, str]) -> bool:
    """True if a property's parameters say QUOTED-PRINTABLE (vCard 2.1, as Outlook writes)."""
    return params.get("ENCODING", "").upper() == "QUOTED-PRINTABLE" or "QUOTED-PRINTABLE" in params


def _soft_break(line: str) -> bool:
    if not line.endswith("="):
        return False
    prop = _property(line)
    return prop is not None and _quoted_printable(prop[1])


def _unfold(text: str) -> list[tuple[int, str]]:
    """Return logical lines with the number of their first physical line.

    Folding is a leading space (vCard 3/4) or, in a quoted-printable value, a
    trailing "=" (vCard 2.1 as Outlook writes it).
    """
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if logical and _soft_break(logical[-1][1]):
            first, so_far = logical[-1]
            logical[-1] = (first, so_far[:-1] + raw)
        elif raw[:1] in (" ", "\t") and logical:
            first, so_far = logical[-1]
            logical[-1] = (first, so_far + raw[1:])
        elif raw.strip():
            logical.append((number, raw))
    return logical


def _decoded(params: dict[str, str], value: str) -> str:
    """A vCard 2.1 quoted-printable value as text in its CHARSET (default UTF-8)."""
    if not _quoted_printable(params):
        return value
    data = quopri.decodestring(value.encode("ascii", errors="replace"))
    try:
        text = data.decode(params.get("CHARSET") or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n")


def _split(value: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped, then unescape each part."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append({"n": "\n", "N": "\n"}.get(char, char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _property(line: str) -> tuple[str, dict[str, str], str] | None:
    """Return (NAME, params, raw value) of a content line, None if it has no colon."""
    in_quotes = False
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            head, value = line[:index], line[index + 1:]
            name, *params = head.split(";")
            parsed = {}
            for param in params:
                key, _, val = param.partition("=")
                parsed[key.upper()] = val.strip('"')
            return name.rpartition(".")[2].upper(), parsed, value
    return None


def parse_vcard(text: str, source: Path) -> list[Row]:
    """Return one (line, row) per card. Raise UserError if the file is malformed."""
    rows: list[Row] = []
    card: dict[str, str] | None = None
    start = 0
    for number, line in _unfold(text):
        prop = _property(line)
        if prop is None:
            raise UserError(f"{source}:{number}: not a vCard line ({line[:40]!r}); nothing "
                            "was imported.")
        name, params, value = prop
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            if card is not None:
                raise UserError(f"{source}:{number}: a card begins before the card of line "
                                f"{start} ends; nothing was imported.")
            card, start = {}, number
            continue
        if card is None:
            raise UserError(f"{source}:{number}: {name} outside BEGIN:VCARD/END:VCARD; "
                            "nothing was imported.")
        if name == "END":
            rows.append((start, card))
            card = None
            continue
        _take(card, name, params, _decoded(params, value))
    if card is not None:
        raise UserError(f"{source}:{start}: the card that begins here has no END:VCARD; "
                        "nothing was imported.")
    if not rows:
        raise UserError(f"{source} holds no vCard; nothing was imported.")
    return rows


def _take(card: dict[str, str], name: str, params: dict[str, str], value: str) -> None:
    """Copy one vCard property into the row, first value wins (PREF wins for email)."""
    simple = {"FN": "name", "TITLE": "title", "NOTE": "research_notes", "TEL": "phone",
              "X-OUTREACH-SOURCE": "source", "X-OUTREACH-AREA": "area",
              "X-OUTREACH-OFFICE": "office", "X-OUTREACH-REFERRED-BY": "referred_by",
              "X-OUTREACH-DO-NOT-CONTACT": "do_not_contact"}
    if name in simple:
        card.setdefault(simple[name], _split(value, "\x00")[0])
    elif name == "EMAIL":
        preferred = "pref" in params.get("TYPE", "").lower() or "PREF" in params
        if preferred or "email" not in card:
            card["email"] = _split(value, "\x00")[0]
    elif name == "N":
        family, given, *_ = [*_split(value, ";"), "", ""]
        card.setdefault("first_name", given)
        card.setdefault("last_name", family)
    elif name == "ORG":
        org, dept, *_ = [*_split(value, ";"), ""]
        card.setdefault("organization", org)
        card.setdefault("department", dept)
    elif name == "ADR":
        parts = [p.strip() for p in _split(value, ";")]
        card.setdefault("mailing_address", ", ".join(p for p in parts if p))
    elif name == "CATEGORIES":
        card.setdefault("tags", ";".join(_split(value, ",")))


def _escape(value: str) -> str:
    """Escape a text value the vCard 3.0 way (backslash, newline, comma, semicolon)."""
    value = value.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n")
    return value.replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> list[str]:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return out


def write_vcard(contacts: Iterable[Contact], emails: dict[str, str]) -> str:
    """Return vCard 3.0 text of the contacts (outreach's own fields as X-OUTREACH-*)."""
    lines: list[str] = []
    for contact in contacts:
        given, _, family = contact.name.rpartition(" ")
        props = [
            "BEGIN:VCARD", "VERSION:3.0",
            f"FN:{_escape(contact.name)}",
            f"N:{_escape(family or given)};{_escape(given if family else '')};;;",
            f"EMAIL;TYPE=INTERNET:{_escape(contact.email)}",
        ]
        if contact.title:
            props.append(f"TITLE:{_escape(contact.title)}")
        if contact.organization or contact.department:
            props.append(f"ORG:{_escape(contact.organization)};{_escape(contact.department)}")
        if contact.phone:
            props.append(f"TEL;TYPE=WORK:{_escape(contact.phone)}")
        if contact.mailing_address:
            props.append(f"ADR;TYPE=WORK:;;{_escape(contact.mailing_address)};;;;")
        if contact.research_notes:
            props.append(f"NOTE:{_escape(contact.research_notes)}")
        if contact.tags:
            props.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
        props.append(f"X-OUTREACH-SOURCE:{contact.source.value}")
        for prop, value in (("AREA", contact.area), ("OFFICE", contact.office),
                            ("REFERRED-BY", emails.get(contact.referred_by or "", "")),
                            ("DO-NOT-CONTACT", "yes" if contact.do_not_contact else "")):
            if value:
                props.append(f"X-OUTREACH-{prop}:{_escape(value)}")
        props.append("END:VCARD")
        for prop in props:
            lines.extend(_fold(prop))
    return "".join(line + "\r\n" for line in lines)
