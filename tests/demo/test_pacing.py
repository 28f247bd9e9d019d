"""The busy demo's pacing and draws: caps that hold, a line that forms, decisions in bounds."""

from __future__ import annotations

import random

import pytest

from tapline.demo.pacing import (
    FILL_GAP,
    GIVE_UP,
    THINK_MAX,
    WANTS_CALLBACK,
    WARM_LINE,
    WINDOW,
    Caps,
    Pace,
    handle_time,
    plan_customer,
    think,
)
from tapline.settings import Settings

CAPS = Caps(bots=3, line=4, per_minute=6.0, handle=240.0)


def _run(pace: Pace, until: float, waiting: int = 0, alive: int | None = None) -> list[float]:
    """Ask whenever the pace allows, from 0 to `until`: the times asked."""
    asked: list[float] = []
    now = 0.0
    while now <= until:
        wait = pace.wait(now, waiting, len(asked) if alive is None else alive)
        if wait is None:
            break
        if wait == 0.0:
            pace.asked(now)
            asked.append(now)
        else:
            now += wait
    return asked


def test_the_first_customer_asks_at_once_and_the_line_forms_quickly() -> None:
    pace = Pace(CAPS)
    assert pace.wait(0.0, 0, 0) == 0.0
    pace.asked(0.0)
    # Until every specialist has a chat and WARM_LINE wait: FILL_GAP apart, not 10 s.
    for alive in range(1, CAPS.bots + WARM_LINE):
        assert pace.wait(0.0, max(0, alive - CAPS.bots), alive) == FILL_GAP
    assert pace.wait(FILL_GAP, 0, 1) == 0.0


def test_once_the_line_has_formed_customers_come_evenly_at_the_rate() -> None:
    pace = Pace(CAPS)
    pace.asked(0.0)
    alive = CAPS.bots + WARM_LINE
    assert pace.wait(1.0, WARM_LINE, alive) == pytest.approx(60.0 / CAPS.per_minute - 1.0)


def test_the_line_forms_within_seconds_with_the_defaults() -> None:
    """Three chats and two waiting at the default rate: 0, 2, 4, 6 and 8 s."""
    pace, asked, now = Pace(CAPS), [], 0.0
    while len(asked) < CAPS.bots + WARM_LINE:
        wait = pace.wait(now, max(0, len(asked) - CAPS.bots), len(asked))
        assert wait is not None
        now += wait
        pace.asked(now)
        asked.append(now)
    assert asked == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_never_more_than_the_rate_in_any_minute() -> None:
    caps = Caps(bots=6, line=12, per_minute=4.0, handle=60.0)
    asked = _run(Pace(caps), until=600.0, waiting=0, alive=0)  # idle bots: FILL_GAP each
    assert len(asked) > 8
    for start in asked:
        assert sum(start <= t < start + WINDOW for t in asked) <= caps.per_minute


def test_a_fractional_rate_still_lets_one_ask() -> None:
    caps = Caps(bots=1, line=4, per_minute=0.5, handle=60.0)
    pace = Pace(caps)
    pace.asked(0.0)
    assert pace.wait(1.0, WARM_LINE, 1 + WARM_LINE) == pytest.approx(119.0)


@pytest.mark.parametrize(("waiting", "alive"), [(4, 4), (5, 5), (0, 7), (1, 9)])
def test_nobody_asks_while_the_line_or_the_customers_are_at_their_caps(
    waiting: int, alive: int
) -> None:
    assert CAPS.customers == 7
    assert Pace(CAPS).wait(0.0, waiting, alive) is None


def test_the_caps_come_from_the_settings_and_are_bounded() -> None:
    settings = Settings(demo_bots=2, demo_line=3, demo_rate=30, demo_handle=8)
    assert Caps.from_settings(settings) == Caps(2, 3, 30.0, 8.0)
    for bad in ({"demo_bots": 7}, {"demo_line": 13}, {"demo_rate": 61}, {"demo_handle": 1}):
        with pytest.raises(ValueError):
            Settings(**bad)  # type: ignore[arg-type]


def test_customers_plans_are_in_bounds_and_in_the_stated_shares() -> None:
    rng = random.Random(7)
    plans = [plan_customer(rng, CAPS, n, problems=6) for n in range(4000)]
    patient = [p.patience for p in plans if p.patience is not None]
    assert all(0.5 * CAPS.handle <= t <= 2.0 * CAPS.handle for t in patient)
    assert abs(len(patient) / len(plans) - GIVE_UP) < 0.03
    assert abs(sum(p.callback for p in plans) / len(plans) - WANTS_CALLBACK) < 0.03
    assert {p.problem for p in plans} == set(range(6))
    assert {p.rating for p in plans} == {4, 5}


def test_chats_last_about_the_mean_within_their_bounds() -> None:
    rng = random.Random(11)
    times = [handle_time(rng, 240.0) for _ in range(4000)]
    assert all(60.0 <= t <= 720.0 for t in times)
    assert abs(sum(times) / len(times) - 240.0) < 10.0


def test_people_react_within_seconds_and_faster_when_chats_are_short() -> None:
    rng = random.Random(3)
    assert all(0 < think(rng, 240.0) <= THINK_MAX for _ in range(200))
    assert all(0 < think(rng, 8.0) <= 0.8 for _ in range(200))
