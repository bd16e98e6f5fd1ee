"""A test-only hook: die abruptly at a named point of a cycle, as SIGKILL or a power cut would.

The crash tests set $OUTREACH_CRASH_AT to one of ``POINTS`` and check that a
restarted daemon creates every draft, email and invite exactly once. Unset (always,
outside those tests) it costs one dictionary lookup.
"""

from __future__ import annotations

import os

ENV = "OUTREACH_CRASH_AT"

POINTS = (
    "planned",  # the plans are in the store; the mailbox has not been touched
    "prepared",  # slots and subjects recorded; nothing created yet
    "created",  # every mailbox call of this perform made, none recorded
    "sent-one",  # one email sent or invite created, the next not yet
    "moved",  # an invite that could not be moved was withdrawn; its successor not yet made
    "recorded",  # outcomes recorded; the sync has not yet seen our own writes
)


def crash_point(name: str) -> None:
    """Exit at once, without cleanup, if $OUTREACH_CRASH_AT names this point."""
    if os.environ.get(ENV) == name:
        os._exit(137)
