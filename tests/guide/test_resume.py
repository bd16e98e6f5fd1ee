"""The résumé at the close, never before: on a thank-you only, checked by `check --offline`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from outreach.config.settings import Paths, Policy, Settings, User
from outreach.core.model import Interview, Kind, Message, MessageState, Status
from outreach.sandbox.xml import q
from outreach.writing import resume
from worlds import START, InProcess

PDF = b"%PDF-1.7\n% a tiny test resume\n%%EOF\n"


def _attached(world: InProcess, item_id: str) -> list[str]:
    node = world.sandbox.mailbox().items[world.ews_id(item_id)].get("Attachments")
    return [] if node is None else [a.findtext(q("t:Name")) for a in node]


def _setup(world: InProcess, tmp_path: Path, **policy: bool) -> Path:
    cv = tmp_path / "Robin Vale CV.pdf"
    cv.write_bytes(PDF)
    world.configure(user={"resume": str(cv)}, policy=policy)
    return cv


def _interviewed(world: InProcess, email: str = "priya.castellan@example.com") -> str:
    contact = world.add("Priya Castellan", email, status=Status.INTERVIEWED)
    with world.store.transaction() as state:
        interview = Interview(contact_id=contact.id, start=START - timedelta(hours=2),
                              status="held")  # fmt: skip
        state.interviews[interview.id] = interview
    return contact.id


@pytest.mark.parametrize("kind", list(Kind))
def test_only_a_thank_you_ever_carries_the_resume(kind: Kind) -> None:
    settings = Settings(User("R", "r@example.com", resume=Path("cv.pdf")), Paths(Path("s")),
                        policy=Policy(resume_in_thank_you=True))  # fmt: skip
    asked = Message(contact_id="c", kind=kind, attach_resume=True)
    assert resume.wanted(asked, settings) is (kind is Kind.THANK_YOU)


def test_policy_attaches_it_to_the_thank_you_and_never_to_the_request(
    world: InProcess, tmp_path: Path
) -> None:
    _setup(world, tmp_path, resume_in_thank_you=True)
    cid = _interviewed(world)
    dana = world.add("Dana Whitlock", "dana.whitlock@example.com")
    assert world.run("draft", "dana", "--kind", "request").exit_code == 0
    thanks = world.run("draft", "priya", "--kind", "thank-you")
    assert thanks.exit_code == 0, thanks.output
    assert "Attached: Robin Vale CV.pdf" in thanks.output
    state = world.state()
    [request] = state.messages_of(dana.id)
    [thank_you] = state.messages_of(cid)
    assert _attached(world, request.item_id) == []
    assert _attached(world, thank_you.item_id) == ["Robin Vale CV.pdf"]

    # a follow-up to the sent request: still no résumé
    assert world.run("run", "--once").exit_code == 0  # the daemon starts watching
    world.sandbox.controls.press_send(world.ews_id(request.item_id))
    assert world.run("run", "--once").exit_code == 0
    assert world.contact("dana.whitlock@example.com").status is Status.CONTACTED
    world.clock.set(START + timedelta(days=9))
    assert world.run("run", "--once").exit_code == 0
    ups = [m for m in world.state().messages_of(dana.id) if m.kind is Kind.FOLLOW_UP]
    assert ups and ups[0].state is MessageState.DRAFTED
    assert _attached(world, ups[0].item_id) == []


def test_attach_resume_once_without_the_policy(world: InProcess, tmp_path: Path) -> None:
    _setup(world, tmp_path)
    cid = _interviewed(world)
    refused = world.run("draft", "priya", "--kind", "request", "--attach-resume")
    assert refused.exit_code == 2 and "thank-you only" in refused.output
    assert world.folder("drafts") == []
    done = world.run("draft", "priya", "--kind", "thank-you", "--attach-resume")
    assert done.exit_code == 0, done.output
    [thank_you] = world.state().messages_of(cid)
    assert thank_you.attach_resume and _attached(world, thank_you.item_id) == ["Robin Vale CV.pdf"]


def test_the_daemons_thank_you_has_no_resume_unless_configured(
    world: InProcess, tmp_path: Path
) -> None:
    _setup(world, tmp_path)
    cid = _interviewed(world)
    assert world.run("run", "--once").exit_code == 0
    [thank_you] = world.state().messages_of(cid)
    assert thank_you.kind is Kind.THANK_YOU and thank_you.state is MessageState.DRAFTED
    assert _attached(world, thank_you.item_id) == []


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("missing.pdf", None, "does not exist"),
        ("cv.txt", b"plain", "is not a PDF or Word file"),
        ("cv.pdf", b"<html>", "does not look like a .pdf file inside"),
        ("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "is 5.0 MB; keep it under 5 MB"),
    ],
)
def test_check_offline_names_what_is_wrong_with_the_resume(
    world: InProcess, tmp_path: Path, name: str, content: bytes | None, said: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    world.configure(user={"resume": str(path)})
    result = world.run("check", "--offline")
    assert result.exit_code == 2
    assert f"user.resume: {path} {said}" in result.output


def test_check_offline_accepts_a_good_resume(world: InProcess, tmp_path: Path) -> None:
    _setup(world, tmp_path)
    result = world.run("check", "--offline")
    assert result.exit_code == 0, result.output
