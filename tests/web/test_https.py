"""Behind a TLS proxy: the client's address and scheme are believed from X-Forwarded-* only
when the peer is a trusted proxy; the desk cookie is Secure and HSTS is sent over https."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from httpx2 import Response
from starlette.types import Scope

from support import PASSWORD, World
from tapline.settings import Settings
from tapline.web.security import HSTS, client_address, is_https


def _scope(peer: str, scheme: str = "http", **headers: str) -> Scope:
    return {
        "type": "http",
        "scheme": scheme,
        "client": (peer, 50_000),
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a proxy: its header is ignored
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client wrote the left
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),  # two proxies of ours
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.4", "10.0.0.4"),  # only proxies: the farthest one
        ("fd00::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_address_comes_from_a_trusted_proxy_only(
    tmp_path: Path, peer: str, forwarded: str, client: str
) -> None:
    settings = _settings(tmp_path, trusted_proxies=["10.0.0.0/24", "fd00::/8"])
    scope = _scope(peer, x_forwarded_for=forwarded) if forwarded else _scope(peer)
    assert client_address(scope, settings) == client
    assert client_address(_scope(peer, x_forwarded_for="1.2.3.4"), _settings(tmp_path)) == peer


def test_https_is_the_connection_the_public_origin_or_a_trusted_proxys_word(
    tmp_path: Path,
) -> None:
    plain = _settings(tmp_path, trusted_proxies=["10.0.0.0/24"])
    assert is_https(_scope("10.0.0.2", "https"), plain)
    assert is_https(_scope("10.0.0.2", x_forwarded_proto="https"), plain)
    assert not is_https(_scope("10.0.0.2", x_forwarded_proto="http"), plain)
    assert not is_https(_scope("203.0.113.9", x_forwarded_proto="https"), plain)  # untrusted
    public = _settings(tmp_path, public_origin="https://help.example")
    assert is_https(_scope("203.0.113.9"), public)


@contextmanager
def from_ip(world: World, ip: str) -> Iterator[None]:
    transport = world.client._transport  # type: ignore[attr-defined]
    before = transport.client
    transport.client = (ip, 50_000)
    try:
        yield
    finally:
        transport.client = before


def _signin(world: World, **headers: str) -> Response:
    response = world.client.post(
        "/api/v1/desk/signin",
        json={"email": "ana@example.com", "password": PASSWORD},
        headers=headers,
    )
    world.client.cookies.clear()
    return response


def _secure(response: Response) -> bool:
    parts = {part.strip().lower() for part in response.headers["set-cookie"].split(";")}
    return "secure" in parts


def test_the_cookie_is_secure_and_hsts_sent_when_the_public_origin_is_https(
    world: World,
) -> None:
    plain = _signin(world)
    assert not _secure(plain) and "strict-transport-security" not in plain.headers
    world.rt.settings.public_origin = "https://help.example"
    signed_in = _signin(world)
    assert signed_in.status_code == 200
    assert _secure(signed_in)
    assert signed_in.headers["strict-transport-security"] == HSTS
    assert world.client.get("/healthz").headers["strict-transport-security"] == HSTS


def test_behind_a_trusted_tls_proxy_the_cookie_is_secure(world: World) -> None:
    world.rt.settings.trusted_proxies = ["10.0.0.0/24"]
    with from_ip(world, "10.0.0.2"):
        behind = _signin(world, **{"X-Forwarded-Proto": "https"})
        assert _secure(behind)
        assert behind.headers["strict-transport-security"] == HSTS
    with from_ip(world, "203.0.113.9"):  # anyone else saying so is not believed
        forged = _signin(world, **{"X-Forwarded-Proto": "https"})
        assert forged.status_code == 200
        assert not _secure(forged)
        assert "strict-transport-security" not in forged.headers


def test_signing_out_clears_the_cookie_with_the_same_attributes(world: World) -> None:
    world.rt.settings.public_origin = "https://help.example"
    desk = world.signin("ana")
    out = world.client.post(
        "/api/v1/desk/signout",
        headers={**desk.cookie, "X-CSRF-Token": desk.csrf, "Origin": "https://help.example"},
    )
    assert out.status_code == 204
    cookie = out.headers["set-cookie"].lower()
    assert "max-age=0" in cookie and "secure" in cookie and "samesite=strict" in cookie
