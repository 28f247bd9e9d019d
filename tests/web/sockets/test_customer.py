"""The widget's socket: who may open it, bad frames, limits, resume, and the customer's grace."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta

import pytest
from starlette.websockets import WebSocketDisconnect

from support import ORIGIN, Socket, World
from tapline.store.models import utcnow
from tapline.web import wire


def _customer_path(world: World, key: str | None = None) -> str:
    return f"/ws/customer?app={key or world.key}"


# -- The handshake and hello ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "origin", "detail"),
    [
        ("pk_unknown", ORIGIN, "Unknown app key."),
        ("", ORIGIN, "Unknown app key."),
        (None, "https://evil.example", "Origin https://evil.example is not allowed."),
        (None, "https://shop.example.evil.example", None),
        (None, "http://shop.example", None),  # another scheme is another origin
    ],
)
def test_the_handshake_checks_app_and_origin(
    world: World, key: str | None, origin: str, detail: str | None
) -> None:
    path = f"/ws/customer?app={world.key if key is None else key}"
    denied = world.denied(path, {"Origin": origin})
    assert denied.status_code == 403
    assert denied.json() == {"detail": detail or f"Origin {origin} is not allowed."}


def _hello_closes(world: World, hello: dict[str, object], key: str | None = None) -> str:
    with world.socket(_customer_path(world, key), {"Origin": ORIGIN}) as socket:
        socket.send({"type": "hello", "last_seq": 0, **hello})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.next()
    assert closed.value.code == 4401
    return closed.value.reason


def test_a_wrong_token_closes_with_4401(world: World) -> None:
    mine = world.ask("c1")
    other = world.ask("c2")
    rid = mine["request_id"]
    assert _hello_closes(world, {"request_id": rid, "token": "tlc_" + "0" * 64}) == (
        "Unknown request or wrong token."
    )
    assert _hello_closes(world, {"request_id": rid, "token": other["customer_token"]})
    assert _hello_closes(world, {"request_id": rid})
    assert _hello_closes(world, {"request_id": "r_nope", "token": mine["customer_token"]})
    assert _hello_closes(world, {"request_id": 7, "token": mine["customer_token"]})


def test_a_token_long_after_its_request_ended_closes_with_4401(world: World) -> None:
    created = world.ask()
    rid, token = created["request_id"], created["customer_token"]
    days = world.settings.customer_token_days
    ended = utcnow() - timedelta(days=days - 1)
    world.execute("UPDATE requests SET state='cancelled', ended_at=:at", at=ended)
    with world.widget(created) as widget:  # within its life: it still opens
        widget.send({"type": "ping"})
        widget.until("pong")
    world.execute("UPDATE requests SET ended_at=:at", at=ended - timedelta(days=2))
    reason = _hello_closes(world, {"request_id": rid, "token": token})
    assert "expired" in reason


def test_a_desk_session_cannot_open_a_customer_socket(world: World) -> None:
    created = world.ask()
    desk = world.signin("ana")
    reason = _hello_closes(world, {"request_id": created["request_id"], "token": desk.token})
    assert reason == "A desk session cannot open a customer socket."


def test_another_apps_key_does_not_open_this_apps_request(world: World) -> None:
    from tapline.actions.provision import add_app

    async def other_app() -> str:
        async with world.rt.sessions() as session, session.begin():
            return (await add_app(session, "Other", [ORIGIN])).public_key

    other_key = world.call(other_app)
    created = world.ask()
    hello = {"request_id": created["request_id"], "token": created["customer_token"]}
    assert _hello_closes(world, hello, key=other_key) == "Unknown request or wrong token."


def test_hello_comes_first(world: World) -> None:
    created = world.ask()
    with world.socket(_customer_path(world), {"Origin": ORIGIN}) as socket:
        socket.send({"type": "ping"})
        socket.until("pong")
        socket.send({"type": "message", "id": "m0", "body": "hi"})
        socket.error("hello_required")
        socket.send_text("{")
        socket.error("bad_json")
        socket.send(
            {
                "type": "hello",
                "request_id": created["request_id"],
                "token": created["customer_token"],
                "last_seq": True,  # not a number: from the start
            }
        )
        welcome = socket.until("welcome")
        assert welcome == {
            "type": "welcome",
            "request_id": created["request_id"],
            "state": "waiting",
            "last_seq": 2,
        }
        # The thread opens with the description, then the request's state.
        first = socket.until("message")
        assert (first["seq"], first["message"]["client_id"]) == (1, "desc-c1")
        assert socket.until("request.state")["seq"] == 2
        socket.send({"type": "hello", "request_id": created["request_id"]})
        socket.error("bad_frame")
    assert [row["client_id"] for row in world.rows("messages")] == ["desc-c1"]


# -- Bad frames never drop the socket -------------------------------------------------------


def _still_works(socket: Socket, frame_id: str) -> None:
    socket.send({"type": "message", "id": frame_id, "body": "still here"})
    assert socket.ack(frame_id)["result"]["message_id"]


def test_bad_frames_get_errors_and_the_socket_stays(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send_text("{not json")
        assert widget.error("bad_json")["ref"] is None
        widget.send_bytes(b'{"type": "ping"}')
        assert "not binary" in widget.error("bad_frame")["message"]
        for text in ("[1, 2]", '"ping"', "42", "null", '{"id": "x"}', '{"type": 5}'):
            widget.send_text(text)
            widget.error("bad_frame")
        widget.send({"type": "launch", "id": "u1"})
        unknown = widget.error("unknown_type")
        assert (unknown["ref"], unknown["message"]) == ("u1", "Unknown frame type 'launch'.")
        widget.send({"type": "message", "body": "no id"})
        widget.error("bad_frame")
        widget.send({"type": "message", "id": "x" * 65, "body": "long id"})
        widget.error("bad_frame")
        widget.send({"type": "message", "id": "has space", "body": "odd id"})
        widget.error("bad_frame")
        widget.send({"type": "message", "id": "m-empty", "body": "   "})
        assert widget.error("bad_frame")["ref"] == "m-empty"
        widget.send({"type": "message", "id": "m-num", "body": 12})
        assert widget.error("bad_frame")["ref"] == "m-num"
        widget.send({"type": "context", "id": "c-list", "context": ["flow"]})
        assert widget.error("bad_frame")["ref"] == "c-list"
        widget.send_text(json.dumps({"type": "ping", "pad": "x" * 131_072}))
        widget.error("too_large")
        _still_works(widget, "good")
    bodies = [row["body"] for row in world.rows("messages")]
    assert bodies == ["Which is charged?", "still here"]


def test_a_message_over_the_limit_is_too_large(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "message", "id": "big", "body": "x" * 4097})
        error = widget.error("too_large")
        assert error["ref"] == "big"
        assert error["message"] == "A message may be at most 4096 bytes."
        widget.send({"type": "message", "id": "utf8", "body": "€" * 1366})  # 4098 bytes
        assert widget.error("too_large")["ref"] == "utf8"
        widget.send({"type": "message", "id": "edge", "body": "x" * 4096})
        widget.ack("edge")
        _still_works(widget, "after")
    assert len(world.rows("messages")) == 3


def test_a_context_over_the_limit_is_too_large(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        huge = {"flow": "booking", "data": {"blob": "x" * 65_536}}
        widget.send({"type": "context", "id": "ctx", "context": huge})
        error = widget.error("too_large")
        assert error["ref"] == "ctx"
        assert "at most 65536" in error["message"]
        widget.send({"type": "context", "id": "ctx2", "context": {"step": "seats"}})
        widget.ack("ctx2")
        _still_works(widget, "after")
    [row] = world.rows("requests")
    assert row["context"] == {"step": "seats", "fields": []}


def test_the_limits_are_settings(world: World) -> None:
    world.rt.settings.message_bytes = 100
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "message", "id": "m1", "body": "x" * 101})
        assert widget.error("too_large")["message"] == "A message may be at most 100 bytes."
        widget.send({"type": "message", "id": "m2", "body": "x" * 100})
        widget.ack("m2")


def test_too_many_frames_are_rate_limited_and_the_socket_recovers(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        # The burst is 40 frames and hello took one; the FakeClock stands still.
        for index in range(45):
            widget.send({"type": "message", "id": f"m{index}", "body": f"message {index}"})
        acks = [widget.ack(f"m{index}") for index in range(39)]
        limited = [widget.error("rate_limited") for _ in range(6)]
        assert [error["ref"] for error in limited] == [f"m{index}" for index in range(39, 45)]
        assert len({ack["result"]["message_id"] for ack in acks}) == 39
        widget.send({"type": "ping"})
        widget.error("rate_limited")
        world.advance(1.0)  # 20 frames a second come back
        widget.send({"type": "message", "id": "m39", "body": "message 39, resent"})
        widget.ack("m39")
    assert len(world.rows("messages")) == 1 + 40


# -- Writes ---------------------------------------------------------------------------------


def test_the_same_message_id_stores_once_and_acks_twice(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            widget.send({"type": "message", "id": "m1", "body": "Hello?"})
            first = widget.ack("m1")
            widget.send({"type": "message", "id": "m1", "body": "Hello? (resent)"})
            second = widget.ack("m1")
            assert first["result"] == second["result"]
            widget.send({"type": "message", "id": "m2", "body": "Anyone?"})
            widget.ack("m2")
            desk.until("message", **{"message.client_id": "m2"})
            desk.send(
                {"type": "message", "id": "d1", "request_id": created["request_id"], "body": "Yes"}
            )
            reply = desk.ack("d1")
            desk.send(
                {"type": "message", "id": "d1", "request_id": created["request_id"], "body": "Yes"}
            )
            assert desk.ack("d1")["result"] == reply["result"]
            widget.until("message", **{"message.client_id": "d1"})
    assert [f["message"]["client_id"] for f in desk.events("message")].count("m1") == 1
    assert [f["message"]["client_id"] for f in widget.events("message")].count("d1") == 1
    rows = world.rows("messages")
    assert [row["body"] for row in rows if row["client_id"] == "m1"] == ["Hello?"]
    assert [row["client_id"] for row in rows].count("d1") == 1


def test_a_context_update_reaches_the_specialist_without_masked_values(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            context = {
                "flow": "booking",
                "step": "passenger",
                "fields": [
                    {"name": "passport", "filled": True, "masked": True, "value": "X1234567"},
                    {"name": "seat", "filled": True, "masked": False, "value": "12A"},
                ],
            }
            widget.send({"type": "context", "id": "ctx", "context": context})
            widget.ack("ctx")
            updated = desk.until("context.updated")
            assert updated["request_id"] == created["request_id"]
            assert updated["context"]["fields"] == [
                {"name": "passport", "filled": True, "masked": True},
                {"name": "seat", "filled": True, "masked": False, "value": "12A"},
            ]
    assert "X1234567" not in world.database_text()


def test_cancel_while_waiting(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "cancel", "id": "x"})
        assert widget.ack("x")["result"] == {"state": "cancelled"}
        state = widget.until("request.state", state="cancelled")
        assert state["cause"] is None
        widget.send({"type": "message", "id": "late", "body": "wait"})
        assert widget.error("invalid_state")["ref"] == "late"
    [row] = world.rows("requests")
    assert (row["state"], row["cause"]) == ("cancelled", None)
    assert row["ended_at"] is not None


@pytest.mark.parametrize(
    ("score", "comment"),
    [
        (0, None),
        (6, None),
        ("5", None),
        (4.5, None),
        (True, None),
        (None, None),
        (5, "x" * 1001),
        (5, 42),
    ],
)
def test_bad_ratings_are_refused(world: World, score: object, comment: object) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "cancel", "id": "x"})
        widget.ack("x")
        widget.send({"type": "rate", "id": "r", "score": score, "comment": comment})
        assert widget.error("bad_frame")["ref"] == "r"
    assert world.rows("requests")[0]["rating"] is None


def test_a_rating_comes_after_the_outcome(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "rate", "id": "early", "score": 5})
        assert widget.error("invalid_state")["ref"] == "early"
        widget.send({"type": "cancel", "id": "x"})
        widget.ack("x")
        for score in (1, 5):
            widget.send({"type": "rate", "id": f"r{score}", "score": score, "comment": "ok"})
            widget.ack(f"r{score}")
    [row] = world.rows("requests")
    assert (row["rating"], row["rating_comment"]) == (5, "ok")


# -- Resume ---------------------------------------------------------------------------------


def test_a_reconnect_replays_exactly_the_missed_events(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        with world.widget(created) as widget:
            joined = widget.until("message", **{"message.sender": "system"})
            seen = joined["seq"]
            assert [f["seq"] for f in widget.events()] == list(range(1, seen + 1))
        for index in range(3):
            desk.send(
                {"type": "message", "id": f"d{index}", "request_id": rid, "body": f"reply {index}"}
            )
            desk.ack(f"d{index}")
        with world.widget(created, last_seq=seen) as widget:
            welcome = widget.seen[0]
            assert welcome["type"] == "welcome" and welcome["last_seq"] == seen + 3
            replies = [widget.until("message", **{"message.client_id": f"d{i}"}) for i in range(3)]
            assert [f["seq"] for f in replies] == [seen + 1, seen + 2, seen + 3]
            # Live again: the next event follows on, with no gap and nothing twice.
            desk.send({"type": "message", "id": "d3", "request_id": rid, "body": "live"})
            live = widget.until("message", **{"message.client_id": "d3"})
            assert live["seq"] == seen + 4
            assert [f["seq"] for f in widget.events()] == list(range(seen + 1, seen + 5))
        with world.widget(created, last_seq=0) as widget:
            widget.until("message", **{"message.client_id": "d3"})
            assert [f["seq"] for f in widget.events()] == list(range(1, seen + 5))
        with world.widget(created, last_seq=10_000) as widget:  # from the future
            refused = widget.until("error")
            assert refused["code"] == "stale_seq" and refused["ref"] is None
            assert "10000" in refused["message"] and str(seen + 4) in refused["message"]
            widget.until("message", **{"message.client_id": "d3"})
            assert [f["seq"] for f in widget.events()] == list(range(1, seen + 5))


def test_a_replay_longer_than_a_page_arrives_whole_and_in_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "REPLAY_PAGE", 4)
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        for index in range(11):
            desk.send({"type": "message", "id": f"d{index}", "request_id": rid, "body": "hi"})
            desk.ack(f"d{index}")
        with world.widget(created, last_seq=1) as widget:
            end = widget.seen[0]["last_seq"]
            widget.until("message", **{"message.client_id": "d10"})
            assert [f["seq"] for f in widget.events()] == list(range(2, end + 1))


# -- The customer's grace -------------------------------------------------------------------


def test_a_customer_gone_while_waiting_is_abandoned_after_the_grace(world: World) -> None:
    created = world.ask()
    with world.widget(created):
        pass
    world.beat(119)
    assert world.rows("requests")[0]["state"] == "waiting"
    world.advance(1.5)
    world.settle(lambda: world.rt.engine.request(created["request_id"]).state == "dead_end")
    [row] = world.rows("requests")
    assert (row["state"], row["cause"]) == ("dead_end", "abandoned")
    with world.widget(created, last_seq=1) as widget:
        widget.until("request.state", state="dead_end", cause="abandoned")


def test_a_customer_lost_while_connected_is_a_dead_end_for_the_specialist(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created):
            pass
        world.advance(121)
        ended = desk.until("request.state", request_id=created["request_id"])
        assert (ended["state"], ended["cause"]) == ("dead_end", "lost_on_disconnect")
        assert desk.until("presence")["active"] == 0


def test_a_customer_back_within_the_grace_keeps_the_request(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created):
            pass
        world.beat(100)
        with world.widget(created, last_seq=3) as widget:
            world.beat(100)  # past the first grace's end
            widget.send({"type": "message", "id": "m1", "body": "back"})
            widget.ack("m1")
        desk.until("message", **{"message.client_id": "m1"})
        assert world.rows("requests")[0]["state"] == "connected"


def test_a_customer_who_never_connects_is_abandoned_after_the_grace(world: World) -> None:
    created = world.ask()
    world.beat(121)
    [row] = world.rows("requests")
    assert (row["state"], row["cause"]) == ("dead_end", "abandoned")
    assert created["request_id"] == row["id"]


def test_garbage_counts_toward_the_rate_limit(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        for _ in range(45):
            widget.send_text("{not json")
        errors = [widget.until("error") for _ in range(45)]
        codes = [error["code"] for error in errors]
        assert codes.count("rate_limited") == 6
        assert codes.count("bad_json") == 39


def test_a_message_resent_after_the_end_is_acknowledged_again(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            message = {"type": "message", "id": "m1", "body": "thanks!"}
            widget.send(message)
            first = widget.ack("m1")["result"]
            desk.send(
                {
                    "type": "resolve",
                    "id": "r1",
                    "request_id": created["request_id"],
                    "disposition": "resolved",
                }
            )
            desk.ack("r1")
            widget.until("request.state", state="resolved")
            widget.send(message)  # the ack was lost; the widget's outbox sends it again
            assert widget.ack("m1")["result"] == first
            widget.send({**message, "id": "m2"})
            assert widget.error("invalid_state")["ref"] == "m2"
    assert [row["client_id"] for row in world.rows("messages")].count("m1") == 1


def test_deeply_nested_frames_are_errors_not_crashes(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send_text("[" * 50_000 + "]" * 50_000)
        widget.error("bad_json")
        nested: dict[str, object] = {"flow": "deep"}
        for _ in range(500):
            nested = {"data": nested}
        widget.send({"type": "context", "id": "ctx", "context": nested})
        assert widget.error("bad_frame")["ref"] == "ctx"
        _still_works(widget, "after")


def test_nul_characters_are_dropped_not_a_crash(world: World) -> None:
    """PostgreSQL cannot store U+0000 in text: it never reaches the database."""
    created = world.ask(
        description="stuck\x00 here",
        user={"id": "u\x001", "name": "Sam\x00", "email": "s\x00@example.com"},
    )
    with world.desk("ana") as desk:
        desk.until("offer")
        desk.send({"type": "accept", "id": "a1", "request_id": created["request_id"]})
        desk.ack("a1")
        with world.widget(created) as widget:
            widget.send({"type": "message", "id": "m1", "body": "hi\x00there"})
            widget.ack("m1")
            widget.send({"type": "context", "id": "c1", "context": {"step": "pay\x00"}})
            widget.ack("c1")
            desk.send(
                {
                    "type": "message",
                    "id": "d1",
                    "request_id": created["request_id"],
                    "body": "ok\x00",
                }
            )
            desk.ack("d1")
            desk.send(
                {
                    "type": "resolve",
                    "id": "r1",
                    "request_id": created["request_id"],
                    "disposition": "resolved",
                    "note": "n\x00",
                }
            )
            desk.ack("r1")
            widget.send({"type": "rate", "id": "rate", "score": 4, "comment": "fine\x00"})
            widget.ack("rate")
    stored = world.database_text()
    assert "\\u0000" not in stored and "\x00" not in stored
    bodies = [row["body"] for row in world.rows("messages")]
    assert "hithere" in bodies and "stuck here" in bodies


def test_sockets_per_request_and_per_address_are_limited(world: World) -> None:
    world.rt.settings.sockets_per_request = 2
    world.rt.settings.sockets_per_address = 3
    created = world.ask("c1")
    path = _customer_path(world, None)
    with contextlib.ExitStack() as stack:
        for _ in range(2):
            stack.enter_context(world.widget(created))
        with world.socket(path, {"Origin": ORIGIN}) as third:
            hello = {"request_id": created["request_id"], "token": created["customer_token"]}
            third.send({"type": "hello", **hello})
            assert third.error("too_many_sockets")["message"].startswith("This request has 2")
            with pytest.raises(WebSocketDisconnect) as closed:
                third.next()
            assert closed.value.code == 4429
        stack.enter_context(world.widget(world.ask("c2")))
        assert world.denied(path, {"Origin": ORIGIN}).status_code == 429
    world.settle()
    assert len(world.server.state.abuse_limits.sockets) == 0  # every one given back
