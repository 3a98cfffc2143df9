"""`kiosk check-config --probe`: open every device port, the broker and the backend once.

Test before configure (Home Assistant): each probe reports ``ok`` or the specific reason it
failed, without raising, so a technician sees every problem at once.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import serial

from kiosk.config import KioskConfig

PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class ProbeResult:
    """One probe: what was probed, whether it worked and a one-line detail."""

    target: str
    ok: bool
    detail: str


def probe_device(name: str, port: str, baudrate: int) -> ProbeResult:
    try:
        link = serial.serial_for_url(port, baudrate=baudrate, timeout=PROBE_TIMEOUT_S)
    except (serial.SerialException, OSError, ValueError) as exc:
        return ProbeResult(f"device {name}", False, f"cannot open {port}: {exc}")
    link.close()
    return ProbeResult(f"device {name}", True, f"opened {port}")


def _client_context(ca: Path | None, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    if cert and key:
        context.load_cert_chain(str(cert), str(key))
    return context


def probe_broker(config: KioskConfig) -> ProbeResult:
    telemetry = config.telemetry
    parts = urlsplit(telemetry.broker_url)
    tls = parts.scheme == "mqtts"
    port = parts.port or (8883 if tls else 1883)
    host = parts.hostname or "localhost"
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S) as sock:
            if tls:
                context = _client_context(telemetry.ca_file, telemetry.cert_file,
                                          telemetry.key_file)
                with context.wrap_socket(sock, server_hostname=host) as wrapped:
                    version = wrapped.version()
                return ProbeResult("broker", True, f"TLS ({version}) to {host}:{port}")
    except (OSError, ssl.SSLError) as exc:
        return ProbeResult("broker", False, f"{telemetry.broker_url}: {exc}")
    return ProbeResult("broker", True, f"TCP to {host}:{port}")


def probe_backend(config: KioskConfig) -> ProbeResult:
    backend = config.backend
    parts = urlsplit(backend.url)
    try:
        context = _client_context(backend.ca_file, backend.cert_file, backend.key_file)
        conn = http.client.HTTPSConnection(parts.hostname or "localhost", parts.port or 443,
                                           context=context, timeout=PROBE_TIMEOUT_S)
        conn.request("GET", parts.path.rstrip("/") + "/v1/health")
        response = conn.getresponse()
        conn.close()
    except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
        return ProbeResult("backend", False, f"{backend.url}: {exc}")
    return ProbeResult("backend", response.status == 200,
                       f"{backend.url}: HTTP {response.status}")


def probe_all(config: KioskConfig) -> list[ProbeResult]:
    """Probe every enabled device, the broker and the backend; never raises."""
    results = [probe_device(name, device.port, device.baudrate)
               for name, device in config.devices.by_name().items() if device.enabled]
    if config.telemetry.enabled:
        results.append(probe_broker(config))
    results.append(probe_backend(config))
    return results
