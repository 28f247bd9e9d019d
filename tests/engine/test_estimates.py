"""Wait estimates: the hypoexponential law against direct computation, and the QueueModel."""

from __future__ import annotations

import copy
import math
import pickle
import random
from decimal import Decimal, getcontext

import pytest

from tapline.engine.estimate_law import (
    WaitLaw,
    betainc,
    betaincinv,
    digamma,
    gammainc,
    gammaincinv,
    mean_wait,
)
from tapline.engine.estimates import Estimate, QueueModel


def exact_cdf(ahead: int, rate: float, theta: float, t: float) -> float:
    """P(W <= t) by partial fractions, Σ_i C_i e^(-λ_i t), in 80-digit decimals.

    Numerically hopeless in floats for long lines (alternating terms), exact enough here.
    """
    getcontext().prec = 80
    lam = [Decimal(rate) + i * Decimal(theta) for i in range(ahead + 1)]
    tt = Decimal(t)
    total = Decimal(0)
    for i, li in enumerate(lam):
        c = Decimal(1)
        for j, lj in enumerate(lam):
            if j != i:
                c *= lj / (lj - li)
        total += c * (-li * tt).exp()
    return float(1 - total)


CASES = [
    (0, 0.2, 0.003),
    (1, 50 / 240, 1 / 300),
    (5, 10 / 240, 1 / 300),
    (20, 10 / 240, 1 / 300),
    (40, 50 / 240, 1 / 300),
    (3, 0.01, 0.5),  # b = sμ/θ < 1: very few specialists, very impatient customers
    (12, 1.0, 5.0),
]


@pytest.mark.parametrize(("ahead", "rate", "theta"), CASES)
@pytest.mark.parametrize("p", [0.03, 0.1, 0.5, 0.9, 0.97])
def test_quantiles_match_the_partial_fractions(
    ahead: int, rate: float, theta: float, p: float
) -> None:
    law = WaitLaw(ahead, rate, theta)
    q = law.quantile(p)
    assert exact_cdf(ahead, rate, theta, q) == pytest.approx(p, abs=1e-9)
    assert law.cdf(q) == pytest.approx(p, abs=1e-11)


@pytest.mark.parametrize(("ahead", "rate", "theta"), CASES)
def test_mean_and_variance_are_the_sums_over_stages(ahead: int, rate: float, theta: float) -> None:
    law = WaitLaw(ahead, rate, theta)
    stages = [rate + i * theta for i in range(ahead + 1)]
    assert law.mean() == pytest.approx(sum(1 / r for r in stages), rel=1e-12)
    assert law.variance() == pytest.approx(sum(1 / r**2 for r in stages), rel=1e-12)


@pytest.mark.parametrize("ahead", [16, 100, 1000, 5000])
def test_the_digamma_form_of_the_mean_equals_the_direct_sum(ahead: int) -> None:
    rate, theta = 50 / 240, 1 / 300
    direct = math.fsum(1 / (rate + i * theta) for i in range(ahead + 1))
    assert mean_wait(ahead, rate, theta) == pytest.approx(direct, rel=1e-10)


def test_long_lines_quantiles_integrate_to_the_mean() -> None:
    # No closed form to compare with at n = 500, but E[W] = ∫0^1 Q(p) dp and the quantiles
    # must be the inverse of the CDF.
    law = WaitLaw(500, 50 / 240, 1 / 300)
    grid = 4000
    integral = sum(law.quantile((k + 0.5) / grid) for k in range(grid)) / grid
    assert integral == pytest.approx(law.mean(), rel=2e-3)
    for p in (0.01, 0.1, 0.5, 0.9, 0.99):
        assert law.cdf(law.quantile(p)) == pytest.approx(p, abs=1e-10)


def test_monte_carlo_agrees_with_the_quantiles() -> None:
    rng = random.Random(12)
    ahead, rate, theta = 8, 10 / 240, 1 / 300
    draws = sorted(
        sum(rng.expovariate(rate + i * theta) for i in range(ahead + 1)) for _ in range(40_000)
    )
    law = WaitLaw(ahead, rate, theta)
    for p in (0.1, 0.5, 0.9):
        # the empirical CDF at the law's quantile: binomial, 5 standard errors
        q = law.quantile(p)
        share = sum(1 for d in draws if d <= q) / len(draws)
        assert abs(share - p) < 5 * math.sqrt(p * (1 - p) / len(draws))


def test_without_abandonment_the_law_is_erlang() -> None:
    ahead, rate = 6, 0.3
    law = WaitLaw(ahead, rate, 0.0)
    for p in (0.1, 0.5, 0.9):
        x = law.quantile(p) * rate
        erlang = 1 - math.exp(-x) * sum(x**k / math.factorial(k) for k in range(ahead + 1))
        assert erlang == pytest.approx(p, abs=1e-10)
    # and a tiny θ is continuous with θ = 0
    assert WaitLaw(ahead, rate, 1e-12).quantile(0.9) == pytest.approx(law.quantile(0.9), rel=1e-6)


def test_special_functions_identities() -> None:
    assert betainc(2.0, 3.0, 0.4) == pytest.approx(1 - betainc(3.0, 2.0, 0.6), abs=1e-14)
    assert betaincinv(2.5, 7.0, betainc(2.5, 7.0, 0.2)) == pytest.approx(0.2, rel=1e-10)
    assert gammaincinv(4.0, gammainc(4.0, 2.5)) == pytest.approx(2.5, rel=1e-10)
    assert gammainc(1.0, 2.0) == pytest.approx(1 - math.exp(-2.0), abs=1e-14)
    assert digamma(1.0) == pytest.approx(-0.5772156649015329, abs=1e-12)
    assert digamma(10.5) - digamma(0.5) == pytest.approx(sum(1 / (0.5 + i) for i in range(10)))


def test_invalid_laws_are_refused() -> None:
    for args in ((-1, 1.0, 0.1), (0, 0.0, 0.1), (0, 1.0, -0.1)):
        with pytest.raises(ValueError):
            WaitLaw(*args)


def test_estimates_and_laws_are_values() -> None:
    # Written-out classes (mypyc compiles their __init__): equal, hashed, shown and pickled
    # by their fields, made by keyword too.
    est = Estimate(mean=60.0, low=30.0, high=90.0, promise=120.0, ahead=2)
    assert est == Estimate(60.0, 30.0, 90.0, 120.0, 2) != Estimate(60.0, 30.0, 90.0, 120.0, 3)
    assert hash(est) == hash(Estimate(60.0, 30.0, 90.0, 120.0, 2))
    assert repr(est) == "Estimate(mean=60.0, low=30.0, high=90.0, promise=120.0, ahead=2)"
    assert pickle.loads(pickle.dumps(est)) == est and copy.copy(est) == est
    law = WaitLaw(ahead=3, rate=0.2, theta=0.01)
    assert law == WaitLaw(3, 0.2, 0.01) and hash(law) == hash(WaitLaw(3, 0.2, 0.01))
    assert repr(law) == "WaitLaw(ahead=3, rate=0.2, theta=0.01)"
    assert pickle.loads(pickle.dumps(law)) == law


# -- QueueModel ----------------------------------------------------------------------------


def test_a_new_model_answers_from_its_priors() -> None:
    model = QueueModel(handle_prior=300.0, patience_prior=600.0)
    est = model.estimate(0, 1.0)
    assert isinstance(est, Estimate) and est.ahead == 0
    assert est.mean == pytest.approx(300.0)
    assert est.low == pytest.approx(300.0 * -math.log(0.9))  # one exponential stage
    assert est.high == pytest.approx(300.0 * -math.log(0.1))
    assert est.low < est.mean < est.high <= est.promise


def test_estimates_grow_with_the_line_and_shrink_with_staff() -> None:
    model = QueueModel()
    means = [model.estimate(n, 5.0).mean for n in range(30)]
    assert means == sorted(means) and means[0] < means[-1]
    assert model.estimate(10, 10.0).mean < model.estimate(10, 5.0).mean


def test_nobody_there_and_nobody_scheduled_is_infinite() -> None:
    model = QueueModel()
    assert math.isinf(model.estimate(3, 0.0).mean)


def test_nobody_now_but_someone_later_waits_for_the_shift() -> None:
    model = QueueModel(handle_prior=300.0)
    est = model.estimate(0, 0.0, staffing=[(600.0, 2.0)])
    assert est.mean == pytest.approx(600.0 + 150.0)
    assert est.low >= 600.0


def test_more_staff_soon_shortens_the_wait() -> None:
    model = QueueModel(handle_prior=300.0, patience_prior=1e9)
    flat = model.estimate(20, 2.0)
    doubled = model.estimate(20, 2.0, staffing=[(0.001, 4.0)])
    assert doubled.mean == pytest.approx(flat.mean / 2, rel=1e-3)
    later = model.estimate(20, 2.0, staffing=[(flat.mean / 2, 4.0)])
    assert later.mean == pytest.approx(flat.mean * 3 / 4, rel=1e-3)


def test_learned_parameters_give_the_exact_m_m_s_m_estimate() -> None:
    rng = random.Random(3)
    model = QueueModel()
    mu, theta = 1 / 240, 1 / 300
    for _ in range(20_000):
        model.observe_service(rng.expovariate(mu))
        patience, served_after = rng.expovariate(theta), rng.expovariate(1 / 60)
        model.observe_wait(min(patience, served_after), abandoned=patience < served_after)
    assert model.mu == pytest.approx(mu, rel=0.04)
    assert model.theta == pytest.approx(theta, rel=0.06)
    est = model.estimate(30, 50.0)
    assert est.mean == pytest.approx(WaitLaw(30, 50 * mu, theta).mean(), rel=0.05)


def test_the_calibrated_range_covers_80_percent_when_the_model_is_wrong() -> None:
    # True waits: deterministic-ish service (less spread than exponential stages) and a 30%
    # bias. The raw hypoexponential range would miss; the tuned one covers 10%/80%/10%.
    rng = random.Random(7)
    model = QueueModel(handle_prior=60.0, patience_prior=1e9)

    def true_wait(ahead: int) -> float:
        return 1.3 * (ahead + 1) * 60.0 / 4 * rng.lognormvariate(0.0, 0.25)

    def run(n: int, learn: bool) -> tuple[float, float]:
        below = above = 0
        for _ in range(n):
            ahead = rng.randrange(0, 40)
            est = model.estimate(ahead, 4.0)
            wait = true_wait(ahead)
            below += wait < est.low
            above += wait > est.high
            if learn:
                model.observe_outcome(est, wait, served=True, patient=True)
        return below / n, above / n

    run(30_000, learn=True)
    below, above = run(20_000, learn=True)
    assert 0.08 <= below <= 0.12 and 0.08 <= above <= 0.12


def test_censored_outcomes_are_weighted_not_dropped() -> None:
    # Customers give up (exponential patience) before their wait is known. The tuned range
    # must still miss 10% of true waits on each side, not 10% of the waits that were seen.
    rng = random.Random(11)
    theta = 1 / 300
    model = QueueModel(handle_prior=60.0, patience_prior=300.0)
    for _ in range(3000):
        p, c = rng.expovariate(theta), rng.expovariate(1 / 60)
        model.observe_wait(min(p, c), abandoned=p < c)
    below = above = gave_up = n = 0
    for i in range(80_000):
        ahead = rng.randrange(0, 12)
        est = model.estimate(ahead, 2.0)
        wait = 1.5 * (ahead + 1) * 10.0 * rng.lognormvariate(0.0, 0.4)
        patience = rng.expovariate(theta)
        if patience < wait:
            model.observe_outcome(est, patience, served=False)
        else:
            model.observe_outcome(est, wait, served=True)
        if i >= 40_000:
            n += 1
            gave_up += patience < wait
            below += wait < est.low
            above += wait > est.high
    assert gave_up / n > 0.15  # plenty of censoring
    assert abs(below / n - 0.1) < 0.015 and abs(above / n - 0.1) < 0.015


def test_infinite_estimates_teach_nothing() -> None:
    model = QueueModel()
    before = (list(model.range.log_low), list(model.range.log_high))
    model.observe_outcome(model.estimate(2, 0.0), 50.0)
    assert (model.range.log_low, model.range.log_high) == before


def test_negative_positions_are_refused() -> None:
    with pytest.raises(ValueError):
        QueueModel().estimate(-1, 3.0)
    with pytest.raises(ValueError):
        QueueModel(low=0.5, high=0.4)


def test_waits_of_those_ahead_use_the_learned_hazard() -> None:
    # Patience that is never lost early (nobody gives up in the first 60 s): customers ahead
    # who just arrived will hardly give up before their turn, so the line moves slower than
    # for customers ahead who have waited long. With exponential patience it makes no odds.
    rng = random.Random(5)
    shifted = QueueModel(handle_prior=240.0)
    expo = QueueModel(handle_prior=240.0)
    for _ in range(20_000):
        p = 60.0 + rng.expovariate(1 / 240)
        c = rng.expovariate(1 / 120)
        shifted.observe_wait(min(p, c), abandoned=p < c)
        p = rng.expovariate(1 / 300)
        expo.observe_wait(min(p, c), abandoned=p < c)
    fresh = [1.0] * 20
    old = [100.0] * 20
    for model in (shifted, expo):
        assert model.estimate(20, 50.0, ahead_waited=[]).mean == model.estimate(20, 50.0).mean
    assert shifted.estimate(20, 50.0, ahead_waited=fresh).mean > 1.03 * (
        shifted.estimate(20, 50.0, ahead_waited=old).mean
    )
    assert expo.estimate(20, 50.0, ahead_waited=fresh).mean == pytest.approx(
        expo.estimate(20, 50.0, ahead_waited=old).mean, rel=0.02
    )


def test_a_whole_line_at_once_agrees_with_one_by_one() -> None:
    rng = random.Random(8)
    model = QueueModel()
    sigma = 0.83
    for _ in range(20_000):
        model.observe_service(rng.lognormvariate(math.log(240) - sigma**2 / 2, sigma))
        p, c = rng.lognormvariate(5.1, 1.08), rng.expovariate(1 / 60)
        model.observe_wait(min(p, c), abandoned=p < c)
    waited = sorted((rng.uniform(0, 300) for _ in range(150)), reverse=True)
    busy = [rng.uniform(0, 900) for _ in range(40)]
    line = model.estimate_line(40.0, busy, None, waited)
    assert [e.ahead for e in line] == list(range(150))
    for k in (0, 1, 2, 7, 30, 90, 149):
        one = model.estimate(k, 40.0, busy, None, waited[:k])
        assert line[k].mean == pytest.approx(one.mean, rel=0.02)
        assert line[k].low == pytest.approx(one.low, rel=0.02)
        assert line[k].high == pytest.approx(one.high, rel=0.02)
    assert [e.mean for e in line] == sorted(e.mean for e in line)
    assert model.estimate_line(40.0, busy, None, []) == []
    nobody = model.estimate_line(0.0, (), None, [5.0, 1.0])
    assert all(math.isinf(e.mean) for e in nobody)


def test_long_lines_interpolate_the_range_shape_accurately() -> None:
    model = QueueModel(handle_prior=240.0, patience_prior=300.0)
    for ahead in (65, 100, 333, 1000, 4000):
        law = model.law(ahead, 50.0)
        est = model.estimate(ahead, 50.0)
        assert est.high / est.mean == pytest.approx(law.quantile(0.9) / law.mean(), rel=1e-3)
        assert est.low / est.mean == pytest.approx(law.quantile(0.1) / law.mean(), rel=1e-3)


def test_elapsed_handle_times_matter_only_when_handle_times_have_memory() -> None:
    rng = random.Random(9)
    regular = QueueModel()  # chats of about 4 min (CV 0.1): a chat at 3.8 min ends soon
    memoryless = QueueModel()
    for _ in range(5000):
        regular.observe_service(240.0 * rng.lognormvariate(0.0, 0.1))
        memoryless.observe_service(rng.expovariate(1 / 240))
    near_end = [228.0] * 10
    fresh = [10.0] * 10
    base = regular.estimate(3, 10.0)
    assert regular.estimate(3, 10.0, near_end).mean < 0.5 * base.mean
    assert regular.estimate(3, 10.0, fresh).mean > 2.0 * base.mean
    m_base = memoryless.estimate(3, 10.0).mean
    for busy in (near_end, fresh):
        assert memoryless.estimate(3, 10.0, busy).mean == pytest.approx(m_base, rel=0.1)
    off = QueueModel(use_elapsed=False)
    for _ in range(5000):
        off.observe_service(240.0 * rng.lognormvariate(0.0, 0.1))
    assert off.estimate(3, 10.0, near_end).mean == off.estimate(3, 10.0).mean


def test_a_snapshot_through_json_goes_on_where_it_left_off() -> None:
    import json

    rng = random.Random(13)
    model = QueueModel(handle_prior=200.0, promise=0.95)

    def feed(m: QueueModel, r: random.Random, n: int) -> None:
        for _ in range(n):
            m.observe_service(r.lognormvariate(5.2, 0.8))
            p, c = r.expovariate(1 / 300), r.expovariate(1 / 60)
            m.observe_wait(min(p, c), abandoned=p < c)
            est = m.estimate(r.randrange(10), 8.0)
            m.observe_outcome(est, r.expovariate(1 / 60), served=True)

    feed(model, rng, 3000)
    copy = QueueModel.from_snapshot(json.loads(json.dumps(model.snapshot())))
    assert (copy.mu, copy.theta) == (model.mu, model.theta)
    assert copy.range.log_high == model.range.log_high
    assert copy.handle.count == model.handle.count == 3000
    # Tables built from the learned counts are rebuilt at once rather than at the next
    # 500th observation, so estimates agree closely rather than to the last bit.
    busy = [10.0, 200.0, 400.0]
    waited = [90.0, 30.0]
    a = model.estimate(5, 8.0, busy, None, waited)
    b = copy.estimate(5, 8.0, busy, None, waited)
    for x, y in ((a.mean, b.mean), (a.low, b.low), (a.high, b.high)):
        assert x == pytest.approx(y, rel=0.03)
    feed(model, random.Random(1), 500)
    feed(copy, random.Random(1), 500)
    assert copy.mu == pytest.approx(model.mu, rel=1e-9)
    assert copy.estimate(12, 8.0, busy).mean == pytest.approx(
        model.estimate(12, 8.0, busy).mean, rel=0.03
    )
    with pytest.raises(ValueError, match="version"):
        QueueModel.from_snapshot({**model.snapshot(), "version": 99})


def test_an_exact_hit_during_the_inversion_is_kept() -> None:
    # Found in the wild: a Halley step landing exactly on I_x = p (err == 0.0) once sent the
    # bracket search off to the wrong end. Scan many nearby laws for any wrong quantile.
    rate = 5 * 0.008307661620569794
    for k in range(200):
        theta = 2.7070003840492082e-05 * (1 + k * 1e-4)
        law = WaitLaw(10, rate, theta)
        for p in (0.1, 0.9, 0.97):
            assert law.cdf(law.quantile(p)) == pytest.approx(p, abs=1e-9)
    for a in (1.0, 3.0, 11.0, 200.0):
        for b in (0.3, 2.0, 1534.4773627521542, 1e5):
            for p in (0.01, 0.1, 0.5, 0.9, 0.99):
                x = betaincinv(a, b, p)
                assert betainc(a, b, x) == pytest.approx(p, abs=1e-9)


def test_quantiles_hold_across_a_wide_random_range_of_laws() -> None:
    rng = random.Random(0)
    for _ in range(1500):
        ahead = int(math.exp(rng.uniform(0, math.log(5000))))
        rate = math.exp(rng.uniform(math.log(1e-4), math.log(10)))
        theta = math.exp(rng.uniform(math.log(1e-9), math.log(1)))
        p = rng.choice([0.03, 0.1, 0.5, 0.9, 0.97, rng.random()])
        law = WaitLaw(ahead, rate, theta)
        q = law.quantile(p)
        assert math.isfinite(q) and q > 0
        if rate / theta >= 0.01:  # else the last stage dominates: an approximation is used
            assert law.cdf(q) == pytest.approx(p, abs=1e-7)
