"""What the engine can be asked without changing anything: requests, specialists, lines, load.

`Engine` inherits these; its commands live in `core.py`.
"""

from __future__ import annotations

from tapline.engine.channels import CALLS
from tapline.engine.dispatch import IN_LINE, Dispatcher
from tapline.engine.errors import UnknownQueue, UnknownRequest, UnknownSpecialist
from tapline.engine.lineup import QueueRecord
from tapline.engine.load import EligibleLoad
from tapline.engine.policy import QueuePolicy
from tapline.engine.presence import Presence, SpecialistState
from tapline.engine.request import RequestRecord, RequestView


class Queries(Dispatcher):
    """The engine's read side."""

    def in_line(self) -> list[str]:
        """The requests waiting or offered now, in no particular order."""
        return [rid for rid, record in self._requests.items() if record.state in IN_LINE]

    def request(self, request_id: str) -> RequestView:
        """The request as it is now (ended ones are kept for a while, then forgotten)."""
        return self._find(request_id).view()

    def specialist(self, specialist_id: str) -> SpecialistState:
        """A copy of what the engine knows of the specialist."""
        return self._specialist(specialist_id).copy()

    def waiting(self, queue_id: str) -> int:
        """How many requests of the queue are waiting or offered."""
        return len(self._queue(queue_id).lineup)

    def position(self, request_id: str) -> int | None:
        """1-based place among the waiting and offered requests of its queue, else None."""
        record = self._find(request_id)
        if record.state not in IN_LINE:
            return None
        return self._queues[record.queue_id].lineup.position(record.place)

    def line(
        self, queue_id: str, start: int = 0, stop: int | None = None
    ) -> list[tuple[str, float]]:
        """The queue's waiting and offered requests at indices [`start`, `stop`) (0: the
        head; to the end by default), in place order: `(request_id, enqueued_at)` each."""
        places = self._queue(queue_id).lineup.places
        end = len(places) if stop is None else min(stop, len(places))
        out: list[tuple[str, float]] = []
        for i in range(max(0, start), end):
            place = places[i]
            out.append((str(place[4]), float(place[2])))
        return out

    def line_version(self, queue_id: str) -> int:
        """A count of the queue's line changes: same count, same line (see `line_changed_from`)."""
        return self._queue(queue_id).lineup.version

    def line_changed_from(self, queue_id: str, since: int) -> int | None:
        """The first index (0: the head) at which the queue's line may differ from what it was
        at `line_version` `since`, or None if it has not changed. O(changes since)."""
        return self._queue(queue_id).lineup.changed_from(since)

    def queues(self) -> dict[str, int]:
        """Every queue's waiting count."""
        return {queue_id: len(queue.lineup) for queue_id, queue in self._queues.items()}

    def queue_policy(self, queue_id: str) -> QueuePolicy:
        return self._queue(queue_id).policy

    def eligible_load(self, request_id: str) -> EligibleLoad:
        """Who could take the request now and how busy they are (see EligibleLoad)."""
        record = self._find(request_id)
        need, now = record.need, self._clock.now()
        calls = need.channel in CALLS
        servers = busy = slots = 0
        elapsed: list[float] = []
        for sid, spec in self._staff.get(need.skill).items():
            if (
                spec.presence is not Presence.AVAILABLE
                or sid in record.excluded
                or not self._fits(spec, need)
            ):
                continue
            servers += 1
            slots += spec.capacity_for(need.channel)
            busy += not spec.has_room(need.channel)
            for active_id in spec.active:
                if (active_id in spec.calls) is calls:
                    connected_at = self._requests[active_id].connected_at
                    elapsed.append(now - (connected_at if connected_at is not None else now))
        position = self.position(request_id)
        ahead = position - 1 if position is not None else 0
        return EligibleLoad(servers, tuple(sorted(elapsed)), ahead, busy, slots)

    # -- Lookups and checks ----------------------------------------------------------------

    def _find(self, request_id: str) -> RequestRecord:
        record = self._requests.get(request_id)
        if record is None:
            record = self._ended.get(request_id)
        if record is None:
            raise UnknownRequest(request_id)
        return record

    def _specialist(self, specialist_id: str) -> SpecialistState:
        spec = self._specialists.get(specialist_id)
        if spec is None:
            raise UnknownSpecialist(specialist_id)
        return spec

    def _queue(self, queue_id: str) -> QueueRecord:
        queue = self._queues.get(queue_id)
        if queue is None:
            raise UnknownQueue(queue_id)
        return queue
