"""Scenario files for `tapline simulate`: TOML, checked when loaded.

An invalid file is refused with a `ScenarioError` naming the file, the line and the reason;
the line is found in the source text (TOML parsers only report lines for syntax errors). The
format is documented in docs/subsystems/simulator.md; bench/scenarios/ holds examples.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Law = Literal["exponential", "lognormal", "deterministic", "none"]
LAWS: tuple[str, ...] = ("exponential", "lognormal", "deterministic", "none")
Pattern = Literal["constant", "sinusoidal", "piecewise"]


class ScenarioError(ValueError):
    """An invalid scenario: `file:line: reason`."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class Distribution:
    """A law of durations (seconds) given by its mean and coefficient of variation."""

    law: Law
    mean: float = math.inf
    cv: float = 1.0


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Poisson arrivals, rate per second: constant, sinusoidal (rate x (1 + a sin 2πt/P)),
    or piecewise (`steps`: (from time, rate) pairs, repeating every `period` if given)."""

    rate: float
    pattern: Pattern = "constant"
    amplitude: float = 0.0
    period: float = 0.0
    steps: tuple[tuple[float, float], ...] = ()

    def rate_at(self, t: float) -> float:
        if self.pattern == "sinusoidal":
            return self.rate * (1.0 + self.amplitude * math.sin(2.0 * math.pi * t / self.period))
        if self.pattern == "piecewise":
            if self.period > 0.0:
                t = t % self.period
            current = self.steps[0][1]
            for at, rate in self.steps:
                if at > t:
                    break
                current = rate
            return current
        return self.rate

    @property
    def max_rate(self) -> float:
        if self.pattern == "sinusoidal":
            return self.rate * (1.0 + self.amplitude)
        if self.pattern == "piecewise":
            return max(rate for _, rate in self.steps)
        return self.rate


@dataclass(frozen=True, slots=True)
class Shift:
    """`servers` specialists on duty from `start` to `end` (seconds from the start)."""

    start: float
    end: float
    servers: int


@dataclass(frozen=True, slots=True)
class Callbacks:
    """Customers offered "call me back when it's my turn" accept with probability `accept`
    when their estimate is above `offer_above` seconds. Each ring is answered with
    probability `answer`, after an exponential delay of mean `answer_delay` seconds (a ring
    not answered within `ring_timeout` goes unanswered). The retry policy is the engine's
    `CallbackPolicy`: `attempts` rings in all, `spacing` seconds apart, then `on_failure`
    (requeue: back to the front of the line; cancel: a missed-callback dead end)."""

    offer_above: float
    accept: float
    answer: float = 1.0
    answer_delay: float = 10.0
    ring_timeout: float = 30.0
    attempts: int = 3
    spacing: float = 60.0
    on_failure: Literal["requeue", "cancel"] = "requeue"


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    arrivals: Arrivals
    handle: Distribution
    patience: Distribution
    shifts: tuple[Shift, ...]
    duration: float
    warmup: float = 0.0
    seed: int = 1
    service_level: float = 60.0
    """Answered within this many seconds counts toward the service level."""
    repeat: float = 0.0
    """The shifts repeat every `repeat` seconds (0: they do not)."""
    callbacks: Callbacks | None = None
    source: str = field(default="", compare=False)

    def servers_at(self, t: float) -> int:
        if self.repeat > 0.0:
            t = t % self.repeat
        return sum(s.servers for s in self.shifts if s.start <= t < s.end)

    @property
    def max_servers(self) -> int:
        points = sorted({s.start for s in self.shifts})
        return max((self.servers_at(p) for p in points), default=0)

    def staffing_changes(self, until: float) -> list[tuple[float, int]]:
        """(time, servers) at 0 and at every change up to `until`."""
        starts = sorted({p for s in self.shifts for p in (s.start, s.end)})
        if self.repeat <= 0.0:
            times = [0.0, *[p for p in starts if 0.0 < p < until]]
        else:
            times = []
            base = 0.0
            while base < until:
                times += [base + p for p in starts if base + p < until and p < self.repeat]
                base += self.repeat
            times = sorted({0.0, *times})
        out: list[tuple[float, int]] = []
        for t in times:
            servers = self.servers_at(t)
            if not out or out[-1][1] != servers:
                out.append((t, servers))
        return out


# -- Reading ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*([dhms]))+\s*$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_UNIT = {"d": 86_400.0, "h": 3_600.0, "m": 60.0, "s": 1.0}


def parse_duration(value: object) -> float:
    """Seconds from a number (seconds) or a string such as "90s", "4m", "1.5h", "2h30m"."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string such as '4m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _DURATION.match(value):
        return sum(float(n) * _UNIT[u] for n, u in _PART.findall(value))
    raise ValueError(f"{value!r} is not a duration (a number of seconds, or e.g. '4m', '1h30m')")


class _Lines:
    """Where each key and table of a TOML source is, found by scanning its lines."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")

    def __init__(self, source: str) -> None:
        self.where: dict[str, int] = {}
        counts: dict[str, int] = {}
        table = ""
        in_multiline = False
        for number, line in enumerate(source.splitlines(), start=1):
            if in_multiline:
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_multiline = False
                continue
            header = self._HEADER.match(line)
            if header:
                name = header.group(2).replace(" ", "").replace('"', "")
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    table = f"{name}[{index}]"
                else:
                    table = name
                self.where.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                name = key.group(1).replace(" ", "")
                path = f"{table}.{name}" if table else name
                self.where.setdefault(path, number)
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_multiline = True

    def line(self, path: str) -> int | None:
        """The line of `path` ("handle.mean", "staffing.shift[1]"), else of its nearest parent."""
        while path:
            if path in self.where:
                return self.where[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


class _Reader:
    def __init__(self, file: str, source: str) -> None:
        self.file = file
        self.lines = _Lines(source)

    def fail(self, path: str, reason: str) -> ScenarioError:
        return ScenarioError(self.file, self.lines.line(path), reason)

    def table(self, data: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                full = f"{path}.{key}" if path else key
                where = f"[{path}]" if path else "the top level"
                raise self.fail(
                    full, f"unknown key {key!r} in {where} (known: {', '.join(allowed)})"
                )

    def section(self, data: Mapping[str, Any], path: str, required: bool = True) -> dict[str, Any]:
        value = data.get(path.rsplit(".", 1)[-1])
        if value is None:
            if required:
                raise ScenarioError(self.file, None, f"missing the [{path}] table")
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"{path} must be a table")
        return value

    def duration(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        default: float | None = None,
        *,
        positive: bool = True,
    ) -> float:
        full = f"{path}.{key}" if path else key
        if key not in data:
            if default is None:
                raise self.fail(path, f"missing {full}")
            return default
        try:
            value = parse_duration(data[key])
        except ValueError as error:
            raise self.fail(full, f"{full}: {error}") from None
        if positive and not value > 0.0:
            raise self.fail(full, f"{full} must be more than 0, not {data[key]!r}")
        if not positive and value < 0.0:
            raise self.fail(full, f"{full} must be 0 or more, not {data[key]!r}")
        if math.isinf(value) or math.isnan(value):
            raise self.fail(full, f"{full} must be finite")
        return value

    def number(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        default: float | None = None,
        *,
        low: float = 0.0,
        high: float = math.inf,
        strict_low: bool = False,
    ) -> float:
        full = f"{path}.{key}" if path else key
        if key not in data:
            if default is None:
                raise self.fail(path, f"missing {full}")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(full, f"{full} must be a number, not {value!r}")
        ok = (value > low if strict_low else value >= low) and value <= high
        if not ok or math.isnan(value):
            bound = f"more than {low}" if strict_low else f"at least {low}"
            upper = "" if math.isinf(high) else f" and at most {high}"
            raise self.fail(full, f"{full} must be {bound}{upper}, not {value!r}")
        return float(value)


def _distribution(r: _Reader, data: Mapping[str, Any], name: str) -> Distribution:
    table = r.section(data, name)
    r.table(table, name, ("law", "mean", "cv"))
    law = table.get("law", "exponential")
    if law not in LAWS:
        raise r.fail(f"{name}.law", f"{name}.law must be one of {', '.join(LAWS)}, not {law!r}")
    if law == "none":
        if name == "handle":
            raise r.fail(f"{name}.law", "handle times cannot be 'none'")
        return Distribution("none")
    mean = r.duration(table, name, "mean")
    cv = 1.0 if law == "exponential" else 0.0 if law == "deterministic" else None
    if law == "lognormal":
        cv = r.number(table, name, "cv", strict_low=True, high=10.0)
    elif "cv" in table and float(table["cv"]) != cv:
        raise r.fail(f"{name}.cv", f'an {law} law has cv {cv}; use law = "lognormal" for another')
    assert cv is not None
    return Distribution(law, mean, cv)


def _staffing(r: _Reader, data: Mapping[str, Any]) -> tuple[tuple[Shift, ...], float, int]:
    table = r.section(data, "staffing")
    r.table(table, "staffing", ("servers", "shift", "repeat"))
    repeat = r.duration(table, "staffing", "repeat", 0.0, positive=False)
    if "servers" in table and "shift" in table:
        raise r.fail("staffing", "give staffing.servers or [[staffing.shift]] tables, not both")
    if "servers" in table:
        servers = r.number(table, "staffing", "servers", strict_low=True, high=100_000)
        if servers != int(servers):
            raise r.fail("staffing.servers", "staffing.servers must be a whole number")
        return (Shift(0.0, math.inf, int(servers)),), 0.0, int(servers)
    shifts_data = table.get("shift")
    if not isinstance(shifts_data, list) or not shifts_data:
        raise r.fail("staffing", "staffing needs servers = N or at least one [[staffing.shift]]")
    shifts = []
    for i, item in enumerate(shifts_data):
        path = f"staffing.shift[{i}]"
        r.table(item, path, ("start", "end", "servers"))
        start = r.duration(item, path, "start", positive=False)
        end = r.duration(item, path, "end")
        if end <= start:
            raise r.fail(f"{path}.end", f"a shift must end after it starts ({path})")
        if repeat > 0.0 and end > repeat:
            raise r.fail(f"{path}.end", f"a shift must end within staffing.repeat ({path})")
        servers = r.number(item, path, "servers", high=100_000)
        if servers != int(servers):
            raise r.fail(f"{path}.servers", "servers must be a whole number")
        shifts.append(Shift(start, end, int(servers)))
    return tuple(shifts), repeat, 0


def _arrivals(r: _Reader, data: Mapping[str, Any], servers: int, handle: Distribution) -> Arrivals:
    table = r.section(data, "arrivals")
    r.table(table, "arrivals", ("per_hour", "load", "pattern", "amplitude", "period", "step"))
    pattern = table.get("pattern", "constant")
    if pattern not in ("constant", "sinusoidal", "piecewise"):
        raise r.fail(
            "arrivals.pattern",
            f"arrivals.pattern must be constant, sinusoidal or piecewise, not {pattern!r}",
        )
    if pattern == "piecewise":
        steps_data = table.get("step")
        if not isinstance(steps_data, list) or not steps_data:
            raise r.fail("arrivals", "piecewise arrivals need [[arrivals.step]] tables")
        steps: list[tuple[float, float]] = []
        for i, item in enumerate(steps_data):
            path = f"arrivals.step[{i}]"
            r.table(item, path, ("start", "per_hour"))
            start = r.duration(item, path, "start", positive=False)
            if steps and start <= steps[-1][0]:
                raise r.fail(f"{path}.start", "arrival steps must be in increasing start order")
            if not steps and start != 0.0:
                raise r.fail(f"{path}.start", "the first arrival step must start at 0")
            steps.append((start, r.number(item, path, "per_hour") / 3600.0))
        period = r.duration(table, "arrivals", "period", 0.0, positive=False)
        mean = sum(rate for _, rate in steps) / len(steps)
        return Arrivals(mean, "piecewise", 0.0, period, tuple(steps))
    if ("per_hour" in table) == ("load" in table):
        raise r.fail("arrivals", "give exactly one of arrivals.per_hour and arrivals.load")
    if "load" in table:
        if servers <= 0:
            raise r.fail("arrivals.load", "arrivals.load needs fixed staffing (staffing.servers)")
        load = r.number(table, "arrivals", "load", strict_low=True, high=100.0)
        rate = load * servers / handle.mean
    else:
        rate = r.number(table, "arrivals", "per_hour", strict_low=True) / 3600.0
    if pattern == "sinusoidal":
        amplitude = r.number(table, "arrivals", "amplitude", low=0.0, high=1.0)
        period = r.duration(table, "arrivals", "period")
        return Arrivals(rate, "sinusoidal", amplitude, period)
    for key in ("amplitude", "period", "step"):
        if key in table:
            raise r.fail(f"arrivals.{key}", f"arrivals.{key} is only for other patterns")
    return Arrivals(rate)


def _callbacks(r: _Reader, table: Mapping[str, Any]) -> Callbacks:
    keys = (
        "offer_above",
        "accept",
        "answer",
        "answer_delay",
        "ring_timeout",
        "attempts",
        "spacing",
        "on_failure",
    )
    r.table(table, "callbacks", keys)
    attempts = r.number(table, "callbacks", "attempts", 3.0, low=1.0, high=100.0)
    if attempts != int(attempts):
        raise r.fail("callbacks.attempts", "callbacks.attempts must be a whole number")
    on_failure = table.get("on_failure", "requeue")
    if on_failure not in ("requeue", "cancel"):
        raise r.fail(
            "callbacks.on_failure",
            f"callbacks.on_failure must be requeue or cancel, not {on_failure!r}",
        )
    return Callbacks(
        offer_above=r.duration(table, "callbacks", "offer_above", positive=False),
        accept=r.number(table, "callbacks", "accept", high=1.0),
        answer=r.number(table, "callbacks", "answer", 1.0, high=1.0),
        answer_delay=r.duration(table, "callbacks", "answer_delay", 10.0, positive=False),
        ring_timeout=r.duration(table, "callbacks", "ring_timeout", 30.0),
        attempts=int(attempts),
        spacing=r.duration(table, "callbacks", "spacing", 60.0, positive=False),
        on_failure="cancel" if on_failure == "cancel" else "requeue",
    )


def parse_scenario(source: str, file: str = "<scenario>") -> Scenario:
    """Read a scenario from TOML text; raise ScenarioError (file, line, reason) if invalid."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ScenarioError(file, line, f"not valid TOML: {reason}") from None
    r = _Reader(file, source)
    r.table(
        data,
        "",
        (
            "name",
            "seed",
            "duration",
            "warmup",
            "service_level",
            "arrivals",
            "handle",
            "patience",
            "staffing",
            "callbacks",
        ),
    )
    name = data.get("name", Path(file).stem)
    if not isinstance(name, str):
        raise r.fail("name", "name must be a string")
    seed = data.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise r.fail("seed", f"seed must be a whole number, not {seed!r}")
    duration = r.duration(data, "", "duration")
    warmup = r.duration(data, "", "warmup", 0.0, positive=False)
    if warmup >= duration:
        raise r.fail("warmup", "warmup must be shorter than duration")
    service_level = r.duration(data, "", "service_level", 60.0)
    handle = _distribution(r, data, "handle")
    patience = _distribution(r, data, "patience") if "patience" in data else Distribution("none")
    shifts, repeat, fixed = _staffing(r, data)
    arrivals = _arrivals(r, data, fixed, handle)
    callbacks = None
    if "callbacks" in data:
        table = r.section(data, "callbacks")
        callbacks = _callbacks(r, table)
    scenario = Scenario(
        name=name,
        arrivals=arrivals,
        handle=handle,
        patience=patience,
        shifts=shifts,
        duration=duration,
        warmup=warmup,
        seed=seed,
        service_level=service_level,
        repeat=repeat,
        callbacks=callbacks,
        source=file,
    )
    if scenario.max_servers <= 0:
        raise r.fail("staffing", "no specialist is ever on duty")
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(str(path), None, f"cannot read it: {error}") from None
    return parse_scenario(source, str(path))
