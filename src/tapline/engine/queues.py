"""What both drivers decide about every queue's waiting requests, in one place.

The server (`lib/waits.py`, `actions/`) and the simulator (`simulator/loop.py`) used to carry
their own copies of this policy, so the simulator scored a copy. `Queues` holds each queue's
learned laws (`QueueModel`), the first estimate each waiting request was given (what its
outcome is scored against), and the promise-window rule for in-queue callbacks. Pure: time and
waits come from the driver. See docs/subsystems/engine.md, "One driver".
"""

from __future__ import annotations

from typing import Final

from tapline.engine.estimates import Estimate, QueueModel

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
    queue's model as both drivers must, so the server and the simulator learn alike.
    """

    def __init__(self) -> None:
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
