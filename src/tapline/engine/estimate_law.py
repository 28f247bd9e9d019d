"""The waiting-time law of the queue-length predictor with abandonment, in closed form.

A customer with `n` others ahead, while all `s` eligible specialists are busy, waits through
n + 1 stages: with `i` still ahead, the line moves when a specialist finishes (rate sμ) or when
one of the `i` gives up (rate iθ). With exponential handle times and patience the stages are
independent exponentials with rates sμ + iθ, i = 0..n: a hypoexponential law. Its mean is
Σ 1/(sμ + iθ) and its survival function is a regularized incomplete beta function:

    P(W > t) = I_x(sμ/θ, n + 1),   x = exp(-θt)      i.e.   exp(-θW) ~ Beta(sμ/θ, n + 1)

(the partial fractions of the Laplace transform sum to ∫ u^(b-1) (1 - xu)^n du / B(b, n+1)).
With θ = 0 it is Gamma(n + 1, sμ). Both are computed here in pure Python without cancellation,
so quantiles are accurate for any n; see docs/subsystems/estimates.md.
"""

from __future__ import annotations

import math
from typing import Final

from tapline.engine.values import Value

_EPS: Final = 1e-13
_FPMIN: Final = 1e-300
_MAX_ITER: Final = 10_000
_GAMMA_ABOVE: Final = 1e7
"""Past this b = sμ/θ the beta law is replaced by its θ → 0 limit, Gamma(n + 1, sμ)."""
_DIRECT_SUM: Final = 16
"""Up to this many stages the mean is summed directly; past it, digamma differences."""


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _FPMIN:
        d = _FPMIN
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = 1.0 + aa / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = 1.0 + aa / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    return _betainc(a, b, x, _log_beta(a, b))


def _betainc(a: float, b: float, x: float, log_beta: float) -> float:
    """`betainc` with log B(a, b) given (an inversion calls it often with the same a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - log_beta)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def betaincinv(a: float, b: float, p: float) -> float:
    """The x with I_x(a, b) = p: a normal or power first guess, then Halley's steps."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    a1 = a - 1.0
    b1 = b - 1.0
    if a >= 1.0 and b >= 1.0:
        pp = p if p < 0.5 else 1.0 - p
        t = math.sqrt(-2.0 * math.log(pp))
        z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
        if p < 0.5:
            z = -z
        al = (z * z - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
        w = z * math.sqrt(al + h) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (
            al + 5.0 / 6.0 - 2.0 / (3.0 * h)
        )
        x = a / (a + b * math.exp(2.0 * w)) if w < 350.0 else 0.0
    else:
        lna = math.log(a / (a + b))
        lnb = math.log(b / (a + b))
        t = math.exp(a * lna) / a
        u = math.exp(b * lnb) / b
        w = t + u
        x = (a * w * p) ** (1.0 / a) if p < t / w else 1.0 - (b * w * (1.0 - p)) ** (1.0 / b)
    log_beta = _log_beta(a, b)
    afac = -log_beta
    lo, hi = 0.0, 1.0  # a bracket kept by every step: Halley inside it, bisection if it leaves
    x = min(max(x, 1e-300), 1.0 - 1e-16)
    for _ in range(200):
        if x <= 0.0 or x >= 1.0:
            return min(max(x, 0.0), 1.0)
        err = _betainc(a, b, x, log_beta) - p
        if err == 0.0:
            return x
        if err > 0.0:
            hi = x
        else:
            lo = x
        density = math.exp(a1 * math.log(x) + b1 * math.log1p(-x) + afac)
        nxt = -1.0
        if density > 0.0 and math.isfinite(density):
            u = err / density
            nxt = x - u / (1.0 - 0.5 * min(1.0, u * (a1 / x - b1 / (1.0 - x))))
        if lo <= nxt <= hi:
            if abs(nxt - x) <= 1e-12 * x:
                return nxt
        else:
            nxt = 0.5 * (lo + hi) if hi - lo > 1e-300 else lo
        if hi - lo <= 1e-15 * hi:
            return nxt
        x = nxt
    return x


def gammainc(a: float, x: float) -> float:
    """The regularized lower incomplete gamma function P(a, x), for a > 0."""
    if x <= 0.0:
        return 0.0
    front = math.exp(-x + a * math.log(x) - math.lgamma(a))
    if x < a + 1.0:  # the series
        ap = a
        term = total = 1.0 / a
        for _ in range(_MAX_ITER):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return total * front
    b = x + 1.0 - a  # the continued fraction (modified Lentz) for Q
    c = 1.0 / _FPMIN
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = b + an / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return 1.0 - front * h


def gammaincinv(a: float, p: float) -> float:
    """The x with P(a, x) = p: a Wilson-Hilferty first guess, then Halley's steps."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return math.inf
    a1 = a - 1.0
    gln = math.lgamma(a)
    if a > 1.0:
        pp = p if p < 0.5 else 1.0 - p
        t = math.sqrt(-2.0 * math.log(pp))
        z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
        if p < 0.5:
            z = -z
        x = max(1e-3, a * (1.0 - 1.0 / (9.0 * a) - z / (3.0 * math.sqrt(a))) ** 3)
    else:
        t = 1.0 - a * (0.253 + a * 0.12)
        x = (p / t) ** (1.0 / a) if p < t else 1.0 - math.log(1.0 - (p - t) / (1.0 - t))
    for _ in range(64):
        if x <= 0.0:
            return 0.0
        err = gammainc(a, x) - p
        t = math.exp(-x + a1 * math.log(x) - gln)
        u = err / t
        step = u / (1.0 - 0.5 * min(1.0, u * (a1 / x - 1.0)))
        x -= step
        if x <= 0.0:
            x = 0.5 * (x + step)
        if abs(step) < 1e-12 * x:
            break
    return x


def digamma(x: float) -> float:
    """ψ(x) for x > 0: the recurrence up to 10, then the asymptotic series."""
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    series = f * (
        -1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132))))
    )
    return result + math.log(x) - 0.5 / x + series


def mean_wait(ahead: int, rate: float, theta: float) -> float:
    """Σ_{i=0..n} 1 / (rate + iθ): a direct sum for short lines, else (ψ(b+n+1) - ψ(b)) / θ."""
    if theta <= 0.0:
        return (ahead + 1) / rate
    b = rate / theta
    if ahead < _DIRECT_SUM or b > _GAMMA_ABOVE:
        total = 0.0
        for i in range(ahead + 1):
            total += 1.0 / (rate + i * theta)
        return total
    return (digamma(b + ahead + 1) - digamma(b)) / theta


class WaitLaw(Value):
    """The hypoexponential law of a wait with `ahead` customers ahead (seconds).

    `rate` is sμ, the rate at which busy specialists finish; `theta` the patience rate θ of
    each customer ahead (0 for none). The customer's own patience never enters: this is the
    offered wait, what they would wait if they never gave up.
    """

    __match_args__ = ("ahead", "rate", "theta")
    __slots__ = __match_args__
    ahead: int
    rate: float
    theta: float

    def __init__(self, ahead: int, rate: float, theta: float) -> None:
        object.__setattr__(self, "ahead", ahead)
        object.__setattr__(self, "rate", rate)
        object.__setattr__(self, "theta", theta)
        if ahead < 0 or rate <= 0.0 or theta < 0.0:
            raise ValueError(f"need ahead >= 0, rate > 0, theta >= 0: {self}")

    @property
    def _b(self) -> float:
        return self.rate / self.theta if self.theta > 0.0 else math.inf

    @property
    def _is_gamma(self) -> bool:
        return self._b > _GAMMA_ABOVE

    def mean(self) -> float:
        """Σ_{i=0..n} 1 / (sμ + iθ)."""
        return mean_wait(self.ahead, self.rate, self.theta)

    def variance(self) -> float:
        """Σ_{i=0..n} 1 / (sμ + iθ)²."""
        return sum(1.0 / (self.rate + i * self.theta) ** 2 for i in range(self.ahead + 1))

    def cdf(self, t: float) -> float:
        """P(W <= t)."""
        if t <= 0.0:
            return 0.0
        if self._is_gamma:
            return gammainc(self.ahead + 1.0, self.rate * t)
        # P(W <= t) = 1 - I_x(b, n+1) = I_{1-x}(n+1, b), with 1 - x = -expm1(-θt) exactly.
        y = -math.expm1(-self.theta * t)
        if y <= 0.5:
            return betainc(self.ahead + 1.0, self._b, y)
        return 1.0 - betainc(self._b, self.ahead + 1.0, math.exp(-self.theta * t))

    def quantile(self, p: float) -> float:
        """The t with P(W <= t) = p."""
        if p <= 0.0:
            return 0.0
        if p >= 1.0:
            return math.inf
        if self._is_gamma:
            return gammaincinv(self.ahead + 1.0, p) / self.rate
        # Invert in whichever variable is small, to keep its relative precision:
        # y = 1 - exp(-θt) ~ Beta(n+1, b) for short waits, x = exp(-θt) ~ Beta(b, n+1) for long.
        y = betaincinv(self.ahead + 1.0, self._b, p)
        if y <= 0.5:
            return -math.log1p(-y) / self.theta
        x = betaincinv(self._b, self.ahead + 1.0, 1.0 - p)
        if x > 0.0:
            return -math.log(x) / self.theta
        # x underflowed: b = sμ/θ is tiny (customers far more impatient than the line is
        # slow), so the wait is the last stage, Exp(sμ), after quick ones: use that.
        rest = mean_wait(self.ahead, self.rate, self.theta) - 1.0 / self.rate
        return -math.log1p(-p) / self.rate + max(0.0, rest)
