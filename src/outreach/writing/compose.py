"""Render the emails and the prep sheet from Jinja templates, strictly.

A template set is three files per email, so a user can override any one of
them: ``NAME.subject.j2`` (one line; whitespace is collapsed), ``NAME.html.j2``
(autoescaped; contact data can never inject markup) and ``NAME.txt.j2`` (the
plain-text alternative). The prep sheet is ``prep.md.j2`` (Markdown, for the
user only). Files in the user's folder (``paths.templates``) win over the
packaged defaults file by file. Rendering uses StrictUndefined: an undefined
variable, a syntax error or a missing file raises TemplateError naming the
file, the line and the variable, and nothing is returned.

Emails: request, follow-up-1, follow-up-2, thank-you, report-back, update, invite.

The context (``build_context``) every template gets:

- ``user``: name, first_name, email, phone, title, department, organization,
  role (e.g. "Analyst, Finance, Example Corp" or "")
- ``contact``: the recipient (for report-back: the referrer); name,
  first_name, email, title, department, organization, office,
  mailing_address, phone, area, research_notes, source, internal (bool|None)
- ``area``: what the user wants to learn about (contact.area, else the user's
  first area, else "")
- ``minutes``: interview length; ``location``: the default place phrase
  ("your office")
- ``slots``: list of {start, end, date, time, text} in ``timezone``; text like
  "Tuesday 27 October 2026, 14:00–14:30 CET"
- ``timezone``: IANA name used for every time in the email;
  ``timezone_is_contacts``: True when it is the contact's own zone;
  ``timezone_note``: "All times are in your time zone (Europe/Berlin)." or
  "... in my time zone (...)"
- ``referrer``: {name, title, ...} of whoever referred the contact, only when
  the contact may be told (``contact.may_use_referrer_name``), else None
- ``interview``: None or {when, date, day_phrase ("today" / "on Tuesday 27
  October"), minutes, mode, location, place (a phrase), impressions, advice}
- ``highlight``: one specific sentence from the interview notes, or ""
- ``referrals``: names given at the interview (list of str)
- ``referred``: report-back only: the person the referrer pointed to, or None
- ``referred_by``: the referrer whether or not they may be named (prep sheet only)
- ``follow_up``: follow-up number (0 for others); ``thread_subject``: the
  request's subject without "Re:" prefixes, or ""
- ``earlier``: prep only: [{contact, interview}] earlier interviews in the area
- ``same_department``: prep only: [{contact, interview}] earlier interviews with
  people of the contact's department
- ``chart``: prep only: None, or the org chart around the contact from the
  directory: {manager, peers, reports}, each person {name, title, department,
  office, email, contact_status (their stage if a contact, else "")}
- ``update``: update only: {note, link}, what the user wrote for it (else "")
- ``followed``: update only: [{name, done}] what came of the referrals the
  contact gave at their latest interview ("I met X, as you suggested.")
- ``questions``: prep only: [{key, title, questions: [{id, text, chosen}]}]
- ``today``: date text of ``now`` in ``timezone``
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
import markupsafe

from outreach.config.settings import Settings
from outreach.core import textsafe
from outreach.core.errors import TemplateError
from outreach.core.model import Contact, Interview, Kind, Message, Mode, Slot, State, Status
from outreach.writing.questions import CATEGORIES

#: The emails a template set must provide, each as subject, html and txt.
EMAILS = (
    "request", "follow-up-1", "follow-up-2", "thank-you", "report-back", "update", "invite"
)  # fmt: skip
PARTS = ("subject", "html", "txt")
PREP = "prep.md.j2"


@dataclass(frozen=True)
class RenderedEmail:
    """A finished email: a one-line subject, an HTML body and its plain-text twin."""

    subject: str
    html: str
    text: str


def packaged_templates() -> Path:
    """Return the folder of the default templates: ``outreach/templates`` in the wheel.

    In the source tree that is a symlink to the root ``templates/``; without it
    (a checkout that dropped symlinks) the root folder itself is used.
    """
    package = Path(__file__).resolve().parents[1]
    inside = package / "templates"
    if (inside / PREP).is_file():
        return inside
    return package.parents[1] / "templates"


#: Characters XML 1.0 (and so EWS) cannot carry; dropped from every printed value.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _finalize(value: Any) -> Any:
    """Print None as nothing and drop characters no mail server accepts."""
    if value is None:
        return ""
    if isinstance(value, markupsafe.Markup):  # already escaped (e.g. by join)
        return markupsafe.Markup(_UNPRINTABLE.sub("", value))  # noqa: S704 - only removes
    if isinstance(value, str):
        return _UNPRINTABLE.sub("", value)
    return value


def oneline(value: Any) -> str:
    """Collapse all whitespace and control characters (newlines included) to single spaces."""
    return textsafe.one_line(str(value))


@lru_cache(maxsize=8)
def environment(override: Path | None = None) -> jinja2.Environment:
    """Return a strict Jinja environment over ``override`` first, then the defaults."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(_TextLoader(str(override)))
    loaders.append(_TextLoader(str(packaged_templates())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["oneline"] = oneline
    return env


class _TextLoader(jinja2.FileSystemLoader):
    """A folder loader that names the file and line of a template that is not UTF-8."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as bad:
            path = next(
                (Path(p) / template for p in self.searchpath if (Path(p) / template).is_file()),
                Path(template),
            )
            line = bad.object[: bad.start].count(b"\n") + 1
            raise TemplateError(
                f"Template {path}, line {line}: not UTF-8 text (byte {bad.start}); "
                "save it as UTF-8."
            ) from None


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one file. Raise TemplateError naming file, line and problem.

    Any failure inside a template (a syntax error, an undefined name, a missing or
    recursive include, an error such as a division by zero) becomes a TemplateError,
    so a user's template can fail one message but never the daemon.
    """
    try:
        return env.get_template(name).render(context)
    except TemplateError:
        raise
    except jinja2.TemplateNotFound as problem:
        where, line = _template_frame(problem, name)
        within = f" (included by {where}, line {line})" if line else ""
        raise TemplateError(
            f"Template {problem.name} not found{within}.", _searched(env)
        ) from None
    except jinja2.TemplateSyntaxError as problem:
        where = problem.filename or problem.name or name
        raise TemplateError(
            f"Template {where}, line {problem.lineno}: syntax error: {problem.message}"
        ) from None
    except jinja2.UndefinedError as problem:
        where, line = _template_frame(problem, name)
        raise TemplateError(
            f"Template {where}, line {line}: undefined variable: {problem.message}"
        ) from None
    except RecursionError as problem:
        where, line = _template_frame(problem, name)
        raise TemplateError(
            f"Template {where}, line {line}: includes itself without end (an include or "
            "macro that calls itself)."
        ) from None
    except Exception as problem:
        where, line = _template_frame(problem, name)
        raise TemplateError(
            f"Template {where}, line {line}: error while rendering: "
            f"{type(problem).__name__}: {problem}"
        ) from None


def _searched(env: jinja2.Environment) -> list[str]:
    loader = env.loader
    loaders = loader.loaders if isinstance(loader, jinja2.ChoiceLoader) else [loader]
    return [
        f"looked in {p}"
        for each in loaders
        if isinstance(each, jinja2.FileSystemLoader)
        for p in each.searchpath
    ]


def _template_frame(problem: BaseException, name: str) -> tuple[str, int]:
    """Return (file, line) of the innermost template frame of a rendering error."""
    where, line = name, 0
    tb = problem.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return where, line


def template_name(kind: Kind | str, sequence: int = 1) -> str:
    """Given an outbox kind (and follow-up number), return the email template's name."""
    kind = Kind(kind) if not isinstance(kind, Kind) else kind
    if kind is Kind.FOLLOW_UP:
        return f"follow-up-{min(max(sequence, 1), 2)}"
    if kind is Kind.HOLD:
        return "invite"
    return kind.value


def render_email(
    kind: Kind | str, context: dict[str, Any], templates: Path | None = None
) -> RenderedEmail:
    """Given an email name (or outbox Kind) and a context, return the rendered email.

    ``templates`` is the user's override folder. Raise TemplateError on any problem.
    """
    if isinstance(kind, Kind) or kind in {k.value for k in Kind}:
        name = template_name(kind)
    else:
        name = kind
    if name not in EMAILS:
        raise TemplateError(f"No email called {name!r}; known: {', '.join(EMAILS)}.")
    env = environment(templates)
    subject = oneline(_render(env, f"{name}.subject.j2", context))
    if not subject:
        raise TemplateError(f"Template {name}.subject.j2 rendered an empty subject.")
    html = _render(env, f"{name}.html.j2", context)
    text = _render(env, f"{name}.txt.j2", context)
    return RenderedEmail(subject=subject, html=html, text=text)


def problems(context: dict[str, Any], templates: Path | None = None) -> list[str]:
    """Render every file of every email and the prep sheet; return each problem found."""
    env = environment(templates)
    found: list[str] = []
    for file in [*(f"{n}.{p}.j2" for n in EMAILS for p in PARTS), PREP]:
        try:
            text = _render(env, file, context)
        except TemplateError as problem:
            found.append("; ".join([problem.summary.rstrip("."), *problem.problems]))
            continue
        if file.endswith(".subject.j2") and not oneline(text):
            found.append(f"Template {file} rendered an empty subject.")
    return found


def render_prep(context: dict[str, Any], templates: Path | None = None) -> str:
    """Render the Markdown prep sheet. Raise TemplateError on any problem."""
    return _render(environment(templates), PREP, context)


# -- the context ------------------------------------------------------------------------


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def _contact_view(contact: Contact) -> dict[str, Any]:
    return {
        "name": oneline(contact.name),
        "first_name": _first_name(contact.name),
        "email": contact.email,
        "title": contact.title,
        "department": contact.department,
        "organization": contact.organization,
        "office": contact.office,
        "mailing_address": contact.mailing_address,
        "phone": contact.phone,
        "area": contact.area,
        "research_notes": contact.research_notes,
        "source": str(contact.source),
        "internal": contact.internal,
    }


def _when(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} {local.tzname()}"


def _slot_view(slot: Slot, tz: tzinfo) -> dict[str, Any]:
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    date_text = f"{start:%A} {start.day} {start:%B %Y}"
    time_text = f"{start:%H:%M}–{end:%H:%M} {start.tzname()}"
    return {"start": start, "end": end, "date": date_text, "time": time_text,
            "text": f"{date_text}, {time_text}"}  # fmt: skip


def _place(interview: Interview, contact: Contact, default: str) -> str:
    if interview.mode is Mode.PHONE:
        return f"by phone ({contact.phone})" if contact.phone else "by phone"
    if interview.mode is Mode.VIDEO:
        return f"by video call ({interview.location})" if interview.location else "by video call"
    return interview.location or contact.office or default


def _first_sentence(text: str) -> str:
    text = oneline(text)
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text)[:300]


def _interview_view(
    interview: Interview, contact: Contact, tz: tzinfo, now: datetime, default: str
) -> dict[str, Any]:
    start = interview.start.astimezone(tz)
    same_day = start.date() == now.astimezone(tz).date()
    return {
        "when": _when(start, tz),
        "date": f"{start:%A} {start.day} {start:%B %Y}",
        "day_phrase": "today" if same_day else f"on {start:%A} {start.day} {start:%B}",
        "minutes": interview.minutes,
        "mode": str(interview.mode),
        "location": interview.location,
        "place": _place(interview, contact, default),
        "impressions": interview.impressions,
        "advice": interview.advice,
    }


def _strip_re(subject: str) -> str:
    return re.sub(r"^(\s*(re|aw|sv|fw|fwd)\s*:\s*)+", "", oneline(subject), flags=re.IGNORECASE)


def build_context(
    settings: Settings,
    contact: Contact,
    *,
    now: datetime,
    slots: Sequence[Slot] = (),
    interview: Interview | None = None,
    referrer: Contact | None = None,
    referred: Contact | None = None,
    earlier: Sequence[tuple[Contact, Interview]] = (),
    chosen: Collection[str] = (),
    follow_up: int = 0,
    thread: Message | None = None,
    update: Message | None = None,
    followed: Sequence[tuple[str, str]] = (),
    same_department: Sequence[tuple[Contact, Interview]] = (),
    chart: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Given the settings, the recipient and what the email is about, return its context.

    ``referrer`` is who referred ``contact`` (named only if the contact allowed it);
    ``referred`` and ``interview`` for a report-back are the referred person and
    their interview; ``thread`` is the request a follow-up continues.
    """
    user = settings.user
    contact_tz = _zone(contact.timezone)
    tz = contact_tz or _zone(settings.time.timezone) or ZoneInfo("UTC")
    tz_name = str(tz)
    whose = "your" if contact_tz is not None else "my"
    default_place = settings.scheduling.location
    role = ", ".join(p for p in (user.title, user.department, user.organization) if p)
    notes = interview.advice or interview.impressions if interview else ""
    return {
        "user": {
            "name": oneline(user.name),
            "first_name": _first_name(user.name),
            "email": user.email,
            "phone": user.phone,
            "title": user.title,
            "department": user.department,
            "organization": user.organization,
            "role": role,
        },
        "contact": _contact_view(contact),
        "area": contact.area or (user.areas[0] if user.areas else ""),
        "minutes": interview.minutes if interview else settings.scheduling.interview_minutes,
        "location": default_place,
        "slots": [_slot_view(s, tz) for s in slots],
        "timezone": tz_name,
        "timezone_is_contacts": contact_tz is not None,
        "timezone_note": f"All times are in {whose} time zone ({tz_name}).",
        "referrer": _contact_view(referrer)
        if referrer is not None and contact.may_use_referrer_name
        else None,
        "interview": _interview_view(
            interview, contact if referred is None else referred, tz, now, default_place
        )
        if interview
        else None,
        "highlight": _first_sentence(notes) if notes else "",
        "referrals": [oneline(r.name) for r in interview.referrals] if interview else [],
        "referred": _contact_view(referred) if referred is not None else None,
        "referred_by": _contact_view(referrer) if referrer is not None else None,
        "follow_up": follow_up,
        "thread_subject": _strip_re(thread.subject) if thread is not None else "",
        "earlier": [
            {
                "contact": _contact_view(c),
                "interview": _interview_view(i, c, tz, now, default_place),
            }
            for c, i in earlier
        ],
        "questions": [
            {
                "key": cat.key,
                "title": cat.title,
                "questions": [
                    {"id": q.id, "text": q.text, "chosen": q.id in chosen} for q in cat.questions
                ],
            }
            for cat in CATEGORIES
        ],
        "same_department": [
            {
                "contact": _contact_view(c),
                "interview": _interview_view(i, c, tz, now, default_place),
            }
            for c, i in same_department
        ],
        "chart": chart,
        "update": {"note": update.note if update else "", "link": update.link if update else ""},
        "followed": [{"name": oneline(name), "done": done} for name, done in followed],
        "today": f"{now.astimezone(tz):%A} {now.astimezone(tz).day} {now.astimezone(tz):%B %Y}",
    }


def context_from_state(
    settings: Settings,
    state: State,
    contact: Contact,
    kind: str,
    *,
    now: datetime,
    slots: Sequence[Slot] = (),
    chosen: Collection[str] = (),
    interview_id: str | None = None,
    message: Message | None = None,
    chart: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Given the store's state, return the context of email ``kind`` (or "prep") to ``contact``.

    Picks the interview the email is about (``interview_id``: an invite's, a
    thank-you's, an update's), else the contact's latest one not cancelled; their
    referrer, the request a follow-up continues, earlier interviews in the same area
    and department (prep) and, for a report-back (``contact`` being the referrer), the
    latest interview of someone they referred. ``message`` is the outbox entry (an
    update's note and link); ``chart`` the org chart around the contact (prep).
    """
    interviews = [i for i in state.interviews_of(contact.id) if i.status != "cancelled"]
    interview = state.interviews.get(interview_id or "") or (interviews[-1] if interviews else None)
    referrer = state.contacts.get(contact.referred_by) if contact.referred_by else None
    referred = None
    if kind == "report-back":
        pointed = [c for c in state.contacts.values() if c.referred_by == contact.id]
        held = [(i, c) for c in pointed for i in state.interviews_of(c.id)]
        interview, referred = max(held, key=lambda pair: pair[0].start) if held else (None, None)
        referrer = None
    requests = [m for m in state.messages_of(contact.id) if m.kind is Kind.REQUEST]
    follow_ups = [m for m in state.messages_of(contact.id) if m.kind is Kind.FOLLOW_UP]
    earlier = _earlier(state, contact, now, lambda c: c.area) if kind == "prep" else []
    same_department = (
        _earlier(state, contact, now, lambda c: c.department) if kind == "prep" else []
    )
    return build_context(
        settings,
        contact,
        now=now,
        slots=slots,
        interview=interview,
        referrer=referrer,
        referred=referred,
        earlier=earlier,
        chosen=chosen,
        follow_up=len(follow_ups) + 1 if kind.startswith("follow-up") else 0,
        thread=requests[0] if requests else None,
        update=message if kind == "update" else None,
        followed=_followed(state, interview) if kind == "update" and interview else (),
        same_department=same_department,
        chart=chart,
    )


def _earlier(
    state: State, contact: Contact, now: datetime, key: Callable[[Contact], str]
) -> list[tuple[Contact, Interview]]:
    """Return others' interviews before ``now`` sharing ``contact``'s ``key`` (area,
    department), earliest first; none when the contact's own value is empty."""
    mine = key(contact).strip().casefold()
    if not mine:
        return []
    return [
        (state.contacts[i.contact_id], i)
        for i in sorted(state.interviews.values(), key=lambda i: i.start)
        if i.contact_id != contact.id
        and i.start < now
        and i.contact_id in state.contacts
        and i.status != "cancelled"
        and key(state.contacts[i.contact_id]).strip().casefold() == mine
    ]


#: What the user did with a referral, by the referred contact's stage.
_DONE = {
    Status.CONTACTED: "I have written to {name}.",
    Status.FOLLOWED_UP: "I have written to {name}.",
    Status.REPLIED: "I have been in touch with {name}.",
    Status.SCHEDULING: "I am arranging a conversation with {name}.",
    Status.SCHEDULED: "I am meeting {name} soon.",
    Status.INTERVIEWED: "I met {name}, as you suggested.",
    Status.THANKED: "I met {name}, as you suggested.",
    Status.DONE: "I met {name}, as you suggested.",
}


def _followed(state: State, interview: Interview) -> list[tuple[str, str]]:
    """Return (name, sentence) for each referral of ``interview`` that came to something."""
    out = []
    for referral in interview.referrals:
        referred = state.contacts.get(referral.contact_id or "")
        if referred is not None and referred.status in _DONE:
            out.append((referred.name, _DONE[referred.status].format(name=oneline(referred.name))))
    return out


def template_path(name: str, templates: Path | None = None) -> Path:
    """Return the file that serves template ``name`` (yours first). Raise TemplateError."""
    folders = ([templates] if templates is not None else []) + [packaged_templates()]
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise TemplateError(
        f"Template {name} not found.", [f"looked in {folder}" for folder in folders]
    )
