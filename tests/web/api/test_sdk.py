"""The widget's REST API: its configuration, asking for help, and CORS by the app's origins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from support import ORIGIN, World
from tapline.lib.identity import sign_customer
from tapline.web.security import SDK_PATHS


def _post(world: World, body: Mapping[str, object], **headers: str) -> tuple[int, dict[str, Any]]:
    response = world.client.post(
        f"/api/v1/requests?app={world.key}", headers={"Origin": ORIGIN, **headers}, json=body
    )
    return response.status_code, response.json()


def test_config_names_the_app_and_its_limits(world: World) -> None:
    for url, headers in (
        (f"/api/v1/sdk/config?app={world.key}", {"Origin": ORIGIN}),
        ("/api/v1/sdk/config", {"Origin": ORIGIN, "X-Tapline-App": world.key}),
        (f"/api/v1/sdk/config?app={world.key}", {}),  # no browser, no Origin: allowed
    ):
        response = world.client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "app": {"name": "Shop"},
            "limits": {"message_bytes": 4096, "context_bytes": 65536},
        }


@pytest.mark.parametrize(
    ("query", "origin", "detail"),
    [
        ("?app=pk_nope", ORIGIN, "Unknown app key."),
        ("", ORIGIN, "Unknown app key."),
        ("?app=pk_nope", None, "Unknown app key."),
        ("?app={key}", "https://evil.example", "Origin https://evil.example is not allowed."),
        ("?app={key}", "null", "Origin null is not allowed."),
    ],
)
def test_unknown_apps_and_origins_get_403_with_the_reason(
    world: World, query: str, origin: str | None, detail: str
) -> None:
    headers = {"Origin": origin} if origin else {}
    query = query.format(key=world.key)
    for method, path in (("GET", "/api/v1/sdk/config"), ("POST", "/api/v1/requests")):
        response = world.client.request(
            method, path + query, headers=headers, json={"id": "c1", "description": "help"}
        )
        assert response.status_code == 403
        assert response.json() == {"detail": detail}
        assert "access-control-allow-origin" not in response.headers
    assert world.rows("requests") == []


@pytest.mark.parametrize("path", [*SDK_PATHS])
def test_preflight_answers_only_the_apps_origins(world: World, path: str) -> None:
    url = (
        f"{path.rstrip('/')}/x?app={world.key}" if path.endswith("/") else f"{path}?app={world.key}"
    )
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
    }
    allowed = world.client.options(url, headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"]
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert allowed.headers["vary"] == "Origin"

    other = world.client.options(url, headers={"Origin": "https://evil.example", **preflight})
    assert other.status_code == 403
    assert other.json() == {"detail": "Origin https://evil.example is not allowed."}
    assert "access-control-allow-origin" not in other.headers

    unknown = world.client.options(
        url.replace(world.key, "pk_nope"), headers={"Origin": ORIGIN, **preflight}
    )
    assert unknown.status_code == 403
    assert unknown.json() == {"detail": "Unknown app key."}


def test_an_allowed_origin_gets_cors_headers_on_the_answer(world: World) -> None:
    response = world.client.get(f"/api/v1/sdk/config?app={world.key}", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers  # no cookies cross-site


def test_asking_for_help_creates_a_waiting_request(world: World) -> None:
    status, body = _post(world, {"id": "c1", "description": "  Which is charged?  "})
    assert status == 201
    assert body["state"] == "waiting"
    assert body["verified"] is False
    assert str(body["request_id"]).startswith("r_")
    assert str(body["customer_token"]).startswith("tlc_")
    [row] = world.rows("requests")
    assert row["id"] == body["request_id"]
    assert row["description"] == "Which is charged?"
    assert row["customer"] == {"verified": False, "id": None, "name": None, "email": None}
    [message] = world.rows("messages")
    assert (message["sender"], message["body"]) == ("customer", "Which is charged?")


DEVICE_A = "device-a-" + "a" * 30
DEVICE_B = "device-b-" + "b" * 30


def test_the_same_client_id_from_the_same_device_returns_the_same_request(world: World) -> None:
    status, first = _post(
        world, {"id": "c1", "description": "help"}, **{"X-Tapline-Device": DEVICE_A}
    )
    assert status == 201
    status, again = _post(
        world, {"id": "c1", "description": "help, again"}, **{"X-Tapline-Device": DEVICE_A}
    )
    assert status == 200
    assert again["request_id"] == first["request_id"]
    assert again["customer_token"] == first["customer_token"]
    assert len(world.rows("requests")) == 1
    status, other = _post(
        world, {"id": "c2", "description": "help"}, **{"X-Tapline-Device": DEVICE_A}
    )
    assert status == 201 and other["request_id"] != first["request_id"]
    assert DEVICE_A not in world.database_text()  # only its hash is kept


def test_another_callers_client_id_is_no_key_to_their_request(world: World) -> None:
    """B learns or guesses A's client id: B gets a request of its own, never A's token."""
    token = sign_customer(world.app.secret, "u-42", "Sam", "sam@example.com", 4_000_000_000)
    victim = {"id": "u-42", "name": "Sam", "token": token}
    _, verified = _post(world, {"id": "victim-1", "description": "help", "user": victim})
    _, on_device = _post(
        world, {"id": "victim-2", "description": "help"}, **{"X-Tapline-Device": DEVICE_A}
    )
    mine = {verified["request_id"], on_device["request_id"]}
    tokens = {verified["customer_token"], on_device["customer_token"]}
    other = sign_customer(world.app.secret, "u-7", "Eve", "eve@example.com", 4_000_000_000)
    for client_id in ("victim-1", "victim-2"):
        for user, headers in (
            (None, {}),  # no device, no identity
            (None, {"X-Tapline-Device": DEVICE_B}),  # another device
            ({"id": "u-42", "name": "Sam"}, {"X-Tapline-Device": DEVICE_B}),  # unsigned claims
            ({"id": "u-42", "token": token + "x"}, {}),  # a broken signature
            ({"id": "u-7", "token": other}, {}),  # another verified customer
        ):
            body = {"id": client_id, "description": "me too", "user": user}
            status, got = _post(world, body, **headers)
            assert status in (201, 200), (client_id, user, headers)
            assert got["request_id"] not in mine and got["customer_token"] not in tokens
    # The owners still find their own.
    status, again = _post(world, {"id": "victim-1", "description": "help", "user": victim})
    assert (status, again["request_id"]) == (200, verified["request_id"])
    status, again = _post(
        world, {"id": "victim-2", "description": "help"}, **{"X-Tapline-Device": DEVICE_A}
    )
    assert (status, again["request_id"]) == (200, on_device["request_id"])


def test_without_a_device_or_identity_every_create_is_a_new_request(world: World) -> None:
    _, first = _post(world, {"id": "c1", "description": "help"})
    status, second = _post(world, {"id": "c1", "description": "help"})
    assert status == 201 and second["request_id"] != first["request_id"]


def test_a_verified_customer_finds_their_request_from_another_device(world: World) -> None:
    token = sign_customer(world.app.secret, "u-42", "Sam", "sam@example.com", 4_000_000_000)
    body = {"id": "c1", "description": "help", "user": {"token": token}}
    _, first = _post(world, body, **{"X-Tapline-Device": DEVICE_A})
    status, again = _post(world, body, **{"X-Tapline-Device": DEVICE_B})
    assert (status, again["request_id"]) == (200, first["request_id"])


@pytest.mark.parametrize("device", ["short", "a" * 129, "not/base64url+=" + "x" * 20])
def test_a_malformed_device_secret_is_422(world: World, device: str) -> None:
    status, body = _post(world, {"id": "c1", "description": "help"}, **{"X-Tapline-Device": device})
    assert status == 422
    assert body["detail"][0]["loc"] == ["header", "x-tapline-device"]
    assert world.rows("requests") == []


def test_a_signed_user_is_verified(world: World) -> None:
    token = sign_customer(world.app.secret, "u-42", "Sam", "sam@example.com", 4_000_000_000)
    status, body = _post(
        world,
        {"id": "c1", "description": "help", "user": {"id": "u-42", "name": "Sam", "token": token}},
    )
    assert status == 201 and body["verified"] is True
    assert world.rows("requests")[0]["customer"] == {
        "verified": True,
        "id": "u-42",
        "name": "Sam",
        "email": "sam@example.com",
    }
    forged = sign_customer(
        "sk_" + "someone-else" * 6, "u-42", "Sam", "s@example.com", 4_000_000_000
    )
    status, body = _post(
        world, {"id": "c2", "description": "help", "user": {"id": "u-42", "token": forged}}
    )
    assert status == 201 and body["verified"] is False


def test_a_context_over_the_limit_is_413(world: World) -> None:
    context = {"flow": "booking", "data": {"blob": "x" * 65_536}}
    status, body = _post(world, {"id": "c1", "description": "help", "context": context})
    assert status == 413
    assert str(body["detail"]) == "The context is 65573 bytes; at most 65536 are allowed."
    assert world.rows("requests") == []
    world.rt.settings.context_bytes = 200_000
    status, _ = _post(world, {"id": "c1", "description": "help", "context": context})
    assert status == 201


@pytest.mark.parametrize(
    "body",
    [
        {"description": "no id"},
        {"id": "c1"},
        {"id": "c1", "description": ""},
        {"id": "c1", "description": " \n\t "},
        {"id": "c1", "description": "\x00"},
        {"id": "c1", "description": "x" * 1001},
        {"id": "", "description": "help"},
        {"id": "x" * 65, "description": "help"},
        {"id": "has space", "description": "help"},
        {"id": "c1", "description": "help", "context": ["flow"]},
        {"id": "c1", "description": "help", "extra": 1},
        {"id": "c1", "description": "help", "user": {"token": "t" * 4097}},
        {"id": "c1", "description": "help", "context": {"journey": "not a list"}},
        {"id": "c1", "description": "help", "context": {"fields": ["card"]}},
    ],
)
def test_malformed_bodies_are_422(world: World, body: dict[str, object]) -> None:
    status, answer = _post(world, body)
    assert status == 422, answer
    assert answer["detail"]
    assert world.rows("requests") == []


def test_malformed_json_is_422(world: World) -> None:
    response = world.client.post(
        f"/api/v1/requests?app={world.key}",
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 422


def test_deeply_nested_bodies_are_refused_not_a_crash(world: World) -> None:
    nested: dict[str, object] = {"flow": "deep"}
    for _ in range(500):
        nested = {"data": nested}
    status, body = _post(world, {"id": "c1", "description": "help", "context": nested})
    assert status == 422
    assert "nested too deeply" in str(body["detail"])
    response = world.client.post(
        f"/api/v1/requests?app={world.key}",
        headers={"Origin": ORIGIN, "Content-Type": "application/json"},
        content=b"[" * 50_000 + b"]" * 50_000,
    )
    assert 400 <= response.status_code < 500
    assert world.rows("requests") == []


def test_a_customer_token_is_refused_long_after_its_request_ended(world: World) -> None:
    from datetime import timedelta

    from tapline.store.models import utcnow

    device = {"X-Tapline-Device": DEVICE_A}
    _, created = _post(world, {"id": "c1", "description": "help"}, **device)
    slots = f"/api/v1/slots?app={world.key}&request_id={created['request_id']}"
    bearer = {"Origin": ORIGIN, "Authorization": f"Bearer {created['customer_token']}"}
    assert world.client.get(slots, headers=bearer).status_code == 200
    ended = utcnow() - timedelta(days=29)
    world.execute("UPDATE requests SET state = 'cancelled', ended_at = :at", at=ended)
    assert world.client.get(slots, headers=bearer).status_code == 200  # within its life
    status, _ = _post(world, {"id": "c1", "description": "help"}, **device)
    assert status == 200
    world.execute("UPDATE requests SET ended_at = :at", at=ended - timedelta(days=2))
    refused = world.client.get(slots, headers=bearer)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This request ended long ago: its token has expired."}
    status, body = _post(world, {"id": "c1", "description": "help"}, **device)
    assert status == 409 and "customer_token" not in body


def test_a_refused_description_is_422_in_fastapis_shape(world: World) -> None:
    status, body = _post(world, {"id": "c1", "description": "   "})
    assert status == 422
    assert body == {
        "detail": [
            {
                "loc": ["body", "description"],
                "msg": "A description needs some text.",
                "type": "value_error",
            }
        ]
    }


def test_openapi_declares_the_real_refusals_with_their_bodies(world: World) -> None:
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        ("/api/v1/sdk/config", "get"): {"403"},
        ("/api/v1/requests", "post"): {"403", "409", "413", "429", "503"},
        ("/api/v1/slots", "get"): {"401", "403"},
        ("/api/v1/customers/requests", "get"): {"401", "403"},
        ("/api/v1/desk/signin", "post"): {"401", "403", "429"},
        ("/api/v1/desk/signout", "post"): {"401", "403"},
        ("/api/v1/desk/password", "post"): {"401", "403", "429"},
        ("/api/v1/desk/state", "get"): {"401"},
    }
    for (path, method), codes in expected.items():
        responses = paths[path][method]["responses"]
        for code in codes:
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (path, code)
        if "422" in responses:
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/HTTPValidationError"}
    for path, method in (("/api/v1/desk/signin", "post"), ("/api/v1/requests", "post")):
        assert "Retry-After" in paths[path][method]["responses"]["429"]["headers"]


# -- New requests per hour (docs/security.md, "Abuse limits") --------------------------------


def _limited(world: World, customer: int, address: int) -> None:
    """Lower the hourly limits before the app first makes its counters."""
    world.rt.settings.requests_per_customer = customer
    world.rt.settings.requests_per_address = address


def test_new_requests_from_one_address_are_limited_per_hour(world: World) -> None:
    _limited(world, 100, 5)
    for index in range(5):
        status, _ = _post(world, {"id": f"c{index}", "description": "help"})
        assert status == 201
    response = world.client.post(
        f"/api/v1/requests?app={world.key}",
        headers={"Origin": ORIGIN},
        json={"id": "c5", "description": "help"},
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3600"
    assert response.json() == {
        "detail": "Too many new requests for help from your network address: at most 5 an "
        "hour. Try again in 60 minutes."
    }
    assert response.headers["access-control-allow-origin"] == ORIGIN  # the widget can read it
    assert len(world.rows("requests")) == 5  # nothing queued, nothing offered
    world.advance(1800)
    assert _post(world, {"id": "c6", "description": "help"})[0] == 429
    world.advance(1800)  # the first has left the hour
    assert _post(world, {"id": "c7", "description": "help"})[0] == 201


def test_new_requests_per_device_and_per_verified_customer_are_limited(world: World) -> None:
    _limited(world, 2, 100)
    device = {"X-Tapline-Device": DEVICE_A}
    for index in range(2):
        assert _post(world, {"id": f"d{index}", "description": "help"}, **device)[0] == 201
    status, body = _post(world, {"id": "d2", "description": "help"}, **device)
    assert status == 429
    assert body["detail"].startswith("Too many new requests for help from you: at most 2 an hour")
    # Another device at the same address is another caller.
    assert (
        _post(world, {"id": "d2", "description": "help"}, **{"X-Tapline-Device": DEVICE_B})[0]
        == 201
    )
    token = sign_customer(world.app.secret, "u-42", "Sam", "sam@example.com", 4_000_000_000)
    sam = {"token": token}
    for index, headers in enumerate(({}, device, {"X-Tapline-Device": DEVICE_B})):
        # A verified customer is one caller on every device.
        status, _ = _post(world, {"id": f"v{index}", "description": "help", "user": sam}, **headers)
        assert status == (201 if index < 2 else 429)


def test_a_repeated_create_is_not_new_and_passes_at_the_limit(world: World) -> None:
    _limited(world, 2, 100)
    device = {"X-Tapline-Device": DEVICE_A}
    status, first = _post(world, {"id": "d0", "description": "help"}, **device)
    assert status == 201
    for _ in range(5):  # resends cost nothing
        status, again = _post(world, {"id": "d0", "description": "help"}, **device)
        assert (status, again["request_id"]) == (200, first["request_id"])
    for _ in range(3):  # nor do refused bodies
        assert _post(world, {"id": "d1", "description": "  "}, **device)[0] == 422
    assert _post(world, {"id": "d1", "description": "help"}, **device)[0] == 201
    assert _post(world, {"id": "d2", "description": "help"}, **device)[0] == 429
    # At the limit, the caller's earlier request is still found.
    status, again = _post(world, {"id": "d0", "description": "help"}, **device)
    assert (status, again["request_id"]) == (200, first["request_id"])


# -- Verified customers only (docs/security.md, "Identity and idempotency") ------------------


def _verified_only(world: World, on: bool) -> None:
    world.execute("UPDATE apps SET verified_only = :on WHERE id = :id", on=on, id=world.app.id)


def test_a_verified_only_app_refuses_unverified_customers_and_stores_nothing(
    world: World,
) -> None:
    _verified_only(world, True)
    forged = sign_customer("sk_" + "someone-else" * 6, "u-42", "Sam", "s@e.com", 4_000_000_000)
    expired = sign_customer(world.app.secret, "u-42", "Sam", "s@e.com", 1_000_000_000)
    for user in (
        None,  # no user at all
        {"id": "u-42", "name": "Sam", "email": "sam@example.com"},  # claims, no token
        {"id": "u-42", "token": forged},
        {"id": "u-42", "token": expired},
        {"id": "u-42", "token": "not.a.jwt"},
    ):
        body: dict[str, object] = {"id": "c1", "description": "help"}
        if user is not None:
            body["user"] = user
        status, answer = _post(world, body, **{"X-Tapline-Device": DEVICE_A})
        assert status == 403, (user, answer)
        assert "only from verified customers" in answer["detail"]
        assert world.rows("requests") == [] and world.rows("messages") == []
    # A valid token gets through, and the refusals counted for nothing.
    token = sign_customer(world.app.secret, "u-42", "Sam", "sam@example.com", 4_000_000_000)
    status, answer = _post(
        world, {"id": "c1", "description": "help", "user": {"id": "u-42", "token": token}}
    )
    assert status == 201 and answer["verified"] is True
    [row] = world.rows("requests")
    assert row["customer"]["id"] == "u-42"


def test_with_verified_only_off_unverified_customers_still_ask(world: World) -> None:
    assert world.rows("apps")[0]["verified_only"] is False  # the default
    status, answer = _post(world, {"id": "c1", "description": "help"})
    assert status == 201 and answer["verified"] is False
    _verified_only(world, True)
    _verified_only(world, False)
    status, answer = _post(world, {"id": "c2", "description": "help", "user": {"token": "x.y.z"}})
    assert status == 201 and answer["verified"] is False
    assert len(world.rows("requests")) == 2
