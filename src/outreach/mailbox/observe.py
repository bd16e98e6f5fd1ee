"""Observing the mailbox: a pull subscription says which folders changed, sync says what.

A quiet cycle costs one GetEvents request. A folder with events gets one
SyncFolderItems page (``only()`` the fields its observations need, never MIME). Inbox's
shape names UniqueBody, so a reply's own words (without the quoted request) come in the
same page as its body.
Everything the next cycle needs is in the state dict handed in and out, so the
caller stores it with the observations in one write:

- ``drafts`` / ``sentitems`` / ``inbox`` / ``calendar``: the folders' sync states;
- ``subscription`` / ``watermark``: the pull subscription; ``folder_ids``: its folders'
  ids by name, so a quiet poll from a new process resolves no folder;
- ``index:drafts`` / ``index:calendar``: the tracked items seen there (JSON), so a
  vanished draft or a moved meeting can be named by its outbox id;
- ``mark:inbox`` / ``mark:sentitems``: the newest message reported (time and ids, JSON);
- ``rebuild:<folder>``: a first or recovering full sync is under way;
- ``pending``: folders with another page waiting.

A reply with attachments costs, per page, one GetItem listing them and, when any is a
calendar file (.ics), one GetAttachment for all of those: what a contact's invitation
or counter-proposal says is reported after the reply itself (``invites.parse``).

What this process created itself (a bulk of drafts and holds) is not read back: the
next sync skips those items (SyncFolderItems' Ignore) and indexes them from what
creating them returned, and after more than a GetEvents page of them it starts a
new subscription instead of draining their events, syncing every folder from its
state (so nothing anyone else did is lost).

The first sync of a folder is a baseline: it reports nothing old, except what is
about our own messages, since the person's first day may be ``outreach draft`` and
Send in Outlook before the daemon ever synced: a sent copy carrying our tracking is
reported (its internet message id kept in ``ours``), and Inbox, synced only after Sent
Items caught up, reports what answers one of those. A sync state the
server no longer accepts starts a rebuild that reports only what is newer than the
marks, and compares the indexes, so no item is reported twice. An expired
subscription is replaced and every folder synced from its (intact) state.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from exchangelib import FileAttachment, HTMLBody, Q
from exchangelib import errors as ews_errors
from exchangelib.folders import FolderCollection
from exchangelib.services import GetAttachment, GetEvents, SyncFolderItems
from exchangelib.services.sync_folder_hierarchy import SyncFolder
from exchangelib.util import MNS

from outreach.core.observations import (
    DraftDeleted,
    DraftEdited,
    DraftSent,
    InterviewCancelled,
    InterviewMoved,
    Observation,
    ReplyReceived,
)
from outreach.mailbox import calendarfiles, tracking
from outreach.mailbox.calendarfiles import is_calendar_file
from outreach.mailbox.classify import RawMessage, classify, html_text
from outreach.mailbox.marks import advance as _advance_mark
from outreach.mailbox.marks import answers_ours, remember_ours
from outreach.mailbox.marks import is_new as _is_new_mark
from outreach.mailbox.marks import load as _load

log = logging.getLogger(__name__)

FOLDERS = ("calendar", "drafts", "sentitems", "inbox")  # calendar first: responses need its index
ONLY: dict[str, tuple[str, ...]] = {
    "calendar": ("subject", "outreach_tracking", "start", "end", "is_cancelled"),
    "drafts": ("subject", "outreach_tracking", "message_id", "conversation_id"),
    "sentitems": (
        "item_class",
        "subject",
        "outreach_tracking",
        "headers",
        "message_id",
        "conversation_id",
        "text_body",
        "body",
        "to_recipients",
        "datetime_sent",
    ),
    "inbox": (
        "item_class",
        "subject",
        "sender",
        "datetime_received",
        "text_body",
        "headers",
        "body",
        "unique_body",
        "message_id",
        "in_reply_to",
        "references",
        "conversation_id",
        "to_recipients",
        "associated_calendar_item_id",
        "proposed_start",
        "proposed_end",
        "has_attachments",
    ),
}
SUBSCRIPTION_ERRORS = (
    ews_errors.ErrorSubscriptionNotFound,
    ews_errors.ErrorExpiredSubscription,
    ews_errors.ErrorInvalidSubscription,
    ews_errors.ErrorInvalidWatermark,
    ews_errors.ErrorSubscriptionUnsubsribed,
)
SYNC_STATE_ERRORS = (ews_errors.ErrorInvalidSyncStateData, ews_errors.ErrorSyncFolderNotFound)
CREATE, UPDATE, DELETE = "create", "update", "delete"
#: Events one GetEvents returns at most (Exchange's page).
EVENTS_PER_CALL = 50


class CheckedSyncFolderItems(SyncFolderItems):
    """SyncFolderItems that raises the server's error instead of crashing on a missing SyncState."""

    def _get_element_container(self, message: Any, name: Any = None) -> Any:
        if message.find(f"{{{MNS}}}SyncState") is None:
            return super(SyncFolder, self)._get_element_container(message=message, name=name)
        return super()._get_element_container(message=message, name=name)


def plain(value: datetime | None, tz: tzinfo) -> datetime | None:
    """An exchangelib EWSDateTime as a plain aware datetime in ``tz``."""
    if value is None:
        return None
    if value.tzinfo is None:
        return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=tz)
    return datetime.fromtimestamp(value.timestamp(), tz=tz)


def _as_text(body: Any) -> str:
    """A Body or HTMLBody as text ("" for none): a text body stays as written."""
    if not body:
        return ""
    return html_text(str(body)) if isinstance(body, HTMLBody) else str(body).strip()


def _text(item: Any) -> str:
    """The item's text: its text body, else its body as text."""
    return item.text_body or _as_text(item.body)


def _own_text(item: Any) -> str:
    """The item's own words, from UniqueBody (HTML or text, as the server wrote it)."""
    return _as_text(getattr(item, "unique_body", None))


def _is_new(state: Mapping[str, str], folder: str, when: datetime | None, item_id: str) -> bool:
    return _is_new_mark(state, f"mark:{folder}", when, item_id)


def _advance(state: dict[str, str], folder: str, when: datetime | None, item_id: str) -> None:
    _advance_mark(state, f"mark:{folder}", when, item_id)


def _answers_unknown(state: Mapping[str, str]) -> bool:
    """True while Inbox's baseline would wait for Sent Items' (which finds our sent copies)."""
    inbox_first = "inbox" not in state or state.get("rebuild:inbox") == "baseline"
    sent_first = "sentitems" not in state or state.get("rebuild:sentitems") == "baseline"
    return inbox_first and sent_first


def _answers_ours(state: Mapping[str, str], raw: RawMessage) -> bool:
    """True for a message a baseline reports: it answers a sent copy of ours, or is
    about one of our calendar items."""
    return raw.tracking_id is not None or answers_ours(
        state, "ours", raw.in_reply_to, raw.references
    )


class Observer:
    """Turns subscription events and sync pages into observations for one account."""

    def __init__(
        self,
        account: Any,
        *,
        page_size: int = 100,
        tz: tzinfo = UTC,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        subscription_minutes: int = 60,
    ) -> None:
        tracking.register()
        self.account = account
        self.page_size = page_size
        self.tz = tz
        self.clock = clock
        self.subscription_minutes = subscription_minutes
        self._folders: dict[str, Any] = {}
        self._with_files: list[ReplyReceived] = []  # replies of this page that carry files
        self._open: dict[str, dict[str, Any]] = {}  # indexes of this page, parsed once
        #: folder -> item id -> its index entry: items this process just created, which
        #: the next sync skips (Ignore) instead of reading back
        self._own: dict[str, dict[str, list[Any]]] = {}

    # -- folders and subscription -------------------------------------------------
    def folder(self, name: str) -> Any:
        if name not in self._folders:
            attr = "sent" if name == "sentitems" else name
            self._folders[name] = getattr(self.account, attr)
        return self._folders[name]

    def _names_by_id(self, state: dict[str, str]) -> dict[str, str]:
        """Folder id -> name, kept in the state: a new process polls without a GetFolder."""
        known: dict[str, str] = _load(state, "folder_ids")
        if not known:
            known = {self.folder(n).id: n for n in FOLDERS}
            state["folder_ids"] = json.dumps(known)
        return known

    def _subscribe(self, state: dict[str, str]) -> None:
        folders = [self.folder(n) for n in FOLDERS]
        sid, mark = FolderCollection(account=self.account, folders=folders).subscribe_to_pull(
            timeout=self.subscription_minutes
        )
        state["subscription"], state["watermark"] = sid, mark
        state["folder_ids"] = json.dumps({f.id: n for n, f in zip(FOLDERS, folders, strict=True)})

    def _changed(self, state: dict[str, str]) -> set[str]:
        """Folders the subscription saw change (one GetEvents while there is nothing more)."""
        names = self._names_by_id(state)
        changed: set[str] = set()
        service = GetEvents(account=self.account)
        while True:
            notification = service.get(
                subscription_id=state["subscription"], watermark=state["watermark"]
            )
            for event in notification.events or []:
                if getattr(event, "watermark", None):
                    state["watermark"] = event.watermark
                for attr in ("parent_folder_id", "old_parent_folder_id", "folder_id"):
                    ref = getattr(event, attr, None)
                    if ref is not None and ref.id in names:
                        changed.add(names[ref.id])
            if not notification.more_events:
                return changed

    def created(self, folder: str, entries: Mapping[str, list[Any]]) -> None:
        """Remember items this process just created (item id -> index entry).

        The next sync skips them (SyncFolderItems' Ignore) and indexes them from these
        entries instead of reading them back; after a bulk write it also starts a new
        subscription rather than draining one GetEvents per 50 of its events.
        """
        self._own.setdefault(folder, {}).update(entries)

    def _due(self, state: dict[str, str]) -> set[str]:
        if sum(len(own) for own in self._own.values()) > EVENTS_PER_CALL:
            # every folder is synced from its state, so no event of anyone else is lost
            log.info("after our own bulk write: a new subscription instead of its events")
            self._subscribe(state)
            return set(FOLDERS)
        waiting = {n for n in (state.get("pending") or "").split(",") if n}
        never = {n for n in FOLDERS if n not in state}
        if waiting and state.get("subscription"):
            # finish the folders' pages first; the subscription keeps the other events
            return waiting | never
        if state.get("subscription") and state.get("watermark"):
            try:
                return self._changed(state) | waiting | never
            except SUBSCRIPTION_ERRORS as gone:
                log.info("subscription lost (%s); subscribing again", type(gone).__name__)
        self._subscribe(state)
        return set(FOLDERS)

    # -- one sync cycle ------------------------------------------------------------
    def sync(self, state_in: Mapping[str, str]) -> Any:
        from outreach.mailbox.base import SyncResult

        state = dict(state_in)
        due = self._due(state)
        out: list[Observation] = []
        vanished: dict[str, tuple[str, str | None]] = {}  # tracking id -> (draft id, message id)
        sent_seen: set[str] = set()
        pending: list[str] = []
        for name in FOLDERS:
            if name == "inbox" and _answers_unknown(state):
                pending.append(name)  # its baseline needs all of our sent copies first
            elif name in due and not self._page(name, state, out, vanished, sent_seen):
                pending.append(name)
        if vanished:
            self._confirm_deleted(vanished, sent_seen, out)
        state["pending"] = ",".join(pending)
        return SyncResult(observations=out, state=state, more=bool(pending))

    def _fetch_page(self, name: str, sync_state: str | None) -> tuple[list[Any], str, bool]:
        folder = self.folder(name)
        for field in ONLY[name]:
            folder.validate_item_field(field=field, version=self.account.version)
        fields = {f for f in folder.normalize_fields(fields=ONLY[name]) if not f.field.is_attribute}
        service = CheckedSyncFolderItems(account=self.account)
        own = [(item_id, None) for item_id in self._own.get(name, {})]
        changes = list(
            service.call(
                folder=folder,
                shape="IdOnly",
                additional_fields=fields,
                sync_state=sync_state,
                ignore=own or None,
                max_changes_returned=self.page_size,
                sync_scope=None,
            )
        )
        return changes, service.sync_state, bool(service.includes_last_item_in_range)

    def _page(
        self,
        name: str,
        state: dict[str, str],
        out: list[Observation],
        vanished: dict[str, tuple[str, str | None]],
        sent_seen: set[str],
    ) -> bool:
        """Sync one page of a folder into ``out``; return True when the folder is caught up."""
        if name not in state:
            state[f"rebuild:{name}"] = "baseline"
        try:
            changes, new_state, last = self._fetch_page(name, state.get(name) or None)
        except SYNC_STATE_ERRORS as invalid:
            log.info("sync state of %s refused (%s); rebuilding", name, type(invalid).__name__)
            state.pop(name, None)
            state[f"rebuild:{name}"] = "resync"
            state.pop(f"reindex:{name}", None)
            changes, new_state, last = self._fetch_page(name, None)
        rebuilding = state.get(f"rebuild:{name}")
        handler = getattr(self, f"_on_{name}")
        self._with_files, self._open = [], {}
        for kind, item in changes:
            if isinstance(item, Exception) or kind not in (CREATE, UPDATE, DELETE):
                continue
            handler(kind, item, state, out, vanished, sent_seen, rebuilding)
        if self._with_files:
            self._read_calendar_files(self._with_files, out)
        own = self._own.pop(name, {}) if last else self._own.get(name, {})
        if own:  # skipped by the server, so indexed here from what creating them returned
            self._index(name, state, rebuilding).update(own)
        for key, index in self._open.items():
            state[key] = json.dumps(index)
        self._open = {}
        state[name] = new_state  # only now: the page has been fully consumed
        if last and rebuilding:
            self._finish_rebuild(name, state, out, vanished)
        return last

    def _finish_rebuild(
        self,
        name: str,
        state: dict[str, str],
        out: list[Observation],
        vanished: dict[str, tuple[str, str | None]],
    ) -> None:
        """Compare what a full sync found with the index kept before it."""
        if name == "inbox" and state.pop(f"rebuild:{name}", None) == "baseline":
            state.pop("ours", None)  # only the baseline needed them
        state.pop(f"rebuild:{name}", None)
        if name not in ("drafts", "calendar"):
            return
        old, new = _load(state, f"index:{name}"), _load(state, f"reindex:{name}")
        state.pop(f"reindex:{name}", None)
        now = self.clock()
        for item_id, entry in old.items():
            if item_id in new:
                continue
            if name == "drafts":
                vanished[entry[0]] = (item_id, entry[1])
            elif not entry[3]:
                out.append(InterviewCancelled(at=now, item_id=item_id, tracking_id=entry[0]))
        if name == "calendar":
            for item_id, entry in new.items():
                before = old.get(item_id)
                if before and not before[3] and entry[3]:
                    out.append(InterviewCancelled(at=now, item_id=item_id, tracking_id=entry[0]))
                elif before and (before[1], before[2]) != (entry[1], entry[2]):
                    out.append(self._moved(item_id, entry, now))
        state[f"index:{name}"] = json.dumps(new)

    # -- per folder ------------------------------------------------------------------
    def _index(self, name: str, state: dict[str, str], rebuilding: str | None) -> dict:
        """The folder's index for this page: parsed once, written back once after it."""
        key = f"reindex:{name}" if rebuilding else f"index:{name}"
        if key not in self._open:
            self._open[key] = _load(state, key)
        return self._open[key]

    def _on_drafts(self, kind, item, state, out, vanished, sent_seen, rebuilding) -> None:
        index = self._index("drafts", state, rebuilding)
        if kind == DELETE:
            entry = index.pop(item.id, None)
            if entry:
                vanished[entry[0]] = (item.id, entry[1])
        else:
            tracking_id = getattr(item, "outreach_tracking", None)
            if not tracking_id:
                return
            conversation = item.conversation_id.id if item.conversation_id else None
            index[item.id] = [tracking_id, item.message_id, conversation]
            if kind == UPDATE and not rebuilding:
                out.append(
                    DraftEdited(
                        at=self.clock(),
                        item_id=item.id,
                        tracking_id=tracking_id,
                        internet_message_id=item.message_id,
                        conversation_id=conversation,
                        subject=item.subject or "",
                    )
                )

    def _on_calendar(self, kind, item, state, out, vanished, sent_seen, rebuilding) -> None:
        index = self._index("calendar", state, rebuilding)
        now = self.clock()
        if kind == DELETE:
            entry = index.pop(item.id, None)
            if entry and not entry[3] and not rebuilding:
                out.append(InterviewCancelled(at=now, item_id=item.id, tracking_id=entry[0]))
        else:
            tracking_id = getattr(item, "outreach_tracking", None)
            if not tracking_id:
                return
            entry = [
                tracking_id,
                item.start.isoformat() if item.start else None,
                item.end.isoformat() if item.end else None,
                bool(item.is_cancelled),
            ]
            before = index.get(item.id)
            index[item.id] = entry
            if kind == UPDATE and before and not rebuilding:
                if entry[3] and not before[3]:
                    out.append(InterviewCancelled(at=now, item_id=item.id, tracking_id=tracking_id))
                elif (before[1], before[2]) != (entry[1], entry[2]) and not entry[3]:
                    out.append(self._moved(item.id, entry, now))

    def _moved(self, item_id: str, entry: list, now: datetime) -> InterviewMoved:
        start = datetime.fromisoformat(entry[1]).astimezone(self.tz) if entry[1] else None
        end = datetime.fromisoformat(entry[2]).astimezone(self.tz) if entry[2] else None
        return InterviewMoved(at=now, item_id=item_id, tracking_id=entry[0], start=start, end=end)

    def _on_sentitems(self, kind, item, state, out, vanished, sent_seen, rebuilding) -> None:
        if kind != CREATE or (item.item_class or "").startswith("IPM.Schedule"):
            return
        sent = item.datetime_sent
        if rebuilding and not _is_new(state, "sentitems", sent, item.id):
            return  # already reported before the rebuild
        _advance(state, "sentitems", sent, item.id)
        tracking_id = getattr(item, "outreach_tracking", None) or tracking.header_value(
            item.headers
        )
        if rebuilding == "baseline":
            if not tracking_id:
                return  # the person's own mail from before: not news
            remember_ours(state, "ours", item.message_id)
        sent_seen.update(x for x in (tracking_id, item.message_id) if x)
        out.append(
            DraftSent(
                at=plain(sent, self.tz) or self.clock(),
                item_id=item.id,
                tracking_id=tracking_id,
                internet_message_id=item.message_id,
                conversation_id=item.conversation_id.id if item.conversation_id else None,
                subject=item.subject or "",
                body_text=_text(item),
                recipients=tuple((m.email_address or "").lower() for m in item.to_recipients or ()),
            )
        )

    def _on_inbox(self, kind, item, state, out, vanished, sent_seen, rebuilding) -> None:
        if kind != CREATE:
            return
        received = item.datetime_received
        if rebuilding and not _is_new(state, "inbox", received, item.id):
            return  # already reported before the rebuild
        _advance(state, "inbox", received, item.id)
        raw = self._raw(item, state)
        if rebuilding == "baseline" and not _answers_ours(state, raw):
            return
        seen = classify(raw, own=(self.account.primary_smtp_address,), tz=self.tz)
        out.append(seen)
        if getattr(item, "has_attachments", False) and type(seen) is ReplyReceived:
            self._with_files.append(seen)  # a person wrote: read their calendar files

    def _raw(self, item: Any, state: Mapping[str, str]) -> RawMessage:
        headers = {(h.name or "").lower(): h.value or "" for h in item.headers or ()}
        associated = getattr(item, "associated_calendar_item_id", None)
        tracking_id = None
        if associated is not None:
            if "index:calendar" not in self._open:
                self._open["index:calendar"] = _load(state, "index:calendar")
            entry = self._open["index:calendar"].get(associated.id)
            tracking_id = entry[0] if entry else None
        sender = item.sender.email_address if getattr(item, "sender", None) else ""
        references = tuple((getattr(item, "references", None) or "").split())
        return RawMessage(
            item_id=item.id,
            received=plain(item.datetime_received, self.tz) or self.clock(),
            item_class=item.item_class or "IPM.Note",
            subject=item.subject or "",
            sender=sender or "",
            body_text=_text(item),
            own_text=_own_text(item),
            headers=headers,
            internet_message_id=item.message_id,
            in_reply_to=item.in_reply_to,
            references=references,
            conversation_id=item.conversation_id.id if item.conversation_id else None,
            recipients=tuple((m.email_address or "").lower() for m in item.to_recipients or ()),
            tracking_id=tracking_id,
            proposed_start=plain(getattr(item, "proposed_start", None), self.tz),
            proposed_end=plain(getattr(item, "proposed_end", None), self.tz),
        )

    # -- calendar files that came with replies -------------------------------------------
    def _read_calendar_files(self, replies: list[ReplyReceived], out: list[Observation]) -> None:
        """Add what the .ics files of these replies say, each after its reply in ``out``.

        One GetItem lists the replies' attachments; one GetAttachment (per 100 files)
        reads the calendar files among them. A file that cannot be read or parsed is
        skipped with a log line: the reply itself is reported all the same.
        """
        listed = self.account.fetch(
            ids=[(r.item_id, None) for r in replies], only_fields=["attachments"]
        )
        wanted: list[tuple[ReplyReceived, Any]] = []
        for reply, item in zip(replies, listed, strict=True):
            if isinstance(item, Exception):
                log.info("attachments of a reply not listed: %s", type(item).__name__)
                continue
            for attached in item.attachments or ():
                if isinstance(attached, FileAttachment) and is_calendar_file(
                    attached.name, attached.content_type
                ):
                    wanted.append((reply, attached))
        if not wanted:
            return
        files = GetAttachment(account=self.account).call(
            items=[a.attachment_id for _, a in wanted],
            include_mime_content=False,
            body_type=None,
            filter_html_content=None,
            additional_fields=None,
        )
        own = self.account.primary_smtp_address or ""
        added: dict[int, list[Observation]] = {}
        for (reply, attached), got in zip(wanted, files, strict=True):
            if isinstance(got, Exception):
                log.info("calendar file %r not read: %s", attached.name, type(got).__name__)
                continue
            try:
                data = got.content or b""
            except ValueError:  # no content came back (exchangelib would stream it)
                data = b""
            added.setdefault(id(reply), []).extend(
                calendarfiles.observations(reply, attached.name or "", data, self.tz, own)
            )
        calendarfiles.after_replies(out, added)

    # -- drafts that vanished ----------------------------------------------------------
    def _confirm_deleted(
        self,
        vanished: dict[str, tuple[str, str | None]],
        sent_seen: set[str],
        out: list[Observation],
    ) -> None:
        """Report a vanished draft as deleted unless it was sent (or is in the Outbox).

        Sent copies seen in this cycle settle most cases; the rest cost one FindItem
        over Sent Items and Outbox by property, X- header or internet message id.
        """
        left = {
            t: (item_id, mid)
            for t, (item_id, mid) in vanished.items()
            if t not in sent_seen and (mid is None or mid not in sent_seen)
        }
        if not left:
            return
        ids = list(left)
        mids = [mid for _, mid in left.values() if mid]
        query = Q(outreach_tracking__in=ids) | Q(outreach_header__in=ids)
        if mids:
            query |= Q(message_id__in=mids)
        places = FolderCollection(
            account=self.account, folders=[self.folder("sentitems"), self.account.outbox]
        )
        found: set[str] = set()
        for item in places.filter(query).only("outreach_tracking", "outreach_header", "message_id"):
            found.update(
                x for x in (item.outreach_tracking, item.outreach_header, item.message_id) if x
            )
        now = self.clock()
        for tracking_id, (item_id, mid) in left.items():
            if tracking_id in found or (mid and mid in found):
                continue
            out.append(
                DraftDeleted(
                    at=now, item_id=item_id, tracking_id=tracking_id, internet_message_id=mid
                )
            )
