"""In-queue callbacks: keep my place, leave, be rung when it's my turn; retries and failures."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from support import Socket, World
from tapline.actions import customer
from tapline.engine.callback_states import OnFailure

Frame = dict[str, Any]


def _fill(world: World, desk: Socket, n: int = 2) -> list[str]:
    """Ana takes `n` chats, so that she is full and the next request waits. Their customers
    count as present (as if their widgets were open), so no grace time ends them."""
    ids = [world.connect(desk, f"busy{i}")[0]["request_id"] for i in range(n)]
    for request_id in ids:
        world.call(customer.customer_presence, world.rt, request_id, True)
    return ids


def _resolve(desk: Socket, request_id: str) -> None:
    desk.send(
        {
            "type": "resolve",
            "id": f"res-{request_id}",
            "request_id": request_id,
            "disposition": "resolved",
        }
    )
    desk.ack(f"res-{request_id}")


def _callbacks(world: World) -> list[dict[str, Any]]:
    return sorted(world.rows("callbacks"), key=lambda r: r["created_at"])


def _promise(world: World, created: Frame) -> tuple[Frame, int]:
    """Open the widget, ask for a callback, close: the callback and the last seq seen."""
    with world.widget(created) as widget:
        widget.send({"type": "callback", "id": "cb1"})
        callback = widget.ack("cb1")["result"]["callback"]
        widget.until("callback", **{"callback.state": "promised"})
        seq = widget.events()[-1]["seq"]
    return callback, seq


# -- The promise ---------------------------------------------------------------------------


def test_a_callback_is_promised_with_a_window_and_keeps_the_place(world: World) -> None:
    with world.desk("ana") as desk:
        _fill(world, desk)
        created = world.ask("c1")
        assert created["state"] == "waiting"
        now_ms = int(world.clock.now() * 1000)
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb1"})
            callback = widget.ack("cb1")["result"]["callback"]
            assert callback == {
                "id": created["request_id"],
                "kind": "in_queue",
                "state": "promised",
                "window_start": now_ms,
                "window_end": callback["window_end"],
                "slot_start": None,
                "attempts": 0,
                "kept": None,
            }
            assert callback["window_end"] > now_ms
            event = widget.until("callback")
            assert event["request_id"] == created["request_id"]
            assert event["callback"] == callback
            # Asking again changes nothing.
            widget.send({"type": "callback", "id": "cb2"})
            assert widget.ack("cb2")["result"]["callback"] == callback
        [row] = world.rows("callbacks")
        assert (row["kind"], row["state"], row["request_id"]) == (
            "in_queue",
            "promised",
            created["request_id"],
        )
        assert int(row["window_end"] * 1000) == callback["window_end"]
        # Gone from the app past the grace time: still waiting, with its place.
        desk.send({"type": "presence", "id": "p1", "status": "away"})
        desk.ack("p1")
        world.advance(world.settings.customer_grace + 1)
        world.beat()
        assert world.rt.engine.position(created["request_id"]) == 1
        [request] = [r for r in world.rows("requests") if r["id"] == created["request_id"]]
        assert request["state"] == "waiting"


def test_a_callback_needs_a_waiting_request(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb1"})
            assert widget.error("invalid_state")["ref"] == "cb1"
            widget.send({"type": "answer", "id": "a1", "accept": True})
            assert widget.error("invalid_state")["ref"] == "a1"
            widget.send({"type": "cancel_callback", "id": "x1"})
            assert widget.error("not_found")["ref"] == "x1"
            widget.send({"type": "message", "id": "m1", "body": "still here"})
            widget.ack("m1")
    assert world.rows("callbacks") == []


# -- Rung when it's my turn ----------------------------------------------------------------


def test_the_turn_comes_the_app_rings_and_the_customer_answers(world: World) -> None:
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1")
        rid = created["request_id"]
        callback, seq = _promise(world, created)
        _resolve(desk, busy[0])
        offer = desk.until("offer", **{"offer.request_id": rid})["offer"]
        assert offer["callback"]["kind"] == "in_queue"
        assert offer["callback"]["state"] == "promised"
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        desk.until("request.assigned", **{"request.id": rid})
        ringing = desk.until("callback", request_id=rid)
        assert ringing["callback"]["state"] == "ringing"

        # The customer comes back and sees the ring, replayed from the log.
        with world.widget(created, last_seq=seq) as widget:
            ring = widget.until("callback.ring")
            assert ring["request_id"] == rid
            assert ring["attempt"] == 1
            assert ring["specialist"] == {"name": "Ana Ferreira", "role": "Payments specialist"}
            assert ring["expires_at"] == int(
                (world.clock.now() + world.settings.ring_timeout) * 1000
            )
            widget.send({"type": "answer", "id": "ans", "accept": True})
            answered = widget.ack("ans")["result"]["callback"]
            assert (answered["state"], answered["kept"], answered["attempts"]) == (
                "answered",
                True,
                1,
            )
            ended = widget.until("callback.ring_ended")
            assert ended == {**ended, "request_id": rid, "reason": "answered"}
            widget.until("callback", **{"callback.state": "answered"})
            states = [f["callback"]["state"] for f in widget.events("callback")]
            assert states == ["ringing", "answered"]  # once per change
            assert desk.until("callback.ring_ended", request_id=rid)["reason"] == "answered"

            # The chat works.
            widget.send({"type": "message", "id": "m1", "body": "Hi, I'm here"})
            widget.ack("m1")
            desk.until("message", **{"message.client_id": "m1"})
            desk.send({"type": "message", "id": "d1", "request_id": rid, "body": "Hello!"})
            desk.ack("d1")
            widget.until("message", **{"message.client_id": "d1"})
    [row] = world.rows("callbacks")
    assert (row["state"], row["kept"], row["attempts"]) == ("answered", True, 1)
    assert row["first_ring_at"] is not None
    assert row["ended_at"] is not None
    assert callback["window_start"] / 1000 <= row["first_ring_at"] < row["window_end"]


def _ringing(world: World, desk: Socket) -> tuple[Frame, int]:
    """A callback request, promised with the customer gone, then accepted: it rings."""
    busy = _fill(world, desk, 2)
    created = world.ask("c1")
    rid = created["request_id"]
    _, seq = _promise(world, created)
    _resolve(desk, busy[0])
    desk.until("offer", **{"offer.request_id": rid})
    desk.send({"type": "accept", "id": "acc", "request_id": rid})
    desk.ack("acc")
    desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
    return created, seq


def test_unanswered_rings_retry_then_the_request_is_requeued(world: World) -> None:
    timeout = world.settings.ring_timeout
    spacing = world.rt.callbacks_policy.spacing
    with world.desk("ana") as desk:
        created, seq = _ringing(world, desk)
        rid = created["request_id"]
        world.beat(timeout - 1)
        assert _callbacks(world)[0]["state"] == "ringing"
        world.advance(1)  # the ticker acts on its own
        retrying = desk.until("callback", request_id=rid, **{"callback.state": "retrying"})
        assert retrying["callback"]["attempts"] == 1
        world.advance(spacing)
        desk.until(
            "callback", request_id=rid, **{"callback.attempts": 2, "callback.state": "ringing"}
        )
        world.advance(timeout)
        world.advance(spacing)
        desk.until(
            "callback", request_id=rid, **{"callback.attempts": 3, "callback.state": "ringing"}
        )
        world.advance(timeout)
        # The last attempt: back in the queue at the front, offered again.
        desk.until("request.state", request_id=rid, state="waiting")
        desk.until("offer", **{"offer.request_id": rid})
        world.settle()
    with world.widget(created, last_seq=seq) as widget:
        rings = [widget.until("callback.ring", attempt=n) for n in (1, 2, 3)]
        assert [r["attempt"] for r in rings] == [1, 2, 3]
        ended = [widget.until("callback.ring_ended")["reason"] for _ in range(3)]
        assert ended == ["no_answer", "no_answer", "no_answer"]
        widget.until("request.state", state="waiting")
        note = widget.until(
            "message", **{"message.body": world.rt.callbacks_policy.requeue_message}
        )
        assert note["message"]["sender"] == "system"
    # Only that: the specialist was not disconnected.
    bodies = [m["body"] for m in world.rows("messages") if m["request_id"] == rid]
    assert bodies[-2:] == ["Ana Ferreira (Payments specialist) joined.", note["message"]["body"]]
    [row] = world.rows("callbacks")
    assert (row["state"], row["attempts"], row["kept"]) == ("requeued", 3, True)
    [request] = [r for r in world.rows("requests") if r["id"] == rid]
    assert request["state"] in ("waiting", "offered")


def test_the_cancel_policy_ends_in_a_missed_callback(world: World) -> None:
    # The operator's settings make the policy (TAPLINE_RING_ATTEMPTS and friends).
    world.settings.ring_attempts = 1
    world.settings.callback_on_failure = "cancel"
    world.restart()
    policy = world.rt.callbacks.policy
    assert (policy.attempts, policy.on_failure) == (1, OnFailure.CANCEL)
    with world.desk("ana") as desk:
        created, seq = _ringing(world, desk)
        rid = created["request_id"]
        world.advance(world.settings.ring_timeout)
        ended = desk.until("request.state", request_id=rid)
        assert (ended["state"], ended["cause"]) == ("dead_end", "missed_callback")
    with world.widget(created, last_seq=seq) as widget:
        outcome = widget.until("request.state", state="dead_end")
        assert outcome["cause"] == "missed_callback"
        widget.until("message", **{"message.body": policy.failure_message})
    [row] = world.rows("callbacks")
    assert (row["state"], row["attempts"]) == ("missed", 1)
    [request] = [r for r in world.rows("requests") if r["id"] == rid]
    assert (request["state"], request["cause"]) == ("dead_end", "missed_callback")
    assert request["ended_at"] is not None


def test_not_now_counts_as_no_answer_and_rings_again(world: World) -> None:
    with world.desk("ana") as desk:
        created, seq = _ringing(world, desk)
        with world.widget(created, last_seq=seq) as widget:
            widget.until("callback.ring", attempt=1)
            widget.send({"type": "answer", "id": "no", "accept": False})
            assert widget.ack("no")["result"]["callback"]["state"] == "retrying"
            assert widget.until("callback.ring_ended")["reason"] != "answered"
            widget.send({"type": "answer", "id": "no2", "accept": True})
            assert widget.error("invalid_state")["ref"] == "no2"
            world.advance(world.rt.callbacks_policy.spacing)
            widget.until("callback.ring", attempt=2)
            widget.send({"type": "answer", "id": "yes", "accept": True})
            assert widget.ack("yes")["result"]["callback"]["state"] == "answered"


# -- Ended another way ---------------------------------------------------------------------


def test_cancel_callback_goes_back_to_plain_waiting(world: World) -> None:
    with world.desk("ana") as desk:
        _fill(world, desk)
        created = world.ask("c1")
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb1"})
            widget.ack("cb1")
            widget.send({"type": "cancel_callback", "id": "x1"})
            widget.ack("x1")
            widget.until("callback", **{"callback.state": "cancelled"})
        assert world.rt.engine.position(rid) == 1
        # A plain wait again: the grace time applies once the customer is gone.
        world.advance(world.settings.customer_grace + 1)
        world.settle(lambda: world.rt.engine.request(rid).state == "dead_end")
    [row] = world.rows("callbacks")
    assert (row["state"], row["kept"]) == ("cancelled", None)


def test_a_request_cancelled_while_promised_ends_its_callback(world: World) -> None:
    with world.desk("ana") as desk:
        _fill(world, desk)
        created = world.ask("c1")
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb1"})
            widget.ack("cb1")
            widget.send({"type": "cancel", "id": "x1"})
            assert widget.ack("x1")["result"] == {"state": "cancelled"}
            widget.until("callback", **{"callback.state": "cancelled"})
        # Long after the window and the give-up time: nothing more happens to it.
        world.beat(3 * 3600)
    [row] = world.rows("callbacks")
    assert (row["state"], row["kept"]) == ("cancelled", None)
    [request] = [r for r in world.rows("requests") if r["id"] == rid]
    assert (request["state"], request["cause"]) == ("cancelled", None)


def test_a_request_resolved_while_ringing_stops_the_ring(world: World) -> None:
    with world.desk("ana") as desk:
        created, seq = _ringing(world, desk)
        rid = created["request_id"]
        _resolve(desk, rid)
        world.beat(3600)
    with world.widget(created, last_seq=seq) as widget:
        widget.until("callback.ring_ended", reason="cancelled")
        widget.until("request.state", state="resolved")
    [row] = world.rows("callbacks")
    assert row["state"] == "cancelled"
    [request] = [r for r in world.rows("requests") if r["id"] == rid]
    assert request["state"] == "resolved"


def test_a_broken_promise_is_recorded(world: World) -> None:
    """Nobody free before the window ends: the first ring comes late, kept is false."""
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1")
        rid = created["request_id"]
        callback, _ = _promise(world, created)
        world.advance(callback["window_end"] / 1000 - world.clock.now() + 1)
        world.settle(lambda: world.rt.callbacks.get(rid).promise is not None)
        _resolve(desk, busy[0])
        desk.until("offer", **{"offer.request_id": rid})
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
    [row] = world.rows("callbacks")
    assert row["kept"] is False


@pytest.mark.parametrize("back", [True, False])
def test_after_a_requeue_the_customer_must_come_back(world: World, back: bool) -> None:
    """A requeued callback is a plain wait again: the grace time runs while nobody is there."""
    world.rt.callbacks.policy = dataclasses.replace(world.rt.callbacks.policy, attempts=1)
    with world.desk("ana") as desk:
        created, seq = _ringing(world, desk)
        rid = created["request_id"]
        desk.send({"type": "presence", "id": "away", "status": "away"})
        desk.ack("away")
        world.advance(world.settings.ring_timeout)
        desk.until("request.state", request_id=rid, state="waiting")
        if back:
            with world.widget(created, last_seq=seq) as widget:
                widget.until("request.state", state="waiting")
                world.beat(world.settings.customer_grace + 1)
                widget.send({"type": "message", "id": "m1", "body": "I'm here now"})
                widget.ack("m1")
            assert world.rt.engine.request(rid).state == "waiting"
        else:
            world.beat(world.settings.customer_grace - 1)
            assert world.rt.engine.request(rid).state == "waiting"
            world.beat(2)
            ended = world.rt.engine.request(rid)
            assert (ended.state, ended.cause) == ("dead_end", "abandoned")


def test_every_tab_rings_and_one_answer_stops_them_all(world: World) -> None:
    from support import ORIGIN
    from tapline.lib.identity import sign_customer

    token = sign_customer(world.app.secret, "u-1", "Sam", "sam@example.com", 4_000_000_000)
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1", user={"id": "u-1", "token": token})
        rid = created["request_id"]
        _promise(world, created)
        # Another device finds the request and its callback.
        listed = world.client.get(
            f"/api/v1/customers/requests?app={world.key}",
            headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
        ).json()["requests"]
        [mine] = [r for r in listed if r["request_id"] == rid]
        assert mine["callback"]["state"] == "promised"
        phone = {**created, "customer_token": mine["customer_token"]}
        with world.widget(created) as laptop, world.widget(phone) as handset:
            _resolve(desk, busy[0])
            desk.until("offer", **{"offer.request_id": rid})
            desk.send({"type": "accept", "id": "acc", "request_id": rid})
            desk.ack("acc")
            laptop.until("callback.ring", attempt=1)
            handset.until("callback.ring", attempt=1)
            handset.send({"type": "answer", "id": "yes", "accept": True})
            handset.ack("yes")
            assert laptop.until("callback.ring_ended")["reason"] == "answered"
            assert handset.until("callback.ring_ended")["reason"] == "answered"
            laptop.send({"type": "answer", "id": "late", "accept": True})
            assert laptop.error("invalid_state")["ref"] == "late"


def test_the_specialist_leaving_mid_ring_stops_it_and_the_next_one_rings(world: World) -> None:
    with world.desk("ana") as desk:
        created, seq = _ringing(world, desk)
        rid = created["request_id"]
    world.beat()  # Ana's desk is gone past its grace (0 here)
    [row] = world.rows("callbacks")
    # Not the customer's miss: the ring stops and the place is held, attempt not counted.
    assert (row["state"], row["attempts"], row["kept"]) == ("promised", 0, True)
    with world.desk("ben") as desk:
        # Ana's other chat went back to the front too: Ben takes it, then the callback.
        other = desk.until("offer")["offer"]["request_id"]
        assert other != rid
        desk.send({"type": "accept", "id": "acc0", "request_id": other})
        desk.ack("acc0")
        desk.until("offer", **{"offer.request_id": rid})
        desk.send({"type": "accept", "id": "acc", "request_id": rid})
        desk.ack("acc")
        ringing = desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
        assert ringing["callback"]["attempts"] == 1
        with world.widget(created, last_seq=seq) as widget:
            assert widget.until("callback.ring_ended")["reason"] == "specialist_left"
            first, again = (widget.until("callback.ring", request_id=rid) for _ in range(2))
            assert first["specialist"]["name"] == "Ana Ferreira"
            assert (again["specialist"]["name"], again["attempt"]) == ("Ben Okafor", 1)
            widget.send({"type": "answer", "id": "ans", "accept": True})
            assert widget.ack("ans")["result"]["callback"]["state"] == "answered"
    bodies = [m["body"] for m in world.rows("messages") if m["request_id"] == rid]
    assert any("disconnected" in body for body in bodies)
