"""The simulator against closed forms, the ghost-based offered wait, staffing and callbacks."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys

import pytest

from tapline.engine.estimate_law import WaitLaw
from tapline.simulator.run import Simulation, simulate
from tapline.simulator.scenario import parse_scenario


def erlang_c(servers: int, offered: float) -> float:
    """P(wait > 0) in M/M/s with offered load `offered` = λ/μ (Erlang C)."""
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers / (1.0 - offered / servers)
    return last / (total + last)


def test_mms_mean_wait_matches_erlang_c_within_the_batch_means_interval() -> None:
    # M/M/3, mean handle 60 s, load 0.6 per server: E[W] = C(s, a) / (sμ - λ).
    servers, handle, load = 3, 60.0, 0.6
    sc = parse_scenario(
        f'seed = 5\nduration = "{400}h"\nwarmup = "2h"\n'
        f"[arrivals]\nload = {load}\n"
        f'[handle]\nlaw = "exponential"\nmean = {handle}\n'
        f"[staffing]\nservers = {servers}\n"
    )
    r = simulate(sc)
    lam = load * servers / handle
    expected = erlang_c(servers, lam * handle) / (servers / handle - lam)
    waits = r.waits_sample
    assert r.abandoned == 0 and len(waits) == r.served > 30_000
    batches = 30
    size = len(waits) // batches
    means = [statistics.fmean(waits[i * size : (i + 1) * size]) for i in range(batches)]
    centre = statistics.fmean(means)
    half = 3.66 * statistics.stdev(means) / math.sqrt(batches)  # t(29), 99.9% two-sided
    assert centre - half <= expected <= centre + half
    assert half < 0.15 * expected  # and the interval is tight enough to mean something
    # The share who wait is Erlang C too (binomial, 4 standard errors).
    p = erlang_c(servers, lam * handle)
    share = r.delayed / r.arrivals
    assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / r.arrivals)


def _tiny(patience: str = 'law = "deterministic"\nmean = 5') -> str:
    return (
        'duration = "1h"\n[arrivals]\nper_hour = 1\n'
        '[handle]\nlaw = "deterministic"\nmean = 10\n'
        f"[patience]\n{patience}\n[staffing]\nservers = 1\n"
    )


def test_ghosts_hold_their_place_and_get_their_offered_wait_when_the_line_reaches_them() -> None:
    # One specialist, chats of exactly 10 s, patience exactly 5 s.
    # c1 at 0 is served at once (until 10). c2 (at 1) and c3 (at 2) give up at 6 and 7 but
    # stay as ghosts; c4 arrives at 8. At 10 the specialist frees: the line reaches the
    # ghosts c2 and c3 (offered waits 9 and 8) and goes on to c4, served at 10 (wait 2).
    sim = Simulation(parse_scenario(_tiny()), arrival_times=[0.0, 1.0, 2.0, 8.0])
    r = sim.run()
    assert (r.arrivals, r.immediate, r.delayed, r.served, r.abandoned) == (4, 1, 3, 2, 2)
    offered = sorted(round(w, 9) for _, w, *_ in r.pairs_sample)
    assert offered == [2.0, 8.0, 9.0]
    assert sorted(r.waits_sample) == [0.0, 2.0]
    # Offered waits of those who gave up are longer than their patience (5 s).
    assert r.offered_mean == pytest.approx((9 + 8 + 2) / 3)


def test_a_ghost_at_the_back_is_reached_when_a_specialist_frees_with_no_one_behind() -> None:
    # c1 at 0 (served until 10), c2 at 1 gives up at 6; at 10 the line reaches it: 9 s.
    r = Simulation(parse_scenario(_tiny()), arrival_times=[0.0, 1.0]).run()
    assert [round(w, 9) for _, w, *_ in r.pairs_sample] == [9.0]
    assert r.unresolved == 0


def test_the_exact_predictor_is_unbiased_for_offered_waits_in_mms_m() -> None:
    # In M/M/s+M the offered wait given n ahead has mean Σ 1/(sμ + iθ) exactly, so the
    # "exact" predictor's bias is zero; counting ghosts wrongly (or dropping them) would
    # bias it. Tolerance: 4 standard errors from batch means (neighbours' errors correlate).
    sc = parse_scenario(
        'seed = 9\nduration = "100h"\nwarmup = "2h"\n[arrivals]\nload = 1.2\n'
        '[handle]\nmean = "4m"\n[patience]\nmean = "5m"\n[staffing]\nservers = 10\n'
    )
    r = simulate(sc)
    assert r.abandoned > 1000 and 10_000 < r.delayed == r.scores["exact"].count <= 20_000
    assert len(r.pairs_sample) == r.delayed  # every delayed customer, in order
    batches = 20
    size = len(r.pairs_sample) // batches
    exact_means = []
    for i in range(batches):
        chunk = r.pairs_sample[i * size : (i + 1) * size]
        exact_means.append(statistics.fmean(law_mean(a) - w for _, w, _, _, a in chunk))
    se = statistics.stdev(exact_means) / math.sqrt(batches)
    assert abs(r.scores["exact"].bias) < 4 * se + 0.05
    assert abs(statistics.fmean(exact_means)) < 4 * se
    # and QL (which ignores abandonment) is clearly biased upward
    assert r.scores["QL"].bias > 10 * se
    # tapline learns its parameters and lands near the exact predictor
    assert r.scores["tapline"].rrase < 1.05 * r.scores["exact"].rrase
    assert 0.76 <= r.range_hit <= 0.84


def law_mean(ahead: int) -> float:
    return WaitLaw(ahead, 10 / 240, 1 / 300).mean()


def test_staffing_changes_reach_the_engine_and_the_estimates() -> None:
    sc = parse_scenario(
        'seed = 2\nduration = "24h"\n[arrivals]\nper_hour = 100\n[handle]\nmean = "4m"\n'
        '[patience]\nmean = "10m"\n[staffing]\nrepeat = "8h"\n'
        '[[staffing.shift]]\nstart = 0\nend = "4h"\nservers = 4\n'
        '[[staffing.shift]]\nstart = "4h"\nend = "8h"\nservers = 12\n'
    )
    r = simulate(sc)
    series = r.queue_series
    first_half = [n for t, n in series if (t % 28_800) < 14_400 and (t % 28_800) > 1800]
    second_half = [n for t, n in series if (t % 28_800) > 16_200]
    # 100/h with 4 specialists at 15/h each is overloaded; with 12 it is not.
    assert statistics.fmean(first_half) > 5 * max(1.0, statistics.fmean(second_half))
    assert r.unresolved == 0


def test_callbacks_keep_their_place_and_most_promises() -> None:
    sc = parse_scenario(
        'seed = 4\nduration = "100h"\nwarmup = "3h"\n[arrivals]\nload = 1.1\n'
        '[handle]\nmean = "4m"\n[patience]\nmean = "5m"\n[staffing]\nservers = 20\n'
        '[callbacks]\noffer_above = "1m"\naccept = 0.5\nanswer = 0.9\n'
    )
    sim = Simulation(sc)
    r = sim.run()
    cb = r.callbacks
    assert cb is not None and sim.callbacks is not None
    assert cb.offered > 2000
    assert abs(cb.accepted / cb.offered - 0.5) < 0.05
    # Each ring is answered with probability 0.9 within its 30 s (answer delay: exponential,
    # mean 10 s), so an attempt fails with q = 1 - 0.9 (1 - e^-3); 3 attempts at most.
    q = 1 - 0.9 * (1 - math.exp(-3.0))
    assert abs(cb.rings / cb.called - (1 + q + q * q)) < 0.03
    assert cb.missed == cb.requeued and cb.missed / cb.called < 0.02
    assert cb.kept >= 0.95
    # Every promise to a scored customer was settled once, by the engine's callback core.
    assert cb.called == cb.accepted == sim.callbacks.ledger.tally("q").total


def _callbacks_trace(callbacks: str) -> str:
    # One specialist, chats of exactly 100 s, patience exactly 5 s.
    return (
        'duration = "1h"\n[arrivals]\nper_hour = 1\n'
        '[handle]\nlaw = "deterministic"\nmean = 100\n'
        '[patience]\nlaw = "deterministic"\nmean = 5\n[staffing]\nservers = 1\n'
        f"[callbacks]\noffer_above = 0\n{callbacks}\n"
    )


def test_a_callback_customer_never_gives_up() -> None:
    # c1 at 0 is served at once (until 100); c2 and c3 (at 1 and 2) would give up after 5 s,
    # but they take a callback, keep their place and are served in turn when they answer.
    arrivals = [0.0, 1.0, 2.0]
    plain = Simulation(
        parse_scenario(_tiny('law = "deterministic"\nmean = 5')), arrival_times=arrivals
    )
    assert plain.run().abandoned == 2
    sim = Simulation(
        parse_scenario(_callbacks_trace("accept = 1\nanswer = 1\nanswer_delay = 0")),
        arrival_times=arrivals,
    )
    r = sim.run()
    assert (r.served, r.abandoned) == (3, 0)
    assert r.waits_sample == [0.0, 99.0, 198.0]  # answered at once: their turns at 100, 200
    cb = r.callbacks
    assert cb is not None and (cb.accepted, cb.rings, cb.missed, cb.called) == (2, 2, 0, 2)


def test_a_callback_customer_never_gives_up_under_load() -> None:
    # Everyone who has to wait takes a callback: nobody gives up, however short the patience.
    sc = parse_scenario(
        'seed = 2\nduration = "20h"\n[arrivals]\nload = 1.05\n[handle]\nmean = "4m"\n'
        '[patience]\nmean = "20s"\n[staffing]\nservers = 10\n'
        "[callbacks]\noffer_above = 0\naccept = 1\nanswer = 1\n"
    )
    r = simulate(sc)
    assert r.callbacks is not None
    assert r.delayed > 1000 and r.callbacks.accepted == r.delayed
    assert r.abandoned == 0 and r.served == r.arrivals


@pytest.mark.parametrize("policy", ["requeue", "cancel"])
def test_an_unanswered_callback_rings_attempts_times_then_is_requeued_or_missed(
    policy: str,
) -> None:
    # Nobody answers: c2 (at 1) rings at 100, 190 and 280 (30 s each, 60 s apart), while the
    # specialist stays with it; at 310 the policy ends it. c3 (at 150) is reached only then.
    sim = Simulation(
        parse_scenario(
            _callbacks_trace(f'accept = 1\nanswer = 0\nattempts = 3\non_failure = "{policy}"')
        ),
        arrival_times=[0.0, 1.0, 150.0],
    )
    r = sim.run()
    cb = r.callbacks
    assert cb is not None and sim.callbacks is not None
    assert (cb.accepted, cb.rings, cb.missed) == (2, 6, 2)
    assert sim.callbacks.get("r2").attempt == 3 and sim.callbacks.get("r3").attempt == 3
    offered = sorted(round(w, 9) for _, w, *_ in r.pairs_sample)
    if policy == "cancel":
        # both end as missed-callback dead ends; c3's turn came when c2's last ring ended
        assert cb.requeued == 0
        assert str(sim.callbacks.get("r2").state) == "missed"
        assert offered == [99.0, 160.0]
        assert (r.served, r.abandoned) == (1, 0)
    else:
        # back at the front of the line, a plain wait: the free specialist takes it at once
        assert cb.requeued == 2
        assert str(sim.callbacks.get("r2").state) == "requeued"
        assert offered == [99.0, 260.0]  # c2 chats 310-410; c3 rings from 410
        assert (r.served, r.abandoned) == (3, 0)
        assert sorted(r.waits_sample) == [0.0, 309.0, 470.0]


def test_the_kept_rate_is_the_engine_ledgers() -> None:
    # Overloaded, with short promises broken now and then: the reported rate is the ledger's.
    sc = parse_scenario(
        'seed = 9\nduration = "30h"\nwarmup = "1h"\n[arrivals]\nload = 1.2\n'
        '[handle]\nlaw = "lognormal"\nmean = "4m"\ncv = 2\n[patience]\nmean = "5m"\n'
        "[staffing]\nservers = 10\n"
        '[callbacks]\noffer_above = "30s"\naccept = 0.6\nanswer = 0.8\n'
    )
    sim = Simulation(sc)
    r = sim.run()
    assert r.callbacks is not None and sim.callbacks is not None
    tally = sim.callbacks.ledger.tally("q")
    assert tally.kept > 0 and tally.broken > 0 and tally.void == 0
    assert r.callbacks.kept == tally.kept / (tally.kept + tally.broken)
    assert r.callbacks.called == tally.total == r.callbacks.accepted
    # promises to customers of the warm-up are kept apart, and none is left open
    assert sim.callbacks.ledger.tally().total > tally.total
    assert sim.callbacks.pending() == [] and sim.callbacks.live() == []


def test_progress_is_reported_up_to_the_end() -> None:
    seen: list[float] = []
    sc = parse_scenario(
        'duration = "20h"\n[arrivals]\nload = 0.9\n[handle]\nmean = "4m"\n'
        "[staffing]\nservers = 10\n"
    )
    simulate(sc, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 100


def test_same_seed_same_results() -> None:
    text = (
        'seed = 8\nduration = "10h"\n[arrivals]\nload = 1.0\n[handle]\nmean = "4m"\n'
        '[patience]\nmean = "5m"\n[staffing]\nservers = 10\n'
    )
    a = simulate(parse_scenario(text))
    b = simulate(parse_scenario(text))
    assert a.scores == b.scores and a.waits_sample == b.waits_sample


def test_the_exact_law_used_by_the_reference_is_the_hypoexponential_mean() -> None:
    law = WaitLaw(3, 0.5, 0.1)
    assert law.mean() == pytest.approx(1 / 0.5 + 1 / 0.6 + 1 / 0.7 + 1 / 0.8)


def test_results_do_not_depend_on_string_hashing() -> None:
    # Python randomizes str hashes per process: nothing may iterate a set of ids in the loop.
    code = (
        "from tapline.simulator.scenario import parse_scenario\n"
        "from tapline.simulator.run import simulate\n"
        "r = simulate(parse_scenario(" + repr(SHIFTS) + "))\n"
        "print(r.scores['tapline'].rrase, r.served, r.callbacks)\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


SHIFTS = (
    'seed = 6\nduration = "2d"\n[arrivals]\nper_hour = 90\n[handle]\nmean = "4m"\n'
    '[patience]\nmean = "5m"\n[staffing]\nrepeat = "8h"\n'
    '[[staffing.shift]]\nstart = 0\nend = "5h"\nservers = 5\n'
    '[[staffing.shift]]\nstart = "3h"\nend = "8h"\nservers = 4\n'
    '[callbacks]\noffer_above = "1m"\naccept = 0.5\n'
)
