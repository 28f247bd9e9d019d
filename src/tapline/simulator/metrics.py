"""What a simulation measures, and its summary (`Results`)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from tapline.engine.learning import N_BUCKETS, bucket_of

PREDICTORS: tuple[str, ...] = ("tapline", "QL", "exact", "HOL", "LES", "LES10")
"""tapline's estimator, then the references: QL = (n+1)/(sμ); exact = Σ 1/(sμ + iθ) with the
true means (the M/M/s+M conditional mean, a plug-in when the laws are not exponential);
HOL = how long the head of the line has waited; LES = the wait of the last customer to enter
service; LES10 = the average of the last 10 such waits."""

BUCKET_LABELS: tuple[str, ...] = (
    *(
        "0" if b == 0 else "1" if b == 1 else f"{1 << (b - 1)}-{(1 << b) - 1}"
        for b in range(N_BUCKETS - 1)
    ),
    f"{1 << (N_BUCKETS - 2)}+",
)

SAMPLE_MAX = 20_000


def percentile(values: list[float], p: float) -> float:
    """The p-quantile (0..1) of sorted `values`, by linear interpolation; nan if empty."""
    if not values:
        return math.nan
    pos = p * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


@dataclass(frozen=True, slots=True)
class Score:
    """One predictor's accuracy on the offered waits of customers who had to wait."""

    name: str
    count: int
    bias: float
    """mean(estimate - offered wait), seconds."""
    rrase: float
    """√mean((estimate - offered wait)²) / mean(offered wait)."""


@dataclass(frozen=True, slots=True)
class BucketHits:
    label: str
    count: int
    hit: float
    below: float
    above: float


@dataclass(frozen=True, slots=True)
class CallbackStats:
    offered: int
    accepted: int
    called: int
    """Promises settled, kept or broken (the engine's `PromiseLedger`)."""
    kept: float
    """The ledger's kept rate, kept / (kept + broken): the first ring came within the
    promise window [accepted, accepted + the estimate's promise end)."""
    early: float
    """Share of first rings that came before the low end of the estimate shown (kept)."""
    missed: int
    """Callbacks whose every attempt went unanswered (requeued or a missed-callback dead
    end, as the policy says)."""
    requeued: int = 0
    """Of `missed`, those put back in the line (`Requeue`)."""
    rings: int = 0
    """Ring attempts, retries included."""


@dataclass
class Results:
    """The summary of one run (customers arriving after the warm-up)."""

    scenario: str
    events: int
    wall_seconds: float
    simulated_seconds: float
    arrivals: int
    served: int
    abandoned: int
    immediate: int
    delayed: int
    unresolved: int
    service_level: float
    service_level_threshold: float
    abandonment: float
    wait_mean: float
    wait_percentiles: dict[str, float]
    offered_mean: float
    scores: dict[str, Score]
    range_hit: float
    range_below: float
    range_above: float
    range_width: float
    """Mean width of tapline's range, seconds."""
    window_hit: float
    """Share of offered waits inside [QL, 2·QL]."""
    window_early: float
    """Share served before QL, the window's lower end."""
    buckets: list[BucketHits]
    callbacks: CallbackStats | None
    waits_sample: list[float] = field(default_factory=list)
    pairs_sample: list[tuple[float, float, float, float, int]] = field(default_factory=list)
    """(estimate, offered wait, low, high, ahead) for a sample of delayed customers."""
    queue_series: list[tuple[float, int]] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.events / self.wall_seconds if self.wall_seconds > 0 else math.inf


class Recorder:
    """Accumulates, in O(1) per customer, what `Results` reports."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed ^ 0x5EED)
        k = len(PREDICTORS)
        self.err_sum = [0.0] * k
        self.err_sq = [0.0] * k
        self.offered_sum = 0.0
        self.offered_n = 0
        self.below = 0
        self.above = 0
        self.width = 0.0
        self.window_hit = 0
        self.window_early = 0
        self.bucket_n = [0] * N_BUCKETS
        self.bucket_below = [0] * N_BUCKETS
        self.bucket_above = [0] * N_BUCKETS
        self.waits: list[float] = []
        self.waits_seen = 0
        self.pairs: list[tuple[float, float, float, float, int]] = []
        self.pairs_seen = 0

    def offered(
        self, wait: float, preds: tuple[float, ...], low: float, high: float, ahead: int, ql: float
    ) -> None:
        """A delayed customer's offered wait and what each predictor said on arrival."""
        self.offered_n += 1
        self.offered_sum += wait
        err_sum = self.err_sum
        err_sq = self.err_sq
        for i, p in enumerate(preds):
            d = p - wait
            err_sum[i] += d
            err_sq[i] += d * d
        b = bucket_of(ahead)
        self.bucket_n[b] += 1
        if wait < low:
            self.below += 1
            self.bucket_below[b] += 1
        elif wait > high:
            self.above += 1
            self.bucket_above[b] += 1
        self.width += high - low
        if wait < ql:
            self.window_early += 1
        elif wait <= 2.0 * ql:
            self.window_hit += 1
        self.pairs_seen += 1
        item = (preds[0], wait, low, high, ahead)
        if len(self.pairs) < SAMPLE_MAX:
            self.pairs.append(item)
        else:
            j = self._rng.randrange(self.pairs_seen)
            if j < SAMPLE_MAX:
                self.pairs[j] = item

    def answered(self, wait: float) -> None:
        self.waits_seen += 1
        if len(self.waits) < 200_000:
            self.waits.append(wait)
        else:
            j = self._rng.randrange(self.waits_seen)
            if j < 200_000:
                self.waits[j] = wait

    def scores(self) -> dict[str, Score]:
        n = self.offered_n
        mean = self.offered_sum / n if n else math.nan
        out = {}
        for i, name in enumerate(PREDICTORS):
            bias = self.err_sum[i] / n if n else math.nan
            rrase = math.sqrt(self.err_sq[i] / n) / mean if n and mean > 0 else math.nan
            out[name] = Score(name, n, bias, rrase)
        return out

    def buckets(self) -> list[BucketHits]:
        out = []
        for b, label in enumerate(BUCKET_LABELS):
            n = self.bucket_n[b]
            if n == 0:
                continue
            below = self.bucket_below[b] / n
            above = self.bucket_above[b] / n
            out.append(BucketHits(label, n, 1.0 - below - above, below, above))
        return out
