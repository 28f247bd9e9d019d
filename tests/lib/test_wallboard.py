"""The supervisor's wallboard: a scripted morning, and who gets the live signal."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from support import Socket, World
from tapline.lib import wallboard
from tapline.lib.wallboard import Row

Frame = dict[str, Any]


def _board(world: World) -> Frame:
    response = world.api("GET", "/wallboard", "sofia")
    assert response.status_code == 200, response.text
    [queue] = response.json()["queues"]
    board: Frame = queue
    return board


def _presence(desk: Socket, status: str, frame_id: str) -> None:
    desk.send({"type": "presence", "id": frame_id, "status": status})
    desk.ack(frame_id)


def _accept(desk: Socket, request_id: str) -> None:
    desk.until("offer", **{"offer.request_id": request_id})
    desk.send({"type": "accept", "id": f"acc-{request_id}", "request_id": request_id})
    desk.ack(f"acc-{request_id}")
    desk.until("request.assigned", **{"request.id": request_id})


def _resolve(desk: Socket, request_id: str) -> None:
    frame_id = f"res-{request_id}"
    desk.send(
        {"type": "resolve", "id": frame_id, "request_id": request_id, "disposition": "resolved"}
    )
    desk.ack(frame_id)


def _present(world: World, created: Frame) -> None:
    from tapline.actions import customer

    world.call(customer.customer_presence, world.rt, created["request_id"], True)


def test_a_scripted_morning_adds_up(world: World) -> None:
    world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    empty = _board(world)
    assert empty["name"] == "General" and empty["open"] is True
    assert (empty["waiting"], empty["oldest_wait"]) == (0, None)
    assert empty["specialists"] == {"available": 0, "busy": 0, "away": 0, "offline": 2}
    assert empty["callbacks_due"] == 0
    assert empty["callbacks_kept"] == {"kept": 0, "total": 0}
    assert empty["today"] == {
        "offered": 0,
        "answered": 0,
        "within_target": 0,
        "abandoned": 0,
        "waiting": 0,
        "waiting_over_target": 0,
        "ended_unanswered": 0,
        "settled": 0,
        "service_level": None,
        "target_seconds": 60.0,
        "dead_ends": {},
    }
    with world.desk("ana") as ana:
        assert _board(world)["specialists"] == {
            "available": 1,
            "busy": 0,
            "away": 0,
            "offline": 1,
        }
        # r1 is answered in 10 s.
        r1 = world.ask("r1")
        _present(world, r1)
        world.beat(10)
        _accept(ana, r1["request_id"])
        # r2 waits 90 s while Ana is busy: answered, outside the 60 s target.
        _presence(ana, "busy", "p1")
        r2 = world.ask("r2")
        _present(world, r2)
        world.beat(30)
        board = _board(world)
        assert (board["waiting"], board["oldest_wait"]) == (1, 30)
        assert board["specialists"]["busy"] == 1
        # Inside the target r2's fate is open: the level counts r1 alone.
        assert (board["today"]["waiting"], board["today"]["settled"]) == (1, 1)
        assert board["today"]["service_level"] == 1.0
        world.beat(60)
        # Past it, r2 is a miss even before it is answered: never 100% beside a late wait.
        today = _board(world)["today"]
        assert (today["waiting_over_target"], today["settled"]) == (1, 2)
        assert today["service_level"] == 0.5
        _presence(ana, "available", "p2")
        _accept(ana, r2["request_id"])
        board = _board(world)
        assert board["specialists"] == {"available": 0, "busy": 1, "away": 0, "offline": 1}
        assert (board["waiting"], board["oldest_wait"]) == (0, None)
        # r3 waits with nobody free, and its customer leaves: abandoned after the grace.
        r3 = world.ask("r3")
        # r4 asks for a callback.
        r4 = world.ask("r4")
        with world.widget(r4) as widget:
            widget.send({"type": "callback", "id": "cb"})
            widget.ack("cb")
        world.beat(20)
        board = _board(world)
        assert (board["waiting"], board["oldest_wait"]) == (2, 20)
        assert board["callbacks_due"] == 1
        world.beat(world.settings.customer_grace)
        assert world.rt.engine.request(r3["request_id"]).state == "dead_end"
        board = _board(world)
        assert (board["waiting"], board["oldest_wait"]) == (1, 140)
        # Ana finishes r1: the callback's turn; the customer answers the ring.
        _resolve(ana, r1["request_id"])
        _accept(ana, r4["request_id"])
        with world.widget(r4) as widget:
            widget.until("callback.ring")
            widget.send({"type": "answer", "id": "yes", "accept": True})
            widget.ack("yes")
        board = _board(world)
        assert board["callbacks_due"] == 0
        assert board["callbacks_kept"] == {"kept": 1, "total": 1}
        assert board["today"] == {
            "offered": 4,
            "answered": 3,
            "within_target": 1,  # r1 in 10 s; r2 in 90 s, r4 in 140 s
            "abandoned": 1,  # r3
            "waiting": 0,
            "waiting_over_target": 0,
            "ended_unanswered": 0,
            "settled": 4,
            "service_level": 0.25,
            "target_seconds": 60.0,
            "dead_ends": {"abandoned": 1},
        }
        assert board["specialists"] == {"available": 0, "busy": 1, "away": 0, "offline": 1}


STATES = ("waiting", "offered", "connected", "resolved", "cancelled", "dead_end")
CAUSES = (None, "abandoned", "lost_on_disconnect", "no_specialist", "missed_callback")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(STATES),
            st.sampled_from(CAUSES),
            st.floats(0, 1000),
            st.one_of(st.none(), st.floats(0, 2000)),
        ),
        max_size=40,
    )
)
def test_todays_figures_add_up_whatever_the_day(rows: list[Row]) -> None:
    rows = [
        (state, cause, enqueued, None if served is None else enqueued + served)
        for state, cause, enqueued, served in rows
    ]
    figures = wallboard.today(rows, 2000.0, 60.0)
    parts = ("answered", "abandoned", "waiting", "ended_unanswered")
    assert sum(figures[part] for part in parts) == figures["offered"] == len(rows)
    assert 0 <= figures["within_target"] <= figures["answered"]
    assert figures["waiting_over_target"] <= figures["waiting"]
    assert figures["within_target"] <= figures["settled"] <= figures["offered"]
    level = figures["service_level"]
    assert level is None if figures["settled"] == 0 else 0 <= level <= 1


def test_a_request_answered_then_abandoned_counts_once_as_answered() -> None:
    again = wallboard.today([("dead_end", "abandoned", 0.0, 5.0)], 100.0, 60.0)
    assert (again["answered"], again["abandoned"], again["service_level"]) == (1, 0, 1.0)


def test_supervisors_get_the_wallboard_signal_and_others_do_not(world: World) -> None:
    world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
    with world.desk("sofia") as sofia, world.desk("ana") as ana:
        _presence(sofia, "away", "p0")
        first = sofia.until("wallboard")
        assert [q["name"] for q in first["queues"]] == ["General"]
        assert isinstance(first["at"], int)
        assert "seq" not in first
        _presence(ana, "away", "p1")
        world.ask("c1")
        while sofia.until("wallboard")["queues"][0]["waiting"] != 1:
            pass
        ana.send({"type": "ping"})
        ana.until("pong")
        assert not [f for f in ana.seen if f["type"] == "wallboard"]
    response = world.api("GET", "/wallboard", "ana")
    assert response.status_code == 403
    assert not [e for e in world.rows("events") if e["type"] == "wallboard"]


def test_a_callback_between_rings_is_still_due(world: World) -> None:
    world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    with world.desk("ana") as ana:
        busy = world.ask("busy")
        _present(world, busy)
        _accept(ana, busy["request_id"])
        _presence(ana, "busy", "p1")
        created = world.ask("c1")
        with world.widget(created) as widget:
            widget.send({"type": "callback", "id": "cb"})
            widget.ack("cb")
            assert _board(world)["callbacks_due"] == 1
            _presence(ana, "available", "p2")
            _accept(ana, created["request_id"])
            widget.until("callback.ring")
            assert _board(world)["callbacks_due"] == 1
            widget.send({"type": "answer", "id": "no", "accept": False})
            assert widget.ack("no")["result"]["callback"]["state"] == "retrying"
            assert _board(world)["callbacks_due"] == 1
