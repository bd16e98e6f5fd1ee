"""Talking to Microsoft Graph: one httpx session, batches, throttling, errors as sentences.

Every request asks for immutable ids. 429 and 503 are waited out (``Retry-After``,
else a short back-off) while the waits add up to no more than
``mailbox.max_wait_seconds``; then one sentence. A connection that fails is a
transient ``MailboxError`` (the daemon's loop retries later), a refusal is not.
A 401 asks the token provider once for a fresh token (a secret read again, a
token refreshed) before it becomes a sentence. No token ever reaches a message.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlparse

import httpx

from outreach.config import secrets
from outreach.core import progress
from outreach.core.errors import MailboxError

log = logging.getLogger(__name__)

#: Graph runs at most 20 requests in one $batch.
BATCH_LIMIT = 20
IMMUTABLE_IDS = 'IdType="ImmutableId"'
THROTTLED = (429, 503)
#: Statuses worth another try later (the server failed, not the request).
SERVER_TROUBLE = (500, 502, 504)
#: Back-off when a throttled answer names no Retry-After.
DEFAULT_WAIT = 2.0
THROTTLE_WHY = "Microsoft Graph asked outreach to slow down (throttling)"


class Tokens(Protocol):
    """Where access tokens come from (auth.py)."""

    who: str  # whom they sign in, for messages

    def token(self) -> str: ...

    def refresh(self) -> str:
        """A new token after the server refused the last one."""
        ...

    def hint(self) -> str:
        """What to do when even a fresh token is refused."""
        ...


@dataclass(frozen=True)
class Call:
    """One request, alone or inside a $batch; ``path`` is relative to the Graph URL."""

    method: str
    path: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error_code(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return str(error.get("code") or "") if isinstance(error, dict) else ""

    def error_message(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return str(error.get("message") or "") if isinstance(error, dict) else ""


#: The permission each kind of request needs, for the sentence a 403 becomes.
PERMISSIONS = (
    ("/sendMail", "Mail.Send"),
    ("/send", "Mail.Send"),
    ("/getMailTips", "Mail.Read"),
    ("/calendar/getSchedule", "Calendars.Read"),
    ("/events", "Calendars.ReadWrite"),
    ("/calendarView", "Calendars.ReadWrite"),
    ("/mailboxSettings", "MailboxSettings.Read"),
    ("/users", "User.ReadBasic.All"),
    ("/people", "People.Read"),
    ("/messages", "Mail.ReadWrite"),
    ("/mailFolders", "Mail.ReadWrite"),
)


def permission_for(path: str) -> str:
    for part, permission in PERMISSIONS:
        if part in path.split("?")[0]:
            return permission
    return "Mail.ReadWrite"


def retry_after(headers: Mapping[str, str]) -> float:
    """Seconds a throttled answer asks to wait (``Retry-After``), else a default."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                return DEFAULT_WAIT
    return DEFAULT_WAIT


class GraphClient:
    """A session with one Graph endpoint for one mailbox (``user``: "/me" or "/users/x")."""

    def __init__(
        self,
        base_url: str,
        tokens: Tokens,
        *,
        user: str = "/me",
        mailbox: str = "",
        max_wait: float = 300,
        sleep: Callable[[float], None] = time.sleep,
        verify: bool | ssl.SSLContext = True,
        timeout: float = 60,
    ) -> None:
        secrets.protect_logging()
        self.base_url = base_url.rstrip("/")
        self.host = (urlparse(self.base_url).hostname or self.base_url).lower()
        self.tokens = tokens
        self.user = user
        self.mailbox = mailbox
        self.max_wait = max_wait
        self._sleep = sleep
        self.requests = 0  # HTTP requests made (bench figures)
        self.http = httpx.Client(verify=verify, timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    # -- paths -------------------------------------------------------------------------
    def relative(self, link: str) -> str:
        """A link Graph gave (nextLink, deltaLink) as a path relative to the Graph URL."""
        if link.startswith(self.base_url):
            return link[len(self.base_url) :]
        parsed = urlparse(link)
        prefix = urlparse(self.base_url).path.rstrip("/")
        path = parsed.path[len(prefix) :] if parsed.path.startswith(prefix) else parsed.path
        return path + (f"?{parsed.query}" if parsed.query else "")

    # -- one request -------------------------------------------------------------------
    def call(self, call: Call, *, allow: Sequence[int] = ()) -> Answer:
        """Send one request; return its answer, or raise ``MailboxError`` unless ``allow``ed."""
        answer = self._with_retries(lambda: self._send(call))
        if not answer.ok and answer.status not in allow:
            raise self.refusal(call, answer)
        return answer

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call(Call("GET", path, headers=kwargs.pop("headers", {})), **kwargs).body

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.call(Call("POST", path, body), **kwargs).body

    def _send(self, call: Call) -> Answer:
        headers = {
            "Authorization": f"Bearer {self.tokens.token()}",
            "Prefer": IMMUTABLE_IDS,
            "Accept": "application/json",
            **call.headers,
        }
        if "Prefer" in call.headers:
            headers["Prefer"] = f"{IMMUTABLE_IDS}, {call.headers['Prefer']}"
        url = call.path if call.path.startswith("http") else self.base_url + call.path
        self.requests += 1
        try:
            response = self.http.request(
                call.method,
                url,
                json=call.body if call.body is not None else None,
                headers=headers,
            )
        except httpx.TransportError as failure:
            log.debug("graph: %s %s failed: %s", call.method, call.path[:80], type(failure))
            raise self.unreachable(failure) from None
        log.debug("graph: %s %s -> %s", call.method, call.path[:120], response.status_code)
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = response.text
        return Answer(response.status_code, body, dict(response.headers))

    def _with_retries(self, attempt: Callable[[], Answer]) -> Answer:
        """Run ``attempt``, waiting out throttling and refreshing the token once on a 401."""
        waited = 0.0
        refreshed = False
        while True:
            answer = attempt()
            if answer.status == 401 and not refreshed:
                refreshed = True
                self.tokens.refresh()
                continue
            if answer.status in THROTTLED:
                pause = retry_after(answer.headers)
                if waited + pause > self.max_wait:
                    raise self.throttled()
                log.info("graph: throttled (%s); waiting %.1f s", answer.status, pause)
                progress.waiting(pause, THROTTLE_WHY)
                self._sleep(pause)
                waited += pause
                continue
            return answer

    # -- batches -----------------------------------------------------------------------
    def batch(self, calls: Sequence[Call]) -> list[Answer]:
        """Send ``calls`` in $batch requests of at most 20; return the answers in order.

        Requests the server throttled inside a batch are sent again after the longest
        ``Retry-After`` among them, within the same ceiling; a 401 refreshes the token once.
        """
        answers: list[Answer | None] = [None] * len(calls)
        for first in range(0, len(calls), BATCH_LIMIT):
            chunk = list(range(first, min(first + BATCH_LIMIT, len(calls))))
            waited = 0.0
            refreshed = False
            while chunk:
                got = self._batch_once([calls[i] for i in chunk])
                again: list[int] = []
                pause = 0.0
                unauthorized = False
                for index, answer in zip(chunk, got, strict=True):
                    if answer.status in THROTTLED:
                        again.append(index)
                        pause = max(pause, retry_after(answer.headers))
                    elif answer.status == 401 and not refreshed:
                        again.append(index)
                        unauthorized = True
                    else:
                        answers[index] = answer
                if unauthorized:
                    refreshed = True
                    self.tokens.refresh()
                if again and pause:
                    if waited + pause > self.max_wait:
                        raise self.throttled()
                    log.info("graph: %d throttled in a batch; waiting %.1f s", len(again), pause)
                    progress.waiting(pause, THROTTLE_WHY)
                    self._sleep(pause)
                    waited += pause
                chunk = again
        return [a if a is not None else Answer(0, None) for a in answers]

    def _batch_once(self, calls: Sequence[Call]) -> list[Answer]:
        requests = []
        for number, call in enumerate(calls, start=1):
            headers = dict(call.headers)
            prefer = headers.pop("Prefer", "")
            headers["Prefer"] = f"{IMMUTABLE_IDS}, {prefer}" if prefer else IMMUTABLE_IDS
            entry: dict[str, Any] = {
                "id": str(number),
                "method": call.method,
                "url": call.path,
                "headers": headers,
            }
            if call.body is not None:
                entry["body"] = call.body
                entry["headers"] = {**headers, "Content-Type": "application/json"}
            requests.append(entry)
        whole = self.call(Call("POST", "/$batch", {"requests": requests}))
        by_id = {}
        for row in (whole.body or {}).get("responses", []) if isinstance(whole.body, dict) else []:
            by_id[str(row.get("id"))] = Answer(
                int(row.get("status") or 0), row.get("body"), row.get("headers") or {}
            )
        return [by_id.get(str(n), Answer(0, None)) for n in range(1, len(calls) + 1)]

    # -- sentences -----------------------------------------------------------------------
    def unreachable(self, failure: BaseException) -> MailboxError:
        text = secrets.redact(str(failure))
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return MailboxError(
                f"The TLS certificate of {self.host} could not be verified; list the host in "
                "mailbox.insecure_hosts only if you trust this network."
            )
        return MailboxError(
            f"Cannot reach the mailbox server {self.host}: check the address and the network.",
            transient=True,
        )

    def throttled(self) -> MailboxError:
        return MailboxError(
            f"The mailbox server {self.host} kept asking to slow down for longer than "
            "mailbox.max_wait_seconds allows; try again later.",
            transient=True,
        )

    def refusal(self, call: Call, answer: Answer) -> MailboxError:
        """One sentence for a request the server refused (no token, at most 160 characters
        of the server's own words)."""
        code = answer.error_code()
        said = secrets.redact(answer.error_message())[:160]
        if answer.status == 401:
            return MailboxError(
                f"Microsoft Graph at {self.host} rejected the sign-in of {self.tokens.who}: "
                f"{self.tokens.hint()}"
            )
        if answer.status == 403:
            permission = permission_for(call.path)
            return MailboxError(
                f"Microsoft Graph at {self.host} refused {self.tokens.who} access to the mailbox "
                f"{self.mailbox or 'of the user'} ({code or 'Forbidden'}): the app needs the "
                f"permission {permission}, and an administrator may have to consent to it."
            )
        if (
            answer.status == 404
            and call.path.startswith("/users/")
            and code
            in (
                "ErrorInvalidUser",
                "ResourceNotFound",
                "MailboxNotEnabledForRESTAPI",
            )
        ):
            return MailboxError(
                f"Microsoft Graph at {self.host} knows no mailbox {self.mailbox} ({code})."
            )
        if answer.status == 0:
            return MailboxError(
                f"The mailbox server {self.host} left a request of a batch unanswered.",
                transient=True,
            )
        detail = f"{code}: {said}" if code else f"HTTP {answer.status}"
        return MailboxError(
            f"The mailbox server {self.host} refused the request ({detail}).",
            transient=answer.status in SERVER_TROUBLE,
        )
