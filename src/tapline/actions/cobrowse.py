"""Co-browse: a specialist asks to see the customer's page, the customer allows it (or not),
either stops it. The recording itself is relayed as signals, never stored; asking, allowing
and stopping are events on both streams: the record of who saw what, when.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from tapline.engine import EngineError, RequestState
from tapline.errors import ActionError
from tapline.lib import cobrowse, sanitize
from tapline.lib.cobrowse import Session, StopReason
from tapline.lib.runtime import Runtime
from tapline.store.streams import customer_stream, specialist_stream
from tapline.store.writer import Batch

log = logging.getLogger(__name__)
NOT_ON = "Co-browse is not on for this conversation: the customer has not allowed it."


def holder(rt: Runtime, request_id: str) -> str | None:
    """The specialist connected with this request now, if any."""
    try:
        view = rt.engine.request(request_id)
    except EngineError:
        return None
    return view.specialist_id if view.state is RequestState.CONNECTED else None


async def ask(rt: Runtime, specialist_id: str, name: str, request_id: str) -> dict[str, Any]:
    """The specialist asks; the customer's widget is told (a signal) and asks its customer."""
    if holder(rt, request_id) != specialist_id:
        raise ActionError("not_allowed", "That request is not yours.")
    table = cobrowse.sessions(rt)
    session = table.get(request_id)
    if session is not None and session.specialist_id == specialist_id and session.state == "live":
        return {"state": "live"}
    table[request_id] = cobrowse.new_session(rt, specialist_id, name)
    await _record(rt, request_id, specialist_id, "asked", "specialist", None)
    signal = {"type": "cobrowse.asked", "request_id": request_id, "name": name}
    rt.bus.publish(customer_stream(request_id), signal)
    return {"state": "asked"}


async def consent(rt: Runtime, request_id: str, allow: object) -> dict[str, Any]:
    """The customer answers the prompt: only `true` starts the recording."""
    if not isinstance(allow, bool):
        raise ValueError("`allow` is true or false.")
    table = cobrowse.sessions(rt)
    session = table.get(request_id)
    if session is None or session.state != "asked":
        raise ActionError("invalid_state", "No specialist is asking to see your page now.")
    if holder(rt, request_id) != session.specialist_id:
        del table[request_id]
        await _record(rt, request_id, session.specialist_id, "stopped", "tapline", "ended")
        raise ActionError("invalid_state", "That specialist is no longer in this conversation.")
    if not allow:
        del table[request_id]
        await _record(rt, request_id, session.specialist_id, "declined", "customer", None)
        return {"state": "declined"}
    session.state = "live"
    await _record(rt, request_id, session.specialist_id, "live", "customer", None)
    return {"state": "live"}


async def relay(rt: Runtime, request_id: str, frame: dict[str, Any]) -> None:
    """Pass the customer's recorded events to the specialist they allowed, and no one else."""
    events = cobrowse.events_of(frame)
    session = cobrowse.sessions(rt).get(request_id)
    if session is None or session.state != "live":
        raise ActionError("invalid_state", NOT_ON)
    if holder(rt, request_id) != session.specialist_id:
        await stop(rt, request_id, "tapline", "ended")
        raise ActionError("invalid_state", NOT_ON)
    text = json.dumps(events, separators=(",", ":"))
    if not session.within(len(events), len(text.encode()), rt.clock.now()):
        await stop(rt, request_id, "tapline", "too_much_data")
        raise ActionError("too_large", "Too much page data: co-browse stopped.")
    if sanitize.has_card("\n".join(cobrowse.texts(events))):  # the server's own check
        await stop(rt, request_id, "tapline", "card_number")
        raise ActionError("not_allowed", "The page showed a card number: co-browse stopped.")
    signal = {"type": "cobrowse.events", "request_id": request_id, "events": events}
    rt.bus.publish(specialist_stream(session.specialist_id), signal)


async def stop(rt: Runtime, request_id: str, by: str, reason: StopReason) -> bool:
    """End the session at once (no more events pass); False when none was on."""
    session = cobrowse.sessions(rt).pop(request_id, None)
    if session is None:
        return False
    await _record(rt, request_id, session.specialist_id, "stopped", by, reason)
    return True


async def specialist_stop(rt: Runtime, specialist_id: str, request_id: str) -> dict[str, Any]:
    session = cobrowse.sessions(rt).get(request_id)
    if session is None or session.specialist_id != specialist_id:
        return {"state": "stopped"}  # already over (or never theirs): nothing to do
    await stop(rt, request_id, "specialist", "specialist")
    return {"state": "stopped"}


async def specialist_gone(rt: Runtime, specialist_id: str) -> None:
    """Their last desk closed: no one is watching, so nothing more is recorded for them."""
    table = cobrowse.sessions(rt)
    for request_id in [r for r, s in table.items() if s.specialist_id == specialist_id]:
        await _stop_closing(rt, request_id, "specialist_left")


async def customer_gone(rt: Runtime, request_id: str) -> None:
    """The customer's last socket closed: their page can no longer be shown live."""
    await _stop_closing(rt, request_id, "connection_lost")


async def _stop_closing(rt: Runtime, request_id: str, reason: StopReason) -> None:
    """Stop while a socket closes: the session ends even if its record cannot be written
    (the database is down), and the socket's own cleanup goes on."""
    try:
        await stop(rt, request_id, "tapline", reason)
    except Exception:  # the session is already gone from memory; only the record failed
        log.warning("co-browse of %s stopped (%s) unrecorded", request_id, reason, exc_info=True)


async def _record(
    rt: Runtime, request_id: str, specialist_id: str, state: str, by: str, reason: str | None
) -> None:
    async def step(batch: Batch) -> None:
        streams = [customer_stream(request_id), specialist_stream(specialist_id)]
        await batch.outbox.load(streams)
        payload = {"request_id": request_id, "state": state, "by": by, "reason": reason}
        for stream in streams:
            batch.outbox.put(stream, "cobrowse", payload)

    await rt.writer.step(step)


__all__ = [
    "Session",
    "ask",
    "consent",
    "customer_gone",
    "holder",
    "relay",
    "specialist_gone",
    "specialist_stop",
    "stop",
]
