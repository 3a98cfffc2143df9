"""A userspace TCP proxy between a kiosk and the broker, to cut its connection on demand.

``sever()`` closes every connection through it (both sides see a dropped TCP link, as when a
kiosk's network goes away; no MQTT DISCONNECT is sent, so the broker starts the will delay).
``block()`` refuses new connections until ``unblock()``. TLS passes through untouched.
(Reference fleet-and-reliability.md §6, 'Chaos': a userspace TCP proxy where tc netem is missing.)
"""

from __future__ import annotations

import contextlib
import socket
import threading

BUFFER_BYTES = 65536


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._blocked = False
        self._closed = False
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._blocked or self._closed:
                    client.close()
                    continue
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(BUFFER_BYTES):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def sever(self) -> None:
        """Drop every live connection through the proxy."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def block(self) -> None:
        with self._lock:
            self._blocked = True

    def unblock(self) -> None:
        with self._lock:
            self._blocked = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._listener.close()
        self.sever()
