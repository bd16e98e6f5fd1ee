"""Observing the mailbox over Graph: every folder's delta in one $batch per cycle.

A cycle sends one $batch with the delta of Calendar (a calendarView window), Drafts,
Sent Items, Inbox and Deleted Items, so a quiet mailbox costs one HTTP request.
Inbox's delta selects ``uniqueBody`` beside ``body``: a reply's own words, without the
quoted request, come in the same page.
Only when something changed do follow-ups go out, each batched: the tracking of
new calendar items (calendarView delta takes no ``$expand``), the full meeting
responses, a reply's calendar files, the check whether a vanished draft was sent.

Graph's delta does not say "created" or "updated", and an update (a flag, a read
mark) brings an old message back; so Sent Items and Inbox report a message only
once: never one already seen (``seen``, the recent ids), never one older than the
folder's mark by more than a day. The state (all keys start ``graph:``, so they
never mix with the EWS backend's):

- ``graph:link:<folder>``: the delta or next link to follow;
- ``graph:pending``: folders with another page waiting;
- ``graph:rebuild:<folder>``: a first or recovering full sync is under way;
- ``graph:index:drafts`` / ``graph:index:calendar`` (and ``graph:reindex:``): the
  tracked items seen there, so a vanished draft or a moved meeting is named;
- ``graph:mark:<folder>`` / ``graph:seen:<folder>``: the newest message reported and
  the recent ids.

The first sync (a baseline) reports nothing old but what is about our own messages,
as on EWS: a sent copy carrying our tracking (its message id kept in ``graph:ours``)
and, once Sent Items caught up, what in Inbox answers one of those.

A delta link the server no longer knows (410) restarts that folder: the restarted
folder reports nothing seen before, as after a refused EWS sync state. A state
written by the EWS backend is taken over: its marks and indexes (compared by
tracking id, since the two protocols name items differently) start a rebuild, so a
campaign moved from EWS to Graph reports nothing twice.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from outreach.core.observations import (
    DraftDeleted,
    DraftEdited,
    DraftSent,
    InterviewCancelled,
    InterviewMoved,
    Observation,
    ReplyReceived,
)
from outreach.mailbox import calendarfiles
from outreach.mailbox.base import SyncResult
from outreach.mailbox.classify import RawMessage, classify, html_text
from outreach.mailbox.graph import shapes
from outreach.mailbox.graph.client import Call, GraphClient
from outreach.mailbox.marks import advance, answers_ours, load, remember_ours
from outreach.mailbox.tracking import Known, match_tracked

log = logging.getLogger(__name__)

FOLDERS = ("calendar", "drafts", "sentitems", "inbox", "deleteditems")
P = "graph:"
#: An update to a message older than its folder's mark by more than this is not news.
SLACK = timedelta(days=1)
#: The calendar window: from a day back to a year ahead; renewed when less than 90 days remain.
WINDOW_BACK, WINDOW_AHEAD, WINDOW_RENEW = timedelta(days=1), timedelta(days=365), 90
TEXT = 'outlook.body-content-type="text"'
SELECT = {
    "drafts": ("id", "subject", "internetMessageId", "conversationId"),
    "sentitems": (
        "id",
        "subject",
        "internetMessageId",
        "conversationId",
        "body",
        "toRecipients",
        "sentDateTime",
    ),
    "inbox": (
        "id",
        "subject",
        "sender",
        "from",
        "receivedDateTime",
        "body",
        "uniqueBody",
        "internetMessageHeaders",
        "internetMessageId",
        "conversationId",
        "toRecipients",
        "hasAttachments",
    ),
    "deleteditems": ("id", "internetMessageId"),
}
EXPAND = {
    "drafts": (shapes.TRACKING,),
    "sentitems": (shapes.TRACKING, shapes.HEADER_PROPERTY, shapes.MESSAGE_CLASS),
    "inbox": (shapes.MESSAGE_CLASS,),
    "deleteditems": (shapes.TRACKING,),
}
RESPONSE_CLASSES = {
    "accepted": "IPM.Schedule.Meeting.Resp.Pos",
    "meetingaccepted": "IPM.Schedule.Meeting.Resp.Pos",
    "tentativelyaccepted": "IPM.Schedule.Meeting.Resp.Tent",
    "meetingtenativelyaccepted": "IPM.Schedule.Meeting.Resp.Tent",
    "meetingtentativelyaccepted": "IPM.Schedule.Meeting.Resp.Tent",
    "declined": "IPM.Schedule.Meeting.Resp.Neg",
    "meetingdeclined": "IPM.Schedule.Meeting.Resp.Neg",
}


def has_graph_state(state: Mapping[str, str]) -> bool:
    return any(k.startswith(P) for k in state)


class GraphObserver:
    """Turns delta pages into the observations the EWS observer reports, for one mailbox."""

    def __init__(
        self,
        client: GraphClient,
        *,
        own: str,
        page_size: int = 500,
        tz: tzinfo = UTC,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.own = own.lower()
        self.page_size = page_size
        self.tz = tz
        self.clock = clock
        self.me = client.user
        self._own: dict[str, dict[str, list[Any]]] = {}  # what this process just created

    def created(self, folder: str, entries: Mapping[str, list[Any]]) -> None:
        """Remember calendar items this process just created (item id -> index entry), so
        the next sync indexes them without asking for their tracking."""
        self._own.setdefault(folder, {}).update(entries)

    # -- links ---------------------------------------------------------------------------
    def _first_link(self, name: str, state: dict[str, str]) -> str:
        if name == "calendar":
            now = self.clock().astimezone(UTC).replace(microsecond=0)
            start, end = now - WINDOW_BACK, now + WINDOW_AHEAD
            state[f"{P}window"] = json.dumps([start.isoformat(), end.isoformat()])
            return (
                f"{self.me}/calendarView/delta?startDateTime={_iso(start)}&endDateTime={_iso(end)}"
            )
        select = ",".join(SELECT[name])
        return (
            f"{self.me}/mailFolders/{name}/messages/delta?$select={select}"
            f"&$expand={shapes.expand(*EXPAND[name])}"
        )

    def _call(self, name: str, link: str) -> Call:
        prefer = f'odata.maxpagesize={self.page_size}, outlook.timezone="UTC"'
        if name in ("sentitems", "inbox"):
            prefer += f", {TEXT}"
        return Call("GET", self.client.relative(link), headers={"Prefer": prefer})

    def _window_ending(self, state: Mapping[str, str]) -> bool:
        """True when the calendar window has less than WINDOW_RENEW days left."""
        window = json.loads(state.get(f"{P}window") or "null")
        if not window:
            return False
        end = datetime.fromisoformat(window[1])
        return end - self.clock().astimezone(UTC) < timedelta(days=WINDOW_RENEW)

    # -- one cycle -----------------------------------------------------------------------
    def sync(self, state_in: Mapping[str, str]) -> SyncResult:
        state = dict(state_in)
        if not has_graph_state(state):
            self._take_over(state)
        waiting = (state.get(f"{P}pending") or "").split(",")
        if self._window_ending(state) and "calendar" not in waiting:
            self._restart("calendar", state, "renewing the calendar window")
        links = {}
        for name in FOLDERS:
            if not state.get(f"{P}link:{name}"):
                state.setdefault(f"{P}rebuild:{name}", "baseline")
                state[f"{P}link:{name}"] = self._first_link(name, state)
            links[name] = state[f"{P}link:{name}"]
        # Inbox's baseline needs all of our sent copies first: it waits for Sent Items'
        folders = [n for n in FOLDERS if n != "inbox" or not _answers_unknown(state)]
        answers = dict(
            zip(folders, self.client.batch([self._call(n, links[n]) for n in folders]), strict=True)
        )
        gone = [n for n in folders if answers[n].status == 410]
        if gone:
            for name in gone:
                self._restart(name, state, answers[name].error_code() or "410")
                links[name] = state[f"{P}link:{name}"] = self._first_link(name, state)
            again = self.client.batch([self._call(n, links[n]) for n in gone])
            answers.update(zip(gone, again, strict=True))
        for name in folders:
            if not answers[name].ok:
                raise self.client.refusal(self._call(name, links[name]), answers[name])
        cycle = _Cycle()
        pending = []
        for name in FOLDERS:
            if name not in answers or not self._page(name, answers[name].body or {}, state, cycle):
                pending.append(name)
        self._settle(state, cycle)
        state[f"{P}pending"] = ",".join(pending)
        return SyncResult(observations=cycle.out, state=state, more=bool(pending))

    def _restart(self, name: str, state: dict[str, str], why: str) -> None:
        log.info("delta of %s restarts (%s)", name, why)
        state.pop(f"{P}link:{name}", None)
        state.pop(f"{P}reindex:{name}", None)
        state[f"{P}rebuild:{name}"] = "resync"

    def _take_over(self, state: dict[str, str]) -> None:
        """Start from what the EWS backend left (marks and indexes), if anything."""
        found = False
        for name in ("inbox", "sentitems"):
            mark = load(state, f"mark:{name}")
            if mark:  # its ids in Graph's spelling; the engine knows replays by message id
                ids = [shapes.rest_id(i) for i in mark.get("ids", [])]
                state[f"{P}mark:{name}"] = json.dumps({**mark, "ids": ids, "foreign": True})
                found = True
        for name in ("drafts", "calendar"):
            if state.get(f"index:{name}"):
                state[f"{P}index:{name}"] = state[f"index:{name}"]
                found = True
        if found:
            log.info("taking over the sync state of the EWS backend")
            for name in FOLDERS:
                state[f"{P}rebuild:{name}"] = "resync"

    # -- one folder's page ------------------------------------------------------------------
    def _page(self, name: str, body: dict[str, Any], state: dict[str, str], cycle: _Cycle) -> bool:
        """Consume one delta page of a folder; return True when the folder is caught up."""
        rebuilding = state.get(f"{P}rebuild:{name}")
        handler = getattr(self, f"_on_{name}")
        for item in body.get("value") or ():
            if isinstance(item, dict) and item.get("id"):
                handler(item, state, cycle, rebuilding)
        if name == "inbox" and cycle.responses:
            self._read_responses(state, cycle)
        if name == "inbox" and cycle.with_files:
            self._read_calendar_files(cycle)
        if name == "calendar" and cycle.untracked:
            self._learn_tracking(state, cycle, rebuilding)
        next_link, delta_link = body.get("@odata.nextLink"), body.get("@odata.deltaLink")
        link = next_link or delta_link
        if link:
            state[f"{P}link:{name}"] = self.client.relative(link)
        last = not next_link
        if last and rebuilding:
            self._finish_rebuild(name, state, cycle)
        return last

    def _index(self, name: str, state: dict[str, str], rebuilding: str | None) -> str:
        return f"{P}reindex:{name}" if rebuilding else f"{P}index:{name}"

    def _on_drafts(self, item, state, cycle, rebuilding) -> None:
        key = self._index("drafts", state, rebuilding)
        index = load(state, key)
        if "@removed" in item:
            entry = index.pop(item["id"], None)
            if entry and not rebuilding:
                cycle.vanished[entry[0]] = (item["id"], entry[1])
        else:
            tracking_id = shapes.prop(item, shapes.TRACKING)
            if not tracking_id:
                return
            known = item["id"] in index
            entry = [tracking_id, item.get("internetMessageId"), item.get("conversationId")]
            index[item["id"]] = entry
            if known and not rebuilding:
                cycle.out.append(
                    DraftEdited(
                        at=self.clock(),
                        item_id=item["id"],
                        tracking_id=tracking_id,
                        internet_message_id=entry[1],
                        conversation_id=entry[2],
                        subject=item.get("subject") or "",
                    )
                )
        state[key] = json.dumps(index)

    def _on_deleteditems(self, item, state, cycle, rebuilding) -> None:
        tracking_id = shapes.prop(item, shapes.TRACKING)
        if tracking_id and "@removed" not in item:
            cycle.binned.add(tracking_id)

    def _on_calendar(self, item, state, cycle, rebuilding) -> None:
        """Index a calendar item; its tracking is read for the page (calendarView delta
        gives no extended properties, and a moved interview takes its new outbox id)."""
        key = self._index("calendar", state, rebuilding)
        index = load(state, key)
        item_id = item["id"]
        if "@removed" in item:
            if item_id in index and not rebuilding:
                cycle.removed.append(item_id)  # gone, or only out of the window: asked below
            return
        start = shapes.local(item.get("start"), UTC)
        end = shapes.local(item.get("end"), UTC)
        entry = [
            None,
            start.isoformat() if start else None,
            end.isoformat() if end else None,
            bool(item.get("isCancelled")),
        ]
        own = self._own.get("calendar", {}).pop(item_id, None)
        if own is None:
            cycle.untracked[item_id] = entry  # its tracking is fetched for the page
            return
        entry[0] = own[0]
        self._index_one(item_id, entry, index, cycle, rebuilding)
        state[key] = json.dumps(index)

    def _index_one(
        self, item_id: str, entry: list, index: dict, cycle: _Cycle, rebuilding: str | None
    ) -> None:
        before = index.get(item_id)
        index[item_id] = entry
        if before and not rebuilding and entry[0]:
            self._compare(item_id, before, entry, cycle)

    def _compare(self, item_id: str, before: list, entry: list, cycle: _Cycle) -> None:
        now = self.clock()
        if entry[3] and not before[3]:
            cycle.out.append(InterviewCancelled(at=now, item_id=item_id, tracking_id=entry[0]))
        elif (before[1], before[2]) != (entry[1], entry[2]) and not entry[3]:
            cycle.out.append(self._moved(item_id, entry, now))

    def _moved(self, item_id: str, entry: list, now: datetime) -> InterviewMoved:
        start = datetime.fromisoformat(entry[1]).astimezone(self.tz) if entry[1] else None
        end = datetime.fromisoformat(entry[2]).astimezone(self.tz) if entry[2] else None
        return InterviewMoved(at=now, item_id=item_id, tracking_id=entry[0], start=start, end=end)

    def _learn_tracking(self, state: dict[str, str], cycle: _Cycle, rebuilding: str | None) -> None:
        """Read the tracking of the calendar items of this page (batched), then index them."""
        ids = list(cycle.untracked)
        expand = shapes.expand(shapes.TRACKING)
        answers = self.client.batch(
            [Call("GET", f"{self.me}/events/{i}?$select=id&$expand={expand}") for i in ids]
        )
        key = self._index("calendar", state, rebuilding)
        index = load(state, key)
        known = load(state, f"{P}index:calendar")
        for item_id, answer in zip(ids, answers, strict=True):
            entry = cycle.untracked[item_id]
            if answer.ok and isinstance(answer.body, dict):
                entry[0] = shapes.prop(answer.body, shapes.TRACKING)
            elif item_id in known:  # not readable now: keep what was known
                entry[0] = known[item_id][0]
            self._index_one(item_id, entry, index, cycle, rebuilding)
        state[key] = json.dumps(index)
        cycle.untracked = {}

    def _on_sentitems(self, item, state, cycle, rebuilding) -> None:
        if "@removed" in item:
            return
        item_class = shapes.prop(item, shapes.MESSAGE_CLASS) or ""
        if item_class.startswith("IPM.Schedule") or "eventMessage" in str(
            item.get("@odata.type") or ""
        ):
            return
        sent = shapes.instant(item.get("sentDateTime"), self.tz)
        if not self._news("sentitems", state, item["id"], sent):
            return
        mid = item.get("internetMessageId")
        if rebuilding == "baseline":  # nothing is known yet: only our own marks tell
            tracking_id = shapes.prop(item, shapes.TRACKING) or shapes.prop(
                item, shapes.HEADER_PROPERTY
            )
            if not tracking_id:
                return  # the person's own mail from before: not news
            remember_ours(state, f"{P}ours", mid)
        else:
            tracking_id = match_tracked(
                property_id=shapes.prop(item, shapes.TRACKING),
                internet_message_id=mid,
                header_id=shapes.prop(item, shapes.HEADER_PROPERTY),
                conversation_id=None,  # a reply written by hand shares it: never enough alone
                known=self._drafts_known(state, cycle),
            )
        cycle.sent_seen.update(x for x in (tracking_id, mid) if x)
        cycle.out.append(
            DraftSent(
                at=sent or self.clock(),
                item_id=item["id"],
                tracking_id=tracking_id,
                internet_message_id=mid,
                conversation_id=item.get("conversationId"),
                subject=item.get("subject") or "",
                body_text=_text(item),
                recipients=shapes.addresses(item.get("toRecipients")),
            )
        )

    def _drafts_known(self, state: Mapping[str, str], cycle: _Cycle) -> dict[str, Known]:
        """Our drafts as matching knows them: those in Drafts and those that just left."""
        known = {
            e[0]: Known(e[0], e[1], e[2])
            for e in load(state, f"{P}index:drafts").values()
            if e and e[0]
        }
        for tracking_id, (_, mid) in cycle.vanished.items():
            known.setdefault(tracking_id, Known(tracking_id, mid))
        return known

    def _on_inbox(self, item, state, cycle, rebuilding) -> None:
        if "@removed" in item:
            return
        received = shapes.instant(item.get("receivedDateTime"), self.tz)
        if not self._news("inbox", state, item["id"], received):
            return
        item_class = self._class_of(item)
        baseline = rebuilding == "baseline"
        if item_class.lower().startswith("ipm.schedule.meeting.resp."):
            cycle.responses.append((len(cycle.out), item, baseline))
            cycle.out.append(None)  # type: ignore[arg-type] - filled by _read_responses
            return
        raw = self._raw(item, state, item_class)
        if baseline and not _answers_ours(state, raw):
            return
        seen = classify(raw, own=(self.own,), tz=self.tz)
        cycle.out.append(seen)
        if item.get("hasAttachments") and type(seen) is ReplyReceived:
            cycle.with_files.append(seen)

    def _news(self, name: str, state: dict[str, str], item_id: str, when: datetime | None) -> bool:
        """True the first time a message is seen and not older than the mark allows;
        either way the message counts as seen from now on."""
        seen = load(state, f"{P}seen:{name}")
        if item_id in seen:
            return False
        mark = load(state, f"{P}mark:{name}")
        fresh = True
        if mark and when is not None:
            at = datetime.fromisoformat(mark["at"])
            if mark.get("foreign"):  # the EWS backend's: only what it did not report
                fresh = when > at or (when == at and item_id not in mark["ids"])
            else:
                fresh = when >= at - SLACK
        if when is not None:
            seen[item_id] = when.isoformat()
            state[f"{P}seen:{name}"] = json.dumps(seen)
            if fresh:
                advance(state, f"{P}mark:{name}", when, item_id)
        return fresh

    def _class_of(self, item: Mapping[str, Any]) -> str:
        found = shapes.prop(item, shapes.MESSAGE_CLASS)
        if found:
            return found
        kind = str(item.get("@odata.type") or "")
        if kind.endswith("eventMessageResponse"):
            response = str(item.get("responseType") or item.get("meetingMessageType") or "")
            return RESPONSE_CLASSES.get(response.lower(), "IPM.Schedule.Meeting.Resp.Pos")
        return "IPM.Note"

    def _raw(
        self, item: Mapping[str, Any], state: Mapping[str, str], item_class: str
    ) -> RawMessage:
        head = shapes.headers(item)
        tracking_id = None
        event = item.get("event") if isinstance(item.get("event"), dict) else None
        if event and event.get("id"):
            entry = load(state, f"{P}index:calendar").get(event["id"])
            tracking_id = (entry[0] if entry else None) or shapes.prop(event, shapes.TRACKING)
        proposed = item.get("proposedNewTime") or {}
        return RawMessage(
            item_id=item["id"],
            received=shapes.instant(item.get("receivedDateTime"), self.tz) or self.clock(),
            item_class=item_class,
            subject=item.get("subject") or "",
            sender=shapes.address(item.get("sender")) or shapes.address(item.get("from")),
            body_text=_text(item),
            own_text=_text(item, "uniqueBody"),
            headers=head,
            internet_message_id=item.get("internetMessageId"),
            in_reply_to=(head.get("in-reply-to") or "").strip() or None,
            references=tuple(head.get("references", "").split()),
            conversation_id=item.get("conversationId"),
            recipients=shapes.addresses(item.get("toRecipients")),
            tracking_id=tracking_id,
            proposed_start=shapes.local(proposed.get("start"), self.tz) if proposed else None,
            proposed_end=shapes.local(proposed.get("end"), self.tz) if proposed else None,
        )

    # -- follow-ups, each one batch ----------------------------------------------------------
    def _read_responses(self, state: dict[str, str], cycle: _Cycle) -> None:
        """Read the meeting responses in full (response, proposed time, the event they answer)."""
        expand = "microsoft.graph.eventMessage/event($select=id)"
        calls = [
            Call(
                "GET",
                f"{self.me}/messages/{item['id']}?$expand={expand}",
                headers={"Prefer": f'{TEXT}, outlook.timezone="UTC"'},
            )
            for _, item, _ in cycle.responses
        ]
        answers = self.client.batch(calls)
        for (slot, item, baseline), answer in zip(cycle.responses, answers, strict=True):
            full = {**item, **answer.body} if answer.ok and isinstance(answer.body, dict) else item
            raw = self._raw(full, state, self._class_of(full))
            if not baseline or _answers_ours(state, raw):
                cycle.out[slot] = classify(raw, own=(self.own,), tz=self.tz)
        cycle.out[:] = [o for o in cycle.out if o is not None]  # old responses of a baseline
        cycle.responses = []

    def _read_calendar_files(self, cycle: _Cycle) -> None:
        """Add what the .ics files of replies say, each after its reply (one batch)."""
        replies = cycle.with_files
        cycle.with_files = []
        calls = [Call("GET", f"{self.me}/messages/{r.item_id}/attachments") for r in replies]
        added: dict[int, list[Observation]] = {}
        for reply, answer in zip(replies, self.client.batch(calls), strict=True):
            if not answer.ok or not isinstance(answer.body, dict):
                log.info("attachments of a reply not listed: HTTP %s", answer.status)
                continue
            for attached in answer.body.get("value") or ():
                name, kind = attached.get("name") or "", attached.get("contentType")
                if not calendarfiles.is_calendar_file(name, kind):
                    continue
                try:
                    data = base64.b64decode(attached.get("contentBytes") or "")
                except ValueError:
                    data = b""
                added.setdefault(id(reply), []).extend(
                    calendarfiles.observations(reply, name, data, self.tz, self.own)
                )
        calendarfiles.after_replies(cycle.out, added)

    def _finish_rebuild(self, name: str, state: dict[str, str], cycle: _Cycle) -> None:
        """Compare what a full sync found with the index kept before it, by tracking id."""
        if state.pop(f"{P}rebuild:{name}", None) == "baseline" and name == "inbox":
            state.pop(f"{P}ours", None)  # only the baseline needed them
        if name not in ("drafts", "calendar"):
            return
        old = load(state, f"{P}index:{name}")
        new = load(state, f"{P}reindex:{name}")
        state.pop(f"{P}reindex:{name}", None)
        state[f"{P}index:{name}"] = json.dumps(new)
        old_by = {e[0]: (i, e) for i, e in old.items() if e and e[0]}
        new_by = {e[0]: (i, e) for i, e in new.items() if e and e[0]}
        now = self.clock()
        window = json.loads(state.get(f"{P}window") or "null")
        start = datetime.fromisoformat(window[0]) if window else None
        for tracking_id, (item_id, entry) in old_by.items():
            if tracking_id in new_by:
                if name == "calendar":
                    self._compare(new_by[tracking_id][0], entry, new_by[tracking_id][1], cycle)
                continue
            if name == "drafts":
                cycle.vanished[tracking_id] = (item_id, entry[1])
            elif not entry[3]:
                ended = datetime.fromisoformat(entry[2]) if entry[2] else None
                if ended is not None and start is not None and ended < start:
                    continue  # only out of the window: in the past
                cycle.out.append(
                    InterviewCancelled(at=now, item_id=item_id, tracking_id=tracking_id)
                )

    def _settle(self, state: dict[str, str], cycle: _Cycle) -> None:
        """Calendar items gone from the window and drafts gone from Drafts: what became of them."""
        for name in ("inbox", "sentitems"):
            _prune(state, name)
        if cycle.removed:
            self._confirm_removed(state, cycle)
        left = {
            t: v
            for t, v in cycle.vanished.items()
            if t not in cycle.sent_seen and (v[1] is None or v[1] not in cycle.sent_seen)
        }
        if not left:
            return
        found = set() if all(t in cycle.binned for t in left) else self._sent_or_queued(left)
        now = self.clock()
        for tracking_id, (item_id, mid) in left.items():
            if tracking_id in found or (mid and mid in found):
                continue
            cycle.out.append(
                DraftDeleted(
                    at=now, item_id=item_id, tracking_id=tracking_id, internet_message_id=mid
                )
            )

    def _sent_or_queued(self, left: Mapping[str, tuple[str, str | None]]) -> set[str]:
        """Tracking ids and message ids of these drafts in Sent Items or the Outbox (one batch)."""
        clauses = [shapes.tracked_filter(left)]
        clauses += [f"internetMessageId eq {shapes.quoted(m)}" for _, m in left.values() if m]
        where = " or ".join(clauses)
        expand = shapes.expand(shapes.TRACKING)
        calls = [
            Call(
                "GET",
                f"{self.me}/mailFolders/{folder}/messages?$filter={where}"
                f"&$select=id,internetMessageId&$expand={expand}",
            )
            for folder in ("sentitems", "outbox")
        ]
        found: set[str] = set()
        for answer in self.client.batch(calls):
            if not answer.ok:
                raise self.client.refusal(calls[0], answer)
            for item in (answer.body or {}).get("value") or ():
                found.update(
                    x
                    for x in (shapes.prop(item, shapes.TRACKING), item.get("internetMessageId"))
                    if x
                )
        return found

    def _confirm_removed(self, state: dict[str, str], cycle: _Cycle) -> None:
        """An item that left the calendar view is cancelled only if it is really gone."""
        ids = cycle.removed
        cycle.removed = []
        calls = [
            Call(
                "GET",
                f"{self.me}/events/{i}?$select=id,start,end,isCancelled",
                headers={"Prefer": 'outlook.timezone="UTC"'},
            )
            for i in ids
        ]
        index = load(state, f"{P}index:calendar")
        now = self.clock()
        for item_id, answer in zip(ids, self.client.batch(calls), strict=True):
            before = index.get(item_id)
            if before is None:
                continue
            if answer.status == 404 or (answer.ok and (answer.body or {}).get("isCancelled")):
                index.pop(item_id, None)
                if before[0] and not before[3]:
                    cycle.out.append(
                        InterviewCancelled(at=now, item_id=item_id, tracking_id=before[0])
                    )
            elif answer.ok and isinstance(answer.body, dict):
                start = shapes.local(answer.body.get("start"), UTC)
                end = shapes.local(answer.body.get("end"), UTC)
                entry = [before[0], _iso_or_none(start), _iso_or_none(end), False]
                index.pop(item_id, None)  # out of the window: no longer followed
                if before[0]:
                    self._compare(item_id, before, entry, cycle)
        state[f"{P}index:calendar"] = json.dumps(index)


class _Cycle:
    """What one sync cycle gathers across folders."""

    def __init__(self) -> None:
        self.out: list[Observation] = []
        self.vanished: dict[str, tuple[str, str | None]] = {}  # tracking id -> (id, message id)
        self.sent_seen: set[str] = set()
        self.binned: set[str] = set()  # tracking ids seen in Deleted Items
        self.removed: list[str] = []  # calendar items that left the view
        self.untracked: dict[str, list] = {}  # calendar items seen first: tracking unknown
        #: (slot in out, item, whether a baseline found it)
        self.responses: list[tuple[int, dict[str, Any], bool]] = []
        self.with_files: list[ReplyReceived] = []


def _answers_unknown(state: Mapping[str, str]) -> bool:
    """True while Inbox's baseline would wait for Sent Items' (which finds our sent copies)."""
    return all(state.get(f"{P}rebuild:{n}") == "baseline" for n in ("inbox", "sentitems"))


def _answers_ours(state: Mapping[str, str], raw: RawMessage) -> bool:
    """True for a message a baseline reports: it answers a sent copy of ours, or is
    about one of our calendar items."""
    return raw.tracking_id is not None or answers_ours(
        state, f"{P}ours", raw.in_reply_to, raw.references
    )


def _prune(state: dict[str, str], name: str) -> None:
    """Forget seen ids far behind the mark (an update to them is not news by age alone)."""
    seen = load(state, f"{P}seen:{name}")
    mark = load(state, f"{P}mark:{name}")
    if not seen or not mark:
        return
    horizon = datetime.fromisoformat(mark["at"]) - 2 * SLACK
    kept = {i: t for i, t in seen.items() if datetime.fromisoformat(t) >= horizon}
    if len(kept) != len(seen):
        state[f"{P}seen:{name}"] = json.dumps(kept)


def _text(item: Mapping[str, Any], name: str = "body") -> str:
    """An itemBody property (``body``, ``uniqueBody``) as text; "" when absent."""
    body = item.get(name) or {}
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "").lower() == "html":
        return html_text(content)
    return content.strip()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_or_none(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
