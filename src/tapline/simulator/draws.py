"""The run's random draws: every stream has its own seed, so a scenario's results are
reproducible (and one stream's use does not move another's)."""

from __future__ import annotations

import math
import random
from typing import Final

from tapline.simulator.scenario import Distribution, Scenario

_NONE: Final = 0
_FIXED: Final = 1
_EXPONENTIAL: Final = 2
_LOGNORMAL: Final = 3


class Sampler:
    """Draws durations from a scenario's `Distribution` (math.inf for 'none').

    The draws are those of `random.Random.expovariate` and `lognormvariate`, computed here
    without their Python-level call.
    """

    def __init__(self, dist: Distribution, rng: random.Random) -> None:
        self._random = rng.random
        self._normal = rng.normalvariate
        self._mean = dist.mean
        self._rate = 0.0
        self._mu = 0.0
        self._sigma = 0.0
        if dist.law == "none":
            self._law = _NONE
        elif dist.law == "deterministic":
            self._law = _FIXED
        elif dist.law == "exponential":
            self._law = _EXPONENTIAL
            self._rate = 1.0 / dist.mean
        else:
            self._law = _LOGNORMAL
            sigma2 = math.log1p(dist.cv * dist.cv)
            self._sigma = math.sqrt(sigma2)
            self._mu = math.log(dist.mean) - sigma2 / 2.0

    def draw(self) -> float:
        law = self._law
        if law == _EXPONENTIAL:
            return -math.log(1.0 - self._random()) / self._rate
        if law == _LOGNORMAL:
            return math.exp(self._normal(self._mu, self._sigma))
        if law == _FIXED:
            return self._mean
        return math.inf


class Draws:
    """The streams of one run, seeded from the scenario's seed."""

    def __init__(self, sc: Scenario) -> None:
        seed = sc.seed
        self.arrival = random.Random(seed * 7 + 1).random
        """Arrivals: the gaps (exponential at the peak rate), then the thinning."""
        self.handle = Sampler(sc.handle, random.Random(seed * 7 + 2))
        self.patience = Sampler(sc.patience, random.Random(seed * 7 + 3))
        self.choice = random.Random(seed * 7 + 4).random
        """Whether an offered callback is accepted."""
        delay = sc.callbacks.answer_delay if sc.callbacks is not None else 0.0
        self.answer_delay = Sampler(
            Distribution("exponential", delay) if delay > 0 else Distribution("deterministic", 0.0),
            random.Random(seed * 7 + 5 if sc.callbacks is not None else 0),
        )
        """How long a customer takes to answer a ring."""
        self.ring = random.Random(seed * 7 + 6).random
        """Whether a ring is answered."""
