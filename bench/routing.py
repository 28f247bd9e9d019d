"""Routing decision latency with 500 specialists and 5,000 waiting requests.

    .venv/bin/python bench/routing.py [--ops 20000] [--seed 7]

Builds an engine with six queues (priorities, sticky waits, widening, a fallback), 500
specialists with mixed skills, levels, authority and per-channel capacity, all busy, and
5,000 requests waiting with mixed requirements (levels, `refund_limit >= credits`, can
override fares), channels, tiers and preferred specialists. Then it runs a random mix of
commands (submit, resolve, accept, decline, tick with time moving on) that keeps about
5,000 waiting, timing each command with `time.perf_counter_ns`. Offers are mostly accepted
at once, sometimes declined or left to expire.

It prints the latency percentiles of every kind of command, and of the commands that led to
an offer (the routing decisions). The goal is p99 < 5 ms.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from tapline.engine import (
    Channel,
    Effect,
    Engine,
    FakeClock,
    OfferMade,
    OfferWithdrawn,
    Presence,
    QueuePolicy,
    Requirements,
)

SPECIALISTS = 500
WAITING = 5_000
QUEUES = {
    # queue: (skill, policy, share of arrivals)
    "payments": (
        "payments",
        QueuePolicy(
            priority=1, sticky_seconds=60, widen_after=60, anyone_after=180, fallback="general"
        ),
        0.3,
    ),
    "refunds": (
        "refunds",
        QueuePolicy(sticky_seconds=60, widen_after=90, anyone_after=240, fallback="general"),
        0.2,
    ),
    "booking": ("booking", QueuePolicy(widen_after=120), 0.2),
    "shipping": ("shipping", QueuePolicy(anyone_after=120), 0.1),
    "loyalty": ("loyalty", QueuePolicy(priority=2, sticky_seconds=120), 0.05),
    "general": ("general", QueuePolicy(), 0.15),
}
GOAL_MS = 5.0
DECISIONS = "all decisions (→ offer)"


@dataclass
class World:
    rng: random.Random
    clock: FakeClock = field(default_factory=lambda: FakeClock(1_000_000.0))
    engine: Engine = field(init=False)
    connected: dict[str, str] = field(default_factory=dict)  # request -> specialist
    offered: dict[str, str] = field(default_factory=dict)  # request -> specialist
    next_id: int = 0
    times: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Wall time (perf_counter_ns) of each command, by kind."""
    cpu: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """The same commands' CPU time (thread_time_ns): without the waits of a busy machine."""

    def __post_init__(self) -> None:
        self.engine = Engine(self.clock, offer_timeout=30.0)
        for queue_id, (skill, policy, _) in QUEUES.items():
            self.engine.add_queue(queue_id, skill, policy=policy)

    def add_specialists(self) -> None:
        skills = [skill for skill, _, _ in QUEUES.values()]
        for i in range(SPECIALISTS):
            chosen = self.rng.sample(skills, self.rng.randint(1, 3))
            levels = {skill: self.rng.randint(1, 5) for skill in chosen}
            levels.setdefault("general", self.rng.randint(1, 3))
            capacity = {"chat": self.rng.randint(2, 4)}
            if self.rng.random() < 0.3:
                capacity["voice"] = 1
            if self.rng.random() < 0.1:
                capacity["video"] = 1
            authority: dict[str, float | bool | str] = {
                "refund_limit": self.rng.choice([0, 100, 250, 500, 1000]),
                "can_override_fare": self.rng.random() < 0.2,
            }
            sid = f"s{i}"
            self.engine.set_specialist(sid, skills=levels, capacity=capacity, authority=authority)
            self.engine.set_presence(sid, Presence.AVAILABLE)

    def new_request(self) -> tuple[str, str, dict[str, object]]:
        self.next_id += 1
        queue_id = self.rng.choices(list(QUEUES), [share for _, _, share in QUEUES.values()])[0]
        skill = QUEUES[queue_id][0]
        levels = {skill: self.rng.choice([1, 2, 2, 3, 3, 4])}
        authority = []
        if queue_id in ("payments", "refunds") and self.rng.random() < 0.6:
            authority.append(f"refund_limit >= {self.rng.choice([50, 100, 150, 250, 400, 800])}")
        if queue_id == "booking" and self.rng.random() < 0.1:
            authority.append("can_override_fare == true")
        kwargs: dict[str, object] = {
            "requirements": Requirements.of(levels, authority),
            "channel": self.rng.choices(list(Channel), [0.85, 0.1, 0.05])[0],
            "priority": 10 if self.rng.random() < 0.1 else 0,
        }
        if self.rng.random() < 0.2:
            kwargs["preferred_specialist"] = f"s{self.rng.randrange(SPECIALISTS)}"
        return f"r{self.next_id}", queue_id, kwargs

    def follow(self, effects: list[Effect]) -> list[str]:
        """Note new offers; return their request ids."""
        made = []
        for effect in effects:
            if isinstance(effect, OfferMade):
                self.offered[effect.request_id] = effect.specialist_id
                made.append(effect.request_id)
            elif isinstance(effect, OfferWithdrawn):
                self.offered.pop(effect.request_id, None)
        return made

    def timed(self, name: str, command: object) -> list[Effect]:
        cpu = time.thread_time_ns()
        start = time.perf_counter_ns()
        effects: list[Effect] = command()  # type: ignore[operator]
        elapsed = time.perf_counter_ns() - start
        cpu = time.thread_time_ns() - cpu
        self.times[name].append(elapsed)
        self.cpu[name].append(cpu)
        if any(isinstance(e, OfferMade) for e in effects):
            for key in (f"{name} → offer", DECISIONS):
                self.times[key].append(elapsed)
                self.cpu[key].append(cpu)
        return effects

    def accept(self, request_id: str, *, timed: bool) -> None:
        specialist_id = self.offered.pop(request_id)
        if timed:
            effects = self.timed("accept", lambda: self.engine.accept(request_id, specialist_id))
        else:
            effects = self.engine.accept(request_id, specialist_id)
        self.connected[request_id] = specialist_id
        self.answer(self.follow(effects), timed=timed)

    def answer(self, made: list[str], *, timed: bool) -> None:
        """Most offers are accepted at once; some are left to be declined or expire."""
        for request_id in made:
            if request_id in self.offered and self.rng.random() < 0.9:
                self.accept(request_id, timed=timed)


def fill(world: World) -> None:
    """Everyone busy, then 5,000 waiting."""
    world.add_specialists()
    while sum(world.engine.queues().values()) < WAITING:
        request_id, queue_id, kwargs = world.new_request()
        effects = world.engine.submit(request_id, queue_id, **kwargs)  # type: ignore[arg-type]
        made = world.follow(effects)
        for rid in made:
            world.accept(rid, timed=False)


def step(world: World) -> None:
    rng, engine = world.rng, world.engine
    world.clock.advance(rng.expovariate(1 / 0.25))
    roll = rng.random()
    if roll < 0.42 and world.connected:
        request_id = rng.choice(list(world.connected))
        specialist_id = world.connected.pop(request_id)
        effects = world.timed("resolve", lambda: engine.resolve(request_id, specialist_id))
    elif roll < 0.84:
        request_id, queue_id, kwargs = world.new_request()
        effects = world.timed(
            "submit",
            lambda: engine.submit(request_id, queue_id, **kwargs),  # type: ignore[arg-type]
        )
    elif roll < 0.92 and world.offered:
        request_id = rng.choice(list(world.offered))
        specialist_id = world.offered.pop(request_id)
        effects = world.timed("decline", lambda: engine.decline(request_id, specialist_id))
    else:
        world.clock.advance(rng.uniform(0.0, 5.0))
        effects = world.timed("tick", engine.tick)
    world.answer(world.follow(effects), timed=True)


def percentiles(values: list[int]) -> tuple[float, float, float, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6

    return at(0.5), at(0.9), at(0.99), ordered[-1] / 1e6


def report(world: World, ops: int, seconds: float) -> Table:
    table = Table(
        title=(
            f"Routing decision latency: {SPECIALISTS} specialists, "
            f"~{WAITING:,} waiting, {ops:,} commands ({seconds:.1f} s)"
        ),
        caption="wall time by time.perf_counter_ns; cpu p99 by time.thread_time_ns",
    )
    columns = ("command", "count", "p50 ms", "p90 ms", "p99 ms", "max ms", "cpu p99 ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "command" else "right")
    names = [*sorted(name for name in world.times if name != DECISIONS), DECISIONS]
    for name in names:
        values = world.times.get(name)
        if not values:
            continue
        p50, p90, p99, top = percentiles(values)
        cpu99 = percentiles(world.cpu[name])[2]
        table.add_row(
            name,
            f"{len(values):,}",
            *(f"{v:.3f}" for v in (p50, p90, p99, top, cpu99)),
            style="bold" if name == DECISIONS else None,
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000, help="commands to time")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    console = Console()
    world = World(random.Random(args.seed))
    with console.status("Staffing 500 specialists and filling the queues…"):
        fill(world)
    gc.collect()
    start = time.perf_counter()
    with console.status(f"Timing {args.ops:,} commands…"):
        for _ in range(args.ops):
            step(world)
    seconds = time.perf_counter() - start
    console.print(report(world, args.ops, seconds))
    waiting = sum(world.engine.queues().values())
    decisions = world.times[DECISIONS]
    p99 = percentiles(decisions)[2] if decisions else 0.0
    verdict = "[green]met[/]" if p99 < GOAL_MS else "[red]missed[/]"
    console.print(
        f"waiting at the end: {waiting:,}; goal p99 < {GOAL_MS:g} ms for decisions: {verdict}"
    )


if __name__ == "__main__":
    main()
