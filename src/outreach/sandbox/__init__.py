"""A local Exchange server that exchangelib (EWS) and the Graph backend talk to over real HTTP.

with Sandbox() as sb:
    config = Configuration(service_endpoint=sb.url, credentials=Credentials("u", "p"),
                           auth_type=BASIC)
    sb.controls.press_send(subject="Informational interview")
"""

from __future__ import annotations

import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType

from lxml import etree

from . import persist
from .auth import Door, certificate_hash
from .autodiscover import AUTODISCOVER_PATH
from .controls import Controls
from .directory import Directory, Person
from .graph import GRAPH_PATH
from .graph.exchanges import Exchange
from .graph.limits import Limits
from .mailbox import Mailbox
from .server import CONTROL_PATH, EWS_PATH, SandboxHTTPServer, serve_in_thread, stop_serving
from .state import SandboxState, real_clock
from .xml import Element

__all__ = ["CONTROL_PATH", "ENDPOINT_FILE", "EWS_PATH", "Controls", "Directory", "Sandbox",
           "served_from"]


#: The file in a sandbox's data folder that names the address it is served at.
ENDPOINT_FILE = "endpoint"


def served_from(data_dir: str | Path, *, check: bool = True) -> str | None:
    """Return the EWS address a sandbox with this data folder is served at, if one is.

    With ``check``, only an address that answers counts (a crashed server's note does not).
    """
    try:
        url = (Path(data_dir) / ENDPOINT_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not url.startswith("http://127.0.0.1:") or not check:
        return url or None
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback server
            return url
    except (urllib.error.URLError, OSError, ValueError):
        return None


class Sandbox:
    """The sandbox server: start()/stop() or use as a context manager; `.url` is the EWS endpoint.

    data_dir: load state from there at start and save after every change (so a scenario
    survives a restart). passwords: check credentials (HTTP 401 on a mismatch) instead of
    accepting any. auth: the sign-in schemes offered (basic, ntlm, negotiate, bearer; see
    auth.py); tokens: checks a bearer token, returning the address it is for ("" for an app
    token) or None. tls_cert: a PEM file with the private key and certificate chain, to serve
    HTTPS. directory: a Directory or a YAML/JSON path (default: the shipped example); people:
    more colleagues to know (the user's own contacts, for a practice run). clock: returns an
    aware UTC datetime. record: keep every response body so a test can validate them against
    the schema (EWS in `recorded`, Graph exchanges in `graph_recorded`). `graph_url` is the
    Graph face; it signs in bearer tokens through `tokens` too (None accepts any token as
    the default user).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        data_dir: str | Path | None = None,
        directory: Directory | str | Path | None = None,
        clock: Callable[[], datetime] = real_clock,
        user: str | None = None,
        record: bool = False,
        autosave: bool = True,
        passwords: Mapping[str, str] | None = None,
        people: Iterable[Person] = (),
        auth: tuple[str, ...] = ("basic",),
        tokens: Callable[[str], str | None] | None = None,
        tls_cert: str | Path | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.data_dir = Path(data_dir) if data_dir else None
        self.clock = clock
        self.tls: ssl.SSLContext | None = None
        binding = None
        if tls_cert is not None:
            self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls.load_cert_chain(str(tls_cert))
            binding = certificate_hash(Path(tls_cert).read_text(encoding="ascii"))
        #: who may sign in and how; no passwords accepts any credentials (the practice default)
        self.door = Door(tuple(auth), passwords, tokens, binding)
        loaded = persist.load(self.data_dir, clock) if self.data_dir else None
        if loaded is not None:
            self.state = loaded
        else:
            if not isinstance(directory, Directory):
                directory = Directory.load(directory)
            self.state = SandboxState(directory, clock, user)
        self.state.directory.welcome(people)
        self.controls = Controls(self)
        self.recording = record
        self.recorded: list[tuple[str, Element]] = []
        self.graph_recorded: list[Exchange] = []
        #: Exchange Online's Outlook limits on the Graph face (off until limit_graph)
        self.graph_limits = Limits()
        self.autosave = autosave
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """e.g. http://127.0.0.1:PORT (https:// when serving TLS)."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The EWS endpoint, e.g. http://127.0.0.1:PORT/EWS/Exchange.asmx."""
        return self.base_url + EWS_PATH

    @property
    def autodiscover_url(self) -> str:
        """The SOAP Autodiscover endpoint, e.g. http://127.0.0.1:PORT/autodiscover/autodiscover.svc."""
        return self.base_url + AUTODISCOVER_PATH

    @property
    def graph_url(self) -> str:
        """The Graph face, e.g. http://127.0.0.1:PORT/v1.0."""
        return self.base_url + GRAPH_PATH

    @property
    def control_url(self) -> str:
        return self.base_url + CONTROL_PATH

    @property
    def user(self) -> str:
        """The default mailbox owner's address."""
        return self.state.default_user

    def mailbox(self, address: str | None = None) -> Mailbox:
        return self.state.mailbox_for(address)

    def bind(self) -> Sandbox:
        """Take the port (0: a free one) and announce the endpoint; ``OSError`` if it is taken."""
        self._server = SandboxHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self.announce()
        return self

    def start(self) -> Sandbox:
        self.bind()
        assert self._server is not None
        self._thread = serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        if self._server is not None:
            stop_serving(self._server)
            self._server = None
            self._withdraw()
        self.door.close()
        if self.data_dir:
            self.save()

    def announce(self) -> None:
        """Note the address being served in data_dir, so commands find this sandbox."""
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.data_dir.chmod(0o700)
            (self.data_dir / ENDPOINT_FILE).write_text(self.url + "\n", encoding="utf-8")

    def _withdraw(self) -> None:
        if self.data_dir is not None:
            note = self.data_dir / ENDPOINT_FILE
            if served_from(self.data_dir, check=False) == self.url:
                note.unlink(missing_ok=True)

    def serve_forever(self) -> None:
        """Serve in the foreground after ``bind`` (the CLI) until Ctrl-C; then stop."""
        assert self._server is not None, "bind() first"
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def save(self) -> Path:
        """Write the state to data_dir (ValueError without one)."""
        if self.data_dir is None:
            raise ValueError("this sandbox has no data directory")
        return persist.save(self.state, self.data_dir)

    def after_change(self) -> None:
        """Called after each request and control action: persist if asked to."""
        if self.data_dir and self.autosave:
            self.save()

    def record(self, operation: str, response: Element) -> None:
        if self.recording:
            self.recorded.append((operation, etree.fromstring(etree.tostring(response))))

    def record_graph(self, exchange: Exchange) -> None:
        if self.recording:
            self.graph_recorded.append(exchange)
