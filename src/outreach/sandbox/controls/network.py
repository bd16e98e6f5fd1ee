"""The network between client and server: counting requests, injecting faults, EWS policy.

The transport (server.py) calls `count` and `take_fault` on every EWS request, and
answers HTTP 403 while `ews_policy_reason` is set (Exchange Online's EWS switch-off).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from ..auth import EWS_POLICY_REASON

FAULT_KINDS = {"http500", "server_busy", "slow", "drop", "error"}


class Network:
    """Request counter and pending faults, guarded by their own lock (not the state's)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._faults: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        #: set while the organization's policy blocks EWS (the X-EWS-Policy-Reason value)
        self.ews_policy_reason = ""

    def disable_ews(self, reason: str = EWS_POLICY_REASON) -> None:
        """Turn EWS off for the organization, as Exchange Online does: HTTP 403 from now on."""
        self.ews_policy_reason = reason or EWS_POLICY_REASON

    def enable_ews(self) -> None:
        self.ews_policy_reason = ""

    def count(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def request_counts(self) -> dict[str, int]:
        """Requests per EWS operation since the last reset (the round trips a client made)."""
        with self._lock:
            return dict(self._counts)

    def reset_request_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def inject_fault(
        self,
        kind: str,
        count: int = 1,
        *,
        operation: str | None = None,
        back_off_ms: int = 100,
        seconds: float = 1.0,
        code: str | None = None,
    ) -> None:
        """Fail the next `count` requests (of `operation`, if given).

        kind: http500 | server_busy (SOAP fault with BackOffMilliseconds) | slow (sleep `seconds`,
        then answer) | drop (close the connection) | error (per-message `code`, e.g.
        ErrorInvalidSyncStateData, ErrorSubscriptionNotFound).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        if kind == "error" and not code:
            raise ValueError("fault kind 'error' needs a code")
        with self._lock:
            self._faults.append(
                {
                    "kind": kind,
                    "left": count,
                    "operation": operation,
                    "back_off_ms": back_off_ms,
                    "seconds": seconds,
                    "code": code,
                }
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, operation: str) -> dict[str, Any] | None:
        """The fault to play on this request, if any (consumes one use)."""
        with self._lock:
            for spec in self._faults:
                if spec["operation"] in (None, operation) and spec["left"] > 0:
                    spec["left"] -= 1
                    if spec["left"] == 0:
                        self._faults.remove(spec)
                    return spec
        return None
