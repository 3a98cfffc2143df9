"""Third-party compatibility: the unmodified pyfingerprint 1.5 library against the emulator over a
real pty. pyfingerprint opens ``serial.Serial(port)`` itself, so it gets the pty symlink; it is
slow on a silent line (about 24 s), so silence is never tested with it."""

from __future__ import annotations

import pytest

from sim.subjects_fingers import template_for
from tests.devices.fingerprint.conftest import Rig

pyfingerprint = pytest.importorskip("pyfingerprint.pyfingerprint",
                                    reason="pyfingerprint 1.5 (dev extra) is not installed")


def open_client(rig: Rig, password: int = 0x00000000):  # type: ignore[no-untyped-def]
    return pyfingerprint.PyFingerprint(str(rig.link.symlink), 57600, 0xFFFFFFFF, password)


def test_handshake_parameters_count_capture_and_convert(rig: Rig) -> None:
    client = open_client(rig)
    assert client.verifyPassword() is True
    status, system_id, capacity, security, address, packet_code, baud = \
        client.getSystemParameters()
    assert (capacity, security, address, packet_code, baud) == (1000, 3, 0xFFFFFFFF, 2, 6)
    assert client.getBaudRate() == 57600
    assert client.getMaxPacketSize() == 128
    assert client.getTemplateCount() == 0
    assert client.readImage() is False  # 0x02: no finger
    assert client.readImage() is False
    rig.emulator.act("place", {"subject": "choi-yuna"})
    assert client.readImage() is True
    assert client.convertImage(0x01) is True
    assert rig.emulator.char_buffers[1] == template_for("choi-yuna")
    del status, system_id


def test_enrol_search_download_and_index(rig: Rig) -> None:
    client = open_client(rig)
    client.verifyPassword()
    rig.emulator.act("place", {"subject": "lee-seojun", "finger": 1})
    for buffer in (0x01, 0x02):
        assert client.readImage()
        client.convertImage(buffer)
    assert client.compareCharacteristics() == 200
    assert client.createTemplate() is True
    assert client.storeTemplate() == 0  # first free slot
    assert client.getTemplateCount() == 1
    assert client.getTemplateIndex(0)[:2] == [True, False]
    assert client.searchTemplate() == (0, 200)
    characteristics = client.downloadCharacteristics(0x01)  # module -> host (UpChar)
    assert bytes(characteristics) == template_for("lee-seojun", 1)
    rig.emulator.act("place", {"subject": "kim-minji"})
    client.readImage()
    client.convertImage(0x01)
    assert client.searchTemplate() == (-1, -1)  # 0x09: not found


def test_wrong_password_and_no_image_errors(rig: Rig) -> None:
    rig.emulator.password = 0x00C0FFEE
    client = open_client(rig)
    assert client.verifyPassword() is False
    good = open_client(rig, password=0x00C0FFEE)
    assert good.verifyPassword() is True
    with pytest.raises(Exception, match="The image is invalid"):
        good.convertImage(0x01)  # 0x15: nothing captured yet
