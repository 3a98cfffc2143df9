"""Third-party compatibility: python-escpos's own, unmodified ``escpos.printer.Serial`` against
the receipt emulator over a real pty (the symlink path as ``devfile``): printing, cutting,
``is_online`` and ``paper_status`` before and after the paper faults (reference 2.3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from escpos.printer import Serial

from kiosk.devices.receipt.driver import EscPosReceiptPrinter
from kiosk.status import DeviceState
from sim.devices.receipt import ReceiptEmulator
from sim.ptylink import PtyLink

#: python-escpos reads "up to 16 bytes" until this timeout on every status call (pitfall 2).
ESCPOS_TIMEOUT_S = 0.2


@pytest.fixture
def escpos_printer(link: PtyLink) -> Iterator[Serial]:
    printer = Serial(devfile=str(link.symlink), baudrate=9600, timeout=ESCPOS_TIMEOUT_S)
    yield printer
    printer.close()


def test_python_escpos_prints_and_cuts(escpos_printer: Serial, emulator: ReceiptEmulator,
                                       wait_for) -> None:
    escpos_printer.hw("INIT")
    escpos_printer.set(align="center", bold=True)
    escpos_printer.textln("KIOSK TEST")
    escpos_printer.set_with_default()
    escpos_printer.textln("Fee: 1,000 won")
    escpos_printer.cut()
    wait_for(lambda: emulator.receipt_count == 1)
    assert emulator.receipts[-1] == "KIOSK TEST\nFee: 1,000 won\n"
    assert emulator.protocol_errors == 0


def test_python_escpos_status_calls_follow_the_paper_faults(escpos_printer: Serial,
                                                            emulator: ReceiptEmulator) -> None:
    assert escpos_printer.is_online() is True
    assert escpos_printer.paper_status() == 2  # adequate
    emulator.set_fault("paper_near_end")
    assert escpos_printer.paper_status() == 1  # near end
    assert escpos_printer.is_online() is True
    emulator.set_fault("paper_out")
    assert escpos_printer.paper_status() == 0  # out
    assert escpos_printer.is_online() is False
    emulator.set_fault("paper_out", active=False)
    emulator.set_fault("paper_near_end", active=False)
    assert escpos_printer.paper_status() == 2
    assert escpos_printer.is_online() is True


def test_python_escpos_korean_text_prints_as_question_marks(escpos_printer: Serial,
                                                            emulator: ReceiptEmulator,
                                                            wait_for) -> None:
    escpos_printer.text("수수료\n")
    escpos_printer.cut()
    wait_for(lambda: emulator.receipt_count == 1)
    assert emulator.receipts[-1] == "???\n"  # reference 2.4: why the driver encodes Korean


def test_silent_printer_python_escpos_says_adequate_our_driver_says_offline(
        escpos_printer: Serial, emulator: ReceiptEmulator, printer: EscPosReceiptPrinter,
        wait_for) -> None:
    emulator.set_fault("silent")
    assert escpos_printer.paper_status() == 2  # python-escpos 3.1: an empty reply is "adequate"
    printer.start()
    wait_for(lambda: printer.status.state is DeviceState.OFFLINE)
