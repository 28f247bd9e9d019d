"""What a queue learns from its history, online, in bounded memory and O(1) per observation.

- `HandleTimes`: the handle-time distribution (mean, spread, and a log-spaced histogram for
  the mean residual time of a chat that has run for a while).
- `Patience`: abandonment from censored waits. A served customer's wait says only that their
  patience was longer; θ = abandonments / total time spent waiting is the maximum-likelihood
  rate of exponential patience under that censoring, and the same counts per wait bin give a
  life table (the hazard by time waited) for any patience law.
- `RangeCalibration`: the published range's two ends, tuned online per position bucket so that
  10% of offered waits fall below and 10% above (adaptive conformal inference), weighting each
  outcome by the inverse chance that patience let it be seen (censoring).

Every learner forgets: an observation's weight halves every `half_life` later observations, so
a queue whose handle times drift follows them. See docs/subsystems/estimates.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar, Final

BINS_PER_DOUBLING: Final = 4
N_BINS: Final = 96
"""Bins of 2^(1/4) from 1 s up to 2^24 s (194 days); bin 0 also holds everything below 1 s."""
_RENORMALIZE_ABOVE: Final = 1e150
GRID_POINTS: Final = 400
"""Points of the patience life table's uniform look-up grid."""


def bin_of(seconds: float) -> int:
    """The histogram bin of a duration (geometric bins, see `edge`)."""
    if seconds < 1.0:
        return 0
    k = int(BINS_PER_DOUBLING * math.log2(seconds))
    return k if k < N_BINS - 1 else N_BINS - 1


def edge(k: int) -> float:
    """The lower edge of bin `k` (0 for bin 0)."""
    return 0.0 if k == 0 else 2.0 ** (k / BINS_PER_DOUBLING)


_EDGES: Final = [edge(k) for k in range(N_BINS + 1)]
"""`edge(k)` for every bin and the top edge, for the look-ups."""


class _Forgetting:
    """Exponential forgetting by a growing increment: new weight w, every sum rescaled rarely."""

    _STATE: ClassVar[tuple[str, ...]] = ()
    """The attributes `state` saves (besides w); tables built from them are rebuilt."""

    def state(self) -> dict[str, Any]:
        """What was learned, as JSON-able data (for `load` after a restart)."""
        out: dict[str, Any] = {"w": self.w}
        for name in self._STATE:
            value = getattr(self, name)
            out[name.lstrip("_")] = list(value) if isinstance(value, list) else value
        return out

    def load(self, state: dict[str, Any]) -> None:
        """Take back what `state` returned."""
        self.w = float(state["w"])
        for name in self._STATE:
            value = state[name.lstrip("_")]
            setattr(self, name, [float(v) for v in value] if isinstance(value, list) else value)
        self._table_at = -1

    def __init__(self, half_life: float) -> None:
        if half_life <= 0:
            raise ValueError("half_life must be positive")
        self._grow: float = 2.0 ** (1.0 / half_life)
        self.w = 1.0

    def step(self) -> float:
        """The weight of a new observation; rescales (via `_rescale`) when it grows too big."""
        self.w *= self._grow
        if self.w > _RENORMALIZE_ABOVE:
            self._rescale(1.0 / self.w)
            self.w = 1.0
        return self.w

    def _rescale(self, factor: float) -> None:
        raise NotImplementedError


class HandleTimes(_Forgetting):
    """Handle times (seconds), learned online. `prior_mean` counts as `prior_weight` chats."""

    _STATE: ClassVar[tuple[str, ...]] = ("_n", "_s1", "_s2", "_hist", "_count")

    def __init__(
        self, prior_mean: float = 300.0, *, prior_weight: float = 5.0, half_life: float = 5000.0
    ) -> None:
        super().__init__(half_life)
        if prior_mean <= 0:
            raise ValueError("prior_mean must be positive")
        self._prior_mean = prior_mean
        self._prior_weight = prior_weight
        self._n = 0.0
        self._s1 = 0.0
        self._s2 = 0.0
        self._hist = [0.0] * N_BINS
        self._count = 0
        self._table_at = -1
        self._surv: list[float] = []
        self._integral: list[float] = []
        self._grid: list[float] = []
        self._grid_scale = 1.0
        self._table_mean = prior_mean

    def _rescale(self, factor: float) -> None:
        self._n *= factor
        self._s1 *= factor
        self._s2 *= factor
        self._hist = [h * factor for h in self._hist]

    @property
    def count(self) -> int:
        """How many handle times were observed (never forgotten; for warm-up decisions)."""
        return self._count

    def observe(self, seconds: float) -> None:
        if not seconds >= 0.0 or math.isinf(seconds):
            raise ValueError(f"a handle time is a finite duration >= 0, not {seconds}")
        w = self.step()
        self._n += w
        self._s1 += w * seconds
        self._s2 += w * seconds * seconds
        self._hist[bin_of(seconds)] += w
        self._count += 1

    @property
    def mean(self) -> float:
        """The mean handle time, shrunk toward the prior while there is little data."""
        k = self._prior_weight * self.w
        return (self._s1 + k * self._prior_mean) / (self._n + k)

    @property
    def cv2(self) -> float:
        """The squared coefficient of variation (1 for exponential); 1 until there is data."""
        if self._n <= 0.0:
            return 1.0
        m = self._s1 / self._n
        return max(0.0, self._s2 / self._n / (m * m) - 1.0) if m > 0 else 1.0

    def _table(self) -> None:
        if self._table_at < 0 or self._count - self._table_at >= 500:
            self._build_table()

    def survival(self, t: float) -> float:
        """P(H > t) from the histogram (the density uniform within each bin), in O(1)."""
        if self._table_at < 0 or self._count - self._table_at >= 500:
            self._build_table()
        x = t * self._grid_scale
        i = int(x)
        grid = self._grid
        if i >= GRID_POINTS:
            return grid[GRID_POINTS] * math.exp(-(t - GRID_POINTS / self._grid_scale) / self.mean)
        a = grid[i]
        return a + (grid[i + 1] - a) * (x - i)

    @property
    def grid(self) -> list[float]:
        """P(H > i / grid_scale) for i = 0..GRID_POINTS (read-only; for tight loops)."""
        return self._grid

    @property
    def grid_scale(self) -> float:
        return self._grid_scale

    def _survival_by_bin(self, t: float) -> float:
        k = bin_of(t)
        lo = _EDGES[k]
        frac = min(1.0, max(0.0, (t - lo) / (_EDGES[k + 1] - lo)))
        a = self._surv[k]
        return a + (self._surv[k + 1] - a) * frac

    def equilibrium_cdf(self, t: float) -> float:
        """P(R <= t), R the time left of a chat seen at a random moment: μ ∫0^t P(H > u) du."""
        self._table()
        k = bin_of(t)
        lo = _EDGES[k]
        frac = min(1.0, max(0.0, (t - lo) / (_EDGES[k + 1] - lo)))
        s0 = self._surv[k]
        s1 = s0 + (self._surv[k + 1] - s0) * frac
        integral = self._integral[k] + (t - lo) * (s0 + s1) / 2.0
        return min(1.0, integral / self._table_mean)

    def _build_table(self) -> None:
        """Survival and its integral at each bin edge, the density uniform within a bin."""
        total = sum(self._hist)
        surv = [0.0] * (N_BINS + 1)
        acc = total
        for k in range(N_BINS):
            surv[k] = acc / total if total > 0 else 1.0
            acc -= self._hist[k]
        integral = [0.0] * (N_BINS + 1)
        for k in range(N_BINS):
            width = _EDGES[k + 1] - _EDGES[k]
            integral[k + 1] = integral[k] + width * (surv[k] + surv[k + 1]) / 2
        self._surv = surv
        self._integral = integral
        self._table_mean = integral[N_BINS] if integral[N_BINS] > 0 else self.mean
        self._table_at = self._count
        self._grid_scale = GRID_POINTS / (8.0 * self.mean)  # a uniform grid over 8 means
        self._grid = [self._survival_by_bin(i / self._grid_scale) for i in range(GRID_POINTS + 1)]


class Patience(_Forgetting):
    """Abandonment learned from waits that ended in service (censored) or in abandonment.

    `rate` is θ = abandonments / time spent waiting. `survival(t)` is the life table's
    P(patience > t), piecewise-exponential over the geometric bins.
    """

    _STATE: ClassVar[tuple[str, ...]] = (
        "_exposure",
        "_abandons",
        "_exits",
        "_exit_time",
        "_bin_abandons",
        "_count",
    )

    def __init__(
        self, prior_mean: float = 600.0, *, prior_weight: float = 2.0, half_life: float = 5000.0
    ) -> None:
        super().__init__(half_life)
        if prior_mean <= 0:
            raise ValueError("prior_mean must be positive")
        self._prior_mean = prior_mean
        self._prior_weight = prior_weight
        self._exposure = 0.0
        self._abandons = 0.0
        self._exits = [0.0] * N_BINS
        self._exit_time = [0.0] * N_BINS
        self._bin_abandons = [0.0] * N_BINS
        self._count = 0
        self._table_at = -1
        self._cumhaz: list[float] = []
        self._grid: list[float] = []
        self._grid_scale = 1.0
        self._tail_rate = 0.0

    def _rescale(self, factor: float) -> None:
        self._exposure *= factor
        self._abandons *= factor
        self._exits = [x * factor for x in self._exits]
        self._exit_time = [x * factor for x in self._exit_time]
        self._bin_abandons = [x * factor for x in self._bin_abandons]

    @property
    def count(self) -> int:
        return self._count

    def observe(self, waited: float, abandoned: bool) -> None:
        if not waited >= 0.0 or math.isinf(waited):
            raise ValueError(f"a wait is a finite duration >= 0, not {waited}")
        w = self.step()
        self._exposure += w * waited
        k = bin_of(waited)
        self._exits[k] += w
        self._exit_time[k] += w * waited
        if abandoned:
            self._abandons += w
            self._bin_abandons[k] += w
        self._count += 1

    @property
    def rate(self) -> float:
        """θ, abandonments per second of waiting, shrunk toward 1 / prior_mean."""
        k = self._prior_weight * self.w
        return (self._abandons + k) / (self._exposure + k * self._prior_mean)

    def survival(self, t: float) -> float:
        """P(patience > t) from the life table (exp(-θt) until there is enough data)."""
        return math.exp(-self.cumulative_hazard(t))

    def cumulative_hazard(self, t: float) -> float:
        """Λ(t) = -log P(patience > t): θt until there is data, then the life table's."""
        if self._count < 200:
            return self.rate * t
        if self._table_at < 0 or self._count - self._table_at >= 500:
            self._build_table()
        x = t * self._grid_scale
        i = int(x)
        grid = self._grid
        if i >= len(grid) - 1:
            return grid[-1] + (t - (len(grid) - 1) / self._grid_scale) * self._tail_rate
        a = grid[i]
        return a + (grid[i + 1] - a) * (x - i)

    @property
    def grid(self) -> list[float]:
        """Λ(i / grid_scale) for i = 0..GRID_POINTS (read-only; for tight loops)."""
        return self._grid

    @property
    def grid_scale(self) -> float:
        return self._grid_scale

    @property
    def tail_rate(self) -> float:
        """The hazard beyond the grid."""
        return self._tail_rate

    def _lookup(self, t: float) -> float:
        """Λ(t) from the per-bin table (the grid is built from it)."""
        k = bin_of(t)
        lo = _EDGES[k]
        frac = min(1.0, max(0.0, (t - lo) / (_EDGES[k + 1] - lo)))
        a = self._cumhaz[k]
        return a + (self._cumhaz[k + 1] - a) * frac

    def _build_table(self) -> None:
        """Cumulative hazard at each bin edge: abandonments / exposure within each bin."""
        cumhaz = [0.0] * (N_BINS + 1)
        later = 0.0  # exits in bins after k: each spent the whole of bin k waiting
        exposures = [0.0] * N_BINS
        for k in range(N_BINS - 1, -1, -1):
            width = _EDGES[k + 1] - _EDGES[k]
            exposures[k] = later * width + (self._exit_time[k] - self._exits[k] * _EDGES[k])
            later += self._exits[k]
        theta = self.rate
        acc = 0.0
        for k in range(N_BINS):
            width = _EDGES[k + 1] - _EDGES[k]
            exposure = exposures[k]
            # A bin with little exposure leans on the overall rate (2 pseudo-abandonments).
            prior = 2.0 * self.w
            hazard = (self._bin_abandons[k] + prior) / (exposure + prior / theta)
            acc += hazard * width
            cumhaz[k + 1] = acc
        self._cumhaz = cumhaz
        self._table_at = self._count
        # A uniform grid over [0, 8 mean patience] for O(1) look-ups; beyond it, the last rate.
        span = 8.0 / theta
        self._grid_scale = GRID_POINTS / span
        self._grid = [self._lookup(i / self._grid_scale) for i in range(GRID_POINTS + 1)]
        step = 1.0 / self._grid_scale
        self._tail_rate = max(0.0, (self._grid[-1] - self._grid[-2]) / step)


def bucket_of(ahead: int) -> int:
    """Position buckets: 0, 1, 2-3, 4-7, 8-15, ... , 128 and more (9 buckets)."""
    b = ahead.bit_length()
    return b if b < N_BUCKETS else N_BUCKETS - 1


N_BUCKETS: Final = 9


class RangeCalibration:
    """Adaptive conformal tuning of a range's two ends, per position bucket.

    Each end is the model's quantile times a factor exp(λ). After each outcome,
    λ_low -= η (below - alpha_low) and λ_high += η (above - alpha_high): a miss pushes the end
    out, a hit pulls it in, and in the long run each bucket misses alpha on each side. An
    outcome is seen only when the customer's patience lasted until it was decided (served, or
    given up after the end), so it is weighted by 1 / P(patience > that time), capped at
    `max_weight`.
    """

    def __init__(
        self,
        low: float,
        high: float,
        *,
        step: float = 0.02,
        max_weight: float = 20.0,
    ) -> None:
        if not 0.0 < low < high < 1.0:
            raise ValueError("need 0 < low < high < 1")
        self.alpha_low = low
        self.alpha_high = 1.0 - high
        self._step = step
        self._max_weight = max_weight
        self.log_low = [0.0] * N_BUCKETS
        self.log_high = [0.0] * N_BUCKETS

    def factors(self, ahead: int) -> tuple[float, float]:
        b = bucket_of(ahead)
        return math.exp(self.log_low[b]), math.exp(self.log_high[b])

    def update(
        self,
        ahead: int,
        low: float,
        high: float,
        waited: float,
        served: bool,
        survival: Callable[[float], float] | None,
    ) -> None:
        """One outcome. `survival` is P(patience > t), or None if this customer never gives up."""
        b = bucket_of(ahead)
        # The low end: decided once the wait reaches `low` or the customer is served.
        if served or waited >= low:
            below = 1.0 if served and waited < low else 0.0
            weight = self._weight(survival, min(waited, low))
            self.log_low[b] -= self._step * weight * (below - self.alpha_low)
        if served or waited >= high:
            above = 1.0 if waited > high else 0.0
            weight = self._weight(survival, min(waited, high))
            self.log_high[b] += self._step * weight * (above - self.alpha_high)

    def _weight(self, survival: Callable[[float], float] | None, t: float) -> float:
        if survival is None:
            return 1.0
        s = survival(t)
        return min(self._max_weight, 1.0 / s) if s > 0.0 else self._max_weight


class MeanCalibration:
    """A multiplicative correction of the mean per position bucket, tuned online.

    After a served outcome, λ += η w (actual / published - 1), w = 1 / P(patience > actual)
    (capped): in the long run the published mean is unbiased for every wait, seen or not. Only
    served customers teach it (a given-up wait is not a wait), hence the weight.
    """

    def __init__(self, *, step: float = 0.002, max_weight: float = 20.0) -> None:
        self._step = step
        self._max_weight = max_weight
        self.log_factor = [0.0] * N_BUCKETS

    def factor(self, ahead: int) -> float:
        return math.exp(self.log_factor[bucket_of(ahead)])

    def update(
        self,
        ahead: int,
        mean: float,
        waited: float,
        served: bool,
        survival: Callable[[float], float] | None,
    ) -> None:
        if not served or mean <= 0.0:
            return
        weight = 1.0
        if survival is not None:
            s = survival(waited)
            weight = min(self._max_weight, 1.0 / s) if s > 0.0 else self._max_weight
        ratio = min(waited / mean, 10.0)
        self.log_factor[bucket_of(ahead)] += self._step * weight * (ratio - 1.0)
