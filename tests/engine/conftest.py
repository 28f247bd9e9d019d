"""Fixtures for the engine's tests: a FakeClock, an engine with two queues, and staffing."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from tapline.engine import Effect, Engine, FakeClock, Presence

START = 1_000.0
OFFER_TIMEOUT = 30.0
GRACE = 120.0

Staff = Callable[..., list[Effect]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def engine(clock: FakeClock) -> Engine:
    """Queues "pay" (skill payments) and "ship" (skill shipping), no specialists."""
    engine = Engine(clock, offer_timeout=OFFER_TIMEOUT, customer_grace=GRACE)
    engine.add_queue("pay", "payments")
    engine.add_queue("ship", "shipping")
    return engine


@pytest.fixture
def staff(engine: Engine) -> Staff:
    """Register a specialist and (by default) make them AVAILABLE; returns the last effects."""

    def add(
        specialist_id: str,
        skills: Mapping[str, int] | None = None,
        capacity: int = 1,
        available: bool = True,
    ) -> list[Effect]:
        effects = engine.set_specialist(
            specialist_id, skills=skills or {"payments": 3}, capacity=capacity
        )
        if available:
            effects = engine.set_presence(specialist_id, Presence.AVAILABLE)
        return effects

    return add
