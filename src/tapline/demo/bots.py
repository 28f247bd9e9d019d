"""What the busy demo's simulated customers and specialists share: a sans-I/O bot.

A bot is told each frame its socket reads and the time, and answers which frames to send and
when (`due`, `next_at`); `clients.drive` runs it over a real socket. So what a bot decides is
tested without a server, and what it sends is exactly what goes over the wire.
"""

from __future__ import annotations

import uuid
from typing import Any

Frame = dict[str, Any]


class Bot:
    """Timers, writes awaiting their `ack`, and resending a write the server asked to retry."""

    def __init__(self) -> None:
        self._timers: dict[str, float] = {}
        self._queued: dict[str, Frame] = {}
        self._unacked: dict[str, Frame] = {}
        self.finished = False
        """Nothing more to do once the timers have fired and the writes are acknowledged."""

    @property
    def done(self) -> bool:
        return self.finished and not self._timers and not self._unacked

    # -- What the driver calls ---------------------------------------------------------------

    def receive(self, frame: Frame, now: float) -> None:
        kind = frame.get("type")
        if kind == "ack":
            sent = self._unacked.pop(str(frame.get("id")), None)
            if sent is not None:
                self.acked(sent, frame.get("result") or {}, now)
        elif kind == "error":
            ref = str(frame.get("ref"))
            sent = self._unacked.pop(ref, None)
            retry = frame.get("retry_after")
            if sent is not None and isinstance(retry, int | float):
                self.later(now + float(retry), sent, f"retry:{ref}")  # nothing of it was kept
            elif sent is not None:
                self.refused(sent, frame, now)
        else:
            self.handle(frame, now)

    def due(self, now: float) -> list[Frame]:
        """The frames to send now, in the order their timers fell due."""
        out: list[Frame] = []
        for key, at in sorted(self._timers.items(), key=lambda item: item[1]):
            if at > now:
                break
            del self._timers[key]
            frame = self._queued.pop(key, None)
            for sent in [frame] if frame is not None else self.fire(key, now):
                if "id" in sent:
                    self._unacked[sent["id"]] = sent
                out.append(sent)
        return out

    def next_at(self) -> float | None:
        return min(self._timers.values(), default=None)

    # -- For the bots ------------------------------------------------------------------------

    @staticmethod
    def write(kind: str, **fields: Any) -> Frame:
        """A client frame that writes, with a fresh client-made id."""
        return {"type": kind, "id": f"{kind}-{uuid.uuid4().hex[:16]}", **fields}

    def later(self, at: float, frame: Frame, key: str | None = None) -> None:
        """Send `frame` at `at` (replacing what `key` held)."""
        key = key or str(frame.get("id") or frame["type"])
        self._timers[key] = at
        self._queued[key] = frame

    def decide_at(self, at: float, key: str) -> None:
        """Call `fire(key, now)` at `at`: a decision made then, on the state then."""
        self._timers[key] = at
        self._queued.pop(key, None)

    def drop(self, key: str) -> None:
        self._timers.pop(key, None)
        self._queued.pop(key, None)

    def drop_all(self, prefix: str) -> None:
        for key in [key for key in self._timers if key.startswith(prefix)]:
            self.drop(key)

    def pending(self, key: str) -> bool:
        return key in self._timers

    # -- What each bot defines ---------------------------------------------------------------

    def handle(self, frame: Frame, now: float) -> None:
        """An event or a signal other than `ack` and `error`."""

    def acked(self, sent: Frame, result: dict[str, Any], now: float) -> None:
        """`sent` is durable."""

    def refused(self, sent: Frame, error: Frame, now: float) -> None:
        """`sent` was refused for good (`error` says why)."""

    def fire(self, key: str, now: float) -> list[Frame]:
        """A decision due now (see `decide_at`)."""
        return []
