"""The kiosk's error hierarchy, by lifecycle (python-can's taxonomy; OctoPrint's user errors).

Pure: the standard library only, so codecs may raise these. Every error carries a stable
``code`` (for logs, telemetry and the dashboard) and a citizen-safe ``message_key`` that the
screens translate; the exception text is for developers and never reaches a screen. Exception
texts must never contain personal data (RRN, names, templates, card numbers).

Example scenarios:

- ``ConfigError``: ``devices.printer.timeout_s: must be > 0, got -1`` at start-up (fatal).
- ``DeviceUnavailable``: the binder's port vanished (USB unplugged); the driver reconnects.
- ``DeviceTimeout``: the fingerprint sensor did not answer within its deadline.
- ``ProtocolError``: a frame with a bad checksum; the decoder resynchronises.
- ``DeviceOperationError``: the A4 printer reported a paper jam during a job.
- ``BackendUnavailable``: the city server answered 503 ('시군구 서버 접속이 원활하지 않습니다').
- ``IdentityRejected``: the fingerprint did not match the RRN's enrolled fingers.
- ``PaymentDeclined``: the card reader returned a decline with the VAN's reason.
- ``JobMismatch``: a print job's transaction id differs from the current session's.
"""

from __future__ import annotations


class KioskError(Exception):
    """Root of every error the kiosk raises on purpose.

    Attributes:
        code: stable machine-readable identifier, e.g. ``device.timeout``.
        message_key: the citizen-facing message id the UI translates, never raw text.
    """

    code: str = "kiosk.error"
    message_key: str = "error.generic"

    def __init__(self, detail: str = "", *, code: str | None = None,
                 message_key: str | None = None) -> None:
        super().__init__(detail or self.__class__.__name__)
        self.detail = detail
        if code is not None:
            self.code = code
        if message_key is not None:
            self.message_key = message_key

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready summary for logs and telemetry (no personal data by contract)."""
        return {"error": type(self).__name__, "code": self.code,
                "message_key": self.message_key, "detail": self.detail}


class ConfigError(KioskError):
    """The configuration is invalid; raised at start-up and fatal.

    ``problems`` holds every error found, each naming its key path, so that
    ``kiosk check-config`` can print them all at once.
    """

    code = "config.invalid"
    message_key = "error.out_of_service"

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class DeviceError(KioskError):
    """A peripheral failed. ``device`` names it; ``fault`` is the codec's fault code, if any."""

    code = "device.error"
    message_key = "error.device"

    def __init__(self, device: str, detail: str = "", *, fault: str | int | None = None,
                 code: str | None = None, message_key: str | None = None) -> None:
        self.device = device
        self.fault = fault
        super().__init__(f"{device}: {detail}" if detail else device,
                         code=code, message_key=message_key)

    def to_dict(self) -> dict[str, str]:
        data = super().to_dict()
        data["device"] = self.device
        if self.fault is not None:
            data["fault"] = str(self.fault)
        return data


class DeviceUnavailable(DeviceError):
    """The device is absent, unplugged, powered off or not yet started."""

    code = "device.unavailable"


class DeviceTimeout(DeviceError, TimeoutError):
    """The device did not answer within the operation's deadline."""

    code = "device.timeout"


class ProtocolError(DeviceError):
    """Bytes on the wire broke the protocol: bad header, checksum, length or field.

    Codecs raise it with ``device`` set to the protocol's name; drivers may re-raise with
    the configured device name.
    """

    code = "device.protocol"


class DeviceOperationError(DeviceError):
    """The device understood the command and reported that it failed (jam, paper out, ...)."""

    code = "device.operation"


class IssuanceError(KioskError):
    """A step of issuing a document failed.

    Attributes:
        step: the saga step that failed (``fetch``, ``print``, ...), if known.
        retryable: whether repeating the step may succeed.
    """

    code = "issuance.error"
    message_key = "error.issuance"
    retryable: bool = False

    def __init__(self, detail: str = "", *, step: str | None = None,
                 retryable: bool | None = None, code: str | None = None,
                 message_key: str | None = None) -> None:
        super().__init__(detail, code=code, message_key=message_key)
        self.step = step
        if retryable is not None:
            self.retryable = retryable


class BackendUnavailable(IssuanceError):
    """The city issuance backend is down, slow or answering 5xx."""

    code = "issuance.backend_unavailable"
    message_key = "error.backend_unavailable"
    retryable = True


class BackendRejected(IssuanceError):
    """The backend refused the request (4xx): bad request, replayed envelope, unknown document."""

    code = "issuance.backend_rejected"
    message_key = "error.backend_rejected"


class IdentityRejected(IssuanceError):
    """The RRN and fingerprint did not identify an entitled citizen."""

    code = "issuance.identity_rejected"
    message_key = "error.identity_rejected"
    retryable = True


class PaymentDeclined(IssuanceError):
    """The card payment was declined, cancelled or timed out."""

    code = "issuance.payment_declined"
    message_key = "error.payment_declined"
    retryable = True


class DocumentUnavailable(IssuanceError):
    """The document cannot be issued now: outside its hours, or a device it needs is down."""

    code = "issuance.document_unavailable"
    message_key = "error.document_unavailable"


class JobMismatch(IssuanceError):
    """A print job does not belong to the current session; it is refused, never printed."""

    code = "issuance.job_mismatch"
    message_key = "error.issuance"


class VerificationError(KioskError):
    """A document or 2D code failed verification: tampered, unsigned or untrusted."""

    code = "document.invalid"
    message_key = "error.document_invalid"


class TelemetryError(KioskError):
    """A telemetry message broke the wire contract (schema, version, size, topic)."""

    code = "telemetry.invalid"


class TopicError(TelemetryError):
    """A topic or an id in it is malformed, a wildcard, reserved, or disagrees with the body."""

    code = "telemetry.topic"


class SchemaError(TelemetryError):
    """A payload is not valid JSON, or a field is missing, unknown, of the wrong type or range."""

    code = "telemetry.schema"


class UnsupportedVersion(SchemaError):
    """A payload's version field ``v`` names a version this side does not speak."""

    code = "telemetry.version"


class PayloadTooLarge(TelemetryError):
    """A payload exceeds the wire contract's size limit; it is rejected before parsing."""

    code = "telemetry.too_large"


class OutboxError(TelemetryError):
    """The durable telemetry outbox cannot store or read events (disk full, corrupt, pragmas)."""

    code = "telemetry.outbox"


class CommandRejected(TelemetryError):
    """A fleet command was refused: bad signature, expired, replayed or not for this kiosk.

    ``reason`` is a stable token (``bad_signature``, ``expired``, ``replayed``, ...) that the
    kiosk reports in its ``command_rejected`` event.
    """

    code = "telemetry.command_rejected"
    reason: str = "rejected"

    def __init__(self, detail: str = "", *, reason: str | None = None,
                 code: str | None = None, message_key: str | None = None) -> None:
        super().__init__(detail, code=code, message_key=message_key)
        if reason is not None:
            self.reason = reason
