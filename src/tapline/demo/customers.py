"""A simulated customer of the busy demo, sans-I/O: what the widget would send, decided from
what its socket reads. It waits in line, sometimes asks to be called back (and answers the
ring), sometimes gives up, chats a little when a specialist takes it, and rates."""

from __future__ import annotations

import random
from typing import Any, Literal

from tapline.demo.bots import Bot, Frame
from tapline.demo.pacing import CustomerPlan, think
from tapline.demo.script import THANKS, Problem

Phase = Literal["waiting", "callback", "chatting", "ended"]
Outcome = Literal["resolved", "gave_up", "cancelled", "dead_end", "stopped"]


class CustomerBot(Bot):
    def __init__(
        self, plan: CustomerPlan, problem: Problem, rng: random.Random, handle: float, now: float
    ) -> None:
        super().__init__()
        self.plan, self.rng, self.mean_handle = plan, rng, handle
        self.phase: Phase = "waiting"
        self.outcome: Outcome | None = None
        self.estimate: Frame | None = None
        """The last `estimate` signal: the position, the range and the options shown."""
        self.asked_callback = False
        self._replies = [problem.follow_up, THANKS]
        if plan.patience is not None:
            self.decide_at(now + plan.patience, "give_up")

    @staticmethod
    def hello(request_id: str, token: str) -> Frame:
        return {"type": "hello", "request_id": request_id, "token": token, "last_seq": 0}

    def _soon(self, now: float) -> float:
        return now + think(self.rng, self.mean_handle)

    def handle(self, frame: Frame, now: float) -> None:
        kind = frame.get("type")
        if kind == "estimate":
            self._estimate(frame, now)
        elif kind in ("welcome", "request.state"):
            self._state(str(frame.get("state")), now)
        elif kind == "message":
            message = frame.get("message") or {}
            if message.get("sender") == "specialist" and self._replies and not self.finished:
                self.later(self._soon(now), self.write("message", body=self._replies.pop(0)))
        elif kind == "callback.ring" and not self.finished:
            self.later(self._soon(now), self.write("answer", accept=True), "answer")

    def _estimate(self, frame: Frame, now: float) -> None:
        self.estimate = frame
        offered = (frame.get("options") or {}).get("callback") is True
        if offered and self.plan.callback and self.phase == "waiting" and not self.asked_callback:
            self.asked_callback = True
            self.later(self._soon(now), self.write("callback"), "callback")

    def _state(self, state: str, now: float) -> None:
        if state == "connected":
            self.phase = "chatting"
            self.drop("give_up")
            self.drop("callback")
        elif state == "waiting" and self.phase == "chatting":
            self.phase = "waiting"  # back in line: the specialist left
        elif state == "resolved" and self.phase != "ended":
            self._end("resolved")
            self.later(self._soon(now), self.write("rate", score=self.plan.rating), "rate")
        elif state in ("cancelled", "dead_end") and self.phase != "ended":
            self._end(self.outcome or ("cancelled" if state == "cancelled" else "dead_end"))

    def _end(self, outcome: Outcome) -> None:
        self.phase, self.finished = "ended", True
        self.outcome = self.outcome or outcome
        for key in ("give_up", "callback", "answer"):
            self.drop(key)

    def acked(self, sent: Frame, result: dict[str, Any], now: float) -> None:
        callback = result.get("callback") or {}
        if sent["type"] == "callback" and callback.get("kind") == "in_queue":
            self.phase = "callback" if self.phase == "waiting" else self.phase

    def fire(self, key: str, now: float) -> list[Frame]:
        if key == "give_up" and self.phase in ("waiting", "callback"):
            self._end("gave_up")
            return [self.write("cancel")]
        return []

    def stop(self, now: float) -> None:
        """The demo stops: cancel the request if it is still on."""
        if self.phase != "ended":
            self._end("stopped")
            self.later(now, self.write("cancel"), "cancel")
        self.finished = True
