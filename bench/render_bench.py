"""Rendering 1,000 request emails: outreach's dry run beside mailmerge 2.3's, side by side.

outreach: ``outreach run --once --dry-run --offline`` on a store of N new
contacts (imported with ``contacts import``), which plans every request, picks
each one's three times and renders subject, HTML and text, printing them all.
mailmerge: ``mailmerge --dry-run --no-limit`` over the same rows, with a
template of the same email (HTML and text parts, the times taken from the row).
Both print every email to a pipe; the table gives the median wall time of each
and their ratio (goal: outreach / mailmerge ≤ 1.0).

    python bench/render_bench.py [--contacts 1000] [--repeat 3] [--venv DIR]

mailmerge is installed with pip into its own venv (default
~/.cache/outreach-bench/mailmerge-2.3), made on the first run.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from outreach.core.clock import CLOCK_ENV, FileClock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_bench import NOW, Profile, write_csv

MAILMERGE = "mailmerge==2.3.0"

TEMPLATE = """\
TO: {{email}}
SUBJECT: Request for a 30-minute informational interview about {{area}}
FROM: Robin Vale <robin.vale@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="outer"

--outer
Content-Type: text/plain; charset=utf-8

Dear {{name}},

My name is Robin Vale, and I am interested in learning more about the area of {{area}}.

I am not looking for a job change at this time. Instead, I am gathering information from
people who are knowledgeable and experienced in this field, so that I can make informed
educational and career decisions.

Would you have 30 minutes for a conversation? I would be glad to come to your office
({{office}}).

Any of these times would suit me:
- {{slot1}}
- {{slot2}}
- {{slot3}}

If none of them is convenient, please suggest another time that works for you.

If meeting in person is difficult, a short phone call would also be fine.

Thank you for considering my request.

Best regards,
Robin Vale

--outer
Content-Type: text/html; charset=utf-8

<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
</head>
<body style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 11pt;">
<p>Dear {{name}},</p>
<p>My name is Robin Vale, and I am interested in learning more about the area of {{area}}.</p>
<p>I am not looking for a job change at this time. Instead, I am gathering information from
people who are knowledgeable and experienced in this field, so that I can make informed
educational and career decisions.</p>
<p>Would you have 30 minutes for a conversation? I would be glad to come to your office
({{office}}).</p>
<p>Any of these times would suit me:</p>
<ul>
<li>{{slot1}}</li>
<li>{{slot2}}</li>
<li>{{slot3}}</li>
</ul>
<p>If none of them is convenient, please suggest another time that works for you.</p>
<p>If meeting in person is difficult, a short phone call would also be fine.</p>
<p>Thank you for considering my request.</p>
<p>Best regards,</p>
<p>Robin Vale</p>
</body>
</html>

--outer--
"""

SERVER = """\
[smtp_server]
host = localhost
port = 25
security = Never
username = robin.vale
"""


def mailmerge(folder: Path) -> Path:
    """Return the mailmerge command of its own venv, making the venv once."""
    exe = folder / "bin" / "mailmerge"
    if not exe.exists():
        print(f"installing {MAILMERGE} into {folder} (once)", file=sys.stderr)
        venv.create(folder, with_pip=True)
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q", MAILMERGE],
                       check=True)
    return exe


def mailmerge_rows(source: Path, target: Path) -> None:
    """The outreach CSV with the three times each request would propose, as text columns."""
    with source.open(encoding="utf-8") as inp, target.open("w", newline="",
                                                           encoding="utf-8") as out:
        rows = list(csv.DictReader(inp))
        writer = csv.DictWriter(out, fieldnames=[*rows[0], "slot1", "slot2", "slot3"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "slot1": "Wednesday 4 November 2026, 10:00–10:30 EST",
                             "slot2": "Thursday 5 November 2026, 14:00–14:30 EST",
                             "slot3": "Friday 6 November 2026, 11:00–11:30 EST"})


def timed(argv: list[str], env: dict[str, str], cwd: Path, repeat: int) -> tuple[float, int]:
    """Median wall time of a command printing to a pipe; and the bytes it printed."""
    times, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - began)
        if done.returncode:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode()[-2000:]}")
        size = len(done.stdout)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--venv", type=Path,
                        default=Path.home() / ".cache" / "outreach-bench" / "mailmerge-2.3")
    args = parser.parse_args()
    exe = mailmerge(args.venv)
    with tempfile.TemporaryDirectory(prefix="outreach-render-") as tmp:
        root = Path(tmp)
        # offline: the endpoint is never asked (nothing listens there)
        profile = Profile(root / "profile", "http://127.0.0.1:9/EWS/Exchange.asmx",
                          cap=args.contacts)
        profile.write()
        FileClock(root / "profile" / "clock").set(NOW)
        env = profile.env()
        rows = root / "contacts.csv"
        write_csv(rows, 0, args.contacts)
        subprocess.run(profile.command("contacts", "import", str(rows)), env=env, check=True,
                       capture_output=True)
        (root / "mm").mkdir()
        mailmerge_rows(rows, root / "mm" / "mailmerge_database.csv")
        (root / "mm" / "mailmerge_template.txt").write_text(TEMPLATE, encoding="utf-8")
        (root / "mm" / "mailmerge_server.conf").write_text(SERVER, encoding="utf-8")
        ours, our_bytes = timed(profile.command("run", "--once", "--dry-run", "--offline"), env,
                                root, args.repeat)
        drafted = subprocess.run(profile.command("run", "--once", "--dry-run", "--offline"),
                                 env=env, capture_output=True, text=True, check=True)
        count = drafted.stdout.count("\nSubject: ") + drafted.stdout.startswith("Subject: ")
        plain = {k: v for k, v in os.environ.items() if k != CLOCK_ENV}
        theirs, their_bytes = timed([str(exe), "--dry-run", "--no-limit"], plain, root / "mm",
                                    args.repeat)
    print(f"{args.contacts:,} request emails, median of {args.repeat} (wall time, output "
          "to a pipe)")
    print(f"{'':48}{'seconds':>9}{'output KB':>11}")
    print(f"{'outreach run --once --dry-run --offline':48}{ours:>9.2f}{our_bytes / 1e3:>11.0f}"
          f"   ({count} emails)")
    print(f"{'mailmerge 2.3 --dry-run --no-limit':48}{theirs:>9.2f}{their_bytes / 1e3:>11.0f}")
    print(f"ratio outreach / mailmerge: {ours / theirs:.2f} (goal ≤ 1.0)")


if __name__ == "__main__":
    main()
