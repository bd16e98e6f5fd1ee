"""The mailbox owner in Outlook: sending, editing and deleting drafts, moving and cancelling
meetings they organized — what the user does by hand, outside outreach."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..mailflow import invite_attendees, send
from ..xml import el, to_str
from .base import Actions, as_datetime


class Outlook(Actions):
    """Actions of the user at their mail client."""

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
        with self._changing():
            box, draft = self._find(mailbox, ("drafts",), item_id, subject)
            sent = send(self.state, box, draft, keep_extended=not drop_extended_properties)
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
        with self._changing():
            box, draft = self._find(mailbox, ("drafts",), item_id, subject)
            if new_subject is not None:
                draft.set("Subject", new_subject)
            if body is not None:
                draft.set("Body", el("t:Body", body, {"BodyType": "Text"}))
            box.touch(draft)
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
        with self._changing():
            box, draft = self._find(mailbox, ("drafts",), item_id, subject)
            if hard:
                box.delete(draft)
            else:
                box.move(draft, "deleteditems")

    def send_meeting(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        mailbox: str | None = None,
    ) -> str:
        """The user presses Send on a meeting whose invitations were not sent (Outlook's
        "invitations have not been sent"): the request goes to the attendees, a copy lands
        in Sent Items, the item keeps its id. Raise ValueError if there is nobody to invite
        or the invitations went already."""
        with self._changing():
            box, meeting = self._find(mailbox, ("calendar",), item_id, subject)
            if not meeting.addresses("RequiredAttendees") + meeting.addresses("OptionalAttendees"):
                raise ValueError(f"{meeting.text('Subject')!r} has no attendees to invite")
            if meeting.text("MeetingRequestWasSent") == "true":
                raise ValueError(f"the invitations of {meeting.text('Subject')!r} were sent")
            meeting.set("IsDraft", False)
            invite_attendees(self.state, box, meeting, "NewMeetingRequest")
            copy = {k: list(v) for k, v in meeting.fields.items() if k != "ExtendedProperty"}
            copy["ItemClass"] = [to_str(el("t:ItemClass", "IPM.Schedule.Meeting.Request"))]
            copy["DateTimeSent"] = [to_str(el("t:DateTimeSent", self.state.clock()))]
            box.add("sentitems", "MeetingRequest", copy)
            box.touch(meeting)
        return meeting.id

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
        with self._changing():
            box, meeting = self._find(mailbox, ("calendar",), item_id, subject)
            old_start, old_end = meeting.when("Start"), meeting.when("End")
            new_start = as_datetime(start)
            length = (old_end - old_start) if old_start and old_end else timedelta(minutes=30)
            meeting.set("Start", new_start)
            meeting.set("End", as_datetime(end) if end else new_start + length)
            seq = int(meeting.text("AppointmentSequenceNumber", "0") or 0)
            meeting.set("AppointmentSequenceNumber", seq + 1)
            box.touch(meeting)
        return meeting.id

    def cancel_meeting(
        self,
        item_id: str | None = None,
        *,
        subject: str | None = None,
        delete: bool = True,
        mailbox: str | None = None,
    ) -> str:
        """The organizer cancels: Outlook sends cancellations and deletes the item."""
        with self._changing():
            box, meeting = self._find(mailbox, ("calendar",), item_id, subject)
            meeting.set("IsCancelled", True)
            meeting.set("Subject", f"Canceled: {meeting.text('Subject', '')}")
            box.touch(meeting)
            if delete:
                meeting = box.move(meeting, "deleteditems")
        return meeting.id
