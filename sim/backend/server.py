"""HTTP plumbing of the backend simulator: the mutual-TLS JSON API, its faults, the admin API.

The API server is the standard library's ``ThreadingHTTPServer`` with an ``ssl`` server context
that requires a client certificate signed by the test CA (RFC 8446 §4.3.2, CertificateRequest).
The TLS handshake runs in the connection's own thread, so a client that never completes it
cannot stall the accept loop. The client certificate's common name is the kiosk id handed to
:class:`~sim.backend.service.BackendService`.

Faults (:class:`Faults`) act on every ``/v1`` request: ``slow`` (answer after ``delay_s``),
``error_5xx`` (503 '시군구 서버 접속이 원활하지 않습니다'), ``timeout`` (read the request, never
answer until the fault is cleared). ``down`` closes the listener (see ``BackendSim``).
Request bodies are never logged; the access log holds the request line only.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sim.backend.service import ApiError, BackendService

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # an identity envelope is ~1 KiB, a document request far less
HANDSHAKE_TIMEOUT_S = 10.0  # a TLS client must finish its handshake within this
IDLE_TIMEOUT_S = 30.0  # keep-alive connections idle this long are closed
TIMEOUT_FAULT_HOLD_S = 600.0  # the 'timeout' fault holds a request at most this long
UNAVAILABLE_MESSAGE = "시군구 서버 접속이 원활하지 않습니다"  # kiosk-domain reference §1.8
FAULT_NAMES = ("slow", "error_5xx", "timeout", "down")
DEFAULT_DELAY_S = 2.0


class UnknownFault(ValueError):
    """A fault name or parameter the simulator does not know."""


class Faults:
    """The active faults and their parameters. Thread-safe."""

    def __init__(self) -> None:
        self._active: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.released = threading.Event()  # set whenever 'timeout' is cleared or we stop

    def set(self, name: str, active: bool, params: Mapping[str, Any] | None = None) -> None:
        if name not in FAULT_NAMES:
            raise UnknownFault(f"unknown backend fault {name!r}; known: {', '.join(FAULT_NAMES)}")
        checked = dict(params or {})
        if name == "slow":
            delay = checked.get("delay_s", DEFAULT_DELAY_S)
            if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (
                    0 <= delay <= TIMEOUT_FAULT_HOLD_S):
                raise UnknownFault(f"slow: delay_s must be 0..{TIMEOUT_FAULT_HOLD_S:.0f}")
            checked = {"delay_s": float(delay)}
        elif checked:
            raise UnknownFault(f"{name} takes no parameters")
        with self._lock:
            if active:
                self._active[name] = checked
                if name == "timeout":
                    self.released.clear()
            else:
                self._active.pop(name, None)
                if name == "timeout":
                    self.released.set()

    def get(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self._active.get(name)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {name: dict(params) for name, params in self._active.items()}


def peer_common_name(connection: ssl.SSLSocket) -> str:
    """The CN of the verified client certificate ('' if absent)."""
    certificate = connection.getpeercert() or {}
    for rdn in certificate.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return ""


class ApiHandler(BaseHTTPRequestHandler):
    """Serves ``/v1/health``, ``/v1/identity`` and ``/v1/documents``."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S
    server: MtlsServer
    server_version = "kiosk-sim-backend/1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("backend api: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _answer(self, status: int, body: Mapping[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _read_json(self) -> object:
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            self.close_connection = True
            raise ApiError(411, "length_required", "a JSON body with Content-Length is required")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(413, "body_too_large", f"bodies are limited to {MAX_BODY_BYTES} bytes")
        raw = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise ApiError(415, "unsupported_media_type", "send application/json")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "bad_request", "the body is not valid UTF-8 JSON") from None

    def _dispatch(self, method: str) -> None:
        routes: dict[tuple[str, str], Callable[[str, object], dict[str, Any]]] = {
            ("GET", "/v1/health"): lambda _peer, _body: self.server.service.health(),
            ("POST", "/v1/identity"): self.server.service.identify,
            ("POST", "/v1/documents"): self.server.service.document,
        }
        try:
            body = self._read_json() if method == "POST" else None
            handler = routes.get((method, self.path))
            if handler is None:
                known = any(path == self.path for _, path in routes)
                raise ApiError(405 if known else 404, "not_found",
                               f"no {method} {self.path[:60]}")
            if not self._apply_faults():
                return
            self._answer(200, handler(peer_common_name(self.connection), body))
        except ApiError as exc:
            self._answer(exc.status, exc.body())
        except Exception:
            log.exception("backend api: internal error on %s %s", method, self.path[:60])
            self._answer(500, {"error": "internal_error", "message": "internal error"})

    def _apply_faults(self) -> bool:
        """Act out the active faults; False if the request must go unanswered."""
        faults = self.server.faults
        if faults.get("timeout") is not None:
            faults.released.wait(TIMEOUT_FAULT_HOLD_S)
            self.close_connection = True
            return False
        if faults.get("error_5xx") is not None:
            raise ApiError(503, "backend_unavailable", UNAVAILABLE_MESSAGE)
        slow = faults.get("slow")
        if slow is not None:
            self.server.stopping.wait(slow["delay_s"])
        return True


class MtlsServer(ThreadingHTTPServer):
    """A threading HTTPS server that requires client certificates."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext,
                 service: BackendService, faults: Faults) -> None:
        self.context = context
        self.service = service
        self.faults = faults
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, ApiHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        raw, address = self.socket.accept()
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle waits for the
        # client's delayed ACK and every answer takes ~40 ms longer (measured).
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.context.wrap_socket(raw, server_side=True,
                                        do_handshake_on_connect=False), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            log.info("backend api: TLS handshake from %s refused: %s", client_address[0],
                     getattr(exc, "reason", None) or type(exc).__name__)
            return
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("backend api: connection from %s ended with an error", client_address[0])

    def drop_connections(self) -> None:
        """Cut every open connection (the 'down' fault and stop)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def server_context(cert_file: str, key_file: str, ca_file: str) -> ssl.SSLContext:
    """TLS 1.2+ server context requiring a client certificate signed by ``ca_file``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    context.load_verify_locations(cafile=ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


class AdminHandler(BaseHTTPRequestHandler):
    """Plain-HTTP admin API on 127.0.0.1: ``GET /state``, ``POST /fault``."""

    server: AdminServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("backend admin: " + format, *args)

    def _answer(self, status: int, body: Mapping[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/state":
            self._answer(200, self.server.state())
        else:
            self._answer(404, {"error": f"no such endpoint {self.path[:60]}"})

    def do_POST(self) -> None:
        if self.path != "/fault":
            self._answer(404, {"error": f"no such endpoint {self.path[:60]}"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 <= length <= MAX_BODY_BYTES:
                raise ValueError("body too large")
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict) or not isinstance(body.get("fault"), str):
                raise ValueError('body must be {"fault": NAME, "active": true, "params": {}}')
            params = body.get("params") or {}
            if not isinstance(params, dict):
                raise ValueError("params must be an object")
            result = self.server.set_fault(body["fault"], bool(body.get("active", True)),
                                           params)
        except (ValueError, UnknownFault) as exc:
            self._answer(400, {"error": str(exc)})
        else:
            self._answer(200, result)


class AdminServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int],
                 set_fault: Callable[[str, bool, Mapping[str, Any]], dict[str, Any]],
                 state: Callable[[], dict[str, Any]]) -> None:
        self.set_fault = set_fault
        self.state = state
        super().__init__(address, AdminHandler)
