"""Shell completion: contact references and template names, from the store, in real shells.

bash runs click's own completion script against the real command; zsh and fish
are not installed here, so their protocol is checked as click speaks it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from outreach.core.model import Contact, Status
from outreach.store.db import Store

BIN = Path(sys.executable).parent


def complete(shell: str, words: str, config: Path) -> list[str]:
    """What ``outreach`` offers for the last word of ``words``, as ``shell`` asks for it."""
    parts = shlex.split(words)
    env = {**os.environ, "_OUTREACH_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(parts) - (0 if words.endswith(" ") else 1)),
           "OUTREACH_CONFIG": str(config)}  # fmt: skip
    if shell == "fish":
        env["COMP_CWORD"] = "" if words.endswith(" ") else parts[-1]
    done = subprocess.run([sys.executable, "-m", "outreach"], capture_output=True, text=True,
                          env=env, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.fixture
def contacts(store: Store) -> None:
    with store.transaction() as state:
        for n, (name, email) in enumerate((("Robin Roe", "robin@example.com"),
                                           ("Rosa Rivera", "rosa@example.com"),
                                           ("Sam Sample", "sam@example.com"))):  # fmt: skip
            contact = Contact(name=name, email=email, id=f"0{n}a000000000",
                              status=Status.CONTACTED)
            state.contacts[contact.id] = contact


def test_bash_completes_contacts_and_templates_through_click_s_script(
    config_file: Path, contacts: None
) -> None:
    script = subprocess.run([sys.executable, "-m", "outreach"], capture_output=True, text=True,
                            env={**os.environ, "_OUTREACH_COMPLETE": "bash_source"}, timeout=60)
    assert "complete -o nosort -F _outreach_completion outreach" in script.stdout

    def offered(*words: str) -> list[str]:
        line = "; ".join([
            f'eval "$(cat {shlex.quote(str(source))})"',
            f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})",
            f"COMP_CWORD={len(words) - 1}",
            "_outreach_completion outreach",
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ])
        done = subprocess.run(["bash", "--norc", "-c", line], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}",
                                               "OUTREACH_CONFIG": str(config_file)})  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    source = config_file.parent / "outreach.bash"
    source.write_text(script.stdout)
    assert offered("outreach", "show", "ro") == ["robin@example.com", "rosa@example.com"]
    assert offered("outreach", "pause", "riv") == ["rosa@example.com"]  # a word of the name
    assert offered("outreach", "contacts", "edit", "02") == ["02a000000000"]  # an id typed
    assert offered("outreach", "templates", "show", "th") == ["thank-you"]
    assert offered("outreach", "templates", "preview", "request", "--contact", "sa") == [
        "sam@example.com"]


def test_zsh_and_fish_get_help_with_each_contact(config_file: Path, contacts: None) -> None:
    assert complete("zsh", "outreach schedule rob", config_file) == [
        "plain", "robin@example.com", "Robin Roe (contacted)"]
    assert complete("fish", "outreach log rob", config_file) == [
        "plain,robin@example.com\tRobin Roe (contacted)"]
    assert complete("zsh", "outreach templates show report-back.", config_file)[1::3] == [
        "report-back.subject.j2", "report-back.html.j2", "report-back.txt.j2"]


def test_no_store_completes_nothing_rather_than_failing(tmp_path: Path) -> None:
    assert complete("bash", "outreach show ro", tmp_path / "missing.yaml") == []
