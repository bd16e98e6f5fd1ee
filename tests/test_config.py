"""The config: schema, file:line errors, lookup order and the generated example."""

from __future__ import annotations

import re
import textwrap
from datetime import time
from pathlib import Path

import pytest
import yaml

from outreach.config import loader
from outreach.core.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.yaml"
MINIMAL = "user:\n  name: Alex Example\n  email: alex@example.com\n"


def problems_of(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        loader.load(path)
    assert caught.value.exit_code == 2
    return caught.value.problems


def test_example_is_generated_from_the_schema() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == loader.render_example(), (
        "config.example.yaml is out of step: run `python -m outreach.config.loader > "
        "config.example.yaml`")


def test_example_has_every_schema_key_each_with_a_comment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    root = yaml.safe_load(text)

    def paths(node: dict, prefix: str = "") -> set[str]:
        found = set()
        for key, value in node.items():
            sub = f"{prefix}.{key}" if prefix else key
            found |= paths(value, sub) if isinstance(value, dict) else {sub}
        return found

    assert paths(root) == set(loader.schema_paths())
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\s*\w+:", line):
            assert lines[number - 1].lstrip().startswith("#"), f"no comment above: {line}"


def test_example_loads_cleanly() -> None:
    settings = loader.load(EXAMPLE)
    assert settings.user.email == "alex@example.com"
    assert settings.mailbox.backend == "sandbox"
    assert settings.time.working_hours.start == time(9, 0)
    assert settings.time.working_hours.days == (0, 1, 2, 3, 4)
    assert settings.paths.store.name == "store.json"


def test_minimal_config_takes_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL + "paths:\n  store: data/s.json\n", encoding="utf-8")
    settings = loader.load(path)
    assert settings.policy.approval == "drafts"
    assert settings.mailbox.email == "alex@example.com"  # defaults to the user's
    assert settings.paths.store == tmp_path / "data" / "s.json"  # relative to the file
    assert settings.source == path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL + "policy:\n  daily_send_cap: ten\n",
         "c.yaml:5: At 'policy.daily_send_cap': expected an integer from 0 to 10000, got 'ten'"),
        (MINIMAL + "policy:\n  daily_send_cap: -1\n",
         "c.yaml:5: At 'policy.daily_send_cap': expected an integer from 0 to 10000, got '-1'"),
        (MINIMAL + "policy:\n  report_back: maybe\n",
         "c.yaml:5: At 'policy.report_back': expected true or false, got 'maybe'"),
        (MINIMAL + "policy:\n  daily_send_capp: 3\n",
         "c.yaml:5: At 'policy.daily_send_capp': unknown key; did you mean 'daily_send_cap'?"),
        (MINIMAL + "colour: blue\n",
         "c.yaml:4: At 'colour': unknown key; expected one of user, mailbox, time,"),
        ("user:\n  name: Alex Example\n",
         "c.yaml:2: At 'user.email': this key is required but missing"),
        ("mailbox:\n  backend: ews\n", "c.yaml:1: At 'user': this key is required but missing"),
        ("user:\n  name: A\n  email: not-an-address\n",
         "c.yaml:3: At 'user.email': expected an email address like name@example.com, "
         "got 'not-an-address'"),
        (MINIMAL + "time:\n  timezone: Mars/Olympus\n",
         "c.yaml:5: At 'time.timezone': expected an IANA time zone like Europe/Berlin, "
         "got 'Mars/Olympus'"),
        (MINIMAL + "time:\n  working_hours:\n    start: 25:00\n",
         "c.yaml:6: At 'time.working_hours.start': expected a time of day as HH:MM, "
         "got '25:00'"),
        (MINIMAL + "time:\n  working_hours:\n    days: [mon, funday]\n",
         "c.yaml:6: At 'time.working_hours.days': expected a list of days"),
        (MINIMAL + "mailbox:\n  backend: imap\n",
         "c.yaml:5: At 'mailbox.backend': expected one of ews, graph, sandbox, got 'imap'"),
        (MINIMAL + "user:\n  name: B\n",
         "c.yaml:4: At 'user': this key appears twice"),
        (MINIMAL + "  areas: data\n",
         "c.yaml:4: At 'user.areas': expected a list of texts, got 'data'"),
        (MINIMAL + "mailbox:\n  auth:\n    password: hunter2\n",
         "c.yaml:6: At 'mailbox.auth.password': a secret never goes in the config file; "
         "put it in an environment variable, a systemd credential, the keyring or a "
         "command's output"),
        (MINIMAL + "mailbox:\n  backend: ews\n  auth:\n    secret: {env: P}\n",
         "At 'mailbox': the ews backend needs service_endpoint, server or autodiscover"),
        (MINIMAL + "mailbox:\n  backend: ews\n  server: mail.example.com\n",
         "At 'mailbox.auth.secret': basic sign-in needs a password: set env, credential, keyring "
         "or command"),
        (MINIMAL + "mailbox:\n  auth:\n    secret: {env: P, keyring: outreach}\n",
         "c.yaml:6: At 'mailbox.auth.secret': set only one of env, credential, keyring"),
        (MINIMAL + "mailbox:\n  backend: ews\n  autodiscover: true\n  auth:\n"
         "    type: oauth2\n",
         "At 'mailbox.auth.tenant_id': oauth2 sign-in needs this key"),
        (MINIMAL + "time:\n  working_hours:\n    start: '17:00'\n    end: '09:00'\n",
         "c.yaml:7: At 'time.working_hours.end': the working day must end after it starts"),
        (MINIMAL + "mailbox:\n  service_endpoint: ftp://x\n",
         "c.yaml:5: At 'mailbox.service_endpoint': expected an https:// URL, got 'ftp://x'"),
        (MINIMAL + "scheduling:\n  earliest_days: 9\n  latest_days: 3\n",
         "c.yaml:6: At 'scheduling.latest_days': must not be before scheduling.earliest_days"),
        ("user: [\n", "c.yaml:2: expected the node content"),
        ("- just\n- a list\n", "c.yaml:1: expected a mapping of keys, got a list"),
    ],
)
def test_each_problem_names_file_line_and_key(text: str, expected: str,
                                              tmp_path: Path) -> None:
    problems = problems_of(text, tmp_path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path / "c.yaml")) for p in problems), problems


def test_all_problems_come_in_one_error(tmp_path: Path) -> None:
    problems = problems_of(
        """\
        user:
          name: Alex
          email: nope
        policy:
          daily_send_cap: ten
          max_follow_ups: many
        """, tmp_path)
    assert [p.split(": At ")[0].rsplit(":", 1)[1] for p in problems] == ["3", "5", "6"]


def test_a_password_written_as_the_secret_is_not_echoed(tmp_path: Path) -> None:
    problems = problems_of(MINIMAL + "mailbox:\n  auth:\n    secret: hunter2-Summer\n",
                           tmp_path)
    assert problems == [f"{tmp_path / 'c.yaml'}:6: At 'mailbox.auth.secret': expected a "
                        "mapping of keys, got a text (not shown)"]
    problems = problems_of(MINIMAL + "mailbox:\n  auth:\n    secret: {env: [hunter2-Summer]}\n",
                           tmp_path)
    assert not any("hunter2" in p for p in problems), problems


def test_an_unknown_yaml_tag_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = problems_of(MINIMAL + "daemon:\n  poll_seconds: !minutes 5\n", tmp_path)
    assert problems == [f"{tmp_path / 'c.yaml'}:5: At 'daemon.poll_seconds': expected an "
                        "integer from 1 to 86400, got a value tagged !minutes"]


def test_hours_written_without_quotes_are_times(tmp_path: Path) -> None:
    # YAML 1.1 reads 17:00 as the number 1020; the loader takes the text as written.
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL + "time:\n  working_hours: {start: 8:30, end: 17:00}\n",
                    encoding="utf-8")
    hours = loader.load(path).time.working_hours
    assert (hours.start, hours.end) == (time(8, 30), time(17, 0))


def test_empty_and_missing_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Run `outreach init`"):
        loader.load(tmp_path / "absent.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(UserError, match="is empty"):
        loader.load(empty)


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      _isolated_home: Path) -> None:
    assert loader.find_config_path(None) == _isolated_home / ".config/outreach/config.yaml"
    monkeypatch.setenv("OUTREACH_CONFIG", str(tmp_path / "env.yaml"))
    assert loader.find_config_path(None) == tmp_path / "env.yaml"
    assert loader.find_config_path(tmp_path / "flag.yaml") == tmp_path / "flag.yaml"


def test_render_example_takes_overrides() -> None:
    text = loader.render_example({"user.name": "Sam Sample", "user.email": "sam@example.com"})
    data = yaml.safe_load(text)
    assert data["user"]["name"] == "Sam Sample"
    assert data["user"]["email"] == "sam@example.com"
