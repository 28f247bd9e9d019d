"""The optional report: plots as a PNG, or an HTML page with the PNGs embedded (no CDN).

Plots: waits histogram, estimate against offered wait, range hit rates by position, and the
queue over time. matplotlib runs with the Agg backend (no display needed). It is not a
dependency of the server: it comes with the `simulator` extra (`pip install 'tapline[simulator]'`,
and `.[dev]` includes it), and is imported only when a report is written.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

from tapline.simulator.metrics import PREDICTORS, Results

INSTALL = "pip install 'tapline[simulator]'"


class ReportUnavailable(ImportError):
    """matplotlib, which draws the report, is not installed (the server does not need it)."""

    def __init__(self) -> None:
        super().__init__(f"a report needs matplotlib, which is not installed: {INSTALL}")


def _agg() -> None:
    """matplotlib on the Agg backend (no display), or ReportUnavailable."""
    try:
        import matplotlib
    except ImportError as error:
        raise ReportUnavailable() from error
    matplotlib.use("Agg")


def _figures(results: Results) -> list[tuple[str, bytes]]:
    _agg()
    import matplotlib.pyplot as plt

    out: list[tuple[str, bytes]] = []

    def save(fig: object, title: str) -> None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)  # type: ignore[attr-defined]
        plt.close(fig)  # type: ignore[arg-type]
        out.append((title, buffer.getvalue()))

    fig, ax = plt.subplots(figsize=(6.4, 4))
    waits = [w / 60 for w in results.waits_sample]
    ax.hist(waits, bins=60, color="#3b6ea8")
    ax.set_xlabel("wait of answered customers (min)")
    ax.set_ylabel("customers")
    ax.set_title("Waits")
    save(fig, "Waits")

    fig, ax = plt.subplots(figsize=(6.4, 4))
    pairs = results.pairs_sample[:5000]
    if pairs:
        est = [p[0] / 60 for p in pairs]
        act = [p[1] / 60 for p in pairs]
        ax.scatter(est, act, s=3, alpha=0.3, color="#3b6ea8")
        top = max(max(est), max(act))
        ax.plot([0, top], [0, top], color="#c0392b", linewidth=1)
    ax.set_xlabel("tapline's estimate on arrival (min)")
    ax.set_ylabel("offered wait (min)")
    ax.set_title("Estimate against offered wait")
    save(fig, "Estimate against offered wait")

    fig, ax = plt.subplots(figsize=(6.4, 4))
    labels = [b.label for b in results.buckets]
    x = range(len(labels))
    ax.bar(x, [b.below for b in results.buckets], color="#e67e22", label="below the range")
    ax.bar(
        x,
        [b.hit for b in results.buckets],
        bottom=[b.below for b in results.buckets],
        color="#27ae60",
        label="in the range",
    )
    ax.bar(
        x,
        [b.above for b in results.buckets],
        bottom=[b.below + b.hit for b in results.buckets],
        color="#c0392b",
        label="above the range",
    )
    ax.axhline(0.1, color="black", linewidth=0.5)
    ax.axhline(0.9, color="black", linewidth=0.5)
    ax.set_xticks(list(x), labels)
    ax.set_xlabel("customers ahead on arrival")
    ax.set_ylabel("share of offered waits")
    ax.set_title("Range hit rate by position")
    ax.legend(loc="lower right", fontsize=8)
    save(fig, "Range hit rate by position")

    fig, ax = plt.subplots(figsize=(6.4, 4))
    series = results.queue_series
    ax.plot([t / 3600 for t, _ in series], [n for _, n in series], color="#3b6ea8", linewidth=0.8)
    ax.set_xlabel("simulated time (h)")
    ax.set_ylabel("waiting")
    ax.set_title("Queue over time")
    save(fig, "Queue over time")
    return out


def _png(figures: list[tuple[str, bytes]]) -> bytes:
    """The figures side by side, two per row, as one PNG."""
    _agg()
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    rows = math.ceil(len(figures) / 2)
    fig, axes = plt.subplots(rows, 2, figsize=(12.8, 4 * rows))
    flat = list(axes.flat) if hasattr(axes, "flat") else [axes]
    for ax, (_, data) in zip(flat, figures, strict=False):
        ax.imshow(mpimg.imread(io.BytesIO(data), format="png"))
        ax.axis("off")
    for ax in flat[len(figures) :]:
        ax.axis("off")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def _html(results: Results, figures: list[tuple[str, bytes]]) -> str:
    r = results
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(name)}</td><td>{r.scores[name].bias:+.1f} s</td>"
        f"<td>{r.scores[name].rrase:.4f}</td></tr>"
        for name in PREDICTORS
    )
    buckets = "".join(
        f"<tr><td>{e(b.label)}</td><td>{b.count:,}</td><td>{b.hit:.1%}</td>"
        f"<td>{b.below:.1%}</td><td>{b.above:.1%}</td></tr>"
        for b in r.buckets
    )
    images = "".join(
        f'<figure><img alt="{e(title)}" src="data:image/png;base64,'
        f'{base64.b64encode(data).decode()}"><figcaption>{e(title)}</figcaption></figure>'
        for title, data in figures
    )
    callbacks = ""
    if r.callbacks is not None:
        cb = r.callbacks
        callbacks = (
            f"<p>Callbacks: {cb.accepted:,} accepted of {cb.offered:,} offered; promises "
            f"kept {cb.kept:.1%} of {cb.called:,} (early {cb.early:.1%}); "
            f"not answered {cb.missed:,} (requeued {cb.requeued:,}; {cb.rings:,} rings).</p>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(r.scenario)}: tapline simulation</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
figure {{ display: inline-block; margin: 0.5rem; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>{e(r.scenario)}</h1>
<p>{r.arrivals:,} customers after the warm-up; {r.served:,} answered, {r.abandoned:,} gave up
({r.abandonment:.1%}); service level {r.service_level:.1%} within
{r.service_level_threshold:.0f} s; mean wait {r.wait_mean:.1f} s; {r.delayed:,} had to wait,
mean offered wait {r.offered_mean:.1f} s.</p>
<h2>Estimate accuracy (offered waits of customers who waited)</h2>
<table><tr><th>predictor</th><th>bias</th><th>RRASE</th></tr>{rows}</table>
<p>tapline's 10-90% range: {r.range_hit:.1%} hit, {r.range_below:.1%} below, {r.range_above:.1%}
above, mean width {r.range_width:.0f} s. The [QL, 2QL] window: {r.window_hit:.1%} hit,
{r.window_early:.1%} served before QL.</p>
<table><tr><th>ahead</th><th>count</th><th>hit</th><th>below</th><th>above</th></tr>{buckets}</table>
{callbacks}
<p>{r.events:,} events in {r.wall_seconds:.2f} s ({r.events_per_second:,.0f} per second).</p>
{images}
</body></html>
"""


def write_report(results: Results, path: Path) -> None:
    """Write `path`: a PNG of the plots (.png) or an HTML page embedding them (.html).

    Raises ReportUnavailable (an ImportError) without matplotlib: `tapline[simulator]`."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise ValueError(f"a report is .html or .png, not {path.suffix or 'no suffix'}")
    figures = _figures(results)
    if suffix == ".png":
        path.write_bytes(_png(figures))
    else:
        path.write_text(_html(results, figures), encoding="utf-8")
