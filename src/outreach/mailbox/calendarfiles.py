"""Calendar files that came with a reply: what they say, tied to the reply's thread.

Shared by the backends: each lists and reads the attachments its own way, then
hands the bytes here. Pure apart from the log line for a file that is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import tzinfo

from outreach.core.observations import Incoming, Observation, ReplyReceived

log = logging.getLogger(__name__)

#: An attachment is a calendar file by its content type or its name.
CALENDAR_TYPES = ("text/calendar", "application/ics")
#: Larger "calendar files" are not read (an invitation is a few kilobytes).
MAX_CALENDAR_BYTES = 1_000_000


def is_calendar_file(name: str | None, content_type: str | None) -> bool:
    """True for an attachment that is an iCalendar file (by type, or a name ending in .ics)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in CALENDAR_TYPES or (name or "").strip().lower().endswith(".ics")


class UidOf(Mapping[str, str]):
    """interview id -> its calendar UID, as ``invites.parse`` wants a ``tracking_of``.

    The backend does not know the store: what an .ics says about one of our interviews
    carries the UID as its tracking id, and the engine finds the invite by it
    (``engine.match.invite_by_uid``).
    """

    def __getitem__(self, interview_id: str) -> str:
        if not interview_id:
            raise KeyError(interview_id)
        from outreach.writing.invites import uid_for

        return uid_for(interview_id)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True  # never "empty": it answers every interview id


def observations(
    reply: ReplyReceived, name: str, data: bytes, tz: tzinfo, own: str
) -> list[Observation]:
    """What one calendar file says, tied to the reply that carried it (``own``: the mailbox)."""
    from outreach.writing.invites import parse

    if not data or len(data) > MAX_CALENDAR_BYTES:
        log.info("calendar file %r skipped: %d bytes", name, len(data))
        return []
    try:
        found = parse(
            data,
            at=reply.at,
            item_id=reply.item_id,
            tz=getattr(tz, "key", "UTC"),
            tracking_of=UidOf(),
        )
    except Exception as error:  # a sender's file must never stop the sync
        log.warning("calendar file %r skipped: %s", name, type(error).__name__)
        return []
    if not found:
        log.info("calendar file %r: unreadable, or nothing to act on", name)
    return [as_part_of(seen, reply, own) for seen in found]


def as_part_of(seen: Observation, reply: ReplyReceived, own: str) -> Observation:
    """Give an answer read from a file the reply's thread, so it matches like the reply.

    The sender stays the one the file names unless that is the mailbox itself (or
    missing): then it is whoever sent the reply.
    """
    if not isinstance(seen, Incoming):
        return seen
    sender = seen.sender.strip().lower()
    return replace(
        seen,
        sender=reply.sender if not sender or sender == (own or "").lower() else sender,
        internet_message_id=reply.internet_message_id,
        in_reply_to=reply.in_reply_to,
        references=reply.references,
        conversation_id=reply.conversation_id,
    )


def after_replies(out: list[Observation], added: dict[int, list[Observation]]) -> None:
    """Put what each reply's files say right after that reply in ``out`` (keyed by id())."""
    if added:
        out[:] = [o for seen in out for o in (seen, *added.get(id(seen), ()))]
