"""Fingerprint sensor driver (ZFM / R30x / AS608) on the ``Device`` base, request/response.

Speaks the protocol of ``kiosk.devices.fingerprint.codec`` (reference/devices.md section 1):
on connect VfyPwd (default password 0), ReadSysPara and TempleteNum, then a probe of the R503
aura LED (a sensor that rejects it just has no LED feedback). ``capture_template`` polls
GenImg until a finger is on the glass or the deadline passes, then Img2Tz into char buffer 1
and UpChar (data packets up to PID 08), and returns the template bytes for the backend.

The template lives only in the returned ``bytes``: it is never stored, logged, put in a
status or an exception text. After the upload the sensor's char buffer is overwritten with
zeros (DownChar), following XFS4IoT Biometric ``dataPersistence: clear``.

States: idle, waiting for finger (deviceBusy), captured, no finger, poor image (with a hint
key), fake finger (potentialFraud), sensor fault (hardwareError); a sensor that stops
answering is offline until a poll's handshake succeeds again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.config import DeviceConfig
from kiosk.devices.base import Device
from kiosk.devices.fingerprint.codec import (
    DEFAULT_ADDRESS,
    DEFAULT_PASSWORD,
    FRAME_PREFIX_SIZE,
    REPLY_DATA_SIZES,
    DataAssembler,
    Packet,
    PacketDecoder,
    Reply,
    SystemParameters,
    encode_aura,
    encode_data_packets,
    encode_down_char,
    encode_gen_img,
    encode_img2tz,
    encode_read_sys_para,
    encode_templete_num,
    encode_up_char,
    encode_vfy_pwd,
    parse_reply,
    parse_system_parameters,
    parse_template_count,
)
from kiosk.devices.fingerprint.codes import AuraColour, AuraMode, Confirmation, PacketType
from kiosk.devices.fingerprint.outcomes import (
    HINT_PLACE_FINGER,
    CaptureCancelled,
    CaptureError,
    NoFinger,
    SensorState,
    capture_error,
    confirmation_name,
)
from kiosk.errors import DeviceError, DeviceOperationError, DeviceTimeout, ProtocolError
from kiosk.status import DetailValue, DeviceState

log = logging.getLogger(__name__)

#: Gap between GenImg polls while no finger is placed (libraries poll back to back; a
#: short gap keeps the line and the CPU quiet and still reacts within a tenth of a second).
CAPTURE_POLL_S = 0.05
#: Deadline of an aura LED command: a sensor without aura must not slow a capture down.
AURA_TIMEOUT_S = 0.3
#: Device state for each sensor state.
DEVICE_STATES: Mapping[SensorState, DeviceState] = {
    SensorState.IDLE: DeviceState.ONLINE,
    SensorState.WAITING: DeviceState.DEVICE_BUSY,
    SensorState.CAPTURED: DeviceState.ONLINE,
    SensorState.NO_FINGER: DeviceState.ONLINE,
    SensorState.POOR_IMAGE: DeviceState.ONLINE,
    SensorState.FAKE_FINGER: DeviceState.POTENTIAL_FRAUD,
    SensorState.FAULT: DeviceState.HARDWARE_ERROR,
}
CAPTURE_COUNTERS = ("captures", "captures_failed", "no_finger", "poor_images",
                    "fake_fingers", "sensor_faults", "cancelled")


def _is_reply(packet: Any) -> bool:
    return isinstance(packet, Packet) and packet.pid == PacketType.ACK


def _is_data(packet: Any) -> bool:
    return isinstance(packet, Packet) and packet.pid in (PacketType.DATA, PacketType.END_DATA)


class FingerprintSensor(Device):
    """A ZFM / R30x / AS608 fingerprint sensor on a serial port."""

    kind = "fingerprint"

    def __init__(self, config: DeviceConfig, *, name: str | None = None,
                 poll_interval_s: float = 2.0, password: int = DEFAULT_PASSWORD,
                 address: int = DEFAULT_ADDRESS, clear_after_upload: bool = True) -> None:
        self.address = address  # before the base builds its decoder
        self._password = password
        super().__init__(config, name=name, poll_interval_s=poll_interval_s)
        self.clear_after_upload = clear_after_upload
        self.parameters: SystemParameters | None = None
        self._aura_supported = False
        self._capturing = False
        self._cancel = threading.Event()
        self._transfer_corrupted = False
        self._counters.update(dict.fromkeys(CAPTURE_COUNTERS, 0))
        self._detail.update({"sensor": SensorState.IDLE.value, "hint": None})

    # ------------------------------------------------------------------ hooks

    def _new_decoder(self) -> PacketDecoder:
        return PacketDecoder(self.address)

    def _on_connect(self) -> None:
        self._handshake()

    def _poll(self) -> None:
        if self._capturing:
            return
        state = self.status.state
        if state in (DeviceState.OFFLINE, DeviceState.STARTING):
            self._handshake()
        elif state == DeviceState.HARDWARE_ERROR:
            self._probe_imager()
        else:
            self._update_detail({"templates": self.template_count()})

    def _on_protocol_error(self, exc: ProtocolError) -> None:
        super()._on_protocol_error(exc)
        self._transfer_corrupted = True

    # ------------------------------------------------------------- operations

    def verify_password(self) -> None:
        """VfyPwd with the configured password.

        Raises:
            DeviceOperationError: ``fingerprint.wrong_password`` or
                ``fingerprint.handshake_failed``.
        """
        reply = self._exchange(encode_vfy_pwd(self._password, self.address), "VfyPwd")
        if reply.confirmation == Confirmation.WRONG_PASSWORD:
            raise DeviceOperationError(self.name, "VfyPwd: the sensor rejected the password",
                                       fault=reply.confirmation, code="fingerprint.wrong_password")
        if not reply.ok:
            raise DeviceOperationError(self.name,
                                       f"VfyPwd: {confirmation_name(reply.confirmation)}",
                                       fault=reply.confirmation,
                                       code="fingerprint.handshake_failed")

    def read_system_parameters(self) -> SystemParameters:
        """ReadSysPara: status register, library size, security level, packet size, baud."""
        reply = self._exchange_ok(encode_read_sys_para(self.address), "ReadSysPara")
        self.parameters = parse_system_parameters(reply)
        return self.parameters

    def template_count(self) -> int:
        """TempleteNum: how many templates the sensor's own library holds."""
        return parse_template_count(self._exchange_ok(encode_templete_num(self.address),
                                                      "TempleteNum"))

    def gen_img(self) -> int:
        """GenImg: capture an image; returns the confirmation code (0 OK, 2 no finger, ...)."""
        return self._exchange(encode_gen_img(self.address), "GenImg").confirmation

    def img2tz(self, buffer: int = 1) -> int:
        """Img2Tz: image -> character file in ``buffer``; returns the confirmation code."""
        return self._exchange(encode_img2tz(buffer, self.address), "Img2Tz").confirmation

    def upload_template(self, buffer: int = 1) -> bytes:
        """UpChar: the character file of ``buffer``, collected from data packets up to PID 08.

        Raises:
            DeviceOperationError: ``fingerprint.upload_failed`` if the sensor refuses.
            DeviceTimeout: the data packets did not all arrive (after the retries).
        """
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            with self._io_lock:
                reply = self._exchange(encode_up_char(buffer, self.address), "UpChar")
                if not reply.ok:
                    raise DeviceOperationError(
                        self.name, f"UpChar: {confirmation_name(reply.confirmation)}",
                        fault=reply.confirmation, code="fingerprint.upload_failed")
                try:
                    return self._collect_data()
                except (DeviceTimeout, ProtocolError):
                    if attempt == attempts - 1:
                        raise
                    log.debug("%s: UpChar transfer incomplete, retrying", self.name)
        raise AssertionError("unreachable")

    def set_aura(self, mode: AuraMode, colour: AuraColour, *, speed: int = 0x80,
                 count: int = 0) -> bool:
        """R503 ring LED; False (and no more tries until reconnect) if the sensor rejects it."""
        if not self._aura_supported:
            return False
        try:
            reply: Reply | None = self._exchange(
                encode_aura(mode, colour, speed, count, self.address), "AuraLedConfig",
                retries=0, timeout_s=AURA_TIMEOUT_S, critical=False)
        except DeviceTimeout:
            reply = None
        if reply is not None and reply.ok:
            return True
        self._aura_supported = False
        log.info("%s: the sensor does not support the aura LED; capturing without it",
                 self.name)
        self._update_detail({"aura": False})
        return False

    def cancel_capture(self) -> None:
        """Stop a ``capture_template`` waiting for a finger (it raises ``CaptureCancelled``)."""
        self._cancel.set()

    def capture_template(self, deadline_s: float) -> bytes:
        """Wait up to ``deadline_s`` seconds for a finger, then return its template bytes.

        Raises:
            NoFinger: no finger before the deadline (``fingerprint.no_finger``).
            PoorImage: wet, dry, messy or misplaced; ``message_key`` is the citizen's hint.
            FakeFinger: a fake finger is suspected (status ``potentialFraud``).
            SensorFault: the sensor reported an error of its own (status ``hardwareError``).
            CaptureCancelled: ``cancel_capture`` was called.
            DeviceError: the sensor did not answer or the port was lost.
        """
        if deadline_s <= 0:
            raise ValueError("deadline_s must be > 0")
        end = time.monotonic() + deadline_s
        self._require_link()  # unplugged: fail before reporting "waiting for finger"
        self._cancel.clear()
        self._capturing = True
        self._count("captures")
        self._set_sensor(SensorState.WAITING, HINT_PLACE_FINGER)
        try:
            self.set_aura(AuraMode.BREATHING, AuraColour.BLUE)
            template = self._capture(end)
        except CaptureCancelled as exc:
            self._count(exc.counter)
            self._set_sensor(SensorState.IDLE, None)
            self.set_aura(AuraMode.OFF, AuraColour.BLUE)
            raise
        except CaptureError as exc:
            self._count("captures_failed")
            self._count(exc.counter)
            hint = None if exc.state is SensorState.FAULT else exc.message_key
            self._set_sensor(exc.state, hint, exc.fault)
            self.set_aura(AuraMode.FLASHING, AuraColour.RED, count=3)
            raise
        except DeviceOperationError:  # the sensor answered, refusing a step: still usable
            self._count("captures_failed")
            self._set_sensor(SensorState.IDLE, None)
            raise
        except DeviceError as exc:  # no usable answer: offline unless already marked so
            self._count("captures_failed")
            self._update_detail({"sensor": SensorState.IDLE.value, "hint": None})
            if self.status.state is DeviceState.DEVICE_BUSY:
                self._set_state(DeviceState.OFFLINE, {"reason": exc.code})
            raise
        finally:
            self._capturing = False
        self._set_sensor(SensorState.CAPTURED, None)
        self.set_aura(AuraMode.FLASHING, AuraColour.PURPLE, count=1)
        return template

    # -------------------------------------------------------------- internals

    def _capture(self, end: float) -> bytes:
        while True:
            if self._cancel.is_set():
                raise CaptureCancelled(self.name, "capture cancelled")
            confirmation = self.gen_img()
            if confirmation == Confirmation.OK:
                break
            if confirmation != Confirmation.NO_FINGER:
                raise capture_error(self.name, "GenImg", confirmation)
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise NoFinger(self.name, "no finger before the deadline", fault=confirmation)
            if self._cancel.wait(min(CAPTURE_POLL_S, remaining)):
                raise CaptureCancelled(self.name, "capture cancelled")
        confirmation = self.img2tz(1)
        if confirmation != Confirmation.OK:
            raise capture_error(self.name, "Img2Tz", confirmation)
        template = self.upload_template(1)
        if self.clear_after_upload:
            self._clear_char_buffer(1, len(template))
        return template

    def _handshake(self) -> None:
        self.verify_password()
        parameters = self.read_system_parameters()
        templates = self.template_count()
        self._aura_supported = True
        aura = self.set_aura(AuraMode.OFF, AuraColour.BLUE)
        self._set_state(DeviceState.ONLINE, {
            "sensor": SensorState.IDLE.value, "hint": None, "confirmation": None,
            "library_size": parameters.library_size,
            "security_level": parameters.security_level, "templates": templates,
            "aura": aura})

    def _probe_imager(self) -> None:
        """After a sensor fault: an image attempt answering OK or 'no finger' proves it works."""
        confirmation = self.gen_img()
        if confirmation in (Confirmation.OK, Confirmation.NO_FINGER) and not self._capturing:
            self._set_sensor(SensorState.IDLE, None)

    def _exchange(self, frame: bytes, step: str, *, retries: int | None = None,
                  timeout_s: float | None = None, critical: bool = True) -> Reply:
        """One command and its reply, on a fresh decoder, retried after a timeout or 0x01.

        A reply later than its deadline may still be taken for the next command's reply of
        the same shape; the retry and the reply filter keep that window small.
        """
        attempts = (self.config.retries if retries is None else retries) + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            with self._io_lock:
                self._decoder = self._new_decoder()
                try:
                    packet = self._request(frame, timeout_s=timeout_s,
                                           expect=self._reply_filter(frame[FRAME_PREFIX_SIZE]))
                except DeviceTimeout:
                    if not last:
                        continue
                    if critical:
                        self._set_state(DeviceState.OFFLINE, {"reason": "device.timeout"})
                    log.debug("%s: %s: no reply", self.name, step)
                    raise
                self._transfer_corrupted = False
            reply = parse_reply(packet)
            if reply.confirmation == Confirmation.PACKET_RECEIVE_ERROR and not last:
                self._count("protocol_errors")
                continue
            return reply
        raise AssertionError("unreachable")

    def _reply_filter(self, instruction: int) -> Callable[[Any], bool]:
        """Accept only a reply shaped like this instruction's: the protocol has no sequence
        numbers, so a reply arriving after its deadline could pass for the next one's."""
        size = 1 + REPLY_DATA_SIZES.get(instruction, 0)

        def accept(packet: Any) -> bool:
            if not _is_reply(packet):
                return False
            if packet.size == size or (packet.size == 1 and packet.payload[0] != 0):
                return True
            self._count("protocol_errors")
            return False

        return accept

    def _exchange_ok(self, frame: bytes, step: str) -> Reply:
        reply = self._exchange(frame, step)
        if not reply.ok:
            raise DeviceOperationError(self.name,
                                       f"{step}: {confirmation_name(reply.confirmation)}",
                                       fault=reply.confirmation, code="fingerprint.command_failed")
        return reply

    def _collect_data(self) -> bytes:
        deadline = time.monotonic() + self.config.timeout_s
        assembler = DataAssembler()
        while True:
            data = assembler.add(self._read_reply(deadline, _is_data))
            if self._transfer_corrupted:
                raise ProtocolError(self.name, "a data packet was corrupted")
            if data is not None:
                return data

    def _clear_char_buffer(self, buffer: int, size: int) -> None:
        """Overwrite the sensor's copy of the template with zeros (DownChar)."""
        packet_size = self.parameters.packet_size if self.parameters else 128
        try:
            with self._io_lock:
                reply = self._exchange(encode_down_char(buffer, self.address), "DownChar",
                                       retries=0, critical=False)
                if reply.ok:
                    self._write(encode_data_packets(bytes(size), packet_size, self.address))
                    return
            log.debug("%s: DownChar refused: %s", self.name,
                      confirmation_name(reply.confirmation))
        except DeviceError as exc:
            log.debug("%s: could not clear the char buffer: %s", self.name, exc.code)

    def _set_sensor(self, sensor: SensorState, hint: str | None,
                    confirmation: int | str | None = None) -> None:
        detail: dict[str, DetailValue] = {"sensor": sensor.value, "hint": hint,
                                          "confirmation": confirmation}
        self._set_state(DEVICE_STATES[sensor], detail)

    def _update_detail(self, detail: Mapping[str, DetailValue]) -> None:
        with self._state_lock:
            self._detail.update(detail)
        self._publish()
