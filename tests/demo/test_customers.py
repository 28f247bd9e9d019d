"""A simulated customer, without a server: the frames it is given, the frames it sends."""

from __future__ import annotations

import random
from typing import Any

from tapline.demo.bots import Frame
from tapline.demo.customers import CustomerBot
from tapline.demo.pacing import THINK_MAX, CustomerPlan
from tapline.demo.script import PROBLEMS, THANKS

LATER = THINK_MAX + 1


def _bot(patience: float | None = None, callback: bool = False) -> CustomerBot:
    plan = CustomerPlan(number=1, patience=patience, callback=callback, problem=0, rating=5)
    return CustomerBot(plan, PROBLEMS[0], random.Random(1), 240.0, now=0.0)


def _estimate(callback: bool, position: int = 3) -> Frame:
    options = {"open": True, "wait": True, "callback": callback, "schedule": True}
    shown = {"position": position, "mean": 400, "low": 200, "high": 700, "options": options}
    return {"type": "estimate", **shown}


def _sent(bot: CustomerBot, now: float) -> list[Frame]:
    return bot.due(now)


def _ack(bot: CustomerBot, frame: Frame, now: float, **result: Any) -> None:
    bot.receive({"type": "ack", "id": frame["id"], "result": result}, now)


def test_it_asks_to_be_called_back_once_when_offered_and_keeps_its_place() -> None:
    bot = _bot(callback=True)
    bot.receive(_estimate(callback=False), 0.0)
    assert _sent(bot, LATER) == []
    bot.receive(_estimate(callback=True), 10.0)
    bot.receive(_estimate(callback=True), 11.0)
    (frame,) = _sent(bot, 10.0 + LATER)
    assert frame["type"] == "callback" and frame["id"]
    _ack(bot, frame, 20.0, callback={"kind": "in_queue", "state": "promised"})
    assert bot.phase == "callback" and bot.asked_callback
    # Rung: it answers.
    bot.receive({"type": "callback.ring", "seq": 5, "request_id": "r1", "attempt": 1}, 30.0)
    (answer,) = _sent(bot, 30.0 + LATER)
    assert (answer["type"], answer["accept"]) == ("answer", True)


def test_without_the_wish_it_just_waits() -> None:
    bot = _bot(callback=False)
    bot.receive(_estimate(callback=True), 0.0)
    assert _sent(bot, 100.0) == [] and bot.next_at() is None
    assert bot.estimate is not None and bot.estimate["position"] == 3


def test_an_impatient_customer_gives_up_while_waiting_but_not_once_helped() -> None:
    bot = _bot(patience=90.0)
    assert bot.next_at() == 90.0
    assert _sent(bot, 89.0) == []
    (cancel,) = _sent(bot, 90.0)
    assert cancel["type"] == "cancel"
    assert (bot.phase, bot.outcome, bot.done) == ("ended", "gave_up", False)
    _ack(bot, cancel, 91.0, state="cancelled")
    assert bot.done

    helped = _bot(patience=90.0)
    helped.receive({"type": "request.state", "seq": 3, "state": "connected"}, 30.0)
    assert helped.phase == "chatting" and helped.next_at() is None


def test_it_chats_a_little_then_rates() -> None:
    bot = _bot()
    bot.receive({"type": "request.state", "seq": 3, "state": "connected"}, 0.0)
    said = []
    for n, at in enumerate((1.0, 20.0, 40.0)):
        message = {"sender": "specialist", "body": f"line {n}"}
        bot.receive({"type": "message", "seq": 4 + n, "message": message}, at)
        for frame in _sent(bot, at + LATER):
            said.append(frame["body"])
            _ack(bot, frame, at + LATER, message_id=f"m{n}")
    assert said == [PROBLEMS[0].follow_up, THANKS]  # and then quiet
    bot.receive({"type": "request.state", "seq": 9, "state": "resolved"}, 60.0)
    assert bot.outcome == "resolved" and not bot.done
    (rate,) = _sent(bot, 60.0 + LATER)
    assert (rate["type"], rate["score"]) == ("rate", 5)
    _ack(bot, rate, 70.0)
    assert bot.done


def test_a_write_the_server_could_not_take_yet_goes_again_with_its_id() -> None:
    bot = _bot(patience=10.0)
    (cancel,) = _sent(bot, 10.0)
    bot.receive({"type": "error", "code": "busy", "ref": cancel["id"], "retry_after": 2}, 10.5)
    assert _sent(bot, 11.0) == []
    (again,) = _sent(bot, 12.5)
    assert again == cancel


def test_stopping_cancels_a_request_still_on_and_nothing_else() -> None:
    bot = _bot(patience=300.0)
    bot.stop(5.0)
    assert [f["type"] for f in _sent(bot, 5.0)] == ["cancel"]
    assert bot.outcome == "stopped" and bot.next_at() is None

    ended = _bot()
    ended.receive({"type": "request.state", "seq": 3, "state": "dead_end"}, 1.0)
    ended.stop(5.0)
    assert _sent(ended, 5.0) == [] and ended.done
