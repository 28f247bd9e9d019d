"""Load: N customers and N specialists chatting over real WebSockets, against a bare relay.

    .venv/bin/python bench/load.py --pairs 200 --rate 5 --seconds 20
    .venv/bin/python bench/load.py --configs relay,sqlite --pairs 500

For each configuration (`sqlite`, `postgres`, `cluster`, `relay`) it starts the servers as
processes on loopback ports (a fresh data directory, a fresh PostgreSQL schema), measures the
RSS per idle connection, connects the pairs (customers POST a request and open their socket;
desks say hello, go available and accept the offers), then has every chat send from both
ends at `--rate` msg/s per sender for `--warmup` + `--seconds`, from generator processes.
It prints delivered msg/s, p50/p99 end-to-end latency, server CPU per delivered message, RSS
per idle connection, ratios to the bare relay, and what went wrong (acks missing, errors by
code, sockets closed). See docs/subsystems/load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import multiprocessing
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from loadlib import worker
from loadlib.idle import idle_rss
from loadlib.nodes import (
    NotAvailable,
    Seeded,
    Servers,
    cpu_seconds,
    create_schema,
    limits,
    roles,
    seed,
    server_env,
)
from loadlib.report import Result, merge, print_result, print_summary

ORIGIN = "https://shop.bench.example"
CONFIGS = ("sqlite", "postgres", "cluster", "relay")


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--pairs", type=int, default=2000, help="customers chatting with a specialist (2000)")
    add("--rate", type=float, default=5.0, help="msg/s each sender sends on each chat (5)")
    add("--seconds", type=float, default=20.0, help="the measured window (20)")
    add("--warmup", type=float, default=3.0, help="sending before the window opens (3)")
    add("--drain", type=float, default=30.0, help="at most this long for the last acks (30)")
    add("--idle", type=int, default=300, help="idle customers for the RSS figure (300)")
    add("--configs", default=",".join(CONFIGS), help="any of " + ",".join(CONFIGS))
    add("--chats-per-specialist", type=int, default=1, help="desk capacity (1: N and N)")
    add("--cap", type=int, default=10, help="a socket's unacked messages before it holds (10)")
    add("--workers", type=int, default=2, help="generator processes (2)")
    add("--concurrency", type=int, default=50, help="sockets each worker opens at once (50)")
    add("--setup-timeout", type=float, default=600.0, help="to connect the pairs (600)")
    add(
        "--profile",
        metavar="DIR",
        help="sample each server with py-spy during the window, into DIR/<server>.txt",
    )
    add("--keep", action="store_true", help="keep the data directories and servers' logs")
    add("--pg-url", default="postgresql://root@127.0.0.1:5432/test")
    add("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = set(args.configs) - set(CONFIGS)
    if unknown or not 1 <= args.pairs <= 5000 or not 0 < args.rate <= 100:
        parser.error(f"configs from {CONFIGS}; 1 <= pairs <= 5000; 0 < rate <= 100")
    if args.seconds > 600 or args.idle > 5000:
        parser.error("--seconds at most 600, --idle at most 5000")
    args.limits = limits(args.rate, args.chats_per_specialist, 2 * args.pairs + args.idle + 20)
    return args


def start(servers: Servers, args: argparse.Namespace) -> Seeded:
    """Seed the database, then start the nodes (or the relay). NotAvailable: cannot run."""
    if servers.kind == "relay":
        servers.start_relay()
        return Seeded("", [])
    from tapline.settings import Settings

    (servers.workdir / "secret").write_text(secrets.token_urlsafe(48))
    database = None
    if servers.kind != "sqlite":
        servers.pg_url, database = args.pg_url, args.pg_url
        servers.schema = asyncio.run(create_schema(args.pg_url))
    first = servers.workdir / "a"
    first.mkdir()
    db_url = Settings(data_dir=first, database_url=database).db_url
    specialists = math.ceil(args.pairs / args.chats_per_specialist)
    seeded = asyncio.run(
        seed(db_url, servers.schema, specialists, args.chats_per_specialist, ORIGIN)
    )
    servers.env = server_env(servers.workdir, database, servers.schema, args.limits)
    if servers.kind != "cluster":
        servers.start_node("a")
        return seeded
    config = servers.workdir / "cluster.toml"
    config.write_text(f'[tapline]\nredis_url = "{args.redis_url}"\n')
    servers.env["TAPLINE_REDIS_URL"] = args.redis_url
    servers.start_node("a", config)
    servers.start_node("b", config)
    return seeded


def plans(servers: Servers, seeded: Seeded, args: argparse.Namespace, run: str) -> list[Any]:
    """Each worker's share: customers on the first node, desks spread over every node."""
    nodes = servers.processes
    per = args.chats_per_specialist
    relay = servers.kind == "relay"
    where = [f"ws://127.0.0.1:{n.port}/" if relay else n.base for n in nodes]
    customers = [(i, where[0], [f"p{i}"]) for i in range(args.pairs)]
    desks = []
    for j in range(math.ceil(args.pairs / per)):
        pairs = [f"p{k}" for k in range(j * per, min(args.pairs, (j + 1) * per))]
        desks.append((j, where[j % len(where)], pairs if relay else seeded.tokens[j]))
    common = {
        "mode": "relay" if relay else "tapline",
        "app": seeded.app,
        "run": run,
        "rate": args.rate,
        "cap": args.cap,
        "concurrency": args.concurrency,
        # several nodes: each socket's node, named in its messages (the path they took)
        "names": {w: n.name for w, n in zip(where, nodes, strict=True)} if len(nodes) > 1 else {},
    }
    n = args.workers
    return [{**common, "customers": customers[w::n], "desks": desks[w::n]} for w in range(n)]


def drive(servers: Servers, seeded: Seeded, args: argparse.Namespace, result: Result) -> None:
    """Run the generator processes through setup, the load and the drain."""
    run = "b" + secrets.token_hex(3)
    context = multiprocessing.get_context("spawn")
    conns: list[Connection] = []
    procs = []
    for plan in plans(servers, seeded, args, run):
        parent, child = context.Pipe()
        proc = context.Process(target=worker.main, args=(child, plan), daemon=True)
        proc.start()
        conns.append(parent)
        procs.append(proc)
    try:
        _setup(conns, args, result)
        _load(conns, [p.pid for p in procs if p.pid], servers, args, result)
    finally:
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.terminate()


def _setup(conns: list[Connection], args: argparse.Namespace, result: Result) -> None:
    began = time.monotonic()
    deadline = began + args.setup_timeout
    _collect(conns, "desks", deadline)
    for conn in conns:
        conn.send(("customers",))
    latest: dict[int, tuple[Any, ...]] = {}
    while time.monotonic() < deadline:
        for conn in wait(conns, timeout=1.0):
            message = conn.recv()
            if message[0] == "progress":
                latest[conns.index(conn)] = message
        connected = sum(m[1] for m in latest.values())
        chats = sum(m[2] for m in latest.values())
        failed = sum(m[3] for m in latest.values())
        if len(latest) == len(conns) and connected + failed >= args.pairs and chats >= connected:
            break
    result.connected = sum(m[1] for m in latest.values())
    result.chats = sum(m[2] for m in latest.values())
    result.setup = time.monotonic() - began


def _load(
    conns: list[Connection],
    workers: list[int],
    servers: Servers,
    args: argparse.Namespace,
    result: Result,
) -> None:
    begin = time.time() + 1.0
    measure_from = begin + args.warmup
    stop = measure_from + args.seconds
    for conn in conns:
        conn.send(("go", begin, measure_from, stop, args.drain))
    time.sleep(max(0.0, measure_from - time.time()))
    before = os.getloadavg()[0]
    each0 = {p.name: cpu_seconds(p.proc.pid) for p in servers.processes}
    worker0 = sum(cpu_seconds(pid) for pid in workers)
    started = time.time()
    samplers = _profile(servers, args.profile, stop - started) if args.profile else []
    time.sleep(max(0.0, stop - time.time()))
    for sampler in samplers:
        sampler.wait(60)
    each = {p.name: cpu_seconds(p.proc.pid) - each0[p.name] for p in servers.processes}
    result.server_cpu = sum(each.values())
    result.server_cpus = each
    result.generator_cpu = sum(cpu_seconds(pid) for pid in workers) - worker0
    result.window = time.time() - started
    result.load_average = (before, os.getloadavg()[0])
    result.stopped = stop
    parts = _collect(conns, "result", time.monotonic() + args.drain + 60)
    result.stats = merge([part[1] for part in parts])
    result.offered = (result.connected + result.chats) * args.rate
    result.workers = len(workers)


def _profile(servers: Servers, folder: str, seconds: float) -> list[subprocess.Popen[bytes]]:
    """py-spy on each server for the window only (setup would drown it); raw stacks."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--nonblocking",
                "-r",
                "100",
                "-d",
                str(max(1, int(seconds))),
                "--format",
                "raw",
                "-o",
                str(Path(folder) / f"{p.name}.txt"),
                "-p",
                str(p.proc.pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in servers.processes
    ]


def _collect(conns: list[Connection], kind: str, deadline: float) -> list[tuple[Any, ...]]:
    """One `kind` message from every worker (progress messages in between are skipped)."""
    got: dict[int, tuple[Any, ...]] = {}
    while len(got) < len(conns):
        left = deadline - time.monotonic()
        ready = wait([c for i, c in enumerate(conns) if i not in got], timeout=max(0.0, left))
        if not ready:
            raise RuntimeError(f"the generator processes did not report {kind!r} in time")
        for conn in ready:
            message = conn.recv()
            if message[0] == kind:
                got[conns.index(conn)] = message
    return [got[i] for i in range(len(conns))]


def run_config(name: str, args: argparse.Namespace) -> Result:
    result = Result(name, pairs=args.pairs)
    servers = Servers(name, Path(tempfile.mkdtemp(prefix=f"tapline-load-{name}-")))
    try:
        seeded = start(servers, args)
        result.servers = len(servers.processes)
        if name == "cluster":
            result.roles = roles(servers)
            desks = math.ceil(args.pairs / args.chats_per_specialist)
            on_a, on_b = desks - desks // 2, desks // 2
            result.placed = {"a": f"the customers, {on_a} desks", "b": f"{on_b} desks"}
        run = "i" + secrets.token_hex(3)
        result.idle_kib, result.idle_failures = asyncio.run(
            idle_rss(servers, seeded.app, args.idle, run)
        )
        result.idle_count = args.idle - result.idle_failures
        drive(servers, seeded, args, result)
        result.logs = {p.name: p.log.read_text(errors="replace") for p in servers.processes}
    except NotAvailable as error:
        result.unavailable = str(error)
    except Exception:
        for process in servers.processes:
            print(f"-- {process.name}'s log ends with:\n{process.tail()}", file=sys.stderr)
        raise
    finally:
        servers.stop()
        if args.keep:
            print(f"   kept {servers.workdir} (data and the servers' logs)")
        else:
            shutil.rmtree(servers.workdir, ignore_errors=True)
    return result


def build() -> str:
    """The commit the servers run, and whether src/ differs from it (a shared tree)."""
    root = Path(__file__).resolve().parents[1]
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    changed = len(dirty.stdout.splitlines())
    return head.stdout.strip()[:80] + (
        f" (+ {changed} uncommitted files in src/)" if changed else ""
    )


def main() -> None:
    args = options()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the nodes inherit it
    raised = " ".join(f"{k}={v}" for k, v in args.limits.items())
    settings = f"{raised} TAPLINE_LOG_LEVEL=warning, else defaults"
    print(f"build: {build()}")
    print(
        f"load: {args.pairs} pairs x 2 senders x {args.rate:g} msg/s, "
        f"{args.chats_per_specialist} chat(s) per specialist, window {args.seconds:g} s "
        f"after {args.warmup:g} s warm-up, at most {args.cap} unacked per socket, "
        f"{args.workers} generator processes; configs {','.join(args.configs)}"
    )
    results = []
    for name in args.configs:
        result = run_config(name, args)
        print_result(result, settings)
        sys.stdout.flush()
        results.append(result)
    print_summary(results)


if __name__ == "__main__":
    main()
