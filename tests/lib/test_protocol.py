"""The typed protocol (`tapline.lib.protocol`) against the doc and against what the server sends.

- Every frame type docs/protocol.md lists has a model, and every model's type is listed there
  (with its fields, for client frames and events).
- A whole story, driven through both sockets: every frame the server sends (`Wire.send`,
  wrapped) validates against its socket's server union, and the story reaches every type
  modelled; every frame the test sends validates against its socket's client union, but for
  the ones it sends wrong on purpose.
- The frames the SDK and the desk send (as their JavaScript writes them) validate; wrong
  ones are refused.
- `GET /api/v1/protocol.json` (`api_protocol.router`, included in a test app here) serves
  the JSON Schema of all of it.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from support import START, Socket, World
from tapline import strict_json
from tapline.lib import protocol
from tapline.lib.protocol import Socket as Side
from tapline.web.wire import Wire

Frame = dict[str, Any]
DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
HOUR = 3600.0
SIDES: tuple[Side, ...] = ("customer", "desk")


def _ms(t: float) -> int:
    return int(t * 1000)


# -- The doc --------------------------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """Each `##`/`###` heading's text, up to the next heading."""
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _section(sections: dict[str, str], prefix: str) -> str:
    [found] = [body for title, body in sections.items() if title.startswith(prefix)]
    return found


CLIENT_ROW = re.compile(r"^\| `([a-z_]+)` \|(.*)$", re.MULTILINE)
EVENT_LINE = re.compile(r"^- `([a-z_.]+)` `(\{.*?\})`", re.MULTILINE | re.DOTALL)
SIGNAL = re.compile(r'\{"type": "([a-z_.]+)"')
KEY = re.compile(r'(?<![:|] )(?<![:|])"([a-z_]+)"')
NOT_SOCKET_FRAMES = {"tapline.ring"}
"""Documented with `{"type": …}` but not on a socket: the Web Push payload."""


def documented_client_frames() -> dict[Side, dict[str, str]]:
    """Per socket, each client frame type listed in a frames table -> its `fields` cell."""
    sections = _sections(DOC.read_text())
    tables: dict[Side, list[str]] = {
        "customer": [_section(sections, "Customer socket"), _section(sections, "Callbacks")],
        "desk": [_section(sections, "Specialist socket")],
    }
    return {
        side: {
            kind: re.split(r"(?<!\\)\|", rest)[0]  # the fields cell (`\|` inside it)
            for body in bodies
            for kind, rest in CLIENT_ROW.findall(body)
        }
        for side, bodies in tables.items()
    }


def documented_server_frames() -> tuple[set[str], dict[str, set[str]]]:
    """Every server frame type the doc names, and each event's documented payload keys."""
    sections = _sections(DOC.read_text())
    text = "".join(body for title, body in sections.items() if title != "Web Push")
    types = set(SIGNAL.findall(text)) - NOT_SOCKET_FRAMES
    keys: dict[str, set[str]] = defaultdict(set)
    for kind, shape in EVENT_LINE.findall(text):
        types.add(kind)
        keys[kind] |= set(KEY.findall(shape))
    return types, keys


UNIONS: dict[tuple[Side, str], Any] = {
    ("customer", "client"): protocol.CustomerClientFrame,
    ("customer", "server"): protocol.CustomerServerFrame,
    ("desk", "client"): protocol.DeskClientFrame,
    ("desk", "server"): protocol.DeskServerFrame,
}


def _models(side: Side, way: str) -> dict[str, list[type[BaseModel]]]:
    """The models of a union, by their `type`."""
    found: dict[str, list[type[BaseModel]]] = defaultdict(list)
    union, _ = get_args(UNIONS[(side, way)])
    for model in get_args(union):
        [tag] = get_args(model.model_fields["type"].annotation)
        found[tag].append(model)
    return found


def _fields(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def test_every_documented_client_frame_has_a_model_and_every_model_is_documented() -> None:
    documented = documented_client_frames()
    for side in SIDES:
        models = _models(side, "client")
        assert set(documented[side]) == set(models), side
        for kind, cell in documented[side].items():
            named = set(re.findall(r"`([a-z_]+)`", cell))
            [model] = models[kind]
            assert _fields(model) - {"type"} <= named, (side, kind, cell)


def test_every_documented_server_frame_has_a_model_and_every_model_is_documented() -> None:
    types, keys = documented_server_frames()
    modelled: dict[str, list[type[BaseModel]]] = defaultdict(list)
    for side in SIDES:
        for kind, models in _models(side, "server").items():
            modelled[kind] += models
    assert types == set(modelled)
    for kind, documented in keys.items():  # the events: every field is in the doc
        for model in modelled[kind]:
            assert _fields(model) - {"seq", "type", "at"} <= documented, (kind, model)


# -- A whole story --------------------------------------------------------------------------


@dataclass
class Watch:
    """What the server sent on each socket, and what did not validate."""

    seen: dict[Side, set[str]] = field(default_factory=lambda: defaultdict(set))
    failed: list[tuple[Side, Frame, str]] = field(default_factory=list)
    sent: list[tuple[Side, Frame]] = field(default_factory=list)
    count: int = 0

    def server(self, side: Side, frame: Frame) -> None:
        self.count += 1
        self.seen[side].add(str(frame.get("type")))
        try:  # as the client reads it: the JSON text
            protocol.server_adapter(side).validate_json(strict_json.dumps(frame))
        except ValidationError as error:
            self.failed.append((side, frame, str(error)))


def _side(path: str) -> Side:
    return "desk" if path == protocol.PATHS["desk"] else "customer"


@pytest.fixture
def watch(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    """`Wire.send` validates each frame before sending it; `Socket.send` records frames."""
    watch = Watch()
    send = Wire.send

    async def checked(self: Wire, frame: Frame) -> None:
        watch.server(_side(self.ws.scope["path"]), frame)
        await send(self, frame)

    client_send = Socket.send

    def recorded(self: Socket, frame: Frame) -> None:
        watch.sent.append((_side(self.ws.scope["path"]), frame))
        client_send(self, frame)

    monkeypatch.setattr(Wire, "send", checked)
    monkeypatch.setattr(Socket, "send", recorded)
    yield watch


NOT_REACHED: dict[tuple[Side, str], str] = {
    ("customer", "cobrowse.asked"): "tests/web/sockets/test_cobrowse.py checks each frame",
    ("customer", "cobrowse"): "tests/web/sockets/test_cobrowse.py checks each frame",
    ("desk", "cobrowse.events"): "tests/web/sockets/test_cobrowse.py checks each frame",
    ("desk", "cobrowse"): "tests/web/sockets/test_cobrowse.py checks each frame",
    ("customer", "session.extend"): "tests/web/sockets/test_session_extend.py checks it",
}
"""Types modelled that the story does not reach, and why."""
WRONG_ON_PURPOSE = [
    ("customer", {"type": "rewind"}),
    ("customer", {"type": "message", "body": "no id"}),
    ("desk", {"type": "presence", "id": "p-bad", "status": "offline"}),
]


def _write(socket: Socket, frame: Frame) -> Frame:
    socket.send(frame)
    return socket.ack(frame["id"])


def _verified_user(world: World) -> dict[str, Any]:
    claims = {"sub": "u-42", "name": "Sam Traveller", "exp": int(time.time()) + 600}
    token = jwt.encode(claims, world.app.secret, "HS256")
    return {"id": "u-42", "token": token, "email": "sam@example.com"}


def test_every_frame_of_a_whole_story_validates(world: World, watch: Watch) -> None:
    world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    ana_id = world.specialists["ana"].id
    with world.desk("sofia") as sofia, world.desk("ana") as ana:
        sofia.until("wallboard")
        shift = {"specialist_id": ana_id, "start": _ms(START), "end": _ms(START + 8 * HOUR)}
        assert world.api("POST", "/admin/shifts", "sofia", shift).status_code == 201
        sofia.until("config", what="shift", change="created")

        # Declined, then cancelled by its customer.
        c0 = world.ask("c0")
        ana.until("offer", **{"offer.request_id": c0["request_id"]})
        _write(ana, {"type": "decline", "id": "dec0", "request_id": c0["request_id"]})
        ana.until("offer.withdrawn", request_id=c0["request_id"], reason="declined")
        with world.widget(c0) as widget:
            widget.until("estimate")
            assert _write(widget, {"type": "cancel", "id": "x0"})["result"] == {
                "state": "cancelled"
            }
            widget.until("request.state", state="cancelled")

        # A verified customer's chat, from the offer to the rating.
        c1 = world.ask("c1", user=_verified_user(world))
        rid = c1["request_id"]
        with world.widget(c1) as widget:
            widget.until("estimate")
            widget.until("message")  # the description, replayed
            ana.until("offer", **{"offer.request_id": rid})
            _write(ana, {"type": "accept", "id": "acc1", "request_id": rid})
            ana.until("request.assigned", **{"request.id": rid})
            ana.until("presence")
            widget.until("request.state", state="connected")
            _write(widget, {"type": "message", "id": "m1", "body": "Which one is charged?"})
            ana.until("message", **{"message.client_id": "m1"})
            _write(ana, {"type": "message", "id": "d1", "request_id": rid, "body": "The card."})
            widget.until("message", **{"message.client_id": "d1"})
            context = {"flow": "booking", "step": "review", "data": {"fare": 412}}
            _write(widget, {"type": "context", "id": "ctx1", "context": context})
            ana.until("context.updated", request_id=rid)
            widget.send({"type": "visibility", "visible": False})
            ana.until("customer.presence", request_id=rid, **{"presence.state": "away"})
            widget.send({"type": "typing", "active": True})
            ana.until("typing", request_id=rid)
            ana.send({"type": "typing", "request_id": rid, "active": False})
            widget.until("typing", request_id=rid)
            for socket in (widget, ana):
                socket.send({"type": "ping"})
                socket.until("pong")
            for side, frame in WRONG_ON_PURPOSE:
                (ana if side == "desk" else widget).send(frame)
            widget.error("unknown_type")
            widget.error("bad_frame")
            ana.error("bad_frame")
            resolve = {"type": "resolve", "id": "r1", "request_id": rid}
            assert _write(ana, {**resolve, "disposition": "resolved", "note": "Refunded"})[
                "result"
            ] == {"state": "resolved"}
            ana.until("request.state", request_id=rid, state="resolved")
            widget.until("request.state", state="resolved")
            _write(widget, {"type": "rate", "id": "rate1", "score": 5, "comment": "Quick!"})
            ana.until("request.rated", request_id=rid)

        # An in-queue callback: promised while nobody is there, rung, answered.
        assert _write(ana, {"type": "presence", "id": "p1", "status": "away"})["result"] == {
            "status": "away"
        }
        c2 = world.ask("c2")
        rid = c2["request_id"]
        with world.widget(c2) as widget:
            widget.until("estimate")
            _write(widget, {"type": "callback", "id": "cb1"})
            widget.until("callback", **{"callback.state": "promised"})
            _write(ana, {"type": "presence", "id": "p2", "status": "available"})
            ana.until("offer", **{"offer.request_id": rid})
            _write(ana, {"type": "accept", "id": "acc2", "request_id": rid})
            ana.until("callback", request_id=rid, **{"callback.state": "ringing"})
            widget.until("callback.ring", request_id=rid)
            _write(widget, {"type": "answer", "id": "ans1", "accept": True})
            widget.until("callback.ring_ended", reason="answered")
            ana.until("callback.ring_ended", request_id=rid)

        # A booked slot: scheduled, moved, dropped.
        c3 = world.ask("c3")
        with world.widget(c3) as widget:
            _write(widget, {"type": "schedule", "id": "s1", "slot": _ms(START + HOUR)})
            widget.until("request.state", state="scheduled")
            _write(widget, {"type": "reschedule", "id": "s2", "slot": _ms(START + 2 * HOUR)})
            widget.until("callback", **{"callback.slot_start": _ms(START + 2 * HOUR)})
            _write(widget, {"type": "cancel_callback", "id": "s3"})
            widget.until("callback", **{"callback.state": "cancelled"})

        # Nobody can ever take a request: supervisors are alerted.
        queue_id = world.rows("queues")[0]["id"]
        changed = world.api("PATCH", f"/admin/queues/{queue_id}", "sofia", {"skill": "ghost"})
        assert changed.status_code == 200, changed.text
        sofia.until("config", what="queue", change="updated")
        world.ask("c4")
        sofia.until("alert", kind="unroutable")

        # Ana signs out: her socket is told, then closed.
        desk = world.desks["ana"]
        done = world.client.post(
            "/api/v1/desk/signout",
            headers={**desk.cookie, "X-CSRF-Token": desk.csrf, "Origin": "http://testserver"},
        )
        assert done.status_code == 204
        ana.until("signed_out")
        sofia.until("queues")

    assert watch.failed == [], "\n\n".join(f"{s} {f}\n{e}" for s, f, e in watch.failed)
    for side in SIDES:
        modelled = protocol.frame_types(protocol.server_adapter(side))
        missing = {kind for kind in modelled - watch.seen[side] if (side, kind) not in NOT_REACHED}
        assert not missing, (side, missing)
    assert watch.count > 100

    # The frames the test sent: each validates, but for the ones sent wrong on purpose.
    refused = []
    for side, frame in watch.sent:
        try:
            protocol.client_adapter(side).validate_json(strict_json.dumps(frame))
        except ValidationError:
            refused.append((side, frame))
    assert refused == WRONG_ON_PURPOSE
    assert {frame["type"] for _, frame in watch.sent} >= {"hello", "ping", "schedule"}


# -- What the SDK and the desk send ---------------------------------------------------------

UUID = "8f14e45f-ceea-467f-a8ad-4b2f1e5c9a10"
SDK_FRAMES: list[Frame] = [  # static/sdk/tapline-panel.js and tapline-callbacks.js
    {"type": "hello", "request_id": "r_1", "token": "tlc_x", "last_seq": 0},
    {"type": "hello", "request_id": "r_1", "token": "tlc_x", "last_seq": 17},
    {"type": "hello", "request_id": "r_1", "token": "tlc_x", "last_seq": 0, "visible": False},
    {"type": "visibility", "visible": True},
    {"type": "ping"},
    {"type": "message", "id": UUID, "body": "Hello"},
    {"type": "context", "id": UUID, "context": {"flow": "booking", "fields": []}},
    {"type": "typing", "active": True},
    {"type": "typing", "active": False},
    {"type": "rate", "id": UUID, "score": 4},
    {"type": "rate", "id": UUID, "score": 1, "comment": "Slow"},
    {"type": "cancel", "id": UUID},
    {"type": "callback", "id": UUID},
    {"type": "schedule", "id": UUID, "slot": 1_800_003_600_000},
    {"type": "reschedule", "id": UUID, "slot": 1_800_007_200_000},
    {"type": "cancel_callback", "id": UUID},
    {"type": "answer", "id": UUID, "accept": True},
    {"type": "answer", "id": UUID, "accept": False},
    {"type": "cobrowse_consent", "id": UUID, "allow": True},
    {"type": "cobrowse_events", "events": [{"type": 2, "data": {"node": {}}, "timestamp": 1}]},
    {"type": "cobrowse_stop", "id": UUID},
]
DESK_FRAMES: list[Frame] = [  # static/desk/socket.js and actions.js
    {"type": "hello", "last_seq": 0},
    {"type": "hello", "last_seq": 5, "watch": True},
    {"type": "ping"},
    {"type": "presence", "id": UUID, "status": "busy"},
    {"type": "accept", "id": UUID, "request_id": "r_1"},
    {"type": "decline", "id": UUID, "request_id": "r_1"},
    {"type": "message", "id": UUID, "request_id": "r_1", "body": "Hi"},
    {"type": "resolve", "id": UUID, "request_id": "r_1", "disposition": "duplicate"},
    {"type": "resolve", "id": UUID, "request_id": "r_1", "disposition": "resolved", "note": "x"},
    {"type": "typing", "request_id": "r_1", "active": True},
    {"type": "cobrowse_ask", "id": UUID, "request_id": "r_1"},
    {"type": "session_extend", "id": UUID, "request_id": "r_1"},
    {"type": "cobrowse_stop", "id": UUID, "request_id": "r_1"},
]
WRONG: list[tuple[Side, Frame]] = [
    ("customer", {"type": "nope"}),
    ("customer", {"type": "hello", "request_id": "r_1"}),  # no token
    ("customer", {"type": "message", "body": "no id"}),
    ("customer", {"type": "message", "id": "has space", "body": "x"}),
    ("customer", {"type": "message", "id": "x" * 65, "body": "x"}),
    ("customer", {"type": "message", "id": "m1", "body": "x", "request_id": "r_1"}),
    ("customer", {"type": "rate", "id": "r1", "score": 6}),
    ("customer", {"type": "rate", "id": "r1", "score": "5"}),
    ("customer", {"type": "rate", "id": "r1", "score": 5, "comment": "x" * 1001}),
    ("customer", {"type": "schedule", "id": "s1", "slot": "tomorrow"}),
    ("customer", {"type": "schedule", "id": "s1", "slot": 1.5}),
    ("customer", {"type": "answer", "id": "a1", "accept": 1}),
    ("customer", {"type": "typing", "active": "yes"}),
    ("customer", {"type": "visibility", "visible": "no"}),
    ("customer", {"type": "context", "id": "c1", "context": []}),
    ("customer", {"type": "accept", "id": "a1", "request_id": "r_1"}),  # the desk's
    ("desk", {"type": "hello", "token": "tlc_x", "last_seq": 0}),
    ("desk", {"type": "presence", "id": "p1", "status": "offline"}),
    ("desk", {"type": "accept", "id": "a1"}),
    ("desk", {"type": "message", "id": "m1", "body": "no request"}),
    ("desk", {"type": "resolve", "id": "r1", "request_id": "r_1", "disposition": "fixed"}),
    (
        "desk",
        {
            "type": "resolve",
            "id": "r1",
            "request_id": "r_1",
            "disposition": "resolved",
            "note": "x" * 2001,
        },
    ),
    ("desk", {"type": "typing", "active": True}),
    ("desk", {"type": "cancel", "id": "x1"}),  # the widget's
    ("customer", {"type": "cobrowse_consent", "id": "c1", "allow": "yes"}),
    ("customer", {"type": "cobrowse_events", "events": []}),
    ("desk", {"type": "cobrowse_ask", "id": "a1"}),
    ("desk", {"type": "session_extend", "id": "a1"}),
    ("desk", {"type": "cobrowse_events", "events": [{"type": 2}]}),  # the widget's
]


@pytest.mark.parametrize(
    ("side", "frame"), [("customer", f) for f in SDK_FRAMES] + [("desk", f) for f in DESK_FRAMES]
)
def test_what_the_sdk_and_the_desk_send_validates(side: Side, frame: Frame) -> None:
    parsed = protocol.client_adapter(side).validate_json(strict_json.dumps(frame))
    assert parsed.model_dump(by_alias=True, exclude_unset=True) == frame


@pytest.mark.parametrize(("side", "frame"), WRONG)
def test_wrong_client_frames_are_refused(side: Side, frame: Frame) -> None:
    with pytest.raises(ValidationError):
        protocol.client_adapter(side).validate_json(strict_json.dumps(frame))


def test_server_frames_are_closed() -> None:
    pong = protocol.server_adapter("customer")
    pong.validate_python({"type": "pong"})
    with pytest.raises(ValidationError):
        pong.validate_python({"type": "pong", "extra": 1})
    with pytest.raises(ValidationError):  # a desk's event on the customer's socket
        pong.validate_python({"type": "offer.withdrawn", "seq": 1, "at": 0, "request_id": "r"})
    error = {"type": "error", "code": "busy", "message": "Busy", "ref": "m1", "retry_after": 1.0}
    protocol.server_adapter("desk").validate_python(error)
    with pytest.raises(ValidationError):
        protocol.server_adapter("desk").validate_python({**error, "code": "oops"})


# -- The published schema -------------------------------------------------------------------


def test_the_schema_is_published_at_protocol_json() -> None:
    from tapline.web.api.protocol import router

    app = FastAPI(openapi_url="/api/v1/openapi.json")
    app.include_router(router)
    with TestClient(app) as client:
        response = client.get("/api/v1/protocol.json")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        schema = response.json()
        assert "/api/v1/protocol.json" in client.get("/api/v1/openapi.json").json()["paths"]
    assert schema == strict_json.loads(strict_json.dumps(protocol.json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for side in SIDES:
        published = schema["sockets"][side]
        assert published["path"] == protocol.PATHS[side]
        for way, adapter in (
            ("client", protocol.client_adapter(side)),
            ("server", protocol.server_adapter(side)),
        ):
            union = published[way]
            assert union["discriminator"]["propertyName"] == "type"
            mapping = union["discriminator"]["mapping"]
            assert set(mapping) == protocol.frame_types(adapter)
            for ref in mapping.values():
                assert ref.removeprefix("#/$defs/") in schema["$defs"]
    typing = schema["$defs"]["Typing"]
    assert "from" in typing["properties"] and "from" in typing["required"]
