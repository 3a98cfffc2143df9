"""The kiosk's settings: one TOML file read once into frozen dataclasses.

Every table becomes a dataclass; units are in the names (``timeout_s``); ranges are checked at
load; unknown keys, wrong types, out-of-range values and missing files are errors that name the
key path. Relative paths are resolved against the config file's directory. Drivers and services
receive their own dataclass, never the parser. See ``examples/kiosk.toml`` for every key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from kiosk.config_schema import Loader, spec
from kiosk.errors import ConfigError

DEVICE_NAMES = ("fingerprint", "printer", "receipt", "binder", "card_reader", "panel")
LANGUAGES = ("ko", "en", "zh", "vi", "ja")
THEMES = ("default", "high-contrast", "large-text")
KIOSK_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}"
SITE_PATTERN = r"[a-z0-9][a-z0-9_-]{1,63}"
DOCUMENT_CODE_PATTERN = r"[a-z][a-z0-9-]{1,63}"


@dataclass(frozen=True)
class KioskIdentity:
    """Who this kiosk is: ``id`` (also its certificate CN) and ``site`` (MQTT topic level)."""

    id: str = field(metadata=spec(pattern=KIOSK_ID_PATTERN))
    site: str = field(metadata=spec(pattern=SITE_PATTERN))
    timezone: str = "Asia/Seoul"
    location: str = ""


@dataclass(frozen=True)
class DeviceConfig:
    """One peripheral: its port URL (``serial_for_url``), line speed and deadlines."""

    port: str = field(metadata=spec(pattern=r"\S+", kind="port"))
    baudrate: int = field(default=115200, metadata=spec(ge=1200, le=921600))
    timeout_s: float = field(default=2.0, metadata=spec(gt=0, le=120))
    retries: int = field(default=2, metadata=spec(ge=0, le=10))
    reconnect_max_s: float = field(default=2.0, metadata=spec(gt=0, le=60))
    enabled: bool = True


@dataclass(frozen=True)
class DevicesConfig:
    """All six peripherals, by their fixed names."""

    fingerprint: DeviceConfig
    printer: DeviceConfig
    receipt: DeviceConfig
    binder: DeviceConfig
    card_reader: DeviceConfig
    panel: DeviceConfig

    def by_name(self) -> Mapping[str, DeviceConfig]:
        return MappingProxyType({name: getattr(self, name) for name in DEVICE_NAMES})


@dataclass(frozen=True)
class BackendConfig:
    """The city issuance backend: HTTPS with mutual TLS, and its X25519 public key."""

    url: str = field(metadata=spec(kind="url", schemes=("https",)))
    ca_file: Path = field(metadata=spec(kind="file"))
    cert_file: Path = field(metadata=spec(kind="file"))
    key_file: Path = field(metadata=spec(kind="file"))
    public_key_file: Path = field(metadata=spec(kind="file"))
    timeout_s: float = field(default=10.0, metadata=spec(gt=0, le=120))


@dataclass(frozen=True)
class TelemetryConfig:
    """The MQTT link to the fleet monitor and the durable outbox."""

    broker_url: str = field(metadata=spec(kind="url", schemes=("mqtt", "mqtts")))
    outbox_path: Path = field(metadata=spec(kind="path"))
    ca_file: Path | None = field(default=None, metadata=spec(kind="file"))
    cert_file: Path | None = field(default=None, metadata=spec(kind="file"))
    key_file: Path | None = field(default=None, metadata=spec(kind="file"))
    fleet_public_key_file: Path | None = field(default=None, metadata=spec(kind="file"))
    health_interval_s: float = field(default=60.0, metadata=spec(ge=1, le=3600))
    outbox_max_events: int = field(default=100_000, metadata=spec(ge=100, le=10_000_000))
    will_delay_s: int = field(default=30, metadata=spec(ge=0, le=3600))
    enabled: bool = True


@dataclass(frozen=True)
class JournalConfig:
    """The crash-safe issuance journal (SQLite). Print jobs are never spooled to disk: an
    issued document holds personal data, so it lives only in memory until printed."""

    path: Path = field(metadata=spec(kind="path"))


@dataclass(frozen=True)
class DocumentsConfig:
    """Issued documents: the authority's PAdES signing certificate and key (on a real kiosk in
    its secure element), and the certificate of the authority's Ed25519 content-signing key,
    which every document the backend sends must verify against before it is printed."""

    signer_cert_file: Path = field(metadata=spec(kind="file"))
    signer_key_file: Path = field(metadata=spec(kind="file"))
    content_cert_file: Path = field(metadata=spec(kind="file"))


@dataclass(frozen=True)
class UiConfig:
    """The touchscreen: resolution, theme, language choices and the idle timeouts."""

    width_px: int = field(default=1080, metadata=spec(ge=320, le=7680))
    height_px: int = field(default=1920, metadata=spec(ge=320, le=7680))
    fullscreen: bool = True
    theme: str = field(default="default", metadata=spec(choices=THEMES))
    languages: tuple[str, ...] = field(default=LANGUAGES, metadata=spec(choices=LANGUAGES))
    default_language: str = field(default="ko", metadata=spec(choices=LANGUAGES))
    idle_timeout_s: float = field(default=60.0, metadata=spec(ge=30, le=600))
    idle_warning_s: float = field(default=20.0, metadata=spec(ge=20, le=120))
    collect_timeout_s: float = field(default=60.0, metadata=spec(ge=10, le=600))


@dataclass(frozen=True)
class ServiceConfig:
    """Technician diagnostics mode: the PIN's hash (``scrypt$<salt hex>$<hash hex>``)."""

    pin_hash: str = field(metadata=spec(pattern=r"scrypt\$[0-9a-f]{16,}\$[0-9a-f]{64}"))
    max_attempts: int = field(default=5, metadata=spec(ge=1, le=20))


@dataclass(frozen=True)
class TrustConfig:
    """Certificates trusted to sign issued documents (for ``kiosk verify``)."""

    authority_anchors: tuple[Path, ...] = field(metadata=spec(kind="file"))


@dataclass(frozen=True)
class LoggingConfig:
    """Structured logging: level only; output is one JSON object per line on stdout."""

    level: str = field(default="INFO", metadata=spec(choices=("DEBUG", "INFO", "WARNING",
                                                               "ERROR")))


@dataclass(frozen=True)
class KioskConfig:
    """The whole configuration; ``source`` is the file it came from."""

    kiosk: KioskIdentity
    devices: DevicesConfig
    backend: BackendConfig
    telemetry: TelemetryConfig
    journal: JournalConfig
    documents: DocumentsConfig
    service: ServiceConfig
    trust: TrustConfig
    ui: UiConfig = field(default_factory=UiConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    fees: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}),
                                    metadata=spec(ge=0, le=100_000))
    source: Path | None = None


def parse_config(data: Mapping[str, object], base_dir: Path) -> KioskConfig:
    """Build a ``KioskConfig`` from parsed TOML.

    Raises:
        ConfigError: with every problem found, each naming its key path.
    """
    loader = Loader(base_dir)
    data = dict(data)
    if "source" in data:
        loader.problem("source", "unknown key")
        data.pop("source")
    config = loader.build(KioskConfig, data, "")
    problems = loader.problems + (_cross_checks(config) if config else [])
    if problems or config is None:
        raise ConfigError(problems or ["<root>: invalid configuration"])
    return config


def _cross_checks(config: KioskConfig) -> list[str]:
    problems = []
    for code in config.fees:
        if re.fullmatch(DOCUMENT_CODE_PATTERN, code) is None:
            problems.append(f"fees.{code}: not a document code ({DOCUMENT_CODE_PATTERN})")
    if config.ui.default_language not in config.ui.languages:
        problems.append(f"ui.default_language: {config.ui.default_language!r} is not in "
                        f"ui.languages")
    if config.ui.idle_warning_s >= config.ui.idle_timeout_s:
        problems.append("ui.idle_warning_s: must be shorter than ui.idle_timeout_s")
    telemetry = config.telemetry
    if telemetry.broker_url.startswith("mqtts://"):
        for name in ("ca_file", "cert_file", "key_file"):
            if getattr(telemetry, name) is None:
                problems.append(f"telemetry.{name}: required for an mqtts:// broker")
    if (telemetry.cert_file is None) != (telemetry.key_file is None):
        problems.append("telemetry.key_file: cert_file and key_file go together")
    return problems


def load_config(path: str | Path) -> KioskConfig:
    """Read and validate a kiosk config file.

    Raises:
        ConfigError: the file is missing, not TOML, or has invalid values (all listed).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    config = parse_config(data, path.resolve().parent)
    return replace(config, source=path.resolve())
