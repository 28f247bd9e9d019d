"""How fast the simulator runs, compiled (the mypyc build) and from its Python source.

    .venv/bin/python bench/simulator.py [--hours 20] [--repeat 3]

Runs M/M/s+M at load 1.0 (handle 4 min, patience 5 min) with 10, 50 and 500 specialists,
the 500 again without the estimator's elapsed-time term, the callbacks scenario
(`bench/scenarios/shifts_callbacks.toml`, two days), and a whole day of a 500-specialist
center. Each row runs in this process (compiled when the build is current: see
`tapline.native`) and again in a child process with `TAPLINE_INTERPRETED=1`; the best of
`--repeat` runs is shown. Then two independent replications on the two cores
(`tapline simulate --jobs 2`). An event is an arrival, a chat end, a give-up, a shift change,
an answered ring or a callback deadline that acted (`Results.events`; see
docs/subsystems/simulator.md, Speed). For where the time goes, use `perf record` on a run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tapline import native
from tapline.engine.estimates import QueueModel
from tapline.simulator.parallel import simulate_parallel
from tapline.simulator.run import Simulation
from tapline.simulator.scenario import Scenario, load_scenario, parse_scenario

GOAL = 100_000
CALLBACKS = Path(__file__).parent / "scenarios" / "shifts_callbacks.toml"


def mms(servers: int, hours: float) -> Scenario:
    return parse_scenario(
        f'seed = 3\nduration = "{hours}h"\n[arrivals]\nload = 1.0\n[handle]\nmean = "4m"\n'
        f'[patience]\nmean = "5m"\n[staffing]\nservers = {servers}\n'
    )


def rows(hours: float) -> dict[str, tuple[Scenario, bool]]:
    """(scenario, estimator uses elapsed times) by row label."""
    callbacks = replace(load_scenario(CALLBACKS), duration=2 * 86_400.0, warmup=3_600.0)
    return {
        "10 specialists": (mms(10, hours * 5), True),
        "50 specialists": (mms(50, hours), True),
        "500 specialists": (mms(500, hours / 10), True),
        "500, no elapsed term": (mms(500, hours / 10), False),
        "callbacks (2 days)": (callbacks, True),
        "a day at 500 specialists": (mms(500, 24.0), True),
    }


def measure(hours: float, repeat: int) -> dict[str, tuple[int, float]]:
    """Row label -> (events, best events/s) in this process."""
    out: dict[str, tuple[int, float]] = {}
    for label, (scenario, elapsed) in rows(hours).items():
        results = [
            Simulation(scenario, QueueModel(use_elapsed=elapsed)).run() for _ in range(repeat)
        ]
        out[label] = (results[0].events, max(r.events_per_second for r in results))
    return out


def interpreted(hours: float, repeat: int) -> dict[str, tuple[int, float]]:
    env = dict(os.environ, **{native.ENV: "1"})
    command = [sys.executable, __file__, "--child", f"--hours={hours}", f"--repeat={repeat}"]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return {label: (events, rate) for label, (events, rate) in json.loads(done.stdout).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=20.0, help="simulated hours at s=50")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (best shown)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.hours, args.repeat)))
        return
    console = Console(width=120)
    here = measure(args.hours, args.repeat)
    source = interpreted(args.hours, args.repeat)
    table = Table(title=f"simulator speed, one process (this process: {native.mode()})")
    for column in ("scenario", "events", "events/s", "wall s", "from source: events/s"):
        table.add_column(column, justify="right")
    for label, (events, rate) in here.items():
        table.add_row(
            label, f"{events:,}", f"{rate:,.0f}", f"{events / rate:.2f}", f"{source[label][1]:,.0f}"
        )
    console.print(table)
    slowest = min(rate for _, rate in here.values())
    verdict = "met" if slowest >= GOAL else "missed"
    console.print(f"slowest row {slowest:,.0f} events/s: goal {GOAL:,} {verdict}")
    for servers in (10, 50, 500):
        r = simulate_parallel(mms(servers, args.hours * 50 / servers * 2), 2)
        console.print(
            f"{servers} specialists, 2 replications on 2 cores: {r.events:,} events in "
            f"{r.wall_seconds:.2f} s: {r.events_per_second:,.0f} events/s"
        )


if __name__ == "__main__":
    main()
