"""The engine: requests, queues, specialists and offers, as pure code with an injected clock.

Every command returns the effects it caused, in the order they happened; the driver (the
server, or the simulator) turns them into writes and events. A command that raises an
EngineError has changed nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from tapline.engine.channels import Channel, capacities, channel
from tapline.engine.clock import Clock
from tapline.engine.deadlines import DeadlineKind
from tapline.engine.dispatch import IN_LINE, presence_effect
from tapline.engine.effects import Effect, QueueChanged, StateChanged
from tapline.engine.errors import (
    DuplicateRequest,
    InvalidArgument,
    InvalidTransition,
    NotAssigned,
    NotOffered,
)
from tapline.engine.lineup import FRONT, QueueRecord
from tapline.engine.policy import DEFAULT, QueuePolicy
from tapline.engine.presence import (
    MAX_LEVEL,
    MIN_LEVEL,
    AuthorityValue,
    Presence,
    SpecialistState,
)
from tapline.engine.queries import Queries
from tapline.engine.request import RequestRecord
from tapline.engine.requirements import NONE, Requirements
from tapline.engine.routing import LeastLoadedRouter, Router
from tapline.engine.states import DeadEndCause, RequestState, is_final, transition

# an import, not `_S = RequestState`: mypyc then reads `_S.WAITING` as a constant
from tapline.engine.states import RequestState as _S

_E = TypeVar("_E", Presence, DeadEndCause, RequestState)


def _member(enum: type[_E], value: str) -> _E:
    """`value` as a member of `enum` (they are StrEnums), or InvalidArgument."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidArgument(f"{value!r} is not a {enum.__name__}") from None


def _check_skills(skills: Mapping[str, object]) -> None:
    for skill, level in skills.items():
        if (
            isinstance(level, bool)
            or not isinstance(level, int)
            or not MIN_LEVEL <= level <= MAX_LEVEL
        ):
            raise InvalidArgument(f"skill {skill!r}: level must be 1 to 5, not {level}")


def _check_authority(authority: Mapping[str, object]) -> dict[str, AuthorityValue]:
    # the items are checked as objects: a compiled engine would refuse a typed loop's
    # first bad value with a TypeError before this could name it
    checked: dict[str, AuthorityValue] = {}
    for name, value in authority.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidArgument(f"{name!r} is not an authority attribute name")
        if not isinstance(value, bool | int | float | str):
            raise InvalidArgument(f"authority {name!r}: {value!r} is not a number, string or bool")
        checked[name] = value
    return checked


def _check_request_args(requirements: Requirements | None, priority: int) -> Requirements:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise InvalidArgument(f"priority is a whole number, not {priority!r}")
    if requirements is None:
        return NONE
    if not isinstance(requirements, Requirements):
        raise InvalidArgument("requirements must be a Requirements")
    if requirements.has_refs:
        raise InvalidArgument(f"resolve the context references first: {requirements}")
    return requirements


class Engine(Queries):
    """Routes requests of queues to specialists. See docs/subsystems/engine.md and routing.md."""

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
        router = router if router is not None else LeastLoadedRouter()
        super().__init__(clock, router, offer_timeout, customer_grace, keep_ended)
        self._away_on_missed_offer = away_on_missed_offer

    # -- Configuration ---------------------------------------------------------------------

    def add_queue(
        self, queue_id: str, skill: str, *, policy: QueuePolicy | None = None
    ) -> list[Effect]:
        """Add a queue whose requests need `skill`, or change an existing queue.

        `policy` (priority, sticky wait, widening, fallback) defaults to a plain FCFS queue
        for a new queue, and to the current policy when changing one.
        """
        queue = self._queues.get(queue_id)
        if queue is None:
            self._queues[queue_id] = QueueRecord(queue_id, skill, policy or DEFAULT)
            return []
        policy = policy if policy is not None else queue.policy
        if queue.skill == skill and queue.policy == policy:
            return []
        queue.skill, queue.policy = skill, policy
        effects: list[Effect] = []
        records = sorted(
            (r for r in self._requests.values() if r.queue_id == queue_id), key=lambda r: r.place
        )
        in_line = [r for r in records if r.state in IN_LINE]
        for record in in_line:
            self._leave_line(record)
        for record in records:
            self._refile(record, queue)
        self._rebuild_lineup(queue)
        for record in in_line:
            self._line_up(record)
            if record.state is _S.OFFERED and record.specialist_id is not None:
                spec = self._specialists[record.specialist_id]
                if not self._offer_fits(spec, record.request_id):
                    self._withdraw(record, "specialist_left", effects)
        for record in in_line:
            self._check_reach(record, effects)
        effects += self._route()
        return effects

    def set_specialist(
        self,
        specialist_id: str,
        *,
        skills: Mapping[str, int],
        capacity: int | Mapping[str, int],
        authority: Mapping[str, AuthorityValue] | None = None,
    ) -> list[Effect]:
        """Register a specialist (who starts OFFLINE) or update them.

        `capacity` is an int (chats only) or per channel, e.g. {"chat": 3, "voice": 1}.
        `authority` holds attributes such as {"refund_limit": 500}; None keeps what an
        existing specialist has (a new one has none).
        """
        _check_skills(skills)
        chat, calls = capacities(capacity)
        checked = _check_authority(authority) if authority is not None else None
        now = self._clock.now()
        effects: list[Effect] = []
        spec = self._specialists.get(specialist_id)
        if spec is None:
            spec = SpecialistState(specialist_id, dict(skills), chat, idle_since=now)
            spec.authority, spec.call_capacity = checked or {}, calls
            self._specialists[specialist_id] = spec
            effects.append(presence_effect(spec))
            self._specialist_registered(spec, effects)
            return effects
        was_full = not spec.has_capacity()
        old_capacity = spec.capacity
        spec.skills, spec.capacity, spec.call_capacity = dict(skills), chat, calls
        if checked is not None:
            spec.authority = checked
        if was_full and spec.has_capacity():
            spec.idle_since = now
        if chat != old_capacity:
            effects.append(presence_effect(spec))
        self._fit.pop(specialist_id, None)
        if spec.offered is not None and not self._offer_fits(spec, spec.offered):
            self._withdraw(self._requests[spec.offered], "specialist_left", effects)
        self._specialist_registered(spec, effects)
        effects += self._route()
        return effects

    def set_presence(self, specialist_id: str, presence: Presence | str) -> list[Effect]:
        """Change presence. Leaving AVAILABLE withdraws the pending offer; connected chats stay."""
        spec = self._specialist(specialist_id)
        new = _member(Presence, presence)
        if spec.presence is new:
            return []
        old = spec.presence
        spec.presence = new
        if new is Presence.AVAILABLE:
            spec.idle_since = self._clock.now()
        effects: list[Effect] = [presence_effect(spec)]
        if old is Presence.AVAILABLE and spec.offered is not None:
            self._withdraw(self._requests[spec.offered], "specialist_left", effects)
        if Presence.OFFLINE in (old, new):
            self._release_sticky(spec)
        self._changed(spec)
        effects += self._route()
        return effects

    # -- Requests --------------------------------------------------------------------------

    def submit(
        self,
        request_id: str,
        queue_id: str,
        *,
        requirements: Requirements | None = None,
        priority: int = 0,
        channel: Channel | str = Channel.CHAT,
        preferred_specialist: str | None = None,
        callback: bool = False,
    ) -> list[Effect]:
        """A new request joins its queue at its place (new -> waiting), then routing runs.

        - `requirements`: skill levels and authority (resolved; see rules.py), beyond the
          queue's skill;
        - `priority`: the request's own (e.g. the customer's tier), added to the queue's;
        - `channel`: chat, voice or video;
        - `preferred_specialist`: who last helped this customer; only they are offered it
          for the queue's `sticky_seconds`, while they can take it and are not offline;
        - `callback`: an in-queue callback: the customer may leave without a grace period.
        """
        queue = self._queue(queue_id)
        self._check_new_id(request_id)
        record = self._new_record(
            request_id, queue, self._clock.now(), requirements, priority, channel
        )
        record.preferred = preferred_specialist
        record.callback = callback
        record.state = transition(_S.NEW, _S.WAITING)
        effects: list[Effect] = [StateChanged(request_id, _S.NEW, _S.WAITING)]
        self._enter_line(record, effects)
        effects += self._route()
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
        record.connected_at = self._clock.now()
        self._leave_line(record)
        self._attach(record, spec)
        effects: list[Effect] = [
            StateChanged(request_id, _S.OFFERED, _S.CONNECTED, None, specialist_id),
            QueueChanged(queue.queue_id, len(queue.lineup)),
            presence_effect(spec),
        ]
        effects += self._route()
        return effects

    def decline(self, request_id: str, specialist_id: str) -> list[Effect]:
        """The specialist says no: the request goes back to its place, never offered to them."""
        record = self._find(request_id)
        self._specialist(specialist_id)
        self._check_holds_offer(record, specialist_id)
        record.excluded.add(specialist_id)
        effects: list[Effect] = []
        self._withdraw(record, "declined", effects)  # checks its reach without them
        effects += self._route()
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
        effects += self._route()
        return effects

    def cancel(self, request_id: str) -> list[Effect]:
        """The customer gives up the request, from any state but an outcome."""
        record = self._find(request_id)
        transition(record.state, _S.CANCELLED)
        effects: list[Effect] = []
        self._end(record, _S.CANCELLED, None, effects)
        effects += self._route()
        return effects

    def end_dead(self, request_id: str, cause: DeadEndCause | str) -> list[Effect]:
        """The request ends in a dead end with `cause`, from any state but an outcome."""
        record = self._find(request_id)
        cause = _member(DeadEndCause, cause)
        transition(record.state, _S.DEAD_END)
        effects: list[Effect] = []
        self._end(record, _S.DEAD_END, cause, effects)
        effects += self._route()
        return effects

    def requeue(self, request_id: str, *, front: bool = True) -> list[Effect]:
        """A connected request waits again (e.g. an unanswered callback ring).

        It frees its specialist's capacity and goes back to its place in line: with `front`
        ahead of every request not yet helped, otherwise where its place says. It keeps its
        enqueued time, so its widening goes on from there.
        """
        record = self._find(request_id)
        if record.state is not _S.CONNECTED or record.specialist_id is None:
            raise InvalidTransition(f"only a connected request is requeued, not {record.state}")
        spec = self._specialists[record.specialist_id]
        record.state = transition(_S.CONNECTED, _S.WAITING)
        record.specialist_id = None
        record.connected_at = None
        if front:
            record.rank = FRONT
        if record.callback:
            self._deadlines.cancel(record.grace_token)
            record.grace_token = None
        effects: list[Effect] = [
            StateChanged(request_id, _S.CONNECTED, _S.WAITING, None, spec.specialist_id)
        ]
        self._enter_line(record, effects)
        self._release(spec, request_id, effects)
        effects += self._route()
        return effects

    def set_aside(self, request_id: str) -> list[Effect]:
        """A waiting request leaves the engine without an outcome (it booked a callback slot).

        Its offer, if any, is withdrawn and it leaves its line; the engine forgets it, so
        `submit` takes it again when its slot is near.
        """
        record = self._find(request_id)
        if record.state not in IN_LINE or request_id not in self._requests:
            raise InvalidTransition(f"only a waiting request is set aside, not {record.state}")
        effects: list[Effect] = []
        if record.state is _S.OFFERED:
            self._withdraw(record, "cancelled", effects, back=False)
        queue = self._queues[record.queue_id]
        self._leave_line(record)
        effects.append(QueueChanged(queue.queue_id, len(queue.lineup)))
        self._deadlines.cancel(record.grace_token)
        record.grace_token = None
        del self._requests[request_id]
        effects += self._route()
        return effects

    def mark_callback(self, request_id: str, callback: bool) -> None:
        """The request holds (or no longer holds) an in-queue callback: no grace period."""
        record = self._find(request_id)
        record.callback = callback
        if callback:
            self._deadlines.cancel(record.grace_token)
            record.grace_token = None

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
        spec.calls.clear()
        for record in chats:
            record.state = transition(_S.CONNECTED, _S.WAITING)
            record.rank = FRONT
            record.specialist_id = None
            record.connected_at = None
            effects.append(
                StateChanged(record.request_id, _S.CONNECTED, _S.WAITING, None, specialist_id)
            )
            self._enter_line(record, effects)
        effects.append(presence_effect(spec))
        self._release_sticky(spec)
        self._changed(spec)
        effects += self._route()
        return effects

    def customer_left(self, request_id: str) -> list[Effect]:
        """The customer's connection is gone: their grace period starts (if not running).

        An in-queue callback waiting (or offered) has no grace period: the customer may close
        the app and is rung when their turn comes.
        """
        record = self._find(request_id)
        if is_final(record.state):
            raise InvalidTransition(f"{request_id} has already ended ({record.state})")
        if record.callback and record.state in IN_LINE:
            return []
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
            kind = deadline.kind
            if kind is DeadlineKind.OFFER:
                record.offer_token = None
                self._offer_expired(record, effects)
            elif kind is DeadlineKind.GRACE:
                record.grace_token = None
                self._grace_expired(record, effects)
            elif kind is DeadlineKind.WIDEN:
                record.widen_token = None
                self._widen(record, now)
            else:
                record.sticky_token = None
                self._unstick(record)
                self._dirty_requests[record.request_id] = None
                self._queues[record.queue_id].lineup.touch(record.place)  # a wider pool
        effects += self._route()
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
            effects.append(presence_effect(spec))

    def _grace_expired(self, record: RequestRecord, effects: list[Effect]) -> None:
        if record.state is _S.CONNECTED:
            self._end(record, _S.DEAD_END, DeadEndCause.LOST_ON_DISCONNECT, effects)
        else:
            self._end(record, _S.DEAD_END, DeadEndCause.ABANDONED, effects)

    def _widen(self, record: RequestRecord, now: float) -> None:
        """The request reached its next widening stage: more specialists may take it."""
        policy = self._queues[record.queue_id].policy
        waited = now - record.enqueued_at
        record.stage = policy.stage_at(waited)
        after = policy.next_widening(waited)
        if after is not None:
            at = record.enqueued_at + after
            record.widen_token = self._deadlines.add(at, DeadlineKind.WIDEN, record.request_id)
        self._dirty_requests[record.request_id] = None
        self._queues[record.queue_id].lineup.touch(record.place)  # a wider pool

    # -- Routing ---------------------------------------------------------------------------

    def route(self) -> list[Effect]:
        """Check every request's reach and make every offer that can be made now.

        Commands route by themselves; call this after `restore_request`s. Eligible for a
        request: AVAILABLE, meets its need at its widening stage (skills, authority, room on
        its channel), no pending offer, has not declined or missed it, and it is not held
        for its preferred specialist. The router picks one.
        """
        effects: list[Effect] = []
        records = sorted(self._requests.values(), key=lambda r: r.place)
        for record in records:
            self._check_reach(record, effects)
        self._dirty_specs.update(dict.fromkeys(self._specialists))
        for record in records:
            if record.state is _S.WAITING:
                self._dirty_requests[record.request_id] = None
        effects += self._route()
        return effects

    # -- Restore after a restart -----------------------------------------------------------

    def restore_request(
        self,
        request_id: str,
        queue_id: str,
        state: RequestState | str,
        *,
        enqueued_at: float,
        specialist_id: str | None = None,
        requirements: Requirements | None = None,
        priority: int = 0,
        channel: Channel | str = Channel.CHAT,
        preferred_specialist: str | None = None,
        callback: bool = False,
        connected_at: float | None = None,
    ) -> list[Effect]:
        """Rebuild a live request from the database. Call `route()` once all are restored.

        NEW, WAITING and OFFERED come back WAITING at their place (an offer is void after a
        restart); a StateChanged says so when the state differs. CONNECTED attaches to the
        specialist (register the specialist first). Grace timers are not restored; widening
        and sticky waits are, from `enqueued_at`. `route()` reports what cannot be routed.
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
        record = self._new_record(request_id, queue, enqueued_at, requirements, priority, channel)
        record.preferred = preferred_specialist
        record.callback = callback
        if spec is not None:
            record.state = _S.CONNECTED
            record.specialist_id = spec.specialist_id
            record.connected_at = connected_at if connected_at is not None else self._clock.now()
            self._attach(record, spec)
            return []
        record.state = _S.WAITING
        queue.lineup.join(record.place)
        self._line_up(record)
        if state is _S.WAITING:
            return []
        return [StateChanged(request_id, state, _S.WAITING, None, specialist_id)]

    # -- Checks ----------------------------------------------------------------------------

    def _check_new_id(self, request_id: str) -> None:
        if request_id in self._requests or request_id in self._ended:
            raise DuplicateRequest(request_id)

    def _check_holds_offer(self, record: RequestRecord, specialist_id: str) -> None:
        if record.state is not _S.OFFERED or record.specialist_id != specialist_id:
            raise NotOffered(f"{specialist_id} does not hold an offer of {record.request_id}")

    def _new_record(
        self,
        request_id: str,
        queue: QueueRecord,
        enqueued_at: float,
        requirements: Requirements | None,
        priority: int,
        channel_name: Channel | str,
    ) -> RequestRecord:
        """A request's record (checked first: a bad argument changes nothing)."""
        checked = _check_request_args(requirements, priority)
        chosen = channel(channel_name)
        self._seq += 1
        record = RequestRecord(
            request_id,
            queue.queue_id,
            self._seq,
            enqueued_at,
            _S.NEW,
            self._needs.stages(queue.skill, checked, chosen),
            checked,
            chosen,
            priority,
            queue.policy.priority + priority,  # as _refile would
            final_stage=queue.policy.final_stage,
        )
        self._requests[request_id] = record
        return record
