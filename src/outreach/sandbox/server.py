"""Transport: HTTP(S) + SOAP envelope, faults, request counting, recording; sign-in is auth.py's.

Requests under /v1.0/ go to the Graph face (graph/), which does its own bearer sign-in
(through the door's token check), faults, counting and recording.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import autodiscover, graph
from .auth import ConnectionSignIn, refuse_ews_by_policy
from .operations import Context, OperationError, error_message, load_all
from .xml import (
    NSMAP,
    Element,
    el,
    envelope,
    fault,
    local,
    q,
    response_message,
    server_version_info,
    sub,
)

if TYPE_CHECKING:
    from .host import Host

log = logging.getLogger(__name__)
EWS_PATH = "/EWS/Exchange.asmx"
CONTROL_PATH = "/sandbox/control"


class Handler(BaseHTTPRequestHandler):
    """One HTTP request: SOAP to EWS_PATH, JSON to CONTROL_PATH."""

    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, ctype: str = "text/xml; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def setup(self) -> None:
        super().setup()
        self.sign_in = ConnectionSignIn()  # NTLM signs in the connection, not the request

    def answer(self, status: int, headers: Any, body: bytes) -> None:
        """Send a status with headers and a body (the sign-in door's answers)."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self._is_graph():
            self._graph("GET")
            return
        self._send(200, b"outreach sandbox: POST SOAP to " + EWS_PATH.encode(), "text/plain")

    def do_PATCH(self) -> None:
        self._graph("PATCH")

    def do_DELETE(self) -> None:
        self._graph("DELETE")

    def _is_graph(self) -> bool:
        return self.path.startswith(graph.GRAPH_PATH + "/")

    def _graph(self, method: str) -> None:
        """Hand a request to the Graph face and write its answer."""
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._is_graph():
            self._send(404, b"not found", "text/plain")
            return
        try:
            status, headers, body = graph.serve(
                self.server.sandbox, method, self.path, dict(self.headers.items()), data
            )
        except graph.Dropped:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.answer(status, headers.items(), body)

    def do_POST(self) -> None:
        if self._is_graph():
            self._graph("POST")
            return
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        if self.path.startswith(CONTROL_PATH):
            self._control(data)
            return
        sandbox = self.server.sandbox
        user = sandbox.door.sign_in(self, self.sign_in)
        if user is None:
            return
        if autodiscover.is_autodiscover(self.path):
            self._send(*autodiscover.answer(data, autodiscover.settings_for(sandbox.url)))
            return
        if sandbox.controls.ews_policy_reason:
            refuse_ews_by_policy(self, sandbox.controls.ews_policy_reason)
            return
        try:
            root = etree.fromstring(data)
            body = root.find(q("s:Body"))
            request = body[0]
            name = local(request)
        except (etree.XMLSyntaxError, TypeError, IndexError):
            self._send(400, fault("ErrorSchemaValidation", "The request is not valid SOAP."))
            return
        sandbox.controls.count(name)
        injected = sandbox.controls.take_fault(name)
        if injected is not None and self._inject(injected, name):
            return
        header = root.find(q("s:Header"))
        impersonated = tz_id = None
        if header is not None:
            impersonated = header.findtext(".//t:PrimarySmtpAddress", namespaces=NSMAP)
            tz = header.find(".//t:TimeZoneDefinition", namespaces=NSMAP)
            tz_id = tz.get("Id") if tz is not None else None
        handler = load_all().get(name)
        if handler is None:
            self._send(500, fault("ErrorInvalidRequest", f"The sandbox does not implement {name}."))
            return
        ctx = Context(sandbox.state, impersonated or user, tz_id)
        with sandbox.state.lock:
            response = handler(ctx, request)
            sandbox.after_change()
        out = envelope(response, server_version_info())
        sandbox.record(name, response)
        self._send(200, out)

    def _inject(self, spec: dict[str, Any], name: str) -> bool:
        """Play one injected fault; True if the request is answered (or dropped) by it."""
        kind = spec["kind"]
        if kind == "slow":
            time.sleep(float(spec.get("seconds", 1.0)))
            return False
        if kind == "http500":
            # What IIS answers when the EWS application fails under load.
            self._send(
                500,
                b"<html><body><h1>Server Error in '/EWS' Application.</h1></body></html>",
                "text/html",
            )
            return True
        if kind == "server_busy":
            ms = str(int(spec.get("back_off_ms", 100)))
            self._send(
                500,
                fault(
                    "ErrorServerBusy",
                    "The server cannot service this request right now. Try again later.",
                    {"BackOffMilliseconds": ms},
                ),
            )
            return True
        if kind == "error":
            response = error_response(name, spec["code"])
            self.server.sandbox.record(name, response)
            self._send(200, envelope(response, server_version_info()))
            return True
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        return False

    def _control(self, data: bytes) -> None:
        sandbox = self.server.sandbox
        try:
            request = json.loads(data or b"{}")
            result = sandbox.controls.call(request["action"], request.get("args", {}))
            self._send(
                200,
                json.dumps({"ok": True, "result": result}, default=str).encode(),
                "application/json",
            )
        except (KeyError, ValueError, TypeError, OperationError) as e:
            self._send(
                400,
                json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}).encode(),
                "application/json",
            )


def error_response(operation: str, code: str) -> Element:
    """An injected error for any operation, shaped as Exchange shapes that operation's answer."""
    text = f"Injected by the sandbox: {code}."
    if operation == "GetMailTips":  # the response is itself the response message
        return response_message("m:GetMailTipsResponse", code, text)
    if operation == "GetUserAvailabilityRequest":  # one error per mailbox asked about
        resp = el("m:GetUserAvailabilityResponse")
        answer = sub(sub(resp, "m:FreeBusyResponseArray"), "m:FreeBusyResponse")
        answer.append(response_message("m:ResponseMessage", code, text))
        return resp
    resp = el(f"m:{operation}Response")
    sub(resp, "m:ResponseMessages").append(error_message(operation, code, text))
    return resp


class SandboxHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its sandbox."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Host) -> None:
        super().__init__(address, Handler)
        self.sandbox = sandbox
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Serve one connection; with TLS, shake hands first (in the connection's thread)."""
        context: ssl.SSLContext | None = self.sandbox.tls
        if context is None:
            super().finish_request(request, client_address)
            return
        try:
            secure = context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as refused:
            log.debug("sandbox: TLS handshake failed (%s)", refused)
            return
        with self._open_lock:
            self._open.add(secure)
        try:
            super().finish_request(secure, client_address)
        finally:
            with self._open_lock:
                self._open.discard(secure)
            with contextlib.suppress(OSError):
                secure.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close the kept-alive connections too: a stopped server answers nobody."""
        super().server_close()
        with self._open_lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._open.clear()


def serve_in_thread(
    server: ThreadingHTTPServer, name: str = "outreach-sandbox"
) -> threading.Thread:
    """Serve in a daemon thread (stop_serving ends it)."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return thread


def stop_serving(server: ThreadingHTTPServer) -> None:
    """Stop a server that serve_in_thread started, and close its socket and connections."""
    server.shutdown()
    server.server_close()
