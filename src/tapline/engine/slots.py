"""Scheduled callbacks in slots: what can be offered, booked, moved and cancelled. No I/O.

A queue's `SlotBook` cuts time into slots of `slot_minutes` (15 by default), aligned on
multiples of the slot length in epoch time (with 15 minutes, on the local quarter hours of
every time zone). A slot's capacity for callbacks is

    staffed_seconds = the integral over the slot of staffed(t) (eligible specialists on shift)
    capacity = floor(staffed_seconds / mean_callback_seconds * callback_share)

and 0 when the slot is not wholly inside business hours or no one is on shift at its start.
`1 - callback_share` of the staffed time is kept for live (walk-in) traffic. A booked slot
never holds more callbacks than its capacity: when staffing, hours or the policy shrink it,
the surplus bookings are displaced and reported, never dropped silently.
See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from tapline.engine.errors import EngineError, InvalidArgument
from tapline.engine.hours import BusinessHours
from tapline.engine.staffing import Staffing

_EPSILON = 1e-9
_CACHED_CAPACITIES = 20_000


class SlotError(EngineError):
    """A slot that cannot be booked. The booking book is unchanged."""


class SlotNotAligned(SlotError):
    """The time is not the start of a slot (a multiple of the slot length)."""


class SlotInPast(SlotError):
    """The slot has already started."""


class SlotTooSoon(SlotError):
    """The slot starts sooner than the minimum lead time from now."""


class SlotTooFar(SlotError):
    """The slot starts beyond the booking horizon."""


class SlotOutsideHours(SlotError):
    """The slot is not wholly inside the queue's business hours."""


class SlotUnstaffed(SlotError):
    """No callback capacity at all in the slot: too few eligible specialists on shift."""


class SlotFull(SlotError):
    """Every callback the slot can take is booked."""


class AlreadyBooked(SlotError):
    """This request already has a booking (reschedule it instead)."""


class UnknownBooking(EngineError, KeyError):
    """No booking for this request."""


class DisplaceReason(StrEnum):
    OVERBOOKED = "overbooked"
    """The slot's capacity shrank (staffing or policy) below its bookings."""
    OUTSIDE_HOURS = "outside_hours"
    """The business hours changed and the slot is no longer inside them."""
    SLOT_CHANGED = "slot_changed"
    """The slot length changed and the booking no longer starts a slot."""


@dataclass(frozen=True, slots=True)
class SlotPolicy:
    """How slots are cut and how much of the staffed time they give to callbacks."""

    slot_minutes: int = 15
    horizon_days: float = 3.0
    """Slots are offered and booked if they start within this many days from now."""
    min_lead_minutes: float = 15.0
    """Slots are offered and booked if they start at least this long from now."""
    mean_callback_minutes: float = 5.0
    """A specialist's time taken by one callback, on average (the queue's handle time)."""
    callback_share: float = 0.5
    """The share of staffed time given to callbacks; the rest is kept for live traffic."""
    min_level: int = 1
    """The skill level a specialist needs to count as staffing the queue."""

    def __post_init__(self) -> None:
        if self.slot_minutes < 1 or (24 * 60) % self.slot_minutes:
            raise InvalidArgument(f"slot_minutes must divide a day, not {self.slot_minutes}")
        if self.horizon_days <= 0 or self.min_lead_minutes < 0:
            raise InvalidArgument("horizon_days must be > 0 and min_lead_minutes >= 0")
        if self.mean_callback_minutes <= 0 or not 0 < self.callback_share <= 1:
            raise InvalidArgument("mean_callback_minutes > 0, 0 < callback_share <= 1")
        if not 1 <= self.min_level <= 5:
            raise InvalidArgument(f"min_level must be 1 to 5, not {self.min_level}")

    @property
    def slot_seconds(self) -> float:
        return self.slot_minutes * 60.0


@dataclass(frozen=True, slots=True)
class Slot:
    start: float
    end: float
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True, slots=True)
class Booking:
    """A request's scheduled callback in a slot."""

    request_id: str
    slot_start: float
    slot_end: float
    booked_at: float
    reserved: bool = False
    """Handed out by `due_reservations`: the driver has reserved a specialist for it."""
    displaced: DisplaceReason | None = None
    """Set when the slot can no longer hold it: it holds no place until rescheduled."""
    seq: int = 0
    """Booking order, for which bookings a shrunk slot keeps (the earliest)."""


class SlotBook:
    """One queue's scheduled callbacks. Every method takes `now`; nothing reads the time."""

    def __init__(
        self,
        queue_id: str,
        hours: BusinessHours,
        staffing: Staffing,
        skill: str,
        policy: SlotPolicy | None = None,
    ) -> None:
        self.queue_id = queue_id
        self.skill = skill
        self._hours = hours
        self._staffing = staffing
        self._policy = policy if policy is not None else SlotPolicy()
        self._bookings: dict[str, Booking] = {}
        self._by_slot: dict[float, list[str]] = {}
        """Request ids holding a place in each slot (displaced ones hold none)."""
        self._capacities: dict[float, int] = {}
        self._seq = 0
        self.version = 0
        """Counts the changes that can change `slots` (bookings, staffing, hours, policy) for
        readers that keep what it answered."""

    @property
    def hours(self) -> BusinessHours:
        return self._hours

    @property
    def staffing(self) -> Staffing:
        return self._staffing

    @property
    def policy(self) -> SlotPolicy:
        return self._policy

    # -- Capacity --------------------------------------------------------------------------

    def align(self, t: float) -> float:
        """The start of the first slot that starts at or after `t`."""
        length = self._policy.slot_seconds
        return math.ceil(t / length - _EPSILON) * length

    def _check_aligned(self, slot_start: float) -> None:
        length = self._policy.slot_seconds
        if abs(slot_start / length - round(slot_start / length)) > _EPSILON:
            raise SlotNotAligned(
                f"{slot_start} is not the start of a slot ({self._policy.slot_minutes} min)"
            )

    def _inside_hours(self, start: float) -> bool:
        end = start + self._policy.slot_seconds
        return self._hours.intervals(start, end) == [(start, end)]

    def capacity(self, slot_start: float) -> int:
        """How many callbacks the slot can hold (see the module's formula)."""
        self._check_aligned(slot_start)
        cap = self._capacities.get(slot_start)
        if cap is None:
            cap = self._compute_capacity(slot_start)
            if len(self._capacities) >= _CACHED_CAPACITIES:
                self._capacities.clear()
            self._capacities[slot_start] = cap
        return cap

    def _compute_capacity(self, start: float) -> int:
        policy = self._policy
        end = start + policy.slot_seconds
        if not self._inside_hours(start):
            return 0
        steps = self._staffing.profile(self.skill, start, end, policy.min_level)
        if steps[0][1] == 0:
            return 0
        bounds = [t for t, _ in steps[1:]] + [end]
        staffed_seconds = sum(n * (b - t) for (t, n), b in zip(steps, bounds, strict=True))
        share = staffed_seconds / (policy.mean_callback_minutes * 60.0) * policy.callback_share
        return math.floor(share + _EPSILON)

    def booked(self, slot_start: float) -> int:
        """How many bookings hold a place in the slot."""
        return len(self._by_slot.get(slot_start, ()))

    def slot(self, slot_start: float) -> Slot:
        return Slot(
            slot_start,
            slot_start + self._policy.slot_seconds,
            self.capacity(slot_start),
            self.booked(slot_start),
        )

    def slots(self, now: float, *, limit: int | None = None) -> list[Slot]:
        """The slots a customer may book now, in time order: inside hours, staffed, not full,
        starting no sooner than the lead time and within the horizon."""
        policy = self._policy
        first = self.align(now + policy.min_lead_minutes * 60.0)
        horizon = now + policy.horizon_days * 86_400.0
        length = policy.slot_seconds
        out: list[Slot] = []
        for open_start, open_end in self._hours.intervals(first, horizon + length):
            start = self.align(max(open_start, first))
            while start + length <= open_end + _EPSILON and start < horizon:
                slot = self.slot(start)
                if slot.free > 0:
                    out.append(slot)
                    if limit is not None and len(out) >= limit:
                        return out
                start += length
        return out

    def _check_bookable(self, slot_start: float, now: float) -> None:
        """Raise the SlotError that says why `slot_start` cannot take one more booking."""
        policy = self._policy
        self._check_aligned(slot_start)
        if slot_start < now:
            raise SlotInPast(f"the slot at {slot_start} has already started (now {now})")
        if slot_start < now + policy.min_lead_minutes * 60.0 - _EPSILON:
            raise SlotTooSoon(
                f"the slot at {slot_start} starts in less than {policy.min_lead_minutes:g} min"
            )
        if slot_start >= now + policy.horizon_days * 86_400.0:
            raise SlotTooFar(f"the slot at {slot_start} is beyond {policy.horizon_days:g} days")
        if not self._inside_hours(slot_start):
            raise SlotOutsideHours(f"the slot at {slot_start} is outside business hours")
        capacity = self.capacity(slot_start)
        if capacity == 0:
            raise SlotUnstaffed(f"the slot at {slot_start} has no one on shift for callbacks")
        if self.booked(slot_start) >= capacity:
            raise SlotFull(f"the slot at {slot_start} is full ({capacity} callbacks)")

    # -- Commands --------------------------------------------------------------------------

    def book(self, slot_start: float, request_id: str, now: float) -> Booking:
        """Book the request into the slot, or raise a SlotError (and change nothing)."""
        if request_id in self._bookings:
            raise AlreadyBooked(f"{request_id} already has a booking; reschedule it")
        self._check_bookable(slot_start, now)
        return self._place(request_id, slot_start, now)

    def reschedule(self, request_id: str, new_slot: float, now: float) -> tuple[Booking, Booking]:
        """Move a booking (also a displaced one) to `new_slot`; returns (old, new).

        The new booking is not reserved: if the old one was, the driver releases its
        specialist. Moving to the slot it already holds changes nothing.
        """
        old = self._find(request_id)
        if old.slot_start == new_slot and old.displaced is None:
            return old, old
        self._check_bookable(new_slot, now)
        self._unplace(old)
        return old, self._place(request_id, new_slot, now)

    def cancel(self, request_id: str) -> Booking:
        """Remove the booking and return it (if it was reserved, release its specialist)."""
        booking = self._find(request_id)
        self._unplace(booking)
        del self._bookings[request_id]
        return booking

    def due_reservations(self, now: float, lead_seconds: float) -> list[Booking]:
        """Bookings whose slot starts within `lead_seconds` of now (and has not ended), not
        yet reserved: each is handed out once, marked reserved, in slot order. The driver
        reserves a specialist for each."""
        due: list[Booking] = []
        for start in sorted(s for s in self._by_slot if s <= now + lead_seconds):
            for request_id in self._by_slot[start]:
                booking = self._bookings[request_id]
                if not booking.reserved and booking.slot_end > now:
                    booking = replace(booking, reserved=True)
                    self._bookings[request_id] = booking
                    due.append(booking)
        return due

    def prune(self, now: float) -> list[Booking]:
        """Forget the bookings whose slot has ended (displaced ones stay until moved)."""
        self.version += 1
        gone: list[Booking] = []
        for start in sorted(s for s in self._by_slot if s + self._policy.slot_seconds <= now):
            for request_id in self._by_slot.pop(start):
                gone.append(self._bookings.pop(request_id))
        self._capacities = {s: c for s, c in self._capacities.items() if s >= now}
        return gone

    def set_staffing(self, staffing: Staffing, now: float) -> list[Booking]:
        """Use new staffing; returns the bookings displaced because their slot shrank."""
        self._staffing = staffing
        return self.recheck(now)

    def set_hours(self, hours: BusinessHours, now: float) -> list[Booking]:
        """Use new business hours; returns the bookings displaced by the change."""
        self._hours = hours
        return self.recheck(now)

    def set_policy(self, policy: SlotPolicy, now: float) -> list[Booking]:
        """Use a new policy; returns the bookings displaced by the change (a bigger slot
        length displaces every booking not aligned to it)."""
        self._policy = policy
        return self.recheck(now)

    def restore(self, booking: Booking) -> None:
        """Put back a booking read from storage, as it was. Call `recheck` once all are in."""
        if booking.request_id in self._bookings:
            raise AlreadyBooked(f"{booking.request_id} already has a booking")
        self.version += 1
        self._seq = max(self._seq, booking.seq)
        self._bookings[booking.request_id] = booking
        if booking.displaced is None:
            self._by_slot.setdefault(booking.slot_start, []).append(booking.request_id)
            self._by_slot[booking.slot_start].sort(key=lambda r: self._bookings[r].seq)

    def recheck(self, now: float) -> list[Booking]:
        """Displace what no longer fits in the slots that start after `now`; return it in
        slot order, then booking order.

        A shrunk slot keeps its reserved bookings first, then the earliest booked; the rest
        are displaced (and lose any reservation: the driver releases its specialist).
        """
        self.version += 1
        self._capacities.clear()
        displaced: list[Booking] = []
        length = self._policy.slot_seconds
        for start in sorted(s for s in self._by_slot if s > now):
            ids = self._by_slot[start]
            if self._misaligned(start):
                capacity, reason = 0, DisplaceReason.SLOT_CHANGED
            elif not self._inside_hours(start):
                capacity, reason = 0, DisplaceReason.OUTSIDE_HOURS
            else:
                capacity, reason = self.capacity(start), DisplaceReason.OVERBOOKED
            ranked = sorted(
                ids, key=lambda r: (not self._bookings[r].reserved, self._bookings[r].seq)
            )
            for request_id in sorted(ranked[capacity:], key=lambda r: self._bookings[r].seq):
                booking = replace(self._bookings[request_id], displaced=reason, reserved=False)
                self._bookings[request_id] = booking
                displaced.append(booking)
            kept = set(ranked[:capacity])
            self._by_slot[start] = [r for r in ids if r in kept]
            for request_id in kept:  # the slot length may have changed
                self._bookings[request_id] = replace(
                    self._bookings[request_id], slot_end=start + length
                )
            if not self._by_slot[start]:
                del self._by_slot[start]
        return displaced

    def _misaligned(self, start: float) -> bool:
        try:
            self._check_aligned(start)
        except SlotNotAligned:
            return True
        return False

    # -- Queries ---------------------------------------------------------------------------

    def booking(self, request_id: str) -> Booking:
        return self._find(request_id)

    def bookings(self) -> list[Booking]:
        """Every booking holding a place, in slot order then booking order."""
        return [self._bookings[r] for s in sorted(self._by_slot) for r in self._by_slot[s]]

    def displaced(self) -> list[Booking]:
        """The displaced bookings waiting to be rescheduled or cancelled, oldest first."""
        return sorted((b for b in self._bookings.values() if b.displaced), key=lambda b: b.seq)

    # -- Internals -------------------------------------------------------------------------

    def _find(self, request_id: str) -> Booking:
        booking = self._bookings.get(request_id)
        if booking is None:
            raise UnknownBooking(request_id)
        return booking

    def _place(self, request_id: str, slot_start: float, now: float) -> Booking:
        self.version += 1
        self._seq += 1
        end = slot_start + self._policy.slot_seconds
        booking = Booking(request_id, slot_start, end, now, seq=self._seq)
        self._bookings[request_id] = booking
        self._by_slot.setdefault(slot_start, []).append(request_id)
        return booking

    def _unplace(self, booking: Booking) -> None:
        self.version += 1
        if booking.displaced is not None:
            return
        ids = self._by_slot[booking.slot_start]
        ids.remove(booking.request_id)
        if not ids:
            del self._by_slot[booking.slot_start]
