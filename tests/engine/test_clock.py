from __future__ import annotations

import time

import pytest

from tapline.engine import Clock, FakeClock, SystemClock


def test_fake_clock_starts_where_told_and_moves_only_when_told() -> None:
    clock = FakeClock(5.0)
    assert clock.now() == 5.0
    assert clock.now() == 5.0
    assert clock.advance(2.5) == 7.5
    assert clock.now() == 7.5
    clock.set(1.0)
    assert clock.now() == 1.0


def test_fake_clock_defaults_to_zero() -> None:
    assert FakeClock().now() == 0.0


def test_fake_clock_does_not_advance_backward() -> None:
    clock = FakeClock(3.0)
    with pytest.raises(ValueError):
        clock.advance(-1.0)
    assert clock.now() == 3.0


def test_system_clock_tells_epoch_seconds() -> None:
    before = time.time()
    now = SystemClock().now()
    after = time.time()
    assert before <= now <= after
    assert now > 1_600_000_000  # epoch seconds, not a monotonic counter


def test_both_clocks_are_clocks() -> None:
    clocks: list[Clock] = [SystemClock(), FakeClock()]
    assert all(isinstance(c.now(), float) for c in clocks)
