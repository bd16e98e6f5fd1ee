"""End to end: the real daemon process against the sandbox, through a whole campaign.

The test plays the user (Outlook, the command line) and the contacts (the sandbox's
controls) and moves the clock the daemon reads; at each stage it checks both the
mailbox and the store.
"""

from __future__ import annotations

import json
import signal
from datetime import timedelta

import pytest

from outreach.config.settings import TimeSettings
from outreach.core.model import Contact, Kind, MessageState, Status
from outreach.engine.businessdays import BusinessDays
from outreach.store.db import Store

from .world import ZONE, World

PRIYA = "priya.castellan@example.com"  # replies, accepts, is interviewed, refers Tobias
DANA = "dana.whitlock@example.com"  # never answers: two follow-ups, then no response
MARCUS = "marcus.oyelaran@example.com"  # MailTips: out of office, held until he is back
LENA = "lena.marchetti@example.com"  # the user deletes her draft
JORDAN = "jordan.reyes@partner.example.net"  # bounces
SAM = "sam.okafor@partner.example.net"  # answers with an automatic out-of-office reply
DAYS = BusinessDays(TimeSettings(timezone="America/New_York", country="US"))
TOBIAS = "tobias.ferreira@example.com"  # Priya's referral: interviewed, then a report-back


def drafts_to(world: World, email: str) -> list[dict]:
    return world.addressed_to("drafts", email)


def sent_to(world: World, email: str) -> list[dict]:
    return world.addressed_to("sentitems", email)


@pytest.mark.parametrize("world", ["ews", "graph"], indirect=True)
def test_whole_journey_with_the_real_daemon(world: World) -> None:
    w = world
    for name, email, extra in [
        ("Priya Castellan", PRIYA, {"office": "Building 5, room 512"}),
        ("Dana Whitlock", DANA, {}),
        ("Marcus Oyelaran", MARCUS, {}),
        ("Lena Marchetti", LENA, {}),
        ("Jordan Reyes", JORDAN, {"organization": "Partner"}),
        ("Sam Okafor", SAM, {"organization": "Partner"}),
    ]:
        w.add(name, email, **extra)
    daemon = w.start("--log-format", "json")

    # -- the requests appear in Drafts; Marcus is away (MailTips) so his waits ---------------
    w.wait(
        "five request drafts recorded",
        lambda: sum(m.state == MessageState.DRAFTED for m in w.state().messages.values()) == 5,
    )
    assert len(w.folder("drafts")) == 5
    w.wait("Marcus paused", lambda: w.status(MARCUS) == "paused")
    for email in (PRIYA, DANA, LENA, JORDAN, SAM):
        assert len(drafts_to(w, email)) == 1, email
        request = w.message(email, Kind.REQUEST)
        assert request.state == MessageState.DRAFTED and request.item_id
        assert len(request.slots) == 3
        assert w.status(email) == "drafted"
    assert drafts_to(w, MARCUS) == []
    marcus = w.contact(MARCUS)
    assert marcus.paused_until is not None and marcus.paused_until > w.clock.now()

    # -- the user sends four drafts in Outlook and deletes Lena's ---------------------------
    w.settled()
    w.advance(hours=1)
    for email in (PRIYA, DANA, JORDAN, SAM):
        w.controls.press_send(w.message(email, Kind.REQUEST).item_id)
    w.controls.delete_draft(w.message(LENA, Kind.REQUEST).item_id)
    for email in (PRIYA, DANA, JORDAN, SAM):
        w.wait(f"{email} contacted", lambda e=email: w.status(e) == "contacted")
        assert w.message(email, Kind.REQUEST).state == MessageState.SENT
        assert len(sent_to(w, email)) == 1
    w.wait("Lena rejected after her draft was deleted", lambda: w.status(LENA) == "rejected")
    assert w.folder("drafts") == []

    # -- Jordan's request bounces; Sam answers with an automatic reply -----------------------
    w.advance(minutes=20)
    w.controls.bounce(w.message(JORDAN, Kind.REQUEST).item_id, recipient=JORDAN)
    back = (w.clock.now().astimezone(ZONE) + timedelta(days=9)).date()
    w.controls.auto_reply(
        w.message(SAM, Kind.REQUEST).item_id,
        message=f"I am out of the office until {back:%B} {back.day}, {back.year}.",
    )
    w.wait("Jordan bounced", lambda: w.status(JORDAN) == "bounced")
    w.wait("Sam paused by the auto-reply", lambda: w.status(SAM) == "paused")
    sam = w.contact(SAM)
    assert sam.paused_until is not None
    assert sam.paused_until.astimezone(ZONE).date() == back

    # -- Priya replies picking the second slot: the invite goes out ---------------------------
    w.advance(hours=22)
    request = w.picks(PRIYA, 1, "Happy to help! {} works for me.")
    invite = w.wait(
        "Priya's invite on the calendar",
        lambda: [m for m in w.messages(PRIYA, Kind.INVITE) if m.item_id],
    )[0]
    calendar = [i for i in w.folder("calendar") if i["id"] == invite.item_id]
    assert len(calendar) == 1
    assert [a[0] for a in calendar[0]["attendees"]] == [PRIYA]
    interview = w.state().interviews_of(w.contact(PRIYA).id)[-1]
    assert interview.start == request.slots[1].start
    assert w.status(PRIYA) == "scheduling"

    # -- she accepts -------------------------------------------------------------------------
    w.advance(minutes=30)
    w.controls.respond_to_meeting(invite.item_id, attendee=PRIYA, response="accept")
    w.wait("Priya scheduled", lambda: w.status(PRIYA) == "scheduled")

    # -- the interview ends: the thank-you appears in Drafts ----------------------------------
    w.travel(interview.start + timedelta(minutes=interview.minutes + 5))
    w.wait("Priya interviewed", lambda: w.status(PRIYA) == "interviewed")
    thanks = w.wait(
        "Priya's thank-you drafted",
        lambda: [m for m in w.messages(PRIYA, Kind.THANK_YOU) if m.item_id],
    )[0]
    assert [d["id"] for d in drafts_to(w, PRIYA)] == [thanks.item_id]
    w.controls.press_send(thanks.item_id)
    w.wait("thank-you sent", lambda: w.message(PRIYA, Kind.THANK_YOU).state == MessageState.SENT)

    # -- the user logs the interview; the referral becomes a contact with a request -----------
    w.cli(
        "log", PRIYA,
        "--impressions", "Small team, lots of ownership.",
        "--answer", "qualifications=Strong SQL and one programming language.",
        "--fit", "interests=5 - building tools every day",
        "--referral", f"Tobias Ferreira <{TOBIAS}> - may use name: yes",
        "--no-lookup",
    )  # fmt: skip
    tobias = w.contact(TOBIAS)
    assert tobias.referred_by == w.contact(PRIYA).id
    request = w.wait(
        "Tobias's request drafted",
        lambda: [m for m in w.messages(TOBIAS, Kind.REQUEST) if m.item_id],
    )[0]
    assert len(drafts_to(w, TOBIAS)) == 1

    # -- Tobias: sent, reply with slot 1, accept, interview; then the report-back to Priya ----
    w.advance(minutes=10)
    w.controls.press_send(request.item_id)
    w.wait("Tobias contacted", lambda: w.status(TOBIAS) == "contacted")
    w.advance(hours=2)
    w.picks(TOBIAS, 0, "{} is good for me.")
    invite = w.wait(
        "Tobias's invite", lambda: [m for m in w.messages(TOBIAS, Kind.INVITE) if m.item_id]
    )[0]
    w.controls.respond_to_meeting(invite.item_id, attendee=TOBIAS, response="accept")
    w.wait("Tobias scheduled", lambda: w.status(TOBIAS) == "scheduled")
    interview = w.state().interviews_of(tobias.id)[-1]
    w.travel(interview.start + timedelta(minutes=interview.minutes + 5))
    w.wait("Tobias interviewed", lambda: w.status(TOBIAS) == "interviewed")
    w.wait("Tobias's thank-you", lambda: len(drafts_to(w, TOBIAS)) == 1)
    w.cli("log", TOBIAS, "--impressions", "Helpful.", "--no-lookup")
    report = w.wait(
        "the report-back to Priya",
        lambda: [m for m in w.messages(PRIYA, Kind.REPORT_BACK) if m.item_id],
    )[0]
    assert [d["id"] for d in drafts_to(w, PRIYA)] == [report.item_id]

    # -- Dana never answers: follow-ups after 5 business days, then no response --------------
    sent_at = w.message(DANA, Kind.REQUEST).sent_at
    assert sent_at is not None
    for number in (1, 2):
        w.travel(max(w.clock.now(), DAYS.after(sent_at, 5) + timedelta(hours=1)))
        follow_up = w.wait(
            f"Dana's follow-up {number}",
            lambda n=number: [
                m for m in w.messages(DANA, Kind.FOLLOW_UP) if m.sequence == n and m.item_id
            ],
        )[0]
        assert len(drafts_to(w, DANA)) == 1
        w.controls.press_send(follow_up.item_id)
        w.wait(
            f"follow-up {number} sent",
            lambda n=number: w.message(DANA, Kind.FOLLOW_UP).state == MessageState.SENT,
        )
        sent_at = w.message(DANA, Kind.FOLLOW_UP).sent_at
        assert sent_at is not None
    w.travel(DAYS.after(sent_at, 5) + timedelta(hours=1))
    w.wait("Dana marked no response", lambda: w.status(DANA) == "no_response")
    assert len(sent_to(w, DANA)) == 3  # the request and two follow-ups, no more

    # -- Marcus and Sam are back: Marcus's request is drafted; Sam's thread goes on ------------
    w.controls.set_out_of_office(MARCUS, None)
    # his last hold may still run (then travel past it) or have ended already
    def held_or_drafted() -> Contact | None:
        c = w.contact(MARCUS)
        return c if (c.status == Status.PAUSED and c.paused_until) or drafts_to(w, MARCUS) else None

    marcus = w.wait("Marcus held or drafted", held_or_drafted)
    if marcus.status == Status.PAUSED and marcus.paused_until:
        w.travel(marcus.paused_until + timedelta(hours=9))
    w.wait("Marcus's request drafted", lambda: len(drafts_to(w, MARCUS)) == 1)
    w.wait("Sam no longer paused", lambda: w.status(SAM) != "paused")

    # -- the end: exactly what should be in the mailbox, and a clean stop ---------------------
    assert w.stop(daemon) == 0
    assert "STOPPING" in w.log() or "stopping" in w.log()
    lines = [json.loads(line) for line in w.log().splitlines() if line.startswith("{")]
    assert lines and all("message" in line or "msg" in line for line in lines)
    state = w.state()
    tracked = [m for m in state.messages.values() if m.item_id]
    assert len({m.item_id for m in tracked}) == len(tracked)
    assert len(sent_to(w, PRIYA)) == 2  # the request and the thank-you
    assert len(sent_to(w, JORDAN)) == 1 and drafts_to(w, JORDAN) == []
    assert len(sent_to(w, LENA)) == 0 and drafts_to(w, LENA) == []
    assert w.contact(JORDAN, state).status == Status.BOUNCED


def test_once_reload_faults_and_stop(world: World) -> None:
    w = world
    # -- `outreach run --once`: one cycle, exit 0 ----------------------------------------
    w.add("Priya Castellan", PRIYA)
    once = w.cli("run", "--once")
    assert once.returncode == 0
    assert w.message(PRIYA, Kind.REQUEST).state == MessageState.DRAFTED
    assert len(drafts_to(w, PRIYA)) == 1

    # -- SIGHUP: the daemon reloads the config (approval: send) and acts on it ---------------
    daemon = w.start()
    w.write_config(approval="send")
    daemon.send_signal(signal.SIGHUP)
    w.wait("RELOADING=1 then READY=1", lambda: w.notified(daemon).count("READY=1") == 2)
    assert "RELOADING=1" in w.notified(daemon)
    w.add("Dana Whitlock", DANA)
    w.wait("Dana's request sent without a draft", lambda: len(sent_to(w, DANA)) == 1)
    assert drafts_to(w, DANA) == []
    w.wait("recorded as sent", lambda: w.status(DANA) == "contacted")

    # -- the server fails for a while: the daemon backs off, then recovers by itself ---------
    w.controls.reset_request_counts()
    w.controls.inject_fault("http500", count=4)
    w.wait(
        "the daemon to report the mailbox unreachable",
        lambda: any(n.startswith("STATUS=mailbox unreachable") for n in w.notified(daemon)),
    )
    w.add("Lena Marchetti", LENA)
    w.wait("recovery: Lena's request sent", lambda: len(sent_to(w, LENA)) == 1, timeout=40)
    assert daemon.poll() is None
    w.wait("the recovery logged", lambda: "the mailbox answers again" in w.log())
    assert "trying again in" in w.log()
    waits = [n for n in w.notified(daemon) if n.startswith("STATUS=mailbox unreachable")]
    delays = [float(n.split("retrying in ")[1].split()[0]) for n in waits]
    assert delays == sorted(delays) and delays[-1] > delays[0]  # backing off
    assert w.notified(daemon)[-1] in ("WATCHDOG=1", "STATUS=watching the mailbox")

    # -- SIGTERM: finish the step, tell systemd, exit 0 --------------------------------------
    assert Store(w.store_path).journal_path.stat().st_size > 0  # changes appended meanwhile
    assert w.stop(daemon) == 0
    assert w.notified(daemon)[-1] == "STOPPING=1"
    assert "stopping after the current step (signal SIGTERM)" in w.log()
    assert len(sent_to(w, DANA)) == 1 and len(sent_to(w, LENA)) == 1
    # a clean stop folds the journal in: store.json alone holds everything, as plain JSON
    assert Store(w.store_path).journal_path.read_bytes() == b""
    plain = json.loads(w.store_path.read_text())
    assert {d["email"] for d in plain["contacts"].values()} == {PRIYA, DANA, LENA}
