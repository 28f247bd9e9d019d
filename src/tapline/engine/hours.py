"""Business hours in a time zone, and the wall-clock arithmetic shifts share. Pure code, no I/O.

Instants are Unix epoch seconds (floats); an interval `(start, end)` is half-open. Schedules
are written in wall-clock time in a time zone and turned into instants day by day, so they
follow daylight saving: a wall time the clock skips (spring forward) happens at the moment of
the jump, and a wall time the clock repeats (fall back) is its first occurrence.
See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tapline.engine.errors import EngineError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day names as written in schedules, Monday first (index = `date.weekday()`)."""
MINUTES_PER_DAY = 24 * 60
ONE_DAY = timedelta(days=1)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

Span = tuple[float, float]
"""An interval of time `(start, end)` in epoch seconds, start included, end excluded."""


class HoursError(EngineError, ValueError):
    """Business hours or shifts that cannot be used. The message says where and why."""


# -- Wall-clock time ---------------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    """The time zone called `name` (an IANA name such as "Europe/Lisbon"), or HoursError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursError(f"unknown time zone {name!r}") from None


def local_date(t: float, tz: ZoneInfo) -> date:
    """The calendar date in `tz` at instant `t`."""
    return datetime.fromtimestamp(t, tz).date()


def wall_to_epoch(wall: datetime, tz: ZoneInfo) -> float:
    """The instant a naive wall-clock time happens in `tz`.

    A repeated wall time (fall back) is its first occurrence; a skipped one (spring forward)
    is the instant of the jump, when the clock passes it.
    """
    first = wall.replace(tzinfo=tz, fold=0).timestamp()
    second = wall.replace(tzinfo=tz, fold=1).timestamp()
    if first <= second:  # the usual case (equal), or a repeated wall time
        return first
    # Skipped: fold=0 read it with the offset before the jump, fold=1 with the one after,
    # so the jump lies in (second, first]. Find its second by bisection.
    after = datetime.fromtimestamp(first, tz).utcoffset()
    lo, hi = int(second), int(first)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return float(hi)


def _wall(day: date, minutes: int, tz: ZoneInfo) -> float:
    return wall_to_epoch(datetime.combine(day, time()) + timedelta(minutes=minutes), tz)


def _clock_minutes(text: str, *, end: bool) -> int:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise HoursError(f"{text!r} is not a time of day (HH:MM)")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise HoursError(f"{text!r} is not a time of day (00:00 to 23:59, or 24:00 as an end)")
    return hours * 60 + minutes


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True, order=True)
class OpenRange:
    """Wall-clock time on one day, in minutes from that day's local midnight.

    `end` is after `start`, at most a day later; an end past 24:00 runs into the next day
    ("22:00-02:00" is 1320-1560). The range belongs to the day it starts on.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < MINUTES_PER_DAY:
            raise HoursError(f"a range starts between 00:00 and 23:59, not at minute {self.start}")
        if not self.start < self.end <= self.start + MINUTES_PER_DAY:
            raise HoursError(f"a range ends after it starts and within a day: {self}")

    @classmethod
    def parse(cls, text: str) -> OpenRange:
        """Parse "HH:MM-HH:MM". An end at or before the start is on the next day."""
        if not isinstance(text, str) or text.count("-") != 1:
            raise HoursError(f"{text!r} is not a range of the form HH:MM-HH:MM")
        first, last = text.split("-")
        try:
            start = _clock_minutes(first, end=False)
            end = _clock_minutes(last, end=True)
        except HoursError as exc:
            raise HoursError(f"{text!r}: {exc}") from None
        if end == start:
            raise HoursError(f"{text!r} is empty (for a whole day write 00:00-24:00)")
        if end < start:
            end += MINUTES_PER_DAY
        return cls(start, end)

    def __str__(self) -> str:
        end = self.end if self.end <= MINUTES_PER_DAY else self.end - MINUTES_PER_DAY
        return f"{_hhmm(self.start)}-{_hhmm(end)}"

    def span(self, day: date, tz: ZoneInfo) -> Span:
        """The instants this range covers on `day` in `tz` (empty if the clock skips it all)."""
        return (_wall(day, self.start, tz), _wall(day, self.end, tz))


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of `spans` as sorted, disjoint, non-touching spans (empty ones dropped)."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """`spans` minus `holes`; both sorted and disjoint (as `merge` returns them)."""
    out: list[Span] = []
    for start, end in spans:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def clip(spans: Iterable[Span], start: float, end: float) -> list[Span]:
    """The parts of `spans` inside `[start, end)`."""
    return [(max(s, start), min(e, end)) for s, e in spans if e > start and s < end]


def days_between(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


# -- Business hours ----------------------------------------------------------------------


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
            if stretch < _wall(end_day + ONE_DAY, 0, self._tz):  # no later day's range joins it
                return stretch
            end_day += timedelta(days=7)
        return None


def _check_day(ranges: Iterable[OpenRange], where: str) -> tuple[OpenRange, ...]:
    ordered = tuple(sorted(ranges))
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise HoursError(f"{where}: ranges {a} and {b} overlap")
    return ordered


def day_names(key: str) -> list[int]:
    """Day indexes for "mon", "mon-fri" or "fri-mon" (which wraps round the week)."""
    names = [part.strip().lower() for part in key.split("-")]
    if len(names) > 2 or any(name not in DAYS for name in names):
        raise HoursError(f"{key!r} is not a day or a range of days (mon, tue, ... or mon-fri)")
    first, last = DAYS.index(names[0]), DAYS.index(names[-1])
    return [(first + i) % 7 for i in range((last - first) % 7 + 1)]


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


# Shifts and staffing live in `staffing.py` (which builds on this module). They are also
# importable from here, lazily, because the first plan had them in this module.
_STAFFING_NAMES = frozenset(
    {"Absence", "DatedShift", "Shift", "Staffing", "WeeklyShift", "parse_shifts"}
)

if TYPE_CHECKING:
    from tapline.engine.staffing import Absence as Absence
    from tapline.engine.staffing import DatedShift as DatedShift
    from tapline.engine.staffing import Shift as Shift
    from tapline.engine.staffing import Staffing as Staffing
    from tapline.engine.staffing import WeeklyShift as WeeklyShift
    from tapline.engine.staffing import parse_shifts as parse_shifts


def __getattr__(name: str) -> object:
    if name in _STAFFING_NAMES:
        from tapline.engine import staffing

        return getattr(staffing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
