"""A socket keeps reading while its writes wait: answers in order, pings at once, `busy` past
its inbox."""

from __future__ import annotations

import asyncio

import pytest

from support import World
from tapline.web import wire


def _hold_the_writer(world: World) -> asyncio.Event:
    """No batch runs until the returned event is set (as under a long commit)."""
    release = asyncio.Event()
    held = asyncio.Event()

    async def hold() -> None:
        async with world.rt.writer._exclusive:
            held.set()
            await release.wait()

    async def start() -> None:
        asyncio.get_running_loop().create_task(hold())
        await held.wait()

    world.call(start)
    return release


def _release(world: World, release: asyncio.Event) -> None:
    async def go() -> None:
        release.set()

    world.call(go)


def test_many_messages_in_flight_are_stored_and_answered_in_order(world: World) -> None:
    world.rt.settings.frame_burst = 1000
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            release = _hold_the_writer(world)
            for n in range(60):
                widget.send({"type": "message", "id": f"m{n}", "body": f"line {n}"})
            widget.send({"type": "ping"})
            widget.until("pong")  # answered while sixty writes wait for their batch
            _release(world, release)
            acks = [widget.ack(f"m{n}") for n in range(60)]
            ids = [ack["result"]["message_id"] for ack in acks]
            assert ids == sorted(ids)
            acked = [f for f in widget.seen if f["type"] == "ack"]
            assert [f["id"] for f in acked] == [f"m{n}" for n in range(60)]  # in order
            for n in range(60):
                desk.until("message", **{"message.body": f"line {n}"})
    stored = [r["body"] for r in world.rows("messages") if r["sender"] == "customer"]
    assert stored[1:] == [f"line {n}" for n in range(60)]
    assert world.rt.writer.batches < 60  # they shared commits


def test_a_full_inbox_answers_busy_and_keeps_the_socket(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "INBOX", 3)
    monkeypatch.setattr(wire, "IN_FLIGHT", 1)
    world.rt.settings.frame_burst = 1000
    created = world.ask()
    with world.widget(created) as widget:
        release = _hold_the_writer(world)
        for n in range(12):
            widget.send({"type": "message", "id": f"m{n}", "body": f"line {n}"})
        busy = widget.error("busy")
        assert busy["retry_after"] > 0 and busy["ref"].startswith("m")
        refused = {busy["ref"]}
        _release(world, release)
        for n in range(12):  # every frame gets an answer: its ack, or busy
            if f"m{n}" in refused:
                continue  # answered already
            answer = widget.until_any(("ack", {"id": f"m{n}"}), ("error", {"ref": f"m{n}"}))
            if answer["type"] == "error":
                assert answer["code"] == "busy"
                refused.add(f"m{n}")
        assert 0 < len(refused) < 12
        for frame_id in sorted(refused):  # sent again, each is kept
            widget.send({"type": "message", "id": frame_id, "body": "again"})
            widget.ack(frame_id)
    stored = {r["client_id"] for r in world.rows("messages")}
    assert {f"m{n}" for n in range(12)} <= stored
