"""The desk's REST API: sign-in (argon2id, cookie, limits), CSRF, sessions, and the snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from httpx2 import Response

from support import ORIGIN, PASSWORD, World
from tapline.store.models import utcnow
from tapline.web.desk_auth import COOKIE

SIGNIN = "/api/v1/desk/signin"


@contextmanager
def from_ip(world: World, ip: str) -> Iterator[None]:
    """Requests from another client address (the TestClient's transport holds it)."""
    transport = world.client._transport  # type: ignore[attr-defined]
    before = transport.client
    transport.client = (ip, 50_000)
    try:
        yield
    finally:
        transport.client = before


def _signin(world: World, email: str, password: str, **headers: str) -> Response:
    response = world.client.post(
        SIGNIN, json={"email": email, "password": password}, headers=headers
    )
    world.client.cookies.clear()
    return response


def test_passwords_are_stored_as_argon2id(world: World) -> None:
    for row in world.rows("specialists"):
        assert row["password_hash"].startswith("$argon2id$")
        assert PASSWORD not in row["password_hash"]


def test_signing_in_sets_a_strict_httponly_cookie(world: World) -> None:
    response = _signin(world, "ana@example.com", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["specialist"]["email"] == "ana@example.com"
    assert body["specialist"]["name"] == "Ana Ferreira"
    assert len(body["csrf"]) >= 32
    cookie = response.headers["set-cookie"]
    parts = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith(f"{COOKIE}=tls_")
    assert {"httponly", "path", "samesite", "max-age"} <= parts
    assert "samesite=strict" in cookie.lower()
    assert "path=/" in cookie.lower()
    assert "secure" not in parts  # plain http here; https sets it
    token = cookie.split(";")[0].split("=", 1)[1]
    [stored] = world.rows("desk_sessions")
    assert token not in world.database_text()  # only its hash is kept
    assert stored["csrf"] == body["csrf"]


def test_the_email_is_not_case_sensitive(world: World) -> None:
    assert _signin(world, "  ANA@Example.COM ", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("ana@example.com", "wrong password"), ("nobody@example.com", PASSWORD), ("ana", "")],
)
def test_wrong_credentials_are_401(world: World, email: str, password: str) -> None:
    response = _signin(world, email, password)
    if len(email) < 3 or not password:
        assert response.status_code == 422
        return
    assert response.status_code == 401
    assert response.json() == {"detail": "Email or password is wrong."}
    assert "set-cookie" not in response.headers
    assert world.rows("desk_sessions") == []


def test_failures_from_one_address_slow_that_address_down_not_the_owner(world: World) -> None:
    with from_ip(world, "10.0.0.1"):
        for _ in range(5):
            assert _signin(world, "ana@example.com", "nope").status_code == 401
        blocked = _signin(world, "ana@example.com", PASSWORD)  # even the right password
        assert blocked.status_code == 429
        assert blocked.headers["retry-after"] == "1"
        assert blocked.json() == {"detail": "Too many sign-in attempts. Try again in 1 s."}
        world.clock.advance(1)
        assert _signin(world, "ana@example.com", "nope").status_code == 401
        assert _signin(world, "ana@example.com", PASSWORD).headers["retry-after"] == "2"
    with from_ip(world, "10.0.0.2"):  # the owner, elsewhere: in at once
        assert _signin(world, "ana@example.com", PASSWORD).status_code == 200
    world.clock.advance(2)
    with from_ip(world, "10.0.0.1"):
        assert _signin(world, "ana@example.com", PASSWORD).status_code == 200


def test_failing_on_purpose_from_many_addresses_does_not_lock_the_owner_out(world: World) -> None:
    for index in range(25):  # past the account's ceiling of 20
        with from_ip(world, f"10.0.1.{index}"):
            assert _signin(world, "ana@example.com", "nope").status_code in (401, 429)
    with from_ip(world, "10.0.1.3"):  # an address that failed: no free tries left
        assert _signin(world, "ana@example.com", PASSWORD).status_code == 429
    with from_ip(world, "192.0.2.7"):  # the owner's own: the right password gets in
        assert _signin(world, "ana@example.com", PASSWORD).status_code == 200
    with from_ip(world, "10.0.1.3"):  # and others' accounts were never touched
        assert _signin(world, "ben@example.com", PASSWORD).status_code == 200


def test_one_address_trying_many_accounts_is_slowed(world: World) -> None:
    world.rt.signins.address_attempts = 8
    with from_ip(world, "10.0.0.1"):
        for index in range(8):
            assert _signin(world, f"guess{index}@example.com", "nope").status_code == 401
        assert _signin(world, "ana@example.com", PASSWORD).status_code == 429
    with from_ip(world, "10.0.0.2"):
        assert _signin(world, "ana@example.com", PASSWORD).status_code == 200


def test_forwarded_for_counts_only_from_a_trusted_proxy(world: World) -> None:
    """Untrusted, X-Forwarded-For is the attacker's to write: it does not reset the limits.
    Behind a trusted proxy each client is counted by its own address, not the proxy's."""
    with from_ip(world, "10.0.0.1"):
        for index in range(5):
            forged = {"X-Forwarded-For": f"203.0.113.{index}"}
            assert _signin(world, "ana@example.com", "nope", **forged).status_code == 401
        forged = {"X-Forwarded-For": "203.0.113.99"}
        assert _signin(world, "ana@example.com", PASSWORD, **forged).status_code == 429
    world.rt.settings.trusted_proxies = ["10.9.0.0/16"]
    with from_ip(world, "10.9.0.1"):
        attacker = {"X-Forwarded-For": "203.0.113.5"}
        for _ in range(5):
            assert _signin(world, "ana@example.com", "nope", **attacker).status_code == 401
        assert _signin(world, "ana@example.com", PASSWORD, **attacker).status_code == 429
        # The client's own left part is not believed: the proxy's entry is the address.
        spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
        assert _signin(world, "ana@example.com", PASSWORD, **spoofed).status_code == 429
        owner = {"X-Forwarded-For": "198.51.100.1"}  # another client, the same proxy
        assert _signin(world, "ana@example.com", PASSWORD, **owner).status_code == 200


def test_a_success_forgives_the_accounts_failures(world: World) -> None:
    for round_ in range(2):
        for index in range(4):
            with from_ip(world, f"10.{round_}.0.{index}"):
                assert _signin(world, "ana@example.com", "nope").status_code == 401
        with from_ip(world, f"10.{round_}.9.9"):
            assert _signin(world, "ana@example.com", PASSWORD).status_code == 200


def test_a_cross_site_signin_is_refused(world: World) -> None:
    response = _signin(world, "ana@example.com", PASSWORD, Origin=ORIGIN)
    assert response.status_code == 403
    assert response.json() == {"detail": "Cross-site sign-in refused."}
    ok = _signin(world, "ana@example.com", PASSWORD, Origin="http://testserver")
    assert ok.status_code == 200


# -- Sessions and CSRF ----------------------------------------------------------------------


def _state(world: World, cookie: dict[str, str]) -> Response:
    return world.client.get("/api/v1/desk/state", headers=cookie)


def test_signing_out_needs_the_csrf_token_and_same_origin(world: World) -> None:
    desk = world.signin("ana")
    signout = "/api/v1/desk/signout"
    for headers, detail in (
        ({}, "Missing or wrong CSRF token."),
        ({"X-CSRF-Token": "not-it"}, "Missing or wrong CSRF token."),
        ({"X-CSRF-Token": desk.csrf, "Origin": ORIGIN}, "Cross-site request refused."),
        ({"X-CSRF-Token": desk.csrf, "Origin": "null"}, "Cross-site request refused."),
    ):
        refused = world.client.post(signout, headers={**desk.cookie, **headers})
        assert refused.status_code == 403
        assert refused.json() == {"detail": detail}
        assert _state(world, desk.cookie).status_code == 200
    done = world.client.post(
        signout,
        headers={**desk.cookie, "X-CSRF-Token": desk.csrf, "Origin": "http://testserver"},
    )
    assert done.status_code == 204
    assert f'{COOKIE}=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    assert _state(world, desk.cookie).status_code == 401
    assert world.rows("desk_sessions") == []
    assert world.denied("/ws/specialist", desk.cookie).status_code == 403


def test_no_or_a_foreign_cookie_opens_nothing(world: World) -> None:
    created = world.ask()
    cookies = (
        {},
        {"cookie": f"{COOKIE}={created['customer_token']}"},
        {"cookie": f"{COOKIE}=tls_forged"},
    )
    for cookie in cookies:
        response = _state(world, cookie)
        assert response.status_code == 401
        assert response.json() == {"detail": "Sign in to the desk first."}
    assert world.client.post("/api/v1/desk/signout").status_code == 401


def test_an_expired_session_is_refused(world: World) -> None:
    desk = world.signin("ana")
    assert _state(world, desk.cookie).status_code == 200
    world.execute(
        "UPDATE desk_sessions SET expires_at = :past", past=utcnow() - timedelta(seconds=1)
    )
    assert _state(world, desk.cookie).status_code == 401
    assert world.denied("/ws/specialist", desk.cookie).status_code == 403
    other = world.signin("ana")  # a fresh sign-in works again
    assert _state(world, other.cookie).status_code == 200


# -- The snapshot ---------------------------------------------------------------------------


def test_the_snapshot_and_the_socket_join_without_gap_or_repeat(world: World) -> None:
    with world.desk("ana") as desk:
        created, _ = world.connect(desk)
        rid = created["request_id"]
        with world.widget(created) as widget:
            widget.send({"type": "message", "id": "m1", "body": "before the snapshot"})
            widget.ack("m1")
            desk.until("message", **{"message.client_id": "m1"})
            world.settle()
            snapshot = _state(world, world.desks["ana"].cookie).json()
            seq = snapshot["seq"]
            assert seq == desk.events()[-1]["seq"]
            [detail] = snapshot["requests"]
            assert detail["id"] == rid and detail["state"] == "connected"
            assert [m["client_id"] for m in detail["messages"]][-1] == "m1"
            assert snapshot["specialist"]["presence"] == "available"
            assert snapshot["offers"] == []
            assert snapshot["csrf"] == world.desks["ana"].csrf
            for index in (2, 3):
                widget.send({"type": "message", "id": f"m{index}", "body": "after it"})
                widget.ack(f"m{index}")
            desk.until("message", **{"message.client_id": "m3"})
            with world.desk("ana", last_seq=seq) as tab:
                tab.until("message", **{"message.client_id": "m3"})
                widget.send({"type": "message", "id": "m4", "body": "live"})
                widget.ack("m4")
                tab.until("message", **{"message.client_id": "m4"})
                seqs = [frame["seq"] for frame in tab.events()]
                assert seqs == list(range(seq + 1, seqs[-1] + 1))
                clients = [f["message"]["client_id"] for f in tab.events("message")]
                assert clients == ["m2", "m3", "m4"]


def test_the_snapshot_lists_pending_offers_and_queues(world: World) -> None:
    with world.desk("ana") as desk:
        created = world.ask()
        offer = desk.until("offer")["offer"]
        world.settle()
        snapshot = _state(world, world.desks["ana"].cookie).json()
        [pending] = snapshot["offers"]
        assert pending["request_id"] == created["request_id"]
        assert pending["expires_at"] == offer["expires_at"]
        assert [q["waiting"] for q in snapshot["queues"]] == [1]
        assert snapshot["requests"] == []


def test_signing_out_closes_that_sessions_desks_and_only_those(world: World) -> None:
    from starlette.websockets import WebSocketDisconnect

    other = world.signin("ana")  # a second sign-in, on another computer
    with world.socket("/ws/specialist", other.cookie) as elsewhere:
        elsewhere.send({"type": "hello", "last_seq": 0})
        elsewhere.until("welcome")
        mine = world.signin("ana")
        with world.desk("ana") as desk:
            done = world.client.post(
                "/api/v1/desk/signout",
                headers={**mine.cookie, "X-CSRF-Token": mine.csrf, "Origin": "http://testserver"},
            )
            assert done.status_code == 204
            desk.until("signed_out")
            with pytest.raises(WebSocketDisconnect) as closed:
                desk.next()
            assert (closed.value.code, closed.value.reason) == (4401, "Signed out")
        elsewhere.send({"type": "ping"})
        elsewhere.until("pong")
        assert len(world.rows("desk_sessions")) == 1


def test_a_password_reset_closes_every_desk_of_theirs(world: World) -> None:
    from starlette.websockets import WebSocketDisconnect

    world.add_specialist("sofia", "Sofia Lind", skills={"admin": 1}, supervisor=True)
    with world.desk("ana") as desk:
        changed = world.api(
            "PATCH",
            f"/admin/specialists/{world.specialists['ana'].id}",
            "sofia",
            {"password": "a-new-password-2026"},
        )
        assert changed.status_code == 200, changed.text
        desk.until("signed_out")
        with pytest.raises(WebSocketDisconnect) as closed:
            desk.next()
        assert closed.value.code == 4401


def test_the_desk_shows_only_signed_claims_as_verified(world: World) -> None:
    """A valid token without `name`: the app's unsigned name is not the verified name."""
    import jwt

    token = jwt.encode({"sub": "u-42", "exp": 4_000_000_000}, world.app.secret, "HS256")
    user = {"id": "u-42", "name": "Mallory", "email": "m@example.com", "token": token}
    with world.desk("ana") as desk:
        created = world.ask(user=user)
        offer = desk.until("offer")["offer"]
        assert offer["customer"] == {
            "verified": True,
            "id": "u-42",
            "name": None,
            "email": None,
            "claimed": {"name": "Mallory", "email": "m@example.com"},
        }
        snapshot = _state(world, world.desks["ana"].cookie).json()
        [pending] = snapshot["offers"]
        assert pending["request_id"] == created["request_id"]
        assert pending["customer"] == offer["customer"]
    [message] = world.rows("messages")
    assert message["author"] == "Customer"  # not an unsigned name either
