"""JSON batching: POST /$batch with up to 20 requests, one HTTP request for all of them.

Requests run in order; one whose `dependsOn` names a request that failed is answered 424.
Each inner request is counted apart ("batched") and may draw its own injected fault.
"""

from __future__ import annotations

from typing import Any

from .dispatch import handle
from .routing import GraphError, Reply, Request, route

MAX_REQUESTS = 20


@route("POST", "/$batch", root=True)
def batch(req: Request) -> Reply:
    data = req.json_body()
    requests = data.get("requests")
    if not isinstance(requests, list) or not requests:
        raise GraphError(400, "BadRequest", "The batch needs a non-empty 'requests' array.")
    if len(requests) > MAX_REQUESTS:
        raise GraphError(
            400,
            "BadRequest",
            f"A batch holds at most {MAX_REQUESTS} requests; this one has {len(requests)}.",
        )
    seen: set[str] = set()
    for r in requests:
        if not isinstance(r, dict) or not all(
            isinstance(r.get(k), str) for k in ("id", "method", "url")
        ):
            raise GraphError(400, "BadRequest", "Each request needs an id, a method and a url.")
        if r["id"] in seen:
            raise GraphError(400, "BadRequest", f"The request id '{r['id']}' is not unique.")
        seen.add(r["id"])
    status: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    auth = {"Authorization": req.headers.get("authorization", "")}
    for r in requests:
        failed = [d for d in r.get("dependsOn") or [] if not 200 <= status.get(d, 0) < 300]
        if failed:
            reply = GraphError(
                424, "FailedDependency", "The request depends on a request that failed."
            ).reply(req.state.clock())
        else:
            reply = handle(
                req.sandbox,
                r["method"].upper(),
                _relative(r["url"]),
                {**auth, **(r.get("headers") or {})},
                r.get("body"),
                batched=True,
            )
        status[r["id"]] = reply.status
        entry: dict[str, Any] = {
            "id": r["id"],
            "status": reply.status,
            "headers": dict(reply.headers),
        }
        if reply.body is not None:
            entry["headers"].setdefault("Content-Type", "application/json")
            entry["body"] = reply.body
        responses.append(entry)
    return Reply(200, {"responses": responses})


def _relative(url: str) -> str:
    """An inner url relative to the version root ('/me/...' or 'me/...' or absolute)."""
    if "://" in url:
        url = "/" + url.split("://", 1)[1].split("/", 1)[1]
    url = "/" + url.lstrip("/")
    return url[len("/v1.0") :] if url.startswith("/v1.0/") else url
