"""Playing the other side of the mailbox, counting requests and injecting faults.

Every public action here is callable from Python (tests) and, by name with JSON
arguments, through the server's control endpoint (the CLI).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from .mailbox import Item, Mailbox
from .mailflow import (
    deliver,
    headers_el,
    mailbox_el,
    recipients_el,
    send,
    topic,
)
from .xml import el, parse_dt, q, sub, to_str

if TYPE_CHECKING:
    from . import Sandbox

FAULT_KINDS = {"http500", "server_busy", "slow", "drop", "error"}
POSTMASTER = ("MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com", "Microsoft Outlook")
RESPONSES = {
    "accept": ("Accept", "IPM.Schedule.Meeting.Resp.Pos", "Accepted"),
    "decline": ("Decline", "IPM.Schedule.Meeting.Resp.Neg", "Declined"),
    "tentative": ("Tentative", "IPM.Schedule.Meeting.Resp.Tent", "Tentative"),
    "propose": ("Tentative", "IPM.Schedule.Meeting.Resp.Tent", "New Time Proposed"),
}
ACTIONS = {
    "set_out_of_office",
    "press_send",
    "edit_draft",
    "delete_draft",
    "receive",
    "reply",
    "auto_reply",
    "bounce",
    "respond_to_meeting",
    "move_meeting",
    "cancel_meeting",
    "inspect",
    "request_counts",
    "reset_request_counts",
    "inject_fault",
    "clear_faults",
    "invalidate_sync_states",
    "expire_subscriptions",
    "save",
}


def _dt(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else parse_dt(value)


class Controls:
    """The other side: contacts, Outlook, the network. Thread-safe via the state lock."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.state = sandbox.state
        self._counts: Counter[str] = Counter()
        self._faults: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    # -- transport hooks --------------------------------------------------
    def count(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def request_counts(self) -> dict[str, int]:
        """Requests per EWS operation since the last reset (the round trips a client made)."""
        with self._lock:
            return dict(self._counts)

    def reset_request_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        *,
        operation: str | None = None,
        back_off_ms: int = 100,
        seconds: float = 1.0,
        code: str | None = None,
    ) -> None:
        """Fail the next `count` requests (of `operation`, if given).

        kind: http500 | server_busy (SOAP fault with BackOffMilliseconds) | slow (sleep `seconds`,
        then answer) | drop (close the connection) | error (per-message `code`, e.g.
        ErrorInvalidSyncStateData, ErrorSubscriptionNotFound).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        if kind == "error" and not code:
            raise ValueError("fault kind 'error' needs a code")
        with self._lock:
            self._faults.append(
                {
                    "kind": kind,
                    "left": count,
                    "operation": operation,
                    "back_off_ms": back_off_ms,
                    "seconds": seconds,
                    "code": code,
                }
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, operation: str) -> dict[str, Any] | None:
        """The fault to play on this request, if any (consumes one use)."""
        with self._lock:
            for spec in self._faults:
                if spec["operation"] in (None, operation) and spec["left"] > 0:
                    spec["left"] -= 1
                    if spec["left"] == 0:
                        self._faults.remove(spec)
                    return spec
        return None

    def call(self, action: str, args: dict[str, Any]) -> Any:
        """Dispatch a control-endpoint request to a public action."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return getattr(self, action)(**args)

    # -- helpers ----------------------------------------------------------
    def _box(self, mailbox: str | None) -> Mailbox:
        return self.state.mailbox_for(mailbox)

    def _pick(
        self, box: Mailbox, folders: tuple[str, ...], item_id: str | None, subject: str | None
    ) -> Item:
        """An item by id, else the newest whose subject contains `subject`, in the given folders."""
        if item_id:
            if item_id not in box.items:
                raise KeyError(f"no item {item_id}")
            return box.items[item_id]
        ids = {box.folder(f).id for f in folders}
        hits = [
            i
            for i in box.items.values()
            if i.folder_id in ids
            and (subject is None or subject.lower() in (i.text("Subject", "") or "").lower())
        ]
        if not hits:
            raise KeyError(f"no item with subject {subject!r} in {', '.join(folders)}")
        return max(hits, key=lambda i: i.modified)

    def _done(self) -> None:
        self.sandbox.after_change()

    # -- the user in Outlook ----------------------------------------------
    def press_send(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        mailbox: str | None = None,
        drop_extended_properties: bool = False,
    ) -> str:
        """The user presses Send on a draft: it moves to Sent Items under a new id.

        With drop_extended_properties, act like a client that loses MAPI named properties
        (the X- header and the internet message id survive).
        """
        with self.state.lock:
            box = self._box(mailbox)
            draft = self._pick(box, ("drafts",), item_id, subject)
            sent = send(self.state, box, draft, keep_extended=not drop_extended_properties)
            self._done()
            return sent.id if sent else ""

    def edit_draft(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        new_subject: str | None = None,
        body: str | None = None,
        mailbox: str | None = None,
    ) -> str:
        """The user edits a draft in Outlook (new change key, same id)."""
        with self.state.lock:
            box = self._box(mailbox)
            draft = self._pick(box, ("drafts",), item_id, subject)
            if new_subject is not None:
                draft.set("Subject", new_subject)
            if body is not None:
                draft.set("Body", el("t:Body", body, {"BodyType": "Text"}))
            box.touch(draft)
            self._done()
            return draft.id

    def delete_draft(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        hard: bool = False,
        mailbox: str | None = None,
    ) -> None:
        """The user deletes a draft (to Deleted Items, or gone with hard=True)."""
        with self.state.lock:
            box = self._box(mailbox)
            draft = self._pick(box, ("drafts",), item_id, subject)
            if hard:
                box.delete(draft)
            else:
                box.move(draft, "deleteditems")
            self._done()

    # -- contacts and the network -------------------------------------------
    def receive(
        self,
        sender: str,
        subject: str,
        body: str = "",
        *,
        mailbox: str | None = None,
        sender_name: str | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        conversation_id: str | None = None,
        item_class: str = "IPM.Note",
        headers: list[tuple[str, str]] | None = None,
        kind: str = "Message",
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A message arrives in the Inbox from `sender`; returns its item id."""
        with self.state.lock:
            box = self._box(mailbox)
            person = self.state.directory.get(sender)
            name = sender_name or (person.name if person else None)
            now = self.state.clock()
            domain = sender.split("@")[-1]
            message_id = (
                f"<{now.strftime('%Y%m%d%H%M%S')}.{len(box.items)}{id(box) % 9973}@{domain}>"
            )
            heads = [
                ("Received", f"from mail.{domain} by sandbox.example.com; {format_datetime(now)}"),
                ("From", f"{name} <{sender}>" if name else sender),
                ("To", box.address),
                ("Subject", subject),
                ("Thread-Topic", topic(subject)),
                ("Date", format_datetime(now)),
                ("Message-ID", message_id),
            ]
            if in_reply_to:
                heads.append(("In-Reply-To", in_reply_to))
            if references:
                heads.append(("References", references))
            heads += [
                ("Content-Language", "en-US"),
                ("X-MS-Has-Attach", ""),
                ("X-MS-Exchange-Organization-AuthAs", "Internal" if person else "Anonymous"),
                ("Content-Type", 'text/plain; charset="utf-8"'),
                ("MIME-Version", "1.0"),
            ]
            heads += [tuple(h) for h in headers or []]  # type: ignore[misc]
            fields: dict[str, list[str]] = {
                "ItemClass": [to_str(el("t:ItemClass", item_class))],
                "Subject": [to_str(el("t:Subject", subject))],
                "Body": [to_str(el("t:Body", body, {"BodyType": "Text"}))],
                "InternetMessageHeaders": [to_str(headers_el(heads))],
                "DateTimeSent": [to_str(el("t:DateTimeSent", now))],
                "Sender": [to_str(mailbox_el("t:Sender", sender, name))],
                "ToRecipients": [
                    to_str(recipients_el("t:ToRecipients", [(box.address, box.name)]))
                ],
                "From": [to_str(mailbox_el("t:From", sender, name))],
                "InternetMessageId": [to_str(el("t:InternetMessageId", message_id))],
            }
            if in_reply_to:
                fields["InReplyTo"] = [to_str(el("t:InReplyTo", in_reply_to))]
            if references:
                fields["References"] = [to_str(el("t:References", references))]
            if conversation_id:
                fields["ConversationId"] = [
                    to_str(el("t:ConversationId", attrs={"Id": conversation_id}))
                ]
            for name_, node in (extra or {}).items():
                fields[name_] = [to_str(node)]
            item = deliver(self.state, box.address, fields, kind)
            self._done()
            return item.id

    def _thread(self, box: Mailbox, item_id: str | None, subject: str | None) -> Item:
        return self._pick(box, ("sentitems",), item_id, subject)

    def reply(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        sender: str | None = None,
        body: str = "Happy to talk. How about Tuesday?",
        in_thread: bool = True,
        new_subject: str | None = None,
        mailbox: str | None = None,
    ) -> str:
        """A contact replies to a sent message, in its thread or as a fresh message."""
        with self.state.lock:
            box = self._box(mailbox)
            original = self._thread(box, item_id, subject)
            who = sender or original.addresses("ToRecipients")[0]
            orig_subject = original.text("Subject", "") or ""
            if not in_thread:
                return self.receive(
                    who, new_subject or topic(orig_subject), body, mailbox=box.address
                )
            mid = original.text("InternetMessageId") or ""
            refs = " ".join(x for x in ((original.text("References") or ""), mid) if x)
            conv = original.get("ConversationId")
            return self.receive(
                who,
                new_subject or f"RE: {topic(orig_subject)}",
                body,
                mailbox=box.address,
                in_reply_to=mid,
                references=refs,
                conversation_id=conv.get("Id") if conv is not None else None,
            )

    def auto_reply(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        sender: str | None = None,
        message: str | None = None,
        mailbox: str | None = None,
    ) -> str:
        """An out-of-office reply to a sent message, with Exchange's headers and item class."""
        with self.state.lock:
            box = self._box(mailbox)
            original = self._thread(box, item_id, subject)
            who = sender or original.addresses("ToRecipients")[0]
            person = self.state.directory.get(who)
            text = (
                message
                or (person.oof.get("message") if person else "")
                or "I am out of the office."
            )
            mid = original.text("InternetMessageId") or ""
            conv = original.get("ConversationId")
            heads = [
                ("Auto-Submitted", "auto-replied"),
                ("X-Auto-Response-Suppress", "All"),
                ("X-MS-Exchange-Inbox-Rules-Loop", who),
                ("X-MS-Exchange-Organization-AutoReply", "OOF"),
            ]
            return self.receive(
                who,
                f"Automatic reply: {original.text('Subject', '')}",
                text,
                mailbox=box.address,
                in_reply_to=mid,
                references=mid,
                conversation_id=conv.get("Id") if conv is not None else None,
                item_class="IPM.Note.Rules.OofTemplate.Microsoft",
                headers=heads,
            )

    def bounce(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        recipient: str | None = None,
        reason: str = "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        mailbox: str | None = None,
    ) -> str:
        """A non-delivery report for a sent message, naming the recipient."""
        with self.state.lock:
            box = self._box(mailbox)
            original = self._thread(box, item_id, subject)
            who = recipient or original.addresses("ToRecipients")[0]
            mid = original.text("InternetMessageId") or ""
            conv = original.get("ConversationId")
            body = (
                f"Delivery has failed to these recipients or groups:\n\n{who}\n"
                f"The email address you entered couldn't be found.\n\n"
                "Diagnostic information for administrators:\n\n"
                f"Remote Server returned '{reason}'\n\n"
                f"Original message headers:\n\nMessage-ID: {mid}\n"
            )
            heads = [
                ("Auto-Submitted", "auto-replied"),
                ("X-MS-Exchange-Message-Is-Ndr", ""),
                ("X-MS-Exchange-Organization-SCL", "-1"),
                ("Content-Type", "multipart/report; report-type=delivery-status"),
            ]
            return self.receive(
                POSTMASTER[0],
                f"Undeliverable: {original.text('Subject', '')}",
                body,
                sender_name=POSTMASTER[1],
                mailbox=box.address,
                in_reply_to=mid,
                references=mid,
                item_class="REPORT.IPM.Note.NDR",
                headers=heads,
                conversation_id=conv.get("Id") if conv is not None else None,
            )

    # -- meetings -------------------------------------------------------------
    def respond_to_meeting(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        attendee: str | None = None,
        response: str = "accept",
        proposed_start: datetime | str | None = None,
        proposed_end: datetime | str | None = None,
        body: str = "",
        mailbox: str | None = None,
    ) -> str:
        """An attendee accepts / declines / tentatively accepts / proposes a new time.

        Updates the attendee's status on the organizer's calendar item and puts the
        response item (IPM.Schedule.Meeting.Resp.*) in the Inbox; returns its id.
        """
        if response not in RESPONSES:
            raise ValueError(f"response must be one of {sorted(RESPONSES)}")
        status, item_class, prefix = RESPONSES[response]
        with self.state.lock:
            box = self._box(mailbox)
            meeting = self._pick(box, ("calendar",), item_id, subject)
            now = self.state.clock()
            found = None
            for name in ("RequiredAttendees", "OptionalAttendees"):
                node = meeting.get(name)
                if node is None:
                    continue
                for att in node.findall(q("t:Attendee")):
                    addr = att.findtext(f"{q('t:Mailbox')}/{q('t:EmailAddress')}") or ""
                    if attendee is None or addr.lower() == attendee.lower():
                        found = addr
                        for child in list(att)[1:]:
                            att.remove(child)
                        sub(att, "t:ResponseType", status)
                        sub(att, "t:LastResponseTime", now)
                        if response == "propose" and proposed_start and proposed_end:
                            sub(att, "t:ProposedStart", _dt(proposed_start))
                            sub(att, "t:ProposedEnd", _dt(proposed_end))
                        break
                meeting.set(name, node)
                if found:
                    break
            if found is None:
                raise KeyError(f"{attendee} is not an attendee of {meeting.text('Subject')}")
            meeting.set("AppointmentReplyTime", now)
            box.touch(meeting)
            extra = {
                "AssociatedCalendarItemId": el(
                    "t:AssociatedCalendarItemId",
                    attrs={"Id": meeting.id, "ChangeKey": meeting.change_key},
                ),
                "ResponseType": el("t:ResponseType", "Organizer"),
                "UID": el("t:UID", meeting.text("UID", "")),
                "Start": meeting.get("Start"),
                "End": meeting.get("End"),
            }
            if meeting.get("Location") is not None:
                extra["Location"] = meeting.get("Location")
            if response == "propose" and proposed_start and proposed_end:
                extra["ProposedStart"] = el("t:ProposedStart", _dt(proposed_start))
                extra["ProposedEnd"] = el("t:ProposedEnd", _dt(proposed_end))
            extra = {k: v for k, v in extra.items() if v is not None}
            conv = meeting.get("ConversationId")
            return self.receive(
                found,
                f"{prefix}: {meeting.text('Subject', '')}",
                body,
                mailbox=box.address,
                item_class=item_class,
                kind="MeetingResponse",
                extra=extra,
                conversation_id=conv.get("Id") if conv is not None else None,
            )

    def move_meeting(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        start: datetime | str,
        end: datetime | str | None = None,
        mailbox: str | None = None,
    ) -> str:
        """The organizer moves the meeting in Outlook (same id, new times, new change key)."""
        with self.state.lock:
            box = self._box(mailbox)
            meeting = self._pick(box, ("calendar",), item_id, subject)
            old_start, old_end = meeting.when("Start"), meeting.when("End")
            new_start = _dt(start)
            length = (old_end - old_start) if old_start and old_end else timedelta(minutes=30)
            meeting.set("Start", new_start)
            meeting.set("End", _dt(end) if end else new_start + length)
            seq = int(meeting.text("AppointmentSequenceNumber", "0") or 0)
            meeting.set("AppointmentSequenceNumber", seq + 1)
            box.touch(meeting)
            self._done()
            return meeting.id

    def set_out_of_office(self, email: str, message: str | None = None) -> None:
        """Turn a colleague's automatic replies on (with ``message``) or off (None)."""
        with self.state.lock:
            person = self.state.directory.get(email)
            if person is None:
                raise KeyError(f"{email} is not in the directory")
            if message is None:
                person.oof = {"state": "Disabled", "message": ""}
            else:
                person.oof = {"state": "Enabled", "message": message}
        self._done()

    def cancel_meeting(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        delete: bool = True,
        mailbox: str | None = None,
    ) -> str:
        """The organizer cancels: Outlook sends cancellations and deletes the item."""
        with self.state.lock:
            box = self._box(mailbox)
            meeting = self._pick(box, ("calendar",), item_id, subject)
            meeting.set("IsCancelled", True)
            meeting.set("Subject", f"Canceled: {meeting.text('Subject', '')}")
            box.touch(meeting)
            if delete:
                meeting = box.move(meeting, "deleteditems")
            self._done()
            return meeting.id

    # -- inspection and state -------------------------------------------------
    def inspect(self, mailbox: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Folder name -> items (id, class, subject, from, to, received, read)."""
        with self.state.lock:
            box = self._box(mailbox)
            out: dict[str, list[dict[str, Any]]] = {}
            for folder in box.folders.values():
                rows = [
                    {
                        "id": i.id,
                        "kind": i.kind,
                        "item_class": i.text("ItemClass"),
                        "subject": i.text("Subject"),
                        "from": (i.addresses("From") or [None])[0],
                        "to": i.addresses("ToRecipients"),
                        "received": i.text("DateTimeReceived"),
                        "is_read": i.text("IsRead"),
                        "start": i.text("Start"),
                        "attendees": [
                            (
                                a.findtext(f"{q('t:Mailbox')}/{q('t:EmailAddress')}"),
                                a.findtext(q("t:ResponseType")),
                            )
                            for n in ("RequiredAttendees", "OptionalAttendees")
                            for a in (i.get(n) if i.get(n) is not None else [])
                        ],
                    }
                    for i in sorted(box.in_folder(folder), key=lambda i: i.created)
                ]
                if folder.distinguished not in ("root", "msgfolderroot"):
                    out[folder.distinguished or folder.name] = rows
            return out

    def invalidate_sync_states(self, mailbox: str | None = None) -> None:
        """Forget every sync state (the next sync answers ErrorInvalidSyncStateData)."""
        with self.state.lock:
            self._box(mailbox).snapshots.clear()
            self._done()

    def expire_subscriptions(self, mailbox: str | None = None) -> None:
        """Drop every subscription (GetEvents answers ErrorSubscriptionNotFound)."""
        with self.state.lock:
            self._box(mailbox).subscriptions.clear()
            self._done()

    def save(self) -> str:
        """Write the state to the data directory now; returns the directory."""
        return str(self.sandbox.save())
