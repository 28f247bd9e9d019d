"""What both sockets share: reading frames safely, writing in order, resuming a stream."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from tapline import strict_json
from tapline.errors import ActionError
from tapline.lib import sanitize
from tapline.lib.ratelimit import TokenBucket
from tapline.lib.runtime import Runtime
from tapline.store.bus import Frame, Subscription, is_resync
from tapline.store.streams import last_seq, replay

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
Handler = Callable[[Frame], Awaitable[dict[str, Any] | None]]
POLL = 1.0
"""While the bus cannot wake a socket, it reads its stream's log this often."""


REPLAY_PAGE = 500  # events read and sent per step of a replay


def typing_signal(request_id: str, sender: str, frame: Frame) -> Frame:
    """The `typing` signal one side's typing frame becomes for the other side."""
    return {
        "type": "typing",
        "request_id": request_id,
        "from": sender,
        "active": bool(frame.get("active")),
    }


def unavailable() -> JSONResponse:
    """A socket refused while this node cannot keep writes: it would serve stale state."""
    body = {"detail": "This node cannot reach its database; try another or retry soon."}
    return JSONResponse(body, status_code=503, headers={"Retry-After": "2"})


Outcome = dict[str, Any]
"""What a frame came to: `{"ack": result}`, `{"error": {code, message, retry_after}}`, or
`{}` (a signal, answered by nothing). It crosses nodes as JSON."""
LOCAL = {"ping", "hello", "visibility"}
PIPELINED = {"message", "context", "typing"}
"""Frames that may run while the ones before them wait for their batch (their writes join
the writer's line in the order they came)."""
IN_FLIGHT = 32
INBOX = 256
"""Frames a socket holds, read but not yet started, before it answers `busy`."""
BAD_ID = "A write needs an `id`: 1-64 letters, digits, or _.:-"
"""Frames a socket answers itself, wherever the engine is."""


async def run(handler: Handler, frame: Frame, write: bool) -> Outcome:
    """Run one frame's handler; a refusal becomes an error the client is told."""
    try:
        result = await handler(frame)
    except ActionError as error:
        return {"error": _error(error.code, error.message, error.retry_after)}
    except sanitize.TooLarge as error:
        return {"error": _error("too_large", str(error))}
    except ValueError as error:
        return {"error": _error("bad_frame", str(error))}
    return {"ack": result or {}} if write else {}


def _error(code: str, message: str, retry_after: float | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "retry_after": retry_after}


class Wire:
    """One socket. Bad frames get an `error` signal; only auth failures close it."""

    def __init__(self, ws: WebSocket, rt: Runtime, *, desk: bool = False) -> None:
        self.ws = ws
        self.rt = rt
        settings = rt.settings
        rate, burst = (
            (settings.desk_frame_rate, settings.desk_frame_burst)
            if desk
            else (settings.frame_rate, settings.frame_burst)
        )
        self.bucket = TokenBucket(rate, burst, rt.clock)
        self._send_lock = asyncio.Lock()
        self.cursor = 0
        self.forward: Callable[[Frame], Awaitable[Outcome | None]] | None = None
        """Set when several nodes serve: frames go to the owner (None back: run it here)."""

    async def send(self, frame: Frame) -> None:
        async with self._send_lock:
            await self.ws.send_text(strict_json.dumps(frame))

    async def error(
        self, code: str, message: str, ref: object = None, retry_after: float | None = None
    ) -> None:
        ref_id = ref if isinstance(ref, str) else None
        frame: Frame = {"type": "error", "code": code, "message": message, "ref": ref_id}
        if retry_after is not None:
            frame["retry_after"] = retry_after  # seconds: try the same frame again then
        await self.send(frame)

    async def receive(self) -> Frame | None:
        """The next well-formed frame, or None after answering a bad one with an error."""
        raw = await self.ws.receive()
        if raw["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(raw.get("code", 1000))
        allowed = self.bucket.take()  # every frame counts, garbage too
        frame: Any = None
        problem: tuple[str, str] | None = None
        text = raw.get("text")
        if text is None:
            problem = ("bad_frame", "Frames are JSON text, not binary.")
        elif len(text.encode("utf-8", "surrogatepass")) > self.rt.settings.frame_bytes:
            problem = ("too_large", f"A frame may be at most {self.rt.settings.frame_bytes} bytes.")
        else:
            try:
                frame = strict_json.loads(text)
            except strict_json.StrictJSONError as error:
                problem = ("bad_json", f"That frame is not valid JSON: {error}")
            except (ValueError, RecursionError):  # not JSON, or nested too deeply
                problem = ("bad_json", "That frame is not valid JSON.")
            else:
                if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                    problem = ("bad_frame", "A frame is a JSON object with a string `type`.")
        if not allowed:
            ref = frame.get("id") if isinstance(frame, dict) else None
            await self.error("rate_limited", "Too many frames; slow down and resend.", ref)
            return None
        if problem is not None:
            await self.error(*problem)
            return None
        assert isinstance(frame, dict)
        return frame

    async def hello(self, asked: str) -> Frame:
        """The client's `hello`: pings before it are answered, any other frame is told
        `hello_required` (with `asked`, what the hello must hold) and the socket stays."""
        while True:
            frame = await self.receive()
            if frame is None:
                continue
            if frame["type"] == "ping":
                await self.send({"type": "pong"})
            elif frame["type"] != "hello":
                await self.error("hello_required", f"Send `hello` with {asked} first.")
            else:
                return frame

    async def read_forever(self, handlers: dict[str, Handler], writes: set[str]) -> None:
        """Answer every frame after `hello` until the client goes (WebSocketDisconnect).

        Reading never waits for a write: frames queue (at most `INBOX`; past that a frame
        gets `busy`), so pings and the socket's own keepalive are answered while writes wait
        their batch. Messages, context and typing run `IN_FLIGHT` at a time, answered in
        the order they came; any other frame waits for those before it.
        """

        async def ping(frame: Frame) -> None:
            await self.send({"type": "pong"})

        async def hello(frame: Frame) -> None:
            await self.error("bad_frame", "Already said hello on this socket.")

        everything: dict[str, Handler] = {"ping": ping, "hello": hello, **handlers}
        inbox: asyncio.Queue[Frame] = asyncio.Queue(INBOX)
        worker = asyncio.create_task(self._work(inbox, everything, writes))
        try:
            while not worker.done():
                frame = await self.receive()
                if frame is None:
                    continue
                if frame["type"] == "ping":
                    await self.send({"type": "pong"})
                elif inbox.full():
                    message = "Too many frames are waiting on this socket; send it again."
                    await self.error("busy", message, frame.get("id"), 1.0)
                else:
                    inbox.put_nowait(frame)
            worker.result()  # it failed: say so (the socket ends)
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await worker

    async def _work(
        self, inbox: asyncio.Queue[Frame], handlers: dict[str, Handler], writes: set[str]
    ) -> None:
        """Start each frame's work in order; answer each in order as it finishes."""
        answers: asyncio.Queue[tuple[Frame, asyncio.Task[Outcome]]] = asyncio.Queue(IN_FLIGHT)
        sender = asyncio.create_task(self._answer_in_order(answers))
        try:
            while True:
                frame = await inbox.get()
                if frame["type"] not in PIPELINED:
                    await answers.join()  # what came before it is done first
                task = asyncio.create_task(self.outcome(frame, handlers, writes))
                await answers.put((frame, task))
                if frame["type"] not in PIPELINED:
                    await answers.join()
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await sender

    async def _answer_in_order(
        self, answers: asyncio.Queue[tuple[Frame, asyncio.Task[Outcome]]]
    ) -> None:
        while True:
            frame, task = await answers.get()
            try:
                # Shielded: a write must never be cancelled midway (its batch would break);
                # once started it finishes, answered or not.
                await self.answer(frame, await asyncio.shield(task))
            finally:
                answers.task_done()

    async def handle(self, frame: Frame, handlers: dict[str, Handler], writes: set[str]) -> None:
        await self.answer(frame, await self.outcome(frame, handlers, writes))

    async def outcome(
        self, frame: Frame, handlers: dict[str, Handler], writes: set[str]
    ) -> Outcome:
        """What one frame comes to: run here, or by the node that owns the engine."""
        kind = frame["type"]
        handler = handlers.get(kind)
        if handler is None:
            return {"error": _error("unknown_type", f"Unknown frame type {kind!r}.")}
        if kind in writes and not (
            isinstance(frame.get("id"), str)
            and CLIENT_ID.match(frame["id"])
            and not sanitize.has_card(frame["id"])  # ids are stored: never a card number
        ):
            return {"error": _error("bad_frame", BAD_ID)}
        outcome = None
        if self.forward is not None and kind not in LOCAL:
            outcome = await self.forward(frame)  # another node owns the engine?
        if outcome is None:
            outcome = await run(handler, frame, kind in writes)
        return outcome

    async def answer(self, frame: Frame, outcome: Outcome) -> None:
        error = outcome.get("error")
        if isinstance(error, dict):
            await self.error(
                str(error.get("code")),
                str(error.get("message")),
                frame.get("id"),
                error.get("retry_after"),
            )
        elif "ack" in outcome:
            await self.send({"type": "ack", "id": frame["id"], "result": outcome["ack"]})

    async def stream_end(self, stream: str) -> int:
        async with self.rt.sessions() as session:
            return await last_seq(session, stream)

    async def resume(self, stream: str, after: int) -> int:
        """Send every event of `stream` after `after` from the log; returns the stream's end.

        A page at a time, each read in its own session and sent before the next is read, so
        a long replay holds no connection while a slow client drains it and lets other
        sockets run between pages."""
        end = await self.stream_end(stream)
        self.cursor = min(max(after, 0), end)
        while self.cursor < end:
            async with self.rt.sessions() as session:
                frames = await replay(session, stream, self.cursor, REPLAY_PAGE)
            if not frames:
                break
            for frame in frames:
                await self.send(frame)
                self.cursor = frame["seq"]
            await asyncio.sleep(0)
        return end

    async def hello_resume(self, stream: str, after: int, end: int) -> None:
        """Resume from the client's `last_seq`; one past the stream's end is refused.

        The client cannot have seen it (another server's stream, or a store it made up), so
        it is told (`stale_seq`) and gets the whole stream again: a full resync."""
        if after > end:
            await self.error(
                "stale_seq",
                f"last_seq {after} is past the end of this stream ({end}): "
                "drop what you hold; the whole stream follows from 0.",
            )
            after = 0
        await self.resume(stream, after)

    async def _next(self, subscription: Subscription) -> Frame | None:
        """The next live frame; None after `POLL` seconds without one while the bus is down."""
        if self.rt.bus.healthy:
            return await subscription.get()
        try:
            async with asyncio.timeout(POLL):
                return await subscription.get()
        except TimeoutError:
            return None

    async def pump(self, subscription: Subscription, stream: str) -> None:
        """Forward live frames in order; a gap or an overflow is filled from the log."""
        while True:
            frame = await self._next(subscription)
            if frame is None:  # the bus is down: the log is read instead, each POLL
                await self.resume(stream, self.cursor)
                continue
            if subscription.lagging:
                subscription.lagging = False  # before resuming: a mark meanwhile counts
                await self.resume(stream, self.cursor)
            seq = frame.get("seq")
            if is_resync(frame):
                continue  # a wake-up only (the lagging mark above did the resume)
            elif seq is None:
                await self.send(frame)
            elif seq == self.cursor + 1:
                await self.send(frame)
                self.cursor = seq
            elif seq > self.cursor + 1:
                await self.resume(stream, self.cursor)


async def serve(
    wire: Wire, subscription: Subscription, stream: str, reader: Callable[[], Awaitable[None]]
) -> None:
    """Run the reader and the live pump until the client goes; then clean up."""
    pump = asyncio.create_task(wire.pump(subscription, stream))
    try:
        await reader()
    except (WebSocketDisconnect, WebSocketDisconnected):
        pass  # gone, perhaps as an answer was on its way
    finally:
        pump.cancel()
        subscription.close()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await pump
