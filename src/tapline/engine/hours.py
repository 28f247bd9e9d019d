"""Business hours in a time zone: when a queue is open. Pure code, no I/O.

Schedules are written in wall-clock time in a time zone and turned into instants day by day
(`wall_clock.py`, which shifts share), so they follow daylight saving. See
docs/subsystems/callbacks.md.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo

# Shifts and staffing live in `staffing.py`; they are also importable from here because the
# first plan had them in this module. Both modules build on `wall_clock.py`: no cycle.
from tapline.engine.staffing import (
    Absence,
    DatedShift,
    Shift,
    Staffing,
    WeeklyShift,
    parse_shifts,
)
from tapline.engine.wall_clock import (
    DAYS,
    MINUTES_PER_DAY,
    ONE_DAY,
    HoursError,
    OpenRange,
    Span,
    clip,
    day_names,
    days_between,
    local_date,
    merge,
    wall_at,
    zone,
)

__all__ = [
    "Absence",
    "BusinessHours",
    "DatedShift",
    "Shift",
    "Staffing",
    "WeeklyShift",
    "parse_hours",
    "parse_shifts",
]


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When a queue is open: a weekly schedule in a time zone, plus dated exceptions.

    `weekly` has seven entries, Monday first, each the day's ranges (none: closed). An
    exception replaces the weekly ranges of its date (none: closed all day, a holiday). A
    range that crosses midnight belongs to the day it starts on, so a holiday does not cut
    short the night before. Ranges of one day must not overlap; touching ranges, also across
    midnight, join into one open interval.
    """

    timezone: str
    weekly: tuple[tuple[OpenRange, ...], ...]
    exceptions: Mapping[date, tuple[OpenRange, ...]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    _tz: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _spans: dict[date, tuple[Span, ...]] = field(init=False, repr=False, compare=False, hash=False)
    _last_exception: date | None = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise HoursError(f"weekly hours need 7 days, Monday first, not {len(self.weekly)}")
        weekly = tuple(_check_day(ranges, DAYS[i]) for i, ranges in enumerate(self.weekly))
        exceptions = {
            day: _check_day(ranges, day.isoformat()) for day, ranges in self.exceptions.items()
        }
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "exceptions", MappingProxyType(exceptions))
        object.__setattr__(self, "_tz", zone(self.timezone))
        object.__setattr__(self, "_spans", {})
        object.__setattr__(self, "_last_exception", max(exceptions, default=None))

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessHours:
        """Open at all times."""
        return cls(timezone, ((OpenRange(0, MINUTES_PER_DAY),),) * 7)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> BusinessHours:
        """Read the dict (or TOML table) form; see `parse_hours`."""
        return parse_hours(data)

    @classmethod
    def from_toml(cls, text: str) -> BusinessHours:
        """Read the TOML form; see `parse_hours`."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise HoursError(f"hours: {exc}") from None
        return parse_hours(data)

    def _day(self, day: date) -> tuple[Span, ...]:
        spans = self._spans.get(day)
        if spans is None:
            ranges = self.exceptions.get(day, self.weekly[day.weekday()])
            spans = tuple(s for s in (r.span(day, self._tz) for r in ranges) if s[1] > s[0])
            if len(self._spans) > 4096:
                self._spans.clear()
            self._spans[day] = spans
        return spans

    def _between(self, first: date, last: date) -> list[Span]:
        return merge(span for day in days_between(first, last) for span in self._day(day))

    def intervals(self, start: float, end: float) -> list[Span]:
        """The open intervals within `[start, end)`, sorted, disjoint and clipped to it."""
        if end <= start:
            return []
        first = local_date(start, self._tz) - ONE_DAY  # a range from the day before may run on
        return clip(self._between(first, local_date(end, self._tz)), start, end)

    def is_open(self, t: float) -> bool:
        """Whether the queue is open at instant `t`."""
        day = local_date(t, self._tz)
        return any(s <= t < e for s, e in self._between(day - ONE_DAY, day))

    def _last_day(self, t: float) -> date:
        """After this date nothing but the weekly schedule applies: searches may stop there."""
        today = local_date(t, self._tz)
        if self._last_exception is not None and self._last_exception > today:
            today = self._last_exception
        return today + timedelta(days=8)

    def next_open(self, t: float) -> float | None:
        """The earliest instant at or after `t` when it is open (`t` if open); None if never."""
        if self.is_open(t):
            return t
        day, last = local_date(t, self._tz) - ONE_DAY, self._last_day(t)
        while day <= last:
            chunk_end = min(day + timedelta(days=13), last)
            for start, _ in self._between(day, chunk_end):
                if start > t:
                    return start
            day = chunk_end + ONE_DAY
        return None

    def next_close(self, t: float) -> float | None:
        """The earliest instant at or after `t` when it is closed (`t` if closed); None if never."""
        if not self.is_open(t):
            return t
        first, last = local_date(t, self._tz) - ONE_DAY, self._last_day(t)
        end_day = first + timedelta(days=8)
        while end_day <= last + timedelta(days=8):
            stretch = next(e for s, e in self._between(first, end_day) if s <= t < e)
            if stretch < wall_at(end_day + ONE_DAY, 0, self._tz):  # no later day's range joins it
                return stretch
            end_day += timedelta(days=7)
        return None


def _check_day(ranges: Iterable[OpenRange], where: str) -> tuple[OpenRange, ...]:
    ordered = tuple(sorted(ranges))
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise HoursError(f"{where}: ranges {a} and {b} overlap")
    return ordered


def _ranges(value: object, where: str) -> list[OpenRange]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise HoursError(f"{where}: expected a list of ranges such as ['08:00-20:00']")
    out = []
    for i, item in enumerate(value, start=1):
        try:
            out.append(OpenRange.parse(item))
        except HoursError as exc:
            raise HoursError(f"{where}, range {i}: {exc}") from None
    return out


def parse_hours(data: Mapping[str, object]) -> BusinessHours:
    """Read business hours from their dict (or TOML) form.

    ```toml
    timezone = "Europe/Lisbon"
    [weekly]
    mon-fri = ["08:00-20:00"]
    sat = ["09:00-13:00"]
    [exceptions]
    2025-12-25 = []                 # closed
    2025-12-24 = ["09:00-13:00"]    # special hours
    ```

    Days left out of `weekly` are closed. A day named twice (say by "mon-fri" and "wed") or
    an unknown key is refused. Errors say which day and which range, and why.
    """
    unknown = set(data) - {"timezone", "weekly", "exceptions"}
    if unknown:
        raise HoursError(f"hours: unknown keys {sorted(unknown)}")
    tz = data.get("timezone")
    if not isinstance(tz, str):
        raise HoursError("hours: timezone is required, an IANA name such as 'Europe/Lisbon'")
    try:
        zone(tz)
    except HoursError as exc:
        raise HoursError(f"hours: timezone: {exc}") from None
    weekly_data = data.get("weekly", {})
    if not isinstance(weekly_data, Mapping):
        raise HoursError("hours: weekly must be a table of day -> ranges")
    weekly: list[tuple[OpenRange, ...] | None] = [None] * 7
    for key, value in weekly_data.items():
        where = f"hours: weekly {key!r}"
        try:
            indexes = day_names(str(key))
        except HoursError as exc:
            raise HoursError(f"{where}: {exc}") from None
        ranges = _ranges(value, where)
        for index in indexes:
            if weekly[index] is not None:
                raise HoursError(f"{where}: {DAYS[index]} is already given")
            weekly[index] = _check_day(
                ranges, where if key == DAYS[index] else f"{where} ({DAYS[index]})"
            )
    exceptions_data = data.get("exceptions", {})
    if not isinstance(exceptions_data, Mapping):
        raise HoursError("hours: exceptions must be a table of date -> ranges")
    exceptions: dict[date, tuple[OpenRange, ...]] = {}
    for key, value in exceptions_data.items():
        where = f"hours: exception {str(key)!r}"
        try:
            day = key if isinstance(key, date) else date.fromisoformat(str(key))
        except ValueError:
            raise HoursError(f"{where}: not a date (YYYY-MM-DD)") from None
        exceptions[day] = _check_day(_ranges(value, where), where)
    return BusinessHours(tz, tuple(w or () for w in weekly), exceptions)
