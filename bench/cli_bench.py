"""Measure how long the command line takes to answer, side by side with `python -c pass`.

Runs each command as a fresh process ``--repeat`` times (interleaved, so a busy
machine slows all alike) and prints the median and the best wall time, and
whether rich was imported. ``--src`` runs a checkout's ``src``; given twice, the two
side by side (before/after: ``git worktree add /tmp/before <commit>``).

    python bench/cli_bench.py [--repeat 30] [--contacts 200] [--src DIR [--src DIR]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def command_lines(config: Path) -> dict[str, list[str]]:
    outreach = [sys.executable, "-m", "outreach"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "outreach --help": [*outreach, "--help"],
        "outreach status": [*outreach, "-c", str(config), "status"],
        "outreach status --json": [*outreach, "-c", str(config), "status", "--json"],
    }


def loads_rich(argv: list[str], env: dict[str, str]) -> bool:
    probe = [argv[0], "-X", "importtime", *argv[1:]]
    done = subprocess.run(probe, capture_output=True, text=True, env=env, check=False)
    return any(line.rsplit("|", 1)[-1].strip() == "rich" for line in done.stderr.splitlines())


def prepare(folder: Path, contacts: int, env: dict[str, str]) -> Path:
    """Write a config and a store of ``contacts`` contacts; return the config."""
    config = folder / "config.yaml"
    people = folder / "people.csv"
    people.write_text("name,email\n" + "".join(
        f"Person {n},person{n}@example.com\n" for n in range(contacts)))
    setup = [sys.executable, "-m", "outreach", "-c", str(config)]
    subprocess.run([*setup, "init", "--name", "Robin Roe", "--email", "robin@example.com",
                    "--store", str(folder / "store.json")],
                   env=env, check=True, capture_output=True)  # fmt: skip
    subprocess.run([*setup, "contacts", "import", str(people)], env=env, check=True,
                   capture_output=True)
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--src", type=Path, action="append",
                        help="a checkout's src folder; repeat to compare (default: this one)")
    args = parser.parse_args()
    sources = [s.resolve() for s in args.src or [ROOT / "src"]]
    envs = {src: {**os.environ, "PYTHONPATH": str(src)} for src in sources}
    for env in envs.values():
        env.pop("OUTREACH_CONFIG", None)
    with tempfile.TemporaryDirectory() as folder:
        config = prepare(Path(folder), args.contacts, envs[sources[0]])
        lines = command_lines(config)
        runs = [(src, name) for name in lines for src in sources]
        times: dict[tuple[Path, str], list[float]] = {run: [] for run in runs}
        for _ in range(args.repeat):  # interleaved: a busy moment slows every command alike
            for src, name in runs:
                began = time.perf_counter()
                subprocess.run(lines[name], env=envs[src], check=True, stdout=subprocess.DEVNULL)
                times[src, name].append((time.perf_counter() - began) * 1000)
    print(f"repeat: {args.repeat}  contacts: {args.contacts}")
    for number, src in enumerate(sources, 1):
        print(f"[{number}] {src}")
    print(f"{'command':<24}{'src':>4}{'median ms':>11}{'best ms':>9}{'- pass ms':>11}  rich")
    for src, name in runs:
        number = sources.index(src) + 1
        median = statistics.median(times[src, name])
        base = statistics.median(times[src, "python -c pass"])
        rich = "yes" if loads_rich(lines[name], envs[src]) else "no"
        print(f"{name:<24}{number:>4}{median:>11.0f}{min(times[src, name]):>9.0f}"
              f"{median - base:>11.0f}  {rich}")


if __name__ == "__main__":
    main()
