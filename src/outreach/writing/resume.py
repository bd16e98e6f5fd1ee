"""The user's résumé: checked, and attached at the close of an interview only.

The guide: "You can always provide your contact with a resume ... (at the close
of the interview)", and "Don't fall into the trap of being interviewed". So
the file goes with a thank-you (``policy.resume_in_thank_you``, or one
``draft --kind thank-you --attach-resume``) and never with a request or a
follow-up: ``wanted`` is the one place that decides.
"""

from __future__ import annotations

from pathlib import Path

from outreach.config.settings import Settings
from outreach.core.errors import UserError
from outreach.core.items import Attachment
from outreach.core.model import Kind, Message

#: Largest résumé attached; bigger ones are refused before any email is built.
MAX_BYTES = 5 * 1024 * 1024

#: Accepted suffixes, their MIME type and how such a file begins.
TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
    ".doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
}


def problems(path: Path) -> list[str]:
    """Return what is wrong with the résumé at ``path`` (empty when it can be attached)."""
    where = f"user.resume: {path}"
    kind = TYPES.get(path.suffix.lower())
    if kind is None:
        return [f"{where} is not a PDF or Word file (.pdf, .docx or .doc)"]
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(len(kind[1]))
    except FileNotFoundError:
        return [f"{where} does not exist"]
    except IsADirectoryError:
        return [f"{where} is a folder, not a file"]
    except OSError as problem:
        return [f"{where} cannot be read: {problem.strerror or problem}"]
    if size >= MAX_BYTES:
        return [f"{where} is {size / 1024 / 1024:.1f} MB; keep it under 5 MB"]
    if head != kind[1]:
        return [f"{where} does not look like a {path.suffix.lower()} file inside"]
    return []


def wanted(message: Message, settings: Settings) -> bool:
    """True when ``message`` carries the résumé: a thank-you, by policy or asked for once."""
    if message.kind is not Kind.THANK_YOU:
        return False
    return message.attach_resume or settings.policy.resume_in_thank_you


def attachment(settings: Settings) -> Attachment:
    """Return the résumé as an attachment. Raise UserError saying what is wrong with it."""
    path = settings.user.resume
    if path is None:
        raise UserError("No résumé to attach: set user.resume to your PDF or Word file.")
    found = problems(path)
    if found:
        raise UserError(f"The résumé cannot be attached: {found[0]}.")
    return Attachment(path.name, TYPES[path.suffix.lower()][0], path.read_bytes())
