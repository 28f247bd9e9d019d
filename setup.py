"""Compiles the engine's hot modules and the simulator's loop with mypyc.

The same typed Python runs interpreted when there is no build (`TAPLINE_PURE=1` skips it)
or when a source is newer than its build (`tapline/native.py` then loads every compiled
module from source). Why mypyc: docs/architecture.md, "Compiled engine".
"""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_ext import build_ext

ENGINE = (
    "__init__",
    "callback_choices",
    "callback_effects",
    "callback_ledger",
    "callbacks",
    "channels",
    "clock",
    "core",
    "deadlines",
    "dispatch",
    "effects",
    "estimate_law",
    "estimates",
    "learning",
    "lineup",
    "load",
    "matching",
    "needs",
    "policy",
    "presence",
    "queries",
    "queues",
    "reach",
    "request",
    "requirements",
    "routing",
    "states",
    "values",
)
"""Not compiled: errors.py, slots.py and callback_states.py (exceptions that also derive
from builtins, which mypyc cannot make native), and the configuration readers (hours,
wall_clock, staffing, rules, conditions, expressions, toml_lines), which are not on a
hot path."""

SIMULATOR = ("customers", "draws", "loop", "run")

NATIVE = [f"src/tapline/engine/{name}.py" for name in ENGINE] + [
    f"src/tapline/simulator/{name}.py" for name in SIMULATOR
]


class ParallelBuildExt(build_ext):
    """Compiles the C files on every core (mypyc writes one per module)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1


def native_modules() -> list[object]:
    if os.environ.get("TAPLINE_PURE"):
        return []
    from mypyc.build import mypycify

    # the engine imports only the standard library and itself: no plugin or config needed
    return list(mypycify(["--config-file=", *NATIVE], opt_level="3", multi_file=True))


setup(ext_modules=native_modules(), cmdclass={"build_ext": ParallelBuildExt})
