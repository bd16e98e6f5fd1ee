"""The contacts and the network on the far side: messages arriving, replies, out-of-office
answers, bounces, meeting responses, and colleagues' automatic-reply settings."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from ..directory import Person
from ..fileattachment import file_attachment
from ..mailbox import Item, Mailbox
from ..mailflow import deliver, headers_el, mailbox_el, recipients_el, topic
from ..quoting import Original, quoted
from ..uniquebody import as_text
from ..xml import Element, el, q, sub, to_str
from .base import Actions, as_bytes, as_datetime, conversation_of

#: (file name, content type, content): content as bytes, or base64 text from the endpoint
AttachmentSpec = tuple[str, str, bytes | str]

POSTMASTER = ("MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com", "Microsoft Outlook")
RESPONSES = {
    "accept": ("Accept", "IPM.Schedule.Meeting.Resp.Pos", "Accepted"),
    "decline": ("Decline", "IPM.Schedule.Meeting.Resp.Neg", "Declined"),
    "tentative": ("Tentative", "IPM.Schedule.Meeting.Resp.Tent", "Tentative"),
    "propose": ("Tentative", "IPM.Schedule.Meeting.Resp.Tent", "New Time Proposed"),
}


class Contacts(Actions):
    """Actions of the people (and mail servers) the mailbox owner writes to."""

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
        attachments: list[AttachmentSpec] | None = None,
        html: bool = False,
    ) -> str:
        """A message arrives in the Inbox from `sender`; returns its item id.

        ``attachments``: files it carries, each (file name, content type, content);
        ``html``: the body is HTML.
        """
        with self._changing():
            box = self.state.mailbox_for(mailbox)
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
                ("X-MS-Has-Attach", "yes" if attachments else ""),
                ("X-MS-Exchange-Organization-AuthAs", "Internal" if person else "Anonymous"),
                ("Content-Type", f'text/{"html" if html else "plain"}; charset="utf-8"'),
                ("MIME-Version", "1.0"),
            ]
            heads += [tuple(h) for h in headers or []]  # type: ignore[misc]
            fields: dict[str, list[str]] = {
                "ItemClass": [to_str(el("t:ItemClass", item_class))],
                "Subject": [to_str(el("t:Subject", subject))],
                "Body": [to_str(el("t:Body", body, {"BodyType": "HTML" if html else "Text"}))],
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
            if attachments:
                holder = el("t:Attachments")
                for filename, content_type, content in attachments:
                    holder.append(file_attachment(filename, content_type, as_bytes(content), now))
                fields["Attachments"] = [to_str(holder)]
            return deliver(self.state, box.address, fields, kind).id

    def _answering(
        self, mailbox: str | None, item_id: str | None, subject: str | None, who: str | None
    ) -> tuple[Mailbox, Item, str]:
        """The sent message being answered, its mailbox, and whom it concerns (`who`, else
        its first recipient)."""
        box, original = self._find(mailbox, ("sentitems",), item_id, subject)
        return box, original, who or original.addresses("ToRecipients")[0]

    def _answer(
        self,
        box: Mailbox,
        original: Item,
        sender: str,
        subject: str,
        body: str,
        *,
        references: str | None = None,
        **more: Any,
    ) -> str:
        """Deliver `sender`'s answer to `original` in its thread (references: the message id
        unless given)."""
        mid = original.text("InternetMessageId") or ""
        return self.receive(
            sender,
            subject,
            body,
            mailbox=box.address,
            in_reply_to=mid,
            references=mid if references is None else references,
            conversation_id=conversation_of(original),
            **more,
        )

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
        attachments: list[AttachmentSpec] | None = None,
        quoting: str | None = None,
        language: str = "en",
        html: bool = False,
    ) -> str:
        """A contact replies to a sent message, in its thread or as a fresh message, with
        ``attachments`` (file name, content type, content) if given; ``html``: the body
        is HTML.

        ``quoting`` writes ``body`` above a quote of the message as that mail client
        does for a user of ``language`` (``quoting.CLIENTS``: "outlook", "outlook-html",
        "gmail", "apple", ...; "outlook" knows en de fr es nl it pt sv da nb pl).
        """
        with self.state.lock:
            box, original, who = self._answering(mailbox, item_id, subject, sender)
            orig_topic = topic(original.text("Subject", "") or "")
            if quoting:
                body, html = self._quoting(box, original, who, body, quoting, language)
            if not in_thread:
                return self.receive(
                    who,
                    new_subject or orig_topic,
                    body,
                    mailbox=box.address,
                    attachments=attachments,
                    html=html,
                )
            mid = original.text("InternetMessageId") or ""
            refs = " ".join(x for x in ((original.text("References") or ""), mid) if x)
            return self._answer(
                box,
                original,
                who,
                new_subject or f"RE: {orig_topic}",
                body,
                references=refs,
                attachments=attachments,
                html=html,
            )

    def _quoting(
        self, box: Mailbox, original: Item, who: str, answer: str, client: str, language: str
    ) -> tuple[str, bool]:
        """``answer`` above the quote of ``original`` that ``client`` writes in ``language``."""
        body = original.get("Body")
        text = as_text(body.text or "", body.get("BodyType") == "HTML") if body is not None else ""
        person = self.state.directory.get(who)
        shown = Original(
            sender=box.address,
            sender_name=box.name,
            to=who,
            to_name=person.name if person else who,
            subject=original.text("Subject", "") or "",
            sent=original.when("DateTimeSent") or original.created,
            text=text,
        )
        return quoted(answer, shown, client, language)

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
            box, original, who = self._answering(mailbox, item_id, subject, sender)
            person = self.state.directory.get(who)
            text = (
                message
                or (person.oof.get("message") if person else "")
                or "I am out of the office."
            )
            heads = [
                ("Auto-Submitted", "auto-replied"),
                ("X-Auto-Response-Suppress", "All"),
                ("X-MS-Exchange-Inbox-Rules-Loop", who),
                ("X-MS-Exchange-Organization-AutoReply", "OOF"),
            ]
            return self._answer(
                box,
                original,
                who,
                f"Automatic reply: {original.text('Subject', '')}",
                text,
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
            box, original, who = self._answering(mailbox, item_id, subject, recipient)
            body = (
                f"Delivery has failed to these recipients or groups:\n\n{who}\n"
                f"The email address you entered couldn't be found.\n\n"
                "Diagnostic information for administrators:\n\n"
                f"Remote Server returned '{reason}'\n\n"
                "Original message headers:\n\n"
                f"Message-ID: {original.text('InternetMessageId') or ''}\n"
            )
            heads = [
                ("Auto-Submitted", "auto-replied"),
                ("X-MS-Exchange-Message-Is-Ndr", ""),
                ("X-MS-Exchange-Organization-SCL", "-1"),
                ("Content-Type", "multipart/report; report-type=delivery-status"),
            ]
            return self._answer(
                box,
                original,
                POSTMASTER[0],
                f"Undeliverable: {original.text('Subject', '')}",
                body,
                sender_name=POSTMASTER[1],
                item_class="REPORT.IPM.Note.NDR",
                headers=heads,
            )

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
        proposed = (
            (as_datetime(proposed_start), as_datetime(proposed_end))
            if response == "propose" and proposed_start and proposed_end
            else None
        )
        with self.state.lock:
            box, meeting = self._find(mailbox, ("calendar",), item_id, subject)
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
                        if proposed:
                            sub(att, "t:ProposedStart", proposed[0])
                            sub(att, "t:ProposedEnd", proposed[1])
                        break
                meeting.set(name, node)
                if found:
                    break
            if found is None:
                raise KeyError(f"{attendee} is not an attendee of {meeting.text('Subject')}")
            meeting.set("AppointmentReplyTime", now)
            box.touch(meeting)
            extra: dict[str, Element | None] = {
                "AssociatedCalendarItemId": el(
                    "t:AssociatedCalendarItemId",
                    attrs={"Id": meeting.id, "ChangeKey": meeting.change_key},
                ),
                "ResponseType": el("t:ResponseType", "Organizer"),
                "UID": el("t:UID", meeting.text("UID", "")),
                "Start": meeting.get("Start"),
                "End": meeting.get("End"),
                "Location": meeting.get("Location"),
            }
            if proposed:
                extra["ProposedStart"] = el("t:ProposedStart", proposed[0])
                extra["ProposedEnd"] = el("t:ProposedEnd", proposed[1])
            return self.receive(
                found,
                f"{prefix}: {meeting.text('Subject', '')}",
                body,
                mailbox=box.address,
                item_class=item_class,
                kind="MeetingResponse",
                extra={k: v for k, v in extra.items() if v is not None},
                conversation_id=conversation_of(meeting),
            )

    def welcome(self, people: list[dict[str, Any]]) -> list[str]:
        """Make the user's own contacts colleagues the sandbox knows; return who was new.

        ``people``: {name, email, title, department, office, phone, company, timezone}.
        """
        with self._changing():
            added = self.state.directory.welcome(Person.from_dict(p) for p in people)
            return [p.email for p in added]

    def set_out_of_office(self, email: str, message: str | None = None) -> None:
        """Turn a colleague's automatic replies on (with ``message``) or off (None)."""
        with self._changing():
            person = self.state.directory.get(email)
            if person is None:
                raise KeyError(f"{email} is not in the directory")
            if message is None:
                person.oof = {"state": "Disabled", "message": ""}
            else:
                person.oof = {"state": "Enabled", "message": message}
