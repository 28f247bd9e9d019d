"""Independent replications of a scenario on several cores, merged into one `Results`.

The scenario's time after the warm-up is split between `jobs` replications, each with its
own seed, its own warm-up and its own estimator learning from scratch, run in separate
processes. Their results are merged with the right weights (sums of squared errors, counts of
hits), so the figures mean the same as one long run's.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from tapline.simulator.metrics import (
    PREDICTORS,
    SAMPLE_MAX,
    BucketHits,
    CallbackStats,
    Results,
    Score,
    percentile,
)
from tapline.simulator.run import simulate
from tapline.simulator.scenario import Scenario

SEED_STRIDE = 1_000_003


def replicas(scenario: Scenario, jobs: int) -> list[Scenario]:
    """`jobs` scenarios, each with the warm-up and a share of the scored time, own seeds."""
    scored = (scenario.duration - scenario.warmup) / jobs
    return [
        dataclasses.replace(
            scenario,
            duration=scenario.warmup + scored,
            seed=scenario.seed + k * SEED_STRIDE,
        )
        for k in range(jobs)
    ]


def _weighted(values: list[float], weights: list[float]) -> float:
    total = sum(weights)
    if total <= 0:
        return math.nan
    return sum(v * w for v, w in zip(values, weights, strict=True) if w) / total


def merge(parts: list[Results], wall_seconds: float) -> Results:
    """One `Results` from independent replications."""
    first = parts[0]
    scored = [p.scores["tapline"].count for p in parts]
    ended = [p.served + p.abandoned for p in parts]
    n = sum(scored)
    offered_mean = _weighted([p.offered_mean for p in parts], [float(c) for c in scored])
    scores = {}
    for name in PREDICTORS:
        ss = [p.scores[name] for p in parts]
        bias = _weighted([s.bias for s in ss], [float(c) for c in scored])
        mse = _weighted(
            [
                (s.rrase * p.offered_mean) ** 2 if s.count else 0.0
                for s, p in zip(ss, parts, strict=True)
            ],
            [float(c) for c in scored],
        )
        rrase = math.sqrt(mse) / offered_mean if n and offered_mean > 0 else math.nan
        scores[name] = Score(name, n, bias, rrase)
    buckets = []
    for label in dict.fromkeys(b.label for p in parts for b in p.buckets):
        mine = [b for p in parts for b in p.buckets if b.label == label]
        counts = [float(b.count) for b in mine]
        buckets.append(
            BucketHits(
                label,
                sum(b.count for b in mine),
                _weighted([b.hit for b in mine], counts),
                _weighted([b.below for b in mine], counts),
                _weighted([b.above for b in mine], counts),
            )
        )
    callbacks = None
    cbs = [p.callbacks for p in parts if p.callbacks is not None]
    if cbs:
        called = [float(c.called) for c in cbs]
        callbacks = CallbackStats(
            offered=sum(c.offered for c in cbs),
            accepted=sum(c.accepted for c in cbs),
            called=sum(c.called for c in cbs),
            kept=_weighted([c.kept for c in cbs], called),
            early=_weighted([c.early for c in cbs], called),
            missed=sum(c.missed for c in cbs),
            requeued=sum(c.requeued for c in cbs),
            rings=sum(c.rings for c in cbs),
        )
    waits = sorted(w for p in parts for w in p.waits_sample)
    weights = [float(c) for c in scored]
    series = []
    offset = 0.0
    for p in parts:
        series += [(t + offset, q) for t, q in p.queue_series]
        offset += p.simulated_seconds
    served = [float(p.served) for p in parts]
    return Results(
        scenario=first.scenario,
        events=sum(p.events for p in parts),
        wall_seconds=wall_seconds,
        simulated_seconds=sum(p.simulated_seconds for p in parts),
        arrivals=sum(p.arrivals for p in parts),
        served=sum(p.served for p in parts),
        abandoned=sum(p.abandoned for p in parts),
        immediate=sum(p.immediate for p in parts),
        delayed=sum(p.delayed for p in parts),
        unresolved=sum(p.unresolved for p in parts),
        service_level=_weighted([p.service_level for p in parts], [float(e) for e in ended]),
        service_level_threshold=first.service_level_threshold,
        abandonment=sum(p.abandoned for p in parts) / sum(ended) if sum(ended) else math.nan,
        wait_mean=_weighted([p.wait_mean for p in parts], served),
        wait_percentiles={
            key: percentile(waits, int(key[1:]) / 100) for key in first.wait_percentiles
        },
        offered_mean=offered_mean,
        scores=scores,
        range_hit=_weighted([p.range_hit for p in parts], weights),
        range_below=_weighted([p.range_below for p in parts], weights),
        range_above=_weighted([p.range_above for p in parts], weights),
        range_width=_weighted([p.range_width for p in parts], weights),
        window_hit=_weighted([p.window_hit for p in parts], weights),
        window_early=_weighted([p.window_early for p in parts], weights),
        buckets=buckets,
        callbacks=callbacks,
        waits_sample=[w for p in parts for w in p.waits_sample][: 10 * SAMPLE_MAX],
        pairs_sample=[x for p in parts for x in p.pairs_sample][:SAMPLE_MAX],
        queue_series=series,
    )


def simulate_parallel(
    scenario: Scenario, jobs: int, progress: Callable[[float], None] | None = None
) -> Results:
    """Run `jobs` independent replications at once and merge them (jobs = 1: one run)."""
    if jobs <= 1:
        return simulate(scenario, progress=progress)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(simulate, replica) for replica in replicas(scenario, jobs)]
        parts = []
        for i, future in enumerate(futures):
            parts.append(future.result())
            if progress is not None:
                progress((i + 1) / jobs)
    return merge(parts, time.perf_counter() - started)
