"""The A4 document printer driver: PDF jobs over HP PJL with per-page confirmation.

Follows reference/devices.md section 3 (HP PJL Technical Reference: job separation, status
readback). On connect it enables unsolicited ``USTATUS DEVICE``, ``JOB`` and ``PAGE``
reports, synchronises with ``ECHO`` and reads ``INFO STATUS`` and ``INFO PAGECOUNT``. From
then on the supervisor thread is the only reader (``unsolicited = True``): every report
updates the status at once, and a request's reply goes to the thread that asked.

A job (``submit_job`` / ``print_pdf``) is framed by ``codec.frame_job`` and followed by its
``JobTracker``: the job's pages are the ``USTATUS PAGE`` reports and the ``PAGES=`` of
``USTATUS JOB END``; a stopping status (jam 42xyy, paper out 41xyy, door 40021, ...) during
the job ends it with the pages confirmed so far, after a short grace for the printer's own
JOB END. A job is ``completed`` only if JOB END says OK and the page count equals the
expected one, so the pipeline knows exactly how many pages came out.

Liveness: the supervisor sends ``INFO STATUS`` every ``poll_interval_s`` without waiting; if
no answer comes within ``config.timeout_s`` the printer is ``offline`` (``reason = no_reply``).

What PJL cannot do: cancel a job the printer has accepted. There is no standard PJL command
for it (HP lists only control-panel cancellation, reported as ``USTATUS JOB CANCELED``); a
kiosk printer must be set up (panel or vendor PJL SET) to cancel a job on jam or paper out,
as the simulator models. ``purge`` therefore only ends any half-sent language data with UEL
and stops following the current job, and a new job waits until the printer has finished any
job still in progress (``finish_previous_job``), so that pages never interleave.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from kiosk.config import DeviceConfig
from kiosk.devices.base import Device
from kiosk.devices.codec_api import drain
from kiosk.devices.printer.codec import (
    HEADER,
    UEL,
    EchoReply,
    InfoReply,
    JobEvent,
    PageCount,
    PageEvent,
    ReplyDecoder,
    StatusReport,
    echo_request,
    frame_job,
    info_pagecount_request,
    info_status_request,
    ustatus_request,
)
from kiosk.devices.printer.jobs import JobFailed, JobResult, JobTracker
from kiosk.devices.printer.status_codes import interpret
from kiosk.errors import DeviceTimeout, DeviceUnavailable
from kiosk.status import USABLE_STATES, DeviceState

log = logging.getLogger(__name__)

#: Longest quiet spell allowed inside a job: a cold laser takes up to ~15 s to the first page.
PAGE_TIMEOUT_S = 30.0
#: After a stopping status mid-job, how long to wait for JOB END's authoritative page count.
FAULT_GRACE_S = 1.0
#: Activities (status_codes.BUSY_CODES) of a printer still working on an accepted job, and
#: how often ``finish_previous_job`` asks again.
JOB_ACTIVITIES = frozenset({"processing_job", "canceling_job"})
BUSY_POLL_S = 0.1
#: Job bytes per write, so a slow link never hits one write's deadline.
WRITE_CHUNK_BYTES = 4096
PRINTER_COUNTERS = ("pages", "jobs", "job_failures", "jams", "engine_pages")
REPLY_TYPES = (StatusReport, PageCount, EchoReply, InfoReply)
MAX_DISPLAY_CHARS = 40


class PjlDocumentPrinter(Device):
    """An HP-PJL printer taking PDF jobs (USB printer class or serial)."""

    kind = "printer"
    unsolicited = True

    def __init__(self, config: DeviceConfig, *, name: str | None = None,
                 poll_interval_s: float = 1.0, page_timeout_s: float = PAGE_TIMEOUT_S,
                 fault_grace_s: float = FAULT_GRACE_S) -> None:
        super().__init__(config, name=name, poll_interval_s=poll_interval_s)
        self.page_timeout_s = page_timeout_s
        self.fault_grace_s = fault_grace_s
        self._counters.update(dict.fromkeys(PRINTER_COUNTERS, 0))
        self._job_lock = threading.Lock()
        self._tracker: JobTracker | None = None
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self._poll_sent_at: float | None = None
        self._echo_tokens = itertools.count(1)
        self._last_report: StatusReport | None = None

    # ----------------------------------------------------------------- hooks

    def _new_decoder(self) -> ReplyDecoder:
        return ReplyDecoder()

    def _on_connect(self) -> None:
        self._poll_sent_at = None
        self._write(ustatus_request())
        token = f"kiosk-{next(self._echo_tokens)}"
        self._direct(echo_request(token),
                     lambda reply: isinstance(reply, EchoReply) and reply.text == token)
        self._direct(info_status_request(),
                     lambda reply: isinstance(reply, StatusReport) and reply.solicited)
        self._direct(info_pagecount_request(), lambda reply: isinstance(reply, PageCount))

    def _poll(self) -> None:
        now = time.monotonic()
        sent_at = self._poll_sent_at
        if sent_at is not None and now - sent_at > self.config.timeout_s:
            self._poll_sent_at = sent_at = None
            self._count("timeouts")
            self._set_state(DeviceState.OFFLINE, {"reason": "no_reply"})
            tracker = self._tracker
            if tracker is not None:
                tracker.on_fault("no_reply")
        if sent_at is None and self._io_lock.acquire(blocking=False):
            try:
                self._write(info_status_request())
                self._poll_sent_at = now
            finally:
                self._io_lock.release()

    def _is_reply(self, message: Any) -> bool:
        # Every report takes effect here, as it arrives; the answer only says whether a
        # request may be waiting for it (nothing queues up when nobody asked).
        self._absorb(message)
        return self._waiting > 0 and isinstance(message, REPLY_TYPES)

    def _on_event(self, message: Any) -> None:
        del message  # already applied by ``_is_reply``

    # ------------------------------------------------------------ reports

    def _absorb(self, message: Any) -> None:
        if isinstance(message, StatusReport):
            if message.solicited:
                self._poll_sent_at = None
            self._apply_status(message)
        elif isinstance(message, PageEvent):
            self._count("pages")
            if self._tracker is not None:
                self._tracker.on_page()
        elif isinstance(message, JobEvent):
            self._on_job_event(message)
        elif isinstance(message, PageCount):
            self._set_counter_floor("engine_pages", message.pages)

    def _on_job_event(self, event: JobEvent) -> None:
        tracker = self._tracker
        if tracker is None or event.name not in (None, tracker.job_name):
            return
        if event.event == "START":
            tracker.on_start()
        elif event.event == "END":
            tracker.on_end(event.pages, event.result)
        else:
            tracker.on_fault("canceled")

    def _apply_status(self, report: StatusReport) -> None:
        meaning = interpret(report.code, report.online)
        previous = self._last_report
        self._last_report = report
        if meaning.fault == "jam" and (previous is None
                                       or interpret(previous.code, previous.online).fault
                                       != "jam"):
            self._count("jams")
        detail: dict[str, Any] = {"code": report.code,
                                  "display": report.display[:MAX_DISPLAY_CHARS],
                                  "online": report.online, "fault": meaning.fault,
                                  "activity": meaning.activity, "reason": meaning.fault}
        for key in ("paper", "toner", "door", "jam"):
            value = getattr(meaning, key)
            if value is not None:
                detail[key] = value
        state = DeviceState(meaning.state)
        self._set_state(state, detail)
        tracker = self._tracker
        if tracker is not None and state not in USABLE_STATES:
            tracker.on_fault(meaning.fault or state.value)

    # ----------------------------------------------------------- requests

    def _ask(self, frame: bytes, expect: Callable[[Any], bool]) -> Any:
        with self._waiting_lock:
            self._waiting += 1
        try:
            return self._request(frame, expect=expect, retries=self.config.retries)
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    def _direct(self, frame: bytes, expect: Callable[[Any], bool]) -> Any:
        """A request while no supervisor reads (during ``connect``): read here."""
        with self._io_lock:
            link = self._require_link()
            self._write(frame)
            deadline = time.monotonic() + self.config.timeout_s
            while True:
                for message in drain(self._decoder, self._on_protocol_error):
                    self._absorb(message)
                    if expect(message):
                        return message
                if time.monotonic() >= deadline:
                    self._count("timeouts")
                    raise DeviceTimeout(self.name, "no reply while connecting")
                try:
                    data = link.read(max(1, link.in_waiting))
                except (serial.SerialException, OSError) as exc:
                    self._link_lost(exc)
                    raise DeviceUnavailable(self.name, "port lost") from exc
                self._decoder.feed(data)

    def query_status(self) -> StatusReport:
        """Ask ``INFO STATUS`` now (the status also updates by itself)."""
        report: StatusReport = self._ask(
            info_status_request(),
            lambda reply: isinstance(reply, StatusReport) and reply.solicited)
        return report

    def pagecount(self) -> int:
        """The engine's lifetime page counter (``INFO PAGECOUNT``)."""
        reply: PageCount = self._ask(info_pagecount_request(),
                                     lambda reply: isinstance(reply, PageCount))
        return reply.pages

    # --------------------------------------------------------------- jobs

    def submit_job(self, job_name: str, pdf: bytes, expected_pages: int, *,
                   on_page: Callable[[int], None] | None = None) -> JobResult:
        """Print ``pdf`` as job ``job_name``; return once all its pages are out.

        ``on_page(n)`` is called (on this thread) as page n reaches the output bin.

        Raises:
            InvalidJob: the job cannot be framed (nothing is sent).
            ValueError: ``expected_pages`` < 1.
            JobFailed: the printer could not start the job, or stopped before its end;
                ``pages_done`` and ``result`` say exactly how many pages came out.
            DeviceUnavailable, DeviceTimeout: the printer is gone or does not answer.
        """
        if expected_pages < 1:
            raise ValueError(f"expected_pages must be >= 1, got {expected_pages}")
        frame = frame_job(job_name, pdf)
        with self._job_lock:
            self.finish_previous_job()
            report = self.query_status()
            meaning = interpret(report.code, report.online)
            if DeviceState(meaning.state) not in USABLE_STATES:
                return self._finish(JobResult(job_name, expected_pages, 0, completed=False,
                                              fault=meaning.fault or meaning.state))
            tracker = JobTracker(job_name, expected_pages)
            self._tracker = tracker
            try:
                with self._io_lock:
                    for start in range(0, len(frame), WRITE_CHUNK_BYTES):
                        self._write(frame[start:start + WRITE_CHUNK_BYTES])
                result = tracker.wait(idle_timeout_s=self.config.timeout_s
                                      + self.page_timeout_s,
                                      fault_grace_s=self.fault_grace_s,
                                      link_alive=lambda: self._link is not None,
                                      on_page=on_page)
            finally:
                self._tracker = None
            return self._finish(result)

    def _finish(self, result: JobResult) -> JobResult:
        if not result.completed:
            self._count("job_failures")
            log.warning("%s: job failed after %d of %d pages (%s)", self.name,
                        result.pages_printed, result.expected_pages, result.fault)
            raise JobFailed(self.name, result)
        self._count("jobs")
        return result

    def finish_previous_job(self, timeout_s: float | None = None) -> bool:
        """Wait until the printer has no job in progress; True if it had one.

        PJL cannot take back a job the printer accepted, so a job abandoned when its visit
        ended prints to its end; no job may follow it before its pages are out (they belong
        in the retract bin, not under the next document).

        Raises:
            DeviceTimeout: still printing after ``timeout_s`` (default: the page timeout).
        """
        deadline = time.monotonic() + (self.page_timeout_s if timeout_s is None else timeout_s)
        waited = False
        while True:
            report = self.query_status()
            if interpret(report.code, report.online).activity not in JOB_ACTIVITIES:
                return waited
            if not waited:
                log.info("%s: waiting for the previous job to finish", self.name)
                waited = True
            if time.monotonic() >= deadline:
                raise DeviceTimeout(self.name, "the previous job is still printing")
            time.sleep(BUSY_POLL_S)

    def print_pdf(self, job_name: str, pdf: bytes, pages: int,
                  on_page: Callable[[int], None]) -> int:
        """The issuance pipeline's port: ``submit_job`` returning the pages printed."""
        return self.submit_job(job_name, pdf, pages, on_page=on_page).pages_printed

    def purge(self) -> None:
        """Stop following the current job and end any half-sent job data with UEL.

        PJL cannot cancel a job the printer accepted (see the module docstring).
        """
        tracker = self._tracker
        if tracker is not None:
            tracker.on_fault("purged")
        with self._io_lock:
            self._write(UEL + HEADER + b"\r\n" + UEL)
