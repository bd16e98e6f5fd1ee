"""One small campaign used by the research tests, with its hand-computed comparison.

Three people of the area "Data analysis" were interviewed (Ana, Ben, Cy); Dee never
answered; Eve declined; Fay was never contacted. Zed (area "Design") was interviewed
too and must vanish from the area report. The expectations below were worked out by
hand from the rules in ``outreach.research.researchfile`` (see the comments).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Berlin")
AREA = "Data analysis"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # every request went out then
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=TZ)

#: name, email, status before the interviews are logged, hours to reply (None: no reply)
PEOPLE = [
    ("Ana Example", "ana@example.com", "scheduled", 24),
    ("Ben Example", "ben@example.com", "scheduled", 48),
    ("Cy Example", "cy@example.com", "scheduled", 6),
    ("Dee Example", "dee@example.com", "contacted", None),
    ("Eve Example", "eve@example.com", "declined", 12),
    ("Fay Example", "fay@example.com", "new", None),
]
ZED = ("Zed Example", "zed@example.com")

#: interview start per person (the scheduled interview the log defaults to)
STARTS = {
    "ana@example.com": datetime(2026, 3, 9, 10, 0, tzinfo=TZ),
    "ben@example.com": datetime(2026, 3, 10, 14, 0, tzinfo=TZ),
    "cy@example.com": datetime(2026, 3, 11, 9, 30, tzinfo=TZ),
    "zed@example.com": datetime(2026, 3, 12, 11, 0, tzinfo=TZ),
}

#: What each person said, by category key (scripted for Ana and Zed, data file for Ben,
#: the editor for Cy).
ANSWERS = {
    "ana@example.com": {
        "qualifications": "A degree in statistics and strong SQL skills.",
        "training": "Online courses in data analysis, and on-the-job training.",
        "job": "Cleaning data, building dashboards.",
    },
    "ben@example.com": {
        "qualifications": "SQL skills matter most; a statistics degree helps.",
        "training": "Mostly on-the-job training; a data analysis bootcamp.",
        "environment": "Quiet open-plan office.",
    },
    "cy@example.com": {
        "qualifications": "Curiosity and a portfolio of projects.",
        "training": "Self-taught from books.",
        "job": "Building dashboards for managers.",
    },
    "zed@example.com": {
        "qualifications": "SQL and a sense for design.",
    },
}
ADVICE = {
    "ana@example.com": "Learn SQL early.",
    "ben@example.com": "Learn SQL and Python.",
    "cy@example.com": "",
    "zed@example.com": "Learn SQL.",
}
IMPRESSIONS = {
    "ana@example.com": "Friendly | precise; showed me the team's dashboards.",
    "ben@example.com": "Busy but generous with time.\nSecond line of notes.",
    "cy@example.com": "Relaxed, <b>enthusiastic</b> & candid.",
    "zed@example.com": "Visual thinker.",
}
#: area -> (score, note) per person
FIT = {
    "ana@example.com": {"interests": (4, "likes puzzles"), "skills": (3, "")},
    "ben@example.com": {"interests": (5, ""), "skills": (2, "need more SQL"), "values": (4, "")},
    "cy@example.com": {"interests": (3, ""), "working_style": (2, "too solitary")},
    "zed@example.com": {"interests": (1, "not for me")},
}
#: referrals named: (name, email, may use name)
REFERRALS = {
    "ana@example.com": [("Gil Example", "gil@example.com", True)],
    "ben@example.com": [("Gil Example", "gil@example.com", False), ("Hal Example", "", False)],
    "cy@example.com": [],
    "zed@example.com": [("Ivy Example", "ivy@example.com", True)],
}

# ---------------------------------------------------------------- expectations (area report)
# Terms: words minus stop words, plurals folded (skills -> skill, statistics -> statistic,
# dashboards -> dashboard, books -> book), phrases of adjacent kept words.
# qualifications: Ana {degree, statistic, strong, strong sql, sql, sql skill, skill};
#   Ben {sql, sql skill, skill, skill matter, matter, statistic, statistic degree, degree,
#   degree help, help}; Cy {curiosity, portfolio, project}.
#   shared by Ana+Ben: degree, statistic, sql, skill, "sql skill" -> sql and skill are inside
#   "sql skill" said by the same two people, so they are not listed alone.
AGREED = {
    "qualifications": [
        ("degree", ["Ana Example", "Ben Example"]),
        ("sql skill", ["Ana Example", "Ben Example"]),
        ("statistic", ["Ana Example", "Ben Example"]),
    ],
    # training: shared on-the-job, training, data, analysis and the two phrases.
    "training": [
        ("data analysis", ["Ana Example", "Ben Example"]),
        ("on-the-job training", ["Ana Example", "Ben Example"]),
    ],
    "job": [("building dashboard", ["Ana Example", "Cy Example"])],
    "environment": [],  # one person only
    "referrals": [],  # nobody
    "advice": [("learn sql", ["Ana Example", "Ben Example"])],
}
DIFFERED = {
    "qualifications": [
        ("Ana Example", ["strong sql"]),
        ("Ben Example", ["skill matter", "statistic degree", "degree help"]),
        ("Cy Example", ["curiosity", "portfolio", "project"]),
    ],
    "training": [
        ("Ana Example", ["online course"]),
        ("Ben Example", ["analysis bootcamp"]),
        ("Cy Example", ["self-taught", "book"]),
    ],
    "job": [("Ana Example", ["cleaning data"]), ("Cy Example", ["manager"])],
    "environment": [],
    "referrals": [],
    "advice": [("Ana Example", ["sql early"]), ("Ben Example", ["python"])],
}
#: area -> (mean, spread)
FIT_SUMMARY = {
    "interests": (4.0, 2),
    "skills": (2.5, 1),
    "values": (4.0, 0),
    "working_style": (2.0, 0),
}
# Contacted: Ana, Ben, Cy, Dee, Eve = 5; replied: Ana, Ben, Cy, Eve = 4; interviewed 3;
# referrals: Gil (named twice, one email) and Hal = 2; reply times 6, 12, 24, 48 h.
FUNNEL = {"contacted": 5, "replied": 4, "interviewed": 3, "referrals": 2}
REPLY_RATE = 0.8
MEDIAN_REPLY = timedelta(hours=18)
MEAN_REPLY = timedelta(hours=22.5)


# ---------------------------------------------------------------- building it without the CLI


def contacts_and_events():
    """Return (contacts, events) of the campaign before any interview is logged."""
    from outreach.core.model import Contact, Event, Status

    contacts, events = [], []
    for name, email, status, hours in PEOPLE:
        contact = Contact(name=name, email=email, area=AREA, status=Status(status))
        contact.title = f"Analyst {name.split()[0]}"
        contact.department = "Insights"
        contact.mailing_address = f"{name.split()[0]} Street 1, Example Town"
        contact.phone = "+49 30 1234567"
        contacts.append(contact)
        if status != "new":
            events.append(Event(at=T0, kind="status", contact_id=contact.id,
                                data={"from": "drafted", "to": "contacted"}))
        if hours is not None:
            events.append(Event(at=T0 + timedelta(hours=hours), kind="reply",
                                contact_id=contact.id, text="reply received"))
    zed = Contact(name=ZED[0], email=ZED[1], area="Design", status=Status.SCHEDULED)
    contacts.append(zed)
    events.append(Event(at=T0, kind="status", contact_id=zed.id, data={"to": "contacted"}))
    events.append(Event(at=T0 + timedelta(hours=1), kind="reply", contact_id=zed.id))
    return contacts, events


def entry_for(email: str):
    """Return the LogEntry of the person with ``email`` (what the user writes)."""
    from outreach.core.model import Fit, Referral
    from outreach.research.logform import LogEntry

    return LogEntry(
        start=STARTS[email],
        impressions=IMPRESSIONS[email],
        answers=dict(ANSWERS[email]),
        fit={k: Fit(s, n) for k, (s, n) in FIT[email].items()},
        advice=ADVICE[email],
        referrals=[Referral(n, e, m) for n, e, m in REFERRALS[email]],
    )


def build_state():
    """Return (state, events) with every interview logged through ``logform.apply``."""
    from outreach.core.model import Interview, State, Status
    from outreach.research import logform

    contacts, events = contacts_and_events()
    state = State(contacts={c.id: c for c in contacts})
    for contact in contacts:
        if contact.email in STARTS:
            interview = Interview(contact_id=contact.id, start=STARTS[contact.email])
            interview = logform.apply(interview, entry_for(contact.email), NOW)
            state.interviews[interview.id] = interview
            contact.status = Status.INTERVIEWED
    return state, events
