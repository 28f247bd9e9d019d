"""What both drivers decide about every queue's waiting requests, in one place.

The server (`lib/waits.py`, `actions/`) and the simulator (`simulator/loop.py`) used to carry
their own copies of this policy, so the simulator scored a copy. `Queues` holds each queue's
learned laws (`QueueModel`), the first estimate each waiting request was given (what its
outcome is scored against), the promise-window rule for in-queue callbacks, and what a
callback's turn, requeue or miss does to its request. Pure: time and waits come from the
driver, and commands return the effects for it to act on. See docs/subsystems/engine.md,
"One driver".
"""

from __future__ import annotations

from typing import Final

from tapline.engine.callback_effects import CallbackEffect
from tapline.engine.callback_states import CallbackError, CallbackKind, CallbackState
from tapline.engine.callbacks import Callbacks
from tapline.engine.core import Engine
from tapline.engine.effects import Effect
from tapline.engine.errors import EngineError, InvalidArgument
from tapline.engine.estimates import Estimate, QueueModel
from tapline.engine.states import DeadEndCause, RequestState

LONGEST_WINDOW: Final = 86_400.0
"""An in-queue promise at least this long (or unknown) takes the callback policy's window."""


def promise_window(estimate: Estimate | None) -> float | None:
    """An in-queue callback's promise window for a request given `estimate`: its promise
    (the late end of the wait shown), or None (the policy's `in_queue_window`) when there is
    no estimate, or its promise is not a positive span shorter than `LONGEST_WINDOW`."""
    if estimate is None:
        return None
    window = estimate.promise
    return window if 0.0 < window < LONGEST_WINDOW else None


class Queues:
    """Every queue's learned laws and the first estimate of every waiting request.

    Commands take what happened (a wait ended served or given up, a chat ended) and feed the
    queue's model as both drivers must, so the server and the simulator learn alike. The
    callback commands link the request engine and the callbacks (`callbacks`, if any) and
    return the effects the driver acts on.
    """

    def __init__(self, engine: Engine, callbacks: Callbacks | None = None) -> None:
        self.engine = engine
        self.callbacks = callbacks
        self.models: dict[str, QueueModel] = {}
        self._first: dict[str, Estimate] = {}

    def model(self, queue_id: str) -> QueueModel:
        """The queue's model, made on first use."""
        found = self.models.get(queue_id)
        if found is None:
            found = self.models[queue_id] = QueueModel()
        return found

    def set_model(self, queue_id: str, model: QueueModel) -> None:
        """Use `model` for the queue (a driver may tune one: the simulator's scenarios)."""
        self.models[queue_id] = model

    def estimated(self, request_id: str, estimate: Estimate) -> None:
        """The request was given `estimate`; the first one is what its outcome is scored by."""
        if request_id not in self._first:
            self._first[request_id] = estimate

    def first_estimate(self, request_id: str) -> Estimate | None:
        return self._first.get(request_id)

    def served(
        self, request_id: str, queue_id: str, waited: float, *, patient: bool = False
    ) -> None:
        """The request's wait ended after `waited` seconds: a specialist took it. `patient`:
        it held a callback, so it could not have given up (no censoring weight)."""
        model = self.model(queue_id)
        model.observe_wait(waited, False)
        first = self._first.pop(request_id, None)
        if first is not None:
            model.observe_outcome(first, waited, served=True, patient=patient)

    def abandoned(self, request_id: str, queue_id: str, waited: float) -> None:
        """The customer gave up after waiting `waited` seconds."""
        model = self.model(queue_id)
        model.observe_wait(waited, True)
        first = self._first.pop(request_id, None)
        if first is not None:
            model.observe_outcome(first, waited, served=False)

    def handled(self, queue_id: str, seconds: float) -> None:
        """A chat of the queue ended after `seconds` with its specialist."""
        self.model(queue_id).observe_service(seconds)

    def forget(self, request_id: str) -> None:
        """The request ended otherwise: its first estimate scores nothing."""
        self._first.pop(request_id, None)

    def promise_window(self, estimate: Estimate | None) -> float | None:
        return promise_window(estimate)

    # -- A callback's request ----------------------------------------------------------

    def promise_in_queue(
        self, request_id: str, queue_id: str, now: float, estimate: Estimate | None
    ) -> list[CallbackEffect]:
        """ "Call me back when it's my turn" for a waiting request shown `estimate`: it keeps
        its place as a callback, promised within `promise_window(estimate)`."""
        callbacks = self.callbacks
        if callbacks is None:
            raise InvalidArgument("these queues take no callbacks")
        self.engine.mark_callback(request_id, True)
        return callbacks.promise_in_queue(
            request_id, queue_id, now, window=promise_window(estimate)
        )

    def callback_turn(self, request_id: str, now: float) -> list[CallbackEffect]:
        """A specialist took a request: its callback rings now if it has one not ringing yet
        (a booked one reserved early waits for its slot: `CallbackDue`)."""
        callbacks = self.callbacks
        if callbacks is None:
            return []
        try:
            found = callbacks.get(request_id)
        except CallbackError:
            return []
        if found.is_final or found.state == CallbackState.RINGING:
            return []
        if found.kind == CallbackKind.SCHEDULED and now < found.window_start:
            return []
        return callbacks.ring(request_id, now)

    def callback_missed(self, request_id: str) -> list[Effect]:
        """Every ring went unanswered and the policy cancels: a missed-callback dead end
        (nothing when the request has left the engine already)."""
        try:
            return self.engine.end_dead(request_id, DeadEndCause.MISSED_CALLBACK)
        except EngineError:
            return []

    def callback_requeued(self, request_id: str) -> list[Effect]:
        """Every ring went unanswered and the policy requeues: a plain wait again, at the
        front if its specialist was with it, else at its place. Raises `UnknownRequest` when
        the request is not in the engine (a booked one set aside): the driver puts it back in
        its queue, then calls again."""
        engine = self.engine
        ringing = engine.request(request_id).state is RequestState.CONNECTED
        effects = engine.requeue(request_id, front=True) if ringing else []
        engine.mark_callback(request_id, False)
        return effects
