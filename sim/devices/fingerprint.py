"""Emulated ZFM / R30x / AS608 fingerprint sensor (reference/devices.md section 1).

Speaks the production codec (``kiosk.devices.fingerprint.codec``), never the driver, so an
unmodified third-party client (pyfingerprint 1.5) works against it. It holds what the module
holds: both char buffers, the image buffer, the template library and its index bitmap, the
password, the address and the system parameters. RAM (buffers, verified password) is lost on
power-up, that is on every (re)plug; the library (flash) is kept. For 500 ms after power-up
(datasheet section 3.1.1.3; scaled by ``timing``) commands are ignored.

Person at the machine: ``place`` ``{"subject": NAME, "finger": 0..9}`` puts a test subject's
finger on the glass (its template is ``sim.subjects_fingers.template_for``), ``lift`` takes it
off. Faults besides the common ones:

- ``no_finger``: GenImg answers 02 even with a finger placed;
- ``no_match``: the finger yields the template of another person (param ``subject``);
- ``wet``: Img2Tz fails; param ``kind`` wet (05, default), dry (07), messy (06) or
  disorderly (04);
- ``fake``: GenImg answers FAKE_FINGER (the project's liveness code) with a finger placed;
- ``sensor_fault``: GenImg answers 29 (R503 "abnormal sensor").

Modelled instructions: GenImg, Img2Tz, Match, Search, RegModel, Store, LoadChar, UpChar,
DownChar, DeleteChar, Empty, SetSysPara, ReadSysPara, SetPwd, VfyPwd, GetRandomCode, SetAdder,
TempleteNum, ReadConList and (unless ``supports_aura`` is False) the R503 AuraLedConfig. Any
other instruction, or wrong parameters, is answered with 01 (packet receive error).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.devices.codec_api import drain
from kiosk.devices.fingerprint.codec import (
    BAUD_UNIT,
    CHAR_BUFFERS,
    COMMAND_PARAM_SIZES,
    DEFAULT_ADDRESS,
    DEFAULT_BAUDRATE,
    DEFAULT_PASSWORD,
    PACKET_SIZES,
    DataAssembler,
    Packet,
    PacketDecoder,
    SystemParameters,
    encode_data_packets,
    encode_index_page,
    encode_reply,
    encode_system_parameters,
    parse_command,
)
from kiosk.devices.fingerprint.codes import (
    Confirmation,
    Instruction,
    PacketType,
    SystemParameter,
    SystemStatus,
)
from kiosk.errors import ProtocolError
from sim.emulator import Emulator, Sender
from sim.subjects_fingers import TEMPLATE_SIZE, template_for

BITS_PER_BYTE = 10  # 8N1 on the wire: start bit, 8 data bits, stop bit
POWER_ON_S = 0.5  # datasheet 3.1.1.3: the module ignores commands while it initialises
IMPOSTOR = "unenrolled-stranger"  # whose template ``no_match`` hands out by default
MATCH_SCORE = 200  # score reported for identical templates (FAR 0.001 % needs > ~50)
#: Img2Tz failure code of each ``wet`` fault kind (reference 1.5).
IMAGE_FAULTS = {"wet": Confirmation.IMAGE_WET, "dry": Confirmation.FEATURE_FAIL,
                "messy": Confirmation.IMAGE_MESSY, "disorderly": Confirmation.IMAGE_DISORDERLY}
#: Processing time per instruction at timing 1.0 (reference 1.6: capture and search < 1 s).
DELAYS_S: dict[int, float] = {
    Instruction.GEN_IMG: 0.3, Instruction.IMG2TZ: 0.2, Instruction.SEARCH: 0.3,
    Instruction.MATCH: 0.05, Instruction.REG_MODEL: 0.1, Instruction.STORE: 0.05,
    Instruction.DELETE_CHAR: 0.05, Instruction.EMPTY: 0.1}
COMMAND_DELAY_S = 0.005
PARAMETER_RANGES = {SystemParameter.BAUD_MULTIPLIER: range(1, 13),
                    SystemParameter.SECURITY_LEVEL: range(1, 6),
                    SystemParameter.PACKET_SIZE: range(len(PACKET_SIZES))}

Result = tuple[int, bytes, bytes]  # confirmation, result bytes, data packets that follow


class FingerprintEmulator(Emulator):
    """A fingerprint sensor with a library, two char buffers and a finger that comes and goes."""

    name = "fingerprint"
    FAULTS = frozenset({"no_finger", "no_match", "wet", "fake", "sensor_fault"})
    ACTIONS = frozenset({"place", "lift"})

    def __init__(self, *, timing: float = 0.0, seed: int = 0, output_dir: Path | None = None,
                 supports_aura: bool = True, library_size: int = 1000) -> None:
        super().__init__(timing=timing, seed=seed, output_dir=output_dir)
        self.supports_aura = supports_aura
        self.password = DEFAULT_PASSWORD
        self.address = DEFAULT_ADDRESS
        self.library_size = library_size
        self.security_level = 3
        self.packet_size_code = 2  # 128-byte data packets
        self.baud_multiplier = DEFAULT_BAUDRATE // BAUD_UNIT
        self.library: dict[int, bytes] = {}
        self.finger: tuple[str, int] | None = None
        self.aura: tuple[int, int] | None = None
        self.counters = {"commands": 0, "rejected_packets": 0, "ignored_while_starting": 0,
                         "images": 0}
        self._handlers: dict[int, Callable[[bytes], Result]] = {
            Instruction.GEN_IMG: self._gen_img, Instruction.IMG2TZ: self._img2tz,
            Instruction.MATCH: self._match, Instruction.SEARCH: self._search,
            Instruction.REG_MODEL: self._reg_model, Instruction.STORE: self._store,
            Instruction.LOAD_CHAR: self._load_char, Instruction.UP_CHAR: self._up_char,
            Instruction.DOWN_CHAR: self._down_char, Instruction.DELETE_CHAR: self._delete_char,
            Instruction.EMPTY: self._empty, Instruction.SET_SYS_PARA: self._set_sys_para,
            Instruction.READ_SYS_PARA: self._read_sys_para, Instruction.SET_PWD: self._set_pwd,
            Instruction.VFY_PWD: self._vfy_pwd, Instruction.GET_RANDOM_CODE: self._random,
            Instruction.SET_ADDER: self._set_adder, Instruction.TEMPLETE_NUM: self._count,
            Instruction.READ_CON_LIST: self._read_con_list,
            Instruction.AURA_LED_CONFIG: self._aura,
        }
        self._ready_at = 0.0
        self._power_up()

    # --------------------------------------------------------------- wiring

    def attach(self, send: Sender | None) -> None:
        """A new pty is a power cycle: RAM is cleared and the start-up window begins."""
        with self.lock:
            super().attach(send)
            if send is not None:
                self._power_up()
                self._ready_at = time.monotonic() + POWER_ON_S * self.timing

    def _power_up(self) -> None:
        self.char_buffers: dict[int, bytes | None] = dict.fromkeys(CHAR_BUFFERS)
        self.image: bytes | None = None
        self.password_verified = False
        self._matched = False
        self._download: tuple[int, DataAssembler] | None = None
        self._decoder = PacketDecoder(self.address)

    def receive(self, data: bytes) -> None:
        with self.lock:
            if time.monotonic() < self._ready_at:
                self.counters["ignored_while_starting"] += 1
                return
            self._decoder.feed(data)
            for packet in drain(self._decoder, self._rejected):
                self._handle(packet)

    def _rejected(self, exc: ProtocolError) -> None:
        del exc  # a real module ignores what it cannot parse
        self.counters["rejected_packets"] += 1

    def _handle(self, packet: Packet) -> None:
        if packet.pid in (PacketType.DATA, PacketType.END_DATA):
            self._receive_data(packet)
            return
        if packet.pid != PacketType.COMMAND:
            self.counters["rejected_packets"] += 1
            return
        self._download = None
        command = parse_command(packet)
        self.counters["commands"] += 1
        instruction = command.instruction
        handler = self._handlers.get(instruction)
        if handler is None or len(command.params) != COMMAND_PARAM_SIZES.get(instruction, -1):
            result: Result = (Confirmation.PACKET_RECEIVE_ERROR, b"", b"")
        elif (self.password != DEFAULT_PASSWORD and not self.password_verified
              and instruction != Instruction.VFY_PWD):
            result = (Confirmation.PASSWORD_REQUIRED, b"", b"")
        else:
            result = handler(command.params)
        confirmation, data, follow = result
        frame = encode_reply(instruction, confirmation, data, self.address) + follow
        delay = DELAYS_S.get(instruction, COMMAND_DELAY_S)
        wire_s = len(frame) * BITS_PER_BYTE / (BAUD_UNIT * self.baud_multiplier)
        self.reply(frame, delay + wire_s)

    def _receive_data(self, packet: Packet) -> None:
        if self._download is None:
            self.counters["rejected_packets"] += 1
            return
        buffer, assembler = self._download
        try:
            data = assembler.add(packet)
        except ProtocolError:
            self._download = None
            self.counters["rejected_packets"] += 1
            return
        if data is not None:
            self.char_buffers[buffer] = data
            self._download = None

    # ----------------------------------------------------------- instructions

    def _gen_img(self, params: bytes) -> Result:
        del params
        self.image = None
        if self.finger is None or "no_finger" in self.faults:
            return Confirmation.NO_FINGER, b"", b""
        if "sensor_fault" in self.faults:
            return Confirmation.SENSOR_ABNORMAL, b"", b""
        if "fake" in self.faults:
            return Confirmation.FAKE_FINGER, b"", b""
        subject, finger = self.finger
        if "no_match" in self.faults:
            subject = str(self.faults["no_match"].get("subject", IMPOSTOR))
        self.image = template_for(subject, finger)
        self.counters["images"] += 1
        return Confirmation.OK, b"", b""

    def _img2tz(self, params: bytes) -> Result:
        buffer = params[0]
        if buffer not in CHAR_BUFFERS:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        if self.image is None:
            return Confirmation.INVALID_IMAGE, b"", b""
        if "wet" in self.faults:
            return IMAGE_FAULTS[self.faults["wet"].get("kind", "wet")], b"", b""
        self.char_buffers[buffer] = self.image
        return Confirmation.OK, b"", b""

    def _match(self, params: bytes) -> Result:
        del params
        first, second = self.char_buffers[1], self.char_buffers[2]
        self._matched = first is not None and first == second
        if self._matched:
            return Confirmation.OK, MATCH_SCORE.to_bytes(2, "big"), b""
        return Confirmation.NO_MATCH, b"", b""

    def _search(self, params: bytes) -> Result:
        buffer, start, count = params[0], _u16(params, 1), _u16(params, 3)
        if buffer not in CHAR_BUFFERS:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        if start >= self.library_size:
            return Confirmation.BAD_LOCATION, b"", b""
        wanted = self.char_buffers[buffer]
        for page in range(start, min(start + count, self.library_size)):
            if wanted is not None and self.library.get(page) == wanted:
                self._matched = True
                found = page.to_bytes(2, "big") + MATCH_SCORE.to_bytes(2, "big")
                return Confirmation.OK, found, b""
        self._matched = False
        return Confirmation.NOT_FOUND, b"", b""

    def _reg_model(self, params: bytes) -> Result:
        del params
        first, second = self.char_buffers[1], self.char_buffers[2]
        if first is None or first != second:
            return Confirmation.ENROLL_MISMATCH, b"", b""
        return Confirmation.OK, b"", b""

    def _store(self, params: bytes) -> Result:
        buffer, page = params[0], _u16(params, 1)
        if buffer not in CHAR_BUFFERS:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        if page >= self.library_size:
            return Confirmation.BAD_LOCATION, b"", b""
        template = self.char_buffers[buffer]
        if template is None:
            return Confirmation.INVALID_TEMPLATE, b"", b""
        self.library[page] = template
        return Confirmation.OK, b"", b""

    def _load_char(self, params: bytes) -> Result:
        buffer, page = params[0], _u16(params, 1)
        if buffer not in CHAR_BUFFERS:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        if page >= self.library_size:
            return Confirmation.BAD_LOCATION, b"", b""
        if page not in self.library:
            return Confirmation.INVALID_TEMPLATE, b"", b""
        self.char_buffers[buffer] = self.library[page]
        return Confirmation.OK, b"", b""

    def _up_char(self, params: bytes) -> Result:
        buffer = params[0]
        if buffer not in CHAR_BUFFERS:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        template = self.char_buffers[buffer]
        if template is None:
            return Confirmation.UPLOAD_FEATURE_FAIL, b"", b""
        packets = encode_data_packets(template, PACKET_SIZES[self.packet_size_code], self.address)
        return Confirmation.OK, b"", packets

    def _down_char(self, params: bytes) -> Result:
        buffer = params[0]
        if buffer not in CHAR_BUFFERS:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        self._download = (buffer, DataAssembler(limit=TEMPLATE_SIZE))
        return Confirmation.OK, b"", b""

    def _delete_char(self, params: bytes) -> Result:
        page, count = _u16(params, 0), _u16(params, 2)
        if page + count > self.library_size:
            return Confirmation.BAD_LOCATION, b"", b""
        for slot in range(page, page + count):
            self.library.pop(slot, None)
        return Confirmation.OK, b"", b""

    def _empty(self, params: bytes) -> Result:
        del params
        self.library.clear()
        return Confirmation.OK, b"", b""

    def _set_sys_para(self, params: bytes) -> Result:
        number, value = params[0], params[1]
        if number not in PARAMETER_RANGES:
            return Confirmation.INVALID_REGISTER, b"", b""
        if value not in PARAMETER_RANGES[SystemParameter(number)]:
            return Confirmation.BAD_REGISTER_CONFIG, b"", b""
        attribute = {SystemParameter.BAUD_MULTIPLIER: "baud_multiplier",
                     SystemParameter.SECURITY_LEVEL: "security_level",
                     SystemParameter.PACKET_SIZE: "packet_size_code"}[SystemParameter(number)]
        setattr(self, attribute, value)
        return Confirmation.OK, b"", b""

    def _read_sys_para(self, params: bytes) -> Result:
        del params
        return Confirmation.OK, encode_system_parameters(self.system_parameters()), b""

    def _set_pwd(self, params: bytes) -> Result:
        self.password = int.from_bytes(params, "big")
        return Confirmation.OK, b"", b""

    def _vfy_pwd(self, params: bytes) -> Result:
        self.password_verified = int.from_bytes(params, "big") == self.password
        if self.password_verified:
            return Confirmation.OK, b"", b""
        return Confirmation.WRONG_PASSWORD, b"", b""

    def _random(self, params: bytes) -> Result:
        del params
        return Confirmation.OK, self.random.getrandbits(32).to_bytes(4, "big"), b""

    def _set_adder(self, params: bytes) -> Result:
        self.address = int.from_bytes(params, "big")  # the reply already uses it
        self._decoder.address = self.address
        return Confirmation.OK, b"", b""

    def _count(self, params: bytes) -> Result:
        del params
        return Confirmation.OK, len(self.library).to_bytes(2, "big"), b""

    def _read_con_list(self, params: bytes) -> Result:
        page = params[0]
        if page > 3:
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        return Confirmation.OK, encode_index_page(set(self.library), page), b""

    def _aura(self, params: bytes) -> Result:
        mode, _speed, colour, _count = params
        if not self.supports_aura or mode not in range(1, 7) or colour not in range(1, 8):
            return Confirmation.PACKET_RECEIVE_ERROR, b"", b""
        self.aura = (mode, colour)
        return Confirmation.OK, b"", b""

    # --------------------------------------------------------- state, faults

    def system_parameters(self) -> SystemParameters:
        status = SystemStatus(0)
        if self.password_verified:
            status |= SystemStatus.PASSWORD_VERIFIED
        if self.image is not None:
            status |= SystemStatus.IMAGE_VALID
        if self._matched:
            status |= SystemStatus.PASS
        return SystemParameters(
            status_register=int(status), library_size=self.library_size,
            security_level=self.security_level, address=self.address,
            packet_size_code=self.packet_size_code, baud_multiplier=self.baud_multiplier)

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        if fault == "wet" and active and params.get("kind", "wet") not in IMAGE_FAULTS:
            self.faults.pop(fault, None)
            raise ValueError(f"fingerprint: wet kind must be one of {', '.join(IMAGE_FAULTS)}")

    def on_action(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        if action == "place":
            subject, finger = params.get("subject"), params.get("finger", 0)
            if not isinstance(subject, str) or not isinstance(finger, int):
                raise ValueError("fingerprint: place needs a subject name and a finger 0..9")
            template_for(subject, finger)  # validates both
            self.finger = (subject, finger)
        else:
            self.finger = None
        return self.state()

    def state(self) -> dict[str, Any]:
        finger = ({"subject": self.finger[0], "finger": self.finger[1]}
                  if self.finger else None)
        return {**super().state(), "finger": finger, "templates": len(self.library),
                "char_buffer_1": self.char_buffers[1] is not None,
                "char_buffer_2": self.char_buffers[2] is not None,
                "image": self.image is not None, "address": f"{self.address:08X}",
                "password_set": self.password != DEFAULT_PASSWORD,
                "aura": list(self.aura) if self.aura else None, "counters": dict(self.counters)}


def _u16(params: bytes, offset: int) -> int:
    return int.from_bytes(params[offset:offset + 2], "big")
