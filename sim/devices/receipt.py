"""Emulated ESC/POS receipt printer (reference/devices.md section 2), 80 mm thermal roll.

Speaks the production codecs (``kiosk.devices.receipt.codec`` and ``.stream``), never the
driver, so an unmodified python-escpos ``Serial`` works against it too. Like the printer, it
has two paths:

- real-time requests (``DLE EOT n``, ``DLE ENQ n``) are answered at once, from any state,
  even while a receipt is printing;
- everything else goes to a print buffer that an engine thread works through at the head's
  speed (scaled by ``timing``): text is rendered (EUC-KR double-byte cells decoded, the Korea
  set's 0x5C as the won sign), feeds use up paper, ``GS V`` cuts and saves the receipt to
  ``output_dir/receipt/receipt-<n>.txt``, ``GS r 1`` is answered when the engine reaches it.

While the printer is stopped (cover open, paper out, autocutter error) buffered data is
discarded and counted, as a printer does when its buffer is cleared with ``DLE ENQ 2``.

Faults besides the common ones: ``paper_near_end`` (param ``mm`` left, default 750),
``paper_out``, ``cover_open`` and ``cutter_error``; clearing a paper fault loads a new roll.
An autocutter error stays latched after its fault is cleared until the host sends
``DLE ENQ 1`` or ``2`` (Epson: a recoverable error).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from kiosk.devices.codec_api import drain
from kiosk.devices.receipt.codec import (
    ENQ,
    KOREA_CHARACTER_SET,
    PrinterFlags,
    StatusKind,
)
from kiosk.devices.receipt.stream import Command, CommandDecoder, Realtime, Text, render_text
from kiosk.errors import ProtocolError
from sim.emulator import Emulator

log = logging.getLogger(__name__)

ROLL_MM = 60_000  # an 80 mm x 60 m thermal roll
NEAR_END_MM = 1_500  # the near-end sensor trips with about 1.5 m left (model-specific)
DOTS_PER_MM = 8  # 203 dpi head
DEFAULT_LINE_DOTS = 30  # ESC 2: 24-dot font plus 6 dots of spacing (about 3.75 mm)
HEAD_SPEED_MM_S = 150.0  # a typical thermal head: 150-250 mm/s
CUT_S = 0.3  # autocutter cycle
KEPT_RECEIPTS = 50  # receipts kept in memory for ``state`` and tests
DEFAULT_NEAR_END_LEFT_MM = 750


class ReceiptEmulator(Emulator):
    """An ESC/POS receipt printer with a paper roll, a cover and an autocutter."""

    name = "receipt"
    FAULTS = frozenset({"paper_out", "paper_near_end", "cover_open", "cutter_error"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decoder = CommandDecoder()
        self.paper_mm: float = ROLL_MM
        self.cover_open = False
        self.cutter_error = False
        self.korea_set = False
        self.line_dots = DEFAULT_LINE_DOTS
        self.current: list[str] = []
        self.receipts: deque[str] = deque(maxlen=KEPT_RECEIPTS)
        self.receipt_count = 0
        self.cuts = 0
        self.discarded = 0
        self.protocol_errors = 0
        self.status_requests = 0
        self._work: deque[Command | Text] = deque()
        self._engine: threading.Thread | None = None

    # ---------------------------------------------------------------- input

    def receive(self, data: bytes) -> None:
        with self.lock:
            self.decoder.feed(data)
            for message in drain(self.decoder, self._on_protocol_error):
                if isinstance(message, Realtime):
                    self._realtime(message)
                else:
                    self._work.append(message)
            if self._work and self._engine is None:
                self._engine = threading.Thread(target=self._run_engine,
                                                name="receipt-engine", daemon=True)
                self._engine.start()

    def _on_protocol_error(self, exc: ProtocolError) -> None:
        del exc
        self.protocol_errors += 1

    def flags(self) -> PrinterFlags:
        """The status the printer reports now."""
        out = self.paper_mm <= 0
        return PrinterFlags(
            offline=self.stopped, cover_open=self.cover_open, stopped_by_paper_end=out,
            error=self.cutter_error, cutter_error=self.cutter_error,
            paper_near_end=not out and self.paper_mm <= NEAR_END_MM, paper_out=out)

    @property
    def stopped(self) -> bool:
        return self.cover_open or self.paper_mm <= 0 or self.cutter_error

    def _realtime(self, request: Realtime) -> None:
        if request.command == ENQ:
            if not self.cutter_error or "cutter_error" in self.faults:
                return  # only a recoverable error whose cause is gone can be left
            self.cutter_error = False
            if request.n == 2:
                self.discarded += len(self._work)
                self._work.clear()
            return
        self.status_requests += 1
        self.reply(bytes((self.flags().to_byte(StatusKind(request.n)),)))

    # --------------------------------------------------------------- engine

    def _run_engine(self) -> None:
        while True:
            with self.lock:
                if not self._work:
                    self._engine = None
                    return
                item = self._work.popleft()
                if self.stopped:
                    self.discarded += 1
                    continue
                try:
                    seconds = self._execute(item)
                except Exception:  # an emulator bug must not stop the printer for good
                    log.exception("receipt emulator failed on %s", type(item).__name__)
                    continue
            if seconds > 0 and self.timing > 0:
                time.sleep(seconds * self.timing)

    def _execute(self, item: Command | Text) -> float:
        """Carry out one buffered item; return its mechanical time in seconds (unscaled)."""
        if isinstance(item, Text):
            rendered = render_text(item, korea_set=self.korea_set)
            self.current.append(rendered)
            return self._feed(rendered.count("\n") * self.line_dots)
        name = item.name
        if name == "init":
            self.korea_set = False
            self.line_dots = DEFAULT_LINE_DOTS
        elif name == "character_set":
            self.korea_set = item.param() == KOREA_CHARACTER_SET
        elif name == "line_spacing":
            self.line_dots = item.param()
        elif name == "default_line_spacing":
            self.line_dots = DEFAULT_LINE_DOTS
        elif name == "feed_lines":
            return self._feed(item.param() * self.line_dots)
        elif name == "feed_dots":
            return self._feed(item.param())
        elif name == "raster":
            width_dots = (item.param(1) | item.param(2) << 8) * 8
            height = item.param(3) | item.param(4) << 8
            self.current.append(f"[image {width_dots}x{height}]\n")
            return self._feed(height)
        elif name in ("cut", "legacy_full_cut", "legacy_partial_cut"):
            feed = item.param(1) if name == "cut" and item.param() >= 65 else 0
            return self._feed(feed) + self._cut()
        elif name == "buffered_status" and item.param() in (1, 49):
            self.reply(bytes((self.flags().buffered_paper_byte(),)))
        elif name == "buffered_status" and item.param() in (2, 50):
            self.reply(b"\x00")
        return 0.0

    def _feed(self, dots: int) -> float:
        millimetres = dots / DOTS_PER_MM
        self.paper_mm = max(self.paper_mm - millimetres, 0.0)
        return millimetres / HEAD_SPEED_MM_S

    def _cut(self) -> float:
        if "cutter_error" in self.faults:
            self.cutter_error = True
            return 0.0
        self.cuts += 1
        text = "".join(self.current)
        self.current.clear()
        self.receipt_count += 1
        self.receipts.append(text)
        if self.output_dir is not None:
            folder = self.output_dir / "receipt"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"receipt-{self.receipt_count}.txt").write_text(text, encoding="utf-8")
        return CUT_S

    # --------------------------------------------------------------- faults

    def on_fault(self, fault: str, active: bool, params: dict[str, Any]) -> None:
        if fault == "paper_out":
            self.paper_mm = 0.0 if active else ROLL_MM
        elif fault == "paper_near_end":
            left = float(params.get("mm", DEFAULT_NEAR_END_LEFT_MM))
            self.paper_mm = min(self.paper_mm, left) if active else ROLL_MM
        elif fault == "cover_open":
            self.cover_open = active
        elif fault == "cutter_error" and active:
            self.cutter_error = True

    def state(self) -> dict[str, Any]:
        flags = self.flags()
        return {
            **super().state(),
            "paper_mm": round(self.paper_mm, 1),
            "paper": "out" if flags.paper_out else "low" if flags.paper_near_end else "full",
            "cover": "open" if self.cover_open else "closed",
            "cutter_error": self.cutter_error,
            "receipts": self.receipt_count, "cuts": self.cuts,
            "discarded": self.discarded, "protocol_errors": self.protocol_errors,
            "last_receipt": self.receipts[-1] if self.receipts else None,
        }
