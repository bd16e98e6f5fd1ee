"""A custom template can fail a message, never the daemon; `check --offline` finds it first."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli.main import cli
from outreach.config import loader
from outreach.config.settings import Settings
from outreach.core.errors import TemplateError
from outreach.writing import compose, preflight

#: file name -> (content, the line the error is on, words the message must hold)
FAULTS: dict[str, tuple[bytes, int, str]] = {
    "syntax": (b"Hello\n{% if %}\n", 2, "syntax error"),
    "undefined": (b"Hello\n\n{{ contact.nickname }}\n", 3, "undefined variable"),
    "division": (b"{{ 1 // 0 }}\n", 1, "ZeroDivisionError"),
    "method": (b"one\n{{ user.name.nosuch() }}\n", 2, "undefined"),
    "filter": (b"{{ slots | nosuchfilter }}\n", 1, "syntax error"),
    "recursive": (b"x\n{% include 'request.txt.j2' %}\n", 2, "includes itself"),
    "missing include": (b"a\n{% include 'nothere.j2' %}\n", 2, "nothere.j2 not found"),
    "not utf-8": (b"Gr\xfc\xdfe\n", 1, "not UTF-8"),
    "not utf-8 later": (b"ok\nok\n\xff\n", 3, "not UTF-8"),
    "type": (b"{{ '%d' % 'x' }}\n", 1, "TypeError"),
}


@pytest.fixture
def sample(settings: Settings, now: datetime) -> dict[str, object]:
    return preflight.sample_context(settings, now)


def test_the_packaged_templates_have_no_problem(sample: dict[str, object]) -> None:
    assert compose.problems(sample) == []


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_is_a_template_error_naming_file_and_line(
    tmp_path: Path, sample: dict[str, object], fault: str
) -> None:
    content, line, words = FAULTS[fault]
    (tmp_path / "request.txt.j2").write_bytes(content)
    with pytest.raises(TemplateError) as caught:
        compose.render_email("request", sample, tmp_path)
    message = str(caught.value)
    assert "request.txt.j2" in message and f"line {line}" in message, message
    assert words in message


def _configured(tmp_path: Path, templates: Path | None, **extra: str) -> Path:
    path = tmp_path / "config.yaml"
    values = {"paths.store": str(tmp_path / "store.json"), **extra}
    if templates is not None:
        values["paths.templates"] = str(templates)
    path.write_text(loader.render_example(values), encoding="utf-8")
    return path


def test_check_offline_reports_every_problem_with_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    for n, fault in enumerate(sorted(FAULTS)):
        email = compose.EMAILS[n % len(compose.EMAILS)]
        part = compose.PARTS[n // len(compose.EMAILS) + 1]
        (folder / f"{email}.{part}.j2").write_bytes(FAULTS[fault][0])
    (folder / "invite.subject.j2").write_text("{# nothing #}\n")
    result = CliRunner().invoke(cli, ["--config", str(_configured(tmp_path, folder)), "check",
                                      "--offline"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("outreach: ")
    assert result.stderr.count(str(folder)) >= len(FAULTS)
    assert "invite.subject.j2 rendered an empty subject" in result.stderr


@pytest.mark.parametrize(
    ("extra", "phrase"),
    [
        ({"time.country": "ZZ"}, "time.country: no public holidays known for 'ZZ'"),
        ({"time.country": "de"}, "time.country"),
        ({"time.country": "DE", "time.subdivision": "XX"}, "time.subdivision: DE has no "
                                                            "subdivision 'XX'"),
    ],
)
def test_check_offline_names_an_unknown_holiday_calendar(tmp_path: Path, extra: dict[str, str],
                                                         phrase: str) -> None:
    result = CliRunner().invoke(cli, ["--config", str(_configured(tmp_path, None, **extra)),
                                      "check", "--offline"])
    assert result.exit_code == 2 and phrase in result.stderr, result.output


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_check_offline_names_a_templates_folder_that_is_not_one(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "mine"
    if kind == "file":
        folder.write_text("")
    result = CliRunner().invoke(cli, ["--config", str(_configured(tmp_path, folder)), "check",
                                      "--offline"])
    assert result.exit_code == 2
    assert f"paths.templates: {folder}" in result.stderr


def test_the_daemon_fails_one_message_and_goes_on(tmp_path: Path) -> None:
    """`run --once` on the starter sandbox: a template that breaks for one contact only."""
    folder = tmp_path / "mine"
    folder.mkdir()
    # breaks when the contact has no title: a runtime error only some contacts meet
    (folder / "request.txt.j2").write_text(
        "Dear {{ contact.first_name }},\n{{ 100 // (contact.title | length) }}\n")
    cfg = _configured(tmp_path, folder)
    people = tmp_path / "people.csv"
    people.write_text("name,email,title\nRobin Roe,robin@example.com,Engineer\n"
                      "Sam Sample,sam@example.com,\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(cfg), "contacts", "import",
                               str(people)]).exit_code == 0
    first = runner.invoke(cli, ["--config", str(cfg), "run", "--once"])
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output
    from outreach.store.db import Store

    store = Store(tmp_path / "store.json")
    state = store.read()
    by_name = {c.name: c for c in state.contacts.values()}
    failed = [e for e in store.events() if e.kind == "failed"]
    assert [e.contact_id for e in failed] == [by_name["Sam Sample"].id]
    assert "request.txt.j2, line 2" in failed[0].text and "ZeroDivisionError" in failed[0].text
    assert "request.txt.j2, line 2" in (by_name["Sam Sample"].attention or "")
    drafted = [m for m in state.messages.values()
               if m.contact_id == by_name["Robin Roe"].id and m.item_id]
    assert drafted, "the other contact's request went on into Drafts"
    again = runner.invoke(cli, ["--config", str(cfg), "run", "--once"])
    assert again.exit_code == 0
    assert len([e for e in store.events() if e.kind == "failed"]) == 1  # once per message
