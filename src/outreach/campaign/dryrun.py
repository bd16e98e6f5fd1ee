"""A rehearsal of one cycle: everything due now, planned and rendered, nothing written.

``outreach run --once --dry-run`` is the first thing a careful user runs before
letting the daemon loose: the same planner and the same preparer as a real
cycle, on a private snapshot of the store, so what it shows is what the daemon
would draft. It never syncs, reconciles or creates: the mailbox is asked only
read-only questions (free/busy for the slots, MailTips for who is away), or
none at all when offline. Tentative holds are left out (they follow the drafts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from outreach import engine
from outreach.campaign.prepare import Prepared, Preparer
from outreach.config.settings import Settings
from outreach.core import files
from outreach.core.model import Kind, MessageState, State
from outreach.engine.actions import describe
from outreach.mailbox.base import Mailbox
from outreach.store.db import Store


@dataclass
class Rehearsal:
    """What a cycle would do now: the items it would create and what would hold it up."""

    state: State
    now: datetime
    prepared: list[Prepared] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # message id, why
    away: list[tuple[str, datetime]] = field(default_factory=list)  # request id, back when
    waiting: list[tuple[str, str]] = field(default_factory=list)  # no free time: message id, why

    def name(self, message_id: str) -> str:
        message = self.state.messages[message_id]
        contact = self.state.contacts.get(message.contact_id)
        who = f"{contact.name} <{contact.email}>" if contact else message.contact_id
        return f"{describe(message)} to {who}"


def rehearse(settings: Settings, store: Store, mailbox: Mailbox | None, now: datetime) -> Rehearsal:
    """Plan on a snapshot of the store and render every email and invite due now.

    ``mailbox`` None means offline: no free/busy (every working hour counts as free)
    and no MailTips. Nothing is written to the store or the mailbox.
    """
    state = store.read()  # a private copy: planning on it never reaches the file
    engine.apply_plan(state, now, settings)
    pending = sorted(
        (
            m
            for m in state.messages.values()
            if m.state == MessageState.PLANNED and m.item_id is None and m.kind != Kind.HOLD
            and not m.waits
        ),
        key=lambda m: (m.planned_at, m.id),
    )
    outcome = Preparer(settings, mailbox).prepare(state, pending, now)
    return Rehearsal(state, now, outcome.prepared, outcome.failures, outcome.away,
                     outcome.waiting)  # fmt: skip


def to_eml(item: Prepared, settings: Settings, now: datetime) -> bytes:
    """The email (or the invite, as its calendar body) as a message file a mail client opens."""
    out = EmailMessage()
    out["From"] = formataddr((settings.user.name, settings.user.email))
    out["Date"] = format_datetime(now)
    out["X-Outreach-Tracking"] = item.message.id
    if item.email is not None:
        out["To"] = ", ".join(item.email.to)
        out["Subject"] = item.email.subject
        if item.email.in_reply_to:
            out["In-Reply-To"] = out["References"] = item.email.in_reply_to
        out.set_content(item.email.text)
        out.add_alternative(item.email.html, subtype="html")
    elif item.meeting is not None:
        meeting = item.meeting
        out["To"] = ", ".join(meeting.attendees)
        out["Subject"] = meeting.subject
        when = f"{meeting.start:%A %d %B %Y, %H:%M}–{meeting.end:%H:%M %Z}"
        out.set_content(f"Invitation: {when}\nWhere: {meeting.location}\n")
        out.add_alternative(meeting.body_html or "<p></p>", subtype="html")
    return out.as_bytes()


#: How a path problem names the option.
OPTION = "run --output"


def file_name(number: int, item: Prepared) -> str:
    """``0001-request-ana.lopez_at_example.com.eml``: in order, and safe on any disk."""
    to = item.email.to if item.email is not None else item.meeting.attendees if item.meeting else ()
    who = re.sub(r"[^A-Za-z0-9._-]+", "_", (to[0] if to else "nobody").replace("@", "_at_"))
    return f"{number:04d}-{item.message.kind.value}-{who[:80]}.eml"


def write_files(items: list[Prepared], folder: Path, settings: Settings,
                now: datetime) -> list[Path]:
    """Write one owner-only ``.eml`` per item into ``folder`` (created owner-only).

    Through ``files``, so a bad ``--output`` is one sentence, as for every other path.
    """
    files.private_folder(folder, OPTION)
    written = []
    for number, item in enumerate(items, start=1):
        path = folder / file_name(number, item)
        files.write(path, to_eml(item, settings, now), OPTION)
        written.append(path)
    return written


def describe_item(item: Prepared) -> list[str]:
    """The lines `run --dry-run` prints for one item: headers, then the plain text."""
    if item.email is not None:
        return [f"To:      {', '.join(item.email.to)}", f"Subject: {item.email.subject}", "",
                item.email.text.rstrip()]
    assert item.meeting is not None
    meeting = item.meeting
    return [f"Invite:  {', '.join(meeting.attendees)}", f"Subject: {meeting.subject}",
            f"When:    {meeting.start:%A %d %B %Y, %H:%M}–{meeting.end:%H:%M}",
            f"Where:   {meeting.location}"]
