"""Hostile socket frames: whatever arrives, the socket answers with valid JSON and stays open.

Three levels, all with hypothesis (bounded; `TAPLINE_FUZZ=long` from bench/fuzz.sh runs more):

- `strict_json`: any text either parses to something `dumps` writes back as standard JSON, or
  is refused with a `ValueError`; `dumps` never writes what a browser cannot parse;
- `Wire.receive` and `Wire.handle` over a fake socket: any text or bytes, any handler outcome,
  give a frame or an `error` frame, never an exception;
- the real customer and specialist sockets of a running server (SQLite): frames of every
  known type with hostile fields; after each, a `ping` still gets its `pong`, and every frame
  the server wrote is standard JSON (no `NaN`, no lone surrogate).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect

from support import GUARD, Socket, World
from tapline import strict_json
from tapline.engine import FakeClock
from tapline.errors import ActionError
from tapline.lib.sanitize import TooLarge
from tapline.web.wire import Wire

LONG = os.environ.get("TAPLINE_FUZZ") == "long"
settings.register_profile(
    "fuzz-frames",
    max_examples=400 if LONG else 40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings.get_profile("fuzz-frames")


def standard_json(text: str) -> Any:
    """Parse as a browser would: no NaN or infinities, and text a UTF-8 encoder can hold."""

    def refuse(literal: str) -> None:
        raise AssertionError(f"{literal} is not JSON: {text[:200]}")

    text.encode("utf-8")  # a lone surrogate raises here
    value = json.loads(text, parse_constant=refuse)
    for number in _numbers(value):
        assert math.isfinite(number), text[:200]
    return value


def _numbers(value: Any) -> Iterator[float]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# -- Values and texts ----------------------------------------------------------------------

hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**320),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "4111 1111 1111 1111", "<script>", "ﾠ"]),
)
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# Literals Python's json reads and a browser does not, and shapes that are not JSON at all.
literals = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "-1e400",
        "1" + "0" * 400,
        '"\\ud800"',
        '"\\udc00x"',
        "[" * 3000 + "]" * 3000,
        '{"a":' * 2000 + "1" + "}" * 2000,
        "",
        "{",
        "{}",
        "[]",
        "null",
        '{"type":1}',
        '{"type":"ping"}',
        '{"type":"hello"}',
        '{"type":"message","id":"4111111111111111","body":"x"}',
        "\ufeff{}",
    ]
)
json_texts = st.one_of(
    st.text(max_size=100),
    literals,
    st.tuples(literals, literals).map(
        lambda pair: '{"type":"x","v":[' + pair[0] + "," + pair[1] + "]}"
    ),
    hostile_values.map(lambda v: json.dumps(v, allow_nan=True, ensure_ascii=False)),
    hostile_values.map(lambda v: json.dumps({"type": "message", "id": "m1", "body": v})),
)


@FUZZ
@given(json_texts)
def test_strict_loads_gives_standard_json_or_a_value_error(text: str) -> None:
    try:
        value = strict_json.loads(text)
    except ValueError:
        return
    assert standard_json(strict_json.dumps(value)) == value


@FUZZ
@given(hostile_values)
def test_strict_dumps_writes_standard_json_or_refuses(value: Any) -> None:
    try:
        text = strict_json.dumps(value)
    except ValueError:
        return
    standard_json(text)


# -- Wire over a fake socket ----------------------------------------------------------------


class FakeSocket:
    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.sent: list[str] = []

    async def receive(self) -> dict[str, Any]:
        return self.messages.pop(0)

    async def send_text(self, text: str) -> None:
        self.sent.append(text)


def _wire(messages: list[dict[str, Any]], burst: int = 1000) -> tuple[Wire, FakeSocket]:
    ws = FakeSocket(messages)
    config = SimpleNamespace(
        frame_rate=1.0,
        frame_burst=burst,
        desk_frame_rate=1.0,
        desk_frame_burst=burst,
        frame_bytes=4096,
    )
    rt = SimpleNamespace(settings=config, clock=FakeClock(0.0))
    return Wire(ws, rt), ws  # type: ignore[arg-type]


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


# A real socket's text is valid UTF-8 (the protocol layer closes one that is not with 1007), so
# the text frames here hold no raw lone surrogate; escaped ones (`"\\ud800"`) they do hold.
raw_messages = st.one_of(
    json_texts.filter(_utf8).map(lambda t: {"type": "websocket.receive", "text": t}),
    st.binary(max_size=50).map(lambda b: {"type": "websocket.receive", "bytes": b}),
    st.text(min_size=4097, max_size=5000).map(lambda t: {"type": "websocket.receive", "text": t}),
)


@FUZZ
@given(st.lists(raw_messages, min_size=1, max_size=8), st.integers(0, 8))
async def test_receive_gives_a_frame_or_an_error_frame(
    messages: list[dict[str, Any]], burst: int
) -> None:
    wire, ws = _wire(list(messages), burst)
    for _ in messages:
        before = len(ws.sent)
        frame = await wire.receive()
        if frame is None:
            assert len(ws.sent) == before + 1
            error = standard_json(ws.sent[-1])
            assert error["type"] == "error" and isinstance(error["code"], str)
            assert error["ref"] is None or isinstance(error["ref"], str)
        else:
            assert isinstance(frame, dict) and isinstance(frame["type"], str)
            assert len(ws.sent) == before
            standard_json(strict_json.dumps(frame))


OUTCOMES = [
    None,
    {"ok": True},
    ActionError("not_found", "No such request."),
    TooLarge("too big"),
    ValueError("bad value"),
]


@FUZZ
@given(hostile_values, st.sampled_from(range(len(OUTCOMES))))
async def test_handle_answers_any_frame_with_one_valid_frame(fields: Any, outcome: int) -> None:
    wire, ws = _wire([])

    async def handler(frame: dict[str, Any]) -> dict[str, Any] | None:
        result = OUTCOMES[outcome]
        if isinstance(result, Exception):
            raise result
        return result

    frame = {"type": "write", **(fields if isinstance(fields, dict) else {"id": fields})}
    frame["type"] = "write" if outcome % 2 else str(frame.get("type"))
    try:
        strict_json.dumps(frame)
    except ValueError:
        return  # not a frame `receive` would ever hand over
    await wire.handle(frame, {"write": handler}, {"write"})
    assert len(ws.sent) == 1, ws.sent
    standard_json(ws.sent[0])


# -- The real sockets -----------------------------------------------------------------------

CUSTOMER_TYPES = [
    "message", "context", "typing", "rate", "callback", "schedule", "reschedule",
    "cancel_callback", "answer", "hello", "nope",
]  # fmt: skip
SPECIALIST_TYPES = ["presence", "accept", "decline", "message", "typing", "hello", "nope"]
FIELDS = ["id", "body", "context", "slot", "score", "comment", "phone", "request_id", "note",
          "presence", "active", "last_seq", "token", "channel", "data"]  # fmt: skip


def frames(types: list[str], request_ids: list[str]) -> st.SearchStrategy[str]:
    ids = st.one_of(st.sampled_from(["f1", "f-2", "4111111111111111", ""]), hostile_scalars)
    fields = st.dictionaries(st.sampled_from(FIELDS), hostile_values, max_size=5)
    frame = st.builds(
        lambda kind, frame_id, rid, extra: {
            **extra, "type": kind, "id": frame_id, "request_id": rid,
        },
        st.sampled_from(types),
        ids,
        st.one_of(st.sampled_from(request_ids), hostile_scalars),
        fields,
    )  # fmt: skip
    return frame.map(lambda f: json.dumps(f, allow_nan=True, ensure_ascii=False)) | json_texts


def _raw(socket: Socket) -> str:
    async def receive() -> Any:
        with anyio.fail_after(GUARD):
            return await socket.ws._send_rx.receive()

    message = socket.ws.portal.call(receive)
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason") or "")
    return str(message["text"])


def _still_answers(world: World, socket: Socket, text: str) -> None:
    """Send the frame, then a ping; everything up to the pong is standard JSON."""
    if not _utf8(text):
        return  # a raw lone surrogate cannot go over a real socket as text (see above)
    world.advance(5.0)  # the frame budget refills
    socket.send_text(text)
    socket.send({"type": "ping"})
    while True:
        frame = standard_json(_raw(socket))
        assert frame.get("type") != "error" or isinstance(frame.get("code"), str)
        if frame.get("type") == "pong":
            return


SQLITE = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


@SQLITE
def test_the_customer_socket_survives_any_frame(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        request_ids = [created["request_id"], "r_unknown"]

        @FUZZ
        @given(frames(CUSTOMER_TYPES, request_ids))
        def customer(text: str) -> None:
            _still_answers(world, widget, text)

        with world.widget(created) as widget:
            customer()
        # and whatever was sent, the desk's stream stayed standard JSON
        desk.send({"type": "ping"})
        while standard_json(_raw(desk)).get("type") != "pong":
            pass


@SQLITE
def test_the_specialist_socket_survives_any_frame(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        other = world.ask("c2")
        request_ids = [created["request_id"], other["request_id"], "r_unknown"]

        @FUZZ
        @given(frames(SPECIALIST_TYPES, request_ids))
        def specialist(text: str) -> None:
            _still_answers(world, desk, text)

        specialist()
