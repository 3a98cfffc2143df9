"""Emulated A4 laser printer speaking HP PJL (reference/devices.md section 3).

Speaks the production codecs (``kiosk.devices.printer.codec``, ``.stream``,
``.status_codes``), never the driver. It holds a 500-sheet A4 tray, a toner cartridge (%),
the engine's page counter, the door and the jobs it received. PJL requests are answered at
once (``INFO STATUS``, ``INFO PAGECOUNT``, ``INFO ID``, ``ECHO``; any other ``INFO`` gets
``?``); ``USTATUS DEVICE/JOB/PAGE`` switch unsolicited reports on and off, and a DEVICE report
goes out on every change of the status code.

Each job (``JOB NAME=``, ``ENTER LANGUAGE=PDF``, the PDF up to the UEL) is saved to
``output_dir/printer/<job name>.pdf`` and its pages counted (pyHanko's reader, falling back
to counting ``/Type /Page`` objects). An engine thread prints it: ``JOB_SETUP_S`` to start,
then ``PAGE_S`` per page (both scaled by ``timing``), one ``USTATUS PAGE`` per page and
``USTATUS JOB END`` with ``PAGES=`` and ``RESULT=``. On anything that stops printing (door,
jam, paper out, toner empty, offline) the job is cancelled with the pages printed so far
(``RESULT=RESOURCE_CANCELED``): the printer is set up to drop a job on intervention, so a
failed document never completes by itself after a technician clears the fault.

Faults besides the common ones: ``paper_out``, ``paper_low`` (param ``sheets``, default 10),
``jam`` (now, or with param ``after_pages`` after that many more pages print), ``door_open``,
``toner_low`` (param ``percent``, default 5) and ``offline``. Clearing a paper fault fills the
tray, clearing ``toner_low`` fits a new cartridge.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.devices.codec_api import drain
from kiosk.devices.printer.codec import (
    EchoReply,
    InfoReply,
    JobEvent,
    PageCount,
    PageEvent,
    StatusReport,
)
from kiosk.devices.printer.status_codes import (
    DOOR_OPEN,
    OFFLINE,
    PROCESSING_JOB,
    READY,
    TONER_LOW,
    TONER_OUT,
    jam_code,
    paper_low_code,
    paper_out_code,
)
from kiosk.devices.printer.stream import PjlCommand, PrintData, RequestDecoder, Uel
from kiosk.errors import ProtocolError
from sim.emulator import Emulator

log = logging.getLogger(__name__)

TRAY_CAPACITY = 500  # one A4 cassette
PAPER_LOW_SHEETS = 50  # the tray's low-paper sensor (model-specific)
TONER_LOW_PERCENT = 10.0
TONER_PER_PAGE = 0.02  # % of a cartridge per page: about 5,000 pages at 5 % coverage
START_PAGECOUNT = 12_345  # the engine counter of a printer that has seen some service
JOB_SETUP_S = 1.0  # interpreting the PDF before the first page
PAGE_S = 2.0  # 30 pages per minute
MAX_JOB_BYTES = 64 * 1024 * 1024
KEPT_JOBS = 50
PRINTER_ID = '"KIOSK-SIM A4 PJL"'
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")


def count_pdf_pages(pdf: bytes) -> int:
    """The number of pages a PDF declares (0 if it has none we can find)."""
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        count = PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"]
        if isinstance(count, int) and count >= 0:
            return count
    except Exception:  # a malformed PDF may fail anywhere in the reader: fall back
        log.debug("printer emulator: pyHanko could not read the PDF; counting page objects")
    return len(PAGE_OBJECT.findall(pdf))


@dataclass
class EmulatedJob:
    """One job the printer received."""

    job_id: int
    name: str
    pages: int
    printed: int = 0
    result: str = "queued"
    path: str | None = None


class PrinterEmulator(Emulator):
    """A PJL laser printer with a tray, toner, a door, a page counter and a job queue."""

    name = "printer"
    FAULTS = frozenset({"paper_out", "paper_low", "jam", "door_open", "toner_low", "offline"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decoder = RequestDecoder()
        self.sheets = TRAY_CAPACITY
        self.toner_percent = 100.0
        self.pagecount = START_PAGECOUNT
        self.door_open = False
        self.jammed = False
        self.jam_after: int | None = None
        self.offline = False
        self.report_device = self.report_job = self.report_page = False
        self.jobs: deque[EmulatedJob] = deque(maxlen=KEPT_JOBS)
        self.protocol_errors = 0
        self._job_ids = 0
        self._job_name: str | None = None
        self._job_id: int | None = None
        self._data: bytearray | None = None
        self._queue: deque[tuple[EmulatedJob, bytes]] = deque()
        self._printing: EmulatedJob | None = None
        self._engine: threading.Thread | None = None
        self._last_code = READY

    # ---------------------------------------------------------------- status

    def current_status(self) -> StatusReport:
        """The one code the printer reports now, most important condition first."""
        if self.door_open:
            return StatusReport(DOOR_OPEN, False, "12 PRINTER OPEN")
        if self.jammed:
            return StatusReport(jam_code(), False, "13.03 PAPER JAM")
        if self.sheets <= 0:
            return StatusReport(paper_out_code(), False, "LOAD TRAY 2 A4")
        if self.toner_percent <= 0:
            return StatusReport(TONER_OUT, False, "88 REPLACE TONER")
        if self.offline:
            return StatusReport(OFFLINE, False, "OFFLINE")
        if self._printing is not None:
            return StatusReport(PROCESSING_JOB, True, "PROCESSING JOB")
        if self.toner_percent < TONER_LOW_PERCENT:
            return StatusReport(TONER_LOW, True, "16 TONER LOW")
        if self.sheets <= PAPER_LOW_SHEETS:
            return StatusReport(paper_low_code(), True, "TRAY 2 LOW")
        return StatusReport(READY, True, "00 READY")

    @property
    def stopped(self) -> bool:
        return not self.current_status().online

    def _status_changed(self) -> None:
        report = self.current_status()
        if report.code != self._last_code:
            self._last_code = report.code
            if self.report_device:
                self.emit(StatusReport(report.code, report.online, report.display,
                                       solicited=False).encode())

    # ----------------------------------------------------------------- input

    def receive(self, data: bytes) -> None:
        with self.lock:
            self.decoder.feed(data)
            for message in drain(self.decoder, self._on_protocol_error):
                if isinstance(message, PrintData):
                    self._collect(message.data)
                elif isinstance(message, Uel):
                    self._end_of_data()
                else:
                    self._command(message)

    def _on_protocol_error(self, exc: ProtocolError) -> None:
        del exc
        self.protocol_errors += 1

    def _command(self, command: PjlCommand) -> None:
        verb = command.verb
        if verb == "INFO":
            self._info(command.words[0] if command.words else "")
        elif verb == "ECHO":
            self.reply(EchoReply(command.text).encode())
        elif verb == "USTATUSOFF":
            self.report_device = self.report_job = self.report_page = False
        elif verb == "USTATUS":
            for option, value in command.options.items():
                enabled = value.upper() in ("ON", "VERBOSE")
                if option == "DEVICE":
                    self.report_device = enabled
                elif option == "JOB":
                    self.report_job = enabled
                elif option == "PAGE":
                    self.report_page = enabled
        elif verb == "JOB":
            self._job_ids += 1
            self._job_id = self._job_ids
            self._job_name = command.option("NAME") or None
            if self.report_job:
                self.emit(JobEvent("START", self._job_name, job_id=self._job_id).encode())
        elif verb == "ENTER":
            self._data = bytearray()

    def _info(self, topic: str) -> None:
        if topic == "STATUS":
            self.reply(self.current_status().encode())
        elif topic == "PAGECOUNT":
            self.reply(PageCount(self.pagecount, keyed=False).encode())
        elif topic == "ID":
            self.reply(InfoReply("ID", (PRINTER_ID,)).encode())
        else:
            self.reply(InfoReply(topic or "?", ("?",)).encode())

    def _collect(self, data: bytes) -> None:
        if self._data is None:
            self._data = bytearray()
        if len(self._data) + len(data) <= MAX_JOB_BYTES:
            self._data += data

    def _end_of_data(self) -> None:
        if self._data is None:
            return
        pdf, self._data = bytes(self._data), None
        if self._job_id is None:
            self._job_ids += 1
            self._job_id = self._job_ids
        name = self._job_name or f"job-{self._job_id}"
        job = EmulatedJob(self._job_id, name, count_pdf_pages(pdf))
        job.path = self._save(name, pdf)
        self._job_name = self._job_id = None
        self.jobs.append(job)
        self._queue.append((job, pdf))
        if self._engine is None:
            self._engine = threading.Thread(target=self._run_engine, name="printer-engine",
                                            daemon=True)
            self._engine.start()

    def _save(self, name: str, pdf: bytes) -> str | None:
        if self.output_dir is None:
            return None
        folder = self.output_dir / "printer"
        folder.mkdir(parents=True, exist_ok=True)
        stem = UNSAFE_FILE_CHARACTERS.sub("_", name)
        path, copy = folder / f"{stem}.pdf", 1
        while path.exists():
            copy += 1
            path = folder / f"{stem}-{copy}.pdf"
        Path(path).write_bytes(pdf)
        return str(path)

    # ---------------------------------------------------------------- engine

    def _pause(self, seconds: float) -> None:
        if self.timing > 0:
            time.sleep(seconds * self.timing)

    def _run_engine(self) -> None:
        while True:
            with self.lock:
                if not self._queue:
                    self._engine = None
                    return
                job, _ = self._queue.popleft()
                self._printing = job
                job.result = "printing"
                self._status_changed()
            try:
                self._print(job)
            except Exception:  # an emulator bug must not stop the printer for good
                log.exception("printer emulator failed on job %d", job.job_id)
            with self.lock:
                self._printing = None
                self._status_changed()

    def _print(self, job: EmulatedJob) -> None:
        self._pause(JOB_SETUP_S)
        cancelled = False
        for _ in range(job.pages):
            self._pause(PAGE_S)
            with self.lock:
                if self.jam_after is not None and self.jam_after <= 0:
                    self.jam_after, self.jammed = None, True
                if self.stopped:
                    cancelled = True
                    self._status_changed()
                    break
                self._deliver_page(job)
        with self.lock:
            job.result = "RESOURCE_CANCELED" if cancelled else "OK"
            if self.report_job:
                self.emit(JobEvent("END", job.name, job.printed, job.job_id,
                                   job.result).encode())

    def _deliver_page(self, job: EmulatedJob) -> None:
        self.sheets -= 1
        self.toner_percent = max(self.toner_percent - TONER_PER_PAGE, 0.0)
        self.pagecount += 1
        job.printed += 1
        if self.jam_after is not None:
            self.jam_after -= 1
        if self.report_page:
            self.emit(PageEvent(job.printed).encode())
        self._status_changed()

    # ---------------------------------------------------------------- faults

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        if fault == "paper_out":
            self.sheets = 0 if active else TRAY_CAPACITY
        elif fault == "paper_low":
            low = int(params.get("sheets", 10))
            self.sheets = min(self.sheets, low) if active else TRAY_CAPACITY
        elif fault == "jam":
            self.jammed = active and "after_pages" not in params
            self.jam_after = int(params["after_pages"]) if active and not self.jammed else None
        elif fault == "door_open":
            self.door_open = active
        elif fault == "toner_low":
            percent = float(params.get("percent", 5.0))
            self.toner_percent = min(self.toner_percent, percent) if active else 100.0
        elif fault == "offline":
            self.offline = active
        self._status_changed()

    def state(self) -> dict[str, Any]:
        report = self.current_status()
        return {
            **super().state(),
            "code": report.code, "display": report.display, "online": report.online,
            "sheets": self.sheets, "toner_percent": round(self.toner_percent, 2),
            "pagecount": self.pagecount, "door": "open" if self.door_open else "closed",
            "jammed": self.jammed, "offline": self.offline,
            "unsolicited": {"device": self.report_device, "job": self.report_job,
                            "page": self.report_page},
            "protocol_errors": self.protocol_errors,
            "jobs": [{"id": job.job_id, "name": job.name, "pages": job.pages,
                      "printed": job.printed, "result": job.result} for job in self.jobs],
        }
