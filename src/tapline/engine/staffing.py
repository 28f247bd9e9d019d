"""Specialists' shifts and absences, and the staffing they make. Pure code, no I/O.

Shifts are written in wall-clock time in a time zone, like business hours (`hours.py`), and
follow daylight saving the same way (both build on `wall_clock.py`). `Staffing` answers how
many specialists with a skill are on shift at an instant, and as a step function over a
period (for wait estimates and callback slots). It is the plan, not live presence.
See docs/subsystems/callbacks.md.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tapline.engine.errors import InvalidArgument
from tapline.engine.wall_clock import (
    ONE_DAY,
    HoursError,
    OpenRange,
    Span,
    clip,
    day_names,
    days_between,
    local_date,
    merge,
    subtract,
    wall_to_epoch,
    zone,
)


@dataclass(frozen=True, slots=True)
class WeeklyShift:
    """A specialist's recurring shift: the same wall-clock range on some weekdays, in a zone."""

    specialist_id: str
    days: frozenset[int]
    """Weekday indexes, 0 = Monday. The range belongs to the day it starts on."""
    hours: OpenRange
    timezone: str

    def __post_init__(self) -> None:
        zone(self.timezone)
        if not self.days or not self.days <= frozenset(range(7)):
            raise HoursError(f"shift of {self.specialist_id}: days are 0 (Monday) to 6")

    def spans(self, start: float, end: float) -> list[Span]:
        """The shift's occurrences within `[start, end)`, clipped to it."""
        if end <= start:
            return []
        tz = zone(self.timezone)
        days = days_between(local_date(start, tz) - ONE_DAY, local_date(end, tz))
        spans = merge(self.hours.span(d, tz) for d in days if d.weekday() in self.days)
        return clip(spans, start, end)


@dataclass(frozen=True, slots=True)
class DatedShift:
    """A one-off shift, from `start` to `end` (epoch seconds)."""

    specialist_id: str
    start: float
    end: float

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise HoursError(f"shift of {self.specialist_id}: it must end after it starts")

    def spans(self, start: float, end: float) -> list[Span]:
        return clip([(self.start, self.end)], start, end)


@dataclass(frozen=True, slots=True)
class Absence:
    """Time off: the specialist is not on shift from `start` to `end`, whatever the shifts say."""

    specialist_id: str
    start: float
    end: float

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise HoursError(f"absence of {self.specialist_id}: it must end after it starts")


Shift = WeeklyShift | DatedShift

_BUCKET = 86_400.0
_CACHED_BUCKETS = 1024
Steps = list[tuple[float, int]]


class Staffing:
    """Who is on shift when, and with which skills: the plan, not live presence.

    Immutable: to change shifts or skills, build a new one. `skills` maps each specialist to
    their skills and levels (1-5), as the engine's `set_specialist` does.
    """

    def __init__(
        self,
        shifts: Iterable[Shift | Absence],
        skills: Mapping[str, Mapping[str, int]],
    ) -> None:
        self._shifts: dict[str, list[Shift]] = {}
        self._absences: dict[str, list[Span]] = {}
        for item in shifts:
            if isinstance(item, Absence):
                self._absences.setdefault(item.specialist_id, []).append((item.start, item.end))
            else:
                self._shifts.setdefault(item.specialist_id, []).append(item)
        self._absences = {sid: merge(spans) for sid, spans in self._absences.items()}
        for sid, levels in skills.items():
            for skill, level in levels.items():
                if not 1 <= level <= 5:
                    raise InvalidArgument(f"{sid}: skill {skill!r} level must be 1 to 5")
        self._skills = {sid: dict(levels) for sid, levels in skills.items()}
        self._buckets: OrderedDict[tuple[str, int, int], Steps] = OrderedDict()

    @classmethod
    def empty(cls) -> Staffing:
        """No one on shift, ever."""
        return cls((), {})

    def skills(self, specialist_id: str) -> dict[str, int]:
        return dict(self._skills.get(specialist_id, {}))

    def _eligible(self, skill: str, min_level: int) -> list[str]:
        return sorted(
            sid for sid in self._shifts if self._skills.get(sid, {}).get(skill, 0) >= min_level
        )

    def spans(self, specialist_id: str, start: float, end: float) -> list[Span]:
        """When the specialist is on shift within `[start, end)` (absences taken out)."""
        spans = merge(s for sh in self._shifts.get(specialist_id, ()) for s in sh.spans(start, end))
        return subtract(spans, self._absences.get(specialist_id, []))

    def on_shift(self, specialist_id: str, t: float) -> bool:
        return bool(self.spans(specialist_id, t, t + 1e-6))

    def specialists(self, t: float, skill: str, min_level: int = 1) -> list[str]:
        """The specialists on shift at `t` with `skill` at `min_level` or more, sorted."""
        return [sid for sid in self._eligible(skill, min_level) if self.on_shift(sid, t)]

    def staffed(self, t: float, skill: str, min_level: int = 1) -> int:
        """How many specialists with `skill` (at `min_level` or more) are on shift at `t`."""
        steps = self._bucket(skill, min_level, int(t // _BUCKET))
        return steps[bisect_right(steps, (t, 1 << 62)) - 1][1]

    def profile(
        self, skill: str, start: float, end: float, min_level: int = 1
    ) -> list[tuple[float, int]]:
        """The staffed count over `[start, end)` as a step function.

        `[(start, n0), (t1, n1), ...]`: n0 from `start`, n1 from t1, and so on to `end`; each
        entry differs in count from the one before.
        """
        out: list[tuple[float, int]] = []
        if end <= start:
            return out
        for index in range(int(start // _BUCKET), int((end - 1e-9) // _BUCKET) + 1):
            for t, count in self._bucket(skill, min_level, index):
                if t >= end:
                    break
                t = max(t, start)
                if out and out[-1][0] == t:
                    out[-1] = (t, count)
                elif not out or out[-1][1] != count:
                    out.append((t, count))
        # Equal neighbours can appear where an entry was overwritten at `start`.
        return [p for i, p in enumerate(out) if i == 0 or p[1] != out[i - 1][1]]

    def _bucket(self, skill: str, min_level: int, index: int) -> Steps:
        key = (skill, min_level, index)
        steps = self._buckets.get(key)
        if steps is not None:
            self._buckets.move_to_end(key)
            return steps
        steps = self._steps(skill, min_level, index * _BUCKET, (index + 1) * _BUCKET)
        self._buckets[key] = steps
        if len(self._buckets) > _CACHED_BUCKETS:
            self._buckets.popitem(last=False)
        return steps

    def _steps(self, skill: str, min_level: int, start: float, end: float) -> Steps:
        count = 0
        changes: dict[float, int] = {}
        for sid in self._eligible(skill, min_level):
            for s, e in self.spans(sid, start, end):
                if s <= start:
                    count += 1
                else:
                    changes[s] = changes.get(s, 0) + 1
                if e < end:
                    changes[e] = changes.get(e, 0) - 1
        steps: Steps = [(start, count)]
        for t in sorted(changes):
            if changes[t]:
                count += changes[t]
                steps.append((t, count))
        return steps


def parse_shifts(items: Sequence[Mapping[str, object]]) -> list[Shift | Absence]:
    """Read shifts and absences from their dict (or TOML array-of-tables) form.

    ```toml
    [[shift]]                        # weekly
    specialist = "ana"
    days = "mon-fri"                 # or ["mon", "wed"]
    hours = "08:00-16:00"
    timezone = "Europe/Lisbon"
    [[shift]]                        # one-off (off = true makes it an absence)
    specialist = "bo"
    start = "2025-03-30T08:00"       # local wall time in `timezone`, or with an offset
    end = "2025-03-30T14:00"
    timezone = "Europe/Lisbon"
    ```
    """
    out: list[Shift | Absence] = []
    for i, item in enumerate(items, start=1):
        sid = item.get("specialist")
        where = f"shift {i}" + (f" ({sid})" if isinstance(sid, str) else "")
        try:
            out.append(_parse_shift(item))
        except HoursError as exc:
            raise HoursError(f"{where}: {exc}") from None
    return out


def _parse_shift(item: Mapping[str, object]) -> Shift | Absence:
    sid, tz = item.get("specialist"), item.get("timezone")
    if not isinstance(sid, str) or not sid:
        raise HoursError("specialist is required")
    if not isinstance(tz, str):
        raise HoursError("timezone is required, an IANA name such as 'Europe/Lisbon'")
    tzinfo = zone(tz)
    if "hours" in item:
        unknown = set(item) - {"specialist", "timezone", "days", "hours"}
        if unknown:
            raise HoursError(f"unknown keys {sorted(unknown)}")
        days_value = item.get("days")
        names = [days_value] if isinstance(days_value, str) else days_value
        if not isinstance(names, list) or not names:
            raise HoursError("days is required: 'mon-fri' or a list such as ['mon', 'wed']")
        days = frozenset(d for name in names for d in day_names(str(name)))
        hours = item["hours"]
        if not isinstance(hours, str):
            raise HoursError("hours is a range such as '08:00-16:00'")
        return WeeklyShift(sid, days, OpenRange.parse(hours), tz)
    unknown = set(item) - {"specialist", "timezone", "start", "end", "off"}
    if unknown:
        raise HoursError(f"unknown keys {sorted(unknown)} (a weekly shift needs hours)")
    start = _instant(item.get("start"), tzinfo, "start")
    end = _instant(item.get("end"), tzinfo, "end")
    make: Callable[[str, float, float], Shift | Absence] = (
        Absence if item.get("off") is True else DatedShift
    )
    return make(sid, start, end)


def _instant(value: object, tz: ZoneInfo, name: str) -> float:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise HoursError(f"{name}: {value!r} is not a date and time (ISO 8601)") from None
    if not isinstance(value, datetime):
        raise HoursError(f"{name} is required: a date and time such as '2025-03-30T08:00'")
    if value.tzinfo is None:
        return wall_to_epoch(value, tz)
    return value.timestamp()
