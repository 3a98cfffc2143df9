"""The receipt driver against the receipt emulator over a real pty: every fault's status and
error, recovery after the fault clears or the printer is replugged (within 5 s, no restart),
and Korean receipts that arrive decoded, never as '?'."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kiosk.devices.receipt.codec import UnprintableText
from kiosk.devices.receipt.driver import EscPosReceiptPrinter
from kiosk.devices.receipt.layout import Receipt, receipt_lines
from kiosk.errors import DeviceOperationError, DeviceTimeout, DeviceUnavailable, ProtocolError
from kiosk.status import DeviceState
from sim.devices.receipt import ReceiptEmulator
from sim.ptylink import PtyLink

RECEIPT = Receipt(document_name="가족관계증명서", pages=1, fee_won=1000,
                  approval_code="30012345", masked_card="5361-48**-****-1234",
                  kiosk_id="jongno-0001", issued_at="2025-03-01 14:03",
                  document_number="1234-5678-9012")


def started(printer: EscPosReceiptPrinter, wait_for) -> EscPosReceiptPrinter:
    printer.start()
    wait_for(lambda: printer.status.counters.get("reconnects", 0) >= 1)  # connect() has finished
    assert printer.status.state is DeviceState.ONLINE
    return printer


def test_korean_receipt_arrives_decoded_and_saved(printer: EscPosReceiptPrinter,
                                                  emulator: ReceiptEmulator,
                                                  tmp_path: Path) -> None:
    printer.connect()
    assert printer.status.state is DeviceState.ONLINE
    assert printer.status.detail["paper"] == "full"
    printer.print_receipt(RECEIPT)
    expected = "\n".join(receipt_lines(RECEIPT)) + "\n"
    assert emulator.receipts[-1] == expected
    saved = (tmp_path / "output" / "receipt" / "receipt-1.txt").read_text(encoding="utf-8")
    assert saved == expected
    assert "가족관계증명서" in saved and "?" not in saved and "\ufffd" not in saved
    counters = printer.status.counters
    assert (counters["receipts"], counters["cuts"], counters["errors"]) == (1, 1, 0)


@pytest.mark.parametrize("syllable", ["똠", "믜", "쌰"])
def test_unprintable_syllable_is_refused_before_anything_is_sent(
        printer: EscPosReceiptPrinter, emulator: ReceiptEmulator, syllable: str) -> None:
    printer.connect()
    requests_before = emulator.status_requests
    with pytest.raises(UnprintableText, match="not in KS X 1001"):
        printer.print_lines(["주민등록표", f"{syllable}의 문서"])
    assert emulator.status_requests == requests_before
    assert emulator.receipt_count == 0 and emulator.current == []


def test_paper_near_end_stays_online_with_paper_low(printer: EscPosReceiptPrinter,
                                                    emulator: ReceiptEmulator,
                                                    wait_for) -> None:
    started(printer, wait_for)
    emulator.set_fault("paper_near_end")
    wait_for(lambda: printer.status.detail.get("paper") == "low")
    assert printer.status.state is DeviceState.ONLINE
    printer.print_receipt(RECEIPT)
    assert emulator.receipt_count == 1
    emulator.set_fault("paper_near_end", active=False)
    wait_for(lambda: printer.status.detail.get("paper") == "full")


@pytest.mark.parametrize(("fault", "state", "reported"), [
    ("paper_out", DeviceState.USER_ERROR, "paper_out"),
    ("cover_open", DeviceState.USER_ERROR, "cover_open"),
    ("cutter_error", DeviceState.HARDWARE_ERROR, "cutter_error"),
])
def test_fault_is_reported_refuses_printing_and_recovers(
        printer: EscPosReceiptPrinter, emulator: ReceiptEmulator, wait_for, fault: str,
        state: DeviceState, reported: str) -> None:
    started(printer, wait_for)
    emulator.set_fault(fault)
    wait_for(lambda: printer.status.state is state)
    assert printer.status.detail["fault"] == reported
    with pytest.raises(DeviceOperationError) as caught:
        printer.print_receipt(RECEIPT)
    assert caught.value.fault == reported
    assert printer.status.counters["errors"] == 1
    assert emulator.receipt_count == 0
    emulator.set_fault(fault, active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)  # cutter: DLE ENQ 2
    printer.print_receipt(RECEIPT)
    assert emulator.receipt_count == 1


def test_cutter_error_stays_latched_until_the_driver_recovers_it(
        printer: EscPosReceiptPrinter, emulator: ReceiptEmulator) -> None:
    printer.connect()
    emulator.set_fault("cutter_error")
    emulator.set_fault("cutter_error", active=False)
    assert printer.refresh_status().fault == "cutter_error"  # Epson: recoverable error
    printer.recover()  # DLE ENQ 2, as the supervisor sends on every poll meanwhile
    assert printer.refresh_status().fault is None


def test_paper_running_out_mid_receipt_is_an_error(printer: EscPosReceiptPrinter,
                                                   emulator: ReceiptEmulator) -> None:
    printer.connect()
    emulator.paper_mm = 10.0  # a few lines left
    with pytest.raises(DeviceOperationError, match="receipt not finished") as caught:
        printer.print_receipt(RECEIPT)
    assert caught.value.fault == "paper_out"
    assert printer.status.state is DeviceState.USER_ERROR
    assert emulator.receipt_count == 0


def test_silent_printer_is_offline_not_paper_adequate(printer: EscPosReceiptPrinter,
                                                      emulator: ReceiptEmulator,
                                                      wait_for) -> None:
    started(printer, wait_for)
    emulator.set_fault("silent")
    wait_for(lambda: printer.status.state is DeviceState.OFFLINE)
    assert printer.status.detail.get("reason") in ("no_reply", "device.timeout")
    with pytest.raises(DeviceTimeout):
        printer.refresh_status()
    assert printer.status.counters["timeouts"] >= 2
    emulator.set_fault("silent", active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)


def test_garbage_replies_are_never_trusted(printer: EscPosReceiptPrinter,
                                           emulator: ReceiptEmulator, wait_for) -> None:
    printer.connect()
    emulator.set_fault("garbage", params={"bytes": 3})
    with pytest.raises(ProtocolError):
        printer.refresh_status()
    assert printer.status.state is DeviceState.OFFLINE
    assert printer.status.detail["reason"] == "bad_reply"
    assert printer.status.counters["protocol_errors"] >= 2
    emulator.set_fault("garbage", active=False)
    printer.start()
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)
    printer.print_receipt(RECEIPT)
    assert emulator.receipt_count == 1


def test_slow_printer_times_out_then_recovers(printer: EscPosReceiptPrinter,
                                              emulator: ReceiptEmulator, wait_for) -> None:
    printer.connect()
    emulator.set_fault("slow", params={"seconds": 0.5})
    with pytest.raises(DeviceTimeout):
        printer.refresh_status()
    emulator.set_fault("slow", active=False)
    printer.start()
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)
    printer.print_receipt(RECEIPT)
    assert emulator.receipt_count == 1


def test_unplug_and_replug_recover_without_restart(printer: EscPosReceiptPrinter,
                                                   emulator: ReceiptEmulator,
                                                   link: PtyLink, wait_for) -> None:
    started(printer, wait_for)
    link.close()
    wait_for(lambda: printer.status.state is DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        printer.print_receipt(RECEIPT)
    link.open()
    wait_for(lambda: printer.status.state is DeviceState.ONLINE, timeout_s=5.0)
    printer.print_receipt(RECEIPT)
    assert emulator.receipt_count == 1
    wait_for(lambda: printer.status.counters["reconnects"] >= 2)


def test_slow_print_is_confirmed_while_status_checks_run(printer: EscPosReceiptPrinter,
                                                         emulator: ReceiptEmulator) -> None:
    printer.connect()
    emulator.timing = 1.0  # realistic head speed: about 0.8 s for this receipt
    requests_before = emulator.status_requests
    printer.print_receipt(RECEIPT)
    assert emulator.receipt_count == 1
    assert emulator.status_requests - requests_before >= 6  # 4 before, checks, 4 after
    assert printer.status.counters["protocol_errors"] == 0
    assert printer.refresh_status().fault is None


def test_cover_opened_mid_receipt_fails_it_at_once(printer: EscPosReceiptPrinter,
                                                   emulator: ReceiptEmulator,
                                                   wait_for) -> None:
    printer.connect()
    emulator.timing = 1.0
    failures: list[DeviceOperationError] = []

    def run() -> None:
        try:
            printer.print_receipt(RECEIPT)
        except DeviceOperationError as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    wait_for(lambda: len(emulator.current) >= 3)  # the head is printing
    emulator.set_fault("cover_open")
    worker.join(timeout=2.0)
    assert not worker.is_alive()
    assert [failure.fault for failure in failures] == ["cover_open"]
    assert emulator.receipt_count == 0
