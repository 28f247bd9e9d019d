"""Passwords (argon2id) and the random tokens that stand for sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

DESK_PREFIX = "tls_"
CUSTOMER_PREFIX = "tlc_"
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify() -> None:
    """Spend the time a real check takes, so unknown emails are not told apart by timing."""
    verify_password(_DUMMY, "not the password")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are stored only as hashes: a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def customer_token(secret: str, request_id: str) -> str:
    """The key to one request's socket, derived so a retried create returns the same one."""
    digest = hmac.new(secret.encode(), f"customer:{request_id}".encode(), hashlib.sha256)
    return CUSTOMER_PREFIX + digest.hexdigest()


def customer_token_ok(
    secret: str,
    request_id: str,
    token: str,
    ended_at: datetime | None = None,
    *,
    days: float | None = None,
    now: datetime | None = None,
) -> bool:
    """The token is this request's, and (given `days`) its request did not end more than
    `days` ago: a token found in an old log or backup opens nothing for long."""
    if not hmac.compare_digest(customer_token(secret, request_id), token):
        return False
    return days is None or not customer_token_expired(ended_at, days, now)


def customer_token_expired(
    ended_at: datetime | None, days: float, now: datetime | None = None
) -> bool:
    """A customer token lives while its request does, and `days` after it ended (naive UTC,
    as stored)."""
    if ended_at is None:
        return False
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return now - ended_at > timedelta(days=days)
