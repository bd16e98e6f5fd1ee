"""The Microsoft Graph backend: the Mailbox interface on httpx, for Microsoft 365.

Same guarantees as the EWS backend, in Graph's terms: drafts and holds go in
``$batch`` requests of 20, tracking is the same extended properties (so either
backend finds what the other made), a sent copy is found by its tracking, never
by an id (Outlook may give a draft a new one when it sends it). An invitation
waiting for approval is a draft event (``isDraft``): Outlook shows it with "not
sent", and pressing Send there invites.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from outreach.core.errors import MailboxError
from outreach.core.items import Busy, Created, Meeting, OutgoingEmail, Person
from outreach.core.observations import OutOfOffice
from outreach.mailbox.base import SyncResult, sent_copy
from outreach.mailbox.classify import html_text
from outreach.mailbox.graph import shapes
from outreach.mailbox.graph.auth import tenant_of
from outreach.mailbox.graph.client import Answer, Call, GraphClient
from outreach.mailbox.graph.observe import GraphObserver
from outreach.mailbox.returndate import return_date

log = logging.getLogger(__name__)

#: Tracking ids per $filter (the URL stays well under Graph's length limit).
FILTER_CHUNK = 15
MAIL_FOLDERS = ("drafts", "sentitems", "outbox", "deleteditems")
BUSY = {"busy", "tentative", "oof", "workingelsewhere"}
USER_FIELDS = "displayName,mail,userPrincipalName,jobTitle,department,officeLocation,businessPhones"


class GraphMailbox:
    """A Microsoft 365 mailbox reached through Microsoft Graph (real, or the sandbox's face)."""

    def __init__(
        self,
        client: GraphClient,
        *,
        email: str,
        tz: str = "UTC",
        tenant: str = "",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] | None = None,
        page_size: int = 500,
    ) -> None:
        self.client = client
        self.email = email.lower()
        self.tz = ZoneInfo(tz)
        self.tenant = tenant
        self._sleep = sleep
        self.clock = clock or (lambda: datetime.now(UTC))
        self.me = client.user
        self.observer = GraphObserver(
            client, own=self.email, page_size=page_size, tz=self.tz, clock=self.clock
        )
        self.owned_server: Any = None  # an in-process sandbox this backend started, if any

    # -- reaching the server ------------------------------------------------------------
    def check(self) -> str:
        """Reach the server once; return a sentence naming backend, mailbox and tenant."""
        me = self.client.get(f"{self.me}?$select=displayName,mail,userPrincipalName")
        mailbox = (me or {}).get("mail") or (me or {}).get("userPrincipalName") or self.email
        tenant = self.tenant or tenant_of(self.client.tokens.token()) or "not named by the token"
        return (
            f"Microsoft Graph at {self.client.host}: signed in as {self.client.tokens.who}; "
            f"mailbox {mailbox}; tenant {tenant}."
        )

    # -- drafts and sending ---------------------------------------------------------------
    def create_drafts(self, emails: Sequence[OutgoingEmail]) -> list[Created]:
        """Save drafts in Drafts, 20 to a $batch; one the server refused is left out (logged)."""
        calls = [Call("POST", f"{self.me}/messages", shapes.message(e)) for e in emails]
        out = []
        for email, answer in zip(emails, self.client.batch(calls), strict=True):
            if not answer.ok or not isinstance(answer.body, dict):
                log.warning(
                    "draft %s was not created: %s",
                    email.tracking_id,
                    answer.error_code() or answer.status,
                )
                continue
            out.append(
                Created(
                    tracking_id=email.tracking_id,
                    item_id=answer.body["id"],
                    internet_message_id=answer.body.get("internetMessageId"),
                    conversation_id=answer.body.get("conversationId"),
                )
            )
        return out

    def send(self, email: OutgoingEmail) -> Created:
        """Send now (a copy saved in Sent Items with the same tracking); then find that copy."""
        self.client.post(
            f"{self.me}/sendMail", {"message": shapes.message(email), "saveToSentItems": True}
        )
        return sent_copy(
            email.tracking_id, self.find_tracked([email.tracking_id]).get(email.tracking_id)
        )

    # -- calendar ------------------------------------------------------------------------
    def create_meeting(self, meeting: Meeting, send: bool) -> Created:
        """Put the interview on the calendar; invite only if ``send`` (else a draft event)."""
        invite = send and bool(meeting.attendees)
        body = self.client.post(f"{self.me}/events", shapes.event(meeting, draft=not invite))
        self.observer.created("calendar", {body["id"]: _calendar_entry(meeting)})
        return Created(tracking_id=meeting.tracking_id, item_id=body["id"], sent=invite)

    def _event(self, item_id: str) -> str:
        return f"{self.me}/events/{shapes.rest_id(item_id)}"

    def update_meeting(self, item_id: str, meeting: Meeting, send: bool) -> Created:
        """Move the interview: one GET (is it still there? were its invitations sent?), one
        PATCH. The event keeps its id and UID; its tracking becomes the new outbox id, so
        reconciling finds the move done. Attendees get the update if ``send`` or if the
        invitations went already (the user may have pressed Send in Outlook); an unsent
        (draft) one stays a draft. Raise MailboxError if it is gone."""
        found = self.client.call(
            Call("GET", f"{self._event(item_id)}?$select=id,isCancelled,isDraft,attendees"),
            allow=(404,),
        )
        event = found.body or {}
        if found.status == 404 or event.get("isCancelled"):
            raise MailboxError(
                "The interview's calendar item is no longer in the calendar, so it cannot be moved."
            )
        went = bool(event.get("attendees")) and not event.get("isDraft")
        invite = (send or went) and bool(meeting.attendees)
        body = shapes.moved(meeting, draft=not invite)
        answer = self.client.call(Call("PATCH", self._event(item_id), body))
        return Created(
            tracking_id=meeting.tracking_id,
            item_id=(answer.body or {}).get("id") or item_id,
            sent=invite,
        )

    def create_holds(self, holds: Sequence[Meeting]) -> list[Created]:
        """Put tentative holds on the calendar, 20 to a $batch; nothing is sent."""
        calls = [Call("POST", f"{self.me}/events", shapes.event(h)) for h in holds]
        out, entries = [], {}
        for hold, answer in zip(holds, self.client.batch(calls), strict=True):
            if answer.ok and isinstance(answer.body, dict):
                out.append(Created(tracking_id=hold.tracking_id, item_id=answer.body["id"]))
                entries[answer.body["id"]] = _calendar_entry(hold)
            else:
                log.warning("hold %s was not created: %s", hold.tracking_id, answer.status)
        self.observer.created("calendar", entries)
        return out

    def remove_holds(self, item_ids: Sequence[str]) -> None:
        """Delete holds, 20 to a $batch; one already gone is fine."""
        ids = list(dict.fromkeys(i for i in item_ids if i))
        answers = self.client.batch([Call("DELETE", self._event(i)) for i in ids])
        for item_id, answer in zip(ids, answers, strict=True):
            if not answer.ok and answer.status != 404:
                log.warning("hold %s was not removed: %s", item_id[-12:], answer.status)

    def cancel_meeting(self, item_id: str, send: bool) -> None:
        """Withdraw a hold or an unsent invitation (deleted) or cancel an interview (notices)."""
        path = self._event(item_id)
        found = self.client.call(Call("GET", f"{path}?$select=id,attendees,isDraft"), allow=(404,))
        if found.status == 404:
            return  # already gone: withdrawing twice is harmless
        item = found.body or {}
        if send and item.get("attendees") and not item.get("isDraft"):
            self.client.call(Call("POST", f"{path}/cancel", {"Comment": ""}))
        else:
            self.client.call(Call("DELETE", path), allow=(404,))

    # -- reconciliation ----------------------------------------------------------------
    def find_tracked(self, tracking_ids: Sequence[str]) -> dict[str, Created]:
        """Return what exists for these outbox ids: Drafts, Sent Items, Outbox, Deleted Items
        and the Calendar filtered on the tracking property, in one $batch per 15 ids.
        A copy in Deleted Items counts only when there is no other."""
        wanted = [t for t in dict.fromkeys(tracking_ids) if t]
        found: dict[str, Created] = {}
        expand = shapes.expand(shapes.TRACKING)
        for first in range(0, len(wanted), FILTER_CHUNK):
            chunk = wanted[first : first + FILTER_CHUNK]
            where = shapes.tracked_filter(chunk)
            places = [f"{self.me}/mailFolders/{f}/messages" for f in MAIL_FOLDERS]
            places.append(f"{self.me}/events")
            fields = ["id,internetMessageId,conversationId"] * len(MAIL_FOLDERS)
            fields.append("id,attendees,isDraft")
            calls = [
                Call("GET", f"{p}?$filter={where}&$select={s}&$expand={expand}&$top=100")
                for p, s in zip(places, fields, strict=True)
            ]
            answers = self.client.batch(calls)
            for call, answer in zip(calls, answers, strict=True):
                if not answer.ok:
                    raise self.client.refusal(call, answer)
            for folder, answer in zip((*MAIL_FOLDERS, "calendar"), answers, strict=True):
                self._found(folder, answer, chunk, found)
        return found

    def _found(self, folder: str, answer: Answer, wanted: list[str], found: dict) -> None:
        for item in (answer.body or {}).get("value") or ():
            key = shapes.prop(item, shapes.TRACKING)
            if key not in wanted:
                continue
            if folder == "calendar":
                invited = bool(item.get("attendees")) and not item.get("isDraft")
                found[key] = Created(tracking_id=key, item_id=item["id"], sent=invited)
                continue
            sent, deleted = folder == "sentitems", folder == "deleteditems"
            if key in found and (found[key].sent or deleted) and not sent:
                continue
            found[key] = Created(
                tracking_id=key,
                item_id=item["id"],
                internet_message_id=item.get("internetMessageId"),
                conversation_id=item.get("conversationId"),
                sent=sent,
                deleted=deleted,
            )

    # -- observing -----------------------------------------------------------------------
    def sync(self, state: Mapping[str, str]) -> SyncResult:
        """Return what changed since ``state``: all the folders' deltas in one $batch."""
        return self.observer.sync(state)

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds``: change notifications need a public endpoint, so Graph is polled."""
        self._sleep(max(seconds, 0))
        return True

    # -- before drafting -------------------------------------------------------------------
    def busy(self, emails: Sequence[str], start: datetime, end: datetime) -> dict[str, list[Busy]]:
        """Return busy intervals per address, in one getSchedule request per 20 addresses."""
        out: dict[str, list[Busy]] = {}
        emails = list(emails)
        for first in range(0, len(emails), 20):
            chunk = emails[first : first + 20]
            answer = self.client.call(
                Call(
                    "POST",
                    f"{self.me}/calendar/getSchedule",
                    {
                        "Schedules": chunk,
                        "StartTime": shapes.when(start),
                        "EndTime": shapes.when(end),
                        "AvailabilityViewInterval": 15,
                    },
                    headers={"Prefer": 'outlook.timezone="UTC"'},
                )
            )
            for row in (answer.body or {}).get("value") or ():
                who = str(row.get("scheduleId") or "").lower()
                if row.get("error"):
                    log.info("no free/busy for %s: %s", who, (row["error"] or {}).get("message"))
                    continue
                spans = []
                for entry in row.get("scheduleItems") or ():
                    if str(entry.get("status") or "").lower() not in BUSY:
                        continue
                    first_at = shapes.local(entry.get("start"), self.tz)
                    last_at = shapes.local(entry.get("end"), self.tz)
                    if first_at and last_at:
                        spans.append(Busy(first_at, last_at, entry.get("subject") or ""))
                out[who] = spans
        return out

    def mail_tips(self, emails: Sequence[str]) -> dict[str, OutOfOffice]:
        """Return out-of-office, validity and external scope per recipient (one getMailTips)."""
        if not emails:
            return {}
        answer = self.client.call(
            Call(
                "POST",
                f"{self.me}/getMailTips",
                {
                    "EmailAddresses": list(emails),
                    "MailTipsOptions": "automaticReplies, recipientScope",
                },
            )
        )
        own_domain = self.email.split("@")[-1]
        now = self.clock().astimezone(self.tz)
        out: dict[str, OutOfOffice] = {}
        rows = (answer.body or {}).get("value") or []
        for asked, tip in zip(emails, rows, strict=False):
            email = shapes.address(tip) or asked.lower()
            out[email] = self._out_of_office(email, tip, own_domain, now)
        return out

    def _out_of_office(
        self, email: str, tip: Mapping[str, Any], own_domain: str, now: datetime
    ) -> OutOfOffice:
        replies = tip.get("automaticReplies") or {}
        raw = str(replies.get("message") or "")
        message = shapes_text(raw)
        away = bool(message)
        until: datetime | None = None
        ends = shapes.local(replies.get("scheduledEndTime"), self.tz)
        begins = shapes.local(replies.get("scheduledStartTime"), self.tz)
        if ends is not None:
            until = ends
            if begins is not None and begins > now:
                away = False  # scheduled for later: not away now
        elif message:
            until = return_date(message, now, self.tz)
        scope = str(tip.get("recipientScope") or "").lower()
        external = "external" in scope or email.split("@")[-1] != own_domain
        error = tip.get("error") or {}
        notes = tuple(n for n in (tip.get("customMailTip"), error.get("code")) if n)
        return OutOfOffice(
            email=email,
            away=away,
            until=until if away else None,
            message=message,
            invalid=bool(error),
            external=external,
            notes=notes,
        )

    # -- directory ------------------------------------------------------------------------
    def lookup(self, name: str) -> list[Person]:
        """Search the directory by name or address (with each one's manager when allowed)."""
        term = name.replace('"', "").strip()
        if not term:
            return []
        search = f'"displayName:{term}" OR "mail:{term}"'
        path = f"/users?$search={search}&$select={USER_FIELDS}&$top=25"
        headers = {"ConsistencyLevel": "eventual"}
        answer = self.client.call(
            Call("GET", f"{path}&$expand=manager($select=mail)", headers=headers),
            allow=(400, 403),
        )
        if not answer.ok:  # the manager is not readable with these permissions: without it
            answer = self.client.call(Call("GET", path, headers=headers))
        rows = (answer.body or {}).get("value") or ()
        return [p for p in (_person(row) for row in rows) if p.email]

    def person(self, email: str) -> Person | None:
        """One $batch: the user at ``email``, their manager and their direct reports."""
        wanted = email.strip().lower()
        base = f"/users/{wanted}"
        me, manager, reports = self.client.batch(
            [
                Call("GET", f"{base}?$select={USER_FIELDS}"),
                # no $select: these answer directoryObjects, which have no mail property
                # (Graph returns users with their default properties, mail among them)
                Call("GET", f"{base}/manager"),
                Call("GET", f"{base}/directReports"),
            ]
        )
        if me.status == 404:
            return None
        if not me.ok:
            raise self.client.refusal(Call("GET", base), me)
        found = _person(me.body or {})
        boss = _mail(manager.body) if manager.ok else ""
        under = (
            tuple(m for m in (_mail(r) for r in (reports.body or {}).get("value") or ()) if m)
            if reports.ok
            else ()
        )
        return replace(found, email=found.email or wanted, manager=boss, reports=under)

    def close(self) -> None:
        self.client.close()
        if self.owned_server is not None:
            self.owned_server.stop()
            self.owned_server = None


def _calendar_entry(meeting: Meeting) -> list[Any]:
    """The calendar index entry of an event we created, as its delta would give it."""
    start, end = meeting.start.astimezone(UTC), meeting.end.astimezone(UTC)
    return [meeting.tracking_id, start.isoformat(), end.isoformat(), False]


def _mail(row: Any) -> str:
    if not isinstance(row, dict):
        return ""
    return str(row.get("mail") or row.get("userPrincipalName") or "").lower()


def _person(row: Mapping[str, Any]) -> Person:
    phones = row.get("businessPhones") or []
    email = _mail(row)
    return Person(
        name=row.get("displayName") or email,
        email=email,
        title=row.get("jobTitle") or "",
        department=row.get("department") or "",
        office=row.get("officeLocation") or "",
        phone=phones[0] if phones else "",
        manager=_mail(row.get("manager")),
    )


def shapes_text(html: str) -> str:
    """An automatic reply's text (Graph gives its HTML)."""
    return html_text(html) if "<" in html else html.strip()
