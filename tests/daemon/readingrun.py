"""The corpus of answers (tests/replycorpus.py) through the real daemon and the sandbox.

Each case is a contact: the daemon drafts their request, the user sends it, the contact
answers with one kind of answer in one language, quoted as one mail client quotes, and
the case is judged by what the daemon did: exactly one invitation at the picked time,
the contact declined, or the contact replied with a line for the user that quotes the
answer's own words. Used by tests/daemon/test_reading.py and bench/reading_bench.py.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from outreach.core.model import Kind, MessageState
from replycorpus import (
    BY_NAME,
    DECLINED,
    PICK,
    REPLIED,
    Answer,
    answers,
    dressed,
    request_lines,
)

from .world import ZONE, World

#: a Monday of a month without public holidays: the same proposed times in every run
START = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)


@dataclass(frozen=True)
class Case:
    """One contact's answer: its kind, its language and the way it is quoted."""

    kind: str
    lang: str
    style: str
    nth: int = 0  # which of the answers of this kind and language (a second phrasing: 1)
    #: answered in the request's conversation (the server gives the answer's own words), or
    #: as a fresh message quoting it (the server gives the whole body: outreach cuts)
    in_thread: bool = True


@dataclass(frozen=True)
class Result:
    case: Case
    answer: Answer
    verdict: str  # right, missed or harmful
    detail: str


def slice_of(kinds: Sequence[str], langs: Sequence[str], styles: Sequence[str]) -> list[Case]:
    """A few cases in which every kind, every language and every style occurs at least once,
    half of them in the request's conversation and half outside it."""
    count = max(len(kinds), len(langs), len(styles))
    return [
        Case(kinds[n % len(kinds)], langs[n % len(langs)], styles[n % len(styles)], 0, n % 2 == 0)
        for n in range(count)
    ]


def run(world: World, cases: Sequence[Case], timeout: float = 180) -> list[Result]:
    """Answer one request per case through the daemon; return the verdict of each case
    that the proposed times allow (a pick by clock time needs a time of its own)."""
    world.write_config(daily_send_cap=len(cases) + 10)  # one request to each, in one day
    people = world.root / "people.csv"
    emails = [f"reader{n:03d}@partner.example.net" for n in range(len(cases))]
    with people.open("w", newline="", encoding="utf-8") as sink:
        rows = csv.writer(sink)
        rows.writerow(["name", "email", "area"])
        rows.writerows([f"Reader {n:03d}", e, "data engineering"] for n, e in enumerate(emails))
    world.cli("contacts", "import", str(people))
    world.start()
    world.wait(
        "every request drafted",
        lambda: all(_request(world, e).state == MessageState.DRAFTED for e in emails),
        timeout=timeout,
    )
    world.settled()
    world.advance(hours=1)
    for email in emails:
        world.controls.press_send(_request(world, email).item_id)
    world.wait(
        "every contact contacted",
        lambda: all(world.status(e) == "contacted" for e in emails),
        timeout=timeout,
    )
    world.advance(hours=2)
    answered: list[tuple[Case, Answer, str]] = []
    for case, email in zip(cases, emails, strict=True):
        request = _request(world, email)
        times = [s.start.astimezone(ZONE) for s in request.slots]
        fitting = [a for a in answers(times) if (a.kind, a.lang) == (case.kind, case.lang)]
        if len(fitting) <= case.nth:
            continue  # the times proposed allow no such answer (two at the same hour)
        answer = fitting[case.nth]
        body = BY_NAME[case.style].build(
            dressed(answer), request_lines(times), (request.sent_at or world.clock.now())
        )
        world.controls.reply(
            request.item_id,
            sender=email,
            body=body.content,
            html=body.html,
            in_thread=case.in_thread,
        )
        answered.append((case, answer, email))
    world.wait(
        "every answer read",
        lambda: all(_read(world, e) for _, _, e in answered),
        timeout=timeout,
    )
    picks = [e for _, a, e in answered if a.expect == PICK]
    world.wait(
        "the invitations of the picks",
        lambda: all(_invites(world, e) for e in picks),
        timeout=timeout,
    )
    world.advance(minutes=5)  # one more cycle: nothing else may appear
    cycles = len(world.notified(world.daemons[-1]))
    world.wait("a whole cycle more", lambda: len(world.notified(world.daemons[-1])) > cycles + 1)
    return [_judge(world, case, answer, email) for case, answer, email in answered]


def _request(world: World, email: str):
    return world.message(email, Kind.REQUEST)


def _read(world: World, email: str) -> bool:
    contact = world.contact(email)
    return any(e.kind == "reading" for e in world.store.events(contact.id))


def _invites(world: World, email: str) -> list:
    return [m for m in world.messages(email, Kind.INVITE) if m.state != MessageState.CANCELLED]


def _judge(world: World, case: Case, answer: Answer, email: str) -> Result:
    state = world.state()
    contact = world.contact(email, state)
    request = world.message(email, Kind.REQUEST)
    invites = _invites(world, email)
    interviews = state.interviews_of(contact.id)
    status = contact.status.value
    if invites:
        starts = {i.start for i in interviews}
        picked = [n for n, s in enumerate(request.slots) if s.start in starts]
        done = (PICK, picked[0] if len(invites) == 1 and len(picked) == 1 else -1)
    elif status == "declined":
        done = (DECLINED, None)
    else:
        done = (REPLIED, None)
    expected = (answer.expect, answer.slot if answer.expect == PICK else None)
    words = " ".join(answer.text.split())[:40]
    line = contact.attention or ""
    if done == expected and (done[0] != REPLIED or (status == "replied" and words in line)):
        verdict = "right"
    elif done[0] == REPLIED:
        verdict = "missed"
    else:
        verdict = "harmful"
    detail = f"{status}, {len(invites)} invite(s), attention: {line!r}"
    return Result(case, answer, verdict, detail)
