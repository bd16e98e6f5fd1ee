"""The sandbox's Microsoft Graph face: /v1.0/ over the same mailboxes as the EWS face.

`serve` answers one HTTP request (the transport in server.py hands it over); the
families live in their own modules (messages, events, delta, batch, people, schedule),
`convert` translates between the stored EWS elements and Graph JSON, `ids` relates the
two faces' ids. Every exchange is offered to `exchanges.WATCHERS` (the suite's CSDL check).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .routing import GRAPH_PATH, Dropped, Reply, encode, error_body, handle

if TYPE_CHECKING:
    from .. import Sandbox

__all__ = ["GRAPH_PATH", "Dropped", "serve"]


def serve(
    sandbox: Sandbox, method: str, target: str, headers: Mapping[str, str], raw: bytes
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for one HTTP request; raise Dropped to close the connection."""
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        reply = Reply(
            400,
            error_body("BadRequest", "The request body is not valid JSON.", sandbox.state.clock()),
        )
    else:
        reply = handle(sandbox, method, target, headers, body)
    data, ctype = encode(reply)
    out = {"Content-Type": ctype, **reply.headers} if ctype else dict(reply.headers)
    out.setdefault("request-id", headers.get("client-request-id") or "sandbox")
    return reply.status, out, data
