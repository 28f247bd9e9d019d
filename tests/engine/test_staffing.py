"""Shifts, absences and staffing: who is on shift, counts and step profiles."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tapline.engine.errors import InvalidArgument
from tapline.engine.staffing import (
    Absence,
    DatedShift,
    Staffing,
    WeeklyShift,
    parse_shifts,
)
from tapline.engine.wall_clock import HoursError, OpenRange

HOUR = 3600.0
WEEKDAYS = frozenset(range(5))


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def weekly(
    sid: str, hours: str, days: frozenset[int] = WEEKDAYS, tz: str = "Europe/Lisbon"
) -> WeeklyShift:
    return WeeklyShift(sid, days, OpenRange.parse(hours), tz)


def test_weekly_shift_follows_the_local_clock_across_daylight_saving() -> None:
    shift = weekly("ana", "08:00-16:00")
    # Friday 2025-03-28 is UTC+0 in Lisbon, Monday 2025-03-31 is UTC+1.
    spans = shift.spans(at("2025-03-28T00:00+00:00"), at("2025-04-01T00:00+00:00"))
    assert spans == [
        (at("2025-03-28T08:00+00:00"), at("2025-03-28T16:00+00:00")),
        (at("2025-03-31T07:00+00:00"), at("2025-03-31T15:00+00:00")),
    ]


def test_night_shift_runs_into_the_next_day() -> None:
    shift = weekly("bo", "22:00-06:00", frozenset({4}), "UTC")  # Friday nights
    saturday = at("2025-01-11T00:00+00:00")
    assert shift.spans(saturday, saturday + 24 * HOUR) == [(saturday, saturday + 6 * HOUR)]


def test_staffed_counts_specialists_with_the_skill_once_each() -> None:
    staffing = Staffing(
        [
            weekly("ana", "08:00-16:00"),
            weekly("ana", "12:00-20:00"),  # overlaps her first shift: still one person
            weekly("bo", "12:00-20:00"),
            weekly("cy", "08:00-20:00"),
        ],
        {"ana": {"payments": 4}, "bo": {"payments": 2, "shipping": 3}, "cy": {"shipping": 5}},
    )
    t = at("2025-01-06T13:00+00:00")  # Monday
    assert staffing.staffed(t, "payments") == 2
    assert staffing.staffed(t, "payments", min_level=3) == 1
    assert staffing.staffed(t, "shipping") == 2
    assert staffing.staffed(t, "refunds") == 0
    assert staffing.specialists(t, "payments") == ["ana", "bo"]
    assert staffing.staffed(at("2025-01-06T07:00+00:00"), "payments") == 0
    assert staffing.staffed(at("2025-01-11T13:00+00:00"), "payments") == 0  # Saturday


def test_a_specialist_without_skills_or_shifts_does_not_count() -> None:
    staffing = Staffing([weekly("ana", "08:00-16:00")], {"bo": {"payments": 5}})
    assert staffing.staffed(at("2025-01-06T10:00+00:00"), "payments") == 0
    assert Staffing.empty().staffed(0.0, "payments") == 0


def test_profile_is_a_step_function_over_the_period() -> None:
    monday = at("2025-01-06T00:00+00:00")
    staffing = Staffing(
        [weekly("ana", "08:00-16:00"), weekly("bo", "12:00-20:00")],
        {"ana": {"payments": 3}, "bo": {"payments": 3}},
    )
    assert staffing.profile("payments", monday, monday + 24 * HOUR) == [
        (monday, 0),
        (monday + 8 * HOUR, 1),
        (monday + 12 * HOUR, 2),
        (monday + 16 * HOUR, 1),
        (monday + 20 * HOUR, 0),
    ]
    # From inside a step, and across the next day's start.
    assert staffing.profile("payments", monday + 13 * HOUR, monday + 33 * HOUR) == [
        (monday + 13 * HOUR, 2),
        (monday + 16 * HOUR, 1),
        (monday + 20 * HOUR, 0),
        (monday + 32 * HOUR, 1),
    ]
    assert staffing.profile("payments", monday, monday) == []


def test_profile_does_not_step_at_midnight_under_a_night_shift() -> None:
    staffing = Staffing([weekly("bo", "22:00-06:00", tz="UTC")], {"bo": {"payments": 1}})
    monday = at("2025-01-06T00:00+00:00")
    assert staffing.profile("payments", monday + 20 * HOUR, monday + 28 * HOUR) == [
        (monday + 20 * HOUR, 0),
        (monday + 22 * HOUR, 1),
    ]


def test_dated_shifts_and_absences() -> None:
    monday = at("2025-01-06T00:00+00:00")
    staffing = Staffing(
        [
            weekly("ana", "08:00-16:00", tz="UTC"),
            Absence("ana", monday + 10 * HOUR, monday + 34 * HOUR),  # off from 10:00 to Tue 10:00
            DatedShift("bo", monday + 18 * HOUR, monday + 19 * HOUR),
        ],
        {"ana": {"payments": 3}, "bo": {"payments": 3}},
    )
    assert staffing.profile("payments", monday, monday + 48 * HOUR) == [
        (monday, 0),
        (monday + 8 * HOUR, 1),
        (monday + 10 * HOUR, 0),
        (monday + 18 * HOUR, 1),
        (monday + 19 * HOUR, 0),
        (monday + 34 * HOUR, 1),
        (monday + 40 * HOUR, 0),
    ]
    assert not staffing.on_shift("ana", monday + 12 * HOUR)
    assert staffing.on_shift("ana", monday + 35 * HOUR)


def test_bad_shifts_are_refused() -> None:
    with pytest.raises(HoursError, match="end after it starts"):
        DatedShift("ana", 10.0, 10.0)
    with pytest.raises(HoursError, match="end after it starts"):
        Absence("ana", 10.0, 5.0)
    with pytest.raises(HoursError, match="unknown time zone"):
        weekly("ana", "08:00-16:00", tz="Nowhere/Town")
    with pytest.raises(HoursError, match="days are 0"):
        weekly("ana", "08:00-16:00", frozenset())
    with pytest.raises(InvalidArgument, match="level must be 1 to 5"):
        Staffing([], {"ana": {"payments": 6}})


def test_parse_shifts() -> None:
    items = parse_shifts(
        [
            {
                "specialist": "ana",
                "days": "mon-fri",
                "hours": "08:00-16:00",
                "timezone": "Europe/Lisbon",
            },
            {
                "specialist": "bo",
                "days": ["sat", "sun"],
                "hours": "22:00-02:00",
                "timezone": "UTC",
            },
            {
                "specialist": "bo",
                "start": "2025-03-30T08:00",
                "end": "2025-03-30T14:00",
                "timezone": "Europe/Lisbon",
            },
            {
                "specialist": "ana",
                "start": datetime.fromisoformat("2025-08-01T00:00+01:00"),
                "end": "2025-08-15T00:00+01:00",
                "timezone": "Europe/Lisbon",
                "off": True,
            },
        ]
    )
    assert items == [
        weekly("ana", "08:00-16:00"),
        WeeklyShift("bo", frozenset({5, 6}), OpenRange.parse("22:00-02:00"), "UTC"),
        DatedShift("bo", at("2025-03-30T07:00+00:00"), at("2025-03-30T13:00+00:00")),
        Absence("ana", at("2025-07-31T23:00+00:00"), at("2025-08-14T23:00+00:00")),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"days": "mon", "hours": "08:00-16:00", "timezone": "UTC"}, "shift 1: specialist is"),
        ({"specialist": "ana", "days": "mon", "hours": "08:00-16:00"}, "shift 1 (ana): timezone"),
        (
            {"specialist": "ana", "days": "mon-fry", "hours": "08:00-16:00", "timezone": "UTC"},
            "shift 1 (ana): 'mon-fry' is not a day",
        ),
        (
            {"specialist": "ana", "days": "mon", "hours": "8-16", "timezone": "UTC"},
            "shift 1 (ana): '8-16': '8' is not a time of day",
        ),
        (
            {"specialist": "ana", "hours": "08:00-16:00", "timezone": "UTC"},
            "shift 1 (ana): days is required",
        ),
        (
            {"specialist": "ana", "start": "tomorrow", "end": "later", "timezone": "UTC"},
            "shift 1 (ana): start: 'tomorrow' is not a date and time",
        ),
        (
            {"specialist": "ana", "start": "2025-01-01T10:00", "timezone": "UTC"},
            "shift 1 (ana): end is required",
        ),
        (
            {"specialist": "ana", "shift": "early", "timezone": "UTC"},
            "shift 1 (ana): unknown keys ['shift']",
        ),
    ],
)
def test_bad_shift_entries_say_which_and_why(item: dict[str, object], message: str) -> None:
    with pytest.raises(HoursError) as info:
        parse_shifts([item])
    assert message in str(info.value)


shift_st = st.builds(
    lambda sid, day, start, length: WeeklyShift(
        sid, frozenset({day}), OpenRange(start, start + length), "Europe/Lisbon"
    ),
    st.sampled_from(["ana", "bo", "cy"]),
    st.integers(0, 6),
    st.integers(0, 95).map(lambda q: q * 15),
    st.integers(1, 96).map(lambda q: q * 15),
)


@given(
    shifts=st.lists(shift_st, max_size=6),
    # Whole milliseconds: a step a few ulps wide has no float strictly inside it.
    start=st.floats(at("2025-03-27T00:00+00:00"), at("2025-04-03T00:00+00:00")).map(
        lambda t: round(t, 3)
    ),
    length=st.floats(60.0, 4 * 86_400.0).map(lambda t: round(t, 3)),
)
def test_profile_agrees_with_staffed_at_every_step(
    shifts: list[WeeklyShift], start: float, length: float
) -> None:
    staffing = Staffing(shifts, {"ana": {"p": 1}, "bo": {"p": 2}, "cy": {"p": 3}})
    steps = staffing.profile("p", start, start + length)
    assert steps[0][0] == start
    for (t, n), nxt in zip(steps, [*steps[1:], (start + length, -1)], strict=True):
        assert t < nxt[0] and n != nxt[1]
        assert staffing.staffed(t, "p") == n == len(staffing.specialists(t, "p"))
        assert staffing.staffed((t + nxt[0]) / 2, "p") == n


def test_shifts_and_staffing_are_also_importable_from_hours() -> None:
    from tapline.engine import hours

    assert hours.Staffing is Staffing and hours.WeeklyShift is WeeklyShift
    assert hours.parse_shifts is parse_shifts
    with pytest.raises(AttributeError):
        hours.Nothing  # type: ignore[attr-defined]  # noqa: B018
