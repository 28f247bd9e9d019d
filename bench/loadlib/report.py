"""What a configuration's run measured, and how it is printed."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from loadlib.clients import Stats

LABELS = {
    "sqlite": "tapline, 1 node, SQLite",
    "postgres": "tapline, 1 node, PostgreSQL",
    "cluster": "tapline, 2 nodes, PostgreSQL + Redis",
    "relay": "bare relay (bench/relay.py)",
}


@dataclass
class Result:
    name: str
    unavailable: str = ""
    pairs: int = 0
    connected: int = 0  # customers whose chat was connected when the load began
    chats: int = 0  # chats the desks held when the load began
    setup: float = 0.0
    window: float = 0.0
    stopped: float = 0.0  # time.time() when the senders stopped
    offered: float = 0.0  # msg/s the connected chats were asked to send
    stats: Stats = field(default_factory=Stats)
    server_cpu: float = 0.0  # seconds in the window, all server processes
    generator_cpu: float = 0.0  # seconds in the window, all generator processes
    workers: int = 0
    idle_kib: float | None = None
    idle_count: int = 0
    idle_failures: int = 0
    servers: int = 0
    roles: dict[str, str] = field(default_factory=dict)  # several nodes: name -> /healthz role
    placed: dict[str, str] = field(default_factory=dict)  # name -> which sockets it serves
    server_cpus: dict[str, float] = field(default_factory=dict)  # name -> CPU s in the window
    logs: dict[str, str] = field(default_factory=dict)  # each server's output (warnings up)
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's 1-min, before and after

    @property
    def delivered(self) -> int:
        return len(self.stats.c2s) + len(self.stats.s2c)

    @property
    def rate(self) -> float:
        return self.delivered / self.window if self.window else 0.0

    def latency(self, q: float) -> float | None:
        """The q-quantile of both directions' latencies in the window, in ms."""
        values = sorted([*self.stats.c2s, *self.stats.s2c])
        return values[int(q * (len(values) - 1))] * 1000 if values else None

    @property
    def cpu_per_message(self) -> float | None:
        """Server CPU milliseconds per delivered message."""
        return self.server_cpu / self.delivered * 1000 if self.delivered else None


def merge(parts: list[Stats]) -> Stats:
    total = Stats()
    for part in parts:
        for name in ("sent", "acked", "refused", "held", "late", "received", "closed"):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        for name in ("errors", "close_codes", "failures"):
            getattr(total, name).update(getattr(part, name))
        total.last_ack = max(total.last_ack, part.last_ack)
        total.c2s.extend(part.c2s)
        for path, values in part.paths.items():
            total.paths.setdefault(path, array("d")).extend(values)
        total.s2c.extend(part.s2c)
    return total


def _quantile(values: array[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] * 1000 if ordered else None


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def print_result(r: Result, settings: str) -> None:
    print(f"\n== {r.name}: {LABELS[r.name]}")
    if r.unavailable:
        print(f"{r.name}: not available on this build ({r.unavailable})")
        return
    s = r.stats
    print(f"   server settings: {settings}" if r.name != "relay" else "   no settings")
    print(
        f"   pairs connected {r.connected:,}/{r.pairs:,}, desks' chats {r.chats:,} "
        f"(setup {r.setup:.1f} s); offered {r.offered:,.0f} msg/s; window {r.window:.1f} s"
    )
    print(
        f"   delivered {r.rate:,.1f} msg/s (customer->specialist {len(s.c2s) / r.window:,.1f}, "
        f"specialist->customer {len(s.s2c) / r.window:,.1f})"
    )
    print(f"   latency p50 {_num(r.latency(0.5))} ms, p99 {_num(r.latency(0.99))} ms")
    if s.paths:
        print(
            "   by path (sender's node > receiver's): "
            + "; ".join(
                f"{path} p50 {_num(_quantile(v, 0.5))} p99 {_num(_quantile(v, 0.99))} ms "
                f"({len(v):,})"
                for path, v in sorted(s.paths.items())
            )
        )
    print(
        f"   server CPU {r.server_cpu:.2f} s in the window ({r.server_cpu / r.window:.0%} "
        f"of a core, {r.servers} process(es)) = {_num(r.cpu_per_message, 3)} ms per message"
    )
    if r.roles:
        print(
            "   nodes: "
            + "; ".join(
                f"{name} {role} ({r.placed.get(name, '')}; {r.server_cpus.get(name, 0):.2f} s "
                "of CPU in the window)"
                for name, role in r.roles.items()
            )
        )
    print(
        f"   RSS {_num(r.idle_kib)} KiB per idle connection ({r.idle_count:,} idle customers"
        f"{f', {r.idle_failures} failed to open' if r.idle_failures else ''})"
    )
    not_delivered = max(0, s.sent - s.refused - s.received)
    print(
        f"   sent {s.sent:,}, acked {s.acked:,}, ack missing {s.sent - s.acked - s.refused:,}, "
        f"refused {s.refused:,}, not delivered {not_delivered:,}; not sent: "
        f"{s.held:,} held (too many unacked), {s.late:,} late (sender fell behind)"
    )
    if s.sent > s.acked + s.refused and s.last_ack:
        print(f"   the last ack came {s.last_ack - r.stopped:.1f} s after the senders stopped")
    if r.offered and r.rate < 0.9 * r.offered:
        print(
            f"   overloaded: delivered is {r.rate / r.offered:.0%} of offered; the latency is "
            "then mostly the queue the cap allows (about cap x senders / delivered msg/s)"
        )
    print(
        f"   errors by code {dict(s.errors) or 'none'}; sockets closed unexpectedly "
        f"{s.closed} {dict(s.close_codes) or ''}; sockets that failed to open "
        f"{dict(s.failures) or 'none'}"
    )
    _print_context(r)


def _print_context(r: Result) -> None:
    """What a reader needs to judge the figures: the servers' logs, the machine, the bench."""
    for name, text in r.logs.items():
        lines = text.splitlines()
        errors = sum(line.startswith("ERROR") for line in lines)
        if lines:
            print(f"   {name}'s log: {len(lines)} lines, {errors} ERROR entries; the last lines:")
            print("\n".join(f"     | {line[:150]}" for line in lines[-3:]))
    print(
        f"   machine load average (1 min) {r.load_average[0]:.2f} before the window, "
        f"{r.load_average[1]:.2f} after (2 cores, shared)"
    )
    print(
        f"   generator CPU {r.generator_cpu:.2f} s in the window "
        f"({r.generator_cpu / r.window:.0%} of a core, {r.workers} processes)"
    )


def print_summary(results: list[Result]) -> None:
    relay = next((r for r in results if r.name == "relay" and not r.unavailable), None)
    print("\n== summary (ratio = tapline / bare relay)")
    head = ("config", "msg/s", "p50 ms", "p99 ms", "CPU ms/msg", "KiB/idle", "ack miss", "closed")
    print("   " + "".join(f"{h:>12}" for h in head))
    for r in results:
        if r.unavailable:
            print(f"   {r.name:>12}  not available on this build ({r.unavailable})")
            continue
        row = (r.rate, r.latency(0.5), r.latency(0.99), r.cpu_per_message, r.idle_kib)
        cells = [_num(v, 3 if i == 3 else 1) for i, v in enumerate(row)]
        missing = r.stats.sent - r.stats.acked - r.stats.refused
        print("   " + "".join(f"{c:>12}" for c in [r.name, *cells, f"{missing:,}", r.stats.closed]))
        if relay is not None and r is not relay:
            base = (
                relay.rate,
                relay.latency(0.5),
                relay.latency(0.99),
                relay.cpu_per_message,
                relay.idle_kib,
            )
            ratios = [_ratio(a, b) for a, b in zip(row, base, strict=True)]
            print("   " + "".join(f"{c:>12}" for c in ["  / relay", *ratios]))


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "n/a"
    return f"{value / base:,.2f}x"
