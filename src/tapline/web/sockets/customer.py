"""The customer's socket: the widget's one live connection for its request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.responses import JSONResponse

from tapline.actions import attendance, callbacks, cobrowse, thread
from tapline.actions import customer as actions
from tapline.engine import EngineError, RequestState
from tapline.lib import waits
from tapline.lib.node import forward_frame, said_hello
from tapline.lib.passwords import DESK_PREFIX, customer_token_expired, customer_token_ok
from tapline.lib.runtime import Runtime
from tapline.store.bus import Frame
from tapline.store.models import App, Request
from tapline.store.streams import customer_stream, specialist_stream
from tapline.web.limits import abuse_limits
from tapline.web.security import client_address, find_app, origin_allowed
from tapline.web.wire import Handler, Wire, serve, typing_signal, unavailable

router = APIRouter()
WRITES = {
    "message",
    "context",
    "cancel",
    "rate",
    "callback",
    "schedule",
    "reschedule",
    "cancel_callback",
    "answer",
    "cobrowse_consent",
    "cobrowse_stop",
}


@router.websocket("/ws/customer")
async def customer_socket(ws: WebSocket, app: str | None = None) -> None:
    rt: Runtime = ws.app.state.rt
    if rt.writer.down is not None:
        await ws.send_denial_response(unavailable())
        return
    row = await find_app(rt, app)
    origin = ws.headers.get("origin")
    if row is None or not origin_allowed(row, origin):
        reason = "Unknown app key." if row is None else f"Origin {origin} is not allowed."
        await ws.send_denial_response(JSONResponse({"detail": reason}, status_code=403))
        return
    sockets = abuse_limits(ws.app).sockets
    address = client_address(ws.scope, rt.settings)
    if not sockets.open("address", address):
        most = sockets.limits["address"]
        detail = f"Too many open sockets from your network address (at most {most})."
        await ws.send_denial_response(
            JSONResponse({"detail": detail}, status_code=429, headers={"Retry-After": "10"})
        )
        return
    try:
        await ws.accept()
        wire = Wire(ws, rt)
        hello = await _hello(wire, row)
        if hello is None:
            return
        request, after, visible = hello
        # Only three values live on with the socket, not the request's row (memory).
        request_id, state = request.id, request.state
        author = request.customer.get("name") or "Customer"
        del request, hello
        if not sockets.open("request", request_id):
            most = sockets.limits["request"]
            message = f"This request has {most} sockets open already: close one first."
            await wire.error("too_many_sockets", message)
            await ws.close(4429, message)
            return
        try:
            await _serve(rt, wire, request_id, state, author, (after, visible))
        finally:
            sockets.close("request", request_id)
    finally:
        sockets.close("address", address)


async def _serve(
    rt: Runtime, wire: Wire, request_id: str, state: str, author: str, said: tuple[int, bool]
) -> None:
    after, visible = said
    stream = customer_stream(request_id)
    subscription = rt.bus.subscribe({stream})
    end = await wire.stream_end(stream)
    await wire.send(
        {
            "type": "welcome",
            "request_id": request_id,
            "state": actions.shown_state(state),
            "last_seq": end,
        }
    )
    await wire.hello_resume(stream, after, end)
    where = {"kind": "customer", "request_id": request_id, "author": author}
    if rt.node is not None:
        wire.forward = lambda frame: forward_frame(rt, {**where, "frame": frame})
    if await said_hello(rt, where) is None:
        waits.refresh(rt, request_id, force=True)  # the estimate, as a signal, while waiting
    page = Page(rt, request_id, visible)
    rt.customer_sockets[request_id] += 1
    await attendance.socket_changed(rt, request_id)
    try:
        await serve(wire, subscription, stream, lambda: _read(wire, rt, request_id, author, page))
    finally:
        page.shown(False)
        rt.customer_sockets[request_id] -= 1
        if rt.customer_sockets[request_id] <= 0:
            del rt.customer_sockets[request_id]
            await cobrowse.customer_gone(rt, request_id)
        await attendance.socket_changed(rt, request_id)


async def _hello(wire: Wire, app: App) -> tuple[Request, int, bool] | None:
    """Wait for `hello`; a wrong credential closes the socket with 4401 and the reason."""
    frame = await wire.hello("your request and token")
    token = frame.get("token")
    if isinstance(token, str) and token.startswith(DESK_PREFIX):
        await wire.ws.close(4401, "A desk session cannot open a customer socket.")
        return None
    request_id = frame.get("request_id")
    secret = wire.rt.settings.secret()
    row = None
    if (
        isinstance(request_id, str)
        and isinstance(token, str)
        and customer_token_ok(secret, request_id, token)
    ):
        async with wire.rt.sessions() as session:
            row = await session.get(Request, request_id)
    if row is None or row.app_id != app.id:
        await wire.ws.close(4401, "Unknown request or wrong token.")
        return None
    if customer_token_expired(row.ended_at, wire.rt.settings.customer_token_days):
        await wire.ws.close(4401, "This conversation ended long ago: its token has expired.")
        return None
    # An SDK that does not report visibility is taken as shown.
    return row, _int(frame.get("last_seq")), frame.get("visible") is not False


class Page:
    """Whether this socket's page is shown: counted in `attendance.visible` while it is."""

    def __init__(self, rt: Runtime, request_id: str, visible: bool) -> None:
        self.rt, self.request_id, self.visible = rt, request_id, False
        self.shown(visible)

    def shown(self, visible: bool) -> bool:
        """Count it; whether that changed anything."""
        if visible == self.visible:
            return False
        self.visible = visible
        counts = self.rt.attendance.visible
        counts[self.request_id] += 1 if visible else -1
        if counts[self.request_id] <= 0:
            del counts[self.request_id]
        return True


async def _read(wire: Wire, rt: Runtime, request_id: str, author: str, page: Page) -> None:
    await wire.read_forever(handlers(rt, request_id, author, page), WRITES)


def handlers(
    rt: Runtime, request_id: str, author: str, page: Page | None = None
) -> dict[str, Handler]:
    """What each frame of this customer's socket does (here, or forwarded to the owner;
    `visibility` only here, on the socket's own `page`)."""

    async def visibility(frame: Frame) -> None:
        shown = frame.get("visible")
        if not isinstance(shown, bool):
            raise ValueError("`visible` must be true or false.")
        if page is not None and page.shown(shown):
            await attendance.socket_changed(rt, request_id)

    async def message(frame: Frame) -> dict[str, Any]:
        body = frame.get("body")
        message_id = await thread.customer_message(rt, request_id, frame["id"], author, body)
        return {"message_id": message_id}

    async def context(frame: Frame) -> dict[str, Any]:
        await thread.update_context(rt, request_id, frame.get("context"))
        return {}

    async def cancel(frame: Frame) -> dict[str, Any]:
        return {"state": await actions.cancel(rt, request_id)}

    async def rate(frame: Frame) -> dict[str, Any]:
        await actions.rate(rt, request_id, frame.get("score"), frame.get("comment"))
        return {}

    async def callback(frame: Frame) -> dict[str, Any]:
        return await callbacks.want_callback(rt, request_id)

    async def schedule(frame: Frame) -> dict[str, Any]:
        return await callbacks.schedule(rt, request_id, frame.get("slot"))

    async def reschedule(frame: Frame) -> dict[str, Any]:
        return await callbacks.reschedule(rt, request_id, frame.get("slot"))

    async def cancel_callback(frame: Frame) -> dict[str, Any]:
        return await callbacks.cancel_callback(rt, request_id)

    async def answer(frame: Frame) -> dict[str, Any]:
        return await callbacks.answer(rt, request_id, frame.get("accept"))

    async def cobrowse_consent(frame: Frame) -> dict[str, Any]:
        return await cobrowse.consent(rt, request_id, frame.get("allow"))

    async def cobrowse_stop(frame: Frame) -> dict[str, Any]:
        await cobrowse.stop(rt, request_id, "customer", "customer")
        return {"state": "stopped"}

    async def cobrowse_events(frame: Frame) -> None:
        await cobrowse.relay(rt, request_id, frame)

    async def typing(frame: Frame) -> None:
        specialist_id = _specialist_of(rt, request_id)
        if specialist_id:
            rt.bus.publish(
                specialist_stream(specialist_id), typing_signal(request_id, "customer", frame)
            )

    return {
        "message": message,
        "context": context,
        "cancel": cancel,
        "rate": rate,
        "typing": typing,
        "visibility": visibility,
        "callback": callback,
        "schedule": schedule,
        "reschedule": reschedule,
        "cancel_callback": cancel_callback,
        "answer": answer,
        "cobrowse_consent": cobrowse_consent,
        "cobrowse_stop": cobrowse_stop,
        "cobrowse_events": cobrowse_events,
    }


def _specialist_of(rt: Runtime, request_id: str) -> str | None:
    try:
        view = rt.engine.request(request_id)
    except EngineError:
        return None
    return view.specialist_id if view.state is RequestState.CONNECTED else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
