"""The research file: what each interview taught, compared across interviews.

The guide asks for a file per interview (date, name, address and phone,
referral names, impressions) and a comparison: "record similarities or
differences noted during each discussion". ``build`` turns the store's state and
event log into a ``ResearchFile`` value; ``report`` renders it. Pure: no I/O,
no click, the clock is passed in.

How agreement is found (deliberately conservative, so it never invents a
consensus):

1. Each answer is lower-cased and cut into clauses at punctuation and line
   breaks; a clause is cut into words (letters and digits, inner hyphens and
   apostrophes kept, so "on-the-job" is one word).
2. Stop words (``STOP_WORDS``: function words and interview filler such as
   "really", "think", "lot") and bare numbers are dropped; a dropped word also
   breaks a phrase.
3. Plurals are folded by a light rule only: "-ies" -> "-y" (studies -> study),
   "-sses" -> "-ss", a final "s" dropped from words of four or more letters that
   do not end in "ss", "us" or "is" (certifications -> certification).
   Nothing else is stemmed: "manage" and "management" stay different.
4. A person's terms in a category are these words plus the two-word phrases of
   words that stood next to each other in one clause ("project management").
5. A term is *agreed* when at least two different people used it in the same
   category (several interviews of one person count once). A word is not
   listed on its own when an agreed phrase containing it was said by everyone
   who said the word.
6. A term *differs* when only one of the people who answered that category used
   it (only reported when two or more people answered); again a word inside one
   of that person's own differing phrases is not listed twice.

Fit scores are compared per self-assessment area; a spread of two or more
points between people is reported as a difference.

The funnel is computed from the event log (and, for contacts that predate it,
from their status and the outbox): see ``funnel``.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.core.model import (
    Contact,
    Event,
    Interview,
    Kind,
    MessageState,
    State,
    Status,
    journey,
)

#: The guide's question categories: key in ``Interview.answers`` -> heading.
CATEGORIES: dict[str, str] = {
    "qualifications": "Qualifications",
    "training": "Training / work experience",
    "job": "Job specifications",
    "environment": "Work environment",
    "referrals": "Referrals",
}

#: Compared too, though it is not an answer category: ``Interview.advice``.
ADVICE = "advice"

#: What each category tells about, shown under its heading in the report.
CATEGORY_HINTS: dict[str, str] = {
    "qualifications": "how they got in; knowledge, skills and experience needed",
    "training": "formal training, helpful experience, other fields, development",
    "job": "a typical day, tasks, skills, challenges, career paths, salary",
    "environment": "conditions, management style, who they work with",
    "referrals": "related fields to explore",
    ADVICE: "advice for someone entering the field",
}

#: The self-assessment areas of the guide, keys of ``Interview.fit``.
FIT_AREAS: dict[str, str] = {
    "interests": "Interests",
    "skills": "Skills",
    "values": "Values",
    "working_style": "Working style",
}

#: A spread of fit scores this large between people counts as a difference.
FIT_SPREAD = 2

_STOP_TEXT = """
    a about above after again against all almost also although always am among an and any
    anything are aren't around as at be because been before being below between both but by
    can can't cannot could couldn't did didn't do does doesn't doing don't done down during
    each either else enough etc even ever every everything few for from further get gets
    getting give given go goes going good got great had hadn't has hasn't have haven't having
    he her here hers herself him himself his how however i i'd i'm i've if in into is isn't
    it it's its itself just kind know less let like lot lots made make makes many may maybe
    me might more most mostly much must my myself need needs never new no nor not nothing now of
    off often on once one only or other others otherwise our ours ourselves out over own
    part per perhaps probably quite rather really said say says see seem seems she should shouldn't
    so some something sometimes still such sure take than that that's the their theirs them
    themselves then there there's these they they're thing things think this those though
    through thus to too toward towards under until up upon us use used using usually very via want
    wants was wasn't way we we're well were weren't what when where whether which while who
    whom whose why will with within without won't would wouldn't yes yet you you'd you're
    your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"/\n\r\t•·]+")
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def normalize(word: str) -> str:
    """Given a lower-case word, return it with a plural ending folded (see module doc)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Given free text, return its terms (words and adjacent-word phrases) once each, in order.

    A phrase is placed right after the first occurrence of its first word.
    """
    first_seen: dict[str, tuple[int, int]] = {}
    position = 0
    for clause in _CLAUSE.split(text.lower().replace("’", "'")):
        previous: tuple[str, int] | None = None
        for raw in _WORD.findall(clause):
            position += 1
            if raw in STOP_WORDS or raw.isdigit() or len(raw) < 2:
                previous = None
                continue
            word = normalize(raw)
            first_seen.setdefault(word, (position, 0))
            if previous is not None:
                first_seen.setdefault(f"{previous[0]} {word}", (previous[1], 1))
            previous = (word, position)
    return sorted(first_seen, key=first_seen.__getitem__)


def _subsumed(word: str, phrases: Iterable[str]) -> bool:
    return any(word in phrase.split(" ") for phrase in phrases)


def _covered(word: str, people: Sequence[str], shared: dict[str, tuple[str, ...]]) -> bool:
    """True when a shared phrase containing ``word`` was said by everyone who said the word."""
    return any(
        " " in phrase and word in phrase.split(" ") and set(people) <= set(others)
        for phrase, others in shared.items()
    )


@dataclass(frozen=True)
class Row:
    """One line of the research file: an interview and who it was with."""

    interview_id: str
    contact_id: str
    date: datetime
    name: str
    email: str
    title: str
    department: str
    mailing_address: str
    phone: str
    referrals: tuple[str, ...]
    impressions: str
    comparison_notes: str
    logged: bool


@dataclass(frozen=True)
class Said:
    """What one person said in one category (their interviews' notes joined)."""

    person: str
    text: str


@dataclass(frozen=True)
class Agreement:
    term: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    person: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """The side-by-side of one question category, with what was shared and what was not."""

    key: str
    title: str
    hint: str
    said: tuple[Said, ...]
    agreed: tuple[Agreement, ...]
    differed: tuple[Difference, ...]


@dataclass(frozen=True)
class Score:
    person: str
    score: int
    note: str


@dataclass(frozen=True)
class FitArea:
    key: str
    title: str
    scores: tuple[Score, ...]

    @property
    def mean(self) -> float | None:
        if not self.scores:
            return None
        return round(statistics.fmean(s.score for s in self.scores), 1)

    @property
    def spread(self) -> int:
        if not self.scores:
            return 0
        values = [s.score for s in self.scores]
        return max(values) - min(values)

    @property
    def differs(self) -> bool:
        return self.spread >= FIT_SPREAD


@dataclass(frozen=True)
class Funnel:
    """How the campaign went: counts at each stage and how fast people answered."""

    contacted: int
    replied: int
    interviewed: int
    referrals: int
    times_to_reply: tuple[timedelta, ...] = ()

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.contacted if self.contacted else None

    @property
    def median_time_to_reply(self) -> timedelta | None:
        if not self.times_to_reply:
            return None
        return statistics.median(self.times_to_reply)

    @property
    def mean_time_to_reply(self) -> timedelta | None:
        if not self.times_to_reply:
            return None
        total = sum(self.times_to_reply, timedelta())
        return total / len(self.times_to_reply)

    def stages(self) -> list[tuple[str, int]]:
        return [
            ("Contacted", self.contacted),
            ("Replied", self.replied),
            ("Interviewed", self.interviewed),
            ("Referrals gained", self.referrals),
        ]


@dataclass(frozen=True)
class Coverage:
    """Enough data? One area: how many interviews, and what the latest one added.

    ``new`` are the terms (see ``terms``) the latest interview used that no earlier
    interview in the area did, in its order; the guide: "Continue ... until you have
    gathered enough data to clarify your options".
    """

    area: str
    interviews: int
    latest: str  # who the latest interview was with ("" when none)
    latest_date: datetime | None
    new: tuple[str, ...]
    enough: bool


@dataclass(frozen=True)
class ResearchFile:
    generated_at: datetime
    area: str | None
    rows: tuple[Row, ...]
    categories: tuple[Category, ...]
    fit: tuple[FitArea, ...]
    funnel: Funnel
    areas: tuple[str, ...] = field(default=())  # every area seen, for the report's header
    coverage: tuple[Coverage, ...] = field(default=())
    min_interviews: int = 3

    @property
    def thin(self) -> tuple[Coverage, ...]:
        """The areas with fewer interviews than ``min_interviews``."""
        return tuple(c for c in self.coverage if not c.enough)


# ---------------------------------------------------------------- selection


def _in_area(contact: Contact, area: str | None) -> bool:
    return area is None or contact.area.strip().casefold() == area.strip().casefold()


def is_logged(interview: Interview) -> bool:
    """True when the interview was held and written up (or at least marked held)."""
    return interview.logged_at is not None or interview.status == "held"


def logged_interviews(state: State, area: str | None = None) -> list[Interview]:
    """Return the logged interviews (of contacts in ``area``), earliest first."""
    chosen = [
        i
        for i in state.interviews.values()
        if is_logged(i)
        and i.contact_id in state.contacts
        and _in_area(state.contacts[i.contact_id], area)
    ]
    return sorted(chosen, key=lambda i: (i.start, i.id))


def _labels(state: State, interviews: Sequence[Interview]) -> dict[str, str]:
    """Return a display name per contact id, made unique when two people share a name."""
    names: dict[str, str] = {}
    for interview in interviews:
        contact = state.contacts[interview.contact_id]
        names.setdefault(contact.id, contact.name)
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        cid: (f"{name} <{state.contacts[cid].email}>" if counts[name] > 1 else name)
        for cid, name in names.items()
    }


# ---------------------------------------------------------------- comparison


def _category_text(interview: Interview, key: str) -> str:
    if key == ADVICE:
        return interview.advice.strip()
    return (interview.answers.get(key) or "").strip()


def compare_category(key: str, said: Sequence[tuple[str, str]]) -> Category:
    """Given (person, text) pairs for one category, return the side-by-side and its terms.

    Each person appears once; their texts are joined. Raises nothing: empty
    texts are simply left out.
    """
    texts: dict[str, list[str]] = {}
    for person, text in said:
        if text.strip():
            texts.setdefault(person, []).append(text.strip())
    joined = {person: "\n\n".join(parts) for person, parts in texts.items()}
    by_person = {person: terms(text) for person, text in joined.items()}

    who: dict[str, list[str]] = {}
    order: list[str] = []
    for person, found in by_person.items():
        for term in found:
            if term not in who:
                who[term] = []
                order.append(term)
            who[term].append(person)

    shared = {t: tuple(p) for t, p in who.items() if len(p) >= 2}
    agreed = [
        Agreement(term, people)
        for term, people in shared.items()
        if " " in term or not _covered(term, people, shared)
    ]
    agreed.sort(key=lambda a: (-len(a.people), a.term))

    differed: list[Difference] = []
    if len(by_person) >= 2:
        for person, found in by_person.items():
            own = [t for t in found if len(who[t]) == 1]
            phrases = [t for t in own if " " in t]
            own = [t for t in own if " " in t or not _subsumed(t, phrases)]
            if own:
                differed.append(Difference(person, tuple(own)))

    return Category(
        key=key,
        title=CATEGORIES.get(key, "Advice given"),
        hint=CATEGORY_HINTS.get(key, ""),
        said=tuple(Said(person, text) for person, text in joined.items()),
        agreed=tuple(agreed),
        differed=tuple(differed),
    )


def compare(state: State, interviews: Sequence[Interview]) -> tuple[Category, ...]:
    """Return the comparison of every question category (and advice) across ``interviews``."""
    labels = _labels(state, interviews)
    result = []
    for key in [*CATEGORIES, ADVICE]:
        said = [(labels[i.contact_id], _category_text(i, key)) for i in interviews]
        result.append(compare_category(key, said))
    return tuple(result)


def fit_areas(state: State, interviews: Sequence[Interview]) -> tuple[FitArea, ...]:
    """Return the fit scores per self-assessment area, one per interview, in interview order."""
    labels = _labels(state, interviews)
    areas = []
    for key, title in FIT_AREAS.items():
        scores = tuple(
            Score(labels[i.contact_id], i.fit[key].score, i.fit[key].note)
            for i in interviews
            if key in i.fit
        )
        areas.append(FitArea(key, title, scores))
    return tuple(areas)


# ---------------------------------------------------------------- funnel

#: Statuses that mean the request went out (a bounce and silence included).
CONTACTED = journey(Status.CONTACTED, Status.DONE) | {
    Status.DECLINED, Status.BOUNCED, Status.NO_RESPONSE}
#: Statuses that mean the person answered (a decline is an answer).
REPLIED = journey(Status.REPLIED, Status.DONE) | {Status.DECLINED}
INTERVIEWED = frozenset({Status.INTERVIEWED, Status.THANKED, Status.DONE})
#: Statuses before the first email went out (values, as status events keep them).
BEFORE_CONTACT = frozenset({Status.NEW.value, Status.DRAFTED.value, Status.REJECTED.value})

#: Event kinds read by the funnel, besides ``status`` events (data "to" or "status").
SENT_KINDS = frozenset({"draft-sent", "sent", "request-sent", "contacted"})
REPLY_KINDS = frozenset({"reply", "reply-received", "replied", "declined", "meeting-accepted"})


def _status_of(event: Event) -> Status | None:
    if event.kind != "status":
        return None
    value = event.data.get("to") or event.data.get("status")
    try:
        return Status(value)
    except ValueError:
        return None


def _first(times: Iterable[datetime | None]) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present) if present else None


def _arranged_outside(state: State, contact_id: str, events: Sequence[Event]) -> bool:
    """True if the history shows the contact went straight from before any email to
    interviewed (an interview logged by hand) and was never written to or answered."""
    jumped = any(
        _status_of(e) in INTERVIEWED and e.data.get("from") in BEFORE_CONTACT for e in events
    )
    if not jumped or any(m.kind == Kind.REQUEST and m.state == MessageState.SENT
                         for m in state.messages_of(contact_id)):  # fmt: skip
        return False
    return not any(
        e.kind in SENT_KINDS | REPLY_KINDS or _status_of(e) in CONTACTED - INTERVIEWED
        for e in events
    )


def funnel(state: State, events: Sequence[Event], area: str | None = None) -> Funnel:
    """Given the state and the whole event log, return the funnel for ``area`` (or all).

    A contact counts as contacted when an event says its request went out (a
    ``draft-sent``/``sent`` event, or a ``status`` event to contacted or later),
    when a request in the outbox is sent, or when its status is contacted or
    later; replied likewise (``reply`` events, ``status`` to replied or later or
    declined). Interviewed: status interviewed or later, or a logged interview; one
    arranged outside outreach (logged straight from new, with no request or reply)
    counts as an interview only, never as a reply after 0 hours.
    Referrals gained: the distinct referrals named in logged interviews.
    Time to reply: from the first sign of contact to the first reply, for
    contacts where both are known from events or the outbox.
    """
    contacts = {cid: c for cid, c in state.contacts.items() if _in_area(c, area)}
    per_contact: dict[str, list[Event]] = {}
    for event in events:
        if event.contact_id in contacts:
            per_contact.setdefault(event.contact_id, []).append(event)

    contacted = replied = interviewed = 0
    times: list[timedelta] = []
    logged_by = {i.contact_id for i in logged_interviews(state, area)}
    for cid, contact in contacts.items():
        mine = per_contact.get(cid, [])
        sent_at = _first(
            [e.at for e in mine if e.kind in SENT_KINDS or _status_of(e) in CONTACTED]
            + [
                m.sent_at
                for m in state.messages_of(cid)
                if m.kind == Kind.REQUEST and m.state == MessageState.SENT
            ]
        )
        reply_at = _first(e.at for e in mine if e.kind in REPLY_KINDS or _status_of(e) in REPLIED)
        if cid in logged_by and _arranged_outside(state, cid, mine):
            interviewed += 1  # arranged outside outreach: an interview, not a reply in 0 hours
            continue
        is_contacted = sent_at is not None or contact.status in CONTACTED
        is_replied = reply_at is not None or contact.status in REPLIED
        contacted += is_contacted or is_replied
        replied += is_replied
        interviewed += contact.status in INTERVIEWED or cid in logged_by
        if sent_at is not None and reply_at is not None and reply_at >= sent_at:
            times.append(reply_at - sent_at)

    referrals: set[str] = set()
    for interview in logged_interviews(state, area):
        for referral in interview.referrals:
            key = referral.contact_id or referral.email.casefold() or referral.name.casefold()
            referrals.add(key)
    return Funnel(contacted, replied, interviewed, len(referrals), tuple(sorted(times)))


# ---------------------------------------------------------------- the file


def rows(state: State, interviews: Sequence[Interview]) -> tuple[Row, ...]:
    """Return the research file's lines, one per interview."""
    result = []
    for interview in interviews:
        contact = state.contacts[interview.contact_id]
        result.append(
            Row(
                interview_id=interview.id,
                contact_id=contact.id,
                date=interview.start,
                name=contact.name,
                email=contact.email,
                title=contact.title,
                department=contact.department,
                mailing_address=contact.mailing_address,
                phone=contact.phone,
                referrals=tuple(r.name for r in interview.referrals),
                impressions=interview.impressions,
                comparison_notes=interview.comparison_notes,
                logged=interview.logged_at is not None,
            )
        )
    return tuple(result)


#: The most new terms listed for an area's latest interview.
NEW_TERMS = 12


def _said(interview: Interview) -> str:
    parts = [interview.impressions, interview.advice, *interview.answers.values()]
    return "\n".join(p for p in parts if p.strip())


def coverage(
    state: State, areas: Sequence[str], min_interviews: int = 3
) -> tuple[Coverage, ...]:
    """Return, per area, the count of logged interviews and what the latest one added.

    Every area of ``areas`` is listed (one with no interview yet too), in order;
    areas compare case-insensitively.
    """
    result = []
    for name in areas:
        mine = logged_interviews(state, name)
        new: list[str] = []
        if mine:
            earlier = {t for i in mine[:-1] for t in terms(_said(i))}
            fresh = [t for t in terms(_said(mine[-1])) if t not in earlier]
            phrases = [t for t in fresh if " " in t]
            new = [t for t in fresh if " " in t or not _subsumed(t, phrases)][:NEW_TERMS]
        last = mine[-1] if mine else None
        result.append(
            Coverage(
                area=name,
                interviews=len(mine),
                latest=state.contacts[last.contact_id].name if last else "",
                latest_date=last.start if last else None,
                new=tuple(new) if len(mine) > 1 else (),
                enough=len(mine) >= min_interviews,
            )
        )
    return tuple(result)


def build(
    state: State,
    events: Sequence[Event],
    now: datetime,
    area: str | None = None,
    *,
    wanted: Sequence[str] = (),
    min_interviews: int = 3,
) -> ResearchFile:
    """Given the state and the event log, return the research file for ``area`` (or all).

    ``wanted`` are the areas the user means to learn about (``user.areas``): they are
    covered even before any contact has them. Raise ValueError if ``now`` is naive
    (every timestamp is time-zone aware).
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    interviews = logged_interviews(state, area)
    areas = sorted({c.area.strip() for c in state.contacts.values() if c.area.strip()})
    covered: dict[str, str] = {}
    for name in [*wanted, *areas]:
        covered.setdefault(name.strip().casefold(), name.strip())
    if area is not None:
        covered = {k: v for k, v in covered.items() if k == area.strip().casefold()} or {
            area.strip().casefold(): area.strip()
        }
    return ResearchFile(
        generated_at=now,
        area=area,
        rows=rows(state, interviews),
        categories=compare(state, interviews),
        fit=fit_areas(state, interviews),
        funnel=funnel(state, events, area),
        areas=tuple(areas),
        coverage=coverage(state, list(covered.values()), min_interviews),
        min_interviews=min_interviews,
    )


def describe(delta: timedelta | None) -> str:
    """Return a duration as people say it: "3 h", "2.5 days", or "—" when unknown."""
    if delta is None:
        return "—"
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.1f} h" if hours % 1 else f"{int(hours)} h"
    days = hours / 24
    return f"{days:.1f} days" if days % 1 else f"{int(days)} days"
