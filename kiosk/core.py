"""The core: runs the citizen session, the issuance saga, the devices and telemetry on one
asyncio loop in its own thread (DESIGN.md, 'Threads and loops').

The session is pure: each intent from the UI, event from a worker or tick of the clock gives a
list of effects, which the core carries out here. Blocking work (the fingerprint sensor, the
backend, the saga's device and render steps) runs in worker threads through
``asyncio.to_thread``; its answer comes back as a session event on the loop. Device threads
reach the loop only through ``call_soon_threadsafe``. After every step the core publishes the
session's snapshot to the UI if it changed.

Personal data held here, in memory only: the fingerprint template between capture and
identity (a ``bytearray`` wiped after use), the RRN inside ``VerifyIdentity`` (wiped once
sealed) and the backend's identity token until the visit ends.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk import session_effects as fx
from kiosk import session_events as ev
from kiosk.errors import (
    BackendUnavailable,
    DeviceError,
    IdentityRejected,
    IssuanceError,
    KioskError,
    PaymentDeclined,
)
from kiosk.issuance.recovery import Recovery
from kiosk.issuance.saga import IssuanceSaga, IssueRequest, IssueStep, Outcome
from kiosk.session import Session
from kiosk.view import FingerprintHint, Intent, IntentQueue, IssuingStep, SnapshotChannel

log = logging.getLogger(__name__)

#: How long a capture waits for a finger before answering 'no finger'.
CAPTURE_DEADLINE_S = 10.0
#: How often the core checks the backend when idle.
BACKEND_CHECK_S = 30.0
#: How often open transactions left by a failed resolution are retried.
RECOVERY_RETRY_S = 30.0
#: The wait for 'taken' ends at the latest this long after presenting.
COLLECT_MAX_S = 600.0

_HINTS: Mapping[str, FingerprintHint] = {
    "fingerprint.hint.wet": FingerprintHint.WET,
    "fingerprint.hint.dry": FingerprintHint.DRY,
    "fingerprint.hint.messy": FingerprintHint.MESSY,
    "fingerprint.hint.reposition": FingerprintHint.MESSY,
    "fingerprint.hint.not_recognised": FingerprintHint.NOT_LIVE,
}
_STEPS: Mapping[IssueStep, IssuingStep] = {
    IssueStep.FETCHING: IssuingStep.FETCHING, IssueStep.PRINTING: IssuingStep.PRINTING,
    IssueStep.BINDING: IssuingStep.BINDING, IssueStep.PRESENTING: IssuingStep.PRESENTING,
}


class FingerprintPort(Protocol):
    def capture_template(self, deadline_s: float) -> bytes: ...

    def cancel_capture(self) -> None: ...


class IdentityPort(Protocol):
    def identify(self, transaction_id: str, rrn: bytearray, template: bytes) -> Any: ...

    def health(self) -> float: ...


class TelemetryPort(Protocol):
    def publish_event(self, kind: str, payload: Mapping[str, Any]) -> None: ...


@dataclass
class Transaction:
    """What the core knows of one session transaction (``txn`` number -> journal id)."""

    txn_id: str
    session: int
    document: str
    options: Mapping[str, str]
    copies: int
    fee_won: int
    cancelled: threading.Event = field(default_factory=threading.Event)
    collect_stop: threading.Event = field(default_factory=threading.Event)


class KioskCore:
    """Carries out the session's effects with the devices, the saga and telemetry."""

    def __init__(self, session: Session, saga: IssuanceSaga, recovery: Recovery, *,
                 channel: SnapshotChannel, intents: IntentQueue,
                 fingerprint: FingerprintPort, identity: IdentityPort,
                 document_names: Callable[[str, str], str],
                 telemetry: TelemetryPort | None = None,
                 on_end_session: Callable[[], None] | None = None,
                 on_backend: Callable[[bool, float | None], None] | None = None,
                 card_present: Callable[[], bool] | None = None) -> None:
        self.session = session
        self.saga = saga
        self.recovery = recovery
        self.channel = channel
        self.intents = intents
        self.fingerprint = fingerprint
        self.identity = identity
        self.document_names = document_names
        self.telemetry = telemetry
        self.on_end_session = on_end_session or (lambda: None)
        self.on_backend = on_backend or (lambda reachable, latency_s: None)
        self.card_present = card_present or (lambda: False)
        self.heartbeat = time.monotonic()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._events: list[object] = []
        self._pending: list[object] = []
        self._pending_lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._txns: dict[int, Transaction] = {}
        self._template: bytearray | None = None
        self._identity: tuple[int, Any] | None = None
        self._published_seq = -1
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.saga.guard = self._is_current_transaction

    # ------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Run the core's loop in its own thread; returns once it is running."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self.run()),
                                        name="kiosk-core", daemon=True)
        self._thread.start()
        self._ready.wait(30)

    def stop(self) -> None:
        self._stopping = True
        self.post(None)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def post(self, event: object) -> None:
        """Hand a session event (or ``None`` to wake) to the loop; any thread may call it.

        Events posted before the loop runs are kept and delivered when it starts.
        """
        with self._pending_lock:
            loop = self._loop
            if loop is None:
                if event is not None:
                    self._pending.append(event)
                return
        if loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._deliver, event)
        except RuntimeError:
            pass

    def submit(self, intent: Intent) -> None:
        """Queue a UI intent and wake the loop (the UI may also put into ``intents``)."""
        self.intents.put(intent)
        self.post(None)

    async def run(self) -> None:
        self._wake = asyncio.Event()
        with self._pending_lock:
            self._loop = asyncio.get_running_loop()
            self._events, self._pending = self._pending, []
        self.intents.set_notify(lambda: self.post(None))
        resolutions = await asyncio.to_thread(self.recovery.run)
        for resolution in resolutions:
            log.info("recovered transaction %s: %s -> %s", resolution.txn_id,
                     resolution.from_state.value,
                     resolution.outcome.value if resolution.outcome else "still open")
        self._spawn(self._backend_watch())
        self._spawn(self._recovery_watch())
        self._ready.set()
        self._publish()
        while not self._stopping:
            self.heartbeat = time.monotonic()
            await self._wait_for_work()
            self._step()
        for task in list(self._tasks):
            task.cancel()
        self.intents.set_notify(None)

    async def _wait_for_work(self) -> None:
        assert self._wake is not None
        deadline = self.session.next_deadline()
        timeout = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass
        self._wake.clear()

    def _deliver(self, event: object) -> None:
        if event is not None:
            self._events.append(event)
        if self._wake is not None:
            self._wake.set()

    def _step(self) -> None:
        effects: list[fx.Effect] = []
        for intent in self.intents.drain():
            effects += self.session.handle(intent)
        events, self._events = self._events, []
        for event in events:
            effects += self.session.on_event(event)
        effects += self.session.tick()
        for effect in effects:
            self._carry_out(effect)
        self._publish()

    def _publish(self) -> None:
        snapshot = self.session.snapshot()
        if snapshot.seq != self._published_seq:
            self._published_seq = snapshot.seq
            self.channel.publish(snapshot)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("core task failed: %s", type(exc).__name__, exc_info=exc)

    def _is_current_transaction(self, txn_id: str) -> bool:
        number = self.session.open_transaction
        current = self._txns.get(number) if number is not None else None
        return current is not None and current.txn_id == txn_id

    # --------------------------------------------------------------- effects

    def _carry_out(self, effect: fx.Effect) -> None:
        handler = _EFFECTS.get(type(effect))
        if handler is None:
            log.warning("no handler for effect %s", type(effect).__name__)
            return
        handler(self, effect)

    def _begin(self, effect: fx.BeginTransaction) -> None:
        txn_id = self.saga.begin(effect.document, effect.fee_won, time.time())
        self._txns[effect.txn] = Transaction(txn_id, effect.session, effect.document,
                                             dict(effect.options), effect.copies,
                                             effect.fee_won)

    def _requote(self, effect: fx.Requote) -> None:
        txn = self._txns[effect.txn]
        txn.copies, txn.fee_won = effect.copies, effect.fee_won
        self.saga.journal.requote(txn.txn_id, effect.fee_won)

    def _capture(self, effect: fx.CaptureFingerprint) -> None:
        self._spawn(self._capture_task(effect.session))

    async def _capture_task(self, session: int) -> None:
        try:
            template = await asyncio.to_thread(self.fingerprint.capture_template,
                                               CAPTURE_DEADLINE_S)
        except DeviceError as exc:
            hint = _HINTS.get(exc.message_key, FingerprintHint.NO_FINGER)
            self.post(ev.FingerprintFailed(session, hint))
            return
        self._drop_template()
        self._template = bytearray(template)
        self.post(ev.FingerprintCaptured(session))

    def _verify(self, effect: fx.VerifyIdentity) -> None:
        self._spawn(self._verify_task(effect))

    async def _verify_task(self, effect: fx.VerifyIdentity) -> None:
        txn = self._txns.get(effect.txn)
        template, self._template = self._template, None
        try:
            if txn is None or template is None:
                raise IdentityRejected("no fingerprint captured", step="identify")
            token = await asyncio.to_thread(
                self.identity.identify, txn.txn_id, effect.rrn, bytes(template))
            self._identity = (effect.session, token)
        except IdentityRejected:
            self.post(ev.IdentityRejected(effect.txn, ev.IdentityRejection.NO_MATCH))
            return
        except KioskError as exc:
            self.post(ev.TransactionFailed(effect.txn, exc.message_key))
            return
        finally:
            effect.wipe()
            if template is not None:
                template[:] = bytes(len(template))
        self.post(ev.IdentityVerified(effect.txn))

    def _pay(self, effect: fx.RequestPayment) -> None:
        self._spawn(self._pay_task(effect, self._txns[effect.txn]))

    async def _pay_task(self, effect: fx.RequestPayment, txn: Transaction) -> None:
        try:
            await asyncio.to_thread(self.saga.pay, txn.txn_id)
        except PaymentDeclined as exc:
            reason = {"issuance.payment_cancelled": ev.PaymentFailure.CANCELLED,
                      "issuance.payment_timeout": ev.PaymentFailure.TIMEOUT,
                      "issuance.payment_removed": ev.PaymentFailure.CANCELLED,
                      }.get(exc.code, ev.PaymentFailure.DECLINED)
            self.post(ev.PaymentFailed(effect.txn, reason))
            return
        except KioskError as exc:
            self.post(ev.TransactionFailed(effect.txn, exc.message_key))
            return
        self.post(ev.PaymentApproved(effect.txn, card_present=self.card_present()))

    def _issue(self, effect: fx.StartIssuing) -> None:
        self._spawn(self._issue_task(effect.txn, self._txns[effect.txn]))

    async def _issue_task(self, number: int, txn: Transaction) -> None:
        token = self._identity[1] if self._identity and self._identity[0] == txn.session else None
        request = IssueRequest(txn.document, self.document_names(txn.document, "ko"),
                               txn.options, _token_text(token), txn.copies)

        def progress(step: IssueStep, done: int, total: int) -> None:
            self.post(ev.IssuingProgress(number, _STEPS[step], done, total))

        try:
            await asyncio.to_thread(self.saga.issue, txn.txn_id, request, progress,
                                    txn.cancelled)
        except IssuanceError as exc:
            refunded = self.saga.journal.get(txn.txn_id).state.value == Outcome.VOIDED.value
            self.post(ev.TransactionFailed(number, exc.message_key, refunded=refunded))
            return
        self.post(ev.DocumentPresented(number))
        if txn.fee_won:
            self.post(ev.ReceiptPrinted(number))
        self._spawn(self._collect_task(number, txn))

    async def _collect_task(self, number: int, txn: Transaction) -> None:
        taken = await asyncio.to_thread(self.saga.await_collection, txn.txn_id,
                                        txn.collect_stop, COLLECT_MAX_S)
        if taken:
            try:
                await asyncio.to_thread(self.saga.taken, txn.txn_id)
            except KioskError as exc:
                # The citizen has the document whatever the reader says: the journal holds
                # 'taken', and recovery captures once the reader answers again.
                log.error("capture of %s failed (%s); recovery will finish it", txn.txn_id,
                          exc.code)
            self.post(ev.DocumentTaken(number))

    def _retract(self, effect: fx.RetractDocument) -> None:
        self._spawn(self._retract_task(effect.txn, self._txns[effect.txn]))

    async def _retract_task(self, number: int, txn: Transaction) -> None:
        txn.collect_stop.set()
        state = self.saga.journal.get(txn.txn_id).state.value
        if state == "presented":
            await asyncio.to_thread(self.saga.retract, txn.txn_id)
        self.post(ev.DocumentRetracted(number))

    def _abort(self, effect: fx.AbortTransaction) -> None:
        self._spawn(self._abort_task(effect, self._txns.get(effect.txn)))

    async def _abort_task(self, effect: fx.AbortTransaction, txn: Transaction | None) -> None:
        refunded = False
        if txn is not None:
            txn.cancelled.set()
            txn.collect_stop.set()
            try:
                outcome = await asyncio.to_thread(self.saga.compensate, txn.txn_id,
                                                  f"session.{effect.reason.value}")
                refunded = outcome in (Outcome.VOIDED, Outcome.REFUNDED)
            except KioskError as exc:
                log.warning("abort of %s left it open for recovery: %s", txn.txn_id, exc.code)
        self.post(ev.TransactionAborted(effect.txn, refunded=refunded))

    def _end_session(self, effect: fx.EndSession) -> None:
        self._drop_template()
        self._identity = None
        for number, txn in list(self._txns.items()):
            txn.collect_stop.set()
            self._spawn(self._close_unstarted(txn))
            del self._txns[number]
        self.fingerprint.cancel_capture()
        self._spawn(asyncio.to_thread(self.on_end_session))

    async def _close_unstarted(self, txn: Transaction) -> None:
        """A transaction the visit opened but never paid for or issued ends as failed."""
        state = (await asyncio.to_thread(self.saga.journal.get, txn.txn_id)).state
        if state.value == "quoted":
            await asyncio.to_thread(self.saga.compensate, txn.txn_id, "session.ended")
        self.saga.forget(txn.txn_id)

    def _publish_event(self, effect: fx.PublishEvent) -> None:
        if self.telemetry is not None:
            self.telemetry.publish_event(effect.kind, dict(effect.fields))

    def _cue(self, effect: fx.PlayCue) -> None:
        del effect

    def _drop_template(self) -> None:
        if self._template is not None:
            self._template[:] = bytes(len(self._template))
            self._template = None

    # ------------------------------------------------------------ watchers

    async def _backend_watch(self) -> None:
        reachable: bool | None = None
        while True:
            latency: float | None = None
            try:
                latency = await asyncio.to_thread(self.identity.health)
                now_reachable = True
            except (BackendUnavailable, KioskError):
                now_reachable = False
            self.on_backend(now_reachable, latency)
            if now_reachable != reachable:
                reachable = now_reachable
                self.post(ev.BackendReachability(reachable))
            await asyncio.sleep(BACKEND_CHECK_S)

    async def _recovery_watch(self) -> None:
        while True:
            await asyncio.sleep(RECOVERY_RETRY_S)
            open_now = {t.txn_id for t in await asyncio.to_thread(self.saga.journal.unfinished)}
            mine = {txn.txn_id for txn in self._txns.values()}
            if open_now - mine:
                await asyncio.to_thread(self.recovery.run_for, open_now - mine)


def _token_text(token: Any) -> str | None:
    if token is None:
        return None
    return str(getattr(token, "token", token))


_EFFECTS: Mapping[type, Callable[[KioskCore, Any], None]] = {
    fx.BeginTransaction: KioskCore._begin,
    fx.Requote: KioskCore._requote,
    fx.CaptureFingerprint: KioskCore._capture,
    fx.VerifyIdentity: KioskCore._verify,
    fx.RequestPayment: KioskCore._pay,
    fx.StartIssuing: KioskCore._issue,
    fx.AbortTransaction: KioskCore._abort,
    fx.RetractDocument: KioskCore._retract,
    fx.EndSession: KioskCore._end_session,
    fx.PublishEvent: KioskCore._publish_event,
    fx.PlayCue: KioskCore._cue,
}
