"""The running sandbox as its two faces see it: what the transport (server.py) and the Graph
face (graph/) ask of a `Sandbox`, so they name it without importing the package that builds
them (which would be an import cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import ssl

    from .auth import Door
    from .controls import Controls
    from .graph.exchanges import Exchange
    from .graph.limits import Limits
    from .state import SandboxState
    from .xml import Element


class Host(Protocol):
    """A started `Sandbox`: its state, sign-in door, controls and addresses."""

    state: SandboxState
    door: Door
    controls: Controls
    #: Exchange Online's Outlook limits on the Graph face
    graph_limits: Limits
    tls: ssl.SSLContext | None

    @property
    def url(self) -> str: ...

    @property
    def graph_url(self) -> str: ...

    @property
    def user(self) -> str: ...

    def after_change(self) -> None:
        """Called after each request: persist if asked to."""

    def record(self, operation: str, response: Element) -> None:
        """Keep an EWS response (with record=True), for the schema check."""

    def record_graph(self, exchange: Exchange) -> None:
        """Keep a Graph exchange (with record=True), for the schema check."""
