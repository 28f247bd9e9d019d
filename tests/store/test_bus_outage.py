"""When the bus cannot wake sockets (Redis away), each socket reads its stream's log itself."""

from __future__ import annotations

from support import World
from tapline.store.bus import Frame, InProcessBus, mark_lagging


class DeafBus(InProcessBus):
    """A bus that has lost its broker: it publishes nothing and says it is unhealthy."""

    def publish(self, channel: str, frame: Frame) -> None:
        return None

    @property
    def healthy(self) -> bool:
        return False


def _lose_the_broker(world: World) -> None:
    """As the Redis bus does when its connection drops: unhealthy, every reader woken."""
    bus = world.rt.bus
    assert isinstance(bus, InProcessBus)
    bus.__class__ = DeafBus
    mark_lagging(bus._local.everyone())


def test_events_still_reach_sockets_from_the_log_while_the_bus_is_down(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        request_id = created["request_id"]
        with world.widget(created) as widget:
            _lose_the_broker(world)
            widget.send({"type": "message", "id": "m1", "body": "still there?"})
            widget.ack("m1")
            desk.until("message", **{"message.body": "still there?"})
            desk.send({"type": "message", "id": "r1", "request_id": request_id, "body": "yes"})
            desk.ack("r1")
            widget.until("message", **{"message.body": "yes"})
            health = world.client.get("/healthz")
            assert health.status_code == 503 and "bus" in health.json()["down"]
