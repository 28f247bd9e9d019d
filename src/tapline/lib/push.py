"""Web Push: a callback's ring reaches the customer's device when the page is closed.

The keys are VAPID (RFC 8292): one P-256 key pair per server, made once and kept in the data
directory (or given in `TAPLINE_PUSH_PRIVATE_KEY`). Each message is encrypted for its
subscription with aes128gcm (RFC 8291), by `http_ece`; the JWT is signed by `py_vapid`; the
POST goes out with our HTTP client (`httpx2`). See docs/subsystems/callbacks.md, "Web Push".

Nothing here logs an endpoint's path, a key, an auth secret or a JWT: an endpoint is a
capability (whoever holds it and our key can ring that device), so logs name the push
service's host and the subscription's id only.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import json
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import http_ece
import httpx2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from sqlalchemy import delete, event, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from tapline.lib.runtime import Runtime
from tapline.settings import Settings
from tapline.store.models import App, PushSubscription, Request

log = logging.getLogger("tapline.push")
# httpx2 logs each request's URL at INFO: for a push, the endpoint is the secret.
logging.getLogger("httpx2").setLevel(logging.WARNING)

KEY_FILE = "vapid_private_key.pem"
TITLE_CHARS = 120
BODY_CHARS = 240
ENDED = ("resolved", "cancelled", "dead_end")
GONE = (404, 410)  # RFC 8030: the subscription has expired or was removed


# -- Keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    private: ec.EllipticCurvePrivateKey
    public_key: str
    """The application server key the browser subscribes with: the uncompressed P-256
    point, base64url without padding."""

    def sign(self, audience: str, contact: str) -> str:
        """The `Authorization` header for one push service (`vapid t=<JWT>, k=<key>`)."""
        claims = {"aud": audience, "exp": int(time.time()) + 12 * 3600, "sub": contact}
        headers: dict[str, str] = Vapid(self.private).sign(claims)
        return headers["Authorization"]


def keys(settings: Settings) -> Keys:
    """The server's VAPID keys: the configured key, else the one in the data directory
    (made on first use; two processes starting at once agree on one file)."""
    return _keys(settings.push_private_key.strip(), str(settings.data_dir.resolve()))


@functools.cache
def _keys(configured: str, data_dir: str) -> Keys:
    private = _parse_key(configured) if configured else _key_file(Path(data_dir) / KEY_FILE)
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return Keys(private, b64url(point))


def _parse_key(text: str) -> ec.EllipticCurvePrivateKey:
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = b64url_decode(text)
        if len(raw) != 32:
            raise ValueError("TAPLINE_PUSH_PRIVATE_KEY: a P-256 private key (PEM, or 32 bytes)")
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("TAPLINE_PUSH_PRIVATE_KEY: VAPID needs a P-256 (secp256r1) key")
    return key


def _key_file(path: Path) -> ec.EllipticCurvePrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with contextlib.suppress(FileExistsError):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    return _parse_key(path.read_text().strip())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional); raises ValueError."""
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def contact(settings: Settings) -> str:
    """The VAPID `sub`: how a push service reaches the operator."""
    if settings.push_contact:
        return settings.push_contact
    if settings.origin.startswith("https://"):
        return settings.origin
    return "mailto:push@localhost"


# -- Subscriptions -------------------------------------------------------------------------


class Refused(ValueError):
    """A subscription we won't store; the message says why, for the integrating developer."""


@dataclass(frozen=True)
class Checked:
    endpoint: str
    p256dh: str
    auth: str


def check(settings: Settings, endpoint: str, p256dh: str, auth: str) -> Checked:
    """An endpoint on a push service (https; http://127.0.0.1 only when allowed) and keys of
    the sizes RFC 8291 gives: a P-256 point of 65 bytes and a 16-byte auth secret."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError as error:
        raise Refused("`endpoint` is not a URL.") from error
    host = (parts.hostname or "").lower()
    local = (
        settings.push_insecure_localhost
        and parts.scheme == "http"
        and host == "127.0.0.1"
        and port is not None
    )
    if not local:
        if parts.scheme != "https" or not host:
            raise Refused("`endpoint` must be an https URL of a browser's push service.")
        if not any(host == s or host.endswith("." + s) for s in settings.push_services):
            raise Refused(
                f"`endpoint` is not on a known push service ({host}). "
                "An operator can add it to TAPLINE_PUSH_SERVICES."
            )
    if parts.username or parts.password or parts.fragment:
        raise Refused("`endpoint` must not carry credentials or a fragment.")
    try:
        point = b64url_decode(p256dh)
    except ValueError:
        raise Refused("`keys.p256dh` must be base64url.") from None
    if len(point) != 65 or point[0] != 4:
        raise Refused(
            "`keys.p256dh` must be an uncompressed P-256 public key (65 bytes, base64url)."
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise Refused("`keys.p256dh` is not a point on the P-256 curve.") from None
    try:
        secret = b64url_decode(auth)
    except ValueError:
        raise Refused("`keys.auth` must be base64url.") from None
    if len(secret) != 16:
        raise Refused("`keys.auth` must be a 16-byte authentication secret (base64url).")
    return Checked(endpoint, b64url(point), b64url(secret))


def page_url(app: App, url: str) -> str:
    """The page a notification opens: on one of the app's own origins, without its query or
    fragment (they often carry tokens)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused("`url` is not a URL.") from error
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username:
        raise Refused("`url` must be an http(s) page of the app.")
    origin = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port is not None else "")
    if origin not in {item.rstrip("/") for item in app.origins}:
        raise Refused(f"`url` must be on one of the app's allowed origins, not {origin}.")
    return origin + (parts.path or "/")


def owned_by(request: Request) -> Any:
    """The subscriptions that ring for a request: its own, and its verified customer's."""
    if request.customer_key:
        return or_(
            PushSubscription.request_id == request.id,
            PushSubscription.customer_key == request.customer_key,
        )
    return PushSubscription.request_id == request.id


# -- Sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    subscription_id: str
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    ttl: int


_tasks: set[asyncio.Task[None]] = set()


async def ring(
    rt: Runtime,
    session: AsyncSession,
    request_id: str,
    attempt: int,
    until: float,
    specialist: str | None,
) -> None:
    """A callback rings: once the session's transaction commits, push to each of the
    customer's subscriptions, in the background. A transaction that rolls back sends
    nothing."""
    request = await session.get(Request, request_id)
    if request is None:
        return
    rows = list(
        await session.scalars(
            select(PushSubscription).where(
                PushSubscription.app_id == request.app_id, owned_by(request)
            )
        )
    )
    if not rows:
        return
    app = await session.get(App, request.app_id)
    queue = rt.queue_names.get(request.queue_id, "")
    title = f"{specialist or 'A specialist'} is ready to help you"
    body = "It's your turn" + (f" at {app.name}" if app is not None else "") + ". Answer to start."
    ttl = max(1, math.ceil(until - rt.clock.now()))
    pushes = [
        Push(
            row.id,
            row.endpoint,
            row.p256dh,
            row.auth,
            json.dumps(
                {
                    "type": "tapline.ring",
                    "request_id": request_id,
                    "queue": queue,
                    "attempt": attempt,
                    "expires_at": int(until * 1000),
                    "title": title[:TITLE_CHARS],
                    "body": body[:BODY_CHARS],
                    "url": row.open_url,
                },
                separators=(",", ":"),
            ).encode(),
            ttl,
        )
        for row in rows
    ]
    loop = asyncio.get_running_loop()
    pending: list[Push] = session.info.setdefault("tapline.push", [])
    if not pending:

        def committed(session: Session) -> None:
            batch = session.info.pop("tapline.push", [])
            if batch:
                task = loop.create_task(deliver(rt, batch))
                _tasks.add(task)
                task.add_done_callback(_tasks.discard)

        event.listen(session.sync_session, "after_commit", committed, once=True)
    pending.extend(pushes)


async def deliver(rt: Runtime, pushes: list[Push]) -> None:
    """Send every push at once; forget the subscriptions the push service says are gone."""
    settings = rt.settings
    signer = keys(settings)
    sub = contact(settings)
    async with httpx2.AsyncClient(timeout=settings.push_timeout) as client:
        results = await asyncio.gather(*(_send(client, signer, sub, p, settings) for p in pushes))
    gone = [push.subscription_id for push, status in zip(pushes, results, strict=True) if status]
    if gone:
        async with rt.sessions() as session, session.begin():
            await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))


async def _send(
    client: httpx2.AsyncClient, signer: Keys, sub: str, push: Push, settings: Settings
) -> bool:
    """One push; True when the subscription is gone (404/410). Failures are logged by the
    push service's host and the subscription's id, never the endpoint or the keys."""
    parts = urlsplit(push.endpoint)
    host = parts.hostname or "?"
    try:
        async with asyncio.timeout(settings.push_timeout):
            body = http_ece.encrypt(
                push.payload,
                private_key=ec.generate_private_key(ec.SECP256R1()),
                dh=b64url_decode(push.p256dh),
                auth_secret=b64url_decode(push.auth),
                version="aes128gcm",
            )
            response = await client.post(
                push.endpoint,
                content=body,
                headers={
                    "Authorization": signer.sign(f"{parts.scheme}://{parts.netloc}", sub),
                    "Content-Encoding": "aes128gcm",
                    "Content-Type": "application/octet-stream",
                    "TTL": str(push.ttl),
                    "Urgency": "high",
                },
            )
    except TimeoutError:
        log.warning("push to %s timed out (subscription %s)", host, push.subscription_id)
        return False
    except Exception as error:  # a push must never break anything else
        log.warning(
            "push to %s failed: %s (subscription %s)",
            host,
            type(error).__name__,
            push.subscription_id,
        )
        return False
    if response.status_code in GONE:
        log.info(
            "push service %s says subscription %s is gone (%d): removed",
            host,
            push.subscription_id,
            response.status_code,
        )
        return True
    if response.status_code >= 300:
        log.warning(
            "push to %s refused: %d (subscription %s)",
            host,
            response.status_code,
            push.subscription_id,
        )
    return False


async def drain() -> None:
    """Wait for the pushes under way on this loop (tests; a shutdown that may wait)."""
    loop = asyncio.get_running_loop()
    while mine := [task for task in _tasks if task.get_loop() is loop]:
        await asyncio.gather(*mine, return_exceptions=True)


async def stop() -> None:
    """Cancel the pushes under way on this loop: the server is shutting down."""
    loop = asyncio.get_running_loop()
    mine = [task for task in _tasks if task.get_loop() is loop]
    for task in mine:
        task.cancel()
    await asyncio.gather(*mine, return_exceptions=True)
