"""Who is here: customers and desks with a socket open, on this node or any other.

Each node counts its own sockets (`Runtime.customer_sockets`, `Runtime.desk_sockets`). A node
that does not own the engine reports its sets to the owner every few seconds and at once
when they change; the owner forgets a node whose report is older than `EXPIRY` (it died: its
clients are gone until they reconnect elsewhere). The engine is told of a customer's or a
desk's coming and going only when it changes across all nodes, and a refused write (the
database away) is told again at the next change or report.
"""

from __future__ import annotations

import asyncio
import time

from tapline.actions import customer as customer_actions
from tapline.actions import desk as desk_actions
from tapline.actions import presence
from tapline.errors import Unavailable
from tapline.lib.here import EXPIRY, REPORT_EVERY, Attendance, Report
from tapline.lib.runtime import Runtime

__all__ = ["Attendance", "Report"]


def attendance(rt: Runtime) -> Attendance:
    return rt.attendance


def customer_here(rt: Runtime, request_id: str) -> bool:
    if rt.customer_sockets.get(request_id, 0) > 0:
        return True
    return any(request_id in report.customers for report in attendance(rt).live())


desk_here = desk_actions.desk_here


def customers_here(rt: Runtime) -> set[str]:
    here = {key for key, count in rt.customer_sockets.items() if count > 0}
    for report in attendance(rt).live():
        here |= report.customers
    return here


def desks_here(rt: Runtime) -> set[str]:
    here = {key for key, count in rt.desk_sockets.items() if count > 0}
    for report in attendance(rt).live():
        here |= report.desks
    return here


async def customer_changed(rt: Runtime, request_id: str) -> None:
    """Tell the engine if this customer came or went, across every node."""
    await presence.changed(rt, request_id, customer_here(rt, request_id))
    told = attendance(rt).told_customers
    here = customer_here(rt, request_id)
    if here == (request_id in told):
        return
    try:
        await customer_actions.customer_presence(rt, request_id, here)
    except Unavailable:
        return  # told again at the next change or report, or by the rebuild
    if here:
        told.add(request_id)
    else:
        told.discard(request_id)


async def desk_opened(rt: Runtime, specialist_id: str) -> None:
    try:
        await desk_actions.specialist_online(rt, specialist_id)
    except Unavailable:
        return  # the rebuild puts back the desks that are here


def desk_closed(rt: Runtime, specialist_id: str) -> None:
    if not desk_here(rt, specialist_id):
        desk_actions.specialist_left(rt, specialist_id)


async def reported(rt: Runtime, node: str, report: Report) -> None:
    """A node's sets: tell the engine what changed with them."""
    book = attendance(rt)
    before = book.remote.get(node)
    book.remote[node] = report
    await _changed(rt, before, report)


async def expire(rt: Runtime) -> None:
    """Forget the nodes that stopped reporting: their sockets are gone."""
    book = attendance(rt)
    now = time.monotonic()
    for node, report in list(book.remote.items()):
        if now - report.at > EXPIRY:
            del book.remote[node]
            await _changed(rt, report, None)


async def _changed(rt: Runtime, before: Report | None, after: Report | None) -> None:
    old_customers = before.customers if before else frozenset()
    new_customers = after.customers if after else frozenset()
    old_visible = before.visible if before else frozenset()
    new_visible = after.visible if after else frozenset()
    for request_id in sorted((old_customers ^ new_customers) | (old_visible ^ new_visible)):
        await customer_changed(rt, request_id)
    old_desks = before.desks if before else frozenset()
    new_desks = after.desks if after else frozenset()
    for specialist_id in sorted(new_desks - old_desks):
        await desk_opened(rt, specialist_id)
    for specialist_id in sorted(old_desks - new_desks):
        desk_closed(rt, specialist_id)


async def tell_all(rt: Runtime) -> None:
    """After a rebuild every customer is away in the engine and every desk offline: tell
    it who is here now, on every node."""
    attendance(rt).told_customers.clear()
    for request_id in sorted(customers_here(rt)):
        await customer_changed(rt, request_id)
    for specialist_id in sorted(desks_here(rt)):
        await desk_opened(rt, specialist_id)


async def socket_changed(rt: Runtime, request_id: str) -> None:
    """A customer's socket opened or closed on this node."""
    node = rt.node
    if node is not None and not node.owns:
        node.report_soon()  # the owner hears of it in the next report, at once
        return
    await customer_changed(rt, request_id)


async def desk_socket_opened(rt: Runtime, specialist_id: str) -> None:
    node = rt.node
    if node is not None and not node.owns:
        node.report_soon()
        return
    await desk_opened(rt, specialist_id)


def desk_socket_closed(rt: Runtime, specialist_id: str) -> None:
    node = rt.node
    if node is not None and not node.owns:
        node.report_soon()
        return
    desk_closed(rt, specialist_id)


async def expire_forever(rt: Runtime) -> None:
    """On the owner: forget nodes that stopped reporting (their sockets are gone)."""
    while True:
        await asyncio.sleep(REPORT_EVERY)
        await expire(rt)
