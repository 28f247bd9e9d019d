"""The specialist's socket: the desk's one live connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket
from starlette.responses import JSONResponse

from tapline.actions import attendance, cobrowse, hold, thread
from tapline.actions import desk as actions
from tapline.engine import EngineError, RequestState
from tapline.lib.desk_sessions import SignedIn, lookup, signed_out_event
from tapline.lib.node import forward_frame, said_hello
from tapline.lib.runtime import QUEUES_CHANNEL, Runtime
from tapline.lib.wallboard import WALLBOARD_CHANNEL
from tapline.store.bus import Frame
from tapline.store.models import Specialist
from tapline.store.streams import customer_stream, specialist_stream
from tapline.web.desk_auth import COOKIE, same_origin
from tapline.web.wire import Handler, Wire, serve, typing_signal, unavailable

router = APIRouter()
WRITES = {
    "presence",
    "accept",
    "decline",
    "message",
    "resolve",
    "cobrowse_ask",
    "cobrowse_stop",
    "session_extend",
}
SIGNED_OUT = 4401  # close code: the desk session ended (signed out, password reset, expired)


@router.websocket("/ws/specialist")
async def specialist_socket(ws: WebSocket) -> None:
    rt: Runtime = ws.app.state.rt
    if rt.writer.down is not None:
        await ws.send_denial_response(unavailable())
        return
    if not same_origin(rt, ws.headers.get("origin"), ws.headers.get("host")):
        await ws.send_denial_response(
            JSONResponse({"detail": "Cross-site socket refused."}, status_code=403)
        )
        return
    signed_in = await lookup(rt, ws.cookies.get(COOKIE))
    if signed_in is None:
        await ws.send_denial_response(
            JSONResponse({"detail": "Sign in to the desk first."}, status_code=403)
        )
        return
    await ws.accept()
    with signed_out_event(rt, signed_in) as signed_out:
        await _session(ws, rt, signed_in, signed_out)


async def _session(
    ws: WebSocket, rt: Runtime, signed_in: SignedIn, signed_out: asyncio.Event
) -> None:
    wire = Wire(ws, rt, desk=True)
    hello = await _hello(wire)
    if hello is None:
        return
    after, watch = hello
    me = signed_in.specialist
    stream = specialist_stream(me.id)
    channels = {stream, QUEUES_CHANNEL}
    if me.is_supervisor:
        channels.add(WALLBOARD_CHANNEL)
        rt.changed.set()  # a fresh wallboard for the new watcher
    subscription = rt.bus.subscribe(channels)
    end = await wire.stream_end(stream)
    await wire.send({"type": "welcome", "specialist_id": me.id, "last_seq": end})
    await wire.hello_resume(stream, after, end)
    where = {"kind": "desk", "specialist_id": me.id, "name": me.name}
    if rt.node is not None:
        wire.forward = lambda frame: forward_frame(rt, {**where, "frame": frame})
    answer = await said_hello(rt, where)
    await wire.send(answer["queues"] if answer and "queues" in answer else rt.queues_frame())
    read = until_signed_out(wire, signed_out, lambda: _read(wire, rt, me))
    if watch:  # a wall display: it neither makes its supervisor present nor takes offers
        await serve(wire, subscription, stream, read)
        return
    rt.desk_sockets[me.id] += 1
    await attendance.desk_socket_opened(rt, me.id)
    try:
        await serve(wire, subscription, stream, read)
    finally:
        rt.desk_sockets[me.id] -= 1
        if rt.desk_sockets[me.id] <= 0:
            del rt.desk_sockets[me.id]
            await cobrowse.specialist_gone(rt, me.id)
        attendance.desk_socket_closed(rt, me.id)


def until_signed_out(
    wire: Wire, signed_out: asyncio.Event, reader: Callable[[], Coroutine[Any, Any, None]]
) -> Callable[[], Awaitable[None]]:
    """Read until the client goes, or its session ends: then close with 4401."""

    async def run() -> None:
        read = asyncio.create_task(reader())
        stop = asyncio.create_task(signed_out.wait())
        try:
            await asyncio.wait({read, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not read.done():
                read.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await read
        if not read.cancelled():
            read.result()  # the client went (or failed): as before
            return
        await wire.send({"type": "signed_out"})
        await wire.ws.close(code=SIGNED_OUT, reason="Signed out")

    return run


async def _hello(wire: Wire) -> tuple[int, bool] | None:
    """(last_seq, watch) from the client's `hello`; `watch` is a wall display's socket."""
    frame = await wire.hello("your `last_seq`")
    if "token" in frame:
        await wire.ws.close(4401, "A customer token cannot open a desk socket.")
        return None
    value = frame.get("last_seq", 0)
    after = value if isinstance(value, int) and not isinstance(value, bool) else 0
    return after, frame.get("watch") is True


async def _read(wire: Wire, rt: Runtime, me: Specialist) -> None:
    await wire.read_forever(handlers(rt, me), WRITES)


class Staff(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


def handlers(rt: Runtime, me: Staff) -> dict[str, Handler]:
    """What each frame of this desk's socket does (here, or forwarded to the owner)."""

    async def presence(frame: Frame) -> dict[str, Any]:
        return {"status": await actions.set_presence(rt, me.id, frame.get("status"))}

    async def accept(frame: Frame) -> dict[str, Any]:
        await actions.accept(rt, me.id, _request_id(frame))
        return {}

    async def decline(frame: Frame) -> dict[str, Any]:
        await actions.decline(rt, me.id, _request_id(frame))
        return {}

    async def message(frame: Frame) -> dict[str, Any]:
        request_id, body = _request_id(frame), frame.get("body")
        message_id = await thread.specialist_message(
            rt, me.id, me.name, request_id, frame["id"], body
        )
        return {"message_id": message_id}

    async def resolve(frame: Frame) -> dict[str, Any]:
        state = await actions.resolve(
            rt, me.id, _request_id(frame), frame.get("disposition"), frame.get("note")
        )
        return {"state": state}

    async def cobrowse_ask(frame: Frame) -> dict[str, Any]:
        return await cobrowse.ask(rt, me.id, me.name, _request_id(frame))

    async def cobrowse_stop(frame: Frame) -> dict[str, Any]:
        return await cobrowse.specialist_stop(rt, me.id, _request_id(frame))

    async def session_extend(frame: Frame) -> dict[str, Any]:
        return await hold.ask_more_time(rt, me.id, _request_id(frame))

    async def typing(frame: Frame) -> None:
        request_id = frame.get("request_id")
        if isinstance(request_id, str) and _is_mine(rt, me.id, request_id):
            rt.bus.publish(
                customer_stream(request_id), typing_signal(request_id, "specialist", frame)
            )

    return {
        "presence": presence,
        "accept": accept,
        "decline": decline,
        "message": message,
        "resolve": resolve,
        "typing": typing,
        "cobrowse_ask": cobrowse_ask,
        "cobrowse_stop": cobrowse_stop,
        "session_extend": session_extend,
    }


def _request_id(frame: Frame) -> str:
    value = frame.get("request_id")
    if not isinstance(value, str) or not value:
        raise ValueError("This frame needs a `request_id`.")
    return value


def _is_mine(rt: Runtime, specialist_id: str, request_id: str) -> bool:
    try:
        view = rt.engine.request(request_id)
    except EngineError:
        return False
    return view.state is RequestState.CONNECTED and view.specialist_id == specialist_id
