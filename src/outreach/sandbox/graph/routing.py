"""The Graph face's vocabulary: requests, replies, errors and the route table.

Routes are registered by the family modules (messages, events, delta, ...) with
`@route(method, template)`; a template is the path after `/me` or `/users/{id or
address}` (root routes, such as `/$batch`, with root=True). The route's name,
"METHOD template", is what the request counter counts and what a fault may target.
The table is filled when the package imports the families; dispatch.py reads it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from ..mailbox import Item, Mailbox
from . import ids
from .times import iso

if TYPE_CHECKING:
    from ..host import Host
    from ..state import SandboxState

GRAPH_PATH = "/v1.0"


class GraphError(Exception):
    """An error answer: HTTP status and Graph's {"error": {"code", "message"}}."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, code, message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})

    def reply(self, now: datetime) -> Reply:
        """The answer Graph gives for this error (``now`` goes into its innerError)."""
        return Reply(self.status, error_body(self.code, self.message, now), self.headers)


class Dropped(Exception):
    """An injected fault closes the connection without an answer."""


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def throttled(retry_after: object) -> GraphError:
    """Outlook's 429: too many requests for one mailbox; try again after so many seconds."""
    return GraphError(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        {"Retry-After": str(retry_after)},
    )


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """One Graph request, with the mailbox its path names."""

    sandbox: Host
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


_USER = re.compile(r"^/(me|users/([^/]+))(/.*)?$", re.I)


def resolve(method: str, path: str) -> tuple[Route, tuple[str, ...], str, str | None] | None:
    """(route, its arguments, user prefix, user named in the path) for a request path."""
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


def error_body(code: str, message: str, now: datetime) -> dict[str, Any]:
    rid = str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": iso(now), "request-id": rid, "client-request-id": rid},
        }
    }
