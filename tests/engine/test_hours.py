"""Business hours: weekly ranges, exceptions, midnight, daylight saving, parsing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tapline.engine.errors import EngineError
from tapline.engine.hours import BusinessHours, parse_hours
from tapline.engine.wall_clock import HoursError, OpenRange, merge, subtract, wall_to_epoch

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0


def at(text: str) -> float:
    """Epoch seconds of an ISO time with its offset, e.g. "2025-03-28T08:00+00:00"."""
    return datetime.fromisoformat(text).timestamp()


def local(t: float, tz: ZoneInfo = LISBON) -> str:
    return datetime.fromtimestamp(t, tz).isoformat(timespec="minutes")


def lisbon(**more: object) -> BusinessHours:
    data: dict[str, object] = {
        "timezone": "Europe/Lisbon",
        "weekly": {"mon-fri": ["08:00-20:00"], "sat": ["09:00-13:00"]},
    }
    data.update(more)
    return parse_hours(data)


# -- Ranges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "back"),
    [
        ("08:00-20:00", 480, 1200, "08:00-20:00"),
        ("00:00-24:00", 0, 1440, "00:00-24:00"),
        ("22:00-02:00", 1320, 1560, "22:00-02:00"),
        ("20:00-00:00", 1200, 1440, "20:00-24:00"),
        (" 9:30 - 12:15 ", 570, 735, "09:30-12:15"),
    ],
)
def test_ranges_parse_and_print(text: str, start: int, end: int, back: str) -> None:
    r = OpenRange.parse(text)
    assert (r.start, r.end) == (start, end)
    assert str(r) == back


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("08:00", "HH:MM-HH:MM"),
        ("8-20", "'8' is not a time of day"),
        ("08:00-25:00", "'25:00' is not a time of day"),
        ("24:00-02:00", "'24:00' is not a time of day"),
        ("08:60-09:00", "'08:60'"),
        ("08:00-08:00", "empty (for a whole day write 00:00-24:00)"),
    ],
)
def test_bad_ranges_say_why(text: str, why: str) -> None:
    with pytest.raises(HoursError) as info:
        OpenRange.parse(text)
    assert why in str(info.value)


def test_hours_errors_are_engine_errors_and_value_errors() -> None:
    assert issubclass(HoursError, EngineError)
    assert issubclass(HoursError, ValueError)


# -- The weekly schedule -----------------------------------------------------------------


def test_open_on_weekdays_and_saturday_morning_in_winter() -> None:
    hours = lisbon()
    # Friday 2025-01-10 and Saturday 2025-01-11; Lisbon is UTC+0 in winter.
    assert not hours.is_open(at("2025-01-10T07:59:59+00:00"))
    assert hours.is_open(at("2025-01-10T08:00+00:00"))
    assert hours.is_open(at("2025-01-10T19:59:59+00:00"))
    assert not hours.is_open(at("2025-01-10T20:00+00:00"))  # the end is excluded
    assert hours.is_open(at("2025-01-11T12:00+00:00"))
    assert not hours.is_open(at("2025-01-11T13:00+00:00"))
    assert not hours.is_open(at("2025-01-12T12:00+00:00"))  # Sunday


def test_summer_time_shifts_the_instants_not_the_wall_clock() -> None:
    hours = lisbon()
    # Friday 2025-07-11: Lisbon is UTC+1, so 08:00 local is 07:00 UTC.
    assert hours.is_open(at("2025-07-11T07:00+00:00"))
    assert not hours.is_open(at("2025-07-11T06:59+00:00"))
    assert not hours.is_open(at("2025-07-11T19:00+00:00"))


def test_several_ranges_a_day_leave_the_gaps_closed() -> None:
    hours = parse_hours({"timezone": "UTC", "weekly": {"mon": ["08:00-12:00", "13:00-17:00"]}})
    monday = at("2025-01-06T00:00+00:00")
    assert hours.intervals(monday, monday + 24 * HOUR) == [
        (monday + 8 * HOUR, monday + 12 * HOUR),
        (monday + 13 * HOUR, monday + 17 * HOUR),
    ]
    assert not hours.is_open(monday + 12.5 * HOUR)
    assert hours.next_open(monday + 12.5 * HOUR) == monday + 13 * HOUR
    assert hours.next_close(monday + 9 * HOUR) == monday + 12 * HOUR


def test_a_range_across_midnight_belongs_to_the_day_it_starts() -> None:
    hours = parse_hours({"timezone": "Europe/Lisbon", "weekly": {"fri": ["22:00-02:00"]}})
    assert hours.is_open(at("2025-01-10T23:00+00:00"))  # Friday night
    assert hours.is_open(at("2025-01-11T01:59+00:00"))  # Saturday, still Friday's range
    assert not hours.is_open(at("2025-01-11T02:00+00:00"))
    assert not hours.is_open(at("2025-01-10T01:00+00:00"))  # Friday early: Thursday is closed
    start = at("2025-01-10T00:00+00:00")
    assert hours.intervals(start, start + 3 * 24 * HOUR) == [
        (at("2025-01-10T22:00+00:00"), at("2025-01-11T02:00+00:00"))
    ]


def test_ranges_touching_at_midnight_join_into_one_interval() -> None:
    hours = parse_hours(
        {"timezone": "UTC", "weekly": {"mon": ["20:00-24:00"], "tue": ["00:00-08:00"]}}
    )
    monday = at("2025-01-06T00:00+00:00")
    assert hours.intervals(monday, monday + 48 * HOUR) == [(monday + 20 * HOUR, monday + 32 * HOUR)]
    assert hours.next_close(monday + 21 * HOUR) == monday + 32 * HOUR


def test_intervals_are_clipped_to_the_window() -> None:
    hours = lisbon()
    t = at("2025-01-10T10:00+00:00")
    assert hours.intervals(t, t + HOUR) == [(t, t + HOUR)]
    assert hours.intervals(t, t) == []
    assert hours.intervals(t + HOUR, t) == []


# -- Exceptions ----------------------------------------------------------------------------


def test_a_holiday_is_closed_and_special_hours_replace_the_day() -> None:
    hours = lisbon(exceptions={"2025-12-25": [], "2025-12-24": ["09:00-13:00"]})
    assert not hours.is_open(at("2025-12-25T10:00+00:00"))  # Thursday, a holiday
    assert hours.is_open(at("2025-12-24T12:00+00:00"))
    assert not hours.is_open(at("2025-12-24T14:00+00:00"))  # closes early on the 24th
    assert hours.is_open(at("2025-12-26T10:00+00:00"))
    assert hours.next_open(at("2025-12-24T14:00+00:00")) == at("2025-12-26T08:00+00:00")
    assert hours.next_close(at("2025-12-24T10:00+00:00")) == at("2025-12-24T13:00+00:00")


def test_a_holiday_does_not_cut_short_the_night_before() -> None:
    hours = parse_hours(
        {
            "timezone": "UTC",
            "weekly": {"mon-sun": ["22:00-02:00"]},
            "exceptions": {"2025-12-25": []},
        }
    )
    assert hours.is_open(at("2025-12-25T01:00+00:00"))  # the 24th's range
    assert not hours.is_open(at("2025-12-25T23:00+00:00"))  # the 25th's does not happen
    assert hours.next_open(at("2025-12-25T03:00+00:00")) == at("2025-12-26T22:00+00:00")


def test_next_open_looks_past_a_long_closure() -> None:
    closed: dict[str, list[str]] = {f"2025-08-{day:02d}": [] for day in range(1, 32)}
    hours = lisbon(exceptions=closed)
    assert hours.next_open(at("2025-07-31T21:00+00:00")) == at("2025-09-01T07:00+00:00")


def test_always_and_never() -> None:
    always = BusinessHours.always("America/New_York")
    assert always.is_open(0.0)
    assert always.next_open(5.0) == 5.0
    assert always.next_close(5.0) is None
    never = BusinessHours("UTC", ((),) * 7)
    assert not never.is_open(0.0)
    assert never.next_open(0.0) is None
    assert never.next_close(7.0) == 7.0
    closed_until = parse_hours(
        {
            "timezone": "UTC",
            "weekly": {},
            "exceptions": {"2026-02-03": ["10:00-11:00"]},
        }
    )
    assert closed_until.next_open(at("2025-01-01T00:00+00:00")) == at("2026-02-03T10:00+00:00")
    assert closed_until.next_open(at("2026-02-03T11:00+00:00")) is None


def test_open_every_day_but_one_holiday_closes_only_then() -> None:
    hours = parse_hours(
        {
            "timezone": "Europe/Lisbon",
            "weekly": {"mon-sun": ["00:00-24:00"]},
            "exceptions": {"2025-12-25": []},
        }
    )
    assert hours.next_close(at("2025-12-01T00:00+00:00")) == at("2025-12-25T00:00+00:00")
    assert hours.next_open(at("2025-12-25T12:00+00:00")) == at("2025-12-26T00:00+00:00")
    assert hours.next_close(at("2025-12-26T00:00+00:00")) is None


# -- Daylight saving -----------------------------------------------------------------------


def test_wall_to_epoch_in_a_gap_is_the_jump_and_a_repeat_is_the_first() -> None:
    # Lisbon springs forward on 2025-03-30 at 01:00 WET (01:00 UTC) to 02:00 WEST.
    assert wall_to_epoch(datetime(2025, 3, 30, 1, 30), LISBON) == at("2025-03-30T01:00+00:00")
    assert wall_to_epoch(datetime(2025, 3, 30, 2, 0), LISBON) == at("2025-03-30T01:00+00:00")
    # and falls back on 2025-10-26 at 02:00 WEST (01:00 UTC) to 01:00 WET.
    assert wall_to_epoch(datetime(2025, 10, 26, 1, 30), LISBON) == at("2025-10-26T00:30+00:00")
    # New York springs forward on 2025-03-09 at 02:00 EST to 03:00 EDT (07:00 UTC) ...
    assert wall_to_epoch(datetime(2025, 3, 9, 2, 30), NEW_YORK) == at("2025-03-09T07:00+00:00")
    # ... and falls back on 2025-11-02 at 02:00 EDT to 01:00 EST (06:00 UTC).
    assert wall_to_epoch(datetime(2025, 11, 2, 1, 30), NEW_YORK) == at("2025-11-02T05:30+00:00")
    assert wall_to_epoch(datetime(2025, 11, 2, 12, 0), NEW_YORK) == at("2025-11-02T17:00+00:00")


def test_lisbon_whole_days_last_23_and_25_hours_across_the_changes() -> None:
    hours = parse_hours({"timezone": "Europe/Lisbon", "weekly": {"sun": ["00:00-24:00"]}})
    spring = hours.intervals(at("2025-03-29T12:00+00:00"), at("2025-03-31T12:00+00:00"))
    autumn = hours.intervals(at("2025-10-25T12:00+00:00"), at("2025-10-27T12:00+00:00"))
    assert [(e - s) / HOUR for s, e in spring] == [23.0]
    assert [(e - s) / HOUR for s, e in autumn] == [25.0]
    assert spring == [(at("2025-03-30T00:00+00:00"), at("2025-03-30T23:00+00:00"))]


def test_lisbon_ranges_in_the_skipped_and_repeated_hours() -> None:
    hours = parse_hours(
        {"timezone": "Europe/Lisbon", "weekly": {"sun": ["00:30-01:30", "08:00-20:00"]}}
    )
    spring = hours.intervals(at("2025-03-30T00:00+00:00"), at("2025-03-31T00:00+00:00"))
    # 01:30 does not exist that night: the range ends at the jump.
    assert [(local(s), local(e)) for s, e in spring] == [
        ("2025-03-30T00:30+00:00", "2025-03-30T02:00+01:00"),
        ("2025-03-30T08:00+01:00", "2025-03-30T20:00+01:00"),
    ]
    autumn = hours.intervals(at("2025-10-25T23:00+00:00"), at("2025-10-27T00:00+00:00"))
    # 01:30 happens twice that night: the range ends at the first.
    assert [(local(s), local(e)) for s, e in autumn] == [
        ("2025-10-26T00:30+01:00", "2025-10-26T01:30+01:00"),
        ("2025-10-26T08:00+00:00", "2025-10-26T20:00+00:00"),
    ]


def test_new_york_opening_inside_the_skipped_hour_opens_at_the_jump() -> None:
    hours = parse_hours({"timezone": "America/New_York", "weekly": {"sun": ["02:30-10:00"]}})
    [(start, end)] = hours.intervals(at("2025-03-09T00:00+00:00"), at("2025-03-10T00:00+00:00"))
    assert local(start, NEW_YORK) == "2025-03-09T03:00-04:00"
    assert local(end, NEW_YORK) == "2025-03-09T10:00-04:00"
    assert end - start == 7 * HOUR
    assert hours.next_open(at("2025-03-09T06:00+00:00")) == start


def test_new_york_night_range_across_fall_back_lasts_an_hour_longer() -> None:
    hours = parse_hours({"timezone": "America/New_York", "weekly": {"sat": ["22:00-06:00"]}})
    [(start, end)] = hours.intervals(at("2025-11-01T12:00+00:00"), at("2025-11-03T00:00+00:00"))
    assert (local(start, NEW_YORK), local(end, NEW_YORK)) == (
        "2025-11-01T22:00-04:00",
        "2025-11-02T06:00-05:00",
    )
    assert end - start == 9 * HOUR
    assert hours.is_open(at("2025-11-02T06:30+00:00"))  # 01:30 EDT
    assert hours.is_open(at("2025-11-02T07:30+00:00"))  # 02:30 EST, the second 01:30 + 1h


def test_weekdays_in_new_york_follow_the_local_clock_across_the_change() -> None:
    hours = parse_hours({"timezone": "America/New_York", "weekly": {"mon-fri": ["09:00-17:00"]}})
    # Friday 2025-03-07 is EST (UTC-5), Monday 2025-03-10 is EDT (UTC-4).
    assert hours.next_open(at("2025-03-07T22:00+00:00")) == at("2025-03-10T13:00+00:00")
    assert hours.next_close(at("2025-03-10T13:00+00:00")) == at("2025-03-10T21:00+00:00")


# -- Parsing -------------------------------------------------------------------------------


def test_toml_form() -> None:
    hours = BusinessHours.from_toml(
        """
        timezone = "Europe/Lisbon"
        [weekly]
        mon-fri = ["08:00-20:00"]
        sat = "09:00-13:00"
        [exceptions]
        2025-12-25 = []
        2025-12-24 = ["09:00-13:00"]
        """
    )
    assert hours == lisbon(exceptions={"2025-12-25": [], "2025-12-24": ["09:00-13:00"]})
    assert hours.weekly[6] == ()
    assert hours.exceptions[date(2025, 12, 25)] == ()
    assert hash(hours) == hash(lisbon())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekly": {}}, "hours: timezone is required"),
        ({"timezone": "Mars/Olympus"}, "hours: timezone: unknown time zone 'Mars/Olympus'"),
        (
            {"timezone": "UTC", "weekly": {"tue": ["08:00-12:00", "11:00-14:00"]}},
            "hours: weekly 'tue': ranges 08:00-12:00 and 11:00-14:00 overlap",
        ),
        (
            {"timezone": "UTC", "weekly": {"mon-fri": ["08:00-12:00", "11:00-2:00"]}},
            "hours: weekly 'mon-fri' (mon): ranges 08:00-12:00 and 11:00-02:00 overlap",
        ),
        (
            {"timezone": "UTC", "weekly": {"wed": ["08:00-12:00", "13:00-1400"]}},
            "hours: weekly 'wed', range 2: '13:00-1400': '1400' is not a time of day (HH:MM)",
        ),
        (
            {"timezone": "UTC", "weekly": {"mon-fri": ["08:00-12:00"], "wed": []}},
            "hours: weekly 'wed': wed is already given",
        ),
        ({"timezone": "UTC", "weekly": {"monday": []}}, "hours: weekly 'monday': 'monday' is"),
        ({"timezone": "UTC", "weekly": {"mon": 8}}, "hours: weekly 'mon': expected a list"),
        ({"timezone": "UTC", "weekly": []}, "hours: weekly must be a table"),
        ({"timezone": "UTC", "exceptions": {"2025-02-30": []}}, "exception '2025-02-30'"),
        (
            {"timezone": "UTC", "exceptions": {"2025-12-24": ["14:00-13:00", "10:00-15:00"]}},
            "hours: exception '2025-12-24': ranges 10:00-15:00 and 14:00-13:00 overlap",
        ),
        ({"timezone": "UTC", "holidays": []}, "hours: unknown keys ['holidays']"),
    ],
)
def test_bad_hours_say_where_and_why(data: dict[str, object], message: str) -> None:
    with pytest.raises(HoursError) as info:
        parse_hours(data)
    assert message in str(info.value)


def test_toml_syntax_errors_carry_the_line() -> None:
    with pytest.raises(HoursError, match="line 3"):
        BusinessHours.from_toml('timezone = "UTC"\n[weekly]\nmon = 08:00-20:00\n')


def test_weekly_needs_seven_days() -> None:
    with pytest.raises(HoursError, match="7 days"):
        BusinessHours("UTC", ((),) * 6)


def test_a_day_range_may_wrap_round_the_week() -> None:
    hours = parse_hours({"timezone": "UTC", "weekly": {"sat-mon": ["10:00-11:00"]}})
    assert [bool(r) for r in hours.weekly] == [True, False, False, False, False, True, True]


# -- Properties ----------------------------------------------------------------------------

ZONES = ["Europe/Lisbon", "America/New_York", "UTC", "Asia/Kathmandu", "Australia/Lord_Howe"]
clock_st = st.integers(0, 24 * 4 - 1).map(lambda q: q * 15)
range_st = st.tuples(clock_st, st.integers(1, 24 * 4).map(lambda q: q * 15)).map(
    lambda p: OpenRange(p[0], p[0] + p[1])
)


@st.composite
def hours_st(draw: st.DrawFn) -> BusinessHours:
    weekly = []
    for _ in range(7):
        ranges = sorted(draw(st.lists(range_st, max_size=3)))
        kept: list[OpenRange] = []
        for r in ranges:
            if not kept or r.start >= kept[-1].end:
                kept.append(r)
        weekly.append(tuple(kept))
    return BusinessHours(draw(st.sampled_from(ZONES)), tuple(weekly))


instant_st = st.floats(at("2024-01-01T00:00+00:00"), at("2027-01-01T00:00+00:00"))


@given(hours=hours_st(), t=instant_st)
def test_is_open_agrees_with_intervals_and_next_open_and_close(
    hours: BusinessHours, t: float
) -> None:
    spans = hours.intervals(t - 3 * 86_400, t + 3 * 86_400)
    assert spans == merge(spans)  # sorted, disjoint, not touching
    assert hours.is_open(t) == any(s <= t < e for s, e in spans)
    opens = hours.next_open(t)
    closes = hours.next_close(t)
    if hours.is_open(t):
        assert opens == t
        assert closes is None or (closes > t and not hours.is_open(closes))
        if closes is not None:
            assert hours.is_open(closes - 1e-3)
    else:
        assert closes == t
        if opens is not None:
            assert opens > t and hours.is_open(opens)
            assert not hours.is_open((t + opens) / 2) or opens - t < 1e-6
        else:
            assert not any(hours.weekly)


def test_merge_and_subtract() -> None:
    assert merge([(5.0, 6.0), (1.0, 2.0), (2.0, 3.0), (4.0, 4.0)]) == [(1.0, 3.0), (5.0, 6.0)]
    assert subtract([(0.0, 10.0), (20.0, 30.0)], [(2.0, 3.0), (9.0, 21.0)]) == [
        (0.0, 2.0),
        (3.0, 9.0),
        (21.0, 30.0),
    ]
