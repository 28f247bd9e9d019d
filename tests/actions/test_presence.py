"""The customer's presence from another node's reports: sockets there, pages shown or not."""

from __future__ import annotations

from support import World
from tapline.actions import attendance
from tapline.lib.here import Report


def _report(world: World, customers: set[str], visible: set[str]) -> None:
    report = Report(customers=frozenset(customers), desks=frozenset(), visible=frozenset(visible))
    world.call(attendance.reported, world.rt, "node-b", report)


def test_another_nodes_sockets_and_visibility_reach_the_desk(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        _report(world, {rid}, set())  # a socket there, its page hidden
        desk.until("customer.presence", request_id=rid, **{"presence.state": "away"})
        _report(world, {rid}, {rid})
        desk.until("customer.presence", request_id=rid, **{"presence.state": "here"})
        _report(world, set(), set())  # that node's sockets closed
        gone = desk.until("customer.presence", request_id=rid, **{"presence.state": "gone"})
    assert gone["presence"]["since"] is not None
