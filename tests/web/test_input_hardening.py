"""Hostile input over the wire: numbers JSON does not have, text no database can hold, and
card numbers in the shapes people and scripts write them. Nothing crashes, nothing
unstorable or card-shaped is stored, and each refusal says where and why."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from support import ORIGIN, Frame, Socket, World
from tapline.lib import sanitize
from tapline.lib.schemas import RequestCreate, SpecialistCreate
from tapline.web.strict_http import StrictRoute

VISA = "4111111111111111"
MASTERCARD = "5500000000000004"
AMEX = "378282246310005"


def _raw(world: World, method: str, path: str, who: str, text: str) -> Any:
    """A desk API call with a body sent as written (json= would refuse NaN itself)."""
    desk = world.desks.get(who) or world.signin(who)
    headers = {**desk.cookie, "X-CSRF-Token": desk.csrf, "Content-Type": "application/json"}
    return world.client.request(method, f"/api/v1{path}", headers=headers, content=text)


def _ask_raw(world: World, text: str) -> Any:
    return world.client.post(
        f"/api/v1/requests?app={world.key}",
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
        content=text,
    )


@pytest.fixture
def boss(world: World) -> World:
    world.add_specialist("sofia", "Sofia Lind", skills={"support": 5}, supervisor=True)
    return world


# -- Numbers JSON does not have, in the supervisor's API ----------------------------------------

QUEUE = '{"name":"Payments","skill":"payments",'


@pytest.mark.parametrize(
    ("method", "path", "text", "loc", "says"),
    [
        ("POST", "/admin/queues", QUEUE + '"sticky_seconds":NaN}', ["sticky_seconds"], "NaN"),
        ("POST", "/admin/queues", QUEUE + '"priority":Infinity}', ["priority"], "Infinity"),
        ("POST", "/admin/queues", QUEUE + '"widen_after":[1,1e400]}', ["widen_after", 1], "1e400"),
        (
            "POST",
            "/admin/queues",
            QUEUE + '"callback_threshold":-Infinity}',
            ["callback_threshold"],
            "-Infinity",
        ),
        ("POST", "/admin/queues", '{"name":"\\ud800","skill":"payments"}', ["name"], "Unicode"),
        (
            "POST",
            "/admin/queues",
            QUEUE + '"hours":{"mon":[["09:00","\\udfff"]]}}',
            ["hours", "mon", 0, 1],
            "Unicode",
        ),
        (
            "PATCH",
            "/admin/queues/{queue}",
            '{"service_target_seconds":NaN}',
            ["service_target_seconds"],
            "NaN",
        ),
        (
            "POST",
            "/admin/shifts",
            '{"specialist_id":"{ana}","start":1e400,"end":1}',
            ["start"],
            "range",
        ),
        ("POST", "/admin/shifts", '{"specialist_id":"{ana}","start":0,"end":NaN}', ["end"], "NaN"),
        ("PATCH", "/admin/shifts/sh_x", '{"start":Infinity}', ["start"], "Infinity"),
        (
            "POST",
            "/admin/specialists",
            '{"email":"x@example.com","name":"X","password":"long enough pw",'
            '"authority":{"refund_limit":Infinity}}',
            ["authority", "refund_limit"],
            "Infinity",
        ),
        (
            "PATCH",
            "/admin/specialists/{ana}",
            '{"authority":{"refund_limit":NaN}}',
            ["authority", "refund_limit"],
            "NaN",
        ),
        ("PATCH", "/admin/specialists/{ana}", '{"name":"Ana \\ud83d"}', ["name"], "Unicode"),
        ("PUT", "/admin/rules", '{"toml":"\\ud800"}', ["toml"], "Unicode"),
    ],
)
def test_admin_bodies_refuse_non_finite_numbers_and_lone_surrogates_by_field(
    boss: World, method: str, path: str, text: str, loc: list[Any], says: str
) -> None:
    """A 422 naming the field (the 500 it was: the refusal echoed NaN, which JSON lacks)."""
    queues = boss.api("GET", "/admin/queues", "sofia").json()["queues"]
    ana = boss.specialists["ana"].id
    path = path.replace("{queue}", queues[0]["id"]).replace("{ana}", ana)
    before = boss.database_text()
    response = _raw(boss, method, path, "sofia", text.replace("{ana}", ana))
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", *loc]
    assert says in error["msg"]
    assert boss.database_text() == before


def test_admin_bodies_still_take_ordinary_numbers(boss: World) -> None:
    response = _raw(boss, "POST", "/admin/queues", "sofia", QUEUE + '"widen_after":[30,1.5e2]}')
    assert response.status_code == 201, response.text
    assert response.json()["widen_after"] == [30, 150]


def test_authority_refuses_non_finite_numbers_however_it_is_built() -> None:
    """The model itself, for callers that do not go through the strict parser."""
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValidationError, match="finite"):
            SpecialistCreate.model_validate(
                {
                    "email": "x@example.com",
                    "name": "X",
                    "password": "p" * 10,
                    "authority": {"a": bad},
                }
            )


class Body(BaseModel):
    value: Any


def test_strict_route_is_what_refuses() -> None:
    """The route class on its own: a router without it lets NaN into the handler."""

    def app_with(router: APIRouter) -> TestClient:
        @router.post("/echo")
        async def echo(body: Body) -> dict[str, str]:
            return {"seen": repr(body.value)}

        app = FastAPI()
        app.include_router(router)
        return TestClient(app)

    text = '{"value":{"a":[NaN]}}'
    headers = {"Content-Type": "application/json"}
    lenient = app_with(APIRouter()).post("/echo", content=text, headers=headers)
    assert lenient.json() == {"seen": "{'a': [nan]}"}
    strict = app_with(APIRouter(route_class=StrictRoute))
    refused = strict.post("/echo", content=text, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "value", "a", 0]
    assert strict.post("/echo", content=b"{nope", headers=headers).status_code == 422
    assert strict.post("/echo", json={"value": 1.5}).json() == {"seen": "1.5"}


# -- The widget's API ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400])
def test_a_context_with_a_number_json_lacks_is_refused(world: World, number: str) -> None:
    text = '{"id":"c1","description":"help","context":{"data":{"fare":N}}}'.replace("N", number)
    response = _ask_raw(world, text)
    assert response.status_code == 422, response.text
    assert "data" in json.dumps(response.json()) and "fare" in json.dumps(response.json())
    assert world.rows("requests") == []


@pytest.mark.parametrize(
    "client_id", [VISA, "4111-1111-1111-1111", "4111.1111.1111.1111", f"card_{VISA}", f"x{AMEX}"]
)
def test_a_card_number_as_client_id_is_refused(world: World, client_id: str) -> None:
    response = _ask_raw(world, json.dumps({"id": client_id, "description": "help"}))
    assert response.status_code == 422, response.text
    assert "card number" in response.text
    assert world.rows("requests") == [] and world.rows("messages") == []


def test_ordinary_client_ids_are_kept() -> None:
    for client_id in ("c1", "req-2026-11-22-0001", "9b1f0c6e-7d2a-4e55-8c1b-3f5a2d9e6b10"):
        assert RequestCreate(id=client_id, description="help").id == client_id


@pytest.mark.parametrize(
    "body",
    [
        '{"id":"c1","description":"help \\ud800"}',
        '{"id":"c1","description":"help","user":{"name":"\\udfff"}}',
        '{"id":"c1","description":"help","context":{"step":"\\ud800","data":{"\\udc00":1}}}',
    ],
)
def test_a_lone_surrogate_is_never_a_500_nor_stored(world: World, body: str) -> None:
    """Refused by a strict parser, or replaced on the way in: either way, not stored."""
    response = _ask_raw(world, body)
    assert response.status_code in (201, 422), response.text
    stored = world.database_text()  # json.dumps: a surrogate would show as an escape
    assert "\\ud8" not in stored and "\\udc" not in stored and "\\udf" not in stored


# -- The sockets -----------------------------------------------------------------------------------


def _survives(socket: Socket) -> None:
    socket.send({"type": "ping"})
    socket.until("pong")


def _any_error(socket: Socket) -> Frame:
    """The next error: `bad_json` from a strict frame parser, or the refusal behind it."""
    while True:
        frame = socket.until("error")
        if frame["code"] in ("bad_json", "bad_frame"):
            return frame


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_context_frame_with_a_number_json_lacks_is_refused(world: World, number: str) -> None:
    created = world.ask()
    [before] = world.rows("requests")
    with world.widget(created) as widget:
        widget.send_text(
            '{"type":"context","id":"x1","context":{"flow":"f","data":{"fare":N}}}'.replace(
                "N", number
            )
        )
        _any_error(widget)
        _survives(widget)
    [row] = world.rows("requests")
    assert row["context"] == before["context"]


def test_a_context_frame_refusal_names_the_field(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "context", "id": "x1", "context": {"data": {"n": 10**400}}})
        error = _any_error(widget)
        assert "data" in error["message"] and "range" in error["message"]
        _survives(widget)


@pytest.mark.parametrize("slot", [10**400, 10**300, 2**63, -1, 1.5e12])
@pytest.mark.parametrize("kind", ["schedule", "reschedule"])
def test_an_absurd_slot_is_refused_and_the_socket_stays(world: World, kind: str, slot: int) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": kind, "id": "s1", "slot": slot})
        error = _any_error(widget)
        if slot != 10**400:  # 10**400 may be refused earlier, as out of range, by the parser
            assert error == {
                "type": "error",
                "code": "bad_frame",
                "message": "`slot` is a slot's start in ms since the epoch.",
                "ref": "s1",
            }
        _survives(widget)
    assert world.rows("callbacks") == []


def test_lone_surrogates_in_frames_are_never_stored(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        with world.widget(created) as widget:
            widget.send_text('{"type":"message","id":"m1","body":"hi \\ud800"}')
            widget.send_text('{"type":"context","id":"x1","context":{"step":"\\udfff"}}')
            desk.send_text(
                '{"type":"message","id":"d1","request_id":"R","body":"\\udc00 ok"}'.replace(
                    "R", created["request_id"]
                )
            )
            _survives(widget)
            _survives(desk)
    stored = world.database_text()
    assert "\\ud8" not in stored and "\\udc" not in stored and "\\udf" not in stored


# -- Card numbers, end to end ----------------------------------------------------------------------

FORMATS = [
    "4111  1111  1111  1111",
    "4111.1111.1111.1111",
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111\n1111\n1111\n1111",
    "4111\t1111\t1111\t1111",
    "4111\u00a01111\u00a01111\u00a01111",
    "4111\u202f1111\u202f1111\u202f1111",
    "4\u200b111\u200c1111\u200d1111\u20601111\ufeff",
    f"card{VISA}",
    "x4111-1111-1111-1111",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    "5500 0000 0000 0004",
    "3782 822463 10005",
]


def _digits(text: str) -> str:
    """The text's digits (any script, as ASCII) with everything else dropped: a card split
    any way at all shows up in here whole."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) for c in folded if c.isdecimal())


def _leaves(value: Any) -> list[Any]:
    """Every value stored, JSON columns walked (their keys too)."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in [key, *_leaves(item)]]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


CARDS = (VISA, MASTERCARD, AMEX)
TABLES = ("requests", "messages", "events", "offers", "callbacks")


def test_cards_in_every_format_and_every_path_are_never_stored(world: World) -> None:
    cards = "; ".join(FORMATS)
    context: dict[str, Any] = {
        "flow": f"pay {FORMATS[0]}",
        "step": FORMATS[1],
        "page": {"title": f"Pay with {FORMATS[2]}", "url": f"https://shop.example/{FORMATS[3]}"},
        "data": {
            "card": int(VISA),
            "float": 5.5e15 + 4,
            "fare": 412.5,
            FORMATS[4]: "a card as a key",
            "nested": [{"pan": FORMATS[5]}],
        },
        "fields": [
            {"name": "notes", "filled": True, "masked": False, "value": FORMATS[6]},
            {"name": "card_number", "filled": True, "masked": True, "value": VISA},
        ],
        "errors": [{"code": "PAY-402", "message": f"Card {FORMATS[7]} declined"}],
        "journey": [{"event": "typed", "props": {"text": FORMATS[8]}}],
    }
    with world.desk("ana") as desk:
        created, _ = world.connect(
            desk,
            description=f"charged twice on {FORMATS[9]}",
            user={"name": f"Ana {FORMATS[10]}"},
            context=context,
        )
        request_id = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "message", "id": "m1", "body": cards})
            widget.ack("m1")
            later = {**context, "data": {**context["data"], "pan": FORMATS[11]}}
            widget.send({"type": "context", "id": "x1", "context": later})
            widget.ack("x1")
            desk.send(
                {"type": "message", "id": "d1", "request_id": request_id, "body": FORMATS[12]}
            )
            desk.ack("d1")
            desk.send(
                {
                    "type": "resolve",
                    "id": "r1",
                    "request_id": request_id,
                    "disposition": "resolved",
                    "note": f"refunded {FORMATS[13]}",
                }
            )
            desk.ack("r1")
            widget.send({"type": "rate", "id": "r", "score": 5, "comment": f"thanks {cards}"})
            widget.ack("r")
    [row] = world.rows("requests")
    assert sanitize.REDACTED in row["description"] and sanitize.REDACTED in row["note"]
    data = row["context"]["data"]
    assert data[sanitize.REDACTED] == "a card as a key" and data["fare"] == 412.5
    assert data["card"] == data["float"] == data["pan"] == sanitize.REDACTED
    assert "value" not in row["context"]["fields"][1]  # masked
    leaves = [leaf for table in TABLES for r in world.rows(table) for leaf in _leaves(r)]
    texts = [leaf for leaf in leaves if isinstance(leaf, str)]
    assert not [text for text in texts if any(card in _digits(text) for card in CARDS)]
    assert not {leaf for leaf in leaves if isinstance(leaf, (int, float))} & {
        int(card) for card in CARDS
    }
    # What the customer and the specialist wrote holds nothing card-shaped at all (ids and
    # timestamps elsewhere may be 13 Luhn-valid digits by chance).
    written = [row["description"], row["note"], row["rating_comment"]]
    written += _leaves(row["context"]) + _leaves(row["customer"])
    written += [m[key] for m in world.rows("messages") for key in ("body", "author")]
    assert not [text for text in written if isinstance(text, str) and sanitize.has_card(text)]


def test_cards_sent_as_json_numbers_are_removed(world: World) -> None:
    text = '{"id":"c1","description":"help","context":{"data":{"a":%s,"b":%s,"c":[%s]}}}'
    response = _ask_raw(world, text % (VISA, "4.111111111111111e15", "55000000000000.04e2"))
    assert response.status_code == 201, response.text
    [row] = world.rows("requests")
    assert row["context"]["data"] == {
        "a": sanitize.REDACTED,
        "b": sanitize.REDACTED,
        "c": [sanitize.REDACTED],
    }


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400"])
def test_any_frame_with_a_number_json_lacks_is_bad_json(world: World, number: str) -> None:
    """The socket reads strict JSON: not even a frame's type is looked at."""
    created = world.ask()
    with world.widget(created) as widget:
        widget.send_text('{"type":"message","id":"m1","body":"x","n":N}'.replace("N", number))
        assert widget.error("bad_json")["ref"] is None
        _survives(widget)
    assert [r for r in world.rows("messages") if r["client_id"] == "m1"] == []


def test_a_card_number_as_a_frame_id_is_refused(world: World) -> None:
    created = world.ask()
    with world.widget(created) as widget:
        widget.send({"type": "message", "id": "4111111111111111", "body": "hello"})
        widget.error("bad_frame")
        _survives(widget)
    assert "4111111111111111" not in world.database_text()


@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/push/subscriptions"])
def test_the_widget_api_reads_strict_json(world: World, path: str) -> None:
    response = world.client.post(
        f"{path}?app={world.key}",
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
        content='{"id": NaN, "description": "x"}',
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "id"]
