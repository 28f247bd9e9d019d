"""The report (HTML with embedded PNGs, or one PNG) and the `tapline simulate` command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tapline import native
from tapline.cli import app
from tapline.simulator.report import write_report
from tapline.simulator.run import simulate
from tapline.simulator.scenario import parse_scenario

SMALL = (
    'name = "small"\nseed = 1\nduration = "6h"\nwarmup = "30m"\n[arrivals]\nload = 1.1\n'
    '[handle]\nmean = "4m"\n[patience]\nmean = "5m"\n[staffing]\nservers = 5\n'
)


def test_html_report_embeds_its_plots_and_loads_nothing(tmp_path: Path) -> None:
    results = simulate(parse_scenario(SMALL))
    out = tmp_path / "r.html"
    write_report(results, out)
    text = out.read_text(encoding="utf-8")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', text)
    assert images == [
        "Waits",
        "Estimate against offered wait",
        "Range hit rate by position",
        "Queue over time",
    ]
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert "RRASE" in text and "[QL, 2QL]" in text


def test_png_report(tmp_path: Path) -> None:
    out = tmp_path / "r.png"
    write_report(simulate(parse_scenario(SMALL)), out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"\.html or \.png"):
        write_report(simulate(parse_scenario(SMALL)), tmp_path / "r.pdf")


def test_simulate_command_prints_the_tables(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL, encoding="utf-8")
    report = tmp_path / "out.html"
    result = CliRunner().invoke(app, ["simulate", str(scenario), "--report", str(report)])
    assert result.exit_code == 0, result.output
    for text in ("service level", "RRASE", "tapline", "LES10", "[QL, 2QL]", "events"):
        assert text in result.output
    assert native.mode().split(" (")[0] in result.output  # compiled, or interpreted and why
    assert report.exists()


def test_simulate_command_refuses_a_bad_scenario_with_file_and_line(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL.replace("servers = 5", "servers = -5"), encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "s.toml:12:" in output and "staffing.servers" in output


def test_replications_on_several_cores_merge_into_one_result() -> None:
    from tapline.simulator.parallel import merge, replicas, simulate_parallel

    sc = parse_scenario(SMALL.replace('duration = "6h"', 'duration = "10h"'))
    parts = replicas(sc, 2)
    assert [p.duration for p in parts] == [sc.warmup + 4.75 * 3600] * 2
    assert len({p.seed for p in parts}) == 2
    alone = simulate(parts[0])
    same = merge([alone], alone.wall_seconds)
    for name, score in alone.scores.items():
        assert same.scores[name].count == score.count
        assert same.scores[name].bias == pytest.approx(score.bias)
        assert same.scores[name].rrase == pytest.approx(score.rrase)
    assert same.range_hit == pytest.approx(alone.range_hit)
    assert same.service_level == pytest.approx(alone.service_level)
    assert [(b.label, b.count) for b in same.buckets] == [(b.label, b.count) for b in alone.buckets]
    both = simulate_parallel(sc, 2)
    other = simulate(parts[1])
    assert both.arrivals == alone.arrivals + other.arrivals
    assert both.scores["tapline"].count == alone.delayed + other.delayed
    n1, n2 = alone.scores["QL"].count, other.scores["QL"].count
    assert both.scores["QL"].bias == pytest.approx(
        (alone.scores["QL"].bias * n1 + other.scores["QL"].bias * n2) / (n1 + n2)
    )
    low, high = sorted((alone.scores["exact"].rrase, other.scores["exact"].rrase))
    assert low * 0.8 <= both.scores["exact"].rrase <= high * 1.2
