"""Repository hygiene: the README's test command is the one .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r'^TEST_COMMAND="(.+)"$', script, re.MULTILINE)
    assert command, "no TEST_COMMAND line in .ci/run"
    readme_blocks = re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert readme_blocks[1] == command[1]
    assert "pytest" in command[1] and "ruff check" in command[1]
