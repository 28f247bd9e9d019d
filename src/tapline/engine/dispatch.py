"""The engine's state and the moves its commands share: lines, offers, routing, reachability.

`Engine` (core.py) adds the commands and queries on top. Routing is incremental: after every
pass no waiting request could be offered to any free specialist, so a pass only looks at
what changed since (the "dirty" requests and specialists). See docs/subsystems/routing.md.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final, cast

from tapline.engine.channels import CALLS
from tapline.engine.clock import Clock
from tapline.engine.deadlines import DeadlineKind, Deadlines
from tapline.engine.effects import (
    Effect,
    OfferMade,
    OfferWithdrawn,
    PresenceChanged,
    QueueChanged,
    QueueFallback,
    Routable,
    StateChanged,
    Unroutable,
    UnroutableReason,
    WithdrawReason,
)
from tapline.engine.lineup import Lineup, QueueRecord
from tapline.engine.matching import Pools, RankedPools, in_place_order
from tapline.engine.needs import Need, NeedTable, fits
from tapline.engine.presence import Presence, SpecialistState
from tapline.engine.reach import Reach
from tapline.engine.request import RequestRecord
from tapline.engine.requirements import NONE
from tapline.engine.routing import RANKING, Router, WaitingRequest
from tapline.engine.states import DeadEndCause, RequestState, transition

# an import, not `_S = RequestState`: mypyc then reads `_S.WAITING` as a constant
from tapline.engine.states import RequestState as _S

# Final: mypyc reads them as constants rather than from the module's globals
IN_LINE: Final = frozenset({_S.WAITING, _S.OFFERED})
_MEMO_LIMIT: Final = 20_000


def presence_effect(spec: SpecialistState) -> PresenceChanged:
    return PresenceChanged(spec.specialist_id, spec.presence, len(spec.active), spec.capacity)


class Dispatcher:
    def __init__(
        self,
        clock: Clock,
        router: Router,
        offer_timeout: float,
        customer_grace: float,
        keep_ended: int,
    ) -> None:
        self._clock = clock
        self._router = router
        self._offer_timeout = offer_timeout
        self._customer_grace = customer_grace
        self._keep_ended = keep_ended
        self._queues: dict[str, QueueRecord] = {}
        self._specialists: dict[str, SpecialistState] = {}
        self._requests: dict[str, RequestRecord] = {}
        self._ended: OrderedDict[str, RequestRecord] = OrderedDict()
        self._deadlines = Deadlines()
        self._seq = 0
        self._needs = NeedTable()
        self._staff = Pools()  # every registered specialist, by skill
        self._free = Pools()  # free for an offer now (as of the last pass)
        self._ranked: RankedPools | None = None
        if isinstance(router, RANKING) and type(router) in RANKING:
            # a built-in router's choice is the first eligible in its order: kept sorted
            self._free = self._ranked = RankedPools(router.key)
        self._fit: dict[str, dict[int, bool]] = {}  # specialist -> need number -> fits
        self._reach = Reach(self._staff)
        self._by_final: dict[Need, dict[str, None]] = {}  # in-line requests by widest need
        self._sticky: dict[str, dict[str, None]] = {}  # preferred specialist -> request ids
        self._dirty_specs: dict[str, None] = {}
        self._dirty_requests: dict[str, None] = {}

    # -- Eligibility -----------------------------------------------------------------------

    def _fits(self, spec: SpecialistState, need: Need) -> bool:
        memo = self._fit.get(spec.specialist_id)
        if memo is None:
            memo = self._fit[spec.specialist_id] = {}
        known = memo.get(need.nid)
        if known is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            known = memo[need.nid] = fits(spec, need)
        return known

    def _sticky_holder(self, record: RequestRecord, now: float) -> SpecialistState | None:
        """The preferred specialist while the request is held for them, else None."""
        if record.sticky_until is None or now >= record.sticky_until or record.preferred is None:
            return None
        spec = self._specialists.get(record.preferred)
        if (
            spec is None
            or spec.presence is Presence.OFFLINE
            or spec.specialist_id in record.excluded
            or not self._fits(spec, record.need)
        ):
            return None
        return spec

    def _changed(self, spec: SpecialistState) -> None:
        """Something about `spec` changed: the next pass looks at them again."""
        self._dirty_specs[spec.specialist_id] = None

    def _release_sticky(self, spec: SpecialistState) -> None:
        """Whether `spec` holds their sticky requests may have changed: look at those again."""
        for request_id in self._sticky.get(spec.specialist_id, ()):
            self._dirty_requests[request_id] = None

    # -- Lines -----------------------------------------------------------------------------

    def _enter_line(
        self, record: RequestRecord, effects: list[Effect], visited: set[str] | None = None
    ) -> None:
        """The (waiting) request joins its queue's line at its place; reach is checked."""
        queue = self._queues[record.queue_id]
        queue.lineup.join(record.place)
        effects.append(QueueChanged(queue.queue_id, len(queue.lineup)))
        self._line_up(record)
        self._check_reach(record, effects, visited)

    def _line_up(self, record: RequestRecord) -> None:
        """Timers, indexes and the next pass for a request now in line (lineup joined)."""
        self._arm(record)
        self._by_final.setdefault(record.final_need, {})[record.request_id] = None
        self._dirty_requests[record.request_id] = None

    def _leave_line(self, record: RequestRecord) -> None:
        """The request leaves its queue's line (connected, ended or moved)."""
        self._queues[record.queue_id].lineup.leave(record.place)
        self._disarm(record)
        need = record.final_need
        ids = self._by_final.get(need)
        if ids is not None:
            ids.pop(record.request_id, None)
            if not ids:
                del self._by_final[need]
                self._reach.forget(need)

    def _arm(self, record: RequestRecord) -> None:
        """Set the stage from the time waited, and the deadlines of widening and stickiness."""
        self._disarm(record)
        policy = self._queues[record.queue_id].policy
        if record.preferred is None and policy.final_stage == 0:
            record.stage = 0  # a plain queue: no widening, nothing sticky
            return
        now = self._clock.now()
        waited = now - record.enqueued_at
        record.stage = policy.stage_at(waited)
        after = policy.next_widening(waited)
        if after is not None:
            at = record.enqueued_at + after
            record.widen_token = self._deadlines.add(at, DeadlineKind.WIDEN, record.request_id)
        until = record.enqueued_at + policy.sticky_seconds
        if record.preferred is not None and until > now:
            record.sticky_until = until
            token = self._deadlines.add(until, DeadlineKind.STICKY, record.request_id)
            record.sticky_token = token
            self._sticky.setdefault(record.preferred, {})[record.request_id] = None

    def _disarm(self, record: RequestRecord) -> None:
        if record.widen_token is not None:
            self._deadlines.cancel(record.widen_token)
            record.widen_token = None
        if record.sticky_token is not None or record.preferred is not None:
            self._unstick(record)

    def _unstick(self, record: RequestRecord) -> None:
        self._deadlines.cancel(record.sticky_token)
        record.sticky_token = None
        record.sticky_until = None
        if record.preferred is not None:
            held = self._sticky.get(record.preferred)
            if held is not None:
                held.pop(record.request_id, None)
                if not held:
                    del self._sticky[record.preferred]

    def _refile(self, record: RequestRecord, queue: QueueRecord) -> None:
        """Recompute what depends on the queue: needs, priority, widest stage."""
        record.queue_id = queue.queue_id
        record.needs = self._needs.stages(queue.skill, record.requirements, record.channel)
        record.final_stage = queue.policy.final_stage
        record.priority = queue.policy.priority + record.boost

    def _rebuild_lineup(self, queue: QueueRecord) -> None:
        """Places changed (a new queue priority): sort the line again."""
        lineup = Lineup(queue.lineup.version + 1)  # readers see it all as changed
        for record in self._requests.values():
            if record.queue_id == queue.queue_id and record.state in IN_LINE:
                lineup.join(record.place)
                if record.state is _S.OFFERED:
                    lineup.offered(record.place)
        queue.lineup = lineup

    # -- Reachability ----------------------------------------------------------------------

    def _check_reach(
        self, record: RequestRecord, effects: list[Effect], visited: set[str] | None = None
    ) -> None:
        """Fall back or report (Unroutable / Routable) as the request's reach says."""
        if record.state is not _S.WAITING:
            return
        able = self._reach.able(record.final_need)
        excluded = record.excluded
        if any(sid not in excluded for sid in able):
            if record.unroutable is not None:
                record.unroutable = None
                effects.append(Routable(record.request_id, record.queue_id))
            return
        reason: UnroutableReason = "declined" if able else "unqualified"
        queue = self._queues[record.queue_id]
        visited = visited if visited is not None else set()
        visited.add(queue.queue_id)
        fallback = self._queues.get(queue.policy.fallback or "")
        if fallback is not None and fallback.queue_id not in visited:
            effects.append(
                QueueFallback(record.request_id, queue.queue_id, fallback.queue_id, reason)
            )
            self._leave_line(record)
            effects.append(QueueChanged(queue.queue_id, len(queue.lineup)))
            record.requirements = NONE
            record.unroutable = None
            self._refile(record, fallback)
            self._enter_line(record, effects, visited)
            return
        if record.unroutable is None:  # told once; a change of reason is no news
            detail = record.final_need.describe()
            effects.append(Unroutable(record.request_id, record.queue_id, reason, detail))
        record.unroutable = reason

    def _specialist_registered(self, spec: SpecialistState, effects: list[Effect]) -> None:
        """`spec` is new or changed: pools, memo and reach follow; affected requests rechecked."""
        self._staff.add(spec)
        self._free.discard(spec.specialist_id)  # pooled again by the next pass, as they are now
        self._fit.pop(spec.specialist_id, None)
        recheck: dict[str, RequestRecord] = {}
        for need in self._reach.update(spec):
            for request_id in self._by_final.get(need, ()):
                recheck[request_id] = self._requests[request_id]
        for record in sorted(recheck.values(), key=lambda r: r.place):
            self._check_reach(record, effects)
        self._release_sticky(spec)
        self._changed(spec)

    # -- Offers ----------------------------------------------------------------------------

    def _offer(
        self, record: RequestRecord, spec: SpecialistState, now: float, effects: list[Effect]
    ) -> None:
        record.state = transition(record.state, _S.OFFERED)
        record.specialist_id = spec.specialist_id
        expires_at = now + self._offer_timeout
        record.offer_expires_at = expires_at
        record.offer_token = self._deadlines.add(expires_at, DeadlineKind.OFFER, record.request_id)
        spec.offered = record.request_id
        self._free.discard(spec.specialist_id)
        effects.append(
            StateChanged(record.request_id, _S.WAITING, _S.OFFERED, None, spec.specialist_id)
        )
        effects.append(OfferMade(record.request_id, spec.specialist_id, expires_at))

    def _offer_fits(self, spec: SpecialistState, request_id: str) -> bool:
        record = self._requests[request_id]
        return self._fits(spec, record.need) and spec.has_room(record.channel)

    def _clear_offer(self, record: RequestRecord, spec: SpecialistState) -> None:
        spec.offered = None
        self._changed(spec)
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
            self._dirty_requests[record.request_id] = None
            effects.append(
                StateChanged(record.request_id, _S.OFFERED, _S.WAITING, None, specialist_id)
            )
            self._check_reach(record, effects)

    def _attach(self, record: RequestRecord, spec: SpecialistState) -> None:
        """The request is connected to `spec`: it holds their capacity on its channel."""
        spec.active.add(record.request_id)
        if record.channel in CALLS:
            spec.calls[record.request_id] = record.channel
        spec.idle_since = self._clock.now()
        self._changed(spec)

    def _release(self, spec: SpecialistState, request_id: str, effects: list[Effect]) -> None:
        """A request of `spec` ended or left them: its capacity is free again."""
        spec.active.discard(request_id)
        spec.calls.pop(request_id, None)
        spec.idle_since = self._clock.now()
        self._changed(spec)
        effects.append(presence_effect(spec))

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
        if old in IN_LINE:
            queue = self._queues[record.queue_id]
            self._leave_line(record)
            effects.append(QueueChanged(queue.queue_id, len(queue.lineup)))
        elif old is _S.CONNECTED and specialist_id is not None:
            self._release(self._specialists[specialist_id], record.request_id, effects)
        self._deadlines.cancel(record.grace_token)
        record.grace_token = None
        del self._requests[record.request_id]
        self._ended[record.request_id] = record
        while len(self._ended) > self._keep_ended:
            self._ended.popitem(last=False)

    # -- The routing pass ------------------------------------------------------------------

    def _route(self) -> list[Effect]:
        """Make every offer that became possible since the last pass, in place order.

        Only a dirty request can match any free specialist; any other request can only
        match a dirty specialist (a "fresh" one). So the pass walks, in one place order, the
        dirty requests and the ready lines of the queues a fresh specialist serves, and
        stops walking a queue once no fresh specialist for it is left free.
        """
        effects: list[Effect] = []
        if not self._dirty_specs and not self._dirty_requests:
            return effects
        fresh = self._take_fresh() if self._dirty_specs else None
        if not self._free or (fresh is None and not self._dirty_requests):
            self._dirty_requests.clear()
            return effects
        dirty = self._take_dirty()
        now = self._clock.now()
        made: list[RequestRecord] = []
        if fresh is None:  # nobody new is free: only the dirty requests can be offered
            for record in dirty:
                chosen = self._choose(record, self._free, now)
                if chosen is not None:
                    self._offer(record, chosen, now, effects)
                    made.append(record)
                    if not self._free:
                        break
        else:
            self._walk(fresh, dirty, now, made, effects)
        for record in made:
            self._queues[record.queue_id].lineup.offered(record.place)
        return effects

    def _walk(
        self,
        fresh: Pools,
        dirty: list[RequestRecord],
        now: float,
        made: list[RequestRecord],
        effects: list[Effect],
    ) -> None:
        """The pass with fresh specialists: the dirty requests and the queues they serve."""
        queues = [q for q in self._queues.values() if q.lineup.ready and fresh.has(q.skill)]
        sources = [q.lineup.ready for q in queues]
        if dirty:
            sources.append([r.place for r in dirty])
        last = len(queues)
        dirty_ids = {r.request_id for r in dirty}
        seen: set[str] = set()
        hope: dict[int, bool] = {}  # need number -> a fresh specialist might take it
        walking = lambda i: i == last or fresh.has(queues[i].skill)  # noqa: E731
        for place, _ in in_place_order(sources, walking):
            request_id = cast(str, place[-1])  # a place ends with its request id
            if request_id in seen:
                continue
            seen.add(request_id)
            record = self._requests[request_id]
            if record.state is not _S.WAITING:
                continue  # offered earlier in this pass
            is_dirty = request_id in dirty_ids
            if not is_dirty and not self._hope(record.need, fresh, hope):
                continue
            chosen = self._choose(record, self._free if is_dirty else fresh, now)
            if chosen is not None:
                self._offer(record, chosen, now, effects)
                fresh.discard(chosen.specialist_id)
                made.append(record)
                if not self._free:
                    break

    def _take_fresh(self) -> Pools | None:
        """The free among the dirty specialists (None if none), the free pools refreshed."""
        fresh: Pools | None = None
        free, specialists = self._free, self._specialists
        for specialist_id in self._dirty_specs:
            spec = specialists[specialist_id]
            if free.refresh(spec):
                if fresh is None:
                    fresh = Pools()
                fresh.add(spec)
        self._dirty_specs.clear()
        return fresh

    def _take_dirty(self) -> list[RequestRecord]:
        """The waiting dirty requests, in place order."""
        requests = self._requests
        dirty = [
            record
            for request_id in self._dirty_requests
            if (record := requests.get(request_id)) is not None and record.state is _S.WAITING
        ]
        self._dirty_requests.clear()
        if len(dirty) > 1:
            dirty.sort(key=lambda r: r.place)
        return dirty

    def _hope(self, need: Need, fresh: Pools, hope: dict[int, bool]) -> bool:
        """Whether a fresh specialist meets `need` and has room for it (remembered per pass).

        Fresh specialists only leave during a pass, so a need found hopeless stays so.
        """
        known = hope.get(need.nid)
        if known is None:
            channel = need.channel
            known = hope[need.nid] = any(
                spec.has_room(channel) and self._fits(spec, need)
                for spec in fresh.get(need.skill).values()
            )
        return known

    def _choose(self, record: RequestRecord, pool: Pools, now: float) -> SpecialistState | None:
        need = record.need
        channel = record.channel
        holder = self._sticky_holder(record, now)
        if holder is not None:
            free = holder.specialist_id in self._free and holder.has_room(channel)
            candidates = [holder] if free else []
        elif self._ranked is not None and pool is self._free:
            return self._first_ranked(record, need)
        else:
            excluded = record.excluded
            candidates = [
                spec
                for sid, spec in pool.get(need.skill).items()
                if sid not in excluded and spec.has_room(channel) and self._fits(spec, need)
            ]
        if not candidates:
            return None
        if self._ranked is not None:  # a built-in router: the smallest key, no request view
            if len(candidates) == 1:
                return candidates[0]
            rank = self._ranked.rank
            return min(candidates, key=lambda spec: rank(spec, channel))
        queue = self._queues[record.queue_id]
        waiting = WaitingRequest(
            record.request_id,
            queue.queue_id,
            queue.skill,
            record.enqueued_at,
            channel,
            record.priority,
            record.requirements,
        )
        chosen = self._router.choose(waiting, candidates, now)
        if chosen is None:
            return None
        for spec in candidates:  # the engine's own record, never a router's copy
            if spec.specialist_id == chosen.specialist_id:
                return spec
        return None

    def _first_ranked(self, record: RequestRecord, need: Need) -> SpecialistState | None:
        """A ranking router's choice among the free: the first eligible in its order."""
        assert self._ranked is not None
        channel, excluded = need.channel, record.excluded
        for _, spec in self._ranked.ranked(need.skill, channel):
            if (
                spec.has_room(channel)
                and spec.specialist_id not in excluded
                and self._fits(spec, need)
            ):
                return spec
        return None
