"""The fingerprint emulator on its own, spoken to with the codec: the module's state (buffers,
library, index bitmap, password, address, parameters), faults, actions, power-up window."""

from __future__ import annotations

import time

import pytest

from kiosk.devices.codec_api import drain
from kiosk.devices.fingerprint import codec
from kiosk.devices.fingerprint.codec import PacketDecoder, Reply
from kiosk.devices.fingerprint.codes import Confirmation, PacketType, SystemParameter
from sim.devices.fingerprint import IMPOSTOR, FingerprintEmulator
from sim.emulator import UnknownFault
from sim.subjects_fingers import TEST_SUBJECTS, template_for
from tests.devices.fingerprint.conftest import wait_for


class Wire:
    """The host side: sends frames to the emulator and decodes what it answers."""

    def __init__(self, emulator: FingerprintEmulator) -> None:
        self.emulator = emulator
        self.decoder = PacketDecoder(None)
        self.delays: list[float] = []
        emulator.attach(self._receive)

    def _receive(self, data: bytes, delay_s: float) -> None:
        self.delays.append(delay_s)
        self.decoder.feed(data)

    def ask(self, frame: bytes) -> Reply:
        self.emulator.receive(frame)
        packets = list(drain(self.decoder))
        assert packets and packets[0].pid == PacketType.ACK
        self.rest = packets[1:]
        return codec.parse_reply(packets[0])


@pytest.fixture
def wire() -> Wire:
    return Wire(FingerprintEmulator())


def test_subject_templates_are_deterministic_and_distinct() -> None:
    assert template_for("kim-minji") == template_for("kim-minji", 0)
    assert len(template_for("kim-minji")) == codec.TEMPLATE_SIZE
    everyone = {template_for(subject, finger) for subject in TEST_SUBJECTS for finger in range(10)}
    assert len(everyone) == len(TEST_SUBJECTS) * 10
    for bad in (("", 0), ("kim", 10), ("kim", -1), ("kim", True)):
        with pytest.raises(ValueError):
            template_for(*bad)  # type: ignore[arg-type]


def test_capture_enrol_search_and_index(wire: Wire) -> None:
    assert wire.ask(codec.encode_gen_img()).confirmation == Confirmation.NO_FINGER
    wire.emulator.act("place", {"subject": "lee-seojun", "finger": 3})
    assert wire.ask(codec.encode_gen_img()).ok
    assert wire.ask(codec.encode_img2tz(1)).ok
    assert wire.ask(codec.encode_img2tz(2)).ok
    assert codec.parse_match_score(wire.ask(codec.encode_match())) == 200
    assert wire.ask(codec.encode_reg_model()).ok
    assert wire.ask(codec.encode_store(1, 7)).ok
    assert codec.parse_template_count(wire.ask(codec.encode_templete_num())) == 1
    slots = codec.parse_index_page(wire.ask(codec.encode_read_con_list(0)))
    assert [i for i, used in enumerate(slots) if used] == [7]
    assert codec.parse_search(wire.ask(codec.encode_search(2, 0, 1000))) == (7, 200)
    sysparams = codec.parse_system_parameters(wire.ask(codec.encode_read_sys_para()))
    assert sysparams.status_register & 0b1010 == 0b1010  # pass + valid image
    assert wire.emulator.library[7] == template_for("lee-seojun", 3)


def test_up_char_sends_data_packets_and_down_char_replaces_the_buffer(wire: Wire) -> None:
    wire.emulator.act("place", {"subject": "park-jiwoo"})
    wire.ask(codec.encode_gen_img())
    wire.ask(codec.encode_img2tz(1))
    assert wire.ask(codec.encode_up_char(1)).ok
    assert [p.pid for p in wire.rest] == [PacketType.DATA] * 3 + [PacketType.END_DATA]
    assert b"".join(p.payload for p in wire.rest) == template_for("park-jiwoo")
    assert wire.ask(codec.encode_down_char(1)).ok
    wire.emulator.receive(codec.encode_data_packets(bytes(512), 128))
    assert wire.emulator.char_buffers[1] == bytes(512)


def test_failures_of_the_library_commands(wire: Wire) -> None:
    assert wire.ask(codec.encode_up_char(1)).confirmation == Confirmation.UPLOAD_FEATURE_FAIL
    assert wire.ask(codec.encode_img2tz(1)).confirmation == Confirmation.INVALID_IMAGE
    assert wire.ask(codec.encode_store(1, 1000)).confirmation == Confirmation.BAD_LOCATION
    assert wire.ask(codec.encode_load_char(1, 3)).confirmation == Confirmation.INVALID_TEMPLATE
    assert wire.ask(codec.encode_match()).confirmation == Confirmation.NO_MATCH
    reply = wire.ask(codec.encode_search(1, 0, 100))
    assert reply.confirmation == Confirmation.NOT_FOUND and reply.data == bytes(4)
    assert wire.ask(codec.encode_reg_model()).confirmation == Confirmation.ENROLL_MISMATCH
    assert wire.ask(codec.encode_delete_char(999, 2)).confirmation == Confirmation.BAD_LOCATION
    assert wire.ask(codec.encode_set_sys_para(SystemParameter.SECURITY_LEVEL, 9)).confirmation \
        == Confirmation.BAD_REGISTER_CONFIG
    unknown = codec.encode_packet(PacketType.COMMAND, b"\x0a")  # UpImage: not modelled
    assert wire.ask(unknown).confirmation == Confirmation.PACKET_RECEIVE_ERROR
    short = codec.encode_packet(PacketType.COMMAND, b"\x02")  # Img2Tz without its buffer
    assert wire.ask(short).confirmation == Confirmation.PACKET_RECEIVE_ERROR


def test_parameters_password_and_address(wire: Wire) -> None:
    assert wire.ask(codec.encode_set_sys_para(SystemParameter.PACKET_SIZE, 3)).ok
    assert codec.parse_system_parameters(
        wire.ask(codec.encode_read_sys_para())).packet_size == 256
    assert wire.ask(codec.encode_vfy_pwd(1)).confirmation == Confirmation.WRONG_PASSWORD
    assert wire.ask(codec.encode_set_pwd(0x1234)).ok
    wire.emulator.attach(wire._receive)  # power cycle: the password must be verified again
    assert wire.ask(codec.encode_templete_num()).confirmation == Confirmation.PASSWORD_REQUIRED
    assert wire.ask(codec.encode_vfy_pwd(0x1234)).ok
    assert wire.ask(codec.encode_set_adder(0x0000ABCD)).ok
    assert wire.emulator.address == 0xABCD
    wire.emulator.receive(codec.encode_templete_num())  # old address: ignored
    assert list(drain(wire.decoder)) == []
    reply = wire.ask(codec.encode_templete_num(address=0xABCD))
    assert reply.ok


def test_faults_change_the_answers(wire: Wire) -> None:
    emulator = wire.emulator
    emulator.act("place", {"subject": "choi-yuna"})
    emulator.set_fault("no_finger")
    assert wire.ask(codec.encode_gen_img()).confirmation == Confirmation.NO_FINGER
    emulator.clear_faults()
    emulator.set_fault("fake")
    assert wire.ask(codec.encode_gen_img()).confirmation == Confirmation.FAKE_FINGER
    emulator.clear_faults()
    emulator.set_fault("sensor_fault")
    assert wire.ask(codec.encode_gen_img()).confirmation == Confirmation.SENSOR_ABNORMAL
    emulator.clear_faults()
    for kind, code in (("wet", 5), ("dry", 7), ("messy", 6), ("disorderly", 4)):
        emulator.set_fault("wet", params={"kind": kind})
        assert wire.ask(codec.encode_gen_img()).ok
        assert wire.ask(codec.encode_img2tz(1)).confirmation == code
    emulator.clear_faults()
    emulator.set_fault("no_match")
    wire.ask(codec.encode_gen_img())
    wire.ask(codec.encode_img2tz(1))
    assert emulator.char_buffers[1] == template_for(IMPOSTOR)
    with pytest.raises(ValueError, match="wet kind must be one of"):
        emulator.set_fault("wet", params={"kind": "soapy"})
    assert "wet" not in emulator.faults
    with pytest.raises(UnknownFault):
        emulator.set_fault("paper_out")


def test_actions_validate_and_report_state(wire: Wire) -> None:
    state = wire.emulator.act("place", {"subject": "hong-gildong", "finger": 1})
    assert state["finger"] == {"subject": "hong-gildong", "finger": 1}
    with pytest.raises(ValueError):
        wire.emulator.act("place", {})
    with pytest.raises(ValueError):
        wire.emulator.act("place", {"subject": "hong-gildong", "finger": 12})
    assert wire.emulator.act("lift")["finger"] is None
    with pytest.raises(UnknownFault, match="known: lift, place"):
        wire.emulator.act("wave")


def test_power_on_window_ignores_commands_then_answers() -> None:
    emulator = FingerprintEmulator(timing=0.2)  # a 100 ms window
    started = time.monotonic()
    wire = Wire(emulator)
    emulator.receive(codec.encode_templete_num())
    assert list(drain(wire.decoder)) == []
    assert emulator.counters["ignored_while_starting"] == 1

    def answered() -> bool:
        emulator.receive(codec.encode_templete_num())
        return bool(list(drain(wire.decoder)))

    wait_for(answered, timeout_s=2.0)
    assert time.monotonic() - started >= 0.1
    # replies are delayed by processing time plus the wire time at 57,600 baud, scaled
    assert wire.delays[-1] == pytest.approx(0.2 * (0.005 + 14 * 10 / 57600))


def test_aura_can_be_unsupported() -> None:
    wire = Wire(FingerprintEmulator(supports_aura=False))
    reply = wire.ask(codec.encode_aura(1, 2))
    assert reply.confirmation == Confirmation.PACKET_RECEIVE_ERROR
    wire = Wire(FingerprintEmulator())
    assert wire.ask(codec.encode_aura(1, 2)).ok
    assert wire.emulator.state()["aura"] == [1, 2]
