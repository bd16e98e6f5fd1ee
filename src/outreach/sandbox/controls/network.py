"""The network between client and server: counting requests, injecting faults, EWS policy.

The transport calls `count` and `take_fault` on every request, naming the protocol face
it arrived on: "ews" (an EWS operation name such as SyncFolderItems) or "graph" (the
method and route, e.g. "GET /mailFolders/{id}/messages/delta"). The requests inside a
Graph $batch are counted apart ("batched"): they are not HTTP requests of their own.
While `ews_policy_reason` is set the EWS face answers HTTP 403 (Exchange Online's EWS
switch-off); the Graph face goes on.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from ..auth import EWS_POLICY_REASON

FACES = ("ews", "graph")
#: kind -> the faces it can be played on
FAULT_KINDS = {
    "http500": FACES,
    "slow": FACES,
    "drop": FACES,
    "error": FACES,
    "server_busy": ("ews",),
    "throttle": ("graph",),
    "unavailable": ("graph",),
}


class Network:
    """Request counters and pending faults, guarded by their own lock (not the state's)."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = {f: Counter() for f in (*FACES, "batched")}
        self._faults: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        #: set while the organization's policy blocks EWS (the X-EWS-Policy-Reason value)
        self.ews_policy_reason = ""

    def disable_ews(self, reason: str = EWS_POLICY_REASON) -> None:
        """Turn EWS off for the organization, as Exchange Online does: HTTP 403 from now on."""
        self.ews_policy_reason = reason or EWS_POLICY_REASON

    def enable_ews(self) -> None:
        self.ews_policy_reason = ""

    def count(self, operation: str, face: str = "ews") -> None:
        with self._lock:
            self._counts[face][operation] += 1

    def request_counts(self, face: str | None = None) -> dict[str, int]:
        """Requests per operation since the last reset (the round trips a client made).

        face: "ews" or "graph" for one protocol face, "batched" for the requests carried
        inside Graph $batch requests; None for every HTTP request on both faces.
        """
        with self._lock:
            if face is not None:
                return dict(self._counts[face])
            return {k: v for f in FACES for k, v in self._counts[f].items()}

    def reset_request_counts(self) -> None:
        with self._lock:
            for counter in self._counts.values():
                counter.clear()

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        *,
        operation: str | None = None,
        face: str | None = None,
        back_off_ms: int = 100,
        seconds: float = 1.0,
        code: str | None = None,
        status: int | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail the next `count` requests (of `operation` and of one `face`, if given).

        kind: http500 | server_busy (EWS: SOAP fault with BackOffMilliseconds) | throttle
        (Graph: 429 with Retry-After `retry_after` seconds) | unavailable (Graph: 503 with
        Retry-After) | slow (sleep `seconds`, then answer) | drop (close the connection) |
        error (EWS: per-message `code`, e.g. ErrorInvalidSyncStateData; Graph: HTTP `status`,
        default 400, with error `code`, e.g. 410 syncStateNotFound, 401
        InvalidAuthenticationToken, 403 ErrorAccessDenied).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        if face is not None and face not in FACES:
            raise ValueError(f"unknown face {face!r}; one of {list(FACES)}")
        if face is not None and face not in FAULT_KINDS[kind]:
            raise ValueError(f"fault kind {kind!r} is not played on the {face} face")
        if kind == "error" and not code:
            raise ValueError("fault kind 'error' needs a code")
        with self._lock:
            self._faults.append(
                {
                    "kind": kind,
                    "left": count,
                    "operation": operation,
                    "face": face,
                    "back_off_ms": back_off_ms,
                    "seconds": seconds,
                    "code": code,
                    "status": status,
                    "retry_after": retry_after,
                }
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, operation: str, face: str = "ews") -> dict[str, Any] | None:
        """The fault to play on this request, if any (consumes one use)."""
        with self._lock:
            for spec in self._faults:
                if (
                    spec["operation"] in (None, operation)
                    and spec["face"] in (None, face)
                    and face in FAULT_KINDS[spec["kind"]]
                    and spec["left"] > 0
                ):
                    spec["left"] -= 1
                    if spec["left"] == 0:
                        self._faults.remove(spec)
                    return spec
        return None
