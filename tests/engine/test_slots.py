"""Scheduled-callback slots: capacity, what is offered, booking and its errors, displacement."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tapline.engine.errors import EngineError, InvalidArgument
from tapline.engine.hours import BusinessHours, parse_hours
from tapline.engine.slots import (
    AlreadyBooked,
    Booking,
    DisplaceReason,
    SlotBook,
    SlotError,
    SlotFull,
    SlotInPast,
    SlotNotAligned,
    SlotOutsideHours,
    SlotPolicy,
    SlotTooFar,
    SlotTooSoon,
    SlotUnstaffed,
    UnknownBooking,
)
from tapline.engine.staffing import DatedShift, Shift, Staffing, WeeklyShift
from tapline.engine.wall_clock import OpenRange

HOUR = 3600.0
MIN = 60.0
SLOT = 15 * MIN
MONDAY = datetime.fromisoformat("2025-01-06T00:00+00:00").timestamp()  # Lisbon is UTC+0
SKILLS = {"ana": {"payments": 3}, "bo": {"payments": 2}, "cy": {"payments": 4}}


def hours_weekdays() -> BusinessHours:
    return parse_hours({"timezone": "Europe/Lisbon", "weekly": {"mon-fri": ["08:00-20:00"]}})


def shift(sid: str, text: str) -> WeeklyShift:
    return WeeklyShift(sid, frozenset(range(5)), OpenRange.parse(text), "Europe/Lisbon")


def two_shifts() -> Staffing:
    """ana 08:00-16:00 and bo 12:00-20:00 on weekdays: one, then two, then one on shift."""
    return Staffing([shift("ana", "08:00-16:00"), shift("bo", "12:00-20:00")], SKILLS)


def make_book(staffing: Staffing | None = None, **policy: float) -> SlotBook:
    return SlotBook(
        "pay",
        hours_weekdays(),
        staffing if staffing is not None else two_shifts(),
        "payments",
        SlotPolicy(**policy),  # type: ignore[arg-type]
    )


# -- Capacity ------------------------------------------------------------------------------


def test_capacity_is_the_callback_share_of_staffed_time() -> None:
    book = make_book()
    # One on shift: 900 s / 300 s x 0.5 = 1.5 -> 1. Two: 3.0 -> 3.
    assert book.capacity(MONDAY + 8 * HOUR) == 1
    assert book.capacity(MONDAY + 12 * HOUR) == 3
    assert book.capacity(MONDAY + 19.75 * HOUR) == 1
    wider = make_book(callback_share=1.0, mean_callback_minutes=4.0)
    assert wider.capacity(MONDAY + 12 * HOUR) == 7  # 1800 / 240 = 7.5


def test_capacity_counts_partial_staffing_within_the_slot() -> None:
    start = MONDAY + 8 * HOUR
    staffing = Staffing(
        [
            shift("ana", "08:00-16:00"),
            shift("bo", "08:00-16:00"),
            DatedShift("cy", start, start + 10 * MIN),  # leaves 10 minutes in
        ],
        SKILLS,
    )
    # (2 x 900 + 600) / 300 x 0.5 = 4.
    assert make_book(staffing).capacity(start) == 4
    late = Staffing([DatedShift("cy", start + 5 * MIN, start + 4 * HOUR)], SKILLS)
    assert make_book(late).capacity(start) == 0  # no one there when the slot starts
    assert make_book(late).capacity(start + SLOT) == 1


def test_no_capacity_outside_hours_or_without_staff() -> None:
    book = make_book()
    assert book.capacity(MONDAY + 7.75 * HOUR) == 0  # before opening
    assert book.capacity(MONDAY + 20 * HOUR) == 0  # after closing
    assert book.capacity(MONDAY + 5 * 24 * HOUR + 10 * HOUR) == 0  # Saturday
    nobody = make_book(Staffing.empty())
    assert nobody.capacity(MONDAY + 10 * HOUR) == 0
    with pytest.raises(SlotNotAligned):
        book.capacity(MONDAY + 10 * HOUR + 60)


def test_slot_policy_is_checked() -> None:
    for bad in (
        {"slot_minutes": 7},
        {"slot_minutes": 0},
        {"horizon_days": 0},
        {"min_lead_minutes": -1},
        {"mean_callback_minutes": 0},
        {"callback_share": 0},
        {"callback_share": 1.5},
        {"min_level": 6},
    ):
        with pytest.raises(InvalidArgument):
            SlotPolicy(**bad)


# -- What is offered -----------------------------------------------------------------------


def test_slots_offered_start_after_the_lead_time_inside_hours() -> None:
    book = make_book()
    now = MONDAY + 9 * HOUR + 7 * MIN  # 09:07
    offered = book.slots(now, limit=3)
    assert [s.start for s in offered] == [
        MONDAY + 9.5 * HOUR,
        MONDAY + 9.75 * HOUR,
        MONDAY + 10 * HOUR,
    ]
    assert all(s.end == s.start + SLOT and s.capacity == 1 and s.booked == 0 for s in offered)


def test_slots_offered_over_the_horizon_skip_closed_times() -> None:
    book = make_book()
    now = MONDAY + 18 * HOUR
    offered = book.slots(now)
    starts = [s.start for s in offered]
    assert starts[0] == MONDAY + 18.25 * HOUR
    assert starts[-1] < now + 3 * 24 * HOUR
    assert all(book.hours.is_open(t) and book.hours.is_open(t + SLOT - 1) for t in starts)
    # Monday 18:15-20:00 (7), Tuesday and Wednesday 08:00-20:00 (48 each), Thursday to 18:00 (40)
    assert len(starts) == 7 + 48 + 48 + 40


def test_a_full_slot_is_not_offered() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    book.book(MONDAY + 8 * HOUR, "r1", now)
    assert book.slots(now, limit=1)[0].start == MONDAY + 8.25 * HOUR
    book.book(MONDAY + 12 * HOUR, "r2", now)
    assert book.slot(MONDAY + 12 * HOUR).free == 2


def test_slots_on_the_short_day_of_daylight_saving() -> None:
    hours = parse_hours({"timezone": "Europe/Lisbon", "weekly": {"sun": ["00:00-24:00"]}})
    staff = Staffing([DatedShift("ana", 0.0, 4e9)], SKILLS)
    book = SlotBook("pay", hours, staff, "payments", SlotPolicy(min_lead_minutes=0))
    saturday = datetime.fromisoformat("2025-03-29T12:00+00:00").timestamp()
    assert len(book.slots(saturday)) == 23 * 4  # Sunday 30 March 2025 has 23 hours
    autumn = datetime.fromisoformat("2025-10-25T12:00+00:00").timestamp()
    assert len(book.slots(autumn)) == 25 * 4


# -- Booking and its errors ----------------------------------------------------------------


def test_book_reschedule_cancel() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    booking = book.book(MONDAY + 12 * HOUR, "r1", now)
    assert booking == Booking("r1", MONDAY + 12 * HOUR, MONDAY + 12.25 * HOUR, now, seq=1)
    assert book.booked(MONDAY + 12 * HOUR) == 1
    old, new = book.reschedule("r1", MONDAY + 13 * HOUR, now + 60)
    assert old == booking
    assert (new.slot_start, new.booked_at) == (MONDAY + 13 * HOUR, now + 60)
    assert book.booked(MONDAY + 12 * HOUR) == 0
    assert book.booked(MONDAY + 13 * HOUR) == 1
    assert book.reschedule("r1", MONDAY + 13 * HOUR, now + 120) == (new, new)
    assert book.cancel("r1") == new
    assert book.booked(MONDAY + 13 * HOUR) == 0
    assert book.bookings() == []
    with pytest.raises(UnknownBooking):
        book.cancel("r1")
    with pytest.raises(UnknownBooking):
        book.reschedule("r1", MONDAY + 13 * HOUR, now)


@pytest.mark.parametrize(
    ("slot", "error", "message"),
    [
        (MONDAY + 10 * HOUR + 5 * MIN, SlotNotAligned, "not the start of a slot"),
        (MONDAY + 9.75 * HOUR, SlotInPast, "has already started"),
        (MONDAY + 10 * HOUR, SlotTooSoon, "less than 15 min"),
        (MONDAY + 3 * 24 * HOUR + 10 * HOUR, SlotTooFar, "beyond 3 days"),
        (MONDAY + 19.875 * HOUR, SlotNotAligned, "not the start"),
        (MONDAY + 20 * HOUR, SlotOutsideHours, "outside business hours"),
        (MONDAY + 5 * 24 * HOUR, SlotTooFar, "beyond"),
        (MONDAY + 24 * HOUR + 7 * HOUR, SlotOutsideHours, "outside"),
    ],
)
def test_booking_errors_say_why(slot: float, error: type[SlotError], message: str) -> None:
    book = make_book()
    now = MONDAY + 9 * HOUR + 50 * MIN  # 09:50
    with pytest.raises(error, match=message):
        book.book(slot, "r1", now)
    assert book.bookings() == []
    assert issubclass(error, EngineError)


def test_a_full_slot_an_unstaffed_slot_and_a_double_booking() -> None:
    book = make_book(Staffing([shift("ana", "08:00-12:00")], SKILLS))
    now = MONDAY + 7 * HOUR
    book.book(MONDAY + 9 * HOUR, "r1", now)
    with pytest.raises(SlotFull, match=r"full \(1 callbacks\)"):
        book.book(MONDAY + 9 * HOUR, "r2", now)
    with pytest.raises(SlotUnstaffed):
        book.book(MONDAY + 13 * HOUR, "r2", now)
    with pytest.raises(AlreadyBooked, match="reschedule"):
        book.book(MONDAY + 10 * HOUR, "r1", now)
    assert [b.request_id for b in book.bookings()] == ["r1"]


def test_reschedule_to_a_full_slot_keeps_the_old_booking() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    book.book(MONDAY + 8 * HOUR, "r1", now)
    book.book(MONDAY + 9 * HOUR, "r2", now)
    with pytest.raises(SlotFull):
        book.reschedule("r2", MONDAY + 8 * HOUR, now)
    assert book.booking("r2").slot_start == MONDAY + 9 * HOUR
    assert book.booked(MONDAY + 9 * HOUR) == 1


# -- Reservations ahead of the slot --------------------------------------------------------


def test_due_reservations_hand_out_each_booking_once() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    book.book(MONDAY + 12 * HOUR, "r1", now)
    book.book(MONDAY + 12 * HOUR, "r2", now)
    book.book(MONDAY + 12.25 * HOUR, "r3", now)
    assert book.due_reservations(MONDAY + 11.5 * HOUR, 10 * MIN) == []
    due = book.due_reservations(MONDAY + 11.75 * HOUR, 15 * MIN)
    assert [(b.request_id, b.reserved) for b in due] == [("r1", True), ("r2", True)]
    assert book.due_reservations(MONDAY + 11.75 * HOUR, 15 * MIN) == []
    assert [b.request_id for b in book.due_reservations(MONDAY + 12 * HOUR, 15 * MIN)] == ["r3"]
    # Rescheduling drops the reservation (the driver releases the specialist).
    old, new = book.reschedule("r1", MONDAY + 14 * HOUR, MONDAY + 12 * HOUR)
    assert old.reserved and not new.reserved


def test_a_slot_over_is_not_due_and_is_pruned() -> None:
    book = make_book()
    book.book(MONDAY + 12 * HOUR, "r1", MONDAY + 7 * HOUR)
    assert book.due_reservations(MONDAY + 12.25 * HOUR, HOUR) == []
    assert [b.request_id for b in book.prune(MONDAY + 12.25 * HOUR)] == ["r1"]
    assert book.bookings() == []
    with pytest.raises(UnknownBooking):
        book.booking("r1")


# -- Displacement: a slot never holds more than its capacity -------------------------------


def test_shrunk_staffing_displaces_the_latest_unreserved_bookings() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    noon = MONDAY + 12 * HOUR
    for rid in ("r1", "r2", "r3"):
        book.book(noon, rid, now)
    book.due_reservations(noon - 10 * MIN, 15 * MIN)  # r1..r3 reserved
    book.book(MONDAY + 13 * HOUR, "r4", now)
    book.book(MONDAY + 13 * HOUR, "r5", now)
    book.book(MONDAY + 13 * HOUR, "r6", now)
    book.cancel("r2")
    book.book(noon, "r2", now)  # booked again: now the latest, and not reserved
    only_ana = Staffing([shift("ana", "08:00-16:00")], SKILLS)
    displaced = book.set_staffing(only_ana, noon - 5 * MIN)
    assert [(b.request_id, b.displaced) for b in displaced] == [
        ("r3", DisplaceReason.OVERBOOKED),
        ("r2", DisplaceReason.OVERBOOKED),
        ("r5", DisplaceReason.OVERBOOKED),
        ("r6", DisplaceReason.OVERBOOKED),
    ]
    assert [b.request_id for b in book.bookings()] == ["r1", "r4"]
    assert book.booked(noon) == 1 == book.capacity(noon)
    assert [b.request_id for b in book.displaced()] == ["r3", "r5", "r6", "r2"]
    assert not any(b.reserved for b in book.displaced())
    # The driver moves them, or cancels them.
    old, new = book.reschedule("r3", MONDAY + 14 * HOUR, noon - 5 * MIN)
    assert old.displaced is DisplaceReason.OVERBOOKED and new.displaced is None
    assert book.cancel("r5").displaced is DisplaceReason.OVERBOOKED
    assert [b.request_id for b in book.displaced()] == ["r6", "r2"]


def test_slots_already_started_are_not_rechecked() -> None:
    book = make_book()
    noon = MONDAY + 12 * HOUR
    book.book(noon, "r1", MONDAY + 7 * HOUR)
    assert book.set_staffing(Staffing.empty(), noon) == []
    assert book.booked(noon) == 1


def test_new_hours_displace_bookings_outside_them() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    book.book(MONDAY + 18 * HOUR, "late", now)
    book.book(MONDAY + 10 * HOUR, "early", now)
    shorter = parse_hours({"timezone": "Europe/Lisbon", "weekly": {"mon-fri": ["08:00-17:00"]}})
    displaced = book.set_hours(shorter, now)
    assert [(b.request_id, b.displaced) for b in displaced] == [
        ("late", DisplaceReason.OUTSIDE_HOURS)
    ]


def test_a_longer_slot_displaces_bookings_no_longer_aligned() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    book.book(MONDAY + 12 * HOUR, "on_the_hour", now)
    book.book(MONDAY + 12.25 * HOUR, "quarter_past", now)
    displaced = book.set_policy(SlotPolicy(slot_minutes=30), now)
    assert [(b.request_id, b.displaced) for b in displaced] == [
        ("quarter_past", DisplaceReason.SLOT_CHANGED)
    ]
    assert book.booking("on_the_hour").slot_end == MONDAY + 12.5 * HOUR


def test_restore_then_recheck() -> None:
    book = make_book()
    now = MONDAY + 7 * HOUR
    noon = MONDAY + 12 * HOUR
    rows = [Booking(f"r{i}", noon, noon + SLOT, now, seq=i) for i in range(1, 5)]
    rows.append(Booking("gone", noon, noon + SLOT, now, displaced=DisplaceReason.OVERBOOKED, seq=9))
    for row in reversed(rows):
        book.restore(row)
    with pytest.raises(AlreadyBooked):
        book.restore(rows[0])
    assert [b.request_id for b in book.recheck(now)] == ["r4"]
    assert [b.request_id for b in book.bookings()] == ["r1", "r2", "r3"]
    assert [b.request_id for b in book.displaced()] == ["r4", "gone"]
    assert book.book(MONDAY + 13 * HOUR, "new", now).seq == 10


# -- Property: a booked slot never exceeds its capacity ------------------------------------

SHIFTS: list[Shift] = [
    shift("ana", "08:00-16:00"),
    shift("bo", "12:00-20:00"),
    shift("cy", "10:00-14:00"),
    DatedShift("ana", MONDAY + 17 * HOUR, MONDAY + 19 * HOUR),
    DatedShift("bo", MONDAY + 24 * HOUR + 8 * HOUR, MONDAY + 24 * HOUR + 9.5 * HOUR),
]
GRID = [MONDAY + 7 * HOUR + i * SLOT for i in range(4 * 14)] + [
    MONDAY + 24 * HOUR + 7 * HOUR + i * SLOT for i in range(4 * 6)
]


class SlotMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = MONDAY + 6 * HOUR
        self.book = make_book(Staffing(SHIFTS, SKILLS))
        self.known: set[str] = set()
        self.next_id = 0

    def pick(self, index: int) -> str | None:
        ids = sorted(self.known)
        return ids[index % len(ids)] if ids else None

    @rule(slot=st.sampled_from(GRID))
    def book_one(self, slot: float) -> None:
        rid = f"r{self.next_id}"
        self.next_id += 1
        try:
            booking = self.book.book(slot, rid, self.now)
        except SlotError as exc:
            event(f"book refused: {type(exc).__name__}")
            assert rid not in {b.request_id for b in self.book.bookings()}
            return
        event("booked")
        assert booking.slot_start == slot
        self.known.add(rid)

    @rule(index=st.integers(0, 50), slot=st.sampled_from(GRID))
    def reschedule(self, index: int, slot: float) -> None:
        if (rid := self.pick(index)) is None:
            return
        before = self.book.booking(rid)
        try:
            self.book.reschedule(rid, slot, self.now)
        except SlotError:
            assert self.book.booking(rid) == before
            return
        assert self.book.booking(rid).slot_start == slot

    @rule(index=st.integers(0, 50))
    def cancel(self, index: int) -> None:
        if (rid := self.pick(index)) is not None:
            self.book.cancel(rid)
            self.known.discard(rid)

    @rule(keep=st.lists(st.booleans(), min_size=len(SHIFTS), max_size=len(SHIFTS)))
    def change_staffing(self, keep: list[bool]) -> None:
        before = {b.request_id for b in self.book.bookings()}
        displaced = self.book.set_staffing(
            Staffing([s for s, k in zip(SHIFTS, keep, strict=True) if k], SKILLS), self.now
        )
        after = {b.request_id for b in self.book.bookings()}
        # Nothing vanishes silently: what left the slots is exactly what was reported.
        assert before - after == {b.request_id for b in displaced}
        assert all(b.displaced is DisplaceReason.OVERBOOKED for b in displaced)
        event("staffing change displaced bookings" if displaced else "staffing change, no move")

    @rule(minutes=st.integers(1, 120))
    def advance(self, minutes: int) -> None:
        self.now += minutes * MIN
        for booking in self.book.due_reservations(self.now, 20 * MIN):
            assert booking.reserved and booking.slot_start <= self.now + 20 * MIN
        for booking in self.book.prune(self.now):
            assert booking.slot_end <= self.now
            self.known.discard(booking.request_id)

    @invariant()
    def no_slot_over_capacity(self) -> None:
        counts: dict[float, int] = {}
        for booking in self.book.bookings():
            assert booking.displaced is None
            counts[booking.slot_start] = counts.get(booking.slot_start, 0) + 1
        for start, count in counts.items():
            assert count == self.book.booked(start)
            if start > self.now:
                assert count <= self.book.capacity(start)

    @invariant()
    def every_booking_is_placed_or_displaced(self) -> None:
        placed = {b.request_id for b in self.book.bookings()}
        displaced = {b.request_id for b in self.book.displaced()}
        assert not placed & displaced
        assert placed | displaced == self.known


TestSlotMachine = SlotMachine.TestCase
TestSlotMachine.settings = settings(
    max_examples=int(os.environ.get("TAPLINE_ENGINE_EXAMPLES", "200")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
