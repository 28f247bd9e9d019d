"""The engine: requests, queues, specialists and offers, as pure code with an injected clock.

Every command returns the effects it caused, in the order they happened; the driver (the
server, or the simulator) turns them into writes and events. A command that raises an
EngineError has changed nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TypeVar

from tapline.engine.clock import Clock
from tapline.engine.deadlines import DeadlineKind, Deadlines
from tapline.engine.effects import (
    Effect,
    OfferMade,
    OfferWithdrawn,
    PresenceChanged,
    QueueChanged,
    StateChanged,
    WithdrawReason,
)
from tapline.engine.errors import (
    DuplicateRequest,
    InvalidArgument,
    InvalidTransition,
    NotAssigned,
    NotOffered,
    UnknownQueue,
    UnknownRequest,
    UnknownSpecialist,
)
from tapline.engine.lineup import FRONT, Place, QueueRecord
from tapline.engine.matching import candidates, free_pools, in_place_order, take
from tapline.engine.presence import MAX_LEVEL, MIN_LEVEL, Presence, SpecialistState
from tapline.engine.request import RequestRecord, RequestView
from tapline.engine.routing import LongestIdleRouter, Router, WaitingRequest
from tapline.engine.states import DeadEndCause, RequestState, is_final, transition

_S = RequestState
_E = TypeVar("_E", Presence, DeadEndCause, RequestState)
_IN_LINE = frozenset({_S.WAITING, _S.OFFERED})


def _presence(spec: SpecialistState) -> PresenceChanged:
    return PresenceChanged(spec.specialist_id, spec.presence, len(spec.active), spec.capacity)


def _member(enum: type[_E], value: str) -> _E:
    """`value` as a member of `enum` (they are StrEnums), or InvalidArgument."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidArgument(f"{value!r} is not a {enum.__name__}") from None


def _check_specialist_args(skills: Mapping[str, int], capacity: int) -> None:
    if capacity < 0:
        raise InvalidArgument(f"capacity must be 0 or more, not {capacity}")
    for skill, level in skills.items():
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise InvalidArgument(f"skill {skill!r}: level must be 1 to 5, not {level}")


class Engine:
    """Routes requests of queues to specialists. See docs/subsystems/engine.md."""

    def __init__(
        self,
        clock: Clock,
        *,
        router: Router | None = None,
        offer_timeout: float = 30.0,
        customer_grace: float = 120.0,
        away_on_missed_offer: bool = True,
        keep_ended: int = 10_000,
    ) -> None:
        if offer_timeout <= 0 or customer_grace < 0 or keep_ended < 0:
            raise InvalidArgument("offer_timeout > 0, customer_grace >= 0, keep_ended >= 0")
        self._clock = clock
        self._router: Router = router if router is not None else LongestIdleRouter()
        self._offer_timeout = offer_timeout
        self._customer_grace = customer_grace
        self._away_on_missed_offer = away_on_missed_offer
        self._keep_ended = keep_ended
        self._queues: dict[str, QueueRecord] = {}
        self._specialists: dict[str, SpecialistState] = {}
        self._requests: dict[str, RequestRecord] = {}
        self._ended: OrderedDict[str, RequestRecord] = OrderedDict()
        self._deadlines = Deadlines()
        self._seq = 0

    # -- Configuration ---------------------------------------------------------------------

    def add_queue(self, queue_id: str, skill: str) -> list[Effect]:
        """Add a queue whose requests need `skill`, or change an existing queue's skill."""
        queue = self._queues.get(queue_id)
        if queue is None:
            self._queues[queue_id] = QueueRecord(queue_id, skill)
            return []
        if queue.skill == skill:
            return []
        queue.skill = skill
        return self.route()

    def set_specialist(
        self, specialist_id: str, *, skills: Mapping[str, int], capacity: int
    ) -> list[Effect]:
        """Register a specialist (who starts OFFLINE) or update their skills and capacity."""
        _check_specialist_args(skills, capacity)
        now = self._clock.now()
        spec = self._specialists.get(specialist_id)
        if spec is None:
            spec = SpecialistState(specialist_id, dict(skills), capacity, idle_since=now)
            self._specialists[specialist_id] = spec
            return [_presence(spec)]
        effects: list[Effect] = []
        was_full = not spec.has_capacity()
        old_capacity = spec.capacity
        spec.skills = dict(skills)
        spec.capacity = capacity
        if was_full and spec.has_capacity():
            spec.idle_since = now
        if capacity != old_capacity:
            effects.append(_presence(spec))
        if spec.offered is not None and not self._offer_fits(spec, spec.offered):
            self._withdraw(self._requests[spec.offered], "specialist_left", effects)
        effects += self.route()
        return effects

    def set_presence(self, specialist_id: str, presence: Presence) -> list[Effect]:
        """Change presence. Leaving AVAILABLE withdraws the pending offer; connected chats stay."""
        spec = self._specialist(specialist_id)
        presence = _member(Presence, presence)
        if spec.presence is presence:
            return []
        was_available = spec.presence is Presence.AVAILABLE
        spec.presence = presence
        if presence is Presence.AVAILABLE:
            spec.idle_since = self._clock.now()
        effects: list[Effect] = [_presence(spec)]
        if was_available and spec.offered is not None:
            self._withdraw(self._requests[spec.offered], "specialist_left", effects)
        effects += self.route()
        return effects

    # -- Requests --------------------------------------------------------------------------

    def submit(self, request_id: str, queue_id: str) -> list[Effect]:
        """A new request joins the back of its queue (new -> waiting), then routing runs."""
        queue = self._queue(queue_id)
        self._check_new_id(request_id)
        record = self._new_record(request_id, queue_id, self._clock.now())
        record.state = transition(_S.NEW, _S.WAITING)
        queue.lineup.join(record.place)
        effects: list[Effect] = [
            StateChanged(request_id, _S.NEW, _S.WAITING),
            QueueChanged(queue_id, len(queue.lineup)),
        ]
        effects += self.route()
        return effects

    def accept(self, request_id: str, specialist_id: str) -> list[Effect]:
        """The specialist holding the offer takes the request (offered -> connected)."""
        record = self._find(request_id)
        spec = self._specialist(specialist_id)
        self._check_holds_offer(record, specialist_id)
        queue = self._queues[record.queue_id]
        self._clear_offer(record, spec)
        record.state = transition(_S.OFFERED, _S.CONNECTED)
        record.specialist_id = specialist_id
        queue.lineup.leave(record.place)
        spec.active.add(request_id)
        effects: list[Effect] = [
            StateChanged(request_id, _S.OFFERED, _S.CONNECTED, None, specialist_id),
            QueueChanged(queue.queue_id, len(queue.lineup)),
            _presence(spec),
        ]
        effects += self.route()
        return effects

    def decline(self, request_id: str, specialist_id: str) -> list[Effect]:
        """The specialist says no: the request goes back to its place, never offered to them."""
        record = self._find(request_id)
        self._specialist(specialist_id)
        self._check_holds_offer(record, specialist_id)
        record.excluded.add(specialist_id)
        effects: list[Effect] = []
        self._withdraw(record, "declined", effects)
        effects += self.route()
        return effects

    def resolve(
        self, request_id: str, specialist_id: str, *, unresolved: bool = False
    ) -> list[Effect]:
        """The specialist ends the chat: resolved, or a dead end (unresolved)."""
        record = self._find(request_id)
        self._specialist(specialist_id)
        if record.state is not _S.CONNECTED:
            raise InvalidTransition(f"only a connected request is resolved, not {record.state}")
        if record.specialist_id != specialist_id:
            raise NotAssigned(f"{request_id} is not connected to {specialist_id}")
        effects: list[Effect] = []
        if unresolved:
            self._end(record, _S.DEAD_END, DeadEndCause.UNRESOLVED, effects)
        else:
            self._end(record, _S.RESOLVED, None, effects)
        effects += self.route()
        return effects

    def cancel(self, request_id: str) -> list[Effect]:
        """The customer gives up the request, from any state but an outcome."""
        record = self._find(request_id)
        transition(record.state, _S.CANCELLED)
        effects: list[Effect] = []
        self._end(record, _S.CANCELLED, None, effects)
        effects += self.route()
        return effects

    def end_dead(self, request_id: str, cause: DeadEndCause) -> list[Effect]:
        """The request ends in a dead end with `cause`, from any state but an outcome."""
        record = self._find(request_id)
        cause = _member(DeadEndCause, cause)
        transition(record.state, _S.DEAD_END)
        effects: list[Effect] = []
        self._end(record, _S.DEAD_END, cause, effects)
        effects += self.route()
        return effects

    def specialist_dropped(self, specialist_id: str) -> list[Effect]:
        """The specialist is gone: OFFLINE, offer withdrawn, chats re-routed from the front."""
        spec = self._specialist(specialist_id)
        if spec.presence is Presence.OFFLINE and not spec.active and spec.offered is None:
            return []
        spec.presence = Presence.OFFLINE
        effects: list[Effect] = []
        if spec.offered is not None:
            self._withdraw(self._requests[spec.offered], "specialist_left", effects)
        chats = sorted((self._requests[rid] for rid in spec.active), key=lambda r: r.place)
        spec.active.clear()
        for record in chats:
            record.state = transition(_S.CONNECTED, _S.WAITING)
            record.rank = FRONT
            record.specialist_id = None
            queue = self._queues[record.queue_id]
            queue.lineup.join(record.place)
            effects.append(
                StateChanged(record.request_id, _S.CONNECTED, _S.WAITING, None, specialist_id)
            )
            effects.append(QueueChanged(queue.queue_id, len(queue.lineup)))
        effects.append(_presence(spec))
        effects += self.route()
        return effects

    def customer_left(self, request_id: str) -> list[Effect]:
        """The customer's connection is gone: their grace period starts (if not running)."""
        record = self._find(request_id)
        if is_final(record.state):
            raise InvalidTransition(f"{request_id} has already ended ({record.state})")
        if record.grace_token is None:
            at = self._clock.now() + self._customer_grace
            record.grace_token = self._deadlines.add(at, DeadlineKind.GRACE, request_id)
        return []

    def customer_returned(self, request_id: str) -> list[Effect]:
        """The customer is back: their grace period stops."""
        record = self._find(request_id)
        self._deadlines.cancel(record.grace_token)
        record.grace_token = None
        return []

    # -- Time ------------------------------------------------------------------------------

    def tick(self) -> list[Effect]:
        """Handle every deadline due by now, in deadline order, then route."""
        now = self._clock.now()
        effects: list[Effect] = []
        while (deadline := self._deadlines.pop_due(now)) is not None:
            record = self._requests.get(deadline.request_id)
            if record is None:  # cannot happen: an ended request's deadlines are cancelled
                continue
            if deadline.kind is DeadlineKind.OFFER:
                record.offer_token = None
                self._offer_expired(record, effects)
            else:
                record.grace_token = None
                self._grace_expired(record, effects)
        effects += self.route()
        return effects

    def next_deadline(self) -> float | None:
        """When `tick` next has something to do (the driver sleeps until then), or None."""
        return self._deadlines.next_at()

    def _offer_expired(self, record: RequestRecord, effects: list[Effect]) -> None:
        assert record.specialist_id is not None
        spec = self._specialists[record.specialist_id]
        record.excluded.add(spec.specialist_id)
        self._withdraw(record, "expired", effects)
        if self._away_on_missed_offer and spec.presence is Presence.AVAILABLE:
            spec.presence = Presence.AWAY
            effects.append(_presence(spec))

    def _grace_expired(self, record: RequestRecord, effects: list[Effect]) -> None:
        if record.state is _S.CONNECTED:
            self._end(record, _S.DEAD_END, DeadEndCause.LOST_ON_DISCONNECT, effects)
        else:
            self._end(record, _S.DEAD_END, DeadEndCause.ABANDONED, effects)

    # -- Routing ---------------------------------------------------------------------------

    def route(self) -> list[Effect]:
        """Make every offer that can be made now, oldest place first across queues.

        Eligible for a request: AVAILABLE, has the queue's skill, room for a chat, no
        pending offer, and has not declined or missed this request. The router picks one.
        """
        pools = free_pools(self._specialists.values())
        if not pools:
            return []
        now = self._clock.now()
        effects: list[Effect] = []
        made: list[tuple[QueueRecord, Place]] = []
        for place, queue in in_place_order(self._queues.values(), pools):
            record = self._requests[place[3]]
            chosen = self._choose(record, queue, pools[queue.skill], now)
            if chosen is not None:
                self._offer(record, chosen, now, effects)
                made.append((queue, place))
                take(pools, chosen)
        for queue, place in made:
            queue.lineup.offered(place)
        return effects

    def _choose(
        self,
        record: RequestRecord,
        queue: QueueRecord,
        pool: dict[str, SpecialistState],
        now: float,
    ) -> SpecialistState | None:
        eligible = candidates(pool, record.excluded)
        if not eligible:
            return None
        waiting = WaitingRequest(record.request_id, queue.queue_id, queue.skill, record.enqueued_at)
        chosen = self._router.choose(waiting, eligible, now)
        if chosen is None or chosen.specialist_id in record.excluded:
            return None
        return pool.get(chosen.specialist_id)  # the engine's own record, never a router's copy

    def _offer(
        self, record: RequestRecord, spec: SpecialistState, now: float, effects: list[Effect]
    ) -> None:
        record.state = transition(record.state, _S.OFFERED)
        record.specialist_id = spec.specialist_id
        expires_at = now + self._offer_timeout
        record.offer_expires_at = expires_at
        record.offer_token = self._deadlines.add(expires_at, DeadlineKind.OFFER, record.request_id)
        spec.offered = record.request_id
        effects.append(
            StateChanged(record.request_id, _S.WAITING, _S.OFFERED, None, spec.specialist_id)
        )
        effects.append(OfferMade(record.request_id, spec.specialist_id, expires_at))

    def _offer_fits(self, spec: SpecialistState, request_id: str) -> bool:
        skill = self._queues[self._requests[request_id].queue_id].skill
        return spec.skills.get(skill, 0) >= MIN_LEVEL and spec.has_capacity()

    # -- Moves shared by commands ----------------------------------------------------------

    def _clear_offer(self, record: RequestRecord, spec: SpecialistState) -> None:
        spec.offered = None
        self._deadlines.cancel(record.offer_token)
        record.offer_token = None
        record.offer_expires_at = None

    def _withdraw(
        self,
        record: RequestRecord,
        reason: WithdrawReason,
        effects: list[Effect],
        *,
        back: bool = True,
    ) -> None:
        """Withdraw the request's offer; with `back`, the request waits again at its place."""
        specialist_id = record.specialist_id
        assert specialist_id is not None and record.state is _S.OFFERED
        self._clear_offer(record, self._specialists[specialist_id])
        record.specialist_id = None
        effects.append(OfferWithdrawn(record.request_id, specialist_id, reason))
        if back:
            record.state = transition(_S.OFFERED, _S.WAITING)
            self._queues[record.queue_id].lineup.back(record.place)
            effects.append(
                StateChanged(record.request_id, _S.OFFERED, _S.WAITING, None, specialist_id)
            )

    def _release(self, spec: SpecialistState, request_id: str, effects: list[Effect]) -> None:
        """A chat of `spec` ended: free its capacity (idle again if they were full)."""
        was_full = not spec.has_capacity()
        spec.active.discard(request_id)
        if was_full and spec.has_capacity():
            spec.idle_since = self._clock.now()
        effects.append(_presence(spec))

    def _end(
        self,
        record: RequestRecord,
        new: RequestState,
        cause: DeadEndCause | None,
        effects: list[Effect],
    ) -> None:
        """Move a live request to its outcome `new` (already checked) and forget it."""
        old = record.state
        specialist_id = record.specialist_id
        if old is _S.OFFERED:
            self._withdraw(record, "cancelled", effects, back=False)
        record.state = new
        record.cause = cause
        effects.append(StateChanged(record.request_id, old, new, cause, specialist_id))
        if old in _IN_LINE:
            queue = self._queues[record.queue_id]
            queue.lineup.leave(record.place)
            effects.append(QueueChanged(queue.queue_id, len(queue.lineup)))
        elif old is _S.CONNECTED and specialist_id is not None:
            self._release(self._specialists[specialist_id], record.request_id, effects)
        self._deadlines.cancel(record.grace_token)
        record.grace_token = None
        del self._requests[record.request_id]
        self._ended[record.request_id] = record
        while len(self._ended) > self._keep_ended:
            self._ended.popitem(last=False)

    # -- Restore after a restart -----------------------------------------------------------

    def restore_request(
        self,
        request_id: str,
        queue_id: str,
        state: RequestState,
        *,
        enqueued_at: float,
        specialist_id: str | None = None,
    ) -> list[Effect]:
        """Rebuild a live request from the database. Call `route()` once all are restored.

        NEW, WAITING and OFFERED come back WAITING at their place (an offer is void after a
        restart); a StateChanged says so when the state differs. CONNECTED attaches to the
        specialist's chats (register the specialist first). Grace timers are not restored.
        """
        queue = self._queue(queue_id)
        self._check_new_id(request_id)
        state = _member(RequestState, state)
        if is_final(state):
            raise InvalidArgument(f"only live requests are restored, not {state}")
        spec: SpecialistState | None = None
        if state is _S.CONNECTED:
            if specialist_id is None:
                raise InvalidArgument("a connected request needs its specialist_id")
            spec = self._specialist(specialist_id)
        record = self._new_record(request_id, queue_id, enqueued_at)
        if spec is not None:
            record.state = _S.CONNECTED
            record.specialist_id = spec.specialist_id
            spec.active.add(request_id)
            return []
        record.state = _S.WAITING
        queue.lineup.join(record.place)
        if state is _S.WAITING:
            return []
        return [StateChanged(request_id, state, _S.WAITING, None, specialist_id)]

    # -- Queries ---------------------------------------------------------------------------

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
        if record.state not in _IN_LINE:
            return None
        return self._queues[record.queue_id].lineup.position(record.place)

    def queues(self) -> dict[str, int]:
        """Every queue's waiting count."""
        return {queue_id: len(queue.lineup) for queue_id, queue in self._queues.items()}

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

    def _check_new_id(self, request_id: str) -> None:
        if request_id in self._requests or request_id in self._ended:
            raise DuplicateRequest(request_id)

    def _check_holds_offer(self, record: RequestRecord, specialist_id: str) -> None:
        if record.state is not _S.OFFERED or record.specialist_id != specialist_id:
            raise NotOffered(f"{specialist_id} does not hold an offer of {record.request_id}")

    def _new_record(self, request_id: str, queue_id: str, enqueued_at: float) -> RequestRecord:
        self._seq += 1
        record = RequestRecord(request_id, queue_id, self._seq, enqueued_at, _S.NEW)
        self._requests[request_id] = record
        return record
