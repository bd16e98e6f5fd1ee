"""EWS operations: one module per family, each registering handlers by SOAP operation name.

The families import `base` (the context, errors and registry), never this package.
"""

from __future__ import annotations

from . import (  # noqa: F401 - importing a family registers its operations
    attachments,
    availability,
    find,
    folders,
    items,
    mailtips,
    misc,
    notifications,
    resolve,
    sync,
)
from .base import OPERATIONS, Context, Handler, OperationError, error_message, operation

__all__ = [
    "OPERATIONS",
    "Context",
    "Handler",
    "OperationError",
    "error_message",
    "load_all",
    "operation",
]


def load_all() -> dict[str, Handler]:
    """Every operation by SOAP name."""
    return OPERATIONS
