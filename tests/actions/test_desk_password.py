"""A specialist changes their own password: it takes the current one, and every other desk
session of theirs ends (their sockets close), while the one that changed it stays."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from support import PASSWORD, World

NEW = "a-new-password-2027"


def _change(world: World, who: str, current: str, new: str = NEW, csrf: bool = True) -> object:
    return world.api(
        "POST",
        "/desk/password",
        who,
        {"current_password": current, "new_password": new},
        csrf=csrf,
    )


def _signin(world: World, password: str) -> int:
    response = world.client.post(
        "/api/v1/desk/signin", json={"email": "ana@example.com", "password": password}
    )
    world.client.cookies.clear()
    return response.status_code


def test_changing_ones_password_ends_every_other_session_of_theirs(world: World) -> None:
    elsewhere = world.signin("ana")  # say, a desk left open on a shared computer
    world.desks.pop("ana")
    with world.socket("/ws/specialist", elsewhere.cookie) as other:
        other.send({"type": "hello", "last_seq": 0})
        other.until("welcome")
        with world.desk("ana") as mine:
            changed = _change(world, "ana", PASSWORD)
            assert changed.status_code == 204, changed.text
            other.until("signed_out")
            with pytest.raises(WebSocketDisconnect) as closed:
                other.next()
            assert closed.value.code == 4401
            mine.send({"type": "ping"})
            mine.until("pong")  # the desk that changed it stays
    state = "/api/v1/desk/state"
    assert world.client.get(state, headers=elsewhere.cookie).status_code == 401
    assert world.client.get(state, headers=world.desks["ana"].cookie).status_code == 200
    assert _signin(world, PASSWORD) == 401
    assert _signin(world, NEW) == 200
    # Ben's sessions are his own business.
    ben = world.signin("ben")
    assert world.client.get(state, headers=ben.cookie).status_code == 200


def test_it_takes_the_current_password(world: World) -> None:
    other = world.signin("ana")
    world.desks.pop("ana")
    wrong = _change(world, "ana", "not my password")
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "current_password"]
    short = _change(world, "ana", PASSWORD, new="short")
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["body", "new_password"]
    assert _signin(world, PASSWORD) == 200  # nothing changed
    state = world.client.get("/api/v1/desk/state", headers=other.cookie)
    assert state.status_code == 200  # and nobody was signed out


def test_it_needs_the_csrf_token_and_a_session(world: World) -> None:
    assert _change(world, "ana", PASSWORD, csrf=False).status_code == 403
    anonymous = world.client.post(
        "/api/v1/desk/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert anonymous.status_code == 401
    assert _signin(world, PASSWORD) == 200


def test_an_open_desk_is_no_oracle_for_the_password(world: World) -> None:
    for _ in range(5):
        assert _change(world, "ana", "guess").status_code == 422
    slowed = _change(world, "ana", PASSWORD)
    assert slowed.status_code == 429
    assert slowed.headers["retry-after"] == "1"
    world.clock.advance(1)
    assert _change(world, "ana", PASSWORD).status_code == 204
