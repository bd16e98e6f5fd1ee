"""What ``outreach check --offline`` verifies beyond the config schema.

The schema checks each value alone; these checks need the world the value names:
the templates folder exists and every template renders against a sample contact
(so a broken custom template is found before the daemon meets it), and the
holiday country and subdivision are known. Each problem is a sentence naming
the file, line or key; nothing here reaches the mailbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from outreach.config.settings import Settings
from outreach.core.errors import UserError
from outreach.core.model import Contact, Interview, Kind, Message, Referral, Slot, Source
from outreach.writing import compose, resume, slots


def sample_context(settings: Settings, now: datetime) -> dict[str, object]:
    """Return a context that fills every variable a template may use (one made-up contact)."""
    referrer = Contact(name="Robin Referrer", email="robin@example.com", title="Manager",
                       department="Operations", source=Source.CO_WORKER)
    contact = Contact(name="Sam Sample", email="sam@example.com", title="Data Engineer",
                      department="Platform", organization="Example Corp", office="B2.14",
                      phone="+1 555 0199", area="data engineering", source=Source.REFERRAL,
                      referred_by=referrer.id, may_use_referrer_name=True,
                      research_notes="Leads the pipeline team.")
    start = (now + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    minutes = settings.scheduling.interview_minutes
    proposed = [Slot(start + timedelta(days=n), start + timedelta(days=n, minutes=minutes))
                for n in range(settings.scheduling.slots)]  # fmt: skip
    interview = Interview(
        contact_id=contact.id, start=start, minutes=minutes, impressions="Generous with time.",
        advice="Learn the scheduler first. Then the warehouse.",
        referrals=[Referral(name="Alex Other", email="alex@example.com", may_use_name=True)],
    )
    return compose.build_context(
        settings, contact, now=now, slots=proposed, interview=interview, referrer=referrer,
        referred=contact, earlier=[(referrer, interview)], follow_up=1,
        update=Message(contact_id=contact.id, kind=Kind.UPDATE, note="I took the course.",
                       link="https://example.com/article"),
        followed=[("Alex Other", "I met Alex Other, as you suggested.")],
        same_department=[(referrer, interview)],
        chart={"manager": _SAMPLE_PERSON, "peers": [_SAMPLE_PERSON], "reports": [_SAMPLE_PERSON]},
    )


_SAMPLE_PERSON = {"name": "Pat Boss", "title": "Head of Platform", "department": "Platform",
                  "office": "B2.20", "email": "pat@example.com", "contact_status": "new"}


def template_problems(settings: Settings, now: datetime) -> list[str]:
    """Render every email and the prep sheet; return each problem found (none: all good)."""
    folder = settings.paths.templates
    if folder is not None and not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        return [f"paths.templates: {folder} {what}; create it or remove the key."]
    return compose.problems(sample_context(settings, now), folder)


def holiday_problems(settings: Settings) -> list[str]:
    """Return a problem if the holiday country or subdivision is unknown."""
    try:
        slots.public_holidays(settings.time)
    except UserError as problem:
        return [str(problem)]
    return []


def resume_problems(settings: Settings) -> list[str]:
    """Return what is wrong with ``user.resume`` (exists, readable, PDF or Word, < 5 MB)."""
    return resume.problems(settings.user.resume) if settings.user.resume is not None else []


def problems(settings: Settings, now: datetime) -> list[str]:
    """Return everything ``check --offline`` finds wrong beyond the schema."""
    return [
        *holiday_problems(settings),
        *template_problems(settings, now),
        *resume_problems(settings),
    ]
