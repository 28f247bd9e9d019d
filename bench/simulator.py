"""How fast the simulator runs, and how much of that is the engine.

    .venv/bin/python bench/simulator.py [--hours 20]

Runs M/M/s+M at load 1.0 with 10, 50 and 500 specialists (and the 500 without the estimator's
elapsed-time term), timing every engine command. Prints events per second overall, the share
of wall time spent inside `Engine` commands, the mean cost of each command, and what the
simulator would do if the engine cost nothing; then events per second with two independent
replications on the two cores (`tapline simulate --jobs 2`). An event is an arrival, a chat
end, a give-up or a shift change (`Results.events`; see docs/subsystems/simulator.md, Speed).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

from rich.console import Console
from rich.table import Table

import tapline.simulator.run as run_module
from tapline.engine import Engine
from tapline.engine.estimates import QueueModel
from tapline.simulator.parallel import simulate_parallel
from tapline.simulator.scenario import parse_scenario

TIMED = ("submit", "accept", "resolve", "end_dead", "set_presence", "waiting")


class TimedEngine(Engine):
    """The engine, with the time spent in each command added up."""

    spent: ClassVar[dict[str, float]] = defaultdict(float)
    calls: ClassVar[dict[str, int]] = defaultdict(int)


def _timed(name: str) -> Callable[..., Any]:
    original = getattr(Engine, name)

    def wrapper(self: Engine, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            TimedEngine.spent[name] += time.perf_counter() - start
            TimedEngine.calls[name] += 1

    return wrapper


for _name in TIMED:
    setattr(TimedEngine, _name, _timed(_name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=20.0, help="simulated hours (at s=50)")
    args = parser.parse_args()
    run_module.Engine = TimedEngine  # type: ignore[misc]
    table = Table(title="simulator speed (one process)")
    for column in (
        "specialists",
        "events",
        "wall s",
        "events/s",
        "in engine",
        "submit µs",
        "accept µs",
        "resolve µs",
        "end_dead µs",
        "events/s without engine",
    ):
        table.add_column(column, justify="right")
    for servers, elapsed in ((10, True), (50, True), (500, True), (500, False)):
        hours = args.hours * 50 / servers
        sc = parse_scenario(
            f'seed = 3\nduration = "{hours}h"\n[arrivals]\nload = 1.0\n[handle]\nmean = "4m"\n'
            f'[patience]\nmean = "5m"\n[staffing]\nservers = {servers}\n'
        )
        TimedEngine.spent.clear()
        TimedEngine.calls.clear()
        sim = run_module.Simulation(sc, QueueModel(use_elapsed=elapsed))
        r = sim.run()
        engine = sum(TimedEngine.spent.values())

        def micro(name: str) -> str:
            n = TimedEngine.calls.get(name, 0)
            return f"{TimedEngine.spent[name] / n * 1e6:.1f}" if n else "-"

        table.add_row(
            f"{servers}" + ("" if elapsed else " (no elapsed)"),
            f"{r.events:,}",
            f"{r.wall_seconds:.2f}",
            f"{r.events_per_second:,.0f}",
            f"{engine / r.wall_seconds:.0%}",
            micro("submit"),
            micro("accept"),
            micro("resolve"),
            micro("end_dead"),
            f"{r.events / max(1e-9, r.wall_seconds - engine):,.0f}",
        )
    console = Console(width=160)
    console.print(table)
    run_module.Engine = Engine  # type: ignore[misc]
    for servers in (10, 50, 500):
        hours = args.hours * 50 / servers * 2
        sc = parse_scenario(
            f'seed = 3\nduration = "{hours}h"\n[arrivals]\nload = 1.0\n[handle]\nmean = "4m"\n'
            f'[patience]\nmean = "5m"\n[staffing]\nservers = {servers}\n'
        )
        r = simulate_parallel(sc, 2)
        console.print(
            f"{servers} specialists, 2 replications on 2 cores: {r.events:,} events in "
            f"{r.wall_seconds:.2f} s: {r.events_per_second:,.0f} events/s"
        )


if __name__ == "__main__":
    main()
