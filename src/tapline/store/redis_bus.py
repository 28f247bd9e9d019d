"""The Redis bus: several `tapline serve` nodes wake each other through Redis pub/sub.

Each tapline channel is one Redis channel, `tapline:` + its name. `publish` stays
synchronous for the write path: it hands the frame to this node's subscribers at once and
queues it for a background task that PUBLISHes it, tagged with this node's id so the node
skips its own echo. A second task holds the pub/sub connection: it reads, and keeps Redis's
SUBSCRIBE set equal to the union of the local subscriptions' channels.

Redis pub/sub is at-most-once and the log is the truth, so the bus never retries into
duplicates. Instead, wherever a wake-up may have been missed, listeners resync from the log:

- when Redis confirms a SUBSCRIBE (a first listener, or every channel again after a
  reconnect), the local subscriptions on that channel are marked lagging and woken;
- when this node drops frames it could not publish (queue overflow, a failed PUBLISH), it
  sends a resync notice for their channels once Redis answers again, and every node marks
  its listeners there lagging. Too many channels to name, and the notice goes to the
  control channel, `tapline:_bus`, which every node hears: then all listeners resync.

See docs/subsystems/bus.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
import secrets
import socket
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from tapline.store.bus import Frame, LocalListeners, Subscription, mark_lagging

log = logging.getLogger("tapline.redis_bus")  # a subsystem's name, as the other loggers'

PREFIX = "tapline:"
PUBLISH_QUEUE_LIMIT = 10_000
PUBLISH_BATCH = 256  # frames sent in one pipelined round trip
"""Frames waiting for Redis at most; on overflow the oldest is dropped (and counted)."""
BACKOFF_START = 0.05
BACKOFF_CAP = 5.0
READ_TIMEOUT = 1.0
"""How long one read of the pub/sub connection waits; the health check runs between reads."""
HEALTH_CHECK_INTERVAL = 10
"""Seconds between PINGs on an idle connection, so a half-open one is noticed."""
SOCKET_TIMEOUT = 5.0
"""Seconds one Redis command may take before its connection counts as lost."""

CLOSE_FLUSH = 1.0
"""Seconds `close()` waits for queued frames to reach Redis."""
LOST_CHANNELS = 1000
"""Channels a resync notice names at most; beyond, one notice resyncs every listener."""
CONTROL = "_bus"
"""The channel every node subscribes to, for resync notices about everyone."""
EVERYONE = "*"


@dataclass
class Counters:
    """What the bus has done since it was made; `status()` reports them."""

    published: int = 0  # frames PUBLISHed to Redis
    received: int = 0  # frames from other nodes read from Redis
    delivered: int = 0  # frames handed to local subscriptions (one per subscription)
    dropped: int = 0  # frames never published: queue overflow, unencodable, failed PUBLISH
    notices: int = 0  # resync notices sent for frames this node dropped
    ignored: int = 0  # messages on our channels that are not a node's frame
    echoes: int = 0  # this node's own frames coming back, skipped
    publish_errors: int = 0  # failed PUBLISH or probe attempts
    reconnects: int = 0  # pub/sub connections made after the first
    resyncs: int = 0  # subscriptions marked lagging: a SUBSCRIBE confirmed, or a notice


def default_node_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class RedisBus:
    """The `Bus` for several nodes. `await start()` before use, `await close()` after.

    Nothing raises into callers when Redis is away: publishing queues (bounded), the
    background tasks reconnect with backoff, and `healthy` turns False meanwhile.
    """

    def __init__(
        self,
        url: str,
        node_id: str | None = None,
        *,
        prefix: str = PREFIX,
        publish_limit: int = PUBLISH_QUEUE_LIMIT,
    ) -> None:
        if publish_limit < 1:
            raise ValueError("publish_limit must be at least 1")
        self.url = url
        self.node_id = node_id or default_node_id()
        self.prefix = prefix
        self.publish_limit = publish_limit
        self.counters = Counters()
        self._local = LocalListeners()
        self._queue: deque[tuple[str, bytes]] = deque()  # (tapline channel, payload)
        self._lost: set[str] = set()  # channels owed a resync notice (EVERYONE: all)
        self._queued = asyncio.Event()
        self._drained = asyncio.Event()
        self._channels_changed = asyncio.Event()
        self._clients: list[Redis] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = False  # the pub/sub connection is up
        self._publishing = True  # the last PUBLISH (or probe) worked
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect in the background; returns at once (Redis may still be away)."""
        if self._tasks or self._closed:
            return
        subscriber, publisher = self._client("sub"), self._client("pub")
        self._clients = [subscriber, publisher]
        self._tasks = [
            asyncio.create_task(self._run_subscriber(subscriber), name="bus-subscriber"),
            asyncio.create_task(self._run_publisher(publisher), name="bus-publisher"),
        ]

    def _client(self, role: str) -> Redis:
        """One client per task, named so `CLIENT LIST` shows whose connection is whose."""
        return Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),  # we reconnect ourselves, so we know when to resync
            # No socket_timeout: with one, redis-py sends through asyncio.wait_for, which on
            # Python 3.11 can swallow a cancellation and hang close(). We time commands.
            socket_connect_timeout=SOCKET_TIMEOUT,
            health_check_interval=HEALTH_CHECK_INTERVAL,
            client_name=f"tapline-bus:{self.node_id}:{role}",
        )

    async def close(self) -> None:
        """Stop the background tasks and close the connections.

        Frames still queued get `CLOSE_FLUSH` seconds to reach Redis if it is there; the
        rest are dropped (the other nodes' sockets find them in the log).
        """
        self._closed = True
        if self._queue and self._publishing and self._tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), CLOSE_FLUSH)
        self.counters.dropped += len(self._queue)
        self._queue.clear()
        self._lost.clear()  # this node is going; nobody is left to send the notice
        await _stop(self._tasks)
        self._tasks = []
        self._subscribed = False
        for client in self._clients:
            await client.aclose()
        self._clients = []

    @property
    def healthy(self) -> bool:
        """Started, subscribed through Redis, and the last publish worked."""
        return bool(self._tasks) and self._subscribed and self._publishing

    def status(self) -> dict[str, Any]:
        """For `/healthz`: health, the node's id, queue and channel sizes, the counters."""
        return {
            "kind": "redis",
            "healthy": self.healthy,
            "node": self.node_id,
            "subscribed": self._subscribed,
            "publishing": self._publishing,
            "queued": len(self._queue),
            "queue_limit": self.publish_limit,
            "channels": len(self._local.channels()),
            **asdict(self.counters),
        }

    # -- the Bus protocol -----------------------------------------------------------------

    def publish(self, channel: str, frame: Frame) -> None:
        """Deliver to this node's subscribers now; queue for Redis. Never raises for Redis."""
        self.counters.delivered += self._local.deliver(channel, frame)
        if self._closed:
            return
        try:
            payload = json.dumps({"node": self.node_id, "frame": frame}, separators=(",", ":"))
        except (TypeError, ValueError):
            self._lose(channel)
            log.warning("bus: frame of type %r on %s is not JSON", frame.get("type"), channel)
            return
        if len(self._queue) >= self.publish_limit:
            # the oldest is the likeliest to be stale already
            self._lose(self._queue.popleft()[0])
        self._queue.append((channel, payload.encode()))
        self._drained.clear()
        self._queued.set()

    def subscribe(self, channels: set[str]) -> Subscription:
        subscription = Subscription(self, set(channels))
        if self._local.add(subscription):
            self._channels_changed.set()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if self._local.remove(subscription):
            self._channels_changed.set()

    def listeners(self, channel: str) -> int:
        """Subscriptions on `channel` in this node only; other nodes' are not counted."""
        return self._local.count(channel)

    # -- publishing -----------------------------------------------------------------------

    def _lose(self, channel: str) -> None:
        """A frame for `channel` will not reach the other nodes: owe them a resync notice."""
        self.counters.dropped += 1
        if EVERYONE not in self._lost:
            self._lost.add(channel)
            if len(self._lost) > LOST_CHANNELS:
                self._lost = {EVERYONE}
        self._queued.set()

    async def _run_publisher(self, client: Redis) -> None:
        """PUBLISH queued frames in order; while Redis is away they wait in the queue."""
        delay = BACKOFF_START
        while True:
            if not self._queue and not self._lost:
                self._drained.set()
                self._queued.clear()
                await self._queued.wait()
                continue
            try:
                if not self._publishing:
                    async with asyncio.timeout(SOCKET_TIMEOUT):
                        await client.ping()  # probe first, so an outage costs no frames
                    self._publishing = True
                if self._lost:
                    await self._send_notices(client)
                else:
                    await self._publish_head(client)
            except Exception as error:
                self._publishing = False
                self.counters.publish_errors += 1
                log.warning("bus: publishing to Redis failed: %s", error)
                await _sleep_backoff(delay)
                delay = min(delay * 2, BACKOFF_CAP)
            else:
                delay = BACKOFF_START

    async def _publish_head(self, client: Redis) -> None:
        """PUBLISH the oldest queued frames, up to `PUBLISH_BATCH`, in one pipeline: one
        round trip for the lot, in order."""
        entries = list(itertools.islice(self._queue, PUBLISH_BATCH))
        pipe = client.pipeline(transaction=False)
        for channel, payload in entries:
            pipe.publish(self.prefix + channel, payload)
        try:
            async with asyncio.timeout(SOCKET_TIMEOUT):
                await pipe.execute()
        except Exception:
            # Any of them may have reached Redis: drop them rather than risk a duplicate
            # (at-most-once); the other nodes are told to resync those channels instead.
            for entry in entries:
                if self._discard(entry):
                    self._lose(entry[0])
            raise
        for entry in entries:
            if self._discard(entry):
                self.counters.published += 1

    async def _send_notices(self, client: Redis) -> None:
        """Tell the other nodes to resync the channels whose frames this node dropped.

        Notices are idempotent, so one that fails is simply sent again later.
        """
        payload = json.dumps({"node": self.node_id, "resync": True}).encode()
        for channel in sorted(self._lost):
            target = CONTROL if channel == EVERYONE else channel
            async with asyncio.timeout(SOCKET_TIMEOUT):
                await client.publish(self.prefix + target, payload)
            self._lost.discard(channel)
            self.counters.notices += 1

    def _discard(self, entry: tuple[str, bytes]) -> bool:
        """Take the entry off the queue; False if publish() dropped it meanwhile (overflow)."""
        if self._queue and self._queue[0] is entry:
            self._queue.popleft()
            return True
        return False

    # -- subscribing ----------------------------------------------------------------------

    async def _run_subscriber(self, client: Redis) -> None:
        """Hold one pub/sub connection; on any failure drop it, back off and connect again."""
        delay = BACKOFF_START
        connected_before = False
        while True:
            pubsub = client.pubsub()
            try:
                async with asyncio.timeout(SOCKET_TIMEOUT):
                    await pubsub.connect()  # type: ignore[no-untyped-call]
                if connected_before:
                    self.counters.reconnects += 1
                connected_before = True
                self._subscribed = True
                delay = BACKOFF_START
                await self._session(pubsub)
            except Exception as error:
                log.warning("bus: Redis pub/sub connection lost: %s", error)
            finally:
                if self._subscribed:
                    # Wake every reader: while we are away it reads its log itself.
                    self.counters.resyncs += mark_lagging(self._local.everyone())
                self._subscribed = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await _sleep_backoff(delay)
            delay = min(delay * 2, BACKOFF_CAP)

    async def _session(self, pubsub: PubSub) -> None:
        """Read and follow the channel set on one connection until either fails."""
        tasks = [
            asyncio.create_task(self._read(pubsub)),
            asyncio.create_task(self._follow_channels(pubsub)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            await _stop(tasks)
        for task in done:
            task.result()  # neither returns; this raises the error that ended the session

    async def _follow_channels(self, pubsub: PubSub) -> None:
        """Keep Redis's SUBSCRIBE set equal to the channels of the local subscriptions."""
        subscribed: set[str] = set()  # a fresh connection has none
        while True:
            self._channels_changed.clear()
            wanted = self._local.channels() | {CONTROL}
            if fresh := wanted - subscribed:
                async with asyncio.timeout(SOCKET_TIMEOUT):
                    await pubsub.subscribe(*sorted(self.prefix + c for c in fresh))
                subscribed |= fresh
            if gone := subscribed - wanted:
                async with asyncio.timeout(SOCKET_TIMEOUT):
                    await pubsub.unsubscribe(*sorted(self.prefix + c for c in gone))
                subscribed -= gone
            await self._channels_changed.wait()

    async def _read(self, pubsub: PubSub) -> None:
        while True:
            async with asyncio.timeout(READ_TIMEOUT + SOCKET_TIMEOUT):
                message = await pubsub.get_message(timeout=READ_TIMEOUT)
            if message is not None:
                self._on_message(message)

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        channel = self._tapline_channel(message.get("channel"))
        if channel is None:
            return
        if kind == "subscribe":
            # From now on Redis wakes us for this channel; what came before is in the log.
            self.counters.resyncs += mark_lagging(self._local.on(channel))
        elif kind == "message":
            self._on_frame(channel, message.get("data"))

    def _tapline_channel(self, raw: object) -> str | None:
        name = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        if not isinstance(name, str) or not name.startswith(self.prefix):
            return None
        return name[len(self.prefix) :]

    def _on_frame(self, channel: str, data: object) -> None:
        """A message from Redis: another node's frame, our echo, or something foreign."""
        try:
            envelope = json.loads(data) if isinstance(data, bytes | str) else None
        except (ValueError, RecursionError):
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("node"), str):
            self.counters.ignored += 1
            return
        frame = envelope.get("frame")
        if envelope["node"] == self.node_id:
            self.counters.echoes += 1  # delivered locally when it was published
        elif envelope.get("resync") is True:
            everyone = self._local.everyone() if channel == CONTROL else self._local.on(channel)
            self.counters.resyncs += mark_lagging(everyone)
        elif isinstance(frame, dict):
            self.counters.received += 1
            self.counters.delivered += self._local.deliver(channel, frame)
        else:
            self.counters.ignored += 1


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel until they are done: a library that swallows one cancellation cannot hang us."""
    while pending := [task for task in tasks if not task.done()]:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.1)


async def _sleep_backoff(delay: float) -> None:
    # jitter, so nodes that lost Redis together do not all come back in the same instant
    await asyncio.sleep(delay * random.uniform(0.5, 1.0))
