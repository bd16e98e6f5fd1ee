"""The Graph face's plumbing: requests, replies, errors, the route table and one dispatch.

Routes are registered by the family modules (messages, events, delta, ...) with
`@route(method, template)`; a template is the path after `/me` or `/users/{id or
address}` (root routes, such as `/$batch`, with root=True). The route's name,
"METHOD template", is what the request counter counts and what a fault may target.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ..mailbox import Item, Mailbox
from . import exchanges, ids
from .times import iso

if TYPE_CHECKING:
    from .. import Sandbox
    from ..state import SandboxState

log = logging.getLogger(__name__)
GRAPH_PATH = "/v1.0"
JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"


class GraphError(Exception):
    """An error answer: HTTP status and Graph's {"error": {"code", "message"}}."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, code, message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


class Dropped(Exception):
    """An injected fault closes the connection without an answer."""


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """One Graph request, with the mailbox its path names."""

    sandbox: Sandbox
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    user: str | None
    prefix: str = ""
    box: Mailbox | None = None
    args: tuple[str, ...] = ()
    applied: list[str] = field(default_factory=list)

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    @property
    def mailbox(self) -> Mailbox:
        assert self.box is not None
        return self.box

    def prefer(self, name: str) -> str | None:
        """The value of one Prefer preference (quotes removed), e.g. outlook.timezone."""
        for part in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", self.headers.get("prefer", "")):
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == name.lower():
                return value.strip().strip('"')
        return None

    @property
    def tz(self) -> str:
        return self.prefer("outlook.timezone") or "UTC"

    @property
    def immutable(self) -> bool:
        """The client asked for immutable ids (Prefer: IdType="ImmutableId")."""
        return (self.prefer("IdType") or "").lower() == "immutableid"

    def item_id(self, item: Item) -> str:
        """The Graph id of an item for this request (immutable if asked for)."""
        return ids.to_graph(item.immutable_id or item.id if self.immutable else item.id)

    @property
    def body_type(self) -> str | None:
        """ "text" or "html" if the client asked (outlook.body-content-type), else None."""
        value = (self.prefer("outlook.body-content-type") or "").lower()
        return value if value in ("text", "html") else None

    def link(self, path: str, **query: str) -> str:
        """An absolute link under this request's user, e.g. for @odata.nextLink."""
        qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
        return f"{self.sandbox.graph_url}{self.prefix}{path}" + (f"?{qs}" if qs else "")

    def context(self, fragment: str) -> str:
        """@odata.context for something under this user ('messages/$entity', ...)."""
        who = ids.user_id(self.box.address) if self.box else ""
        return f"{self.sandbox.graph_url}/$metadata#users('{who}')/{fragment}"

    def json_body(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        return self.body


Handler = Callable[[Request], Reply]


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    root: bool

    @property
    def name(self) -> str:
        return f"{self.method} {self.template or '/'}"


ROUTES: list[Route] = []


def route(method: str, template: str, *, root: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler; {name} in the template matches one path segment."""
    regex = re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template))

    def register(func: Handler) -> Handler:
        ROUTES.append(Route(method, template, re.compile(f"^{regex}$", re.I), func, root))
        return func

    return register


def load_all() -> list[Route]:
    from . import batch, delta, events, messages, people, schedule  # noqa: F401

    return ROUTES


_USER = re.compile(r"^/(me|users/([^/]+))(/.*)?$", re.I)


def resolve(method: str, path: str) -> tuple[Route, tuple[str, ...], str, str | None] | None:
    """(route, its arguments, user prefix, user named in the path) for a request path."""
    load_all()
    for r in ROUTES:
        if r.root and r.method == method and (m := r.pattern.match(path)):
            return r, tuple(unquote(g) for g in m.groups()), "", None
    m = _USER.match(path)
    if m is None:
        return None
    prefix = path[: len(path) - len(m.group(3) or "")]
    rest = m.group(3) or ""
    for r in ROUTES:
        if not r.root and r.method == method and (hit := r.pattern.match(rest)):
            return r, tuple(unquote(g) for g in hit.groups()), prefix, m.group(2)
    return None


def error_body(code: str, message: str, now: Any) -> dict[str, Any]:
    rid = str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": iso(now), "request-id": rid, "client-request-id": rid},
        }
    }


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


def fault_reply(sandbox: Sandbox, spec: dict[str, Any]) -> Reply | None:
    """What an injected fault answers on the Graph face (None: answer normally after it)."""
    kind = spec["kind"]
    now = sandbox.state.clock()
    if kind == "slow":
        time.sleep(float(spec.get("seconds", 1.0)))
        return None
    if kind == "drop":
        raise Dropped
    if kind == "throttle":
        return Reply(
            429,
            error_body(
                "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", now
            ),
            {"Retry-After": str(spec.get("retry_after", 1))},
        )
    if kind == "unavailable":
        return Reply(
            503,
            error_body("serviceNotAvailable", "The service is temporarily unavailable.", now),
            {"Retry-After": str(spec.get("retry_after", 1))},
        )
    if kind == "http500":
        return Reply(
            500, error_body("InternalServerError", "An internal server error occurred.", now)
        )
    status = int(spec.get("status") or 400)
    headers = {"WWW-Authenticate": 'Bearer realm=""'} if status == 401 else {}
    return Reply(
        status, error_body(spec["code"], f"Injected by the sandbox: {spec['code']}.", now), headers
    )


def handle(
    sandbox: Sandbox,
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
                reply = Reply(
                    429,
                    error_body(
                        "ApplicationThrottled",
                        "Application is over its MailboxConcurrency limit.",
                        now,
                    ),
                    {"Retry-After": str(wait)},
                )
            else:
                reply = _answer(sandbox, found, name, method, path, query, lower, body)
    exchanges.note(
        sandbox,
        exchanges.Exchange(method, path, query, body, reply.status, reply.body, batched=batched),
    )
    return reply


def _answer(
    sandbox: Sandbox,
    found: tuple[Route, tuple[str, ...], str, str | None] | None,
    name: str,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: Any,
) -> Reply:
    """An injected fault's answer, or the route's."""
    spec = sandbox.controls.take_fault(name, "graph")
    reply = fault_reply(sandbox, spec) if spec else None
    if reply is not None:
        return reply
    if found is None:
        segment = path.strip("/").split("/")[-1]
        return Reply(
            400,
            error_body(
                "BadRequest",
                f"Resource not found for the segment '{segment}'.",
                sandbox.state.clock(),
            ),
        )
    return _dispatch(sandbox, found, method, path, query, headers, body)


def _authorized(sandbox: Sandbox, headers: Mapping[str, str]) -> Reply | None:
    """None if the bearer token is accepted, else the 401 Graph answers.

    Any token is accepted unless the sandbox's door checks tokens (`Sandbox(tokens=...)`:
    token -> the address it signs in, "" for an app token, None to refuse).
    """
    token = _token(headers)
    now = sandbox.state.clock()
    if not token:
        return Reply(
            401,
            error_body("InvalidAuthenticationToken", "Access token is empty.", now),
            {"WWW-Authenticate": 'Bearer realm=""'},
        )
    check = sandbox.door.tokens
    if check is not None and check(token) is None:
        return Reply(
            401,
            error_body("InvalidAuthenticationToken", "Access token validation failure.", now),
            {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
        )
    return None


def _token(headers: Mapping[str, str]) -> str:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def _signed_in_user(sandbox: Sandbox, headers: Mapping[str, str]) -> str | None:
    """The token's user; None for an app token (it must name the mailbox in the path)."""
    check = sandbox.door.tokens
    if check is None:
        return sandbox.user
    return check(_token(headers)) or None


def _dispatch(
    sandbox: Sandbox,
    found: tuple[Route, tuple[str, ...], str, str | None],
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: Any,
) -> Reply:
    route_, args, prefix, named = found
    req = Request(
        sandbox,
        method,
        path,
        query,
        headers,
        body,
        _signed_in_user(sandbox, headers),
        prefix,
        None,
        args,
    )
    try:
        with sandbox.state.lock:
            if not route_.root:
                req.box = _user_box(req, named)
            reply = route_.handler(req)
            sandbox.after_change()
    except GraphError as e:
        reply = Reply(e.status, error_body(e.code, e.message, sandbox.state.clock()), e.headers)
    except Dropped:
        raise
    except Exception:  # a sandbox bug: answer as Graph does, and say so in the log
        log.exception("Graph face failed on %s %s", method, path)
        reply = Reply(
            500,
            error_body(
                "InternalServerError", "The sandbox failed on this request.", sandbox.state.clock()
            ),
        )
    if req.immutable:
        req.applied.append('IdType="ImmutableId"')
    if req.body_type:
        req.applied.append(f'outlook.body-content-type="{req.body_type}"')
    if req.prefer("outlook.timezone"):
        req.applied.append(f'outlook.timezone="{req.tz}"')
    if req.applied and reply.status < 400:
        reply.headers.setdefault("Preference-Applied", ", ".join(dict.fromkeys(req.applied)))
    return reply


def encode(reply: Reply) -> tuple[bytes, str]:
    """The body bytes and content type of a reply."""
    if reply.body is None:
        return b"", ""
    return json.dumps(reply.body).encode(), JSON_TYPE
