"""A queue's routing policy: its priority, sticky wait, widening and fallback queue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tapline.engine.errors import Path, SpecError
from tapline.engine.expressions import is_number

_KEYS = ("priority", "sticky_seconds", "widen_after", "anyone_after", "fallback")


@dataclass(frozen=True, slots=True)
class QueuePolicy:
    """How a queue routes its requests. The defaults route as a plain FCFS queue.

    - `priority`: added to each request's own priority (higher goes first, across queues).
    - `sticky_seconds`: how long a request with a preferred specialist is offered only to
      them (while they meet its requirements and are not offline).
    - `widen_after` (T1): after this many seconds of waiting, each minimum skill level is
      one lower (never below 1).
    - `anyone_after` (T2): after this many seconds, anyone with the queue's skill will do:
      skill levels and other skills are dropped, and authority constraints marked `widen`.
    - `fallback`: the queue that takes a request no registered specialist can ever serve
      here (instead of an `Unroutable` effect); its requirements are then the new queue's.
    """

    priority: int = 0
    sticky_seconds: float = 0.0
    widen_after: float | None = None
    anyone_after: float | None = None
    fallback: str | None = None

    def __post_init__(self) -> None:
        _check({key: getattr(self, key) for key in _KEYS})

    @property
    def final_stage(self) -> int:
        """The widest stage a request of this queue reaches: 0, 1 (T1) or 2 (T2)."""
        if self.anyone_after is not None:
            return 2
        return 1 if self.widen_after is not None else 0

    def stage_at(self, waited: float) -> int:
        """The widening stage of a request that has waited `waited` seconds."""
        if self.anyone_after is not None and waited >= self.anyone_after:
            return 2
        if self.widen_after is not None and waited >= self.widen_after:
            return 1
        return 0

    def next_widening(self, waited: float) -> float | None:
        """Seconds of waiting at which the stage next changes, or None."""
        for after in (self.widen_after, self.anyone_after):
            if after is not None and after > waited:
                return after
        return None

    @classmethod
    def from_dict(cls, data: Mapping[str, object], path: Path = ()) -> QueuePolicy:
        for key in data:
            if key not in _KEYS:
                raise SpecError((*path, key), f"unknown key (expected {', '.join(_KEYS)})")
        try:
            # checked before construction: a compiled engine refuses an ill-typed field
            # with a TypeError that could not name the key
            _check(data)
            return cls(**data)  # type: ignore[arg-type]
        except SpecError as error:
            raise SpecError(path + error.path, error.reason) from None

    def to_dict(self) -> dict[str, object]:
        data = {key: getattr(self, key) for key in _KEYS}
        return {key: value for key, value in data.items() if value is not None}


def _check(values: Mapping[str, object]) -> None:
    priority = values.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise SpecError(("priority",), f"a whole number, not {priority!r}")
    _seconds(values.get("sticky_seconds", 0.0), ("sticky_seconds",))
    widen_after, anyone_after = values.get("widen_after"), values.get("anyone_after")
    if widen_after is not None:
        _seconds(widen_after, ("widen_after",))
    if anyone_after is not None:
        _seconds(anyone_after, ("anyone_after",))
        if widen_after is not None and anyone_after < widen_after:  # type: ignore[operator]
            raise SpecError(("anyone_after",), "anyone_after comes after widen_after")
    fallback = values.get("fallback")
    if fallback is not None and (not isinstance(fallback, str) or not fallback):
        raise SpecError(("fallback",), "the fallback is a queue's id")


def _seconds(value: object, path: Path) -> None:
    if not is_number(value) or value < 0:  # type: ignore[operator]
        raise SpecError(path, f"a number of seconds, 0 or more, not {value!r}")


DEFAULT = QueuePolicy()
