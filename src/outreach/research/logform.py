"""The interview log as a Markdown form for ``$EDITOR``, and as YAML/JSON data.

``render`` writes the form, prefilled from an interview (empty for a new one);
``parse`` reads it back into a ``LogEntry`` and ``parse_data`` does the same for
a mapping loaded from YAML or JSON (``outreach log --from FILE``); ``apply``
turns an entry into the updated interview, keeping the previous version in its
history. Pure: no I/O; malformed input raises UserError naming the line or key.

The form::

    # Interview with Sam Example
    Date: 2026-03-04 10:00 Europe/Berlin

    ## Impressions
    free text ...
    ## Qualifications            (one section per question category, then)
    ## Advice
    ## Comparison notes
    ## Fit
    - interests: 4 - the work itself appeals
    - working style: 2 - mostly alone, I like teams
    ## Referral names
    - Alex Sample <alex@example.com> - may use name: yes

Lines inside ``<!-- -->`` are hints and are ignored.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.config.settings import SelfAssessment
from outreach.core.errors import UserError
from outreach.core.model import Contact, Fit, Interview, Referral
from outreach.research.researchfile import CATEGORIES, FIT_AREAS

#: The guide's suggested questions, shown as hints under each heading.
QUESTIONS: dict[str, str] = {
    "qualifications": "How did you get into your position? What knowledge, skills or "
    "experience are necessary to qualify for it?",
    "training": "Formal training? Other helpful training or experience? What would help "
    "someone entering the field now? Other fields worked in? Professional development?",
    "job": "A typical day? Key tasks? Skills needed? Main challenges? Goals of the group? "
    "Future changes? Career paths? Salary ranges?",
    "environment": "Work conditions; managerial style; how senior management and customers "
    "see the work; who they interact with and how often.",
    "referrals": "Other related fields to explore?",
}

IMPRESSIONS = "Impressions"
ADVICE = "Advice"
NOTES = "Comparison notes"
FIT = "Fit"
REFERRALS = "Referral names"

_TEXT_SECTIONS: dict[str, str] = {
    IMPRESSIONS.casefold(): "impressions",
    **{title.casefold(): key for key, title in CATEGORIES.items()},
    ADVICE.casefold(): "advice",
    NOTES.casefold(): "comparison_notes",
}
_FIT_NAMES = {
    **{key: key for key in FIT_AREAS},
    **{title.casefold(): key for key, title in FIT_AREAS.items()},
    "working-style": "working_style",
}

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_DATE_LINE = re.compile(r"^date\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_FIT_LINE = re.compile(r"^[-*]\s*(?P<area>[a-z _-]+?)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_SCORE_NOTE = re.compile(r"^\s*([^\s\-—–:]*)\s*(?:[-—–:]\s*)?(.*)$", re.DOTALL)
_REFERRAL_LINE = re.compile(
    r"^(?:[-*]\s*)?(?P<name>[^<>]+?)\s*(?:<(?P<email>[^<>]*)>)?\s*"
    r"(?:[-—–,;(]\s*may use (?:my )?name\s*:?\s*(?P<may>[a-z]+)\s*\)?)?\s*$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


@dataclass
class LogEntry:
    """What the user wrote about one interview, before it is merged into the store."""

    start: datetime | None = None
    impressions: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    fit: dict[str, Fit] = field(default_factory=dict)
    advice: str = ""
    comparison_notes: str = ""
    referrals: list[Referral] = field(default_factory=list)


# ---------------------------------------------------------------- rendering


def _date_text(start: datetime) -> str:
    zone = getattr(start.tzinfo, "key", None)
    if zone:
        return f"{start:%Y-%m-%d %H:%M} {zone}"
    return start.isoformat(timespec="minutes")


def render(
    contact: Contact,
    interview: Interview | None,
    start: datetime,
    assessment: SelfAssessment | None = None,
) -> str:
    """Return the Markdown form for ``contact``, prefilled from ``interview`` if given."""
    lines = [
        f"# Interview with {contact.name}",
        "<!-- Write under each heading; keep the headings. Lines in these marks are hints. -->",
        f"Date: {_date_text(interview.start if interview else start)}",
        "",
        f"## {IMPRESSIONS}",
        interview.impressions if interview else "",
        "",
    ]
    for key, title in CATEGORIES.items():
        lines += [f"## {title}", f"<!-- {QUESTIONS[key]} -->"]
        lines += [(interview.answers.get(key, "") if interview else ""), ""]
    lines += [f"## {ADVICE}", interview.advice if interview else "", ""]
    lines += [f"## {NOTES}", "<!-- Similarities or differences with other interviews. -->"]
    lines += [interview.comparison_notes if interview else "", ""]
    lines += [f"## {FIT}", "<!-- How well this work fits you: a score 1-5 and a note. -->"]
    for key, title in FIT_AREAS.items():
        mine = getattr(assessment, key, ()) if assessment else ()
        if mine:
            lines.append(f"<!-- your {title.lower()}: {', '.join(mine)} -->")
        fit = interview.fit.get(key) if interview else None
        value = f" {fit.score}" + (f" - {fit.note}" if fit.note else "") if fit else ""
        lines.append(f"- {title.lower()}:{value}")
    lines += ["", f"## {REFERRALS}", "<!-- One per line: Name <email> - may use name: yes|no -->"]
    for referral in interview.referrals if interview else []:
        lines.append("- " + referral_text(referral))
    return "\n".join(lines).rstrip() + "\n"


def referral_text(referral: Referral) -> str:
    """Return a referral as one form line (without the bullet)."""
    email = f" <{referral.email}>" if referral.email else ""
    return f"{referral.name}{email} - may use name: {'yes' if referral.may_use_name else 'no'}"


# ---------------------------------------------------------------- parsing


def parse_date(value: str, default_tz: tzinfo) -> datetime:
    """Given "2026-03-04 10:00 [Zone/Name]" or ISO 8601, return an aware datetime.

    Raise ValueError with a sentence if it is neither.
    """
    text = value.strip()
    zone: tzinfo = default_tz
    parts = text.rsplit(" ", 1)
    if len(parts) == 2 and ("/" in parts[1] or parts[1] == "UTC"):
        try:
            zone = ZoneInfo(parts[1])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {parts[1]!r}") from error
        text = parts[0]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(
            f"{value.strip()!r} is not a date like 2026-03-04 10:00 or 2026-03-04T10:00+01:00"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def parse_referral(text: str) -> Referral:
    """Given "Name <email> - may use name: yes", return a Referral. Raise ValueError if bad."""
    match = _REFERRAL_LINE.match(text.strip())
    if not match or not match["name"].strip():
        raise ValueError(
            f"{text.strip()!r} is not a referral like 'Name <name@example.com> - may use name: yes'"
        )
    email = (match["email"] or "").strip()
    if email and not _EMAIL.match(email):
        raise ValueError(f"{email!r} is not an email address")
    may = (match["may"] or "no").casefold()
    if may not in _YES:
        raise ValueError(f"may use name: {match['may']!r} should be yes or no")
    return Referral(name=match["name"].strip(), email=email, may_use_name=_YES[may])


def parse_fit(area: str, value: Any) -> tuple[str, Fit]:
    """Given an area name and "4 - note" (or a number, or {score, note}), return (key, Fit).

    Raise ValueError if the area is unknown or the score is not 1-5.
    """
    key = _FIT_NAMES.get(area.strip().casefold().replace("_", " "))
    key = key or _FIT_NAMES.get(area.strip().casefold())
    if key is None:
        raise ValueError(f"unknown fit area {area!r} (expected {', '.join(FIT_AREAS)})")
    note = ""
    if isinstance(value, Mapping):
        score, note = value.get("score"), str(value.get("note") or "")
    elif isinstance(value, str):
        match = _SCORE_NOTE.match(value)
        score, note = (match[1], match[2]) if match else (value, "")
    else:
        score = value
    try:
        number = int(str(score).strip())
    except ValueError:
        number = 0
    if isinstance(score, bool) or not 1 <= number <= 5:
        raise ValueError(f"{FIT_AREAS[key].lower()}: score {score!r} should be 1 to 5")
    return key, Fit(number, note.strip())


def parse(text: str, default_tz: tzinfo, source: str = "form") -> LogEntry:
    """Given the Markdown form, return the entry it holds.

    Raise UserError listing every malformed line ("form line 12: ...").
    """
    entry = LogEntry()
    problems: list[str] = []
    texts: dict[str, list[str]] = {}
    section: str | None = None
    clean = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for number, raw in enumerate(clean.splitlines(), start=1):
        line = raw.rstrip()
        where = f"{source} line {number}"
        stripped = line.strip()
        if line.startswith("## "):
            name = stripped[3:].strip().casefold()
            if name in _TEXT_SECTIONS or name in (FIT.casefold(), REFERRALS.casefold()):
                section = name
                texts.setdefault(name, [])
            else:
                known = [IMPRESSIONS, *CATEGORIES.values(), ADVICE, NOTES, FIT, REFERRALS]
                problems.append(
                    f"{where}: unknown heading {stripped!r} (known: {', '.join(known)})"
                )
                section = None
            continue
        if section is None:
            date = _DATE_LINE.match(stripped)
            if date and date["value"].strip():
                try:
                    entry.start = parse_date(date["value"], default_tz)
                except ValueError as error:
                    problems.append(f"{where}: {error}")
            elif stripped and not line.startswith("# ") and not date:
                problems.append(f"{where}: text outside any '## ' section: {stripped[:40]!r}")
            continue
        if section == FIT.casefold():
            if not stripped:
                continue
            match = _FIT_LINE.match(stripped)
            if not match:
                problems.append(f"{where}: expected '- skills: 4 - a note', got {stripped!r}")
                continue
            if not match["rest"].strip():
                continue  # left blank: not rated
            try:
                key, fit = parse_fit(match["area"], match["rest"])
            except ValueError as error:
                problems.append(f"{where}: {error}")
                continue
            entry.fit[key] = fit
        elif section == REFERRALS.casefold():
            if not stripped or stripped in ("-", "*"):
                continue
            try:
                entry.referrals.append(parse_referral(stripped))
            except ValueError as error:
                problems.append(f"{where}: {error}")
        else:
            texts[section].append(line)
    if problems:
        raise UserError(f"The interview log in {source} has problems:", problems)
    for name, lines in texts.items():
        key = _TEXT_SECTIONS.get(name)
        value = "\n".join(lines).strip()
        if key in CATEGORIES:
            if value:
                entry.answers[key] = value
        elif key is not None:
            setattr(entry, key, value)
    return entry


def parse_data(data: Any, default_tz: tzinfo, source: str) -> LogEntry:
    """Given a mapping loaded from YAML or JSON, return the entry it holds.

    Keys: date, impressions, answers (category -> text, or the categories as
    top-level keys, except referrals), fit (area -> score, "4 - note" or {score, note}), advice,
    comparison_notes, referrals (a list of "Name <email> - may use name: yes"
    or {name, email, may_use_name}). Raise UserError naming each bad key.
    """
    if not isinstance(data, Mapping):
        raise UserError(f"{source}: expected a mapping of fields, got {type(data).__name__}")
    entry = LogEntry()
    problems: list[str] = []
    known = {"date", "impressions", "answers", "fit", "advice", "comparison_notes", "referrals"}
    for key in data:
        if key not in known and key not in CATEGORIES:
            problems.append(f"{source}: unknown key {key!r}")
    if data.get("date") is not None:
        value = data["date"]
        if isinstance(value, datetime):
            entry.start = value if value.tzinfo else value.replace(tzinfo=default_tz)
        else:
            try:
                entry.start = parse_date(str(value), default_tz)
            except ValueError as error:
                problems.append(f"{source}: date: {error}")
    for name in ("impressions", "advice", "comparison_notes"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"{source}: {name}: expected text")
        elif value:
            setattr(entry, name, value.strip())
    given = data.get("answers") or {}
    if not isinstance(given, Mapping):
        problems.append(f"{source}: answers: expected a mapping of category -> text")
        given = {}
    answers = dict(given)
    # a category may also be a top-level key, except "referrals": there it means the names
    answers.update({k: v for k, v in data.items() if k in CATEGORIES and k != "referrals"})
    for key, value in answers.items():
        if key not in CATEGORIES:
            problems.append(f"{source}: answers.{key}: unknown category ({', '.join(CATEGORIES)})")
        elif value is not None and not isinstance(value, str | int | float):
            problems.append(f"{source}: answers.{key}: expected text")
        elif value is not None and str(value).strip():
            entry.answers[key] = str(value).strip()
    fit = data.get("fit") or {}
    if not isinstance(fit, Mapping):
        problems.append(f"{source}: fit: expected a mapping of area -> score")
        fit = {}
    for area, value in fit.items():
        try:
            key, score = parse_fit(str(area), value)
        except ValueError as error:
            problems.append(f"{source}: fit.{area}: {error}")
            continue
        entry.fit[key] = score
    referrals = data.get("referrals") or []
    if not isinstance(referrals, list):
        problems.append(f"{source}: referrals: expected a list of 'Name <email> - may use "
                        "name: yes'")
        referrals = []
    for index, item in enumerate(referrals):
        try:
            if isinstance(item, Mapping):
                referral = parse_referral(str(item.get("name") or ""))
                referral.email = str(item.get("email") or "").strip()
                if referral.email and not _EMAIL.match(referral.email):
                    raise ValueError(f"{referral.email!r} is not an email address")
                may = item.get("may_use_name", False)
                if not isinstance(may, bool):
                    may = _YES.get(str(may).strip().casefold())
                if may is None:
                    raise ValueError(f"may_use_name: {item['may_use_name']!r} should be yes "
                                     "or no")
                referral.may_use_name = may
            else:
                referral = parse_referral(str(item))
        except ValueError as error:
            problems.append(f"{source}: referrals[{index}]: {error}")
            continue
        entry.referrals.append(referral)
    if problems:
        raise UserError(f"The interview log in {source} has problems:", problems)
    return entry


# ---------------------------------------------------------------- applying

_LOGGED_FIELDS = ("impressions", "answers", "fit", "advice", "comparison_notes", "referrals")


def snapshot(interview: Interview) -> dict[str, Any]:
    """Return the interview's logged content as stored in its history."""
    data = interview.to_dict()
    return {
        "start": data["start"],
        "logged_at": data["logged_at"],
        **{name: data[name] for name in _LOGGED_FIELDS},
    }


def apply(interview: Interview, entry: LogEntry, now: datetime) -> Interview:
    """Return ``interview`` updated from ``entry`` and marked held at ``now``.

    If it was logged before, the previous version goes into ``history`` with
    ``replaced_at``; referrals keep their contact link when the name or email
    matches one logged before.
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    history = list(interview.history)
    if interview.logged_at is not None:
        history.append({**snapshot(interview), "replaced_at": now.isoformat()})
    known = {(r.email.casefold() or r.name.casefold()): r.contact_id for r in interview.referrals}
    referrals = [
        dataclasses.replace(
            r, contact_id=r.contact_id or known.get(r.email.casefold() or r.name.casefold())
        )
        for r in entry.referrals
    ]
    return dataclasses.replace(
        interview,
        start=entry.start or interview.start,
        status="held",
        impressions=entry.impressions,
        answers=dict(entry.answers),
        fit=dict(entry.fit),
        advice=entry.advice,
        comparison_notes=entry.comparison_notes,
        referrals=referrals,
        logged_at=now,
        history=history,
    )


def merge(base: LogEntry, update: LogEntry) -> LogEntry:
    """Return ``base`` with every field ``update`` sets replaced (options over a file)."""
    return LogEntry(
        start=update.start or base.start,
        impressions=update.impressions or base.impressions,
        answers={**base.answers, **update.answers},
        fit={**base.fit, **update.fit},
        advice=update.advice or base.advice,
        comparison_notes=update.comparison_notes or base.comparison_notes,
        referrals=[*base.referrals, *update.referrals],
    )


def from_interview(interview: Interview) -> LogEntry:
    """Return the entry an interview already holds (the starting point of an edit)."""
    return LogEntry(
        start=interview.start,
        impressions=interview.impressions,
        answers=dict(interview.answers),
        fit=dict(interview.fit),
        advice=interview.advice,
        comparison_notes=interview.comparison_notes,
        referrals=[dataclasses.replace(r) for r in interview.referrals],
    )
