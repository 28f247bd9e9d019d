"""A simulated specialist, without a server: the frames it is given, the frames it sends."""

from __future__ import annotations

import random
from typing import Any

from tapline.demo.bots import Frame
from tapline.demo.desks import LEFT_OVER, REAL_QUIET, DeskBot
from tapline.demo.pacing import THINK_MAX
from tapline.demo.script import PROBLEMS

LATER = THINK_MAX + 1
HANDLE = 240.0


def _bot() -> DeskBot:
    return DeskBot("Sim · Priya", random.Random(5), HANDLE)


def _ack(bot: DeskBot, frames: list[Frame], now: float, **result: Any) -> None:
    for frame in frames:
        bot.receive({"type": "ack", "id": frame["id"], "result": result}, now)


def _request(request_id: str, simulated: bool) -> Frame:
    data = {"credits": 150, "simulated": True} if simulated else {"credits": 150}
    customer = {"verified": True, "name": "Sim · Rosa" if simulated else "Sam Rivera"}
    return {"id": request_id, "customer": customer, "context": {"flow": "booking", "data": data}}


def _offered_and_assigned(bot: DeskBot, request_id: str, simulated: bool, now: float) -> None:
    bot.receive({"type": "offer", "seq": 1, "offer": {"request_id": request_id}}, now)
    (accept,) = bot.due(now + LATER)
    assert (accept["type"], accept["request_id"]) == ("accept", request_id)
    _ack(bot, [accept], now + LATER)
    assigned = {"type": "request.assigned", "seq": 2, "request": _request(request_id, simulated)}
    bot.receive(assigned, now + LATER)


def test_it_comes_online_and_ends_what_a_previous_run_left_connected() -> None:
    bot = _bot()
    bot.start(0.0, ["r_old"])
    sent = bot.due(0.0)
    assert [(f["type"], f.get("status"), f.get("disposition")) for f in sent] == [
        ("presence", "available", None),
        ("resolve", None, "not_resolved"),
    ]
    assert sent[1]["note"] == LEFT_OVER
    _ack(bot, sent[:1], 0.1, status="available")
    assert bot.present


def test_a_withdrawn_offer_is_not_accepted() -> None:
    bot = _bot()
    bot.receive({"type": "offer", "seq": 1, "offer": {"request_id": "r1"}}, 0.0)
    bot.receive({"type": "offer.withdrawn", "seq": 2, "request_id": "r1", "reason": "expired"}, 0.5)
    assert bot.due(LATER) == [] and bot.next_at() is None


def test_a_simulated_chat_greets_answers_once_and_resolves_after_its_handle_time() -> None:
    bot = _bot()
    _offered_and_assigned(bot, "r1", simulated=True, now=0.0)  # assigned at LATER
    (hello,) = bot.due(2 * LATER)
    assert hello["body"].startswith("Hi Rosa, I'm Sim · Priya.")
    customer = {"sender": "customer", "body": PROBLEMS[0].follow_up}
    bot.receive({"type": "message", "seq": 3, "request_id": "r1", "message": customer}, 20.0)
    bot.receive({"type": "message", "seq": 4, "request_id": "r1", "message": customer}, 21.0)
    answers = [f["body"] for f in bot.due(20.0 + LATER)]
    assert answers == [PROBLEMS[0].answer]  # once
    end = bot.next_at()
    assert end is not None and LATER + HANDLE / 4 <= end <= LATER + 3 * HANDLE
    (resolve,) = bot.due(end)
    assert (resolve["type"], resolve["disposition"]) == ("resolve", "resolved")
    assert bot.served == 1 and bot.chats == {}


def test_a_real_customer_is_told_it_is_simulated_and_resolved_only_after_a_quiet_while() -> None:
    bot = _bot()
    _offered_and_assigned(bot, "r2", simulated=False, now=0.0)
    (hello,) = bot.due(2 * LATER)
    assert "simulated specialists" in hello["body"] and "Ana" in hello["body"]
    customer = {"sender": "customer", "body": "Which one is charged?"}
    bot.receive({"type": "message", "seq": 3, "request_id": "r2", "message": customer}, 100.0)
    (answer,) = bot.due(100.0 + LATER)
    assert "credits apply first" in answer["body"]
    # The customer's message moved the end: quiet for REAL_QUIET after it.
    assert bot.due(REAL_QUIET + LATER) == []
    (resolve,) = bot.due(100.0 + REAL_QUIET)
    assert resolve["type"] == "resolve"


def test_a_request_that_ends_or_goes_back_is_dropped_with_its_timers() -> None:
    bot = _bot()
    _offered_and_assigned(bot, "r3", simulated=True, now=0.0)
    state = {"type": "request.state", "seq": 5, "request_id": "r3", "state": "cancelled"}
    bot.receive(state, 1.0)
    assert bot.chats == {} and bot.next_at() is None and bot.due(10_000.0) == []


def test_stopping_resolves_the_chats_held_then_goes_away() -> None:
    bot = _bot()
    _offered_and_assigned(bot, "r4", simulated=True, now=0.0)
    bot.receive({"type": "offer", "seq": 6, "offer": {"request_id": "r5"}}, 10.0)
    bot.stop(10.0)
    sent = bot.due(10.0)
    assert sorted((f["type"], f.get("request_id")) for f in sent) == [
        ("presence", None),
        ("resolve", "r4"),
    ]
    assert not bot.done
    _ack(bot, sent, 10.5, status="away")
    assert bot.done and not bot.present
