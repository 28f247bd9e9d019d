"""A wall display's desk socket watches: it neither makes its specialist present nor offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tapline.engine import Presence

if TYPE_CHECKING:
    from support import World


def test_a_watching_socket_takes_no_offers(world: World) -> None:
    desk = world.signin("ana")
    ana = world.specialists["ana"].id
    with world.socket("/ws/specialist", desk.cookie) as wall:
        wall.send({"type": "hello", "last_seq": 0, "watch": True})
        wall.until("welcome")
        wall.until("queues")
        created = world.ask("c1")
        wall.until("queues")
        assert world.rt.engine.specialist(ana).presence is Presence.OFFLINE
        assert world.rt.desk_sockets[ana] == 0
        assert world.rows("requests")[0]["state"] == "waiting"
        with world.desk("ana") as working:  # the same specialist at a real desk
            offer = working.until("offer")
            assert offer["offer"]["request_id"] == created["request_id"]
