"""ConvertId: exchangelib's version probe (only the ServerVersionInfo header matters)."""

from __future__ import annotations

from ..xml import Element, el, response_message, sub
from .base import Context, operation


@operation("ConvertId")
def convert_id(ctx: Context, req: Element) -> Element:
    """Answer each id as malformed, as Exchange does for the probe's 'DUMMY'."""
    resp = el("m:ConvertIdResponse")
    msgs = sub(resp, "m:ResponseMessages")
    ids = req.find("{*}SourceIds")
    for _ in ids if ids is not None else []:
        msgs.append(
            response_message(
                "m:ConvertIdResponseMessage", "ErrorInvalidIdMalformed", "Id is malformed."
            )
        )
    return resp
