"""ConvertId: exchangelib's version probe (only the ServerVersionInfo header matters)."""

from __future__ import annotations

from ..xml import Element
from .base import Context, OperationError, operation, respond


@operation("ConvertId")
def convert_id(ctx: Context, req: Element) -> Element:
    """Answer each id as malformed, as Exchange does for the probe's 'DUMMY'."""
    ids = req.find("{*}SourceIds")
    return respond("ConvertId", ids if ids is not None else [], _malformed)


def _malformed(_: Element, msg: Element) -> None:
    raise OperationError("ErrorInvalidIdMalformed", "Id is malformed.")
