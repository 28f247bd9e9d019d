"""Personal wait estimates: a mean and a central range for each waiting request.

The server keeps one `QueueModel` per queue and calls it on every queue change:

    model = QueueModel()
    model.observe_service(handle_seconds)            # a chat ended
    model.observe_wait(waited, abandoned=False)      # a wait ended: served or given up
    est = model.estimate(ahead, servers, busy_elapsed=(...), staffing=[(600.0, 12)])
    # the widget shows "about {est.mean} ({est.low}-{est.high})"
    model.observe_outcome(est, waited, served=True)  # that request's wait ended

The method (published in docs/subsystems/estimates.md):

1. The queue-length predictor with abandonment: with `ahead` customers ahead and `servers`
   busy eligible specialists, the wait is hypoexponential with rates sμ + iθ, i = 0..n, whose
   mean is Σ 1/(sμ + iθ) and whose quantiles come exactly from an incomplete beta function
   (`estimate_law.WaitLaw`). μ and θ are learned from the queue's history (`learning.py`),
   never given.
2. Elapsed handle times of the busy specialists move the whole schedule by how far their mean
   remaining time is from its long-run average (for non-exponential handle times).
3. Staffing over the coming period (a step function) stretches or shrinks time: the wait is
   the time at which the work done at the scheduled staffing equals the work of the law's
   answer at today's staffing.
4. The range's ends are tuned per position bucket by adaptive conformal inference so that 10%
   of offered waits fall below and 10% above, whatever the true laws are.

Everything is pure Python and cheap: the law's numbers are cached per (ahead, servers) until
the learned rates move by more than `SHAPE_DRIFT`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from tapline.engine.estimate_law import WaitLaw, mean_wait
from tapline.engine.learning import (
    HandleTimes,
    MeanCalibration,
    Patience,
    RangeCalibration,
    bucket_of,
)
from tapline.engine.values import Value

Staffing = Sequence[tuple[float, float]]
"""Scheduled servers ahead: (seconds from now, servers from then on), in time order. Before the
first step the `servers` given to `estimate` apply."""

SNAPSHOT_VERSION: Final = 1
SHAPE_DRIFT: Final = 0.03
"""Cached quantile-to-mean ratios are recomputed when μ or θ has moved this much (relative)."""
_CACHE_MAX: Final = 4096
EXACT_SHAPE: Final = 64
"""Up to this position the range's shape is computed exactly for each position."""
_SHAPE_STEPS: Final = 8.0
MIN_HANDLE_HISTORY: Final = 500
"""Handle times seen before the chats' elapsed times are used."""
SPEED_TRUSTED: Final = (0.25, 4.0)
"""Within these, the ratio of expected endings is the speed; outside, it is solved for."""
BUSY_SAMPLE: Final = 64
"""At most about this many busy chats' elapsed times are looked at."""
AHEAD_SAMPLE: Final = 16
"""At most about this many requests ahead are looked at for their abandonment hazard."""
MIN_PATIENCE_HISTORY: Final = 500
"""Waits seen before the life table (abandonment by time waited) is used."""


class Estimate(Value):
    """A wait estimate in seconds from now: the mean and the central range [low, high].

    `promise` is a later, safer end (the `promise` level, 97% by default) for callback promise
    windows. `ahead` is the position it was made for (the calibration needs it back).
    All are `math.inf` when no one is there and no one is scheduled.
    """

    __match_args__ = ("mean", "low", "high", "promise", "ahead")
    __slots__ = __match_args__
    mean: float
    low: float
    high: float
    promise: float
    ahead: int

    def __init__(self, mean: float, low: float, high: float, promise: float, ahead: int) -> None:
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "promise", promise)
        object.__setattr__(self, "ahead", ahead)


class QueueModel:
    """One queue's learned laws and its estimator. See the module docstring."""

    def __init__(
        self,
        *,
        handle_prior: float = 300.0,
        patience_prior: float = 600.0,
        low: float = 0.1,
        high: float = 0.9,
        promise: float = 0.97,
        half_life: float = 5000.0,
        calibration_step: float = 0.02,
        use_elapsed: bool = True,
        calibrate_mean: bool = False,
    ) -> None:
        if not 0.0 < low < high <= promise < 1.0:
            raise ValueError("need 0 < low < high <= promise < 1")
        self._settings: dict[str, Any] = {
            "handle_prior": handle_prior,
            "patience_prior": patience_prior,
            "low": low,
            "high": high,
            "promise": promise,
            "half_life": half_life,
            "calibration_step": calibration_step,
            "use_elapsed": use_elapsed,
            "calibrate_mean": calibrate_mean,
        }
        self.handle = HandleTimes(handle_prior, half_life=half_life)
        self.patience = Patience(patience_prior, half_life=half_life)
        self._levels = (low, high, promise)
        self.range = RangeCalibration(low, high, step=calibration_step)
        self.promise_range = RangeCalibration(low, promise, step=calibration_step)
        self.mean_calibration = MeanCalibration() if calibrate_mean else None
        self._use_elapsed = use_elapsed
        self._mu = 1.0 / self.handle.mean
        self._theta = self.patience.rate
        self._shape_mu = self._mu
        self._shape_theta = self._theta
        self._cache: dict[tuple[int, float], tuple[float, float, float]] = {}

    # -- Keeping what was learned across restarts -----------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything learned and the settings, as JSON-able data (a few KB)."""
        return {
            "version": SNAPSHOT_VERSION,
            "settings": dict(self._settings),
            "handle": self.handle.state(),
            "patience": self.patience.state(),
            "range": [list(self.range.log_low), list(self.range.log_high)],
            "promise_range": [list(self.promise_range.log_low), list(self.promise_range.log_high)],
            "mean": None
            if self.mean_calibration is None
            else list(self.mean_calibration.log_factor),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> QueueModel:
        """A model that goes on from a `snapshot`. Raises ValueError for an unknown version."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unknown snapshot version {data.get('version')!r}")
        model = cls(**data["settings"])
        model.handle.load(data["handle"])
        model.patience.load(data["patience"])
        model.range.log_low, model.range.log_high = ([float(v) for v in x] for x in data["range"])
        low, high = data["promise_range"]
        model.promise_range.log_low = [float(v) for v in low]
        model.promise_range.log_high = [float(v) for v in high]
        if model.mean_calibration is not None and data["mean"] is not None:
            model.mean_calibration.log_factor = [float(v) for v in data["mean"]]
        model._maybe_refresh()
        return model

    # -- Learning --------------------------------------------------------------------------

    def observe_service(self, handle_seconds: float) -> None:
        """A chat of this queue ended after `handle_seconds` with its specialist."""
        self.handle.observe(handle_seconds)
        self._maybe_refresh()

    def observe_wait(self, waited: float, abandoned: bool) -> None:
        """A wait in this queue ended: the request was taken (False) or given up (True)."""
        self.patience.observe(waited, abandoned)
        self._maybe_refresh()

    def observe_outcome(
        self, predicted: Estimate, waited: float, *, served: bool = True, patient: bool = False
    ) -> None:
        """How the wait predicted by `predicted` (made when it was `predicted.ahead`) ended.

        `served`: the request reached a specialist after `waited` seconds (else the customer
        gave up then, and the true wait is only known to be longer). `patient`: this customer
        could not give up (a callback keeps their place), so no censoring weight applies.
        """
        if not math.isfinite(predicted.high):
            return
        survival = None if patient else self.patience.survival
        if self.mean_calibration is not None:
            self.mean_calibration.update(predicted.ahead, predicted.mean, waited, served, survival)
        self.range.update(predicted.ahead, predicted.low, predicted.high, waited, served, survival)
        self.promise_range.update(
            predicted.ahead, predicted.low, predicted.promise, waited, served, survival
        )

    def _maybe_refresh(self) -> None:
        self._mu = mu = 1.0 / self.handle.mean
        self._theta = theta = self.patience.rate
        if abs(mu - self._shape_mu) > SHAPE_DRIFT * self._shape_mu or (
            abs(theta - self._shape_theta) > SHAPE_DRIFT * self._shape_theta
        ):
            self._shape_mu = mu
            self._shape_theta = theta
            self._cache.clear()

    @property
    def uses_elapsed(self) -> bool:
        """Whether `estimate` looks at `busy_elapsed` (else the caller need not gather it)."""
        return self._use_elapsed

    @property
    def mu(self) -> float:
        """The service rate μ = 1 / mean handle time in use (per second, per specialist)."""
        return self._mu

    @property
    def theta(self) -> float:
        """The abandonment rate θ in use (per second, per waiting customer)."""
        return self._theta

    # -- Estimating ------------------------------------------------------------------------

    def law(self, ahead: int, servers: float) -> WaitLaw:
        """The uncalibrated law in use for a position, at constant staffing."""
        return WaitLaw(ahead, servers * self._mu, self._theta)

    def _shape(self, ahead: int, servers: float) -> tuple[float, float, float]:
        """The law's (low, high, promise) quantiles over its mean, cached.

        The ratios move slowly with μ and θ, so they are recomputed only when either has
        drifted by SHAPE_DRIFT; the mean itself is always computed afresh. Past EXACT_SHAPE
        positions they are interpolated between positions 1/8 apart (they vary smoothly).
        """
        if ahead <= EXACT_SHAPE:
            return self._exact_shape(ahead, servers)
        x = math.log(ahead / EXACT_SHAPE) * _SHAPE_STEPS
        i = int(x)
        lo = self._exact_shape(round(EXACT_SHAPE * math.exp(i / _SHAPE_STEPS)), servers)
        hi = self._exact_shape(round(EXACT_SHAPE * math.exp((i + 1) / _SHAPE_STEPS)), servers)
        f = x - i
        return (
            lo[0] + (hi[0] - lo[0]) * f,
            lo[1] + (hi[1] - lo[1]) * f,
            lo[2] + (hi[2] - lo[2]) * f,
        )

    def _exact_shape(self, ahead: int, servers: float) -> tuple[float, float, float]:
        key = (ahead, servers)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        law = WaitLaw(ahead, servers * self._shape_mu, self._shape_theta)
        mean = law.mean()
        low, high, promise = self._levels
        shape = (law.quantile(low) / mean, law.quantile(high) / mean, law.quantile(promise) / mean)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[key] = shape
        return shape

    def estimate(
        self,
        ahead: int,
        servers: float,
        busy_elapsed: Sequence[float] = (),
        staffing: Staffing | None = None,
        ahead_waited: Sequence[float] | None = None,
    ) -> Estimate:
        """The wait of a request with `ahead` requests before it, in seconds from now.

        `servers`: eligible specialists now (count each chat slot; fractions are fine when
        specialists are shared with other queues). `busy_elapsed`: how long each of their
        current chats has run. `staffing`: scheduled changes of `servers` ahead.
        `ahead_waited`: how long each request ahead has waited so far, the head first.
        """
        if ahead < 0:
            raise ValueError(f"ahead must be >= 0, not {ahead}")
        now_servers = servers
        if now_servers <= 0.0:
            future = [s for _, s in staffing or () if s > 0.0]
            if not future:
                return Estimate(math.inf, math.inf, math.inf, math.inf, ahead)
            now_servers = future[0]
        rate = now_servers * self._mu
        theta = self._theta
        if self._use_elapsed and busy_elapsed and self.handle.count >= MIN_HANDLE_HISTORY:
            rate *= self._speed(mean_wait(ahead, rate, theta), busy_elapsed)
        if ahead_waited and self.patience.count >= MIN_PATIENCE_HISTORY:
            theta = self._ahead_theta(ahead_waited, rate)
        return self._finish(ahead, servers, now_servers, rate, theta, staffing)

    def estimate_line(
        self,
        servers: float,
        busy_elapsed: Sequence[float] = (),
        staffing: Staffing | None = None,
        waited: Sequence[float] = (),
    ) -> list[Estimate]:
        """Estimates for a whole line at once, in O(line): the i-th (head first) has i ahead.

        `waited`: how long each request in line has waited so far, head first. The same
        method as `estimate`, sharing the work: the hazard of those ahead is summed once along
        the line, and the chats' elapsed times are weighed once per position bucket. No
        request gets a shorter estimate (or range end) than the one ahead of it.
        """
        n = len(waited)
        if n == 0:
            return []
        now_servers = servers
        if now_servers <= 0.0:
            future = [s for _, s in staffing or () if s > 0.0]
            if not future:
                return [Estimate(math.inf, math.inf, math.inf, math.inf, k) for k in range(n)]
            now_servers = future[0]
        base = now_servers * self._mu
        theta = self._theta
        speeds: dict[int, float] = {}
        use_speed = self._use_elapsed and bool(busy_elapsed)
        use_speed = use_speed and self.handle.count >= MIN_HANDLE_HISTORY
        thetas = [theta] * n
        if self.patience.count >= MIN_PATIENCE_HISTORY and n > 1:
            hazard = _Hazard(self.patience)
            total = exposure = 0.0
            direct = theta <= 0.0 or base <= theta
            for k in range(1, n):
                j = k - 1  # the request j (j ahead of it) is ahead of everyone from k on
                w = waited[j]
                if direct:
                    tau = mean_wait(j, base, theta)
                else:
                    tau = math.log((base + (j + 0.5) * theta) / (base - 0.5 * theta)) / theta
                total += hazard.at(w + tau) - hazard.at(w)
                exposure += tau
                if total > 0.0 and exposure > 0.0:
                    thetas[k] = total / exposure
        out: list[Estimate] = []
        for k in range(n):
            rate = base
            if use_speed:
                b = bucket_of(k)
                speed = speeds.get(b)
                if speed is None:
                    speed = self._speed(mean_wait(k, base, theta), busy_elapsed)
                    speeds[b] = speed
                rate *= speed
            est = self._finish(k, servers, now_servers, rate, thetas[k], staffing)
            if out:  # never a shorter wait than the request ahead's
                ahead_est = out[-1]
                if (
                    est.mean < ahead_est.mean
                    or est.low < ahead_est.low
                    or est.high < ahead_est.high
                ):
                    est = Estimate(
                        max(est.mean, ahead_est.mean),
                        max(est.low, ahead_est.low),
                        max(est.high, ahead_est.high),
                        max(est.promise, ahead_est.promise),
                        k,
                    )
            out.append(est)
        return out

    def _finish(
        self,
        ahead: int,
        servers: float,
        now_servers: float,
        rate: float,
        theta: float,
        staffing: Staffing | None,
    ) -> Estimate:
        """The estimate from the rates in effect: the law's mean, its range, the calibration."""
        r_low, r_high, r_promise = self._shape(ahead, now_servers)
        mean = mean_wait(ahead, rate, theta)
        low = mean * r_low
        high = mean * r_high
        promise = mean * r_promise
        if staffing or servers <= 0.0:
            warp = _Warp(servers, now_servers, staffing or (), self._mu, self._theta * ahead / 2)
            mean, low, high, promise = (warp(mean), warp(low), warp(high), warp(promise))
        if self.mean_calibration is not None:
            mean *= self.mean_calibration.factor(ahead)
        f_low, f_high = self.range.factors(ahead)
        _, f_promise = self.promise_range.factors(ahead)
        return Estimate(
            mean, low * f_low, high * f_high, max(high * f_high, promise * f_promise), ahead
        )

    def _ahead_theta(self, ahead_waited: Sequence[float], rate: float) -> float:
        """The abandonment rate the requests ahead will show while they are still ahead.

        The j-th from the head is ahead for about τ_j = Σ_{i<=j} 1/(sμ + iθ); over that time its
        chance of giving up follows the life table from how long it has already waited:
        θ* = Σ [Λ(w_j + τ_j) - Λ(w_j)] / Σ τ_j, with Λ the learned cumulative hazard. With
        exponential patience Λ is linear and θ* = θ.
        """
        hazard = _Hazard(self.patience)
        theta = self._theta
        n = len(ahead_waited)
        stride = max(1, n // AHEAD_SAMPLE)  # a sample of at most ~AHEAD_SAMPLE, evenly spaced
        total = 0.0
        exposure = 0.0
        direct = theta <= 0.0 or rate <= theta
        j = stride - 1
        while j < n:  # (a range with a variable step is not compiled to a plain loop)
            w = ahead_waited[j]
            # its own wait to service (j ahead of it): Σ_{i<=j} 1/(sμ + iθ), by the midpoint
            # rule as log((sμ + (j + 1/2)θ) / (sμ - θ/2)) / θ
            if direct:
                tau = mean_wait(j, rate, theta)
            else:
                tau = math.log((rate + (j + 0.5) * theta) / (rate - 0.5 * theta)) / theta
            total += hazard.at(w + tau) - hazard.at(w)
            exposure += tau
            j += stride
        if exposure <= 0.0 or total <= 0.0:
            return self._theta
        return total / exposure

    def _speed(self, horizon: float, busy_elapsed: Sequence[float]) -> float:
        """How much faster than usual the busy specialists will finish over `horizon` seconds.

        A chat that has run e seconds ends within t with probability 1 - S(e+t)/S(e); at a
        random moment (the long-run average) it is the equilibrium P(R <= t) = μ∫0^t S. The
        ratio of the expected endings by `horizon` given the chats' ages to the same at
        equilibrium scales the rate sμ. With exponential handle times it is 1 (no memory).
        When the ratio is far from 1 (handle times with little spread), the speed is rather
        horizon / t, t the time by which as many chats are expected to end as usually end by
        the horizon (found by bisection).
        """
        handle = self.handle
        handle.survival(0.0)  # builds the table if stale
        grid = handle.grid
        last = len(grid) - 2
        scale = handle.grid_scale
        if len(busy_elapsed) > BUSY_SAMPLE:  # an evenly spaced sample is enough for a ratio
            busy_elapsed = busy_elapsed[:: -(-len(busy_elapsed) // BUSY_SAMPLE)]
        # a list is read fastest once compiled (the server passes a tuple)
        elapsed: list[float] = (
            busy_elapsed if isinstance(busy_elapsed, list) else list(busy_elapsed)
        )
        count = len(elapsed)
        h = horizon * scale
        equilibrium = handle.equilibrium_cdf(horizon)
        expected = 0.0
        outside = 0
        for e in elapsed:  # the expected endings by the horizon, in one pass
            x = e * scale
            i = int(x)
            if i >= last:
                outside += 1
                continue
            a = grid[i]
            s_e = a + (grid[i + 1] - a) * (x - i)
            if s_e <= 1e-9:
                outside += 1
                continue
            x += h
            i = int(x)
            if i >= last:
                expected += 1.0
                continue
            a = grid[i]
            expected += 1.0 - (a + (grid[i + 1] - a) * (x - i)) / s_e
        expected += outside * equilibrium  # chats past the table: as if seen at random
        usual = count * equilibrium
        if usual <= 0.0:
            return 1.0
        ratio = expected / usual
        if SPEED_TRUSTED[0] <= ratio <= SPEED_TRUSTED[1]:
            return ratio
        # Far from 1: solve for the time by which `usual` chats are expected to have ended.
        ages = _Ages(handle, elapsed)
        lo, hi = 0.0, horizon
        while ages.ended_by(hi) < usual:
            lo, hi = hi, 2.0 * hi
            if hi > 64.0 * horizon:
                return horizon / hi
        for _ in range(20):
            mid = 0.5 * (lo + hi)
            if ages.ended_by(mid) < usual:
                lo = mid
            else:
                hi = mid
        return horizon / max(hi, 1e-9 * horizon)


class _Ages:
    """The busy chats by how far they have run: how many are expected to end within t."""

    def __init__(self, handle: HandleTimes, elapsed: list[float]) -> None:
        self._handle = handle
        self._grid = grid = handle.grid
        self._last = last = len(grid) - 2
        self._scale = scale = handle.grid_scale
        self._at: list[float] = []  # the chats on the grid: where they are on it, and S(e)
        self._survival: list[float] = []
        for e in elapsed:
            x = e * scale
            i = int(x)
            if i < last:
                a = grid[i]
                s_e = a + (grid[i + 1] - a) * (x - i)
                if s_e > 1e-9:
                    self._at.append(x)
                    self._survival.append(s_e)
        self._outside = len(elapsed) - len(self._at)

    def ended_by(self, t: float) -> float:
        grid = self._grid
        last = self._last
        ht = t * self._scale
        total = self._outside * self._handle.equilibrium_cdf(t)
        for k, x in enumerate(self._at):
            x += ht
            i = int(x)
            if i >= last:
                total += 1.0
                continue
            a = grid[i]
            total += 1.0 - (a + (grid[i + 1] - a) * (x - i)) / self._survival[k]
        return total


class _Hazard:
    """Λ(t), the learned cumulative hazard of patience, read from its grid (for tight loops)."""

    def __init__(self, patience: Patience) -> None:
        patience.cumulative_hazard(0.0)  # rebuilds the table if it is stale
        self._grid = patience.grid
        self._scale = patience.grid_scale
        self._tail = patience.tail_rate
        self._last = len(self._grid) - 1

    def at(self, t: float) -> float:
        grid = self._grid
        last = self._last
        x = t * self._scale
        i = int(x)
        if i >= last:
            return grid[last] + (x - last) / self._scale * self._tail
        a = grid[i]
        return a + (grid[i + 1] - a) * (x - i)


class _Warp:
    """Maps a wait computed at today's staffing to one under scheduled staffing.

    Work is measured by the line's exit rate, sμ + īθ (ī: the customers ahead, on average over
    the wait). A wait τ at today's rate r0 is the t where ∫0^t r(u) du = r0 τ.
    """

    def __init__(
        self, servers: float, ref_servers: float, steps: Staffing, mu: float, mean_theta: float
    ) -> None:
        self._r0 = ref_servers * mu + mean_theta
        self._pieces: list[tuple[float, float]] = [(0.0, servers * mu + mean_theta)]
        for at, s in steps:
            if at <= 0.0:
                self._pieces[0] = (0.0, max(0.0, s) * mu + mean_theta)
            else:
                self._pieces.append((at, max(0.0, s) * mu + mean_theta))

    def __call__(self, tau: float) -> float:
        if not math.isfinite(tau):
            return tau
        work = self._r0 * tau
        pieces = self._pieces
        for i, (start, rate) in enumerate(pieces):
            end = pieces[i + 1][0] if i + 1 < len(pieces) else math.inf
            span = end - start
            if rate > 0.0 and work <= rate * span:
                return start + work / rate
            if rate > 0.0:
                work -= rate * span
        return math.inf
