"""What a customer is offered: "no one is there now" always becomes the next slots."""

from __future__ import annotations

from tapline.engine.callback_choices import choices
from tapline.engine.hours import parse_hours
from tapline.engine.slots import SlotBook
from tapline.engine.staffing import Staffing, WeeklyShift
from tapline.engine.wall_clock import OpenRange

HOUR = 3600.0
MONDAY = 1_736_121_600.0  # 2025-01-06T00:00Z; Lisbon is UTC+0 in January


def book(staffing: Staffing | None = None) -> SlotBook:
    hours = parse_hours({"timezone": "Europe/Lisbon", "weekly": {"mon-fri": ["08:00-20:00"]}})
    if staffing is None:
        shift = WeeklyShift("ana", frozenset(range(5)), OpenRange.parse("08:00-20:00"), "UTC")
        staffing = Staffing([shift], {"ana": {"payments": 3}})
    return SlotBook("pay", hours, staffing, "payments")


def test_open_and_staffed_offers_waiting_an_in_queue_callback_and_slots() -> None:
    offered = choices(book(), MONDAY + 10 * HOUR)
    assert offered.wait and offered.in_queue_callback
    assert [s.start for s in offered.slots] == [MONDAY + 10.25 * HOUR + i * 900 for i in range(3)]
    assert offered.opens_at is None
    assert not offered.is_empty


def test_closed_offers_the_next_slots_and_when_it_opens() -> None:
    friday_night = MONDAY + 4 * 24 * HOUR + 21 * HOUR
    offered = choices(book(), friday_night, slots=2)
    assert not offered.wait and not offered.in_queue_callback
    next_monday = MONDAY + 7 * 24 * HOUR
    assert offered.opens_at == next_monday + 8 * HOUR
    assert [s.start for s in offered.slots] == [next_monday + 8 * HOUR, next_monday + 8.25 * HOUR]


def test_open_but_no_one_on_shift_is_not_a_place_to_wait() -> None:
    offered = choices(book(Staffing.empty()), MONDAY + 10 * HOUR)
    assert not offered.wait and not offered.in_queue_callback
    assert offered.slots == ()  # and no slot has capacity either
    assert offered.opens_at is None
    assert offered.is_empty  # the driver takes a message and alerts the supervisors


def test_live_presence_overrides_the_plan() -> None:
    assert not choices(book(), MONDAY + 10 * HOUR, staffed_now=False).wait
    assert choices(book(Staffing.empty()), MONDAY + 10 * HOUR, staffed_now=True).wait
    assert not choices(book(), MONDAY + 21 * HOUR, staffed_now=True).wait  # closed
