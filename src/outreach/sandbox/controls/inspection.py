"""The tester's view of the server: looking into a mailbox, breaking sync and subscription
state on purpose, saving the state now."""

from __future__ import annotations

from typing import Any

from ..xml import q
from .base import Actions


class Inspection(Actions):
    """What a test or the CLI does to the server itself rather than through a mail client."""

    def inspect(self, mailbox: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Folder name -> items (id, class, subject, from, to, received, read, start, sequence,
        whether a meeting's invitations went, attendees)."""
        with self.state.lock:
            box = self.state.mailbox_for(mailbox)
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
                        "sequence": i.text("AppointmentSequenceNumber"),
                        "invited": i.text("MeetingRequestWasSent") == "true",
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
        with self._changing():
            self.state.mailbox_for(mailbox).snapshots.clear()

    def expire_subscriptions(self, mailbox: str | None = None) -> None:
        """Drop every subscription (GetEvents answers ErrorSubscriptionNotFound)."""
        with self._changing():
            self.state.mailbox_for(mailbox).subscriptions.clear()

    def limit_graph(
        self, concurrent: int | None = 4, per_ten_minutes: int | None = 10000
    ) -> None:
        """Play Exchange Online's Outlook limits on the Graph face (None: no such limit):
        past them a request is answered 429 with Retry-After."""
        limits = self.sandbox.graph_limits
        limits.concurrent, limits.per_ten_minutes = concurrent, per_ten_minutes

    def save(self) -> str:
        """Write the state to the data directory now; returns the directory."""
        return str(self.sandbox.save())
