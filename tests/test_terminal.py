"""outreach on a real pseudo-terminal and through a pipe: progress, colour, tables that fit.

Each command runs as its own process; on the terminal side its stdin, stdout and
stderr are the slave end of a pty of a known size, and everything it writes is
read from the master end, escape sequences included.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from outreach.config.settings import Settings
from outreach.store.db import Store

ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|.)")


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "COLUMNS", "LINES", "JOURNAL_STREAM", "INVOCATION_ID")}
    return {**env, "TERM": "xterm-256color", **(extra or {})}


def on_terminal(*args: str, columns: int = 80, env: dict[str, str] | None = None) -> str:
    """Run ``outreach ARGS`` on a ``columns``-wide pty; return all it wrote (\\r\\n as \\n)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    child = subprocess.Popen([sys.executable, "-m", "outreach", *args], stdin=slave,
                             stdout=slave, stderr=slave, env=environment(env), close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                raise AssertionError(f"outreach {' '.join(args)} went silent for a minute")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        child.wait(timeout=60)
    assert child.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode().replace("\r\n", "\n")


def through_pipe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "outreach", *args], capture_output=True,
                          text=True, timeout=120, env=environment(env), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done


def screen_lines(text: str) -> list[str]:
    """The lines as they stay on the screen: escapes gone, each line after its last \\r."""
    return [ESCAPE.sub("", line).split("\r")[-1] for line in text.split("\n")]


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """A CSV of 300 contacts with long names, addresses and areas."""
    path = tmp_path / "people.csv"
    rows = ["name,email,area,title"] + [
        f"Person Number {n} With A Rather Long Name,person{n}.long.address@example.com,"
        f"data engineering and platform reliability,Senior Staff Engineer" for n in range(300)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_progress_shows_on_a_terminal_and_not_through_a_pipe(
    config_file: Path, people: Path, tmp_path: Path
) -> None:
    shown = on_terminal("-c", str(config_file), "contacts", "import", str(people))
    assert "Reading contacts" in shown
    assert "Imported 300 contacts" in shown
    assert "\x1b[" in shown  # drawn with rich, in colour

    other = tmp_path / "other.yaml"
    other.write_text(config_file.read_text().replace("store.json", "other.json"))
    piped = through_pipe("-c", str(other), "contacts", "import", str(people))
    assert piped.stdout == f"Imported 300 contacts from {people}.\n"
    assert "Reading contacts" not in piped.stderr and "\x1b" not in piped.stderr
    assert "\r" not in piped.stdout + piped.stderr


def test_under_systemd_the_terminal_gets_no_progress(config_file: Path, people: Path) -> None:
    shown = on_terminal("-c", str(config_file), "contacts", "import", str(people),
                        env={"JOURNAL_STREAM": "8:12345"})
    assert "Reading contacts" not in shown and "Imported 300 contacts" in shown


def test_a_cycle_drafting_many_requests_shows_its_progress(
    config_file: Path, people: Path, store: Store
) -> None:
    through_pipe("-c", str(config_file), "contacts", "import", str(people))
    shown = on_terminal("-c", str(config_file), "run", "--once")
    assert "Writing the emails" in shown
    assert re.search(r"Creating \d+ drafts in your mailbox", shown), shown
    assert any(m.kind.value == "request" and m.item_id for m in store.read().messages.values())


@pytest.mark.parametrize("switch", ["NO_COLOR", "--no-color"])
def test_no_color_removes_every_escape_sequence(
    config_file: Path, people: Path, switch: str
) -> None:
    env = {"NO_COLOR": "1"} if switch == "NO_COLOR" else {}
    flag = ["--no-color"] if switch == "--no-color" else []
    base = [*flag, "-c", str(config_file)]
    seen = on_terminal(*base, "contacts", "import", str(people), env=env)
    assert "Reading contacts" in seen  # progress still shows, drawn with carriage returns
    for command in (["status"], ["contacts", "list"], ["show", "person0.long"],
                    ["templates", "list"], ["report"]):
        seen += on_terminal(*base, *command, env=env)
    assert "\x1b" not in seen
    assert "Person Number 0" in seen and "FUNNEL" not in seen


def test_colour_and_emphasis_only_on_a_terminal(config_file: Path, people: Path) -> None:
    through_pipe("-c", str(config_file), "contacts", "import", str(people))
    assert "\x1b[1m" in on_terminal("-c", str(config_file), "status")
    assert "\x1b" not in through_pipe("-c", str(config_file), "status").stdout


def test_tables_fit_an_80_column_terminal_and_wide_shows_everything(
    config_file: Path, people: Path
) -> None:
    through_pipe("-c", str(config_file), "contacts", "import", str(people))
    through_pipe("-c", str(config_file), "contacts", "edit", "person7.long",
                 "--notes", "Knows the platform team. " * 10, "--address", "1 Long Road " * 8)
    for command in (["contacts", "list"], ["status"], ["show", "person7.long"],
                    ["templates", "list"]):
        lines = screen_lines(on_terminal("-c", str(config_file), *command))
        too_wide = [line for line in lines if cell_len(line) > 80]
        assert not too_wide, (command, too_wide)
    listed = screen_lines(on_terminal("-c", str(config_file), "contacts", "list"))
    assert listed[0].split() == ["ID", "NAME", "EMAIL", "STATUS", "AREA", "SOURCE"]
    assert "…" in listed[1] and re.match(r"[0-9a-f]{12}  ", listed[1])  # ids are never cut
    wide = on_terminal("-c", str(config_file), "contacts", "list", "--wide")
    assert "person7.long.address@example.com" in wide
    assert "data engineering and platform reliability" in wide
    piped = through_pipe("-c", str(config_file), "contacts", "list").stdout
    assert "Person Number 7 With A Rather Long Name" in piped and "…" not in piped


@pytest.mark.parametrize("painted", [True, False])
def test_a_wait_is_drawn_with_how_long_and_why(painted: bool) -> None:
    """The display the CLI installs, drawing into a stream: rich's bars, or the plain line."""
    import io

    from outreach.cli.display import PlainDisplay, TerminalDisplay
    from outreach.core import progress

    stream = io.StringIO()
    shown = TerminalDisplay(stream) if painted else PlainDisplay(stream)
    with progress.showing(shown), progress.task("Reading the mailbox (pages)") as reading:
        reading.advance()
        progress.waiting(30, "Exchange is busy and asked outreach to slow down (throttling)")
    shown.close()
    drawn = stream.getvalue()
    assert re.search(r"Waiting 30 s \(until \d\d:\d\d:\d\d\): Exchange is busy", drawn), drawn
    assert ("\x1b[" in drawn) is painted


def test_the_first_sync_of_a_full_mailbox_shows_its_pages(
    config_file: Path, settings: Settings
) -> None:
    from outreach.sandbox import Sandbox

    folder = settings.mailbox.sandbox_data or settings.paths.store.parent / "sandbox"
    with Sandbox(data_dir=folder, user=settings.user.email) as sandbox:  # the practice mailbox
        for n in range(250):  # past two pages of 100
            sandbox.controls.receive(f"news{n}@example.com", f"Newsletter {n}")
    shown = on_terminal("-c", str(config_file), "run", "--once")
    assert "Reading the mailbox (pages)" in shown


def test_exports_and_reports_show_progress(config_file: Path, people: Path,
                                           tmp_path: Path) -> None:
    through_pipe("-c", str(config_file), "contacts", "import", str(people))
    shown = on_terminal("-c", str(config_file), "export", "--format", "csv",
                        "-o", str(tmp_path / "export.zip"))  # fmt: skip
    assert "Reading the store for the export" in shown and "Writing the export to" in shown
    assert "Exported 300 contacts" in shown
    assert "Comparing the interviews" in on_terminal("-c", str(config_file), "report")
    piped = through_pipe("-c", str(config_file), "export", "--format", "csv",
                         "-o", str(tmp_path / "again.zip"))  # fmt: skip
    assert piped.stderr.startswith("Exported 300 contacts") and "Reading" not in piped.stderr


@given(st.lists(st.tuples(st.integers(1, 80), st.integers(1, 80)), min_size=1, max_size=8),
       st.integers(10, 200))
def test_fit_cuts_only_down_to_the_floors_and_fits_when_it_can(
    columns: list[tuple[int, int]], room: int
) -> None:
    from outreach.cli.output import fit

    natural = [max(a, b) for a, b in columns]
    floors = [min(a, b) for a, b in columns]
    widths = fit(natural, floors, room)
    assert all(f <= w <= n for f, w, n in zip(floors, widths, natural, strict=True))
    assert sum(widths) <= max(room, sum(floors))
    if sum(natural) <= room:
        assert widths == natural
