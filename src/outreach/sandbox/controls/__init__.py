"""Playing the other side of the mailbox, counting requests and injecting faults.

`Controls` is one object (`Sandbox.controls`) made of the roles: the user in Outlook
(outlook.py), the contacts and their mail servers (contacts.py), the network (network.py)
and the tester's view (inspection.py). Every name in ACTIONS is callable from Python (tests)
and, with JSON arguments, through the server's control endpoint (the CLI).
"""

from __future__ import annotations

from typing import Any

from .base import Actions, Target
from .contacts import Contacts
from .inspection import Inspection
from .network import FAULT_KINDS, Network
from .outlook import Outlook

__all__ = ["ACTIONS", "FAULT_KINDS", "Controls"]

ACTIONS = {
    "set_out_of_office",
    "welcome",
    "press_send",
    "edit_draft",
    "delete_draft",
    "receive",
    "reply",
    "auto_reply",
    "bounce",
    "respond_to_meeting",
    "send_meeting",
    "move_meeting",
    "cancel_meeting",
    "inspect",
    "request_counts",
    "reset_request_counts",
    "inject_fault",
    "clear_faults",
    "limit_graph",
    "disable_ews",
    "enable_ews",
    "invalidate_sync_states",
    "expire_subscriptions",
    "save",
}


class Controls(Outlook, Contacts, Inspection, Network):
    """The other side: Outlook, contacts, the network. Thread-safe via the state lock."""

    def __init__(self, sandbox: Target) -> None:
        Actions.__init__(self, sandbox)
        Network.__init__(self)

    def call(self, action: str, args: dict[str, Any]) -> Any:
        """Dispatch a control-endpoint request to a public action; ValueError if unknown."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return getattr(self, action)(**args)
