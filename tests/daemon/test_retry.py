"""Nothing stays failed for ever: `outreach retry`, and by itself when the templates change."""

from __future__ import annotations

from outreach.core.model import Kind, MessageState

from .world import World

PRIYA = "priya.castellan@example.com"


def test_a_broken_template_fails_until_fixed_then_goes_by_itself(world: World) -> None:
    w = world
    broken = w.own_template("request.subject.j2", "About {{ no_such_thing }}\n")
    w.add("Priya Castellan", PRIYA)
    w.cli("run", "--once")
    request = w.message(PRIYA, Kind.REQUEST)
    assert request.state == MessageState.FAILED and "no_such_thing" in (request.error or "")
    assert "could not be prepared" in w.cli("status").stdout

    again = w.cli("retry", "priya", check=False)
    assert again.returncode == 1 and "still failing" in again.stdout
    assert w.message(PRIYA, Kind.REQUEST).state == MessageState.FAILED
    assert w.cli("retry", check=False).returncode == 2  # a contact or --all

    w.cli("run", "--once")  # nothing changed: it stays failed, nothing is tried
    assert w.folder("drafts") == []

    broken.write_text("A conversation about your work\n", encoding="utf-8")
    w.cli("run", "--once")
    request = w.message(PRIYA, Kind.REQUEST)
    assert request.state == MessageState.DRAFTED and request.id == again_id(w)
    [draft] = w.addressed_to("drafts", PRIYA)
    assert draft["subject"] == "A conversation about your work"
    status = w.cli("status").stdout
    assert "could not be prepared" not in status and "no_such_thing" not in status
    assert w.cli("retry", "--all").stdout.strip() == "Nothing had failed."


def again_id(w: World) -> str:
    """The one request ever planned for Priya: the retry kept its id."""
    [only] = w.messages(PRIYA, Kind.REQUEST)
    return only.id
