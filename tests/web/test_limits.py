"""A request body over the limit is refused early (`limits.BodyLimit`), on the real app."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest

from support import ORIGIN, World

LIMIT = 4096
CHUNK = 1024


@pytest.fixture
def limited(world: World) -> Iterator[World]:
    """The world's server restarted with a small body limit (`app.py` adds `BodyLimit`
    inside CORS and the security headers, so a 413 carries them)."""
    world.settings.body_bytes = LIMIT
    world.restart()
    yield world


def _asgi(world: World, headers: list[tuple[bytes, bytes]], chunks: Iterator[bytes]) -> Any:
    """POST /api/v1/requests straight into the running app, the body in chunks as a server
    streams them; returns (status, body, how many chunks the app read)."""
    read = 0
    sent: list[MutableMapping[str, Any]] = []

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            nonlocal read
            chunk = next(chunks, None)
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            read += 1
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v1/requests",
            "raw_path": b"/api/v1/requests",
            "root_path": "",
            "query_string": f"app={world.key}".encode(),
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
            "client": ("198.51.100.7", 40000),
            "server": ("testserver", 80),
            "app": world.server,
        }
        await world.server(scope, receive, send)

    world.call(run)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1, sent  # one answer, never two
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return starts[0]["status"], body, read


def _endless() -> Iterator[bytes]:
    """40 MB of a JSON string, a kilobyte at a time."""
    yield b'{"id": "c1", "description": "'
    for _ in range(40 * 1024):
        yield b"x" * CHUNK


def test_a_declared_length_over_the_limit_is_refused_before_any_is_read(limited: World) -> None:
    big = str(40 * 1024 * 1024).encode()
    status, body, read = _asgi(limited, [(b"content-length", big)], _endless())
    assert status == 413
    assert body == b'{"detail":"A request body may be at most 4096 bytes."}'
    assert read == 0
    # Through a client too, from the app's origin: CORS and security headers are there.
    response = limited.client.post(
        f"/api/v1/requests?app={limited.key}",
        headers={"Origin": ORIGIN},
        json={"id": "c1", "description": "x" * (2 * LIMIT)},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "A request body may be at most 4096 bytes."}
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "content-security-policy" in response.headers
    assert limited.rows("requests") == []


def test_a_streamed_body_is_read_only_up_to_the_limit(limited: World) -> None:
    status, body, read = _asgi(limited, [(b"transfer-encoding", b"chunked")], _endless())
    assert status == 413
    assert body == b'{"detail":"A request body may be at most 4096 bytes."}'
    assert read <= LIMIT // CHUNK + 2  # not 40 MB: it stopped at the limit
    # A body that says it is short but goes on is counted the same way.
    status, _, read = _asgi(limited, [(b"content-length", b"100")], _endless())
    assert (status, read <= LIMIT // CHUNK + 2) == (413, True)
    assert limited.rows("requests") == []


def test_a_body_within_the_limit_passes_whole(limited: World) -> None:
    def small() -> Iterator[bytes]:
        yield b'{"id": "c1", "desc'
        yield b'ription": "' + b"y" * 900 + b'"}'

    status, body, _ = _asgi(limited, [(b"transfer-encoding", b"chunked")], small())
    assert status == 201, body
    response = limited.client.post(
        f"/api/v1/requests?app={limited.key}",
        headers={"Origin": ORIGIN},
        json={"id": "c2", "description": "Which card is charged?"},
    )
    assert response.status_code == 201
    assert len(limited.rows("requests")) == 2
