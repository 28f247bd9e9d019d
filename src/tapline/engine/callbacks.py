"""Callbacks: promise windows, ringing, retries, and whether each promise was kept. No I/O.

`Callbacks` holds every live callback, one per request. Like the engine, each command
returns the effects it caused, in order, and changes nothing if it raises; `tick(now)`
handles every deadline due by `now` (ring timeouts, retries, a slot's start, a window's end,
giving up) and `next_deadline()` says when to call it next. Time is always passed in.
See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict

from tapline.engine.callback_effects import (
    CallbackChanged,
    CallbackDue,
    CallbackEffect,
    CallbackMissed,
    Promised,
    PromiseSettled,
    Requeue,
    Ring,
    StopReason,
    StopRinging,
)
from tapline.engine.callback_ledger import PromiseLedger
from tapline.engine.callback_states import (
    Callback,
    CallbackKind,
    CallbackPolicy,
    CallbackRecord,
    CallbackState,
    DuplicateCallback,
    InvalidCallbackTransition,
    OnFailure,
    PromiseOutcome,
    UnknownCallback,
    callback_transition,
)
from tapline.engine.errors import InvalidArgument
from tapline.engine.states import DeadEndCause

_C = CallbackState
_COMPACT_AT = 1024

Effects = list[CallbackEffect]


def _promised_deadline(cb: CallbackRecord) -> float:
    """A promised callback's next deadline: its slot's start, its window's end, giving up."""
    if cb.kind is CallbackKind.SCHEDULED and not cb.due_sent:
        return cb.window_start
    if cb.promise is None:
        return cb.window_end
    return cb.window_end + cb.policy.give_up_after


class Callbacks:
    """Every live callback, one per request. See docs/subsystems/callbacks.md."""

    def __init__(
        self,
        policy: CallbackPolicy | None = None,
        *,
        ledger: PromiseLedger | None = None,
        keep_ended: int = 10_000,
    ) -> None:
        if keep_ended < 0:
            raise InvalidArgument("keep_ended >= 0")
        self.policy = policy if policy is not None else CallbackPolicy()
        self.ledger = ledger if ledger is not None else PromiseLedger()
        self._keep_ended = keep_ended
        self._live: dict[str, CallbackRecord] = {}
        self._ended: OrderedDict[str, Callback] = OrderedDict()
        self._heap: list[tuple[float, int, str]] = []
        self._tokens: dict[str, int] = {}
        self._next_token = 0

    # -- Promises --------------------------------------------------------------------------

    def promise_in_queue(
        self,
        request_id: str,
        queue_id: str,
        now: float,
        *,
        window: float | None = None,
        policy: CallbackPolicy | None = None,
    ) -> Effects:
        """ "Call me back when it's my turn": the request keeps its place in the queue.

        The promise window runs from now for `window` seconds: the upper end of the wait
        estimate the customer was shown, or else the policy's `in_queue_window`.
        """
        policy = policy if policy is not None else self.policy
        window = policy.in_queue_window if window is None else window
        if window <= 0:
            raise InvalidArgument(f"a promise window is longer than 0 s, not {window}")
        return self._promise(
            request_id, queue_id, CallbackKind.IN_QUEUE, now, now + window, now, policy
        )

    def promise_scheduled(
        self,
        request_id: str,
        queue_id: str,
        slot_start: float,
        slot_end: float,
        now: float,
        *,
        policy: CallbackPolicy | None = None,
    ) -> Effects:
        """ "Schedule a callback": the promise window is the booked slot."""
        policy = policy if policy is not None else self.policy
        self._check_slot(slot_start, slot_end, now)
        return self._promise(
            request_id, queue_id, CallbackKind.SCHEDULED, slot_start, slot_end, now, policy
        )

    def _check_slot(self, slot_start: float, slot_end: float, now: float) -> None:
        if slot_end <= slot_start or slot_end <= now:
            raise InvalidArgument(f"slot {slot_start}-{slot_end} is empty or over (now {now})")

    def _promise(
        self,
        request_id: str,
        queue_id: str,
        kind: CallbackKind,
        start: float,
        end: float,
        now: float,
        policy: CallbackPolicy,
    ) -> Effects:
        if request_id in self._live:
            raise DuplicateCallback(f"{request_id} already has a live callback")
        cb = CallbackRecord(request_id, queue_id, kind, _C.PROMISED, start, end, now, policy)
        self._schedule(cb)
        self._live[request_id] = cb
        return [Promised(request_id, queue_id, kind, start, end)]

    # -- Commands --------------------------------------------------------------------------

    def ring(self, request_id: str, now: float) -> Effects:
        """The turn came (in-queue), or the slot's specialist is ready (scheduled): ring.

        From promised this is the first attempt, and settles the promise; from retrying it
        rings the next attempt now, without waiting for the spacing.
        """
        cb = self._find_live(request_id)
        if cb.state not in (_C.PROMISED, _C.RETRYING):
            raise InvalidCallbackTransition(f"{request_id} cannot ring from {cb.state}")
        effects: Effects = []
        self._ring(cb, now, effects)
        return effects

    def answered(self, request_id: str, now: float) -> Effects:
        """The customer accepted the ring: the callback is answered (final)."""
        cb = self._find_live(request_id)
        callback_transition(cb.state, _C.ANSWERED)
        effects: Effects = [StopRinging(request_id, "answered")]
        self._end(cb, _C.ANSWERED, now, effects)
        return effects

    def no_answer(self, request_id: str, now: float) -> Effects:
        """The attempt failed before its timeout (declined, unreachable): as a timeout now."""
        cb = self._find_live(request_id)
        if cb.state is not _C.RINGING:
            raise InvalidCallbackTransition(f"{request_id} is not ringing ({cb.state})")
        effects: Effects = []
        self._unanswered(cb, now, now, effects)
        return effects

    def hold(self, request_id: str, now: float) -> Effects:
        """The specialist it rang for is gone: stop ringing and wait for the next one.

        Not the customer's failure: the attempt is not counted against them, and the promise
        (settled by the first ring) stays as it was. Nothing to do unless ringing or retrying.
        """
        cb = self._find_live(request_id)
        if cb.state not in (_C.RINGING, _C.RETRYING):
            return []
        old = cb.state
        effects: Effects = []
        if old is _C.RINGING:
            effects.append(StopRinging(request_id, "specialist_left"))
            cb.attempt -= 1
        cb.state = callback_transition(old, _C.PROMISED)
        self._schedule(cb)
        effects.append(CallbackChanged(request_id, old, _C.PROMISED, cb.attempt))
        return effects

    def cancel(self, request_id: str, now: float) -> Effects:
        """The callback is called off (the customer cancelled, or was helped otherwise)."""
        cb = self._find_live(request_id)
        effects: Effects = []
        self._stop(cb, _C.CANCELLED, "cancelled", now, effects)
        return effects

    def reschedule(
        self, request_id: str, slot_start: float, slot_end: float, now: float
    ) -> Effects:
        """Replace the live callback (of either kind) by a scheduled one in a new slot.

        The old one ends `rescheduled` (its promise void if still open); the new one keeps
        the old one's policy.
        """
        cb = self._find_live(request_id)
        self._check_slot(slot_start, slot_end, now)
        effects: Effects = []
        self._stop(cb, _C.RESCHEDULED, "rescheduled", now, effects)
        effects += self._promise(
            request_id, cb.queue_id, CallbackKind.SCHEDULED, slot_start, slot_end, now, cb.policy
        )
        return effects

    def restore(self, callback: Callback) -> None:
        """Put back a live callback read from storage, as it was; then call `tick`.

        Its deadline is kept: a ring whose timeout passed during the restart counts as
        unanswered at the next `tick`.
        """
        if callback.request_id in self._live:
            raise DuplicateCallback(f"{callback.request_id} already has a live callback")
        if callback.is_final:
            raise InvalidArgument(f"only live callbacks are restored, not {callback.state}")
        if callback.state is not _C.PROMISED and callback.deadline is None:
            raise InvalidArgument(f"a {callback.state} callback needs its deadline")
        cb = CallbackRecord.of(callback)
        self._schedule(cb)
        self._live[cb.request_id] = cb

    # -- Time ------------------------------------------------------------------------------

    def tick(self, now: float) -> Effects:
        """Handle every deadline at or before `now`, in deadline order."""
        effects: Effects = []
        while self._heap:
            at, token, request_id = self._heap[0]
            if self._tokens.get(request_id) != token:
                heapq.heappop(self._heap)
                continue
            if at > now:
                break
            heapq.heappop(self._heap)
            del self._tokens[request_id]
            self._on_deadline(self._live[request_id], at, now, effects)
        return effects

    def next_deadline(self) -> float | None:
        """When `tick` next has something to do, or None."""
        while self._heap and self._tokens.get(self._heap[0][2]) != self._heap[0][1]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def _on_deadline(self, cb: CallbackRecord, at: float, now: float, effects: Effects) -> None:
        if cb.state is _C.RINGING:
            self._unanswered(cb, at, now, effects)
        elif cb.state is _C.RETRYING:
            self._ring(cb, now, effects)
        elif cb.kind is CallbackKind.SCHEDULED and not cb.due_sent:
            cb.due_sent = True
            self._schedule(cb)
            effects.append(CallbackDue(cb.request_id, cb.queue_id, cb.window_end))
        elif cb.promise is None:
            self._settle(cb, PromiseOutcome.BROKEN, effects)
            self._schedule(cb)
        else:
            self._fail(cb, now, effects)

    # -- Moves -----------------------------------------------------------------------------

    def _ring(self, cb: CallbackRecord, now: float, effects: Effects) -> None:
        old = cb.state
        cb.state = callback_transition(old, _C.RINGING)
        cb.attempt += 1
        cb.deadline = now + cb.policy.ring_timeout
        self._schedule(cb)
        effects.append(CallbackChanged(cb.request_id, old, _C.RINGING, cb.attempt))
        effects.append(Ring(cb.request_id, cb.attempt, cb.deadline))
        if cb.first_rung_at is None:
            cb.first_rung_at = now
            kept = cb.window_start <= now < cb.window_end
            self._settle(cb, PromiseOutcome.KEPT if kept else PromiseOutcome.BROKEN, effects)

    def _unanswered(self, cb: CallbackRecord, at: float, now: float, effects: Effects) -> None:
        """The attempt ringing since before `at` went unanswered: retry, or fail."""
        effects.append(StopRinging(cb.request_id, "no_answer"))
        if cb.attempt < cb.policy.attempts:
            cb.state = callback_transition(cb.state, _C.RETRYING)
            cb.deadline = at + cb.policy.spacing
            self._schedule(cb)
            effects.append(CallbackChanged(cb.request_id, _C.RINGING, _C.RETRYING, cb.attempt))
        else:
            self._fail(cb, now, effects)

    def _fail(self, cb: CallbackRecord, now: float, effects: Effects) -> None:
        """Never answered or never rung: a dead end, or back into the queue (the policy)."""
        policy = cb.policy
        if policy.on_failure is OnFailure.CANCEL:
            self._end(cb, _C.MISSED, now, effects)
            cause = DeadEndCause.MISSED_CALLBACK
            effects.append(
                CallbackMissed(cb.request_id, cb.queue_id, cause, policy.failure_message)
            )
        else:
            self._end(cb, _C.REQUEUED, now, effects)
            effects.append(Requeue(cb.request_id, cb.queue_id, cb.kind, policy.requeue_message))

    def _stop(
        self,
        cb: CallbackRecord,
        new: CallbackState,
        reason: StopReason,
        now: float,
        effects: Effects,
    ) -> None:
        """End a live callback by the customer's or the driver's choice (cancel, reschedule)."""
        callback_transition(cb.state, new)
        if cb.state is _C.RINGING:
            effects.append(StopRinging(cb.request_id, reason))
        self._settle(cb, PromiseOutcome.VOID, effects)
        self._end(cb, new, now, effects)

    def _settle(self, cb: CallbackRecord, outcome: PromiseOutcome, effects: Effects) -> None:
        """Settle the promise if it is still open (else leave it as it was)."""
        if cb.promise is not None:
            return
        cb.promise = outcome
        self.ledger.record(cb.queue_id, cb.kind, outcome)
        effects.append(PromiseSettled(cb.request_id, cb.queue_id, cb.kind, outcome))

    def _end(self, cb: CallbackRecord, new: CallbackState, now: float, effects: Effects) -> None:
        old = cb.state
        cb.state = callback_transition(old, new)
        cb.deadline = None
        cb.ended_at = now
        effects.append(CallbackChanged(cb.request_id, old, new, cb.attempt))
        del self._live[cb.request_id]
        self._unschedule(cb.request_id)
        self._ended[cb.request_id] = cb.view()
        self._ended.move_to_end(cb.request_id)
        while len(self._ended) > self._keep_ended:
            self._ended.popitem(last=False)

    # -- Deadlines -------------------------------------------------------------------------

    def _schedule(self, cb: CallbackRecord) -> None:
        """(Re)schedule a live callback's deadline (a promised one's follows from its state)."""
        if cb.state is _C.PROMISED:
            cb.deadline = _promised_deadline(cb)
        assert cb.deadline is not None
        self._next_token += 1
        self._tokens[cb.request_id] = self._next_token
        heapq.heappush(self._heap, (cb.deadline, self._next_token, cb.request_id))

    def _unschedule(self, request_id: str) -> None:
        self._tokens.pop(request_id, None)
        if len(self._heap) > _COMPACT_AT + 4 * len(self._tokens):
            self._heap = [e for e in self._heap if self._tokens.get(e[2]) == e[1]]
            heapq.heapify(self._heap)

    # -- Queries ---------------------------------------------------------------------------

    def _find_live(self, request_id: str) -> CallbackRecord:
        cb = self._live.get(request_id)
        if cb is not None:
            return cb
        if request_id in self._ended:
            state = self._ended[request_id].state
            raise InvalidCallbackTransition(f"{request_id}'s callback has ended ({state})")
        raise UnknownCallback(request_id)

    def get(self, request_id: str) -> Callback:
        """The request's callback: the live one, or the last ended (kept for a while)."""
        record = self._live.get(request_id)
        if record is not None:
            return record.view()
        cb = self._ended.get(request_id)
        if cb is None:
            raise UnknownCallback(request_id)
        return cb

    def live(self) -> list[Callback]:
        """Every live callback, by deadline."""
        live = sorted(self._live.values(), key=lambda cb: (cb.deadline or 0.0, cb.request_id))
        return [cb.view() for cb in live]

    def pending(self, queue_id: str | None = None) -> list[Callback]:
        """Live callbacks whose promise is still open (not rung yet, window not over), by
        window end: the wallboard's "promised callbacks due"."""
        open_ = [
            cb
            for cb in self._live.values()
            if cb.promise is None and (queue_id is None or cb.queue_id == queue_id)
        ]
        return [cb.view() for cb in sorted(open_, key=lambda cb: (cb.window_end, cb.request_id))]
