"""Passwords are argon2id hashes; tokens are random and stored only as hashes."""

from __future__ import annotations

from datetime import datetime, timedelta

from tapline.lib.passwords import (
    CUSTOMER_PREFIX,
    DESK_PREFIX,
    customer_token,
    customer_token_expired,
    customer_token_ok,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)


def test_argon2id_hash_verifies_only_the_password() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse battery" not in hashed
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse battery!")
    assert hash_password("correct horse battery") != hashed  # salted


def test_a_broken_hash_verifies_nothing() -> None:
    assert not verify_password("not a hash", "anything")
    assert not verify_password("", "")


def test_tokens_are_random_prefixed_and_hashed() -> None:
    first, second = new_token(DESK_PREFIX), new_token(DESK_PREFIX)
    assert first.startswith(DESK_PREFIX) and first != second
    assert len(first) > 40
    assert token_hash(first) == token_hash(first) != token_hash(second)
    assert first not in token_hash(first)


def test_customer_tokens_are_per_request_and_per_secret() -> None:
    token = customer_token("secret-a", "r_1")
    assert token.startswith(CUSTOMER_PREFIX)
    assert token == customer_token("secret-a", "r_1")  # a retried create gets the same
    assert customer_token_ok("secret-a", "r_1", token)
    assert not customer_token_ok("secret-a", "r_2", token)
    assert not customer_token_ok("secret-b", "r_1", token)
    assert not customer_token_ok("secret-a", "r_1", token[:-1])


def test_customer_tokens_expire_some_days_after_their_request_ended() -> None:
    token = customer_token("secret-a", "r_1")
    ended = datetime(2027, 1, 1, 12, 0)
    for now, ok in (
        (ended + timedelta(days=29, hours=23), True),
        (ended + timedelta(days=30, seconds=1), False),
    ):
        assert customer_token_ok("secret-a", "r_1", token, ended, days=30, now=now) is ok
        assert customer_token_expired(ended, 30, now) is not ok
    # A live request's token does not expire; without `days` only the token is checked.
    assert customer_token_ok("secret-a", "r_1", token, None, days=30, now=datetime(2099, 1, 1))
    assert customer_token_ok("secret-a", "r_1", token, ended)
    assert not customer_token_ok("secret-a", "r_1", token[:-1], None, days=30)
