"""Honest waits: the estimate and options at the tap, estimate signals while waiting, and
what is learnt per queue from history."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from support import START, Socket, World
from tapline.actions import customer

Frame = dict[str, Any]
HOUR = 3600.0


def _fill(world: World, desk: Socket, n: int = 2, prefix: str = "busy") -> list[str]:
    """Ana takes `n` chats (their customers present), so the next requests wait."""
    ids = [world.connect(desk, f"{prefix}{i}")[0]["request_id"] for i in range(n)]
    for request_id in ids:
        world.call(customer.customer_presence, world.rt, request_id, True)
    return ids


def _resolve(desk: Socket, request_id: str) -> None:
    frame_id = f"res-{request_id}"
    desk.send(
        {"type": "resolve", "id": frame_id, "request_id": request_id, "disposition": "resolved"}
    )
    desk.ack(frame_id)


def _admin(world: World) -> str:
    if "sofia" not in world.specialists:
        world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    queue_id: str = world.rows("queues")[0]["id"]
    return queue_id


def _patch_queue(world: World, **changes: Any) -> None:
    queue_id = _admin(world)
    response = world.api("PATCH", f"/admin/queues/{queue_id}", "sofia", changes)
    assert response.status_code == 200, response.text


def _check_estimate(estimate: Frame, position: int) -> None:
    assert set(estimate) >= {"position", "mean", "low", "high", "at"}
    assert estimate["position"] == position
    assert 0 <= estimate["low"] <= estimate["mean"] <= estimate["high"]
    assert isinstance(estimate["at"], int)


# -- At the tap ----------------------------------------------------------------------------


def test_the_tap_answers_with_an_estimate_options_and_the_queue(world: World) -> None:
    with world.desk("ana") as desk:
        _fill(world, desk)
        created = world.ask("c1")
        assert created["state"] == "waiting"
        _check_estimate(created["estimate"], 1)
        second = world.ask("c2")
        _check_estimate(second["estimate"], 2)
        # Two ahead of it are worth a longer wait than one.
        assert second["estimate"]["mean"] > created["estimate"]["mean"]
        assert second["estimate"]["high"] > created["estimate"]["high"]
        queue = world.rows("queues")[0]
        assert created["queue"] == {"id": queue["id"], "name": "General"}
        assert created["options"] == {
            "open": True,
            "wait": True,
            "callback": created["estimate"]["high"] >= 300,
            "schedule": False,  # no shifts: no slots
            "next_open": None,
            "reason": "long_wait" if created["estimate"]["high"] >= 300 else None,
        }


def test_nobody_there_is_an_open_ended_wait_with_a_callback_offered(world: World) -> None:
    created = world.ask()
    assert created["estimate"]["position"] == 1
    assert (created["estimate"]["mean"], created["estimate"]["high"]) == (None, None)
    assert created["options"]["callback"] is True
    assert created["options"]["reason"] == "no_one"


def test_the_options_pushed_say_when_no_one_is_free(world: World) -> None:
    """Ana full and away: the widget is told no one is free (so it leads with the callback
    and slots, not "Chat now"); Ana back, still full: a figure, and the reason follows it."""
    with world.desk("ana") as desk:
        _fill(world, desk)
        desk.send({"type": "presence", "id": "p1", "status": "away"})
        desk.ack("p1")
        created = world.ask("c1")
        assert created["options"]["reason"] == "no_one"
        with world.widget(created) as widget:
            pushed = widget.until("estimate")
            assert (pushed["mean"], pushed["low"], pushed["high"]) == (None, None, None)
            told = pushed["options"]
            assert (told["reason"], told["callback"], told["wait"]) == ("no_one", True, True)
            desk.send({"type": "presence", "id": "p2", "status": "available"})
            desk.ack("p2")
            back = widget.until("estimate", position=1)
            _check_estimate(back, 1)
            assert back["options"]["reason"] == ("long_wait" if back["high"] >= 300 else None)
            assert back["options"]["callback"] is (back["high"] >= 300)


@pytest.mark.parametrize(("threshold", "offered"), [(0, True), (86400, False)])
def test_the_callback_is_offered_past_the_queues_threshold(
    world: World, threshold: float, offered: bool
) -> None:
    _patch_queue(world, callback_threshold=threshold)
    with world.desk("ana") as desk:
        _fill(world, desk)
        created = world.ask("c1")
    assert created["estimate"]["high"] is not None
    assert created["options"]["callback"] is offered
    assert created["options"]["wait"] is True
    assert created["options"]["reason"] == ("long_wait" if offered else None)


def test_a_closed_queue_with_staff_later_offers_slots(world: World) -> None:
    """Friday 08:00 UTC; open from 09:00 with Ana on shift: no waiting now, but slots."""
    _patch_queue(world, hours={"fri": [["09:00", "17:00"]]})
    body: dict[str, object] = {"specialist_id": world.specialists["ana"].id}
    body |= {"start": int(START * 1000), "end": int((START + 8 * HOUR) * 1000)}
    assert world.api("POST", "/admin/shifts", "sofia", body).status_code == 201
    with world.desk("ana") as desk:
        created = world.ask()
        assert created["state"] == "new"
        assert created["estimate"] is None
        assert created["options"] == {
            "open": False,
            "wait": False,
            "callback": False,
            "schedule": True,
            "next_open": int((START + HOUR) * 1000),
            "reason": "closed",
        }
        with world.widget(created) as widget:
            widget.send({"type": "ping"})
            widget.until("pong")
            assert not [f for f in widget.seen if f["type"] == "estimate"]
        desk.send({"type": "ping"})
        desk.until("pong")
    assert world.rows("offers") == []
    assert world.rows("requests")[0]["state"] == "new"


# -- While waiting -------------------------------------------------------------------------


def test_an_estimate_follows_welcome_and_each_move_in_the_line(world: World) -> None:
    with world.desk("ana") as desk:
        _fill(world, desk)
        first = world.ask("c1")
        second = world.ask("c2")
        with world.widget(second) as widget:
            # Right after welcome and the replay: where it stands.
            index = next(i for i, f in enumerate(widget.seen) if f["type"] == "welcome")
            estimate = widget.until("estimate")
            assert widget.seen.index(estimate) > index
            assert estimate["request_id"] == second["request_id"]
            _check_estimate(estimate, 2)
            assert estimate["options"]["wait"] is True
            # The one ahead leaves: it moves up, and is told.
            with world.widget(first) as ahead:
                ahead.send({"type": "cancel", "id": "x1"})
                ahead.ack("x1")
            moved = widget.until("estimate", position=1)
            _check_estimate(moved, 1)
            assert moved["mean"] < estimate["mean"]
            # Its turn: no more estimates once a specialist has it.
            busy = [r["id"] for r in world.rows("requests") if r["client_id"].startswith("busy")]
            _resolve(desk, busy[0])
            offer = desk.until("offer")["offer"]
            desk.send({"type": "accept", "id": "a1", "request_id": offer["request_id"]})
            desk.ack("a1")
            widget.until("request.state", state="connected")
        assert [f["position"] for f in widget.seen if f["type"] == "estimate"] == [2, 1]


def test_estimates_are_signals_not_events(world: World) -> None:
    with world.desk("ana") as desk:
        _fill(world, desk)
        created = world.ask()
        with world.widget(created) as widget:
            estimate = widget.until("estimate")
            assert "seq" not in estimate
        # Reconnecting gives a fresh one, not a replay.
        with world.widget(created, last_seq=0) as widget:
            widget.until("estimate")
    assert not [e for e in world.rows("events") if e["type"] == "estimate"]


# -- Learning ------------------------------------------------------------------------------


def _mean_for_one_ahead(world: World, desk: Socket, client: str) -> int:
    """Ana full, one waiting: the estimate of a request with one ahead of it."""
    ahead = world.ask(f"{client}-a")
    world.call(customer.customer_presence, world.rt, ahead["request_id"], True)
    created = world.ask(f"{client}-b")
    world.call(customer.customer_presence, world.rt, created["request_id"], True)
    mean: int = created["estimate"]["mean"]
    for frame in (ahead, created):
        with world.widget(frame) as widget:
            widget.send({"type": "cancel", "id": "x"})
            widget.ack("x")
    return mean


def test_the_estimate_learns_the_queues_handle_times(world: World) -> None:
    """Chats that take 20 minutes, not the prior's 5: the same line is quoted longer."""
    with world.desk("ana") as desk:
        _fill(world, desk, 2, "warm")
        world.advance(1)
        before = _mean_for_one_ahead(world, desk, "before")
        for round_ in range(15):
            busy = [
                r["id"]
                for r in world.rows("requests")
                if r["state"] == "connected" and r["specialist_id"]
            ]
            world.beat(20 * 60)
            for request_id in busy:
                _resolve(desk, request_id)
            _fill(world, desk, 2, f"r{round_}-")
        after = _mean_for_one_ahead(world, desk, "after")
    assert after > 2 * before, (before, after)


def test_an_offer_is_still_waiting_to_the_customer(world: World) -> None:
    from support import ORIGIN
    from tapline.lib.identity import sign_customer

    token = sign_customer(world.app.secret, "u-1", "Sam", "sam@example.com", 4_000_000_000)
    with world.desk("ana") as desk:
        created = world.ask(user={"id": "u-1", "token": token})
        desk.until("offer", **{"offer.request_id": created["request_id"]})
        assert world.rows("requests")[0]["state"] == "offered"
        assert created["state"] == "waiting"
        with world.widget(created) as widget:
            assert widget.seen[0]["type"] == "welcome"
            assert widget.seen[0]["state"] == "waiting"
        listed = world.client.get(
            f"/api/v1/customers/requests?app={world.key}",
            headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
        ).json()["requests"]
        assert [r["state"] for r in listed] == ["waiting"]


def test_a_shift_starting_soon_turns_nobody_there_into_a_finite_wait(world: World) -> None:
    """No one online now, Ana's shift starts in an hour: the wait is about that hour."""
    _admin(world)
    body: dict[str, object] = {"specialist_id": world.specialists["ana"].id}
    body |= {"start": int((START + HOUR) * 1000), "end": int((START + 9 * HOUR) * 1000)}
    assert world.api("POST", "/admin/shifts", "sofia", body).status_code == 201
    created = world.ask()
    estimate = created["estimate"]
    assert estimate["mean"] is not None and estimate["high"] is not None
    assert HOUR <= estimate["mean"] <= estimate["high"]


def test_a_whole_line_is_quoted_in_one_pass_head_first(world: World) -> None:
    from tapline.lib import waits

    with world.desk("ana") as desk:
        _fill(world, desk)
        ids = [world.ask(f"line{i}")["request_id"] for i in range(12)]
        waits.refresh_all(world.rt)
        shown = [world.rt.shown[request_id].last for request_id in ids]
        assert [s["position"] for s in shown] == list(range(1, 13))
        for ahead, behind in itertools.pairwise(shown):
            assert ahead["mean"] <= behind["mean"]
            assert ahead["high"] <= behind["high"]
        # The single-request path gives the same answer as the whole line.
        for request_id, seen in zip(ids, shown, strict=True):
            one = waits.estimate(world.rt, request_id)
            assert one is not None
            assert one[1]["mean"] == seen["mean"]


def test_an_offered_request_is_quoted_as_moments_away(world: World) -> None:
    from tapline.lib import waits

    with world.desk("ana") as desk:
        created = world.ask()
        desk.until("offer", **{"offer.request_id": created["request_id"]})
        found = waits.estimate(world.rt, created["request_id"])
        assert found is not None
        assert (found[1]["position"], found[1]["mean"], found[1]["low"]) == (1, 0, 0)
        assert found[1]["high"] <= waits.OFFER_QUOTE


# -- What the push costs: O(changes) ---------------------------------------------------------


class _Pushes:
    """Counts the estimate signals published and what `waits` estimated, from a mark."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.world = world
        self.sent: list[str] = []
        publish = world.rt.bus.publish

        def counting(channel: str, frame: Frame) -> None:
            if frame.get("type") == "estimate":
                self.sent.append(frame["request_id"])
            publish(channel, frame)

        monkeypatch.setattr(world.rt.bus, "publish", counting)
        self.mark()

    def counts(self) -> dict[str, int]:
        from tapline.lib import waits

        return waits.counts(self.world.rt)

    def mark(self) -> None:
        self.sent.clear()
        self.base = self.counts()

    def push(self) -> None:
        from tapline.lib import waits

        async def push() -> None:
            waits.refresh_all(self.world.rt)

        self.world.call(push)

    def since(self) -> dict[str, int]:
        now = self.counts()
        return {k: now[k] - self.base[k] for k in now} | {"sent": len(self.sent)}


def _line(world: World, desk: Socket, n: int) -> list[Frame]:
    _fill(world, desk)
    created = [world.ask(f"w{i}") for i in range(n)]
    for frame in created:
        world.call(customer.customer_presence, world.rt, frame["request_id"], True)
    return created


def test_a_push_with_nothing_changed_estimates_and_sends_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = [world.ask(f"w{i}") for i in range(10)]
        pushes = _Pushes(world, monkeypatch)
        pushes.push()
        pushes.mark()
        # A write elsewhere wakes the push; the line has not changed.
        desk.send({"type": "message", "id": "m1", "request_id": busy[0], "body": "Hello"})
        desk.ack("m1")
        pushes.push()
        pushes.push()
        assert pushes.since() == {"estimated": 0, "full": 0, "sent": 0}
        assert len(created) == world.rt.engine.waiting(created[0]["queue"]["id"])


def test_one_joining_the_tail_is_the_only_one_estimated_and_told(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.desk("ana") as desk:
        _line(world, desk, 10)
        pushes = _Pushes(world, monkeypatch)
        pushes.push()
        pushes.mark()
        joined = world.ask("tail")
        pushes.push()
        assert pushes.since() == {"estimated": 1, "full": 0, "sent": 1}
        assert pushes.sent == [joined["request_id"]]
        assert joined["estimate"]["position"] == 11


def test_the_head_leaving_tells_everyone_behind_their_new_place(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.desk("ana") as desk:
        created = _line(world, desk, 10)
        pushes = _Pushes(world, monkeypatch)
        pushes.push()
        pushes.mark()
        world.call(customer.cancel, world.rt, created[0]["request_id"])
        pushes.push()
        behind = [frame["request_id"] for frame in created[1:]]
        assert sorted(pushes.sent) == sorted(behind)
        assert pushes.since()["estimated"] == 9
        shown = [world.rt.shown[request_id].last["position"] for request_id in behind]
        assert shown == list(range(1, 10))
        # Someone in the middle leaving moves only those behind them.
        pushes.mark()
        world.call(customer.cancel, world.rt, created[6]["request_id"])
        pushes.push()
        assert sorted(pushes.sent) == sorted(f["request_id"] for f in created[7:])


def test_the_model_moving_or_time_passing_looks_at_the_whole_line_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tapline.lib import waits

    with world.desk("ana") as desk:
        created = _line(world, desk, 10)
        queue_id = created[0]["queue"]["id"]
        pushes = _Pushes(world, monkeypatch)
        pushes.push()
        pushes.mark()
        # Nothing moves but the clock: one full look after RECHECK, nobody told.
        world.clock.advance(waits.RECHECK + 1)
        pushes.push()
        pushes.push()
        assert pushes.since() == {"estimated": 10, "full": 1, "sent": 0}
        # Chats turn out to take four times as long: everyone's wait moved meaningfully.
        pushes.mark()
        for _ in range(50):
            waits.model(world.rt, queue_id).observe_service(1200.0)
        pushes.push()
        pushes.push()
        assert pushes.since() == {"estimated": 10, "full": 1, "sent": 10}


def test_the_options_look_for_a_free_slot_once_per_queue_not_per_customer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.desk("ana") as desk:
        created = _line(world, desk, 10)
        book = world.rt.slot_books[created[0]["queue"]["id"]]
        looks: list[float] = []
        slots = book.slots

        def counting(now: float, *, limit: int | None = None) -> Any:
            looks.append(now)
            return slots(now, limit=limit)

        monkeypatch.setattr(book, "slots", counting)
        pushes = _Pushes(world, monkeypatch)
        world.clock.advance(1.0)
        world.call(customer.cancel, world.rt, created[0]["request_id"])
        pushes.push()
        assert len(pushes.sent) == 9
        assert len(looks) == 1
