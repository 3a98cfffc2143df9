"""The PJL printer driver against the printer emulator over a real pty: jobs with exact page
confirmation, every fault's status and error (mid-job too), recovery after the fault clears
or the printer is replugged (within 5 s, no restart)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices.printer.codec import InvalidJob
from kiosk.devices.printer.driver import PjlDocumentPrinter
from kiosk.devices.printer.jobs import JobFailed
from kiosk.errors import DeviceOperationError, DeviceTimeout, DeviceUnavailable
from kiosk.status import DeviceState
from sim.devices.printer import START_PAGECOUNT, PrinterEmulator
from sim.ptylink import PtyLink

PdfMaker = Callable[[int], bytes]


def test_connect_reads_status_and_page_counter(printer: PjlDocumentPrinter,
                                               emulator: PrinterEmulator) -> None:
    assert printer.status.state is DeviceState.ONLINE
    assert printer.status.detail["code"] == 10001
    assert printer.status.counters["engine_pages"] == START_PAGECOUNT
    assert printer.pagecount() == START_PAGECOUNT
    assert emulator.state()["unsolicited"] == {"device": True, "job": True, "page": True}


def test_job_pages_are_confirmed_one_by_one(printer: PjlDocumentPrinter,
                                            emulator: PrinterEmulator, pdf: PdfMaker,
                                            tmp_path: Path) -> None:
    pages: list[int] = []
    document = pdf(3)
    assert printer.print_pdf("T-20250301-0001", document, 3, pages.append) == 3
    assert pages == [1, 2, 3]
    assert (tmp_path / "output" / "printer" / "T-20250301-0001.pdf").read_bytes() == document
    counters = printer.status.counters
    assert (counters["pages"], counters["jobs"], counters["job_failures"]) == (3, 1, 0)
    assert printer.pagecount() == START_PAGECOUNT + 3


def test_jam_mid_job_reports_the_pages_done(printer: PjlDocumentPrinter,
                                            emulator: PrinterEmulator, pdf: PdfMaker,
                                            wait_for) -> None:
    emulator.set_fault("jam", params={"after_pages": 2})
    pages: list[int] = []
    with pytest.raises(JobFailed) as caught:
        printer.submit_job("T-2", pdf(5), 5, on_page=pages.append)
    failure = caught.value
    assert isinstance(failure, DeviceOperationError)
    assert (failure.pages_done, failure.fault, pages) == (2, "jam", [1, 2])
    assert failure.result.printer_result == "RESOURCE_CANCELED"
    assert printer.status.state is DeviceState.HARDWARE_ERROR
    assert printer.status.detail["jam"] is True
    assert printer.status.counters["jams"] == 1
    emulator.set_fault("jam", active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)
    assert printer.submit_job("T-3", pdf(1), 1).pages_printed == 1


@pytest.mark.parametrize(("fault", "state", "reported", "detail"), [
    ("jam", DeviceState.HARDWARE_ERROR, "jam", ("jam", True)),
    ("paper_out", DeviceState.USER_ERROR, "paper_out", ("paper", "out")),
    ("door_open", DeviceState.USER_ERROR, "door_open", ("door", "open")),
    ("offline", DeviceState.OFFLINE, "offline", ("online", False)),
])
def test_stopping_fault_is_reported_refuses_jobs_and_recovers(
        printer: PjlDocumentPrinter, emulator: PrinterEmulator, pdf: PdfMaker, wait_for,
        fault: str, state: DeviceState, reported: str, detail: tuple[str, object]) -> None:
    emulator.set_fault(fault)
    wait_for(lambda: printer.status.state is state)
    assert printer.status.detail["fault"] == reported
    assert printer.status.detail[detail[0]] == detail[1]
    with pytest.raises(JobFailed) as caught:
        printer.submit_job("T-4", pdf(1), 1)
    assert (caught.value.pages_done, caught.value.fault) == (0, reported)
    assert len(emulator.jobs) == 0  # refused before anything was sent
    emulator.set_fault(fault, active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)
    assert printer.submit_job("T-5", pdf(2), 2).pages_printed == 2


@pytest.mark.parametrize(("fault", "key", "value"), [
    ("toner_low", "toner", "low"),
    ("paper_low", "paper", "low"),
])
def test_warnings_keep_the_printer_online(printer: PjlDocumentPrinter,
                                          emulator: PrinterEmulator, pdf: PdfMaker,
                                          wait_for, fault: str, key: str, value: str) -> None:
    emulator.set_fault(fault)
    wait_for(lambda: printer.status.detail.get(key) == value)
    assert printer.status.state is DeviceState.ONLINE
    assert printer.submit_job("T-6", pdf(2), 2).completed
    emulator.set_fault(fault, active=False)
    wait_for(lambda: printer.status.detail.get(key) == "full")


def test_paper_running_out_mid_job(printer: PjlDocumentPrinter, emulator: PrinterEmulator,
                                   pdf: PdfMaker, wait_for) -> None:
    emulator.set_fault("paper_low", params={"sheets": 2})
    with pytest.raises(JobFailed) as caught:
        printer.submit_job("T-7", pdf(4), 4)
    assert (caught.value.pages_done, caught.value.fault) == (2, "paper_out")
    assert printer.status.state is DeviceState.USER_ERROR
    emulator.set_fault("paper_low", active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)


class BackgroundJob:
    """A job printing on another thread, so that a fault can strike mid-job."""

    def __init__(self, printer: PjlDocumentPrinter, name: str, document: bytes,
                 pages: int) -> None:
        self.pages: list[int] = []
        self.failure: JobFailed | None = None
        self._thread = threading.Thread(target=self._run,
                                        args=(printer, name, document, pages))
        self._thread.start()

    def _run(self, printer: PjlDocumentPrinter, name: str, document: bytes, pages: int) -> None:
        try:
            printer.submit_job(name, document, pages, on_page=self.pages.append)
        except JobFailed as exc:
            self.failure = exc

    def join(self) -> JobFailed:
        self._thread.join(timeout=5)
        assert not self._thread.is_alive()
        assert self.failure is not None
        return self.failure


def test_door_opened_while_printing(printer: PjlDocumentPrinter, emulator: PrinterEmulator,
                                    pdf: PdfMaker, wait_for) -> None:
    emulator.timing = 0.05  # 0.1 s per page: slow enough to open the door mid-job
    job = BackgroundJob(printer, "T-8", pdf(10), 10)
    wait_for(lambda: len(job.pages) >= 1)
    emulator.set_fault("door_open")
    failure = job.join()
    assert failure.fault == "door_open"
    assert 1 <= failure.pages_done < 10
    assert failure.pages_done == emulator.jobs[-1].printed == len(job.pages)


def test_printer_going_silent_mid_job(printer: PjlDocumentPrinter, emulator: PrinterEmulator,
                                      pdf: PdfMaker, wait_for) -> None:
    emulator.timing = 0.05
    job = BackgroundJob(printer, "T-11", pdf(10), 10)
    wait_for(lambda: len(job.pages) >= 1)
    emulator.set_fault("silent")
    failure = job.join()
    assert failure.fault == "no_reply"
    assert 1 <= failure.pages_done == len(job.pages)
    assert printer.status.state is DeviceState.OFFLINE


def test_page_count_mismatch_fails_loudly(printer: PjlDocumentPrinter, pdf: PdfMaker) -> None:
    with pytest.raises(JobFailed) as caught:
        printer.submit_job("T-9", pdf(3), 2)
    assert (caught.value.pages_done, caught.value.fault) == (3, "page_count_mismatch")


def test_invalid_jobs_are_refused_before_sending(printer: PjlDocumentPrinter,
                                                 emulator: PrinterEmulator,
                                                 pdf: PdfMaker) -> None:
    with pytest.raises(InvalidJob):
        printer.submit_job('T"10', pdf(1), 1)
    with pytest.raises(InvalidJob):
        printer.submit_job("T-10", b"not a pdf", 1)
    with pytest.raises(ValueError):
        printer.submit_job("T-10", pdf(1), 0)
    assert len(emulator.jobs) == 0


def test_silent_printer_goes_offline_and_comes_back(printer: PjlDocumentPrinter,
                                                    emulator: PrinterEmulator,
                                                    wait_for) -> None:
    emulator.set_fault("silent")
    wait_for(lambda: printer.status.state is DeviceState.OFFLINE)
    assert printer.status.detail["reason"] == "no_reply"
    with pytest.raises(DeviceTimeout):
        printer.query_status()
    emulator.set_fault("silent", active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)


def test_garbage_before_replies_is_skipped(printer: PjlDocumentPrinter,
                                          emulator: PrinterEmulator, pdf: PdfMaker) -> None:
    emulator.set_fault("garbage", params={"bytes": 5})
    assert printer.query_status().code == 10001
    assert printer.submit_job("T-12", pdf(2), 2).pages_printed == 2
    assert printer.status.counters["protocol_errors"] >= 2
    emulator.set_fault("garbage", active=False)


def test_slow_replies_time_out_then_recover(printer: PjlDocumentPrinter,
                                            emulator: PrinterEmulator, wait_for) -> None:
    emulator.set_fault("slow", params={"seconds": 1.5})
    with pytest.raises(DeviceTimeout):
        printer.query_status()
    emulator.set_fault("slow", active=False)
    wait_for(lambda: printer.status.state is DeviceState.ONLINE)
    assert printer.query_status().code == 10001


def test_unplug_and_replug_recover_without_restart(printer: PjlDocumentPrinter,
                                                   emulator: PrinterEmulator,
                                                   link: PtyLink, pdf: PdfMaker,
                                                   wait_for) -> None:
    link.close()
    wait_for(lambda: printer.status.state is DeviceState.NO_DEVICE)
    with pytest.raises(DeviceUnavailable):
        printer.submit_job("T-13", pdf(1), 1)
    link.open()
    wait_for(lambda: printer.status.state is DeviceState.ONLINE, timeout_s=5.0)
    assert printer.submit_job("T-13", pdf(1), 1).completed
    wait_for(lambda: printer.status.counters["reconnects"] >= 2)


def test_purge_leaves_the_printer_usable(printer: PjlDocumentPrinter,
                                         emulator: PrinterEmulator, pdf: PdfMaker) -> None:
    printer.purge()
    assert emulator.protocol_errors == 0
    assert printer.submit_job("T-14", pdf(1), 1).completed
