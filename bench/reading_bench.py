"""Measure how replies are read: the corpus of answers, how many are read right, how many
readings would harm (an invitation or a "declined" the answer does not give; goal 0).

(a) the pure reading: every answer of tests/replycorpus.py (twelve kinds, five
    languages, written for three proposed times) under every way of quoting, with and
    without a greeting;
(b) the real daemon against the sandbox, on EWS and on Graph: every answer under
    ``--cross`` ways of quoting (taken in turn, so every way occurs), in batches of
    ``--batch`` contacts per sandbox; in turn in the request's conversation (the server
    gives the answer's own words) and as a fresh message (the whole body: outreach cuts);
(c) with ``--libraries``, quote cutting side by side: outreach's own cutter and the
    libraries considered for it (quotequail, mail-parser-reply), where installed, on
    the same bodies: how many are cut back to exactly the answer.

    python bench/reading_bench.py [--no-daemon] [--batch 21] [--cross 3] [--libraries]

Everything lives in a temporary folder; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from outreach.core.model import Slot
from outreach.engine import own_words, read_reply
from outreach.mailbox.classify import html_text
from replycorpus import (
    KINDS,
    LANGS,
    STYLES,
    Answer,
    answers,
    dressed,
    judge,
    outcome,
    request_lines,
)

TZ = ZoneInfo("Europe/Berlin")
SENT = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
TIMES = [
    datetime(2026, 12, 1, 10, 0, tzinfo=TZ),
    datetime(2026, 12, 3, 14, 30, tzinfo=TZ),
    datetime(2026, 12, 4, 9, 0, tzinfo=TZ),
]


def pure() -> None:
    slots = [Slot(t, t.replace(hour=t.hour + 1)) for t in TIMES]
    seen: Counter[str] = Counter()
    by_lang: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    harmful: list[str] = []
    corpus = answers(TIMES)
    for answer in corpus:
        for style in STYLES:
            for greeting in (True, False):
                body = style.build(dressed(answer, greeting), request_lines(TIMES), SENT)
                text = html_text(body.content) if body.html else body.content
                reading = read_reply(text, slots)
                verdict = judge(answer, outcome(reading))
                seen[verdict] += 1
                by_lang[answer.lang][verdict] += 1
                if verdict == "harmful":
                    harmful.append(f"{answer.lang} {answer.kind} {style.name}: {reading.sentence}")
    total = sum(seen.values())
    print("(a) the pure reading")
    print(f"    answers: {len(corpus)} ({len(KINDS)} kinds x {len(LANGS)} languages, some twice)")
    print(f"    ways of quoting: {len(STYLES)}; with and without a greeting")
    print(f"    readings: {total}; right {seen['right']} ({seen['right'] / total:.1%}), "
          f"missed {seen['missed']}, harmful {seen['harmful']}")  # fmt: skip
    for lang, counts in by_lang.items():
        n = sum(counts.values())
        print(f"      {lang}: right {counts['right']}/{n} ({counts['right'] / n:.1%}), "
              f"harmful {counts['harmful']}")  # fmt: skip
    for line in harmful[:20]:
        print(f"      HARMFUL {line}")


def daemon(batch: int, cross: int) -> None:
    from daemon.readingrun import START, Case, run
    from daemon.world import World

    cases: list[Case] = []
    seen_pairs: Counter[tuple[str, str]] = Counter()
    for number, answer in enumerate(answers(TIMES)):
        nth = seen_pairs[(answer.kind, answer.lang)]
        seen_pairs[(answer.kind, answer.lang)] += 1
        for k in range(cross):
            style = STYLES[(number * cross + k) % len(STYLES)].name
            cases.append(Case(answer.kind, answer.lang, style, nth, in_thread=k % 2 == 0))
    print(f"(b) the real daemon against the sandbox: every answer under {cross} ways of quoting")
    for protocol in ("ews", "graph"):
        seen: Counter[str] = Counter()
        outside: Counter[str] = Counter()
        wrong: list[str] = []
        began = time.monotonic()
        for start in range(0, len(cases), batch):
            with tempfile.TemporaryDirectory() as folder:
                world = World(Path(folder), start=START, protocol=protocol)
                try:
                    results = run(world, cases[start : start + batch])
                finally:
                    world.close()
            for result in results:
                seen[result.verdict] += 1
                if not result.case.in_thread:
                    outside[result.verdict] += 1
                if result.verdict != "right":
                    wrong.append(f"{result.case}: {result.verdict}: {result.detail}")
        total = sum(seen.values())
        seen["skipped"] = len(cases) - total
        took = time.monotonic() - began
        print(
            f"    {protocol}: {total} answers in {took:.0f} s; right {seen['right']} "
            f"({seen['right'] / total:.1%}), missed {seen['missed']}, harmful "
            f"{seen['harmful']}; {seen['skipped']} impossible for the times proposed"
        )
        print(
            f"      of which outside the conversation (whole body, outreach's cutting): "
            f"{sum(outside.values())}, right {outside['right']}, harmful {outside['harmful']}"
        )
        for line in wrong[:20]:
            print(f"      {line}")


def libraries() -> None:
    cutters = {"outreach (engine/quotes.py)": own_words}
    try:
        import quotequail

        def by_quotequail(text: str) -> str:
            parts = quotequail.quote(text, quote_intro_line=True)
            kept = "\n".join(part for shown, part in parts if shown)
            return "\n".join(x for x in kept.split("\n") if not x.lstrip().startswith(">"))

        cutters["quotequail"] = by_quotequail
    except ImportError:
        print("    (quotequail is not installed: pip install quotequail)")
    try:
        from mailparser_reply import EmailReplyParser

        parser = EmailReplyParser(languages=["en", "de", "fr", "es", "nl", "it", "sv", "da", "pl"])
        cutters["mail-parser-reply"] = lambda text: parser.parse_reply(text) or ""
    except ImportError:
        print("    (mail-parser-reply is not installed: pip install mail-parser-reply)")
    samples: list[Answer] = [a for a in answers(TIMES) if a.kind in ("weekday", "other-time")]
    print("(c) quote cutting: bodies cut back to exactly the answer")
    for name, cut in cutters.items():
        right = total = 0
        for answer in samples:
            for style in STYLES:
                body = style.build(dressed(answer), request_lines(TIMES), SENT)
                text = html_text(body.content) if body.html else body.content
                total += 1
                right += " ".join(cut(text).split()) == " ".join(dressed(answer).split())
        print(f"    {name}: {right}/{total} ({right / total:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--daemon", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--batch", type=int, default=21, help="contacts per sandbox")
    parser.add_argument("--cross", type=int, default=3, help="ways of quoting per answer")
    parser.add_argument("--libraries", action="store_true")
    args = parser.parse_args()
    pure()
    if args.daemon:
        daemon(args.batch, args.cross)
    if args.libraries:
        libraries()


if __name__ == "__main__":
    main()
