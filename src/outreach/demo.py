"""`outreach demo`: a scripted tour of a whole campaign on the built-in sandbox.

It starts the sandbox and a throw-away store, adds a few colleagues from the
sandbox's directory, runs the daemon's cycle, and plays the other side of the
mailbox (the user pressing Send, contacts answering) while the clock jumps
ahead, printing what happens at each step. Everything lives in a temporary
folder that is removed at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach import app, engine
from outreach.campaign.service import Service
from outreach.config import loader
from outreach.core import clock
from outreach.core.model import (
    Contact,
    Fit,
    Kind,
    Message,
    MessageState,
    Referral,
    Source,
    State,
    Status,
)
from outreach.research import interviews, orgchart
from outreach.research.logform import LogEntry
from outreach.sandbox import Sandbox

ZONE = ZoneInfo("America/New_York")

CONFIG = """\
user:
  name: Robin Vale
  email: robin.vale@example.com
  phone: +1 555 0100
  title: Analyst
  department: Operations
  organization: Example Corp
  areas: [data engineering]
  self_assessment:
    interests: [analysis, building tools]
    skills: [SQL, Python]
    values: [learning, autonomy]
    working_style: [small teams]
mailbox:
  backend: sandbox
  service_endpoint: {url}
  sandbox_protocol: {protocol}
time:
  timezone: America/New_York
  country: US
scheduling:
  interview_minutes: 30
  slots: 3
policy:
  approval: drafts
  send_invites: true
  follow_up_after_days: 5
  max_follow_ups: 2
paths:
  store: {store}
"""

#: The cast: (name, email, title, department, office, what they will do).
CAST = [
    ("Priya Castellan", "priya.castellan@example.com", "Senior Data Engineer", "Data Platform",
     "Building 5, room 512"),
    ("Dana Whitlock", "dana.whitlock@example.com", "Director of Operations", "Operations",
     "Building 2, 4th floor"),
    ("Marcus Oyelaran", "marcus.oyelaran@example.com", "Head of Data Platform", "Data Platform",
     "Building 5, room 520"),
    ("Lena Marchetti", "lena.marchetti@example.com", "UX Researcher", "Design",
     "Building 1, studio B"),
    ("Jordan Reyes", "jordan.reyes@partner.example.net", "Analytics Lead", "Partner team", ""),
]  # fmt: skip


class Tour:
    """The demo's world: a sandbox, a store, a service and a clock it moves."""

    def __init__(self, folder: Path, echo: Callable[[str], None], protocol: str = "ews") -> None:
        self.echo = echo
        start = next_monday(datetime.now(ZONE))
        self.clock = clock.FileClock(folder / "clock")
        self.clock.set(start)
        os.environ[clock.CLOCK_ENV] = str(self.clock.path)
        self.sandbox = Sandbox(data_dir=None, clock=self.clock.now).start()
        path = folder / "config.yaml"
        path.write_text(
            CONFIG.format(url=self.sandbox.url, store=folder / "store.json", protocol=protocol)
        )
        self.settings = loader.load(path)
        self.config_path = path
        self.store = app.open_store(self.settings)
        self.mailbox = app.open_mailbox(self.settings, self.clock)
        self.service = Service(self.settings, self.store, self.mailbox, self.clock)
        self.controls = self.sandbox.controls

    def close(self) -> None:
        self.mailbox.close()
        self.sandbox.stop()
        os.environ.pop(clock.CLOCK_ENV, None)

    # -- narration -----------------------------------------------------------------------

    def step(self, title: str) -> None:
        when = self.clock.now().astimezone(ZONE)
        self.echo(f"\n== {when:%a %d %b %H:%M} · {title}")

    def say(self, text: str) -> None:
        self.echo(f"   {text}")

    def cycle(self) -> None:
        """Run one daemon cycle and print what it recorded."""
        report = self.service.cycle()
        state = self.store.read()
        names = {c.id: c.name for c in state.contacts.values()}
        holds = {m.id for m in state.messages.values() if m.kind == Kind.HOLD}
        for event in report.events:
            if event.kind == "planned" or event.data.get("message_id") in holds:
                continue  # holds are summed up below
            who = names.get(event.contact_id or "", "")
            self.say(f"daemon: {who + ': ' if who else ''}{event.text}")
        if report.outbox.held:
            self.say(f"daemon: {len(report.outbox.held)} proposed times held (tentative) "
                     "on your calendar")  # fmt: skip
        if report.outbox.released:
            count = len(report.outbox.released)
            self.say(f"daemon: {count} hold{'s' * (count != 1)} taken off your calendar")

    def show(self, message: Message, lines: int = 40) -> None:
        """Print the text of an email as it went into the mailbox."""
        email = self.service.outbox.preparer.preview(self.state(), message, self.clock.now())
        self.say(f"┌ To: {', '.join(email.to)}")
        self.say(f"│ Subject: {email.subject}")
        for line in email.text.strip().splitlines()[:lines]:
            self.say(f"│ {line}")
        self.say("└")

    def travel(self, to: datetime) -> None:
        self.clock.set(to)

    # -- the other side ------------------------------------------------------------------

    def state(self) -> State:
        return self.store.read()

    def contact(self, email: str) -> Contact:
        return next(c for c in self.state().contacts.values() if c.email == email)

    def message(self, email: str, kind: Kind, state: MessageState | None = None) -> Message:
        contact = self.contact(email)
        found = [
            m
            for m in self.state().messages_of(contact.id)
            if m.kind == kind and (state is None or m.state == state)
        ]
        return found[-1]


def run_tour(echo: Callable[[str], None], protocol: str = "ews") -> State:
    """Play the whole tour over ``protocol`` (ews or graph), printing as it goes; return the
    final state."""
    with tempfile.TemporaryDirectory(prefix="outreach-demo-") as folder:
        tour = Tour(Path(folder), echo, protocol)
        try:
            _play(tour)
            return tour.state()
        finally:
            tour.close()


def _play(t: Tour) -> None:
    t.step("You add five colleagues to learn about data engineering")
    now = t.clock.now()
    with t.store.transaction() as state:
        for name, email, title, department, office in CAST:
            contact = Contact(
                name=name,
                email=email,
                title=title,
                department=department,
                office=office,
                organization="Example Corp" if email.endswith("@example.com") else "Partner",
                source=Source.DIRECTORY if email.endswith("@example.com") else Source.ASSOCIATION,
                area="data engineering",
                internal=email.endswith("@example.com"),
                created_at=now,
                updated_at=now,
            )
            state.contacts[contact.id] = contact
            t.say(f"{name}, {title} ({department})")

    t.step("The daemon drafts the requests into your Drafts folder")
    t.cycle()
    drafts = t.controls.inspect()["drafts"]
    for item in drafts:
        t.say(f"in Drafts: {item['subject']!r} to {', '.join(item.get('to', []))}")
    t.show(t.message("priya.castellan@example.com", Kind.REQUEST))

    t.travel(t.clock.now() + timedelta(hours=1))
    t.step("In Outlook you send three drafts and delete the one to Lena")
    for email in ("priya.castellan@example.com", "dana.whitlock@example.com",
                  "jordan.reyes@partner.example.net"):  # fmt: skip
        t.controls.press_send(t.message(email, Kind.REQUEST).item_id)
    t.controls.delete_draft(t.message("lena.marchetti@example.com", Kind.REQUEST).item_id)
    t.cycle()

    t.travel(t.clock.now() + timedelta(minutes=20))
    t.step("The message to Jordan bounces")
    request = t.message("jordan.reyes@partner.example.net", Kind.REQUEST)
    t.controls.bounce(request.item_id, recipient="jordan.reyes@partner.example.net")
    t.cycle()

    t.travel(t.clock.now() + timedelta(hours=22))
    request = t.message("priya.castellan@example.com", Kind.REQUEST)
    second = request.slots[1].start.astimezone(ZONE)
    t.step("Priya answers, picking the second time you proposed")
    text = f"Happy to help! {second:%A} at {second:%-I:%M %p} works for me. Come by my desk."
    t.say(f"Priya: {text!r} (above Outlook's quote of your request, with all its times)")
    t.controls.reply(
        request.item_id, sender="priya.castellan@example.com", body=text, quoting="outlook"
    )
    t.cycle()

    t.travel(t.clock.now() + timedelta(minutes=30))
    t.step("Priya accepts the invitation")
    invite = t.message("priya.castellan@example.com", Kind.INVITE)
    t.controls.respond_to_meeting(
        invite.item_id, attendee="priya.castellan@example.com", response="accept"
    )
    t.cycle()

    interview = t.state().interviews_of(t.contact("priya.castellan@example.com").id)[-1]
    t.travel(interview.start + timedelta(minutes=interview.minutes + 5))
    t.step("The interview with Priya has just ended")
    t.cycle()
    thanks = t.message("priya.castellan@example.com", Kind.THANK_YOU)
    t.say(f"in Drafts: {thanks.subject!r}: approve it in Outlook right away")

    t.step("You log the interview; Priya suggested you talk to Tobias")
    _log_interview(t)
    t.cycle()

    t.step("The org chart around Priya (outreach contacts orgchart priya --up 2 --peers)")
    _org_chart(t)

    monday = next_monday(t.clock.now()) + timedelta(hours=1, minutes=30)
    t.travel(monday)
    t.controls.set_out_of_office("marcus.oyelaran@example.com", None)
    t.step("A week later: Dana never answered, Marcus is back")
    t.cycle()
    t.show(t.message("tobias.ferreira@example.com", Kind.REQUEST), lines=6)

    t.step("You send the request to Tobias, then tell Priya (outreach update priya)")
    t.controls.press_send(t.message("tobias.ferreira@example.com", Kind.REQUEST).item_id)
    t.cycle()
    _update(t)

    t.step("The funnel")
    counts: dict[Status, int] = {}
    for contact in t.state().contacts.values():
        counts[contact.status] = counts.get(contact.status, 0) + 1
    for status in Status:
        if counts.get(status):
            t.say(f"{status.value:<12} {counts[status]}")
    requests = t.sandbox.controls.request_counts()
    t.say(f"EWS requests made by outreach: {sum(requests.values())}")


def _org_chart(t: Tour) -> None:
    """Show the chart around Priya, then add her peer as a contact, as `--add Kenji` would."""
    chart = orgchart.walk(t.mailbox.person, "priya.castellan@example.com", up=2, peers=True)
    assert chart is not None, "the sandbox's directory knows Priya"
    known = orgchart.by_email(t.state())
    for member in chart.members:
        person, contact = member.person, known.get(member.person.email)
        stage = f" — a contact, {contact.status.value}" if contact else ""
        t.say(f"{person.name}, {person.title} ({person.department}): {member.relation}{stage}")
    now = t.clock.now()
    with t.store.transaction() as state:
        priya = next(c for c in state.contacts.values() if c.email == chart.center.email)
        boss = chart.manager
        orgchart.remember_manager(priya, chart.center, boss.person if boss else None)
        peers = [m for m in chart.members if m.level == 0]
        for added in orgchart.add(state, chart, peers, priya, now, own=t.settings.user.email):
            t.say(f"added {added.name} as a contact: {added.research_notes}")


def _update(t: Tour) -> None:
    """Draft the update through the outbox, as `outreach update priya --note ...` does."""
    priya = t.contact("priya.castellan@example.com")
    now = t.clock.now()
    note = "I signed up for the data modelling course you recommended."
    message = engine.plan_one(t.state(), priya.id, Kind.UPDATE, now, t.settings, send=False,
                              note=note, link="https://example.com/modelling-course")  # fmt: skip
    with t.store.transaction() as state:
        engine.commit(state, message, now)
    report = t.service.outbox.perform(only=[message.id])
    if report.drafted:
        t.say(f"in Drafts: {t.state().messages[message.id].subject!r}")
    t.show(t.state().messages[message.id], lines=12)


def _log_interview(t: Tour) -> None:
    """Log Priya's interview as the user would with `outreach log` (no directory lookup)."""
    entry = LogEntry(
        impressions="Small team, lots of ownership; on-call is shared fairly.",
        answers={
            "qualifications": "Strong SQL and one programming language; cloud basics.",
            "training": "Learned on the job; a data modelling course helped most.",
        },
        fit={"interests": Fit(5, "building tools every day")},
        advice="Take the data modelling course; then learn one orchestration tool well.",
        referrals=[Referral("Tobias Ferreira", "tobias.ferreira@example.com", may_use_name=True)],
    )
    now = t.clock.now().astimezone(ZONE)
    target = interviews.find_target(t.state(), "priya.castellan@example.com", now)
    done = interviews.log_interview(t.store, target, entry, now)
    t.say(f"logged the interview with {done.contact.name} of {done.interview.start:%Y-%m-%d %H:%M}")
    tobias = t.contact("tobias.ferreira@example.com")
    t.say(f"new contact: {tobias.name}, referred by Priya (who said her name may be used)")


def next_monday(moment: datetime) -> datetime:
    """Return 09:00 New York time on the Monday after ``moment`` (the tour starts on a
    working morning, and so do the tests that play a campaign from today)."""
    local = moment.astimezone(ZONE)
    day = (local + timedelta(days=7 - local.weekday())).date()
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZONE)
