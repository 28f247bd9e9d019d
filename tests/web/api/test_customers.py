"""A verified customer finds their live requests from another tab or device."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from support import ORIGIN
from tapline.lib.identity import sign_customer

if TYPE_CHECKING:
    from support import World


def _token(world: World, sub: str = "u-42", secret: str | None = None) -> str:
    return sign_customer(
        secret or world.app.secret, sub, "Sam", "sam@example.com", int(time.time()) + 600
    )


def _list(world: World, token: str) -> tuple[int, dict[str, object]]:
    response = world.client.get(
        f"/api/v1/customers/requests?app={world.key}",
        headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.json()


def test_a_verified_customer_sees_their_live_requests_with_tokens(world: World) -> None:
    mine = world.ask("c1", user={"id": "u-42", "token": _token(world)})
    world.ask("c2", user={"id": "u-7", "token": _token(world, "u-7")})
    world.ask("c3", user={"id": "u-42"})  # unsigned: not theirs to find
    status, body = _list(world, _token(world))
    assert status == 200
    assert body["requests"] == [
        {
            "request_id": mine["request_id"],
            "customer_token": mine["customer_token"],
            "state": mine["state"],
            "callback": None,
        }
    ]


def test_a_forged_or_missing_token_finds_nothing(world: World) -> None:
    world.ask("c1", user={"id": "u-42", "token": _token(world)})
    assert (
        _list(world, _token(world, secret="not-the-app-secret-but-long-enough-for-hs256"))[0] == 401
    )
    assert _list(world, "")[0] == 401


def test_ended_requests_are_not_listed(world: World) -> None:
    created = world.ask("c1", user={"id": "u-42", "token": _token(world)})
    with world.widget(created) as widget:
        widget.send({"type": "cancel", "id": "x1"})
        widget.ack("x1")
    assert _list(world, _token(world)) == (200, {"requests": []})
