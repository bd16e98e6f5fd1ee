"""Tell what an incoming message is: a reply, an auto-reply, a bounce or a meeting response.

Pure: the backend copies the few fields it fetched into a ``RawMessage`` and this
module returns the matching observation. The signs are the ones Exchange and
RFC 3834 give; ``X-Auto-Response-Suppress`` is a request not to be answered
automatically, not a sign that the message itself is automatic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from html import unescape

from outreach.core.observations import (
    AutoReply,
    Bounce,
    Incoming,
    MeetingAccepted,
    MeetingDeclined,
    MeetingProposedNewTime,
    MeetingTentative,
    OutOfOffice,
    ReplyReceived,
)
from outreach.mailbox.returndate import return_date


@dataclass(frozen=True)
class RawMessage:
    """The fields of an Inbox item that classification needs; header names lower-case."""

    item_id: str
    received: datetime
    item_class: str = "IPM.Note"
    subject: str = ""
    sender: str = ""
    body_text: str = ""
    own_text: str = ""  # the server's unique part of the body; "" when it gave none
    headers: Mapping[str, str] = field(default_factory=dict)
    internet_message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    conversation_id: str | None = None
    recipients: tuple[str, ...] = ()  # To of the item (for a report: who it is about)
    tracking_id: str | None = None  # of the invite a meeting response answers
    proposed_start: datetime | None = None
    proposed_end: datetime | None = None


#: subjects Exchange and other servers put on automatic replies, accents folded
AUTO_REPLY_SUBJECTS = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?reply|autoreply|auto[- ]?response"
    r"|out of (?:the )?office"
    r"|automatische antwort|abwesenheitsnotiz|abwesend"
    r"|r[ée]ponse automatique|absence du bureau|absent\(e\)"
    r"|respuesta autom[áa]tica|fuera de la oficina"
    r"|automatisch antwoord|afwezig|niet aanwezig"
    r"|risposta automatica|fuori (?:sede|ufficio)|resposta autom[áa]tica|aus[êe]ncia)\s*[:\-]",
    re.IGNORECASE,
)
OOF_CLASSES = ("ipm.note.rules.ooftemplate.microsoft", "ipm.note.rules.replytemplate.microsoft")
AUTO_PRECEDENCE = {"auto_reply", "bulk", "junk"}
NDR_SUBJECTS = re.compile(
    r"^\s*(?:undeliverable|undelivered mail|delivery status notification \(failure\)"
    r"|mail delivery (?:failed|failure)|unzustellbar|non remis|no se puede entregar"
    r"|onbestelbaar)\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_FAILED_PHRASES = re.compile(
    r"(?:final-recipient|original-recipient|x-failed-recipients)\s*:\s*(?:rfc822\s*;\s*)?<?"
    r"(?P<a>[^\s>;]+@[^\s>;]+)"
    r"|(?:your message to|delivery has failed to these recipients or groups:?|"
    r"couldn't be delivered to|could not be delivered to|konnte nicht zugestellt werden an|"
    r"n'a pas pu [eê]tre remis [àa])\s*<?(?P<b>[^\s>;:]+@[^\s>;:]+)",
    re.IGNORECASE,
)
_STATUS = re.compile(r"(?:\b[45]\d\d[ -])?\b[45]\.\d{1,3}\.\d{1,3}\b[^\n]*")


_TAG = re.compile(r"<(/?)([a-z0-9]*)[^>]*>", re.I)
_BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
_IN, _OUT = "\x02+", "\x02-"  # where a blockquote opens and closes, on lines of their own


def html_text(html: str) -> str:
    """Readable text of an HTML body (for a message that came without a text body).

    Written as Outlook and Gmail write their text part: an ``<hr>`` (above Outlook's
    reply header) is a line of underscores, a ``<blockquote>`` (Gmail's and Apple
    Mail's quote) is ``>``-quoted, so the quote reads as a quote in text too.
    """
    source = re.sub(r"(?is)<(script|style|head)\b.*?</\1>|<!--.*?-->", "", html)

    def tag(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name == "blockquote":
            return f"\n{_OUT if closing else _IN}\n"
        if name == "hr":
            return "\n" + "_" * 32 + "\n"
        return "\n" if name in _BREAKS and (closing or name == "br") else ""

    lines: list[str] = []
    depth = 0
    for line in unescape(_TAG.sub(tag, source)).split("\n"):
        if line in (_IN, _OUT):
            depth = depth + 1 if line == _IN else max(0, depth - 1)
        else:
            line = line.rstrip()
            lines.append("> " * depth + line if depth and line.strip() else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def header(msg: RawMessage, name: str) -> str:
    return (msg.headers.get(name.lower()) or "").strip()


def is_bounce(msg: RawMessage) -> bool:
    """A non-delivery report: Exchange's report class, or a DSN by subject and sender."""
    item_class = msg.item_class.lower()
    if item_class.startswith("report.") and item_class.endswith(".ndr"):
        return True
    if "report-type=delivery-status" in header(msg, "content-type").lower():
        return True
    daemon = msg.sender.lower().split("@")[0] in {"mailer-daemon", "postmaster"}
    return daemon and bool(NDR_SUBJECTS.match(msg.subject))


def is_auto_reply(msg: RawMessage) -> bool:
    """RFC 3834 Auto-Submitted, Precedence, Exchange's OOF class or a localized subject."""
    if msg.item_class.lower() in OOF_CLASSES:
        return True
    submitted = header(msg, "auto-submitted").lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return True
    if header(msg, "precedence").lower() in AUTO_PRECEDENCE:
        return True
    if header(msg, "x-autoreply") or header(msg, "x-autorespond"):
        return True
    return bool(AUTO_REPLY_SUBJECTS.match(msg.subject))


def failed_recipient(msg: RawMessage, own: tuple[str, ...] = ()) -> str:
    """The address a report says could not be reached, or "" when it does not say."""
    mine = {a.lower() for a in own} | {msg.sender.lower()}
    listed = header(msg, "x-failed-recipients")
    if listed:
        return listed.split(",")[0].strip().lower()
    for match in _FAILED_PHRASES.finditer(msg.body_text):
        address = (match.group("a") or match.group("b")).rstrip(".").lower()
        if address not in mine:
            return address
    for address in msg.recipients:
        if address.lower() not in mine:
            return address.lower()
    for address in _ADDRESS.findall(msg.body_text):
        if address.lower() not in mine:
            return address.lower()
    return ""


def bounce_reason(text: str) -> str:
    """The first enhanced status line of a report ("550 5.1.1 ... not found"), else ""."""
    match = _STATUS.search(text)
    return match.group(0).strip()[:200] if match else ""


def _meeting(msg: RawMessage, common: dict) -> Incoming | None:
    item_class = msg.item_class.lower()
    if not item_class.startswith("ipm.schedule.meeting.resp."):
        return None
    kind = item_class.rsplit(".", 1)[-1]
    if msg.proposed_start is not None and kind in {"tent", "neg"}:
        return MeetingProposedNewTime(
            **common, tracking_id=msg.tracking_id, start=msg.proposed_start, end=msg.proposed_end
        )
    response = {"pos": MeetingAccepted, "tent": MeetingTentative, "neg": MeetingDeclined}.get(kind)
    return response(**common, tracking_id=msg.tracking_id) if response else None


def classify(msg: RawMessage, own: tuple[str, ...] = (), tz: tzinfo | None = None) -> Incoming:
    """Given an incoming message, return the observation it is.

    ``own`` holds the mailbox's addresses (never the failed recipient of a report);
    ``tz`` places an auto-reply's return date (default: the time zone of ``received``).
    """
    common = {
        "at": msg.received,
        "item_id": msg.item_id,
        "sender": msg.sender.lower(),
        "subject": msg.subject,
        "body_text": msg.body_text,
        "own_text": msg.own_text.strip() or msg.body_text,
        "internet_message_id": msg.internet_message_id,
        "in_reply_to": msg.in_reply_to,
        "references": msg.references,
        "conversation_id": msg.conversation_id,
    }
    if is_bounce(msg):
        return Bounce(
            **common, recipient=failed_recipient(msg, own), reason=bounce_reason(msg.body_text)
        )
    meeting = _meeting(msg, common)
    if meeting is not None:
        return meeting
    if is_auto_reply(msg):
        return AutoReply(**common, until=return_date(common["own_text"], msg.received, tz))
    return ReplyReceived(**common)


def hold_until(tip: OutOfOffice, now: datetime, default_days: int) -> datetime | None:
    """Given MailTips for a recipient, return until when a draft to them should wait, or None.

    An absent colleague's draft is held until their return date (from the tip, else
    ``default_days`` from ``now``) instead of learning of the absence from an auto-reply.
    """
    if not tip.away:
        return None
    if tip.until is not None and tip.until > now:
        return tip.until
    return now + timedelta(days=default_days)
