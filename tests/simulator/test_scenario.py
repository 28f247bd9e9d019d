"""Scenario files: what is accepted, and what is refused with the file, the line and the reason."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tapline.simulator.scenario import ScenarioError, load_scenario, parse_duration, parse_scenario

GOOD = """\
name = "small"
seed = 3
duration = "2h"
warmup = "10m"
service_level = "30s"

[arrivals]
per_hour = 120
pattern = "sinusoidal"
amplitude = 0.5
period = "1h"

[handle]
law = "lognormal"
mean = "4m"
cv = 1.0

[patience]
law = "exponential"
mean = "5m"

[[staffing.shift]]
start = "0h"
end = "1h"
servers = 5

[[staffing.shift]]
start = "1h"
end = "2h"
servers = 8

[callbacks]
offer_above = "3m"
accept = 0.4
"""


def test_a_good_file_reads_into_numbers() -> None:
    sc = parse_scenario(GOOD, "good.toml")
    assert sc.name == "small" and sc.seed == 3
    assert sc.duration == 7200.0 and sc.warmup == 600.0 and sc.service_level == 30.0
    assert sc.arrivals.rate == pytest.approx(120 / 3600)
    assert sc.arrivals.rate_at(900.0) == pytest.approx(1.5 * 120 / 3600)  # a quarter period
    assert sc.handle.law == "lognormal" and sc.handle.mean == 240.0 and sc.handle.cv == 1.0
    assert sc.patience.mean == 300.0
    assert sc.servers_at(10.0) == 5 and sc.servers_at(3600.0) == 8 and sc.max_servers == 8
    assert sc.staffing_changes(7200.0) == [(0.0, 5), (3600.0, 8)]
    assert sc.callbacks is not None and sc.callbacks.accept == 0.4
    # the ring and retry policy's defaults: the engine's CallbackPolicy's
    assert (sc.callbacks.answer, sc.callbacks.answer_delay) == (1.0, 10.0)
    assert (sc.callbacks.ring_timeout, sc.callbacks.attempts, sc.callbacks.spacing) == (
        30.0,
        3,
        60.0,
    )
    assert sc.callbacks.on_failure == "requeue"


def test_the_callback_policy_reads_from_the_file() -> None:
    source = GOOD.replace(
        "accept = 0.4",
        'accept = 0.4\nanswer = 0.9\nanswer_delay = "15s"\nring_timeout = "45s"\n'
        'attempts = 2\nspacing = "2m"\non_failure = "cancel"',
    )
    cb = parse_scenario(source).callbacks
    assert cb is not None
    assert (cb.answer, cb.answer_delay, cb.ring_timeout) == (0.9, 15.0, 45.0)
    assert (cb.attempts, cb.spacing, cb.on_failure) == (2, 120.0, "cancel")


def test_load_sets_the_arrival_rate_from_the_staffing() -> None:
    sc = parse_scenario(
        'duration = "1h"\n[arrivals]\nload = 0.9\n[handle]\nmean = "4m"\n[staffing]\nservers = 50\n'
    )
    assert sc.arrivals.rate == pytest.approx(0.9 * 50 / 240)
    assert sc.patience.law == "none"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(90, 90.0), (1.5, 1.5), ("90s", 90.0), ("4m", 240.0), ("1.5h", 5400.0), ("2h30m", 9000.0)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["4 minutes", "", "m", True, None, "-3m"])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def _line_of(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "line_with", "reason"),
    [
        ('mean = "4m"', 'mean = "soon"', 'mean = "soon"', "handle.mean"),
        ('mean = "4m"', "mean = -4", "mean = -4", "more than 0"),
        ("cv = 1.0", "cv = 0", "cv = 0", "handle.cv must be more than 0"),
        ('law = "lognormal"', 'law = "weibull"', 'law = "weibull"', "handle.law must be one of"),
        ("servers = 8", "servers = 2.5", "servers = 2.5", "whole number"),
        ('end = "2h"', 'end = "30m"', 'end = "30m"', "must end after it starts"),
        ("amplitude = 0.5", "amplitude = 1.5", "amplitude = 1.5", "at most 1.0"),
        ("accept = 0.4", "accept = 2", "accept = 2", "at most 1.0"),
        ('warmup = "10m"', 'warmup = "3h"', 'warmup = "3h"', "shorter than duration"),
        ("seed = 3", 'seed = "x"', 'seed = "x"', "whole number"),
        ("cv = 1.0", "cv = 1.0\nspread = 2", "spread = 2", "unknown key 'spread' in [handle]"),
        ('pattern = "sinusoidal"', 'pattern = "wavy"', 'pattern = "wavy"', "arrivals.pattern"),
        ("accept = 0.4", "accept = 0.4\nanswer = 1.2", "answer = 1.2", "at most 1.0"),
        (
            "accept = 0.4",
            'accept = 0.4\nanswer_delay = "soon"',
            'answer_delay = "soon"',
            "callbacks.answer_delay: 'soon' is not a duration",
        ),
        (
            "accept = 0.4",
            "accept = 0.4\nanswer_delay = -3",
            "answer_delay = -3",
            "callbacks.answer_delay must be 0 or more",
        ),
        (
            "accept = 0.4",
            "accept = 0.4\nring_timeout = 0",
            "ring_timeout = 0",
            "callbacks.ring_timeout must be more than 0",
        ),
        ("accept = 0.4", "accept = 0.4\nattempts = 0", "attempts = 0", "at least 1.0"),
        ("accept = 0.4", "accept = 0.4\nattempts = 2.5", "attempts = 2.5", "whole number"),
        (
            "accept = 0.4",
            "accept = 0.4\nspacing = -1",
            "spacing = -1",
            "callbacks.spacing must be 0 or more",
        ),
        (
            "accept = 0.4",
            'accept = 0.4\non_failure = "retry"',
            'on_failure = "retry"',
            "callbacks.on_failure must be requeue or cancel, not 'retry'",
        ),
        (
            "accept = 0.4",
            "accept = 0.4\nwindow = 3",
            "window = 3",
            "unknown key 'window' in [callbacks]",
        ),
    ],
)
def test_invalid_values_name_the_file_the_line_and_the_reason(
    old: str, new: str, line_with: str, reason: str
) -> None:
    source = GOOD.replace(old, new, 1)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(source, "bad.toml")
    error = caught.value
    assert error.file == "bad.toml"
    assert error.line == _line_of(source, line_with)
    assert reason in error.reason
    assert str(error).startswith(f"bad.toml:{error.line}: ")


def test_a_syntax_error_gives_the_parsers_line() -> None:
    source = GOOD.replace("seed = 3", "seed = = 3")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(source, "s.toml")
    assert caught.value.line == _line_of(source, "seed = = 3")
    assert "not valid TOML" in caught.value.reason


def test_a_missing_table_is_refused() -> None:
    with pytest.raises(ScenarioError, match="missing the \\[handle\\] table"):
        parse_scenario('duration = "1h"\n[arrivals]\nper_hour = 5\n[staffing]\nservers = 1\n')


def test_exactly_one_arrival_rate() -> None:
    source = GOOD.replace("per_hour = 120", "per_hour = 120\nload = 1.0")
    with pytest.raises(ScenarioError, match="exactly one of") as caught:
        parse_scenario(source, "x.toml")
    assert caught.value.line == _line_of(source, "[arrivals]")


def test_no_one_ever_on_duty_is_refused() -> None:
    source = GOOD.replace("servers = 5", "servers = 0").replace("servers = 8", "servers = 0")
    with pytest.raises(ScenarioError, match="no specialist is ever on duty"):
        parse_scenario(source, "x.toml")


def test_load_scenario_reads_a_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace("accept = 0.4", "accept = -1"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(f"{path}:{_line_of(path.read_text(), 'accept = -1')}:")
    with pytest.raises(ScenarioError, match="cannot read it"):
        load_scenario(tmp_path / "missing.toml")


def test_the_example_scenarios_are_valid() -> None:
    folder = Path(__file__).parents[2] / "bench" / "scenarios"
    files = sorted(folder.glob("*.toml"))
    assert files
    for path in files:
        sc = load_scenario(path)
        assert sc.duration > sc.warmup >= 0 and math.isfinite(sc.duration)
