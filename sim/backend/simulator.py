"""``BackendSim``: the city issuance-backend simulator as one object to start and stop.

    with BackendSim() as backend:            # free ports, examples/pki
        backend.url                          # https://127.0.0.1:PORT (mutual TLS)
        backend.fault("slow", delay_s=0.5)   # or "error_5xx", "timeout", "down"
        backend.fault("slow", False)

It serves the JSON API of docs/protocols/backend-api.md over mutual TLS with the test PKI
(server certificate ``backend.pem``, client certificates signed by ``ca.pem``), opens identity
envelopes with ``backend-x25519.key`` and signs documents with ``authority-ed25519.key``. The
backend serves the kiosks whose client certificates ``kiosk-*.pem`` lie in the PKI directory
(or the ``kiosk_ids`` given); any other certificate of the CA is refused. The admin API (plain
HTTP on 127.0.0.1) sets faults and reports state; with ``run_dir`` it writes
``RUN_DIR/backend.json`` (``url``, ``admin_url``) for ``kiosk-sim backend-fault``. The simulator
keeps everything in memory and writes nothing else to disk.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from kiosk.issuance.envelope import ENVELOPE_LIFETIME_S, load_private_key
from sim.backend.server import AdminServer, Faults, MtlsServer, server_context
from sim.backend.service import TOKEN_TTL_S, BackendService

log = logging.getLogger(__name__)

DEFAULT_PKI_DIR = Path(__file__).resolve().parents[2] / "examples" / "pki"
INFO_FILE = "backend.json"
POLL_INTERVAL_S = 0.05  # how quickly the accept loop notices shutdown (the 'down' fault)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def registered_kiosks(pki_dir: Path) -> list[str]:
    """The kiosk ids the backend serves: the CNs of ``kiosk-*.pem`` in the PKI directory."""
    kiosks = []
    for path in sorted(pki_dir.glob("kiosk-*.pem")):
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        kiosks += [str(name.value) for name in names]
    return kiosks


class BackendSim:
    """The simulated city backend: API server, admin server, faults and state."""

    def __init__(self, pki_dir: Path | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 admin_port: int = 0, run_dir: Path | None = None,
                 token_ttl_s: float = TOKEN_TTL_S, envelope_lifetime_s: int = ENVELOPE_LIFETIME_S,
                 clock: Callable[[], float] = time.time,
                 kiosk_ids: Iterable[str] | None = None) -> None:
        self.pki_dir = pki_dir or DEFAULT_PKI_DIR
        self.kiosk_ids = frozenset(kiosk_ids if kiosk_ids is not None
                                   else registered_kiosks(self.pki_dir))
        self.host = host
        self.port = port
        self.admin_port = admin_port
        self.run_dir = run_dir
        self.faults = Faults()
        self.service = BackendService(
            load_private_key((self.pki_dir / "backend-x25519.key").read_bytes()),
            load_signing_key(self.pki_dir / "authority-ed25519.key"),
            token_ttl_s=token_ttl_s, envelope_lifetime_s=envelope_lifetime_s, clock=clock,
            kiosk_ids=self.kiosk_ids)
        self._context = server_context(str(self.pki_dir / "backend.pem"),
                                       str(self.pki_dir / "backend.key"),
                                       str(self.pki_dir / "ca.pem"))
        self._api: MtlsServer | None = None
        self._admin: AdminServer | None = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> BackendSim:
        with self._lock:
            self._listen()
            self._admin = AdminServer((self.host, self.admin_port), self._set_fault, self.state)
            self.admin_port = self._admin.server_address[1]
            threading.Thread(target=self._admin.serve_forever, name="backend-admin",
                             kwargs={"poll_interval": POLL_INTERVAL_S}, daemon=True).start()
            if self.run_dir is not None:
                self.run_dir.mkdir(parents=True, exist_ok=True)
                (self.run_dir / INFO_FILE).write_text(json.dumps(
                    {"url": self.url, "admin_url": self.admin_url}), encoding="utf-8")
        log.info("backend simulator listening on %s (admin %s)", self.url, self.admin_url)
        return self

    def stop(self) -> None:
        with self._lock:
            self.faults.released.set()
            self._close_listener()
            if self._admin is not None:
                self._admin.shutdown()
                self._admin.server_close()
                self._admin = None
            if self.run_dir is not None:
                (self.run_dir / INFO_FILE).unlink(missing_ok=True)

    def __enter__(self) -> BackendSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _listen(self) -> None:
        self._api = MtlsServer((self.host, self.port), self._context, self.service, self.faults)
        self.port = self._api.server_address[1]
        threading.Thread(target=self._api.serve_forever, name="backend-api",
                         kwargs={"poll_interval": POLL_INTERVAL_S}, daemon=True).start()

    def _close_listener(self) -> None:
        if self._api is not None:
            self._api.stopping.set()
            self._api.shutdown()
            self._api.server_close()
            self._api.drop_connections()
            self._api = None

    # ------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}"

    @property
    def listening(self) -> bool:
        return self._api is not None

    def fault(self, name: str, on: bool = True, **params: Any) -> dict[str, Any]:
        """Switch a fault on or off: slow (delay_s), error_5xx, timeout, down."""
        return self._set_fault(name, on, params)

    def _set_fault(self, name: str, on: bool, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.faults.set(name, on, params)
            if name == "down":
                if on and self._api is not None:
                    self._close_listener()
                elif not on and self._api is None:
                    self._listen()
            log.info("backend fault %s %s", name, "on" if on else "off")
            return self.state()

    def state(self) -> dict[str, Any]:
        return {"url": self.url, "admin_url": self.admin_url, "listening": self.listening,
                "kiosks": sorted(self.kiosk_ids),
                "faults": self.faults.snapshot(), **self.service.state()}
