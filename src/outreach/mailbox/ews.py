"""The Exchange backend: the Mailbox interface on exchangelib.

Every method makes as few requests as it can (drafts in one CreateItem per batch,
lookups with ``only()`` the fields needed) and turns any failure into a
``MailboxError`` sentence. The HTML body is saved as is; Exchange writes the
plain-text alternative itself when the message is sent (``OutgoingEmail.text`` is
not transmitted: EWS keeps one body per item).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from exchangelib import (
    CalendarItem,
    EWSDateTime,
    EWSTimeZone,
    FailFast,
    FileAttachment,
    HTMLBody,
    Mailbox,
    Message,
    Q,
)
from exchangelib.folders import FolderCollection
from exchangelib.items import SEND_TO_NONE
from exchangelib.properties import SendingAs
from exchangelib.util import create_element

from outreach.core.errors import MailboxError
from outreach.core.items import Busy, Created, Meeting, OutgoingEmail, Person
from outreach.core.observations import OutOfOffice
from outreach.mailbox import tracking
from outreach.mailbox.base import SyncResult, sent_copy
from outreach.mailbox.connect import Connection, host_of, translate
from outreach.mailbox.observe import Observer
from outreach.mailbox.returndate import return_date

log = logging.getLogger(__name__)

TRACKED_FIELDS = (
    "outreach_tracking",
    "outreach_header",
    "message_id",
    "conversation_id",
    "subject",
)
MAIL_TIPS = "OutOfOfficeMessage InvalidRecipient ExternalMemberCount"


class EwsMailbox:
    """An Exchange mailbox reached through exchangelib (real Exchange or the sandbox)."""

    def __init__(
        self,
        connection: Connection,
        *,
        batch_size: int = 50,
        page_size: int = 100,
        tz: str = "UTC",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        tracking.register()
        self.connection = connection
        self.account = connection.account
        self.host = host_of(connection.endpoint)
        self.batch_size = batch_size
        self.tz = ZoneInfo(tz)
        self._sleep = sleep
        self.clock = clock or (lambda: datetime.now(UTC))
        self.observer = Observer(self.account, page_size=page_size, tz=self.tz, clock=self.clock)
        self.owned_server: Any = None  # an in-process sandbox this backend started, if any

    def _guard(self) -> Any:
        connection = self.connection
        return translate(self.host, connection.username, connection.email, oauth=connection.oauth)

    # -- reaching the server ------------------------------------------------------
    def check(self) -> str:
        """Reach the server once without retries; return a sentence describing it."""
        protocol = self.account.protocol
        policy = protocol.config.retry_policy
        protocol.config.retry_policy = FailFast()
        try:
            with self._guard():
                version = self.account.version
                inbox = self.account.inbox
                inbox.refresh()
        finally:
            protocol.config.retry_policy = policy
        return (
            f"Signed in to {self.host} as {self.connection.username}; mailbox "
            f"{self.connection.email} (Exchange build {version.build}, Inbox "
            f"{inbox.unread_count or 0} unread)."
        )

    # -- drafts and sending ---------------------------------------------------------
    def _message(self, email: OutgoingEmail, folder: Any) -> Message:
        message = Message(
            account=self.account,
            folder=folder,
            subject=email.subject,
            body=HTMLBody(email.html),
            to_recipients=[Mailbox(email_address=a) for a in email.to],
            outreach_tracking=email.tracking_id,
            outreach_contact=email.contact_id,
            outreach_header=email.tracking_id,
        )
        if email.in_reply_to:
            message.in_reply_to = email.in_reply_to
            message.references = email.in_reply_to
        if email.attachments:
            message.attachments = [
                FileAttachment(name=a.filename, content=a.content, content_type=a.content_type)
                for a in email.attachments
            ]
        return message

    def create_drafts(self, emails: Sequence[OutgoingEmail]) -> list[Created]:
        """Save drafts in Drafts: one CreateItem per batch, one GetItem for their message ids.

        A draft the server refused is left out of the result (and logged); the
        outbox finds it missing and reconciles with ``find_tracked``.
        """
        if not emails:
            return []
        with self._guard():
            drafts = self.account.drafts
            items = [self._message(e, drafts) for e in emails]
            results = self.account.bulk_create(
                folder=drafts,
                items=items,
                message_disposition="SaveOnly",
                chunk_size=self.batch_size,
            )
            made: list[tuple[OutgoingEmail, Any]] = []
            for email, result in zip(emails, results, strict=True):
                if isinstance(result, Exception):
                    log.warning(
                        "draft %s was not created: %s", email.tracking_id, type(result).__name__
                    )
                else:
                    made.append((email, result))
            ids = [(r.id, r.changekey) for _, r in made]
            fetched = (
                list(
                    self.account.fetch(
                        ids=ids,
                        only_fields=["message_id", "conversation_id"],
                        chunk_size=self.batch_size,
                    )
                )
                if ids
                else []
            )
        out = []
        for (email, result), item in zip(made, fetched, strict=True):
            good = not isinstance(item, Exception)
            out.append(
                Created(
                    tracking_id=email.tracking_id,
                    item_id=result.id,
                    internet_message_id=item.message_id if good else None,
                    conversation_id=item.conversation_id.id
                    if good and item.conversation_id
                    else None,
                )
            )
        self.observer.created(
            "drafts",
            {c.item_id: [c.tracking_id, c.internet_message_id, c.conversation_id] for c in out},
        )
        return out

    def send(self, email: OutgoingEmail) -> Created:
        """Send now, saving a copy in Sent Items with the same tracking; then find that copy."""
        with self._guard():
            sent_folder = self.account.sent
            message = self._message(email, sent_folder)
            message.send_and_save()
        found = self.find_tracked([email.tracking_id])
        return sent_copy(email.tracking_id, found.get(email.tracking_id))

    # -- calendar -----------------------------------------------------------------
    def _calendar_item(self, meeting: Meeting, calendar: Any) -> CalendarItem:
        item = CalendarItem(
            account=self.account,
            folder=calendar,
            subject=meeting.subject,
            # stored times carry a bare UTC offset, which exchangelib cannot name
            start=EWSDateTime.from_datetime(meeting.start.astimezone(self.tz)),
            end=EWSDateTime.from_datetime(meeting.end.astimezone(self.tz)),
            location=meeting.location or None,
            body=HTMLBody(meeting.body_html) if meeting.body_html else None,
            reminder_is_set=meeting.reminder_minutes > 0,
            reminder_minutes_before_start=max(meeting.reminder_minutes, 0),
            legacy_free_busy_status="Tentative" if meeting.tentative else "Busy",
            outreach_tracking=meeting.tracking_id,
            outreach_contact=meeting.contact_id,
        )
        if meeting.attendees:
            item.required_attendees = list(meeting.attendees)
        return item

    def create_meeting(self, meeting: Meeting, send: bool) -> Created:
        """Put the interview on the calendar; invite only if ``send``.

        Unsent, Outlook shows the meeting with "invitations have not been sent", so the
        user approves by pressing Send there.
        """
        with self._guard():
            item = self._calendar_item(meeting, self.account.calendar)
            invite = "SendToAllAndSaveCopy" if send and meeting.attendees else SEND_TO_NONE
            item.save(send_meeting_invitations=invite)
        self.observer.created("calendar", {item.id: _calendar_entry(meeting)})
        sent = invite != SEND_TO_NONE
        return Created(tracking_id=meeting.tracking_id, item_id=item.id, sent=sent)

    def update_meeting(self, item_id: str, meeting: Meeting, send: bool) -> Created:
        """Move an interview's calendar item to ``meeting``'s time and place: one GetItem,
        one UpdateItem. The item keeps its id and UID; its tracking becomes the new
        outbox id, so reconciling finds the move done. Attendees get the update (a
        raised sequence) if ``send`` or if its invitations went already (the user may
        have pressed Send in Outlook): an unsent one stays unsent. Raise MailboxError
        if the item is gone.
        """
        with self._guard():
            fields = ["subject", "meeting_request_was_sent"]
            found = list(self.account.fetch(ids=[(item_id, None)], only_fields=fields))
            item = found[0] if found else None
            if item is None or isinstance(item, Exception):
                raise MailboxError(
                    "The interview's calendar item is no longer in the calendar, so it "
                    "cannot be moved."
                )
            send = send or bool(item.meeting_request_was_sent)
            fresh = self._calendar_item(meeting, self.account.calendar)
            changed = ["subject", "start", "end", "location", "body", "reminder_is_set",
                       "reminder_minutes_before_start", "outreach_tracking"]  # fmt: skip
            for name in changed:
                setattr(item, name, getattr(fresh, name))
            invite = "SendToAllAndSaveCopy" if send and meeting.attendees else SEND_TO_NONE
            item.save(update_fields=changed, send_meeting_invitations=invite)
        sent = invite != SEND_TO_NONE
        return Created(tracking_id=meeting.tracking_id, item_id=item.id, sent=sent)

    def create_holds(self, holds: Sequence[Meeting]) -> list[Created]:
        """Put tentative holds on the calendar, sending nothing: one CreateItem per batch.

        A hold the server refused is left out (and logged); the outbox tries it again.
        """
        if not holds:
            return []
        with self._guard():
            calendar = self.account.calendar
            results = self.account.bulk_create(
                folder=calendar,
                items=[self._calendar_item(h, calendar) for h in holds],
                send_meeting_invitations=SEND_TO_NONE,
                chunk_size=self.batch_size,
            )
        out = []
        entries = {}
        for hold, result in zip(holds, results, strict=True):
            if isinstance(result, Exception):
                log.warning("hold %s was not created: %s", hold.tracking_id, type(result).__name__)
            else:
                out.append(Created(tracking_id=hold.tracking_id, item_id=result.id))
                entries[result.id] = _calendar_entry(hold)
        self.observer.created("calendar", entries)
        return out

    def remove_holds(self, item_ids: Sequence[str]) -> None:
        """Delete holds without notices, one DeleteItem per batch; one already gone is fine."""
        if not item_ids:
            return
        with self._guard():
            results = self.account.bulk_delete(
                ids=[(i, None) for i in item_ids],
                send_meeting_cancellations=SEND_TO_NONE,
                chunk_size=self.batch_size,
            )
        for item_id, result in zip(item_ids, results, strict=False):
            if isinstance(result, Exception) and type(result).__name__ != "ErrorItemNotFound":
                log.warning("hold %s was not removed: %s", item_id[-12:], type(result).__name__)

    def cancel_meeting(self, item_id: str, send: bool) -> None:
        """Withdraw a hold (deleted, nothing sent) or cancel an interview (notices if ``send``)."""
        with self._guard():
            found = list(
                self.account.fetch(
                    ids=[(item_id, None)], only_fields=["subject", "required_attendees"]
                )
            )
            item = found[0] if found else None
            if item is None or isinstance(item, Exception):
                return  # already gone: withdrawing twice is harmless
            if send and item.required_attendees:
                item.cancel()
            else:
                item.delete(send_meeting_cancellations=SEND_TO_NONE)

    # -- reconciliation -----------------------------------------------------------
    def find_tracked(self, tracking_ids: Sequence[str]) -> dict[str, Created]:
        """Return what exists for these outbox ids: one FindItem over Drafts, Sent Items, Outbox
        and Deleted Items, one over the Calendar, each restricted on the property or the X-
        header. A copy in Deleted Items counts only when there is no other."""
        wanted = [t for t in dict.fromkeys(tracking_ids) if t]
        if not wanted:
            return {}
        found: dict[str, Created] = {}
        with self._guard():
            restriction = Q(outreach_tracking__in=wanted) | Q(outreach_header__in=wanted)
            mail = FolderCollection(
                account=self.account,
                folders=[
                    self.account.drafts,
                    self.account.sent,
                    self.account.outbox,
                    self.account.trash,
                ],
            )
            sent_id, trash_id = self.account.sent.id, self.account.trash.id
            rows = mail.filter(restriction).only(*TRACKED_FIELDS, "parent_folder_id")
            for item in rows:
                key = item.outreach_tracking or item.outreach_header
                if key not in wanted:
                    continue
                parent = item.parent_folder_id.id if item.parent_folder_id else None
                sent, deleted = parent == sent_id, parent == trash_id
                if key in found and (found[key].sent or deleted) and not sent:
                    continue
                found[key] = Created(
                    tracking_id=key,
                    item_id=item.id,
                    internet_message_id=item.message_id,
                    conversation_id=item.conversation_id.id if item.conversation_id else None,
                    sent=sent,
                    deleted=deleted,
                )
            events = self.account.calendar.filter(outreach_tracking__in=wanted).only(
                "outreach_tracking", "subject", "meeting_request_was_sent"
            )
            for item in events:
                if item.outreach_tracking in wanted:
                    found[item.outreach_tracking] = Created(
                        tracking_id=item.outreach_tracking,
                        item_id=item.id,
                        sent=bool(item.meeting_request_was_sent),
                    )
        return found

    # -- observing ----------------------------------------------------------------
    def sync(self, state: Mapping[str, str]) -> SyncResult:
        """Return what changed since ``state`` in Drafts, Sent Items, Inbox and Calendar."""
        with self._guard():
            return self.observer.sync(state)

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` (a pull subscription cannot block); True: sync may find changes."""
        self._sleep(max(seconds, 0))
        return True

    # -- before drafting ----------------------------------------------------------
    def busy(self, emails: Sequence[str], start: datetime, end: datetime) -> dict[str, list[Busy]]:
        """Return busy intervals per address, in one GetUserAvailability request."""
        if not emails:
            return {}
        zone = EWSTimeZone.from_timezone(self.tz)
        first = EWSDateTime.from_datetime(start.astimezone(self.tz)).astimezone(zone)
        last = EWSDateTime.from_datetime(end.astimezone(self.tz)).astimezone(zone)
        out: dict[str, list[Busy]] = {}
        with self._guard():
            self.account.version  # noqa: B018 - protocol-level calls need it (README trap)
            views = self.account.protocol.get_free_busy_info(
                accounts=[(e, "Required", False) for e in emails],
                start=first,
                end=last,
                merged_free_busy_interval=15,
                requested_view="Detailed",
            )
            for email, view in zip(emails, views, strict=False):
                if isinstance(view, Exception):
                    log.info("no free/busy for %s: %s", email, type(view).__name__)
                    continue
                spans = []
                for event in view.calendar_events or []:
                    if event.busy_type == "Free":
                        continue
                    subject = (event.details.subject if event.details else None) or ""
                    spans.append(Busy(self._aware(event.start), self._aware(event.end), subject))
                out[email] = spans
        return out

    def _aware(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=self.tz)
        return datetime.fromtimestamp(value.timestamp(), tz=self.tz)

    def mail_tips(self, emails: Sequence[str]) -> dict[str, OutOfOffice]:
        """Return out-of-office and validity per recipient, in one GetMailTips request."""
        if not emails:
            return {}
        from exchangelib.services import GetMailTips

        requested = create_element("m:MailTipsRequested")
        requested.text = MAIL_TIPS
        own_domain = self.connection.email.split("@")[-1].lower()
        now = self.clock().astimezone(self.tz)
        out: dict[str, OutOfOffice] = {}
        with self._guard():
            self.account.version  # noqa: B018 - protocol-level calls need it (README trap)
            tips = GetMailTips(protocol=self.account.protocol).call(
                sending_as=SendingAs(email_address=self.connection.email),
                recipients=[Mailbox(email_address=e) for e in emails],
                mail_tips_requested=[requested],
            )
            for email, tip in zip(emails, tips, strict=False):
                if isinstance(tip, Exception):
                    out[email] = OutOfOffice(email=email, notes=(type(tip).__name__,), failed=True)
                    continue
                address = (
                    tip.recipient_address.email_address if tip.recipient_address else email
                ) or email
                out[address.lower()] = self._out_of_office(address.lower(), tip, own_domain, now)
        return out

    def _out_of_office(self, email: str, tip: Any, own_domain: str, now: datetime) -> OutOfOffice:
        ooo = tip.out_of_office
        message = ""
        if ooo is not None and ooo.reply_body is not None:
            body = ooo.reply_body  # a string in exchangelib 5 (a ReplyBody element before)
            message = str(getattr(body, "message", body) or "").strip()
        away = bool(message)
        until: datetime | None = None
        if ooo is not None and ooo.end:
            until = self._aware(ooo.end)
            if ooo.start and self._aware(ooo.start) > now:
                away = False  # scheduled for later: not away now
        elif message:
            until = return_date(message, now, self.tz)
        external = bool(tip.external_member_count) or email.split("@")[-1] != own_domain
        notes = tuple(n for n in (tip.custom_mail_tip,) if n)
        return OutOfOffice(
            email=email,
            away=away,
            until=until if away else None,
            message=message,
            invalid=bool(tip.invalid_recipient),
            external=external,
            notes=notes,
        )

    # -- directory ----------------------------------------------------------------
    def lookup(self, name: str) -> list[Person]:
        """Search the directory: one ResolveNames request for one name (the schema allows one)."""
        return self._resolve(name)

    def person(self, email: str) -> Person | None:
        """One ResolveNames for ``smtp:ADDRESS`` with all properties (manager, direct reports)."""
        wanted = email.strip().lower()
        found = self._resolve(f"smtp:{wanted}", shape="AllProperties")
        return next((p for p in found if p.email == wanted), None)

    def _resolve(self, text: str, shape: str | None = None) -> list[Person]:
        with self._guard():
            self.account.version  # noqa: B018 - protocol-level calls need it (README trap)
            try:
                rows = self.account.protocol.resolve_names(
                    [text],
                    return_full_contact_data=True,
                    search_scope="ActiveDirectory",
                    shape=shape,
                )
            except Exception as error:
                if type(error).__name__.startswith("ErrorNameResolution"):
                    return []
                raise
        people = []
        for row in rows:
            if isinstance(row, Exception):
                continue
            mailbox, contact = row if isinstance(row, tuple) else (row, None)
            people.append(_person(mailbox, contact))
        return people

    def close(self) -> None:
        """Close the connections (the subscription expires on the server by itself)."""
        self.account.protocol.close()
        if self.owned_server is not None:
            self.owned_server.stop()
            self.owned_server = None


def _person(mailbox: Any, contact: Any) -> Person:
    phone = ""
    if contact is not None and contact.phone_numbers:
        numbers = {p.label: p.phone_number for p in contact.phone_numbers if p.phone_number}
        phone = numbers.get("BusinessPhone") or next(iter(numbers.values()), "")
    return Person(
        name=(contact.display_name if contact else None) or mailbox.name or mailbox.email_address,
        email=(mailbox.email_address or "").lower(),
        title=(contact.job_title if contact else "") or "",
        department=(contact.department if contact else "") or "",
        office=(contact.office if contact else "") or "",
        phone=phone or "",
        manager=_address(getattr(contact, "manager_mailbox", None)),
        reports=tuple(
            a for a in (_address(r) for r in getattr(contact, "direct_reports", None) or ()) if a
        ),
    )


def _address(mailbox: Any) -> str:
    """The lower-cased address of a Mailbox element, or "" (ManagerMailbox may be absent)."""
    return str(getattr(mailbox, "email_address", "") or "").lower()


def _calendar_entry(meeting: Meeting) -> list[Any]:
    """The calendar index entry of an item we created, as a sync of it would write it."""
    return [meeting.tracking_id, meeting.start.astimezone(UTC).isoformat(),
            meeting.end.astimezone(UTC).isoformat(), False]
