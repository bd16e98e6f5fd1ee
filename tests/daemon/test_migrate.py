"""Moving a running campaign from EWS to Graph: change the config, nothing else.

Part of a campaign runs on the EWS backend; things happen in the mailbox that EWS
never saw (a draft sent, a reply, a draft deleted); then the config says graph
and the campaign finishes over Graph. Nothing is drafted twice, waiting drafts and
sent items stay matched, nothing is observed twice, and each contact holds exactly
its messages in the mailbox.
"""

from __future__ import annotations

from collections import Counter

from outreach import app
from outreach.campaign.service import Service
from outreach.config import loader
from outreach.core.model import Kind, MessageState
from outreach.mailbox.graph.shapes import rest_id

from .world import ZONE, World

PRIYA = "priya.castellan@example.com"  # sent on EWS, answers before the move
DANA = "dana.whitlock@example.com"  # her draft is sent while nobody watches
LENA = "lena.marchetti@example.com"  # her draft is deleted after the move
TOBIAS = "tobias.ferreira@example.com"  # added after the move: drafted over Graph


def service(w: World) -> Service:
    settings = loader.load(w.config_path)
    return Service(settings, w.store, app.open_mailbox(settings), w.clock)


def in_mailbox(w: World, email: str) -> Counter[str]:
    """What the mailbox holds for one contact: drafts and sent mail to them, invitations."""
    held = Counter(f"draft {d['subject']}" for d in w.addressed_to("drafts", email))
    held.update(f"sent {s['subject']}" for s in w.addressed_to("sentitems", email))
    for item in w.folder("calendar"):
        if any(a == email for a, _ in item["attendees"]):
            held[f"invite {item['subject']}"] += 1
    return held


def test_a_campaign_moved_from_ews_to_graph_goes_on(world: World) -> None:
    w = world
    for name, email in (("Priya Castellan", PRIYA), ("Dana Whitlock", DANA),
                        ("Lena Marchetti", LENA)):  # fmt: skip
        w.add(name, email)
    ews = service(w)
    ews.cycle()
    requests = {e: w.message(e, Kind.REQUEST) for e in (PRIYA, DANA, LENA)}
    assert all(m.state == MessageState.DRAFTED and m.item_id for m in requests.values())
    holds_before = {m.id for m in w.state().messages.values() if m.kind == Kind.HOLD and m.item_id}
    w.controls.press_send(requests[PRIYA].item_id)
    ews.cycle()
    assert w.status(PRIYA) == "contacted"

    # while nothing watches: Dana's draft is sent, Priya answers with a proposed time
    w.controls.press_send(requests[DANA].item_id)
    w.advance(hours=2)
    slot = w.message(PRIYA, Kind.REQUEST).slots[1].start.astimezone(ZONE)
    sent = w.addressed_to("sentitems", PRIYA)[0]["id"]
    w.controls.reply(sent, sender=PRIYA, body=f"{slot:%A} at {slot:%-I:%M %p} works for me.")
    ews.mailbox.close()

    w.protocol = "graph"  # the only change: mailbox.sandbox_protocol (mailbox.backend: graph)
    w.write_config()
    graph = service(w)
    report = graph.cycle()
    assert w.status(DANA) == "contacted"  # the draft EWS saw, sent while nobody watched
    assert w.status(PRIYA) in ("scheduling", "scheduled")  # the reply, read once
    replies = [e for e in report.events if e.kind == "reply"]
    assert len(replies) == 1, [(e.kind, e.text) for e in report.events]
    assert w.message(DANA, Kind.REQUEST).state == MessageState.SENT
    assert w.message(LENA, Kind.REQUEST).item_id == requests[LENA].item_id  # still waiting

    w.controls.delete_draft(requests[LENA].item_id)  # an EWS draft, deleted after the move
    w.add("Tobias Ferreira", TOBIAS)
    graph.cycle()
    graph.cycle()
    assert w.status(LENA) == "rejected"
    assert w.message(TOBIAS, Kind.REQUEST).state == MessageState.DRAFTED
    quiet = graph.cycle()
    assert (quiet.observed, quiet.events) == (0, [])  # nothing observed again

    state = w.state()
    for email in (PRIYA, DANA, LENA, TOBIAS):
        mine = [m for m in w.messages(email, state=state) if m.kind != Kind.HOLD]
        expected = Counter(
            f"{'sent' if m.state == MessageState.SENT else 'draft'} {m.subject}"
            if m.kind != Kind.INVITE
            else f"invite {m.subject}"
            for m in mine
            if m.item_id and m.state in (MessageState.DRAFTED, MessageState.SENT)
        )
        assert in_mailbox(w, email) == expected, email
    holds = [m for m in state.messages.values() if m.kind == Kind.HOLD]
    on_calendar = {i["id"] for i in w.folder("calendar")}
    for hold in holds:  # EWS's holds were released over Graph, or are still there once
        item_id = rest_id(hold.item_id or "")  # one made over EWS keeps EWS's spelling
        if hold.state == MessageState.DRAFTED:
            assert item_id in on_calendar, hold
        elif hold.id in holds_before:
            assert item_id not in on_calendar, hold
    assert any(h.id in holds_before and h.state == MessageState.CANCELLED for h in holds)
    graph.mailbox.close()
