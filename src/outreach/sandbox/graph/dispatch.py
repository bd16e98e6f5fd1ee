"""Answering one Graph request: sign-in, Outlook's limits, injected faults, then the route.

`handle` serves an HTTP request (from the package's `serve`) or one inside a $batch
(batch.py); every exchange is counted, offered to the watchers and, if asked, recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..mailbox import Mailbox
from . import exchanges, ids
from .routing import GRAPH_PATH, Dropped, GraphError, Reply, Request, Route, resolve, throttled

if TYPE_CHECKING:
    from ..host import Host

log = logging.getLogger(__name__)


def _user_box(req: Request, named: str | None) -> Mailbox:
    """The mailbox /me or /users/{id or address} names; 404 for an unknown user."""
    state = req.state
    if named is None:
        if req.user is None:
            raise GraphError(
                400,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            )
        return state.mailbox_for(req.user)
    key = unquote(named).strip("'").lower()
    if "@" in key:
        known = state.directory.get(key) or key in state.mailboxes
        if not known:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")
        return state.mailbox_for(key)
    for address in [*state.mailboxes, *state.directory.people]:
        if ids.user_id(address) == key:
            return state.mailbox_for(address)
    raise GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{named}' does not exist or one of its "
        "queried reference-property objects are not present.",
    )


def fault_reply(sandbox: Host, spec: dict[str, Any]) -> Reply | None:
    """What an injected fault answers on the Graph face (None: answer normally after it)."""
    kind = spec["kind"]
    if kind == "slow":
        time.sleep(float(spec.get("seconds", 1.0)))
        return None
    if kind == "drop":
        raise Dropped
    if kind == "throttle":
        error = throttled(spec.get("retry_after", 1))
    elif kind == "unavailable":
        retry = {"Retry-After": str(spec.get("retry_after", 1))}
        error = GraphError(
            503, "serviceNotAvailable", "The service is temporarily unavailable.", retry
        )
    elif kind == "http500":
        error = GraphError(500, "InternalServerError", "An internal server error occurred.")
    else:
        status = int(spec.get("status") or 400)
        headers = {"WWW-Authenticate": 'Bearer realm=""'} if status == 401 else {}
        code = spec["code"]
        error = GraphError(status, code, f"Injected by the sandbox: {code}.", headers)
    return error.reply(sandbox.state.clock())


def handle(
    sandbox: Host,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: Any,
    *,
    batched: bool = False,
) -> Reply:
    """Answer one Graph request (an HTTP one, or one inside a $batch)."""
    parts = urlsplit(target)
    path = parts.path[len(GRAPH_PATH) :] if parts.path.startswith(GRAPH_PATH) else parts.path
    path = "/" + path.lstrip("/")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    lower = {k.lower(): v for k, v in headers.items()}
    now = sandbox.state.clock()
    found = resolve(method, path.rstrip("/") or "/")
    name = found[0].name if found else f"{method} (unknown)"
    sandbox.controls.count(name, "batched" if batched else "graph")
    reply = _authorized(sandbox, lower)
    if reply is None:
        # Outlook's limits are per mailbox; a $batch itself is not an Outlook request
        root = found is None or found[0].root
        who = "" if root else found[3] or _signed_in_user(sandbox, lower) or ""
        with sandbox.graph_limits.admit(unquote(who).lower(), now, counted=bool(who)) as wait:
            if wait is not None:
                reply = throttled(wait).reply(now)
            else:
                req = Request(sandbox, method, path, query, lower, body, None)
                reply = _answer(req, found, name)
    exchange = exchanges.Exchange(
        method, path, query, body, reply.status, reply.body, batched=batched
    )
    sandbox.record_graph(exchange)
    exchanges.note(exchange)
    return reply


Found = tuple[Route, tuple[str, ...], str, str | None]


def _answer(req: Request, found: Found | None, name: str) -> Reply:
    """An injected fault's answer, or the route's."""
    spec = req.sandbox.controls.take_fault(name, "graph")
    reply = fault_reply(req.sandbox, spec) if spec else None
    if reply is not None:
        return reply
    if found is None:
        segment = req.path.strip("/").split("/")[-1]
        error = GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        return error.reply(req.state.clock())
    return _dispatch(req, found)


def _authorized(sandbox: Host, headers: Mapping[str, str]) -> Reply | None:
    """None if the bearer token is accepted, else the 401 Graph answers.

    Any token is accepted unless the sandbox's door checks tokens (`Sandbox(tokens=...)`:
    token -> the address it signs in, "" for an app token, None to refuse).
    """
    token = _token(headers)
    now = sandbox.state.clock()
    if not token:
        return GraphError(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty.",
            {"WWW-Authenticate": 'Bearer realm=""'},
        ).reply(now)
    check = sandbox.door.tokens
    if check is not None and check(token) is None:
        return GraphError(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure.",
            {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
        ).reply(now)
    return None


def _token(headers: Mapping[str, str]) -> str:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def _signed_in_user(sandbox: Host, headers: Mapping[str, str]) -> str | None:
    """The token's user; None for an app token (it must name the mailbox in the path)."""
    check = sandbox.door.tokens
    if check is None:
        return sandbox.user
    return check(_token(headers)) or None


def _dispatch(req: Request, found: Found) -> Reply:
    """The route's answer, with the preferences it applied."""
    route_, req.args, req.prefix, named = found
    req.user = _signed_in_user(req.sandbox, req.headers)
    sandbox = req.sandbox
    try:
        with sandbox.state.lock:
            if not route_.root:
                req.box = _user_box(req, named)
            reply = route_.handler(req)
            sandbox.after_change()
    except GraphError as e:
        reply = e.reply(sandbox.state.clock())
    except Dropped:
        raise
    except Exception:  # a sandbox bug: answer as Graph does, and say so in the log
        log.exception("Graph face failed on %s %s", req.method, req.path)
        error = GraphError(500, "InternalServerError", "The sandbox failed on this request.")
        reply = error.reply(sandbox.state.clock())
    if req.immutable:
        req.applied.append('IdType="ImmutableId"')
    if req.body_type:
        req.applied.append(f'outlook.body-content-type="{req.body_type}"')
    if req.prefer("outlook.timezone"):
        req.applied.append(f'outlook.timezone="{req.tz}"')
    if req.applied and reply.status < 400:
        reply.headers.setdefault("Preference-Applied", ", ".join(dict.fromkeys(req.applied)))
    return reply
