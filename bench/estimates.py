"""Wait estimates against the reference predictors, over the virtual queue's scenario table.

    .venv/bin/python bench/estimates.py [--hours-scale 1.0] [--jobs 2]

Each scenario drives the real engine in virtual time (tapline.simulator) with a fixed seed and
a warm-up; tapline's estimator learns everything from what it sees. Prints one table: RRASE of
tapline and of each reference (QL, the M/M/s+M mean with the true parameters, HOL, LES, the
mean of the last 10 LES), tapline's ratio to that exact mean, tapline's 10-90% range (hits,
misses below/above, mean width), and the seed's [QL, 2QL] window (hits, served before QL).
Then the goals, each marked met or not.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tapline.simulator.metrics import Results
from tapline.simulator.run import simulate
from tapline.simulator.scenario import load_scenario, parse_scenario


@dataclass(frozen=True)
class Case:
    key: str
    family: str  # "exponential" or "lognormal"
    toml: str


def _case(
    key: str, family: str, servers: int, load: float, hours: float, seed: int, sinus: bool = False
) -> Case:
    if family == "exponential":
        laws = (
            '[handle]\nlaw = "exponential"\nmean = "4m"\n\n'
            '[patience]\nlaw = "exponential"\nmean = "5m"\n'
        )
    else:
        laws = (
            '[handle]\nlaw = "lognormal"\nmean = "4m"\ncv = 1.0\n\n'
            '[patience]\nlaw = "lognormal"\nmean = "5m"\ncv = 1.5\n'
        )
    arrivals = f"[arrivals]\nload = {load}\n"
    if sinus:
        arrivals += 'pattern = "sinusoidal"\namplitude = 0.5\nperiod = "8h"\n'
    toml = (
        f'name = "{key}"\nseed = {seed}\nduration = "{hours}h"\nwarmup = "4h"\n'
        f'service_level = "20s"\n\n{arrivals}\n{laws}\n[staffing]\nservers = {servers}\n'
    )
    return Case(key, family, toml)


def cases(scale: float) -> list[Case]:
    out = []
    for servers, hours in ((10, 1200), (50, 300)):
        for load in (0.9, 1.0, 1.2):
            out.append(
                _case(
                    f"M/M/{servers}+M load={load}", "exponential", servers, load, hours * scale, 11
                )
            )
        out.append(
            _case(
                f"M/M/{servers}+M sin ±50% load=1",
                "exponential",
                servers,
                1.0,
                hours * scale,
                13,
                sinus=True,
            )
        )
    for load in (0.95, 1.1):
        out.append(_case(f"logn s=50 load={load}", "lognormal", 50, load, 300 * scale, 17))
    return out


def run_case(case: Case) -> tuple[Case, Results]:
    return case, simulate(parse_scenario(case.toml, case.key))


CALLBACKS = Path(__file__).parent / "scenarios" / "shifts_callbacks.toml"


def run_callbacks() -> Results:
    return simulate(load_scenario(CALLBACKS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours-scale", type=float, default=1.0, help="scale simulated time")
    parser.add_argument("--jobs", type=int, default=2, help="scenarios run at once")
    args = parser.parse_args(argv)
    console = Console(width=200)
    started = time.perf_counter()
    todo = cases(args.hours_scale)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        pending_callbacks = pool.submit(run_callbacks)
        done = list(pool.map(run_case, todo))
        callbacks = pending_callbacks.result()
    wall = time.perf_counter() - started

    table = Table(title="Wait estimates: RRASE (lower is better), range and window hit rates")
    for column in (
        "scenario",
        "delayed",
        "tapline",
        "QL",
        "exact(true)",
        "HOL",
        "LES",
        "LES10",
        "tapline/exact",
        "range hit (below/above)",
        "width",
        "[QL,2QL] hit",
        "early",
        "events/s",
    ):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    goals: list[tuple[str, bool]] = []
    events = 0
    sim_wall = 0.0
    for case, r in done:
        s = r.scores
        ratio = s["tapline"].rrase / s["exact"].rrase
        table.add_row(
            case.key,
            f"{r.delayed:,}",
            f"{s['tapline'].rrase:.4f}",
            f"{s['QL'].rrase:.4f}",
            f"{s['exact'].rrase:.4f}",
            f"{s['HOL'].rrase:.4f}",
            f"{s['LES'].rrase:.4f}",
            f"{s['LES10'].rrase:.4f}",
            f"{ratio:.3f}",
            f"{r.range_hit:.1%} ({r.range_below:.1%}/{r.range_above:.1%})",
            f"{r.range_width:.0f}s",
            f"{r.window_hit:.1%}",
            f"{r.window_early:.1%}",
            f"{r.events_per_second:,.0f}",
        )
        events += r.events
        sim_wall += r.wall_seconds
        balanced = 0.08 <= r.range_below <= 0.12 and 0.08 <= r.range_above <= 0.12
        in_range = 0.78 <= r.range_hit <= 0.82
        if case.family == "exponential":
            goals.append((f"{case.key}: RRASE <= 1.05 x exact ({ratio:.3f})", ratio <= 1.05))
        else:
            t = s["tapline"].rrase
            goals.append(
                (
                    f"{case.key}: RRASE <= plug-in ({t:.4f} vs {s['exact'].rrase:.4f}), "
                    f"< HOL {s['HOL'].rrase:.4f}, < LES {s['LES'].rrase:.4f}",
                    t <= s["exact"].rrase and t < s["HOL"].rrase and t < s["LES"].rrase,
                )
            )
        goals.append(
            (
                f"{case.key}: range hits 78-82% ({r.range_hit:.1%}), misses 8-12% each side "
                f"({r.range_below:.1%}/{r.range_above:.1%})",
                in_range and balanced,
            )
        )
    console.print(table)
    cb = callbacks.callbacks
    if cb is not None:
        console.print(
            f"callbacks ({CALLBACKS.name}: a day with shifts and a peak): {cb.accepted:,} "
            f"accepted of {cb.offered:,} offered, promises kept {cb.kept:.1%} "
            f"(early {cb.early:.1%}), not answered {cb.missed:,}; tapline RRASE "
            f"{callbacks.scores['tapline'].rrase:.4f} vs exact plug-in "
            f"{callbacks.scores['exact'].rrase:.4f}"
        )
        goals.append((f"callback promise windows kept >= 95% ({cb.kept:.1%})", cb.kept >= 0.95))
    for text, ok in goals:
        console.print(("[green]met    [/]" if ok else "[red]not met[/]") + " " + text)
    console.print(
        f"{len(done)} scenarios, {events:,} events in {sim_wall:.1f} s of simulation "
        f"({events / sim_wall:,.0f} events/s per process); {wall:.1f} s wall with {args.jobs} jobs"
    )
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
