"""The shipped systemd units: `systemd-analyze verify` is clean and the system unit is hardened."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "systemd"
ANALYZE = shutil.which("systemd-analyze")

pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def copy_unit(name: str, folder: Path, as_name: str | None = None) -> Path:
    """The unit with ExecStart pointed at an executable that exists here (verify checks it)."""
    text = (UNITS / name).read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^ExecStart=\S+", f"ExecStart={sys.executable} -m outreach", text)
    assert count == 1, f"{name} should have one ExecStart="
    path = folder / (as_name or name)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "as_name"), [
    ("outreach@.service", "outreach@work.service"),
    ("outreach.service", None),
])  # fmt: skip
def test_verify_is_clean(tmp_path: Path, name: str, as_name: str | None) -> None:
    unit = copy_unit(name, tmp_path, as_name)
    done = subprocess.run(
        [ANALYZE, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == "", done.stderr + done.stdout


def test_system_unit_scores_two_or_lower(tmp_path: Path) -> None:
    unit = copy_unit("outreach@.service", tmp_path)
    done = subprocess.run(
        [ANALYZE, "security", "--offline=yes", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= 2.0, done.stdout


def test_user_unit_is_hardened_as_far_as_a_user_unit_allows(tmp_path: Path) -> None:
    """Scored as the user manager would run it; 9.4 before the seccomp-based options."""
    unit = copy_unit("outreach.service", tmp_path)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--user", str(unit)],
        capture_output=True, text=True, timeout=60,
        env={"XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    if found is None:
        pytest.skip(f"systemd-analyze cannot score a user unit here: {done.stderr.strip()}")
    assert float(found.group(1)) <= 6.5, done.stdout


def test_user_unit_starts_the_outreach_the_readme_installs() -> None:
    (start,) = re.findall(r"(?m)^ExecStart=(\S+)", (UNITS / "outreach.service").read_text())
    readme = (UNITS.parent / "README.md").read_text(encoding="utf-8")
    assert start == "%h/.local/bin/outreach"
    assert "~/.local/bin/outreach" in readme.split("## Running as a service")[1]
