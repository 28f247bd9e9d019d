"""What must hold after any run, read from the database and every client's view.

- No acknowledged message lost, duplicated or reordered: each conversation's `messages`
  rows, in order, are exactly what its customer's stream delivered; every desk that held it
  saw a prefix of them, without gaps or repeats, and the one that resolved it saw every line
  the customer had acked; every ack names a row with that client id; a sender's rows come in
  the order of its acks; a write refused for good left no row.
- No request assigned to two specialists at once: walking the events log in commit order,
  a `request.assigned` to one desk never comes while another still holds it (a desk lets go
  with a `request.state` that is not `connected`), and each assignment has its accepted offer.
- Every request ends with a recorded outcome, or waits in line.
- Every client was told every change: each client's events are its stream in the log,
  through the last one, and the customer's last `request.state` is the request's state.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from chaos.clients import FINAL, Customer, Specialist, Tally
from chaos.harness import Database

SHOWN = {"offered": "waiting"}  # the customer sees an offer as still waiting
MALFORMED = ("bad_frame", "bad_json", "unknown_type", "hello_required", "too_large")
"""Refusals of frames these clients make well-formed: each is a server bug."""


@dataclass
class Log:
    """The database at the end of a run."""

    requests: dict[str, Any]
    messages: dict[str, list[Any]]  # request id -> rows, by id
    events: list[Any]  # every event, by id (commit order: one writer per database)
    streams: dict[str, int]  # stream -> last seq
    offers: list[Any]


async def stream_ends(engine: AsyncEngine, keys: list[str]) -> dict[str, int]:
    """The last seq of each of these streams (0 for one not started)."""
    from tapline.store.models import Stream

    async with AsyncSession(engine) as session:
        rows = await session.execute(
            select(Stream.key, Stream.last_seq).where(Stream.key.in_(keys))
        )
        found = {key: seq for key, seq in rows}
    return {key: found.get(key, 0) for key in keys}


async def read_log(database: Database) -> Log:
    from tapline.store.database import make_engine, make_sessionmaker
    from tapline.store.models import Event, Message, Offer, Request, Stream

    engine = make_engine(database.url, database.schema)
    try:
        async with make_sessionmaker(engine)() as session:
            requests = {r.id: r for r in await session.scalars(select(Request))}
            messages: dict[str, list[Any]] = defaultdict(list)
            for row in await session.scalars(select(Message).order_by(Message.id)):
                messages[row.request_id].append(row)
            events = list(await session.scalars(select(Event).order_by(Event.id)))
            streams = {s.key: s.last_seq for s in await session.scalars(select(Stream))}
            offers = list(await session.scalars(select(Offer).order_by(Offer.id)))
        return Log(requests, messages, events, streams, offers)
    finally:
        await engine.dispose()


@dataclass
class Report:
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    messages: int = 0  # rows checked against every view
    acked: int = 0  # acknowledged message writes checked
    events: int = 0  # client events checked against the log
    handovers: int = 0  # assignments past the first of a request
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    health: Counter[str] = field(default_factory=Counter)  # /healthz answers during outages
    takeovers: list[float] = field(default_factory=list)  # s from an owner's kill to a new one

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def summary(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())) or "none"
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        t = self.tally
        lines = [
            f"faults injected: {faults}",
            f"checked: {self.requests} requests, {self.messages} messages in every view, "
            f"{self.acked} acked sends, {self.events} client events; "
            f"handovers {self.handovers}; outcomes: {outcomes}",
            f"clients: {t.connects} connects, {t.reconnects} reconnection attempts, "
            f"{t.resends} resends, "
            f"retried {dict(t.retried)}, refused sockets {dict(t.refused_sockets)}, "
            f"final refusals {dict(t.refusals)}, duplicates ignored {t.duplicates}, "
            f"slowest answer to a write {t.slowest:.1f} s",
        ]
        if self.health:
            lines.append(f"/healthz during outages: {dict(self.health)}")
        if self.takeovers:
            took = ", ".join(f"{s:.1f}" for s in self.takeovers)
            lines.append(
                f"nodes: owner taken over in {took} s; clients moved to another node "
                f"{t.moves} times, {t.moved_connects} sockets opened off their first node"
            )
        for text in t.refused[:8]:
            lines.append(f"  final refusal: {text}")
        lines.append(f"problems: {len(self.problems)}")
        return "\n".join(lines + [f"  - {p}" for p in self.problems[:40]])


def check(log: Log, customers: list[Customer], desks: list[Specialist], report: Report) -> None:
    tally = report.tally
    for text in tally.gaps:
        report.problem(f"gap sent by the server: {text}")
    for text in tally.regressions:
        report.problem(f"stream went back: {text}")
    for text in tally.refused:
        if any(f"refused {code}:" in text for code in MALFORMED):
            report.problem(f"a well-formed write refused: {text}")
    report.requests = len(log.requests)
    _streams(log, [*customers, *desks], report)
    _transcripts(log, customers, desks, report)
    _assignments(log, report)
    _outcomes(log, customers, report)


def _streams(log: Log, clients: list[Customer | Specialist], report: Report) -> None:
    """Each client holds its stream's log, in order, through the end (unless it vanished)."""
    by_stream: dict[str, list[Any]] = defaultdict(list)
    for event in log.events:
        by_stream[event.stream].append(event)
    for client in clients:
        key = (
            f"customer:{client.request_id}"
            if isinstance(client, Customer)
            else f"specialist:{client.desk.id}"
        )
        logged = by_stream.get(key, [])
        for seen, row in zip(client.events, logged, strict=False):
            if (seen["seq"], seen["type"]) != (row.seq, row.type):
                report.problem(
                    f"{client.name}: event seq {seen['seq']} {seen['type']} but the log has "
                    f"seq {row.seq} {row.type}"
                )
                break
        report.events += len(client.events)
        end = log.streams.get(key, 0)
        if len(client.events) > len(logged):
            report.problem(f"{client.name}: saw {len(client.events)} events, log has {end}")
        elif client.cursor != end and not client.vanished:
            report.problem(f"{client.name}: at seq {client.cursor} of {end}: never told the rest")


def _transcripts(
    log: Log, customers: list[Customer], desks: list[Specialist], report: Report
) -> None:
    holdings = defaultdict(list)
    for desk in desks:
        for holding in desk.holdings:
            holdings[holding.request_id].append((desk, holding))
    for customer in customers:
        rid = customer.request_id
        rows = log.messages.get(rid, [])
        ids = [r.id for r in rows]
        report.messages += len(rows)
        counts = Counter((r.sender, r.specialist_id, r.client_id) for r in rows)
        for key, n in counts.items():
            if n > 1:
                report.problem(f"{rid}: {n} rows for one write {key}")
        seen = [m["id"] for m in customer.messages()]
        if seen != ids:
            report.problem(f"{rid}: customer {customer.name} saw {_diff(seen, ids)}")
        by_id = {r.id: r for r in rows}
        senders = [(customer, "customer")] + [(d, "specialist") for d, _ in holdings[rid]]
        for client, sender in dict.fromkeys(senders):
            _acks(client, sender, rid, by_id, ids, report)
        for desk, holding in holdings[rid]:
            view = [m["id"] for m in holding.messages]
            if view != ids[: len(view)]:
                report.problem(
                    f"{rid}: {desk.name} (assigned at seq {holding.assigned_seq}) saw "
                    f"{_diff(view, ids[: len(view)])}"
                )
            if holding.resolved_by_me:
                acked = {a["result"]["message_id"] for f, a in customer.acked if _said(f)}
                missing = sorted(acked - set(view))
                if missing:
                    report.problem(f"{rid}: {desk.name} resolved without seeing {missing}")


def _said(frame: dict[str, Any]) -> bool:
    return bool(frame.get("type") == "message")


def _acks(
    client: Customer | Specialist,
    sender: str,
    rid: str,
    by_id: dict[int, Any],
    ids: list[int],
    report: Report,
) -> None:
    order = []
    for frame, ack in client.acked:
        if not _said(frame) or frame.get("request_id", rid) != rid:
            continue
        report.acked += 1
        row = by_id.get(ack["result"].get("message_id"))
        if row is None or row.client_id != frame["id"] or row.sender != sender:
            report.problem(f"{rid}: {client.name}'s acked {frame['id']} is not in the thread")
            continue
        order.append(ids.index(row.id))
    if order != sorted(order):
        report.problem(f"{rid}: {client.name}'s acked messages stored out of order {order}")
    stored = {(by_id[i].sender, by_id[i].client_id) for i in ids}
    for frame, error in client.refused:
        if _said(frame) and frame.get("request_id", rid) == rid and (sender, frame["id"]) in stored:
            report.problem(
                f"{rid}: {client.name}'s {frame['id']} was refused ({error.get('code')}) "
                "but is stored"
            )


def _assignments(log: Log, report: Report) -> None:
    holder: dict[str, str] = {}
    assigned: Counter[str] = Counter()
    to: dict[str, list[str]] = defaultdict(list)  # request -> its assignments' desks, in order
    for event in log.events:
        if not event.stream.startswith("specialist:"):
            continue
        specialist = event.stream.split(":", 1)[1]
        payload = event.payload
        if event.type == "request.assigned":
            rid = payload["request"]["id"]
            if holder.get(rid) not in (None, specialist):
                report.problem(
                    f"double assignment: {rid} to {specialist} (event {event.id}) while "
                    f"{holder[rid]} still holds it"
                )
            holder[rid] = specialist
            assigned[rid] += 1
            to[rid].append(specialist)
        elif event.type == "request.state" and payload.get("state") != "connected":
            rid = payload["request_id"]
            if holder.get(rid) == specialist:
                del holder[rid]
    report.handovers += sum(n - 1 for n in assigned.values())
    accepted = Counter(o.request_id for o in log.offers if o.outcome == "accepted")
    for rid in set(accepted) | set(assigned):
        if accepted[rid] != assigned[rid]:
            report.problem(
                f"{rid}: {accepted[rid]} accepted offers but {assigned[rid]} assignments"
            )
    _offers(log, to, report)
    for rid, specialist in holder.items():
        row = log.requests.get(rid)
        if row is None or row.state != "connected" or row.specialist_id != specialist:
            state = None if row is None else (row.state, row.specialist_id)
            report.problem(f"{rid}: the log leaves it with {specialist}, the row says {state}")


def _offers(log: Log, to: dict[str, list[str]], report: Report) -> None:
    """The offers table agrees: each request's accepted offers, in order, went to the desks
    its assignments did; at most one offer of a request is open, and only while offered."""
    accepted: dict[str, list[str]] = defaultdict(list)
    open_: Counter[str] = Counter()
    for offer in log.offers:
        if offer.outcome == "accepted":
            accepted[offer.request_id].append(offer.specialist_id)
        elif offer.outcome is None:
            open_[offer.request_id] += 1
    for rid in set(accepted) | set(to):
        if accepted[rid] != to[rid]:
            report.problem(f"{rid}: offers accepted by {accepted[rid]} but assigned to {to[rid]}")
    for rid, n in open_.items():
        row = log.requests.get(rid)
        state = None if row is None else row.state
        if n > 1 or state != "offered":
            report.problem(f"{rid}: {n} offers still open while the request is {state!r}")


def _outcomes(log: Log, customers: list[Customer], report: Report) -> None:
    for rid, row in log.requests.items():
        if row.state in FINAL:
            if row.ended_at is None:
                report.problem(f"{rid}: {row.state} without ended_at")
            if row.state == "dead_end" and not row.cause:
                report.problem(f"{rid}: a dead end without a cause")
            report.outcomes[row.state if row.state != "dead_end" else f"dead_end:{row.cause}"] += 1
        elif row.state in ("waiting", "offered"):
            report.outcomes["waiting"] += 1
        else:
            report.outcomes[f"left {row.state}"] += 1
    for customer in customers:
        row = log.requests.get(customer.request_id)
        if row is None:
            report.problem(f"{customer.name}: no row for {customer.request_id}")
            continue
        shown = SHOWN.get(row.state, row.state)
        if customer.state != shown:
            report.problem(
                f"{customer.request_id}: customer {customer.name} was last told "
                f"{customer.state!r}, the request is {row.state!r}"
            )


def _diff(seen: list[int], expected: list[int]) -> str:
    missing = [i for i in expected if i not in seen]
    extra = [i for i in seen if i not in expected]
    repeated = sorted(i for i, n in Counter(seen).items() if n > 1)
    parts = []
    if missing:
        parts.append(f"missing {missing}")
    if extra:
        parts.append(f"extra {extra}")
    if repeated:
        parts.append(f"repeated {repeated}")
    if not parts:
        parts.append("reordered")
    return f"{seen} where the log has {expected} ({'; '.join(parts)})"
