"""The errors a user can act on, turned into sentences in one place (cli.main)."""

from __future__ import annotations

from collections.abc import Iterable


class OutreachError(Exception):
    """Base of every foreseeable failure; its message is shown without a traceback."""

    exit_code = 1


class UserError(OutreachError):
    """Bad input from the user (config, CSV, vCard, options): exit 2.

    Carries every problem found, each a sentence naming the file, line or field,
    so one run reports them all.
    """

    exit_code = 2

    def __init__(self, summary: str, problems: Iterable[str] = ()) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.problems:
            return self.summary
        return self.summary + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class StoreError(OutreachError):
    """The store cannot be read or written (it is never overwritten when broken)."""


class MailboxError(OutreachError):
    """The mailbox refused or could not be reached; the message is one clear sentence.

    ``transient`` marks a connection that failed (the loop backs off and retries)
    as opposed to a request the server refused (that one message fails).
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class TemplateError(UserError):
    """A template is missing, broken, or uses an undefined variable."""
