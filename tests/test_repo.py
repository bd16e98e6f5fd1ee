"""Repository hygiene: the README's test command is the one .ci/run runs."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r'^TEST_COMMAND="(.+)"$', script, re.MULTILINE)
    assert command, "no TEST_COMMAND line in .ci/run"
    readme_blocks = re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert readme_blocks[1] == command[1]
    assert "pytest" in command[1] and "ruff check" in command[1]


def _needs(package: str) -> set[str]:
    """The names ``package`` requires when installed without extras."""
    names = set()
    for line in metadata.requires(package) or []:
        requirement, _, marker = line.partition(";")
        if "extra" not in marker:
            names.add(re.split(r"[\s<>=!~\[(]", requirement.strip(), maxsplit=1)[0].lower())
    return {name.replace("_", "-") for name in names}


def test_signing_in_needs_nothing_beyond_the_readme_install() -> None:
    """msal is a dependency, not an extra: `pip install .` is enough for `outreach auth
    login`; of what msal needs, only PyJWT is not already there for exchangelib."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    plain = {re.split(r"[\s<>=!~\[]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert "msal" in plain
    assert "msal" not in str(project["optional-dependencies"].values())
    beside = _needs("msal") - _needs("exchangelib") - {"cryptography"}
    assert beside == {"pyjwt"}, beside
    assert "cryptography" in _needs("pyjwt") | _needs("requests-ntlm") | _needs("pyspnego")
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    assert "outreach[oauth]" not in source
