"""The PJL printer emulator on its own: page counting of real PDFs, saved jobs, status codes
in priority order, and the reports it sends (through its codec, no driver)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from kiosk.devices.codec_api import drain
from kiosk.devices.printer.codec import (
    JobEvent,
    PageCount,
    PageEvent,
    ReplyDecoder,
    StatusReport,
    frame_job,
    info_pagecount_request,
    info_status_request,
    pjl,
    ustatus_request,
)
from sim.devices.printer import START_PAGECOUNT, PrinterEmulator, count_pdf_pages


class Wire:
    """Collects what the emulator sends, decoded."""

    def __init__(self) -> None:
        self.decoder = ReplyDecoder()

    def __call__(self, data: bytes, delay_s: float) -> None:
        del delay_s
        self.decoder.feed(data)

    def replies(self) -> list[object]:
        return list(drain(self.decoder))


def test_page_counts_of_real_pdfs(pdf: Callable[[int], bytes]) -> None:
    assert count_pdf_pages(pdf(1)) == 1
    assert count_pdf_pages(pdf(7)) == 7


def test_page_count_of_an_incrementally_updated_pdf(pdf: Callable[[int], bytes]) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf(3)))
    output = io.BytesIO()
    writer.write(output)  # a second xref section, as a PAdES signature adds
    assert count_pdf_pages(output.getvalue()) == 3


def test_page_count_falls_back_to_page_objects() -> None:
    broken = (b"%PDF-1.4\n1 0 obj <</Type /Page>> endobj\n2 0 obj <</Type/Page>> endobj\n"
              b"3 0 obj <</Type /Pages /Kids []>> endobj\n%%EOF")
    assert count_pdf_pages(broken) == 2
    assert count_pdf_pages(b"%PDF-1.4 nothing") == 0


def test_job_is_saved_counted_and_reported(tmp_path: Path, pdf: Callable[[int], bytes],
                                           wait_for) -> None:
    emulator = PrinterEmulator(output_dir=tmp_path)
    wire = Wire()
    emulator.attach(wire)
    document = pdf(2)
    emulator.receive(ustatus_request() + frame_job("T-1", document))
    wait_for(lambda: emulator.jobs[-1].result == "OK")
    assert (tmp_path / "printer" / "T-1.pdf").read_bytes() == document
    replies = wire.replies()
    assert replies[0] == JobEvent("START", "T-1", job_id=1)
    assert [reply for reply in replies if isinstance(reply, PageEvent)] == [
        PageEvent(1), PageEvent(2)]
    assert replies[-2] == JobEvent("END", "T-1", 2, 1, "OK")
    assert emulator.pagecount == START_PAGECOUNT + 2 and emulator.sheets == 498
    emulator.receive(frame_job("T-1", document))  # a retry keeps both files
    wait_for((tmp_path / "printer" / "T-1-2.pdf").exists)


def test_status_priority_and_unsolicited_reports(tmp_path: Path) -> None:
    emulator = PrinterEmulator(output_dir=tmp_path)
    wire = Wire()
    emulator.attach(wire)
    emulator.set_fault("toner_low")
    assert wire.replies() == []  # USTATUS DEVICE is off until asked for
    emulator.receive(pjl("USTATUS DEVICE=ON"))
    emulator.set_fault("paper_out")
    emulator.set_fault("door_open")
    emulator.set_fault("door_open", active=False)
    emulator.set_fault("paper_out", active=False)
    codes = [reply.code for reply in wire.replies() if isinstance(reply, StatusReport)]
    assert codes == [41226, 40021, 41226, 10006]
    emulator.receive(info_status_request() + info_pagecount_request() + pjl("INFO FONTS"))
    status, count, fonts = wire.replies()
    assert status == StatusReport(10006, True, "16 TONER LOW")
    assert count == PageCount(START_PAGECOUNT, keyed=False)
    assert fonts.unsupported
    assert emulator.state()["toner_percent"] == 5.0


def test_jam_after_pages_cancels_the_job(tmp_path: Path, pdf: Callable[[int], bytes],
                                         wait_for) -> None:
    emulator = PrinterEmulator(output_dir=tmp_path)
    wire = Wire()
    emulator.attach(wire)
    emulator.receive(ustatus_request())
    emulator.set_fault("jam", params={"after_pages": 1})
    emulator.receive(frame_job("T-2", pdf(4)))
    wait_for(lambda: emulator.jobs[-1].result == "RESOURCE_CANCELED")
    replies = wire.replies()
    assert [reply.page for reply in replies if isinstance(reply, PageEvent)] == [1]
    assert StatusReport(42103, False, "13.03 PAPER JAM", solicited=False) in replies
    assert replies[-1] == JobEvent("END", "T-2", 1, 1, "RESOURCE_CANCELED")
    assert emulator.state()["jammed"] is True
