"""One print job as the driver follows it: the printer's JOB START / PAGE / JOB END reports
and any stopping status, turned into an exact ``JobResult`` (HP PJL Technical Reference
ch. 5 "Job Separation": USTATUS JOB START/END/CANCELED with NAME, PAGES, RESULT).

The reports arrive on the device's reader thread; ``JobTracker.wait`` runs on the caller's
thread, which also calls ``on_page`` once per page that reached the output bin, in order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.errors import DeviceOperationError

#: RESULT values of USTATUS JOB END that mean every page was delivered.
RESULT_OK = "OK"
#: How often ``wait`` re-checks the link and the deadlines.
WAIT_SLICE_S = 0.05


@dataclass(frozen=True)
class JobResult:
    """How a job ended: exactly how many pages came out, and why it stopped if it did."""

    job_name: str
    expected_pages: int
    pages_printed: int
    completed: bool
    fault: str | None = None
    printer_result: str | None = None
    duration_s: float = 0.0


class JobFailed(DeviceOperationError):
    """A job did not deliver all its pages; ``pages_done`` of them came out."""

    code = "printer.job_failed"

    def __init__(self, device: str, result: JobResult) -> None:
        super().__init__(device, f"job stopped after {result.pages_printed} of "
                                 f"{result.expected_pages} pages: {result.fault}",
                         fault=result.fault)
        self.result = result
        self.pages_done = result.pages_printed


class JobTracker:
    """Collects one job's reports; ``wait`` turns them into a ``JobResult``."""

    def __init__(self, job_name: str, expected_pages: int) -> None:
        self.job_name = job_name
        self.expected_pages = expected_pages
        self._condition = threading.Condition()
        self._started_at = time.monotonic()
        self._last_progress = self._started_at
        self._pages = 0
        self._reported_pages: int | None = None
        self._printer_result: str | None = None
        self._ended = False
        self._fault: str | None = None
        self._fault_at: float | None = None

    # ------------------------------------------------- reports (reader thread)

    def on_start(self) -> None:
        self._progress()

    def on_page(self) -> None:
        with self._condition:
            self._pages += 1
        self._progress()

    def on_end(self, pages: int | None, printer_result: str | None) -> None:
        with self._condition:
            self._ended = True
            self._reported_pages = pages
            self._printer_result = printer_result
            if printer_result not in (None, RESULT_OK) and self._fault is None:
                self._fault = printer_result.lower()
            self._condition.notify_all()

    def on_fault(self, fault: str) -> None:
        """The printer stopped (jam, paper out, door, cancelled): the job ends soon."""
        with self._condition:
            if self._fault is None:
                self._fault = fault
                self._fault_at = time.monotonic()
            self._condition.notify_all()

    def _progress(self) -> None:
        with self._condition:
            self._last_progress = time.monotonic()
            self._condition.notify_all()

    # ---------------------------------------------------- the caller's thread

    def wait(self, *, idle_timeout_s: float, fault_grace_s: float,
             link_alive: Callable[[], bool],
             on_page: Callable[[int], None] | None = None) -> JobResult:
        """Block until the job ends, stops, goes quiet for ``idle_timeout_s`` or the link
        drops. After a stop, waits up to ``fault_grace_s`` for JOB END's page count."""
        announced = 0
        while True:
            with self._condition:
                self._condition.wait(WAIT_SLICE_S)
                pages, ended, fault = self._pages, self._ended, self._fault
                last_progress, fault_at = self._last_progress, self._fault_at
            if on_page is not None:
                for page in range(announced + 1, pages + 1):
                    on_page(page)
            announced = max(announced, pages)
            now = time.monotonic()
            if ended:
                break
            if fault is not None and fault_at is not None and now - fault_at >= fault_grace_s:
                break
            if fault is None and now - last_progress >= idle_timeout_s:
                self.on_fault("timeout")
                break
            if not link_alive():
                self.on_fault("port_lost")
                break
        return self._result(announced, on_page)

    def _result(self, announced: int, on_page: Callable[[int], None] | None) -> JobResult:
        with self._condition:
            printed = self._pages if self._reported_pages is None else self._reported_pages
            fault = self._fault
            if fault is None and printed != self.expected_pages:
                fault = "page_count_mismatch"
            result = JobResult(self.job_name, self.expected_pages, printed,
                               completed=fault is None, fault=fault,
                               printer_result=self._printer_result,
                               duration_s=time.monotonic() - self._started_at)
        if on_page is not None:
            for page in range(announced + 1, printed + 1):
                on_page(page)
        return result
