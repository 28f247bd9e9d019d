"""Online learning of handle times, patience (from censored waits) and the range's ends."""

from __future__ import annotations

import math
import random

import pytest

from tapline.engine.learning import (
    N_BUCKETS,
    HandleTimes,
    Patience,
    RangeCalibration,
    bin_of,
    bucket_of,
    edge,
)


def test_bins_are_geometric_and_cover_their_edges() -> None:
    assert bin_of(0.0) == 0 and bin_of(0.5) == 0
    for k in range(1, 90):
        assert bin_of(edge(k) * 1.0001) == k
        assert edge(k + 1) / edge(k) == pytest.approx(2**0.25)
    assert bin_of(1e12) == bin_of(1e13)


def test_buckets_by_position() -> None:
    assert [bucket_of(n) for n in (0, 1, 2, 3, 4, 7, 8, 127, 128, 10_000)] == [
        0,
        1,
        2,
        2,
        3,
        3,
        4,
        7,
        8,
        N_BUCKETS - 1,
    ]


def test_handle_times_learn_the_mean_and_spread() -> None:
    rng = random.Random(1)
    expo = HandleTimes(prior_mean=60.0)
    logn = HandleTimes(prior_mean=60.0)
    sigma = math.sqrt(math.log(1 + 0.5**2))
    for _ in range(20_000):
        expo.observe(rng.expovariate(1 / 240))
        logn.observe(rng.lognormvariate(math.log(240) - sigma**2 / 2, sigma))
    assert expo.mean == pytest.approx(240, rel=0.03) and expo.cv2 == pytest.approx(1.0, abs=0.1)
    assert logn.mean == pytest.approx(240, rel=0.02) and logn.cv2 == pytest.approx(0.25, abs=0.04)
    # the histogram's survival function is the exponential's
    for t in (60.0, 240.0, 600.0):
        assert expo.survival(t) == pytest.approx(math.exp(-t / 240), abs=0.02)
    assert expo.equilibrium_cdf(240.0) == pytest.approx(1 - math.exp(-1), abs=0.03)


def test_the_prior_holds_until_data_comes() -> None:
    handle = HandleTimes(prior_mean=300.0, prior_weight=5.0)
    assert handle.mean == 300.0 and handle.count == 0
    handle.observe(100.0)
    assert handle.mean == pytest.approx((100 + 5 * 300) / 6, rel=1e-3)


def test_forgetting_follows_a_drift() -> None:
    handle = HandleTimes(prior_mean=100.0, half_life=1000.0)
    for _ in range(5000):
        handle.observe(100.0)
    for _ in range(8000):
        handle.observe(200.0)
    assert handle.mean == pytest.approx(200.0, rel=0.01)


def test_weights_are_renormalized_without_changing_the_answer() -> None:
    # the weight doubles every observation: rescaled every ~500 observations
    a = HandleTimes(prior_mean=50.0, prior_weight=1e-6, half_life=1.0)
    for i in range(2000):
        a.observe(10.0 + i % 3)
    assert math.isfinite(a.mean) and a.mean == pytest.approx(11.0, abs=1.0)


def test_patience_rate_from_censored_waits() -> None:
    # Patience ~ Exp(θ); a wait ends at the patience or at service, whichever comes first.
    rng = random.Random(2)
    theta = 1 / 300
    patience = Patience(prior_mean=1000.0)
    for _ in range(40_000):
        p = rng.expovariate(theta)
        served = rng.expovariate(1 / 90)
        patience.observe(min(p, served), abandoned=p < served)
    assert patience.rate == pytest.approx(theta, rel=0.05)
    for t in (30.0, 120.0, 300.0):
        assert patience.survival(t) == pytest.approx(math.exp(-theta * t), abs=0.03)


def test_the_life_table_sees_a_hazard_that_changes_with_time() -> None:
    rng = random.Random(3)
    patience = Patience()
    for _ in range(40_000):
        p = 60.0 + rng.expovariate(1 / 200)  # nobody gives up in the first minute
        served = rng.expovariate(1 / 150)
        patience.observe(min(p, served), abandoned=p < served)
    assert patience.cumulative_hazard(50.0) < 0.02
    rate_later = (patience.cumulative_hazard(200.0) - patience.cumulative_hazard(100.0)) / 100
    assert rate_later == pytest.approx(1 / 200, rel=0.15)


def test_bad_observations_are_refused() -> None:
    with pytest.raises(ValueError):
        HandleTimes().observe(-1.0)
    with pytest.raises(ValueError):
        HandleTimes().observe(math.nan)
    with pytest.raises(ValueError):
        Patience().observe(math.inf, abandoned=True)
    with pytest.raises(ValueError):
        HandleTimes(prior_mean=0.0)
    with pytest.raises(ValueError):
        RangeCalibration(0.9, 0.1)


def test_range_calibration_converges_to_10_percent_misses_each_side() -> None:
    # The model's range [1, 2] is too narrow and too low for waits ~ U(0.5, 4).
    rng = random.Random(4)
    cal = RangeCalibration(0.1, 0.9, step=0.01)
    below = above = n = 0
    for i in range(60_000):
        f_low, f_high = cal.factors(5)
        low, high = 1.0 * f_low, 2.0 * f_high
        wait = rng.uniform(0.5, 4.0)
        cal.update(5, low, high, wait, True, None)
        if i >= 20_000:
            n += 1
            below += wait < low
            above += wait > high
    assert below / n == pytest.approx(0.1, abs=0.01)
    assert above / n == pytest.approx(0.1, abs=0.01)
    # the ends settle at the true quantiles: 0.85 and 3.65
    f_low, f_high = cal.factors(5)
    assert f_low == pytest.approx(0.85, abs=0.05) and 2 * f_high == pytest.approx(3.65, abs=0.1)
    # other buckets are untouched
    assert cal.factors(0) == (1.0, 1.0)
