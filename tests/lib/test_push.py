"""Web Push for callbacks: a real push service on 127.0.0.1 receives the ring, checks the VAPID
signature against the server's public key, and decrypts the aes128gcm body with the browser's
own private key. Gone subscriptions are forgotten; bad ones are refused with a reason.

The decryption (RFC 8291 / RFC 8188) and the JWT check (RFC 8292) are written here from the
RFCs with `cryptography`, independently of the libraries the server uses.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from support import ORIGIN, Socket, World
from tapline.actions import customer
from tapline.lib import push
from tapline.lib.identity import sign_customer
from tapline.settings import Settings

Frame = dict[str, Any]
PAGE = ORIGIN + "/checkout"


# -- A push service on 127.0.0.1 -----------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    """Answers each POST with the status set for its path (201 by default); 0 never answers."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def to(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path == f"/push/{name}"]


@pytest.fixture
def service() -> Iterator[PushService]:
    holder: list[PushService] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            me = holder[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            me.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            code = me.status.get(self.path, 201)
            if code == 0:
                me.release.wait()
                return
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(PushService(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        holder[0].release.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The conftest's databases, with push endpoints on 127.0.0.1 allowed (tests only)."""
    settings.push_insecure_localhost = True
    return settings


# -- A browser's side of a subscription ----------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """What `pushManager.subscribe` makes: a P-256 key pair and a 16-byte auth secret."""

    endpoint: str
    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def json(self) -> Frame:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(self.public), "auth": b64(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8291 section 3.4 and RFC 8188 section 2, one record."""
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        server_public = body[21 : 21 + idlen]
        ciphertext = body[21 + idlen :]
        assert idlen == 65 and server_public[0] == 4
        assert len(ciphertext) <= rs, "one record"
        shared = self.private.exchange(
            ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), server_public)
        )
        info = b"WebPush: info\x00" + self.public + server_public
        ikm = HKDF(hashes.SHA256(), 32, self.auth, info).derive(shared)
        cek = HKDF(hashes.SHA256(), 16, salt, b"Content-Encoding: aes128gcm\x00").derive(ikm)
        nonce = HKDF(hashes.SHA256(), 12, salt, b"Content-Encoding: nonce\x00").derive(ikm)
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
        content = padded.rstrip(b"\x00")
        assert content.endswith(b"\x02"), "the last record's delimiter"
        return content[:-1]


def verify_vapid(authorization: str, public_key: str, audience: str) -> Frame:
    """RFC 8292: `vapid t=<JWT>, k=<key>`; the JWT is ES256 over the server's key."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    assert parts["k"] == public_key
    header, claims, signature = parts["t"].split(".")
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64(signature)
    assert len(raw) == 64
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    key.verify(  # raises InvalidSignature
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    decoded: Frame = json.loads(unb64(claims))
    assert decoded["aud"] == audience
    assert time.time() < decoded["exp"] <= time.time() + 24 * 3600
    assert decoded["sub"].startswith(("mailto:", "https://"))
    return decoded


# -- Helpers -------------------------------------------------------------------------------


def subscribe(
    world: World, created: Frame, browser: Browser, url: str = PAGE, token: str | None = None
) -> Any:
    return world.client.post(
        f"/api/v1/push/subscriptions?app={world.key}",
        headers={
            "Origin": ORIGIN,
            "Authorization": f"Bearer {token or created['customer_token']}",
        },
        json={"request_id": created["request_id"], "subscription": browser.json(), "url": url},
    )


def public_key(world: World) -> str:
    response = world.client.get(f"/api/v1/push/key?app={world.key}", headers={"Origin": ORIGIN})
    assert response.status_code == 200, response.text
    key: str = response.json()["public_key"]
    return key


def _fill(world: World, desk: Socket, n: int = 2) -> list[str]:
    ids = [world.connect(desk, f"busy{i}")[0]["request_id"] for i in range(n)]
    for request_id in ids:
        world.call(customer.customer_presence, world.rt, request_id, True)
    return ids


def _ring(world: World, desk: Socket, busy: list[str], created: Frame) -> None:
    """The customer keeps their place and leaves; Ana frees up and takes it: it rings."""
    rid = created["request_id"]
    with world.widget(created) as widget:
        widget.send({"type": "callback", "id": "cb1"})
        widget.ack("cb1")
    desk.send({"type": "resolve", "id": "r0", "request_id": busy[0], "disposition": "resolved"})
    desk.ack("r0")
    desk.until("offer", **{"offer.request_id": rid})
    desk.send({"type": "accept", "id": "acc", "request_id": rid})
    desk.ack("acc")
    desk.until("callback", request_id=rid, **{"callback.state": "ringing"})
    world.call(push.drain)  # the pushes go out after the commit, in the background


# -- Tests ---------------------------------------------------------------------------------


def test_the_ring_is_pushed_encrypted_and_signed_to_each_browser(
    world: World, service: PushService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as served; aiosqlite's DEBUG prints every SQL parameter
    caplog.set_level(logging.DEBUG, logger="tapline")
    key = public_key(world)
    assert public_key(world) == key  # made once
    key_file = world.settings.data_dir / push.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    phone, laptop = Browser(service.endpoint("phone")), Browser(service.endpoint("laptop"))
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1")
        rid = created["request_id"]
        first = subscribe(world, created, phone, url=PAGE + "?session=secret#step")
        assert first.status_code == 201, first.text
        assert first.json() == {"id": first.json()["id"], "rings_for": "request"}
        assert subscribe(world, created, laptop).status_code == 201
        assert service.received == []  # nothing is sent on subscribing
        _ring(world, desk, busy, created)
        expires_at = int((world.clock.now() + world.settings.ring_timeout) * 1000)

    audience = service.endpoint("x").split("/push/")[0]
    for browser, name in ((phone, "phone"), (laptop, "laptop")):
        [sent] = service.to(name)
        assert sent.headers["content-encoding"] == "aes128gcm"
        assert sent.headers["content-type"] == "application/octet-stream"
        assert sent.headers["urgency"] == "high"
        assert 0 < int(sent.headers["ttl"]) <= world.settings.ring_timeout
        verify_vapid(sent.headers["authorization"], key, audience)
        assert json.loads(browser.decrypt(sent.body)) == {
            "type": "tapline.ring",
            "request_id": rid,
            "queue": "General",
            "attempt": 1,
            "expires_at": expires_at,
            "title": "Ana Ferreira is ready to help you",
            "body": "It's your turn at Shop. Answer to start.",
            "url": PAGE,  # the page's query and fragment are never kept
        }
    # The browsers' secrets and the JWTs are in no log line.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    secrets = [b64(phone.auth), b64(phone.public), "/push/phone", "/push/laptop"]
    secrets += [r.headers["authorization"].split("t=")[1][:40] for r in service.received]
    assert not [s for s in secrets if s in logged]
    assert key_file.read_text().strip() not in logged


def test_the_key_survives_a_restart(world: World) -> None:
    key = public_key(world)
    world.restart()
    assert public_key(world) == key


def test_a_gone_subscription_is_forgotten_and_a_failing_one_kept(
    world: World, service: PushService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    gone, broken, fine = (Browser(service.endpoint(n)) for n in ("gone", "broken", "fine"))
    service.status["/push/gone"] = 410
    service.status["/push/broken"] = 500
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1")
        ids = {}
        for name, browser in (("gone", gone), ("broken", broken), ("fine", fine)):
            response = subscribe(world, created, browser)
            assert response.status_code == 201, response.text
            ids[name] = response.json()["id"]
        _ring(world, desk, busy, created)
    assert [len(service.to(n)) for n in ("gone", "broken", "fine")] == [1, 1, 1]
    assert sorted(r["id"] for r in world.rows("push_subscriptions")) == sorted(
        [ids["broken"], ids["fine"]]
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"subscription {ids['gone']} is gone (410): removed" in logged
    assert f"push to 127.0.0.1 refused: 500 (subscription {ids['broken']})" in logged
    assert "/push/" not in logged


def test_a_push_service_that_never_answers_times_out(
    world: World, service: PushService, caplog: pytest.LogCaptureFixture
) -> None:
    world.settings.push_timeout = 0.2
    silent = Browser(service.endpoint("silent"))
    service.status["/push/silent"] = 0
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1")
        sub_id = subscribe(world, created, silent).json()["id"]
        _ring(world, desk, busy, created)
    assert len(service.to("silent")) == 1
    assert f"push to 127.0.0.1 timed out (subscription {sub_id})" in caplog.text
    assert [r["id"] for r in world.rows("push_subscriptions")] == [sub_id]  # kept


def test_no_subscription_no_push(world: World, service: PushService) -> None:
    """Rings without subscriptions send nothing; another request's browser is not rung."""
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1")
        other = world.ask("other")  # waits behind c1
        assert subscribe(world, other, Browser(service.endpoint("other"))).status_code == 201
        _ring(world, desk, busy, created)
    assert service.received == []


def _refused(response: Any) -> str:
    assert response.status_code == 422, response.text
    detail: str = response.json()["detail"]
    return detail


def test_bad_subscriptions_are_refused_with_a_reason(world: World, service: PushService) -> None:
    created = world.ask("c1")
    good = Browser(service.endpoint("good"))

    def body(**change: Any) -> Frame:
        sub = good.json()
        sub.update(change.pop("sub", {}))
        sub["keys"].update(change.pop("keys", {}))
        return {"request_id": created["request_id"], "subscription": sub, "url": PAGE, **change}

    def post(payload: Frame) -> Any:
        return world.client.post(
            f"/api/v1/push/subscriptions?app={world.key}",
            headers={"Origin": ORIGIN, "Authorization": f"Bearer {created['customer_token']}"},
            json=payload,
        )

    not_on_curve = b64(b"\x04" + b"\x01" * 64)
    cases = [
        ({"sub": {"endpoint": "http://fcm.googleapis.com/fcm/send/x"}}, "must be an https URL"),
        ({"sub": {"endpoint": "ftp://127.0.0.1:9/x"}}, "must be an https URL"),
        ({"sub": {"endpoint": "http://10.0.0.5:80/x"}}, "must be an https URL"),
        ({"sub": {"endpoint": "https://10.0.0.5/admin"}}, "not on a known push service"),
        ({"sub": {"endpoint": "https://evil.example/fcm.googleapis.com"}}, "not on a known"),
        ({"sub": {"endpoint": "https://u:p@fcm.googleapis.com/x"}}, "credentials"),
        ({"keys": {"p256dh": b64(good.public[:33])}}, "65 bytes"),
        ({"keys": {"p256dh": not_on_curve}}, "not a point on the P-256 curve"),
        ({"keys": {"p256dh": "not base64!"}}, "`keys.p256dh` must be base64url"),
        ({"keys": {"auth": b64(os.urandom(8))}}, "16-byte authentication secret"),
        ({"url": "https://elsewhere.example/checkout"}, "allowed origins"),
        ({"url": "javascript:alert(1)"}, "http(s) page of the app"),
    ]
    for change, reason in cases:
        assert reason in _refused(post(body(**change))), change
    # Structure: FastAPI's own 422, naming the field.
    missing = post({"request_id": created["request_id"], "url": PAGE})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "subscription"]
    long = post(body(sub={"endpoint": "https://fcm.googleapis.com/" + "x" * 2100}))
    assert long.status_code == 422
    assert world.rows("push_subscriptions") == []

    # The token, the app and the request's state are checked as for the other endpoints.
    assert subscribe(world, created, good, token="tlc_wrong").status_code == 401
    unknown = world.client.post(
        "/api/v1/push/subscriptions?app=pk_nope",
        headers={"Authorization": f"Bearer {created['customer_token']}"},
        json=body(),
    )
    assert unknown.status_code == 403
    assert (
        world.client.get("/api/v1/push/key?app=pk_live", headers={"Origin": ORIGIN}).status_code
        == 403
    )
    # A production server refuses endpoints on 127.0.0.1.
    world.settings.push_insecure_localhost = False
    assert "must be an https URL" in _refused(subscribe(world, created, good))
    world.settings.push_insecure_localhost = True
    assert subscribe(world, created, good).status_code == 201
    with world.widget(created) as widget:
        widget.send({"type": "cancel", "id": "x1"})
        widget.ack("x1")
    late = subscribe(world, created, Browser(service.endpoint("late")))
    assert late.status_code == 409


def test_the_widget_may_call_from_the_app_origin_and_remove_its_subscription(
    world: World, service: PushService
) -> None:
    created = world.ask("c1")
    browser = Browser(service.endpoint("b"))
    preflight = world.client.options(
        f"/api/v1/push/subscriptions?app={world.key}",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 204
    assert "DELETE" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert subscribe(world, created, browser).status_code == 201

    def remove(endpoint: str, token: str) -> Any:
        return world.client.request(
            "DELETE",
            f"/api/v1/push/subscriptions?app={world.key}",
            headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
            json={"request_id": created["request_id"], "endpoint": endpoint},
        )

    other = world.ask("c2")
    assert remove(browser.endpoint, other["customer_token"]).status_code == 401
    assert remove(service.endpoint("nope"), created["customer_token"]).status_code == 404
    assert remove(browser.endpoint, created["customer_token"]).status_code == 204
    assert world.rows("push_subscriptions") == []


def test_the_limit_per_customer(world: World, service: PushService) -> None:
    limit = world.settings.push_subscriptions_max
    created = world.ask("c1")
    browsers = [Browser(service.endpoint(f"d{i}")) for i in range(limit + 1)]
    for browser in browsers[:limit]:
        assert subscribe(world, created, browser).status_code == 201
    # The same browser again is an update, not one more.
    again = subscribe(world, created, browsers[0])
    assert again.status_code == 200, again.text
    detail = _refused(subscribe(world, created, browsers[limit]))
    assert detail.startswith(f"This customer already has {limit} browsers set to ring")
    assert len(world.rows("push_subscriptions")) == limit

    # A verified customer is one customer across requests (and devices).
    token = sign_customer(
        world.app.secret, "u-42", "Sam", "sam@example.com", int(time.time()) + 600
    )
    user = {"id": "u-42", "name": "Sam", "email": "sam@example.com", "token": token}
    mine = [world.ask(f"v{i}", user=user) for i in range(2)]
    assert mine[0]["verified"] is True
    fresh = [Browser(service.endpoint(f"v{i}")) for i in range(limit + 1)]
    for i, browser in enumerate(fresh[:limit]):
        response = subscribe(world, mine[i % 2], browser)
        assert response.status_code == 201, response.text
        assert response.json()["rings_for"] == "customer"
    assert "already has" in _refused(subscribe(world, mine[1], fresh[limit]))


def test_a_verified_customers_browser_rings_for_their_next_request(
    world: World, service: PushService
) -> None:
    token = sign_customer(
        world.app.secret, "u-42", "Sam", "sam@example.com", int(time.time()) + 600
    )
    user = {"id": "u-42", "name": "Sam", "email": "sam@example.com", "token": token}
    phone = Browser(service.endpoint("phone"))
    earlier = world.ask("earlier", user=user)
    assert subscribe(world, earlier, phone).status_code == 201
    with world.widget(earlier) as widget:  # that one ends; the phone stays set to ring
        widget.send({"type": "cancel", "id": "x1"})
        widget.ack("x1")
    with world.desk("ana") as desk:
        busy = _fill(world, desk)
        created = world.ask("c1", user=user)
        _ring(world, desk, busy, created)
    [sent] = service.to("phone")
    assert json.loads(phone.decrypt(sent.body))["request_id"] == created["request_id"]
