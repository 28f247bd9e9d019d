"""Wall-clock time in a time zone: the arithmetic business hours and shifts share.

Pure code, no I/O. Instants are Unix epoch seconds (floats); an interval `(start, end)` is
half-open. A wall time the clock skips (spring forward) happens at the moment of the jump,
and a wall time the clock repeats (fall back) is its first occurrence. Business hours are
in `hours.py`, shifts and staffing in `staffing.py`; both build on this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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


def wall_at(day: date, minutes: int, tz: ZoneInfo) -> float:
    """The instant `minutes` after local midnight of `day` happens in `tz`."""
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
        return (wall_at(day, self.start, tz), wall_at(day, self.end, tz))


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


def day_names(key: str) -> list[int]:
    """Day indexes for "mon", "mon-fri" or "fri-mon" (which wraps round the week)."""
    names = [part.strip().lower() for part in key.split("-")]
    if len(names) > 2 or any(name not in DAYS for name in names):
        raise HoursError(f"{key!r} is not a day or a range of days (mon, tue, ... or mon-fri)")
    first, last = DAYS.index(names[0]), DAYS.index(names[-1])
    return [(first + i) % 7 for i in range((last - first) % 7 + 1)]
