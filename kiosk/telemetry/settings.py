"""Where the kiosk's MQTT link goes and how it paces itself: broker URLs, TLS files, tuning.

Broker addresses are URLs everywhere (issue 6): ``mqtt://host[:port]`` (1883) or
``mqtts://host[:port]`` (8883, IANA) with a CA, a client certificate whose CN is the kiosk id,
and its key. No credentials in the URL: the certificate is the identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.errors import ConfigError

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}  # IANA registered MQTT ports


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://host[:port]`` or ``mqtts://host[:port]``; anything else is a ``ConfigError``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"telemetry.broker_url: {exc}") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigError("telemetry.broker_url: need mqtt://host:port or mqtts://host:port "
                          f"(scheme {parts.scheme!r})")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query:
        raise ConfigError("telemetry.broker_url: no credentials, path or query allowed "
                          "(identity comes from the client certificate)")
    return BrokerAddress(parts.hostname, port or DEFAULT_PORTS[parts.scheme],
                         parts.scheme == "mqtts")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class Tuning:
    """Timing and flow-control knobs; the defaults suit production, tests shorten them."""

    keepalive_s: int = 30
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 60.0
    session_expiry_s: int = 3600
    inflight_window: int = 100
    ack_window: int = 2000
    batch: int = 200
    ack_timeout_s: float = 15.0
    ack_timeout_max_s: float = 300.0
    health_min_interval_s: float = 1.0
    shutdown_timeout_s: float = 2.0
