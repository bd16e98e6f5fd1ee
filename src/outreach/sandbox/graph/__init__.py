"""The sandbox's Microsoft Graph face: /v1.0/ over the same mailboxes as the EWS face.

`serve` answers one HTTP request (the transport in server.py hands it over) through
`dispatch`; the families live in their own modules (messages, events, delta, batch,
people, schedule) and register their routes in `routing`'s table when imported here;
`convert` translates between the stored EWS elements and Graph JSON, `ids` relates the
two faces' ids. Every exchange is offered to `exchanges.WATCHERS` (the suite's CSDL check).
The families and the plumbing never import this package: it imports them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import batch, delta, events, messages, people, schedule  # noqa: F401 - their routes
from .dispatch import handle
from .routing import GRAPH_PATH, Dropped, GraphError, Reply

if TYPE_CHECKING:
    from ..host import Host

__all__ = ["GRAPH_PATH", "Dropped", "serve"]
JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"


def serve(
    sandbox: Host, method: str, target: str, headers: Mapping[str, str], raw: bytes
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for one HTTP request; raise Dropped to close the connection."""
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        error = GraphError(400, "BadRequest", "The request body is not valid JSON.")
        reply = error.reply(sandbox.state.clock())
    else:
        reply = handle(sandbox, method, target, headers, body)
    data, ctype = encode(reply)
    out = {"Content-Type": ctype, **reply.headers} if ctype else dict(reply.headers)
    out.setdefault("request-id", headers.get("client-request-id") or "sandbox")
    return reply.status, out, data


def encode(reply: Reply) -> tuple[bytes, str]:
    """The body bytes and content type of a reply."""
    if reply.body is None:
        return b"", ""
    return json.dumps(reply.body).encode(), JSON_TYPE
