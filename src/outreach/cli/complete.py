"""Shell completion of contact references and template names, read from the store.

click calls these while the shell waits (bash, zsh and fish alike: see the
README), so they read the config and the store only, never the mailbox, and
answer nothing rather than an error when either cannot be read.
"""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem

#: At most this many contacts are offered at once.
LIMIT = 50


def contacts(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Offer contacts matching what was typed: their email (or id, when an id was typed)."""
    from outreach import app
    from outreach.core.errors import OutreachError

    try:
        settings = app.load_settings(ctx.find_root().params.get("config_path"))
        state = app.open_store(settings).read()
    except (OutreachError, OSError):
        return []
    typed = incomplete.strip().lower()
    found: list[CompletionItem] = []
    for contact in sorted(state.contacts.values(), key=lambda c: c.name.lower()):
        words = [contact.name.lower(), *contact.name.lower().split()]
        if contact.id.startswith(typed) and typed:
            value = contact.id
        elif contact.email.lower().startswith(typed) or any(w.startswith(typed) for w in words):
            value = contact.email
        else:
            continue
        found.append(CompletionItem(value, help=f"{contact.name} ({contact.status.value})"))
        if len(found) == LIMIT:
            break
    return found


def templates(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Offer the emails (and the prep sheet) by name, or their files once a dot is typed."""
    from outreach.writing import compose

    names: list[tuple[str, Any]] = [(name, "email") for name in compose.EMAILS]
    names.append(("prep", "the prep sheet"))
    if "." in incomplete:
        names = [(f"{n}.{p}.j2", "file") for n in compose.EMAILS for p in compose.PARTS]
        names.append((compose.PREP, "file"))
    return [CompletionItem(n, help=h) for n, h in names if n.startswith(incomplete)]
