"""A simulated specialist of the busy demo, sans-I/O: what the desk would send, decided from
what its socket reads. Available at once; accepts each offer after a moment; greets, answers
once, and resolves after a drawn handle time.

A real customer's request (not marked simulated) is served in turn like any other, since the
estimate counts these specialists; the bot says it is simulated and how to answer as a person,
then resolves once the customer has been quiet for a while.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from tapline.demo.bots import Bot, Frame
from tapline.demo.pacing import handle_time, think
from tapline.demo.script import PROBLEMS, REAL_ANSWER, REAL_GREETING, REAL_REPLY, greeting

REAL_QUIET = 120.0
"""Seconds a real customer may be quiet before a simulated specialist resolves their chat."""
LEFT_OVER = "The busy demo stopped before this chat ended."


@dataclass(slots=True)
class Chat:
    simulated: bool
    customer: str | None
    heard: int = 0
    """Messages from the customer so far."""


def is_simulated(request: dict[str, Any]) -> bool:
    data = (request.get("context") or {}).get("data") or {}
    return data.get("simulated") is True


class DeskBot(Bot):
    def __init__(self, name: str, rng: random.Random, handle: float) -> None:
        super().__init__()
        self.name, self.rng, self.mean_handle = name, rng, handle
        self.chats: dict[str, Chat] = {}
        self.served = 0
        """Chats this bot resolved."""
        self.present = False

    def start(self, now: float, left_over: list[str]) -> None:
        """Come online; end the chats a previous run left connected (their customers left)."""
        if self.finished:
            return
        self.later(now, self.write("presence", status="available"), "presence")
        for request_id in left_over:
            resolve = self.write(
                "resolve", request_id=request_id, disposition="not_resolved", note=LEFT_OVER
            )
            self.later(now, resolve, f"left:{request_id}")

    def _soon(self, now: float) -> float:
        return now + think(self.rng, self.mean_handle)

    def handle(self, frame: Frame, now: float) -> None:
        kind = frame.get("type")
        if kind == "offer" and not self.finished:
            request_id = frame["offer"]["request_id"]
            accept = self.write("accept", request_id=request_id)
            self.later(self._soon(now), accept, f"a:{request_id}")
        elif kind == "offer.withdrawn":
            self.drop(f"a:{frame.get('request_id')}")
        elif kind == "request.assigned":
            self._assigned(frame["request"], now)
        elif kind == "message":
            self._heard(str(frame.get("request_id")), frame.get("message") or {}, now)
        elif kind == "request.state" and frame.get("state") != "connected":
            self._gone(str(frame.get("request_id")))

    def _assigned(self, request: dict[str, Any], now: float) -> None:
        request_id = str(request["id"])
        customer = (request.get("customer") or {}).get("name")
        chat = self.chats[request_id] = Chat(is_simulated(request), customer)
        if chat.simulated:
            self._say(request_id, greeting(self.name, customer), self._soon(now), "hi")
        else:
            self._say(request_id, REAL_GREETING.format(name=self.name), self._soon(now), "hi")
        ends = handle_time(self.rng, self.mean_handle) if chat.simulated else REAL_QUIET
        self.decide_at(now + ends, f"resolve:{request_id}")

    def _heard(self, request_id: str, message: dict[str, Any], now: float) -> None:
        chat = self.chats.get(request_id)
        if chat is None or message.get("sender") != "customer":
            return
        chat.heard += 1
        if chat.simulated:
            if chat.heard == 1:
                self._say(request_id, _answer_for(message), self._soon(now), "answer")
            return
        if chat.heard <= 2:
            said = REAL_ANSWER if chat.heard == 1 else REAL_REPLY
            self._say(request_id, said, self._soon(now), f"reply{chat.heard}")
        self.decide_at(now + REAL_QUIET, f"resolve:{request_id}")  # quiet for a while first

    def _say(self, request_id: str, body: str, at: float, what: str) -> None:
        message = self.write("message", request_id=request_id, body=body)
        self.later(at, message, f"{what}:{request_id}")

    def _gone(self, request_id: str) -> None:
        """The request is no longer this bot's (ended, or back in line)."""
        if self.chats.pop(request_id, None) is not None:
            self._hush(request_id)
            self.drop(f"resolve:{request_id}")

    def _hush(self, request_id: str) -> None:
        """Nothing more to say in this chat."""
        for what in ("hi", "answer", "reply1", "reply2"):
            self.drop(f"{what}:{request_id}")

    def fire(self, key: str, now: float) -> list[Frame]:
        what, _, request_id = key.partition(":")
        if what != "resolve" or self.chats.pop(request_id, None) is None:
            return []
        self.served += 1
        return [self.write("resolve", request_id=request_id, disposition="resolved")]

    def acked(self, sent: Frame, result: dict[str, Any], now: float) -> None:
        if sent["type"] == "presence":
            self.present = result.get("status") == "available"

    def stop(self, now: float) -> None:
        """The demo stops: resolve the chats held, then go away."""
        self.drop_all("a:")  # offers: let them go to someone else
        for request_id in self.chats:
            self._hush(request_id)
            self.decide_at(now, f"resolve:{request_id}")
        self.later(now, self.write("presence", status="away"), "presence")
        self.finished = True


def _answer_for(message: dict[str, Any]) -> str:
    body = str(message.get("body") or "")
    found = next((p for p in PROBLEMS if p.follow_up == body), None)
    return found.answer if found is not None else "Thanks, let me check that for you."
