"""The `tapline simulate` command's output: a Rich progress bar while it runs, then tables."""

from __future__ import annotations

import math
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tapline import native
from tapline.simulator.metrics import PREDICTORS, Results
from tapline.simulator.parallel import simulate_parallel
from tapline.simulator.scenario import Scenario, load_scenario


def _seconds(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.1f} s"


def _share(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1%}"


def tables(results: Results) -> list[Table]:
    """The summary tables: service, estimate accuracy, range by position."""
    r = results
    service = Table(title=f"{r.scenario}: service", show_header=False)
    service.add_column("measure")
    service.add_column("value", justify="right")
    rows = [
        ("customers (after warm-up)", f"{r.arrivals:,}"),
        ("answered", f"{r.served:,}"),
        ("gave up (abandonment)", f"{r.abandoned:,} ({_share(r.abandonment)})"),
        (
            f"service level (answered within {_seconds(r.service_level_threshold)})",
            _share(r.service_level),
        ),
        ("had to wait", f"{r.delayed:,}"),
        ("mean wait (answered)", _seconds(r.wait_mean)),
        *((f"{k} wait (answered)", _seconds(v)) for k, v in r.wait_percentiles.items()),
        ("mean offered wait (had to wait)", _seconds(r.offered_mean)),
    ]
    if r.callbacks is not None:
        cb = r.callbacks
        rows += [
            ("callbacks offered / accepted", f"{cb.offered:,} / {cb.accepted:,}"),
            (
                "callback promises kept",
                f"{_share(cb.kept)} of {cb.called:,} (early {_share(cb.early)})",
            ),
            (
                "callbacks not answered",
                f"{cb.missed:,} (requeued {cb.requeued:,}; {cb.rings:,} rings)",
            ),
        ]
    rows.append(
        ("events", f"{r.events:,} in {r.wall_seconds:.2f} s ({r.events_per_second:,.0f}/s)")
    )
    rows.append(("engine", native.mode()))
    for name, value in rows:
        service.add_row(name, value)

    accuracy = Table(title="estimate accuracy against the offered wait (customers who waited)")
    for column in ("predictor", "bias", "RRASE", "vs exact"):
        accuracy.add_column(column, justify="left" if column == "predictor" else "right")
    exact = r.scores["exact"].rrase
    for name in PREDICTORS:
        s = r.scores[name]
        accuracy.add_row(
            name, f"{s.bias:+.1f} s", f"{s.rrase:.4f}", f"{s.rrase / exact:.3f}" if exact else "-"
        )

    ranges = Table(title="tapline's 10-90% range, and the [QL, 2QL] window, by position")
    for column in ("ahead", "count", "hit", "below", "above"):
        ranges.add_column(column, justify="right")
    for b in r.buckets:
        ranges.add_row(b.label, f"{b.count:,}", _share(b.hit), _share(b.below), _share(b.above))
    ranges.add_row(
        "all",
        f"{r.delayed:,}",
        _share(r.range_hit),
        _share(r.range_below),
        _share(r.range_above),
        style="bold",
    )
    ranges.caption = (
        f"mean width {_seconds(r.range_width)}; [QL, 2QL] catches {_share(r.window_hit)}, "
        f"{_share(r.window_early)} are served before QL"
    )
    return [service, accuracy, ranges]


def run_and_print(
    scenario: Scenario | Path, report: Path | None, console: Console, jobs: int = 1
) -> Results:
    """Run a scenario with a progress bar, print the tables, and write the report if asked.

    With `jobs` > 1, that many independent replications share the scored time, one process
    each (see `parallel.py`)."""
    sc = load_scenario(scenario) if isinstance(scenario, Path) else scenario
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}% of simulated time"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(sc.name, total=1.0)
        results = simulate_parallel(sc, jobs, progress=lambda f: progress.update(task, completed=f))
    for table in tables(results):
        console.print(table)
    if report is not None:
        from tapline.simulator.report import write_report

        write_report(results, report)
        console.print(f"report: {report}")
    return results
